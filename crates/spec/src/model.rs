//! The typed manifest: what a platform engineer declared, once every check has passed.
//!
//! The types follow the manifest (CONTRACT §1), not ARM: the mapping to ARM properties lives
//! with the planner and in docs/arm-mapping.md. Wrong states cannot be built: customer-managed
//! encryption carries its vault and key, user-assigned identity carries its primary, firewall SKU
//! and FQDN or service-tag rules exist only under approved outbound, and internet outbound holds
//! only private-endpoint rules.
//!
//! `Serialize` gives the canonical form used for the applied-manifest digest; source positions
//! are not part of it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ids::{ArmId, Guid, KeyUri};
use crate::source::{Location, Pos};

/// Every hub and Foundry resource the given manifests declare, each list sorted by
/// subscription, resource group and name.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Desired {
    /// The hubs (`kind: Hub`).
    pub hubs: Vec<Hub>,
    /// The Foundry resources (`kind: Foundry`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub foundries: Vec<Foundry>,
}

/// One hub manifest (`kind: Hub`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Hub {
    /// Where the manifest document starts.
    #[serde(skip)]
    pub source: Location,
    /// Positions of the fields as written, by field path (`spec.network.isolation`), so later
    /// stages can point at the line that asked for a refused change.
    #[serde(skip)]
    pub positions: BTreeMap<String, Pos>,
    /// Identity and placement of the hub.
    pub metadata: Metadata,
    /// What the hub should be.
    pub spec: HubSpec,
}

impl Hub {
    /// The location of a field of this manifest; the document start when it was not written.
    pub fn location_of(&self, path: &str) -> Location {
        match self.positions.get(path) {
            Some(pos) => Location::new(&self.source.file, *pos),
            None => self.source.clone(),
        }
    }
    /// The ARM id this hub will have.
    pub fn arm_id(&self) -> String {
        workspace_id(
            &self.metadata.subscription,
            &self.metadata.resource_group,
            &self.metadata.name,
        )
    }
}

/// The ARM id of a workspace (hub or project) in a resource group.
pub fn workspace_id(subscription: &Guid, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.MachineLearningServices/workspaces/{name}"
    )
}

/// `metadata`: where the hub lives.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// The ARM workspace name.
    pub name: String,
    /// The subscription.
    pub subscription: Guid,
    /// The resource group.
    pub resource_group: String,
    /// The Azure region, short form (`eastus2`).
    pub location: String,
    /// Tags on the hub (hubctl adds its own ownership and digest tags on apply).
    pub tags: BTreeMap<String, String>,
}

/// `spec`: the hub's settings.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HubSpec {
    /// ARM `friendlyName`; `None` leaves it unmanaged.
    pub display_name: Option<String>,
    /// ARM `description`; `None` leaves it unmanaged.
    pub description: Option<String>,
    /// The hub's storage account (fixed at creation).
    pub storage_account: ArmId,
    /// Where connection secrets live (fixed at creation).
    pub credential_store: CredentialStore,
    /// Application Insights, once set it can change but not be removed.
    pub application_insights: Option<ArmId>,
    /// Container registry, once set it can change but not be removed.
    pub container_registry: Option<ArmId>,
    /// ARM `imageBuildCompute`: the compute that builds environment images (a name); `None`
    /// leaves it unmanaged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_build_compute: Option<String>,
    /// The hub's managed identity.
    pub identity: Identity,
    /// How the hub reaches its storage.
    pub storage_access: StorageAccess,
    /// Encryption at rest (fixed at creation, the key can rotate in its vault).
    pub encryption: Encryption,
    /// ARM `hbiWorkspace` (fixed at creation).
    pub high_business_impact: bool,
    /// Network settings.
    pub network: Network,
    /// Hub-level connections shared with projects.
    pub connections: Vec<Connection>,
    /// Role assignments at the hub's scope.
    pub access: Access,
    /// Projects under the hub.
    pub projects: Vec<Project>,
}

/// Where the hub keeps connection secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type", content = "keyVault")]
pub enum CredentialStore {
    /// The Microsoft-managed store (no `keyVault` on the hub).
    MicrosoftManaged,
    /// The customer's own key vault.
    KeyVault(ArmId),
}

/// The hub's managed identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Identity {
    /// A system-assigned identity only.
    SystemAssigned,
    /// User-assigned identities only.
    UserAssigned(UserAssigned),
    /// Both.
    #[serde(rename = "systemAssigned,userAssigned")]
    SystemAndUserAssigned(UserAssigned),
}

impl Identity {
    /// The user-assigned part, if any.
    pub fn user_assigned(&self) -> Option<&UserAssigned> {
        match self {
            Identity::SystemAssigned => None,
            Identity::UserAssigned(u) | Identity::SystemAndUserAssigned(u) => Some(u),
        }
    }
}

/// User-assigned identities with the primary one, which is always among them when named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserAssigned {
    /// The identities, at least one, no duplicates.
    pub identities: Vec<ArmId>,
    /// ARM `primaryUserAssignedIdentity`: required with `userAssigned` alone; with
    /// `systemAssigned,userAssigned` it may be left out (the system identity is then the
    /// hub's own, and a user-assigned one may be there only for a customer-managed key).
    pub primary: Option<ArmId>,
}

/// How the hub authenticates to its storage (ARM `systemDatastoresAuthMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum StorageAccess {
    /// Entra identity (`Identity`).
    Identity,
    /// Account keys (`AccessKey`), the service default.
    Credential,
}

/// Encryption at rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Encryption {
    /// Microsoft-managed keys.
    MicrosoftManaged,
    /// A customer-managed key.
    CustomerManaged(Box<CustomerManagedKey>),
}

/// A customer-managed key: its vault, the versioned key, and the identity that reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerManagedKey {
    /// The key vault (fixed at creation).
    pub key_vault: ArmId,
    /// The versioned key; its host names `key_vault`.
    pub key_uri: KeyUri,
    /// A user-assigned identity of the hub; `None`: the system identity.
    pub identity: Option<ArmId>,
}

/// `spec.network`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Network {
    /// ARM `publicNetworkAccess`.
    pub public_network_access: PublicNetworkAccess,
    /// The managed network's isolation mode with what only that mode can carry.
    pub isolation: Isolation,
    /// ARM `managedNetwork.enableNetworkMonitor` (private isolation only); `None` leaves it
    /// unmanaged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_monitor: Option<bool>,
    /// ARM `sharedPrivateLinkResources`: set when the hub is created, fixed after; `None`
    /// leaves them unmanaged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_private_links: Option<Vec<SharedPrivateLink>>,
}

/// One shared private link (ARM `sharedPrivateLinkResources[]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedPrivateLink {
    /// Its name.
    pub name: String,
    /// ARM `privateLinkResourceId`: the target's private link resource
    /// (`…/databaseAccounts/{name}/privateLinkResources/Sql`).
    pub resource: ArmId,
    /// ARM `groupId` (e.g. `Sql`).
    pub group_id: String,
    /// ARM `requestMessage`, shown to the target's owner who approves the link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_message: Option<String>,
}

/// ARM `publicNetworkAccess`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PublicNetworkAccess {
    /// Reachable from public networks.
    Enabled,
    /// Only through private endpoints.
    Disabled,
}

/// The managed network: ARM `managedNetwork.isolationMode` with its rules and firewall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "mode")]
pub enum Isolation {
    /// No managed network (ARM `Disabled`).
    Public,
    /// Managed network, internet outbound allowed (ARM `AllowInternetOutbound`): the service
    /// takes only private-endpoint rules here.
    PrivateWithInternetOutbound {
        /// User-defined private-endpoint rules.
        rules: Vec<Named<PrivateEndpoint>>,
    },
    /// Managed network, only approved outbound (ARM `AllowOnlyApprovedOutbound`).
    PrivateWithApprovedOutbound {
        /// The Azure Firewall SKU used for FQDN rules.
        firewall_sku: FirewallSku,
        /// User-defined rules of any kind.
        rules: Vec<Named<Destination>>,
    },
}

impl Isolation {
    /// All user-defined rules, whatever the mode.
    pub fn rules(&self) -> Vec<Named<Destination>> {
        match self {
            Isolation::Public => Vec::new(),
            Isolation::PrivateWithInternetOutbound { rules } => rules
                .iter()
                .map(|r| Named {
                    name: r.name.clone(),
                    item: Destination::PrivateEndpoint(r.item.clone()),
                })
                .collect(),
            Isolation::PrivateWithApprovedOutbound { rules, .. } => rules.clone(),
        }
    }
}

/// Something with a service name (an outbound rule).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named<T> {
    /// The rule name.
    pub name: String,
    /// What it holds.
    #[serde(flatten)]
    pub item: T,
}

/// Azure Firewall SKU of an approved-outbound managed network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FirewallSku {
    /// The default.
    Standard,
    /// Cheaper, fewer features.
    Basic,
}

/// Where an outbound rule lets traffic go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Destination {
    /// A host name, optionally `*.` wildcard; ports 80 and 443.
    Fqdn(String),
    /// A private endpoint to an Azure resource.
    PrivateEndpoint(PrivateEndpoint),
    /// An Azure service tag.
    ServiceTag(ServiceTag),
}

/// A private-endpoint rule's target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateEndpoint {
    /// The target resource.
    pub resource: ArmId,
    /// Its private-link group id (`blob`, `vault`, `account`, …).
    pub subresource: String,
    /// Whether Spark jobs may use the endpoint.
    pub spark_enabled: bool,
}

/// A service-tag rule's target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceTag {
    /// The service tag, e.g. `DataFactory`.
    pub tag: String,
    /// The protocol.
    pub protocol: Protocol,
    /// Ports and ranges as ARM writes them (`"443"`, `"80, 8080-8089"`, `"*"`).
    pub ports: String,
}

/// Protocol of a service-tag rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Protocol {
    /// TCP.
    #[serde(rename = "TCP")]
    Tcp,
    /// UDP.
    #[serde(rename = "UDP")]
    Udp,
    /// ICMP.
    #[serde(rename = "ICMP")]
    Icmp,
    /// Any protocol.
    #[serde(rename = "*")]
    Any,
}

/// A hub-level connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// The connection name.
    pub name: String,
    /// What it connects to.
    pub category: ConnectionCategory,
    /// The target resource (its type matches the category).
    pub resource: ArmId,
    /// How the hub authenticates.
    pub auth: ConnectionAuth,
    /// The blob container (storage connections only, where it is required: the service's
    /// blob connections name an account and a container).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
}

/// The kind of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionCategory {
    /// An AI Services account.
    AiServices,
    /// An AI Search service.
    AiSearch,
    /// An Azure OpenAI account.
    AzureOpenAi,
    /// A storage account.
    Storage,
    /// A Cosmos DB account (agents' thread storage).
    CosmosDb,
}

impl ConnectionCategory {
    /// The resource type a connection of this category points at.
    pub const fn resource_type(self) -> crate::ids::ResourceType {
        use crate::ids::ResourceType;
        match self {
            ConnectionCategory::AiServices | ConnectionCategory::AzureOpenAi => {
                ResourceType::CognitiveServicesAccount
            }
            ConnectionCategory::AiSearch => ResourceType::SearchService,
            ConnectionCategory::Storage => ResourceType::StorageAccount,
            ConnectionCategory::CosmosDb => ResourceType::CosmosDbAccount,
        }
    }
}

/// How a connection authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionAuth {
    /// Entra ID (no secret stored).
    EntraId,
    /// An API key, fetched from the target at apply time, never written in a manifest.
    ApiKey,
}

/// Role assignments at one scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Access {
    /// Remove assignments at exactly this scope that no manifest declares.
    pub exclusive: bool,
    /// The assignments.
    pub assignments: Vec<Assignment>,
}

/// Who an assignment is for.
///
/// Serialised as what it means (the applied-manifest digest is made from it): the object id
/// once known — so a principal written by name or by id is the same applied manifest — and the
/// name until it is resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// An Entra object id, as written.
    Id(Guid),
    /// A name for Microsoft Graph to resolve; `id` once it is resolved (hubctl-apply's
    /// `read::resolve_principals`, before planning).
    Named {
        /// The name.
        name: PrincipalName,
        /// Its object id, once resolved.
        id: Option<Guid>,
    },
}

impl Principal {
    /// As written in the manifest.
    pub fn text(&self) -> String {
        match self {
            Principal::Id(guid) => guid.to_string(),
            Principal::Named { name, .. } => name.text(),
        }
    }
    /// The object id: as written, or as resolved; `None` for a name not resolved yet.
    pub fn id(&self) -> Option<&Guid> {
        match self {
            Principal::Id(guid) => Some(guid),
            Principal::Named { id, .. } => id.as_ref(),
        }
    }
    /// The name, when the manifest gives one.
    pub fn name(&self) -> Option<&PrincipalName> {
        match self {
            Principal::Id(_) => None,
            Principal::Named { name, .. } => Some(name),
        }
    }
}

impl Serialize for Principal {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.id() {
            Some(id) => serializer.serialize_str(id.as_str()),
            None => serializer.serialize_str(&self.text()),
        }
    }
}

/// A principal by name, as Microsoft Graph finds it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrincipalName {
    /// `user:<userPrincipalName>` (`GET /users/{upn}`).
    User(String),
    /// `group:<display name>` (`GET /groups?$filter=displayName eq '…'`).
    Group(String),
    /// `app:<display name or appId>` — a service principal (`GET /servicePrincipals?$filter=…`).
    App(String),
}

impl PrincipalName {
    /// The prefixes a manifest writes.
    pub const PREFIXES: [&'static str; 3] = ["user:", "group:", "app:"];
    /// Parse `user:…`, `group:…` or `app:…` (the name trimmed; `None` for anything else, or an
    /// empty name).
    pub fn parse(text: &str) -> Option<PrincipalName> {
        let (kind, rest) = text.split_once(':')?;
        let rest = rest.trim().to_string();
        if rest.is_empty() {
            return None;
        }
        match kind {
            "user" => Some(PrincipalName::User(rest)),
            "group" => Some(PrincipalName::Group(rest)),
            "app" => Some(PrincipalName::App(rest)),
            _ => None,
        }
    }
    /// As written: `group:Data Scientists`.
    pub fn text(&self) -> String {
        format!("{}:{}", self.prefix(), self.name())
    }
    /// The prefix without its colon: `user`, `group` or `app`.
    pub fn prefix(&self) -> &'static str {
        match self {
            PrincipalName::User(_) => "user",
            PrincipalName::Group(_) => "group",
            PrincipalName::App(_) => "app",
        }
    }
    /// The name without its prefix.
    pub fn name(&self) -> &str {
        match self {
            PrincipalName::User(n) | PrincipalName::Group(n) | PrincipalName::App(n) => n,
        }
    }
    /// The kind of principal the prefix names.
    pub fn kind(&self) -> PrincipalType {
        match self {
            PrincipalName::User(_) => PrincipalType::User,
            PrincipalName::Group(_) => PrincipalType::Group,
            PrincipalName::App(_) => PrincipalType::ServicePrincipal,
        }
    }
}

/// One role assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    /// Who: an Entra object id, or a name Microsoft Graph resolves.
    pub principal: Principal,
    /// What kind of principal (for a name, the kind its prefix says).
    pub principal_type: PrincipalType,
    /// The role.
    pub role: RoleRef,
    /// An ABAC condition narrowing the grant (`None`: unconditional).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    /// ARM `description`: why the grant exists. `None` leaves a live description as it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A role assignment's ABAC condition (ARM `condition` and `conditionVersion`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// The expression, as ARM keeps it.
    pub expression: String,
    /// The language version: "2.0".
    pub version: String,
}

/// ARM `principalType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PrincipalType {
    /// A user.
    User,
    /// A group.
    Group,
    /// A service principal (including managed identities).
    ServicePrincipal,
}

/// A role, by definition GUID or by name (built-in or custom).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RoleRef {
    /// A role definition GUID.
    Id(Guid),
    /// A role name, resolved by the planner.
    Name(String),
}

impl PrincipalType {
    /// As the manifest writes it (`servicePrincipal`).
    pub fn word(self) -> &'static str {
        crate::sections::word(self)
    }
}

impl RoleRef {
    /// The role as written, for messages.
    pub fn text(&self) -> &str {
        match self {
            RoleRef::Id(g) => g.as_str(),
            RoleRef::Name(n) => n,
        }
    }
}

/// A project under the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    /// The project's workspace name (same resource group as the hub).
    pub name: String,
    /// ARM `friendlyName`; `None` leaves it unmanaged.
    pub display_name: Option<String>,
    /// ARM `description`; `None` leaves it unmanaged.
    pub description: Option<String>,
    /// Role assignments at the project's scope.
    pub access: Access,
}

// ---- kind: Foundry ----

/// One Foundry resource manifest (`kind: Foundry`): a `Microsoft.CognitiveServices/accounts`
/// of kind `AIServices` with project management on, and its projects.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Foundry {
    /// Where the manifest document starts.
    #[serde(skip)]
    pub source: Location,
    /// Positions of the fields as written, by field path.
    #[serde(skip)]
    pub positions: BTreeMap<String, Pos>,
    /// Identity and placement of the account (as for a hub).
    pub metadata: Metadata,
    /// What the account should be.
    pub spec: FoundrySpec,
}

impl Foundry {
    /// The location of a field of this manifest; the document start when it was not written.
    pub fn location_of(&self, path: &str) -> Location {
        match self.positions.get(path) {
            Some(pos) => Location::new(&self.source.file, *pos),
            None => self.source.clone(),
        }
    }
    /// The ARM id this account will have.
    pub fn arm_id(&self) -> String {
        account_id(&self.metadata.subscription, &self.metadata.resource_group, &self.metadata.name)
    }
}

/// The ARM id of a Cognitive Services account in a resource group.
pub fn account_id(subscription: &Guid, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.CognitiveServices/accounts/{name}"
    )
}

/// `spec` of a Foundry resource.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundrySpec {
    /// ARM `customSubDomainName`: globally unique, fixed once set.
    pub custom_sub_domain_name: String,
    /// ARM `sku.name` (`S0`).
    pub sku: String,
    /// The account's managed identity (no primary: accounts have none).
    pub identity: Identity,
    /// ARM `disableLocalAuth` (keys) in the manifest's words.
    pub local_auth: LocalAuth,
    /// Network access.
    pub network: FoundryNetwork,
    /// Encryption at rest.
    pub encryption: FoundryEncryption,
    /// Account-level connections.
    pub connections: Vec<Connection>,
    /// Role assignments at the account's scope.
    pub access: Access,
    /// Projects (`accounts/projects`).
    pub projects: Vec<FoundryProject>,
    /// Custom content filters (RAI policies).
    pub content_filters: Vec<ContentFilter>,
    /// Model deployments.
    pub deployments: Vec<Deployment>,
    /// The account's agents capability host; `None`: none managed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agents: Option<Agents>,
}

/// An agents capability host (`accounts/capabilityHosts` or `accounts/projects/capabilityHosts`):
/// where a project's agents keep files, vectors and threads, by connection names of its own
/// scope. Fixed once created (the service has no update).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Agents {
    /// The host's name (default `agents`).
    pub name: String,
    /// ARM `storageConnections`.
    pub storage: Vec<String>,
    /// ARM `vectorStoreConnections`.
    pub vector_store: Vec<String>,
    /// ARM `threadStorageConnections`.
    pub thread_storage: Vec<String>,
    /// ARM `aiServicesConnections`.
    pub ai_services: Vec<String>,
    /// ARM `customerSubnet` (account host only): the subnet agents run in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet: Option<ArmId>,
}

/// A model deployment (`accounts/deployments`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    /// The deployment's name.
    pub name: String,
    /// Which model.
    pub model: Model,
    /// How it is served and how much of it.
    pub sku: DeploymentSku,
    /// ARM `versionUpgradeOption`.
    pub version_upgrade: VersionUpgrade,
    /// ARM `raiPolicyName`: a content filter of this manifest or a system one
    /// (`Microsoft.Default`, `Microsoft.DefaultV2`); `None` leaves it unmanaged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_filter: Option<String>,
    /// What a model name or format change does: refused (default), or the deployment is
    /// deleted and created again (traffic stops in between).
    pub on_model_change: OnModelChange,
}

/// ARM `properties.model`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Model {
    /// `OpenAI`, … (default `OpenAI`).
    pub format: String,
    /// `gpt-4o`, …
    pub name: String,
    /// A pinned version; `None`: the service's default, and an auto-upgrade is never drift.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// ARM `sku` of a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentSku {
    /// `Standard`, `GlobalStandard`, `ProvisionedManaged`, …
    pub name: String,
    /// Capacity units (thousands of tokens per minute for Standard SKUs).
    pub capacity: u32,
}

/// ARM `versionUpgradeOption`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum VersionUpgrade {
    /// `OnceNewDefaultVersionAvailable` (the service's default).
    OnceNewDefaultVersionAvailable,
    /// `OnceCurrentVersionExpired`.
    OnceCurrentVersionExpired,
    /// `NoAutoUpgrade`.
    NoAutoUpgrade,
}

/// What a model name or format change of a live deployment does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum OnModelChange {
    /// Refused, with the remedy (a new deployment name).
    Refuse,
    /// Deleted, then created with the new model: traffic stops in between.
    Replace,
}

/// A custom content filter (an RAI policy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContentFilter {
    /// The policy's name.
    pub name: String,
    /// ARM `basePolicyName` (default `Microsoft.DefaultV2`).
    pub base_policy: String,
    /// ARM `contentFilters`.
    pub filters: Vec<Filter>,
}

/// One filter of a content filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    /// What it filters.
    pub category: FilterCategory,
    /// On the prompt or the completion.
    pub source: FilterSource,
    /// From what severity it acts (severity categories only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// Whether it blocks (or only annotates).
    pub blocking: bool,
    /// Whether it is on.
    pub enabled: bool,
}

/// A filter's category (ARM `contentFilters[].name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FilterCategory {
    /// `Hate`.
    Hate,
    /// `Sexual`.
    Sexual,
    /// `Violence`.
    Violence,
    /// `Selfharm`.
    Selfharm,
    /// `Jailbreak`.
    Jailbreak,
    /// `Indirect Attack`.
    IndirectAttack,
    /// `Protected Material Text`.
    ProtectedMaterialText,
    /// `Protected Material Code`.
    ProtectedMaterialCode,
    /// `Profanity`.
    Profanity,
}

impl FilterCategory {
    /// ARM's name.
    pub fn arm(self) -> &'static str {
        match self {
            FilterCategory::Hate => "Hate",
            FilterCategory::Sexual => "Sexual",
            FilterCategory::Violence => "Violence",
            FilterCategory::Selfharm => "Selfharm",
            FilterCategory::Jailbreak => "Jailbreak",
            FilterCategory::IndirectAttack => "Indirect Attack",
            FilterCategory::ProtectedMaterialText => "Protected Material Text",
            FilterCategory::ProtectedMaterialCode => "Protected Material Code",
            FilterCategory::Profanity => "Profanity",
        }
    }
    /// Whether the category acts from a severity.
    pub fn has_severity(self) -> bool {
        matches!(
            self,
            FilterCategory::Hate
                | FilterCategory::Sexual
                | FilterCategory::Violence
                | FilterCategory::Selfharm
        )
    }
}

/// ARM `source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FilterSource {
    /// `Prompt`.
    Prompt,
    /// `Completion`.
    Completion,
}

/// ARM `severityThreshold`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    /// `Low`.
    Low,
    /// `Medium`.
    Medium,
    /// `High`.
    High,
}

/// The system content filters every account has (`type: SystemManaged`).
pub const SYSTEM_CONTENT_FILTERS: &[&str] = &["Microsoft.Default", "Microsoft.DefaultV2"];

/// Whether keys may be used to call the account (ARM `disableLocalAuth`, negated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LocalAuth {
    /// Keys work (ARM's default).
    Enabled,
    /// Entra ID only.
    Disabled,
}

/// `spec.network` of a Foundry resource (ARM `publicNetworkAccess`, `networkAcls`,
/// `networkInjections`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundryNetwork {
    /// ARM `publicNetworkAccess`.
    pub public_network_access: PublicNetworkAccess,
    /// ARM `networkAcls.defaultAction`.
    pub default_action: DefaultAction,
    /// ARM `networkAcls.bypass`; `None` leaves it unmanaged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bypass: Option<Bypass>,
    /// ARM `networkAcls.ipRules[].value`: addresses or CIDR ranges, as written.
    pub ip_rules: Vec<String>,
    /// ARM `networkAcls.virtualNetworkRules[].id`: subnets.
    pub virtual_network_rules: Vec<ArmId>,
    /// ARM `networkInjections` (scenario `agent`): the subnet agents run in; `None`: none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_subnet: Option<ArmId>,
}

impl Default for FoundryNetwork {
    fn default() -> FoundryNetwork {
        FoundryNetwork {
            public_network_access: PublicNetworkAccess::Enabled,
            default_action: DefaultAction::Allow,
            bypass: None,
            ip_rules: Vec::new(),
            virtual_network_rules: Vec::new(),
            agent_subnet: None,
        }
    }
}

/// ARM `networkAcls.defaultAction`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DefaultAction {
    /// Everything not denied is allowed (ARM's default).
    Allow,
    /// Only the rules' addresses and subnets (and trusted services with `bypass`).
    Deny,
}

/// ARM `networkAcls.bypass`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Bypass {
    /// Trusted Azure services pass the rules.
    AzureServices,
    /// Nothing bypasses them.
    None,
}

/// Encryption at rest of a Foundry resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum FoundryEncryption {
    /// Microsoft-managed keys (ARM: no `encryption`, or `keySource: Microsoft.CognitiveServices`).
    MicrosoftManaged,
    /// A customer-managed key (ARM `keySource: Microsoft.KeyVault`).
    CustomerManaged(Box<FoundryKey>),
}

/// A customer-managed key of a Foundry resource (ARM `encryption.keyVaultProperties`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundryKey {
    /// ARM `keyVaultUri` (`https://{vault}.vault.azure.net/`): fixed once set.
    pub key_vault_uri: String,
    /// ARM `keyName`: may change within the vault.
    pub key_name: String,
    /// ARM `keyVersion`: may change.
    pub key_version: String,
    /// The user-assigned identity that reads the key (hubctl sends its client id); `None`: the
    /// system-assigned identity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<ArmId>,
}

impl FoundryKey {
    /// The vault's name (the URI's first host label).
    pub fn vault_name(&self) -> &str {
        self.key_vault_uri
            .trim_start_matches("https://")
            .split(['.', '/'])
            .next()
            .unwrap_or_default()
    }
}

/// A project of a Foundry resource (`accounts/projects`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundryProject {
    /// The project's name.
    pub name: String,
    /// ARM `properties.displayName`; `None` leaves it unmanaged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// ARM `properties.description`; `None` leaves it unmanaged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The project's managed identity (default system-assigned).
    pub identity: Identity,
    /// Project-level connections.
    pub connections: Vec<Connection>,
    /// Role assignments at the project's scope.
    pub access: Access,
    /// The project's agents capability host; `None`: none managed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agents: Option<Agents>,
}
