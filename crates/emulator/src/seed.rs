//! The seed: what exists in the local cloud before anything is created through ARM.
//!
//! A YAML document of `kind: LocalCloudSeed` (it may sit beside manifests: manifest loading
//! skips this kind). It declares subscriptions with their resource groups and the dependent
//! resources hubs point at (storage accounts, key vaults with keys and versions, identities,
//! registries, Application Insights, AI Services, AI Search), the directory's principals, the
//! service principals that may sign in under `--strict-auth`, custom roles and role
//! assignments. The emulator parses it with its own types: it shares no model with hubctl.

use std::path::Path;

use serde::Deserialize;

/// A parsed seed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Seed {
    /// Always `hubctl/v1`.
    pub api_version: String,
    /// Always `LocalCloudSeed`.
    pub kind: String,
    /// The directory's tenant; generated when absent.
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// Subscriptions.
    #[serde(default)]
    pub subscriptions: Vec<SeedSubscription>,
    /// Users, groups and service principals the directory knows.
    #[serde(default)]
    pub principals: Vec<SeedPrincipal>,
    /// Service principals that may get tokens with `--strict-auth`.
    #[serde(default)]
    pub service_principals: Vec<SeedServicePrincipal>,
    /// Custom role definitions.
    #[serde(default)]
    pub custom_roles: Vec<SeedRole>,
    /// Role assignments that exist from the start.
    #[serde(default)]
    pub role_assignments: Vec<SeedAssignment>,
    /// Deny assignments (as Azure Blueprints or managed applications leave them).
    #[serde(default)]
    pub deny_assignments: Vec<SeedDenyAssignment>,
}

/// A deny assignment: `actions` minus `notActions` are denied at `scope` and below to
/// `principals` (`00000000-0000-0000-0000-000000000000` is everyone), except
/// `excludePrincipals`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedDenyAssignment {
    /// Scope.
    pub scope: String,
    /// Name shown (`denyAssignmentName`).
    pub name: String,
    /// Denied actions.
    pub actions: Vec<String>,
    /// Actions left allowed.
    #[serde(default)]
    pub not_actions: Vec<String>,
    /// Who is denied (object ids).
    pub principals: Vec<String>,
    /// Who is not.
    #[serde(default)]
    pub exclude_principals: Vec<String>,
}

/// A subscription.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedSubscription {
    /// Subscription GUID.
    pub id: String,
    /// Resource providers not registered (their writes get MissingSubscriptionRegistration).
    #[serde(default)]
    pub unregistered_providers: Vec<String>,
    /// Resource groups.
    #[serde(default)]
    pub resource_groups: Vec<SeedResourceGroup>,
    /// Model quota per region (`Microsoft.CognitiveServices` usages): a model and SKU without
    /// an entry is not limited and has no usage entry (docs/emulator.md).
    #[serde(default)]
    pub quotas: Vec<SeedQuota>,
}

/// A model quota of a subscription in a region, e.g. `{ location: eastus2, name:
/// OpenAI.GlobalStandard.gpt-4o, limit: 100 }` (usage names `OpenAI.<SkuName>.<model>`,
/// NOTES-foundry.md §8, inferred naming); the limit is in capacity units (thousands of tokens
/// per minute).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedQuota {
    /// Region.
    pub location: String,
    /// Usage name, `OpenAI.<SkuName>.<modelName>`.
    pub name: String,
    /// The limit.
    pub limit: u64,
}

/// A resource group and what is in it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedResourceGroup {
    /// Name.
    pub name: String,
    /// Region.
    pub location: String,
    /// Dependent resources.
    #[serde(default)]
    pub resources: Vec<SeedResource>,
}

/// A dependent resource.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedResource {
    /// ARM type, e.g. `Microsoft.Storage/storageAccounts`.
    #[serde(rename = "type")]
    pub arm_type: String,
    /// Name.
    pub name: String,
    /// Region; the group's when absent.
    #[serde(default)]
    pub location: Option<String>,
    /// Kind (e.g. `AIServices`).
    #[serde(default)]
    pub kind: Option<String>,
    /// Properties, as ARM would return them.
    #[serde(default)]
    pub properties: Option<serde_json::Value>,
    /// Key vault keys with their versions (vaults only).
    #[serde(default)]
    pub keys: Vec<SeedKey>,
}

/// A key vault key with its versions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedKey {
    /// Key name.
    pub name: String,
    /// Versions (32 hex digits), oldest first.
    pub versions: Vec<String>,
}

/// A principal in the directory.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedPrincipal {
    /// Object id.
    pub id: String,
    /// `User`, `Group` or `ServicePrincipal`.
    #[serde(rename = "type")]
    pub principal_type: String,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// A user's user principal name (`alice@contoso.com`).
    #[serde(default)]
    pub user_principal_name: Option<String>,
    /// A service principal's application (client) id.
    #[serde(default)]
    pub app_id: Option<String>,
}

/// A service principal that can sign in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedServicePrincipal {
    /// Application (client) id.
    pub client_id: String,
    /// Its object id.
    pub object_id: String,
    /// Client secret; absent: no secret sign-in.
    #[serde(default)]
    pub secret: Option<String>,
    /// Whether federated client assertions (workload identity) are accepted.
    #[serde(default)]
    pub federated: bool,
    /// Microsoft Graph application permissions it holds (`Directory.Read.All`,
    /// `User.Read.All`, `GroupMember.Read.All`, `Group.Read.All`, `Application.Read.All`).
    #[serde(default)]
    pub graph_permissions: Vec<String>,
}

/// A custom role.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedRole {
    /// Role definition GUID.
    pub id: String,
    /// Display name.
    pub role_name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
}

/// A role assignment.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedAssignment {
    /// Scope (an ARM id, a resource group or a subscription).
    pub scope: String,
    /// Principal object id.
    pub principal: String,
    /// Role definition GUID or built-in role name.
    pub role: String,
    /// Assignment name (GUID); generated when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// An ABAC condition (version 2.0) narrowing the grant.
    #[serde(default)]
    pub condition: Option<String>,
}

/// Why a seed could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The file could not be read.
    #[error("cannot read seed file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The YAML did not parse into a seed.
    #[error("seed file {path} is invalid: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl Seed {
    /// Read a seed file.
    pub fn from_file(path: &Path) -> Result<Seed, SeedError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| SeedError::Read { path: path.display().to_string(), source })?;
        Seed::from_text(&text)
            .map_err(|message| SeedError::Invalid { path: path.display().to_string(), message })
    }

    /// Parse a seed's text; the seed is the first document of kind LocalCloudSeed.
    pub fn from_text(text: &str) -> Result<Seed, String> {
        let mut options = serde_saphyr::Options::default();
        options.strict_booleans = true;
        options.leading_zero_numbers_as_strings = true;
        let seed: Seed =
            serde_saphyr::from_str_with_options(text, options).map_err(|e| e.to_string())?;
        if seed.api_version != "hubctl/v1" || seed.kind != "LocalCloudSeed" {
            return Err(format!(
                "expected apiVersion hubctl/v1 and kind LocalCloudSeed, found {} and {}",
                seed.api_version, seed.kind
            ));
        }
        Ok(seed)
    }
}
