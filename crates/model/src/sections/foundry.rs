//! Foundry core: the Foundry resource (`Microsoft.CognitiveServices/accounts`, kind
//! `AIServices`) and its projects (`accounts/projects`), per api-version 2025-06-01
//! (Azure/azure-rest-api-specs `specification/cognitiveservices/…/stable/2025-06-01/cognitiveservices.json`,
//! `Account`, `AccountProperties`, `Project`; NOTES-foundry.md §3, §5).
//!
//! Connections and role assignments under them have the same shapes as a hub's
//! ([`crate::Connection`], [`crate::RoleAssignment`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::enums::ProvisioningState;
use crate::{ManagedIdentity, Other};

/// Read-only account properties (`AccountProperties`, `readOnly: true`): never sent back.
pub const ACCOUNT_READ_ONLY: &[&str] = &[
    "endpoint",
    "endpoints",
    "internalId",
    "capabilities",
    "isMigrated",
    "skuChangeInfo",
    "privateEndpointConnections",
    "dateCreated",
    "callRateLimit",
    "quotaLimit",
    "deletionDate",
    "scheduledPurgeDate",
    "commitmentPlanAssociations",
    "abusePenalty",
];

/// `Microsoft.CognitiveServices/accounts`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// ARM id (read-only; for a deleted account, its `deletedAccounts` id).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Name (read-only in bodies).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// `AIServices`, `OpenAI`, … (compared case-insensitively).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Region.
    #[serde(default)]
    pub location: String,
    /// SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<Sku>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
    /// Managed identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<ManagedIdentity>,
    /// Properties.
    #[serde(default)]
    pub properties: AccountProperties,
    /// Everything else (type, etag, systemData, fields of later api-versions).
    #[serde(flatten)]
    pub other: Other,
}

/// `sku`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sku {
    /// `S0`, `F0`, …
    #[serde(default)]
    pub name: String,
    /// Everything else (tier, capacity).
    #[serde(flatten)]
    pub other: Other,
}

/// `properties` of an account.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountProperties {
    /// The custom subdomain (fixed once set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_sub_domain_name: Option<String>,
    /// Projects allowed (cannot be turned off once on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_project_management: Option<bool>,
    /// `Enabled` or `Disabled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_network_access: Option<String>,
    /// Network ACLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_acls: Option<NetworkAcls>,
    /// Keys off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_local_auth: Option<bool>,
    /// Encryption at rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<AccountEncryption>,
    /// Network injection (agents' subnet). An object in 2025-06-01.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_injections: Option<Value>,
    /// Restore a soft-deleted account (create/update only; never read back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore: Option<bool>,
    /// Provisioning state (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<ProvisioningState>,
    /// When a deleted account was deleted (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_date: Option<String>,
    /// When a deleted account is purged (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_purge_date: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// `networkAcls`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkAcls {
    /// `Allow` or `Deny`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_action: Option<String>,
    /// `None` or `AzureServices`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bypass: Option<String>,
    /// `[{value}]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_rules: Option<Vec<IpRule>>,
    /// `[{id, ignoreMissingVnetServiceEndpoint}]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub virtual_network_rules: Option<Vec<VirtualNetworkRule>>,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// One `ipRules` entry.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpRule {
    /// Address or CIDR range.
    #[serde(default)]
    pub value: String,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// One `virtualNetworkRules` entry.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualNetworkRule {
    /// The subnet's id.
    #[serde(default)]
    pub id: String,
    /// Everything else (state, ignoreMissingVnetServiceEndpoint).
    #[serde(flatten)]
    pub other: Other,
}

/// `encryption` of an account.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountEncryption {
    /// `Microsoft.CognitiveServices` or `Microsoft.KeyVault`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_source: Option<String>,
    /// The key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_vault_properties: Option<AccountKey>,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

impl AccountEncryption {
    /// Whether a customer-managed key is on (`keySource: Microsoft.KeyVault`). The API
    /// description gives `keySource` the default `Microsoft.KeyVault`, so an encryption block
    /// without it but with a key counts as customer-managed.
    pub fn is_customer_managed(&self) -> bool {
        match &self.key_source {
            Some(source) => source.eq_ignore_ascii_case("Microsoft.KeyVault"),
            None => self.key_vault_properties.is_some(),
        }
    }
}

/// `encryption.keyVaultProperties`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountKey {
    /// Key name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    /// Key version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_version: Option<String>,
    /// The vault, `https://{vault}.vault.azure.net/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_vault_uri: Option<String>,
    /// The client id of the user-assigned identity that reads the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_client_id: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

impl Account {
    /// Whether this is a Foundry resource's kind (`AIServices`).
    pub fn is_ai_services(&self) -> bool {
        self.kind.as_deref().is_some_and(|k| k.eq_ignore_ascii_case("AIServices"))
    }
    /// The provisioning state; none means succeeded (ARM RPC).
    pub fn provisioning_state(&self) -> ProvisioningState {
        self.properties.provisioning_state.clone().unwrap_or(ProvisioningState::Succeeded)
    }
    /// The body to PUT back after reading this account: read-only fields dropped, identity
    /// values emptied, everything else (fields hubctl does not model) kept.
    pub fn for_write(&self) -> Account {
        let mut body = self.clone();
        body.id.clear();
        body.name.clear();
        for read_only in ["type", "etag", "systemData"] {
            body.other.remove(read_only);
        }
        let p = &mut body.properties;
        p.provisioning_state = None;
        p.deletion_date = None;
        p.scheduled_purge_date = None;
        p.restore = None;
        for read_only in ACCOUNT_READ_ONLY {
            p.other.remove(*read_only);
        }
        if let Some(identity) = body.identity.as_mut() {
            clear_identity(identity);
        }
        body
    }
}

/// The identity type as Cognitive Services spells it: `SystemAssigned, UserAssigned` with a
/// space (the API description's enum), where workspaces write none.
pub fn account_identity_type(kind: &crate::IdentityType) -> String {
    match kind {
        crate::IdentityType::SystemAndUserAssigned => "SystemAssigned, UserAssigned".to_string(),
        other => other.as_str().to_string(),
    }
}

/// Empty an identity block's read-only values for a write, in Cognitive Services' spelling.
pub(crate) fn clear_identity(identity: &mut ManagedIdentity) {
    identity.identity_type =
        crate::IdentityType::Unknown(account_identity_type(&identity.identity_type));
    identity.principal_id = None;
    identity.tenant_id = None;
    if let Some(uais) = identity.user_assigned_identities.as_mut() {
        for value in uais.values_mut() {
            *value = Value::Object(Other::new());
        }
    }
}

/// `Microsoft.CognitiveServices/accounts/projects`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountProject {
    /// ARM id (read-only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Name (read-only in bodies; the service may answer `account/project`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Region (the account's; fixed).
    #[serde(default)]
    pub location: String,
    /// Managed identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<ManagedIdentity>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
    /// Properties.
    #[serde(default)]
    pub properties: AccountProjectProperties,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// `properties` of a project.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountProjectProperties {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Provisioning state (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<ProvisioningState>,
    /// Everything else (endpoints, isDefault: read-only).
    #[serde(flatten)]
    pub other: Other,
}

impl AccountProject {
    /// The project's own name (the last segment, whatever form the service answered).
    pub fn short_name(&self) -> &str {
        self.name.rsplit('/').next().unwrap_or(&self.name)
    }
    /// The body to write back: read-only fields dropped.
    pub fn for_write(&self) -> AccountProject {
        let mut body = self.clone();
        body.id.clear();
        body.name.clear();
        for read_only in ["type", "etag", "systemData"] {
            body.other.remove(read_only);
        }
        body.properties.provisioning_state = None;
        body.properties.other.remove("endpoints");
        body.properties.other.remove("isDefault");
        if let Some(identity) = body.identity.as_mut() {
            clear_identity(identity);
        }
        body
    }
}

/// `Microsoft.CognitiveServices/accounts/deployments`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountDeployment {
    /// ARM id (read-only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Name (read-only in bodies).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// How it is served and how much.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<DeploymentSku>,
    /// Properties.
    #[serde(default)]
    pub properties: DeploymentProperties,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// `sku` of a deployment.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentSku {
    /// `Standard`, `GlobalStandard`, …
    #[serde(default)]
    pub name: String,
    /// Capacity units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u64>,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// `properties` of a deployment.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentProperties {
    /// The model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<DeploymentModel>,
    /// `OnceNewDefaultVersionAvailable`, `OnceCurrentVersionExpired`, `NoAutoUpgrade`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_upgrade_option: Option<String>,
    /// The content filter it uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rai_policy_name: Option<String>,
    /// Provisioning state (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<ProvisioningState>,
    /// Everything else (capabilities, rateLimits, currentCapacity: read-only).
    #[serde(flatten)]
    pub other: Other,
}

/// `properties.model` of a deployment.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentModel {
    /// `OpenAI`, …
    #[serde(default)]
    pub format: String,
    /// `gpt-4o`, …
    #[serde(default)]
    pub name: String,
    /// Its version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Everything else (publisher, source).
    #[serde(flatten)]
    pub other: Other,
}

/// `Microsoft.CognitiveServices/accounts/raiPolicies` (a content filter).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RaiPolicy {
    /// ARM id (read-only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Properties.
    #[serde(default)]
    pub properties: RaiPolicyProperties,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// `properties` of an RAI policy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RaiPolicyProperties {
    /// `UserManaged` or `SystemManaged` (read-only).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub policy_type: Option<String>,
    /// The policy it builds on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_policy_name: Option<String>,
    /// The filters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_filters: Option<Vec<RaiFilter>>,
    /// Everything else (mode, customBlocklists).
    #[serde(flatten)]
    pub other: Other,
}

impl RaiPolicy {
    /// Whether the service owns it (`Microsoft.Default`, …): never planned, never drift.
    pub fn is_system(&self) -> bool {
        self.properties
            .policy_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("SystemManaged"))
    }
}

/// One filter of an RAI policy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RaiFilter {
    /// `Hate`, `Jailbreak`, `Protected Material Text`, …
    #[serde(default)]
    pub name: String,
    /// On.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// `Low`, `Medium`, `High`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity_threshold: Option<String>,
    /// Blocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocking: Option<bool>,
    /// `Prompt` or `Completion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// One entry of `…/locations/{location}/usages` (a quota).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Its name: `value` (`OpenAI.GlobalStandard.gpt-4o`) and `localizedValue`.
    #[serde(default)]
    pub name: UsageName,
    /// In use.
    #[serde(default)]
    pub current_value: f64,
    /// The limit.
    #[serde(default)]
    pub limit: f64,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// `name` of a usage.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageName {
    /// `OpenAI.<SKU>.<model>` for model quota.
    #[serde(default)]
    pub value: String,
    /// For people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub localized_value: Option<String>,
}

/// `accounts/capabilityHosts` or `accounts/projects/capabilityHosts`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilityHost {
    /// ARM id (read-only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Properties.
    #[serde(default)]
    pub properties: CapabilityHostProperties,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// `properties` of a capability host.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CapabilityHostProperties {
    /// `Agents`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capability_host_kind: Option<String>,
    /// Connection names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_connections: Option<Vec<String>>,
    /// Connection names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector_store_connections: Option<Vec<String>>,
    /// Connection names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_storage_connections: Option<Vec<String>>,
    /// Connection names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ai_services_connections: Option<Vec<String>>,
    /// The agents' subnet (account host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_subnet: Option<String>,
    /// Provisioning state (read-only; `Creating` for a long time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<ProvisioningState>,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// The quota name of a model on a SKU: `OpenAI.<SkuName>.<modelName>` (NOTES-foundry.md §8,
/// inferred from the service's `InsufficientQuota` message). One place, so a change of the
/// naming is one change.
pub fn quota_name(sku: &str, model: &str) -> String {
    format!("OpenAI.{sku}.{model}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IdentityType;
    use serde_json::json;

    #[test]
    fn an_account_survives_a_round_trip_and_its_write_body_drops_read_only_fields() {
        let input = json!({
            "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/a",
            "name": "a", "type": "Microsoft.CognitiveServices/accounts", "etag": "W/\"1\"",
            "kind": "AIServices", "location": "eastus2", "sku": {"name": "S0"},
            "identity": {"type": "SystemAssigned, UserAssigned", "principalId": "p", "userAssignedIdentities": {"/u": {"clientId": "c"}}},
            "properties": {"customSubDomainName": "a", "allowProjectManagement": true, "endpoint": "https://a.cognitiveservices.azure.com/",
                "networkAcls": {"defaultAction": "Deny", "ipRules": [{"value": "203.0.113.0/24"}], "virtualNetworkRules": []},
                "encryption": {"keySource": "Microsoft.KeyVault", "keyVaultProperties": {"keyName": "k", "keyVersion": "v", "keyVaultUri": "https://kv.vault.azure.net/", "identityClientId": "c"}},
                "provisioningState": "Succeeded", "futureSetting": 1}
        });
        let account: Account = serde_json::from_value(input.clone()).unwrap();
        let mut read_back = serde_json::to_value(&account).unwrap();
        assert_eq!(read_back["identity"]["type"], "SystemAssigned,UserAssigned");
        read_back["identity"]["type"] = json!("SystemAssigned, UserAssigned");
        assert_eq!(read_back, input, "nothing is dropped");
        assert!(account.is_ai_services());
        assert!(account.properties.encryption.as_ref().unwrap().is_customer_managed());
        assert_eq!(
            account.identity.as_ref().unwrap().identity_type,
            IdentityType::SystemAndUserAssigned,
            "the space after the comma is read"
        );
        let body = serde_json::to_value(account.for_write()).unwrap();
        assert!(
            body.get("id").is_none() && body.get("etag").is_none() && body.get("type").is_none()
        );
        assert!(body["properties"].get("endpoint").is_none());
        assert!(body["properties"].get("provisioningState").is_none());
        assert_eq!(body["properties"]["futureSetting"], 1, "unknown settings are kept");
        assert_eq!(body["identity"]["userAssignedIdentities"]["/u"], json!({}));
        assert_eq!(
            body["identity"]["type"], "SystemAssigned, UserAssigned",
            "written as CS spells it"
        );
    }

    #[test]
    fn a_project_answered_with_its_account_in_the_name_has_its_own_short_name() {
        let project: AccountProject =
            serde_json::from_value(json!({"name": "acct/proj", "location": "eastus2",
                "properties": {"isDefault": true, "endpoints": {"AI Foundry API": "https://x"}, "displayName": "P"}}))
            .unwrap();
        assert_eq!(project.short_name(), "proj");
        let body = serde_json::to_value(project.for_write()).unwrap();
        assert_eq!(body["properties"], json!({"displayName": "P"}));
    }
}
