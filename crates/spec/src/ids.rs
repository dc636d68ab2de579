//! Identifiers the manifest names: GUIDs, ARM resource ids with their types, workspace and rule
//! names, Azure regions and Key Vault key URIs.
//!
//! Each is a newtype that can only be built by parsing, so a value of the type is known good.
//! ARM treats ids and names case-insensitively (a trailing slash is also tolerated); equality
//! here follows ARM, so two spellings of one id are one id.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Serialize, Serializer};

/// A GUID as Entra and ARM write them: 8-4-4-4-12 hex digits. Kept in lower case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Guid(String);

impl Guid {
    /// Parse a GUID; `None` when the text is not one.
    pub fn parse(text: &str) -> Option<Guid> {
        let groups: Vec<&str> = text.split('-').collect();
        let lengths = [8, 4, 4, 4, 12];
        let ok = groups.len() == 5
            && groups
                .iter()
                .zip(lengths)
                .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()));
        ok.then(|| Guid(text.to_ascii_lowercase()))
    }
    /// The GUID text, lower case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The resource types a manifest may point at, with their ARM provider type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceType {
    /// `Microsoft.Storage/storageAccounts`
    StorageAccount,
    /// `Microsoft.KeyVault/vaults`
    KeyVault,
    /// `Microsoft.Insights/components`
    ApplicationInsights,
    /// `Microsoft.ContainerRegistry/registries`
    ContainerRegistry,
    /// `Microsoft.ManagedIdentity/userAssignedIdentities`
    UserAssignedIdentity,
    /// `Microsoft.CognitiveServices/accounts` (AI Services, Azure OpenAI)
    CognitiveServicesAccount,
    /// `Microsoft.Search/searchServices`
    SearchService,
    /// `Microsoft.MachineLearningServices/workspaces`
    MachineLearningWorkspace,
    /// `Microsoft.DocumentDB/databaseAccounts` (Cosmos DB: agents' thread storage)
    CosmosDbAccount,
}

impl ResourceType {
    /// Every known type.
    pub const ALL: [ResourceType; 9] = [
        ResourceType::StorageAccount,
        ResourceType::KeyVault,
        ResourceType::ApplicationInsights,
        ResourceType::ContainerRegistry,
        ResourceType::UserAssignedIdentity,
        ResourceType::CognitiveServicesAccount,
        ResourceType::SearchService,
        ResourceType::MachineLearningWorkspace,
        ResourceType::CosmosDbAccount,
    ];

    /// The ARM type, `Namespace/type`.
    pub const fn arm_type(self) -> &'static str {
        match self {
            ResourceType::StorageAccount => "Microsoft.Storage/storageAccounts",
            ResourceType::KeyVault => "Microsoft.KeyVault/vaults",
            ResourceType::ApplicationInsights => "Microsoft.Insights/components",
            ResourceType::ContainerRegistry => "Microsoft.ContainerRegistry/registries",
            ResourceType::UserAssignedIdentity => {
                "Microsoft.ManagedIdentity/userAssignedIdentities"
            }
            ResourceType::CognitiveServicesAccount => "Microsoft.CognitiveServices/accounts",
            ResourceType::SearchService => "Microsoft.Search/searchServices",
            ResourceType::MachineLearningWorkspace => {
                "Microsoft.MachineLearningServices/workspaces"
            }
            ResourceType::CosmosDbAccount => "Microsoft.DocumentDB/databaseAccounts",
        }
    }

    /// The type in words, for messages.
    pub const fn what(self) -> &'static str {
        match self {
            ResourceType::StorageAccount => "a storage account",
            ResourceType::KeyVault => "a key vault",
            ResourceType::ApplicationInsights => "an Application Insights component",
            ResourceType::ContainerRegistry => "a container registry",
            ResourceType::UserAssignedIdentity => "a user-assigned managed identity",
            ResourceType::CognitiveServicesAccount => "an AI Services (Cognitive Services) account",
            ResourceType::SearchService => "an AI Search service",
            ResourceType::MachineLearningWorkspace => "an Azure ML / Foundry workspace",
            ResourceType::CosmosDbAccount => "a Cosmos DB account",
        }
    }

    /// The private-endpoint subresources (group ids) of this type, for outbound rules.
    /// Source: Azure/azure-docs `articles/private-link/private-endpoint-overview.md`
    /// ("Private-link resource" table).
    pub const fn private_endpoint_subresources(self) -> &'static [&'static str] {
        match self {
            ResourceType::StorageAccount => &[
                "blob",
                "blob_secondary",
                "dfs",
                "dfs_secondary",
                "file",
                "queue",
                "queue_secondary",
                "table",
                "table_secondary",
                "web",
                "web_secondary",
            ],
            ResourceType::KeyVault => &["vault"],
            ResourceType::ApplicationInsights => &[],
            ResourceType::ContainerRegistry => &["registry"],
            ResourceType::UserAssignedIdentity => &[],
            ResourceType::CognitiveServicesAccount => &["account"],
            ResourceType::SearchService => &["searchService"],
            ResourceType::MachineLearningWorkspace => &["amlworkspace"],
            ResourceType::CosmosDbAccount => &["Sql"],
        }
    }

    fn from_arm_type(namespace: &str, type_path: &str) -> Option<ResourceType> {
        ResourceType::ALL.into_iter().find(|t| {
            let (ns, ty) = t.arm_type().split_once('/').unwrap_or(("", ""));
            ns.eq_ignore_ascii_case(namespace) && ty.eq_ignore_ascii_case(type_path)
        })
    }
}

/// An ARM resource id: `/subscriptions/{guid}/resourceGroups/{group}/providers/{Namespace}/{type}/{name}`,
/// possibly with child types (`…/{type}/{name}/{child}/{name}`).
///
/// Kept as written (without a trailing slash); compared, ordered and hashed case-insensitively,
/// as ARM compares ids.
#[derive(Debug, Clone)]
pub struct ArmId {
    text: String,
    subscription: Guid,
    resource_group: String,
    namespace: String,
    /// Type segments after the namespace, e.g. `["storageAccounts"]`.
    types: Vec<String>,
    /// Name segments, one per type.
    names: Vec<String>,
}

impl ArmId {
    /// Parse an ARM resource id. The error says what is wrong, for [`crate::Problem::InvalidArmId`].
    pub fn parse(text: &str) -> Result<ArmId, String> {
        let trimmed = text.trim_end_matches('/');
        let Some(rest) = trimmed.strip_prefix('/') else {
            return Err("it must start with /subscriptions/".into());
        };
        let segments: Vec<&str> = rest.split('/').collect();
        if segments.iter().any(|s| s.is_empty()) {
            return Err("it has an empty segment (`//`)".into());
        }
        if segments.iter().any(|s| s.chars().any(char::is_whitespace)) {
            return Err("it contains whitespace".into());
        }
        let expect = |i: usize, word: &str| -> Result<(), String> {
            match segments.get(i) {
                Some(s) if s.eq_ignore_ascii_case(word) => Ok(()),
                Some(s) => Err(format!("segment {} is \"{s}\" where \"{word}\" belongs", i + 1)),
                None => Err(format!("it ends before \"{word}\"")),
            }
        };
        expect(0, "subscriptions")?;
        let subscription = segments
            .get(1)
            .ok_or_else(|| "it ends before the subscription id".to_string())
            .and_then(|s| {
                Guid::parse(s).ok_or_else(|| format!("the subscription \"{s}\" is not a GUID"))
            })?;
        expect(2, "resourceGroups")?;
        let resource_group =
            segments.get(3).ok_or_else(|| "it ends before the resource group name".to_string())?;
        expect(4, "providers")?;
        let namespace =
            segments.get(5).ok_or_else(|| "it ends before the provider namespace".to_string())?;
        let pairs = &segments[6.min(segments.len())..];
        if pairs.is_empty() {
            return Err("it names a provider but no resource type and name".into());
        }
        if !pairs.len().is_multiple_of(2) {
            return Err("the resource type has no name after it".into());
        }
        let types = pairs.iter().step_by(2).map(|s| s.to_string()).collect();
        let names = pairs.iter().skip(1).step_by(2).map(|s| s.to_string()).collect();
        Ok(ArmId {
            text: trimmed.to_string(),
            subscription,
            resource_group: resource_group.to_string(),
            namespace: namespace.to_string(),
            types,
            names,
        })
    }

    /// The id as written, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.text
    }
    /// The subscription.
    pub fn subscription(&self) -> &Guid {
        &self.subscription
    }
    /// The resource group name.
    pub fn resource_group(&self) -> &str {
        &self.resource_group
    }
    /// The resource's own (last) name.
    pub fn name(&self) -> &str {
        self.names.last().map(String::as_str).unwrap_or_default()
    }
    /// The full type, `Namespace/type[/child]`, as written.
    pub fn arm_type(&self) -> String {
        let mut out = self.namespace.clone();
        for t in &self.types {
            out.push('/');
            out.push_str(t);
        }
        out
    }
    /// The known resource type, when the id is of a top-level type hubctl knows.
    pub fn resource_type(&self) -> Option<ResourceType> {
        match self.types.as_slice() {
            [one] => ResourceType::from_arm_type(&self.namespace, one),
            _ => None,
        }
    }
    fn key(&self) -> String {
        self.text.to_ascii_lowercase()
    }
}

impl PartialEq for ArmId {
    fn eq(&self, other: &Self) -> bool {
        self.text.eq_ignore_ascii_case(&other.text)
    }
}
impl Eq for ArmId {}
impl Hash for ArmId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}
impl PartialOrd for ArmId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for ArmId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}
impl fmt::Display for ArmId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
impl Serialize for ArmId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

/// Names the service checks with `^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$`: workspaces (hubs and
/// projects), outbound rules and connections.
/// Source: Azure/azure-rest-api-specs `specification/machinelearningservices/…/stable/2025-12-01/workspaceRP.json`
/// (parameters `WorkspaceNameParameter`, `RuleName`, `ConnectionName`).
pub const NAME_RULE: &str = "3 to 33 characters, letters, digits, '-' and '_', starting with a letter or digit (^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$)";

/// True when `name` matches the service's workspace/rule/connection name pattern.
pub fn is_service_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=33).contains(&bytes.len())
        && bytes[0].is_ascii_alphanumeric()
        && bytes[1..].iter().all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
}

/// Names the Cognitive Services provider checks with `^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`, 2 to 64
/// characters: accounts and their projects.
/// Source: Azure/azure-rest-api-specs `specification/cognitiveservices/…/stable/2025-06-01/cognitiveservices.json`
/// (parameters `accountNameParameter`, `projectNameParameter`).
pub const ACCOUNT_NAME_RULE: &str = "2 to 64 characters, letters, digits, '-', '_' and '.', starting with a letter or digit (^[a-zA-Z0-9][a-zA-Z0-9_.-]*$)";

/// True when `name` matches the Cognitive Services account/project name pattern.
pub fn is_account_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (2..=64).contains(&bytes.len())
        && bytes[0].is_ascii_alphanumeric()
        && bytes[1..].iter().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(b))
}

/// The rule hubctl holds a custom subdomain to: a DNS label the service serves at
/// `{name}.cognitiveservices.azure.com` (Learn "custom subdomain names"; lower case, as DNS
/// shows it, so one name is never written two ways).
pub const SUBDOMAIN_RULE: &str = "2 to 64 characters, lower-case letters, digits and '-', starting and ending with a letter or digit";

/// True when `name` is a valid custom subdomain name.
pub fn is_subdomain(name: &str) -> bool {
    let bytes = name.as_bytes();
    (2..=64).contains(&bytes.len())
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// The rule for resource group names.
/// Source: Azure/azure-docs `articles/azure-resource-manager/management/resource-name-rules.md`
/// (Microsoft.Resources/resourcegroups: 1-90, underscores, hyphens, periods, parentheses,
/// letters or digits; can't end with a period).
pub const RESOURCE_GROUP_RULE: &str =
    "1 to 90 characters: letters, digits, '_', '-', '.', '(' and ')', not ending with '.'";

/// True when `name` is a valid resource group name.
pub fn is_resource_group_name(name: &str) -> bool {
    let count = name.chars().count();
    (1..=90).contains(&count)
        && !name.ends_with('.')
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '(' | ')'))
}

/// The short region name we would suggest for `text` ("East US 2" → "eastus2").
pub fn region_hint(text: &str) -> String {
    let hint: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if hint.is_empty() { "eastus2".to_string() } else { hint }
}

/// True when `text` is a short region name: lower-case letters and digits, starting with a letter.
pub fn is_region(text: &str) -> bool {
    let bytes = text.as_bytes();
    (2..=40).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// The DNS suffixes of Key Vault in the Azure clouds.
/// Source: MicrosoftDocs/azure-docs `articles/key-vault/general/about-keys-secrets-certificates.md`
/// (DNS suffixes for object identifiers).
const KEY_VAULT_SUFFIXES: [&str; 4] =
    [".vault.azure.net", ".vault.azure.cn", ".vault.usgovcloudapi.net", ".vault.microsoftazure.de"];

/// A versioned Key Vault key URI: `https://{vault}.vault.azure.net/keys/{name}/{version}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct KeyUri {
    text: String,
    #[serde(skip)]
    vault: String,
    #[serde(skip)]
    key: String,
    #[serde(skip)]
    version: String,
}

impl KeyUri {
    /// Parse a versioned key URI; the error is the reason, for [`crate::Problem::InvalidKeyUri`].
    pub fn parse(text: &str) -> Result<KeyUri, &'static str> {
        let rest = text.strip_prefix("https://").ok_or("it must start with https://")?;
        let (host, path) = rest.split_once('/').ok_or("it has no /keys/ path")?;
        let host_lower = host.to_ascii_lowercase();
        let vault =
            KEY_VAULT_SUFFIXES.iter().find_map(|suffix| host_lower.strip_suffix(suffix)).ok_or(
                "the host is not a Key Vault host (<vault>.vault.azure.net or another cloud's)",
            )?;
        if vault.is_empty() || vault.contains('.') {
            return Err("the host does not name one vault");
        }
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        match segments.as_slice() {
            ["keys", key, version] if !key.is_empty() => {
                if version.len() != 32 || !version.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err("the version is not 32 hex digits");
                }
                Ok(KeyUri {
                    text: text.trim_end_matches('/').to_string(),
                    vault: vault.to_string(),
                    key: key.to_string(),
                    version: version.to_string(),
                })
            }
            ["keys", _] | ["keys", _, ""] => {
                Err("it has no key version (rotation needs a versioned key)")
            }
            _ => Err("the path is not /keys/<key>/<version>"),
        }
    }
    /// The URI as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
    /// The vault name (first label of the host), lower case.
    pub fn vault(&self) -> &str {
        &self.vault
    }
    /// The key name.
    pub fn key(&self) -> &str {
        &self.key
    }
    /// The key version.
    pub fn version(&self) -> &str {
        &self.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_parsing() {
        assert!(Guid::parse("7d2f6a0e-0000-0000-0000-000000000010").is_some());
        assert_eq!(
            Guid::parse("7D2F6A0E-0000-0000-0000-00000000001A").map(|g| g.to_string()),
            Some("7d2f6a0e-0000-0000-0000-00000000001a".into())
        );
        assert!(Guid::parse("7d2f6a0e00000000000000000000000010").is_none());
        assert!(Guid::parse("7d2f6a0e-0000-0000-0000-00000000001g").is_none());
        assert!(Guid::parse("").is_none());
    }

    #[test]
    fn arm_ids_compare_case_insensitively_and_ignore_trailing_slash() {
        let a = ArmId::parse("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa").unwrap();
        let b = ArmId::parse("/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000001/resourcegroups/RG/providers/microsoft.storage/storageaccounts/SA/").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.resource_type(), Some(ResourceType::StorageAccount));
        assert_eq!(b.resource_type(), Some(ResourceType::StorageAccount));
        assert_eq!(a.name(), "sa");
        assert_eq!(a.resource_group(), "rg");
    }

    #[test]
    fn arm_id_errors_say_what_is_wrong() {
        assert!(ArmId::parse("subscriptions/x").unwrap_err().contains("start with"));
        assert!(
            ArmId::parse("/subscriptions/nope/resourceGroups/rg/providers/A/b/c")
                .unwrap_err()
                .contains("not a GUID")
        );
        assert!(ArmId::parse("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/A/b").unwrap_err().contains("no name"));
        assert!(
            ArmId::parse("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg")
                .unwrap_err()
                .contains("providers")
        );
        assert!(
            ArmId::parse("/subscriptions/00000000-0000-0000-0000-000000000001//x")
                .unwrap_err()
                .contains("empty")
        );
    }

    #[test]
    fn child_resource_ids_have_no_known_type() {
        let id = ArmId::parse("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/keys/k").unwrap();
        assert_eq!(id.resource_type(), None);
        assert_eq!(id.arm_type(), "Microsoft.KeyVault/vaults/keys");
    }

    #[test]
    fn service_names() {
        assert!(is_service_name("contoso-hub"));
        assert!(is_service_name("abc"));
        assert!(!is_service_name("ab"));
        assert!(!is_service_name("-abc"));
        assert!(!is_service_name("a.bc"));
        assert!(is_service_name(&"a".repeat(33)));
        assert!(!is_service_name(&"a".repeat(34)));
        assert!(is_account_name("contoso.foundry_1") && is_account_name("ab"));
        assert!(
            !is_account_name("a") && !is_account_name(".ab") && !is_account_name(&"a".repeat(65))
        );
        assert!(
            is_subdomain("contoso-foundry") && !is_subdomain("Contoso") && !is_subdomain("-ab")
        );
    }

    #[test]
    fn key_uris() {
        let uri = KeyUri::parse(
            "https://contoso-cmk.vault.azure.net/keys/hub-key/0123456789abcdef0123456789abcdef",
        )
        .unwrap();
        assert_eq!(uri.vault(), "contoso-cmk");
        assert_eq!(uri.key(), "hub-key");
        assert_eq!(
            KeyUri::parse("https://contoso-cmk.vault.azure.net/keys/hub-key").unwrap_err(),
            "it has no key version (rotation needs a versioned key)"
        );
        assert!(
            KeyUri::parse(
                "http://contoso-cmk.vault.azure.net/keys/k/0123456789abcdef0123456789abcdef"
            )
            .is_err()
        );
        assert!(
            KeyUri::parse("https://example.com/keys/k/0123456789abcdef0123456789abcdef").is_err()
        );
        assert!(
            KeyUri::parse("https://kv.vault.azure.cn/keys/k/0123456789abcdef0123456789abcdef")
                .is_ok()
        );
    }

    #[test]
    fn regions() {
        assert!(is_region("eastus2"));
        assert!(!is_region("East US 2"));
        assert_eq!(region_hint("East US 2"), "eastus2");
    }
}
