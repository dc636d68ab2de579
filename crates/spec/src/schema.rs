//! The manifest's JSON Schema, for editors (completion, hover docs) and for pipelines that
//! want to check manifests without hubctl.
//!
//! The types here describe the manifest's *shape* only — they are never deserialized into; the
//! loader reads manifests through `crate::sections` (one module per manifest section), which also checks what a schema cannot
//! say well (ids of the right type, cross-field rules, duplicates). A test keeps the property
//! lists here equal to the loader's field lists, and another keeps `schemas/hub.schema.json`
//! equal to what this module generates.

#![allow(dead_code)] // the fields exist to be described, never read

use std::collections::BTreeMap;

use schemars::JsonSchema;

/// Pattern of workspace, outbound-rule and connection names (see [`crate::ids::NAME_RULE`]).
const NAME: &str = r"^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$";
const GUID: &str = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
const PRINCIPAL: &str = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|(user|group|app):\s*\S.*)$";
const ARM_ID: &str = r"^/(?i:subscriptions)/[0-9a-fA-F-]{36}/(?i:resourceGroups)/[^/]+/(?i:providers)/[^/]+(/[^/]+/[^/]+)+/?$";
const REGION: &str = r"^[a-z][a-z0-9]+$";

/// Pattern of Cognitive Services account and project names (see [`crate::ids::ACCOUNT_NAME_RULE`]).
const ACCOUNT_NAME: &str = r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{1,63}$";

/// A hubctl manifest: a hub (`kind: Hub`) or a Foundry resource (`kind: Foundry`).
#[derive(JsonSchema)]
#[schemars(title = "hubctl manifest")]
#[serde(untagged)]
pub enum Manifest {
    /// A hub.
    Hub(HubManifest),
    /// A Foundry resource.
    Foundry(FoundryManifest),
}

/// A hubctl hub manifest: one Microsoft Foundry hub (ARM Microsoft.MachineLearningServices/workspaces, kind Hub) with its projects and access.
#[derive(JsonSchema)]
#[schemars(title = "hubctl hub manifest", deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct HubManifest {
    /// Always `hubctl/v1`.
    api_version: ApiVersion,
    /// Always `Hub`.
    kind: Kind,
    /// Where the hub lives.
    metadata: Metadata,
    /// What the hub should be.
    spec: Spec,
}

#[derive(JsonSchema)]
enum ApiVersion {
    #[serde(rename = "hubctl/v1")]
    V1,
}

#[derive(JsonSchema)]
enum Kind {
    Hub,
}

/// The hub's name and placement; all of it is fixed once the hub exists.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    /// ARM workspace name: 3 to 33 letters, digits, '-' or '_', starting with a letter or digit.
    #[schemars(pattern(NAME))]
    name: String,
    /// Subscription id (GUID).
    #[schemars(pattern(GUID))]
    subscription: String,
    /// Resource group name (the group must exist).
    #[schemars(length(min = 1, max = 90))]
    resource_group: String,
    /// Azure region, short form (eastus2, westeurope). Fixed at creation.
    #[schemars(pattern(REGION))]
    location: String,
    /// Tags on the hub. Names starting with `hubctl-` are reserved for hubctl.
    tags: Option<BTreeMap<String, String>>,
}

/// The hub's settings.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct Spec {
    /// Display name (ARM friendlyName). Omitted: not managed.
    display_name: Option<String>,
    /// Description. Omitted: not managed.
    description: Option<String>,
    /// ARM id of the hub's storage account (Microsoft.Storage/storageAccounts). Fixed at creation.
    #[schemars(pattern(ARM_ID))]
    storage_account: String,
    /// Where connection secrets live: `microsoftManaged` or `{keyVault: <Microsoft.KeyVault/vaults id>}`. Fixed at creation. Default: microsoftManaged.
    credential_store: Option<CredentialStore>,
    /// ARM id of an Application Insights component (Microsoft.Insights/components). Can change (lineage warning), cannot be removed once set.
    #[schemars(pattern(ARM_ID))]
    application_insights: Option<String>,
    /// ARM id of a container registry (Microsoft.ContainerRegistry/registries). Can change (lineage warning), cannot be removed once set.
    #[schemars(pattern(ARM_ID))]
    container_registry: Option<String>,
    /// Name of the compute that builds environment images (ARM imageBuildCompute). Left out: not managed.
    #[schemars(length(min = 1))]
    image_build_compute: Option<String>,
    /// The hub's managed identity. Default: systemAssigned.
    identity: Option<Identity>,
    /// How the hub reaches its storage (ARM systemDatastoresAuthMode). Default: credential.
    storage_access: Option<StorageAccess>,
    /// Encryption at rest. Fixed at creation, except the key, which can rotate within its vault.
    encryption: Option<Encryption>,
    /// ARM hbiWorkspace. Fixed at creation. Default: false.
    high_business_impact: Option<bool>,
    /// Network isolation and outbound rules.
    network: Option<Network>,
    /// Hub-level connections shared with its projects.
    connections: Option<Vec<Connection>>,
    /// Role assignments at the hub's scope.
    access: Option<Access>,
    /// Projects (workspaces of kind Project) under the hub, in the hub's resource group.
    projects: Option<Vec<Project>>,
}

#[derive(JsonSchema)]
#[serde(untagged)]
enum CredentialStore {
    MicrosoftManaged(MicrosoftManaged),
    KeyVault(KeyVaultStore),
}

#[derive(JsonSchema)]
enum MicrosoftManaged {
    /// The Microsoft-managed credential store.
    #[serde(rename = "microsoftManaged")]
    MicrosoftManaged,
}

/// The customer's own key vault as credential store.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct KeyVaultStore {
    /// ARM id of the key vault (Microsoft.KeyVault/vaults).
    #[schemars(pattern(ARM_ID))]
    key_vault: String,
}

/// The hub's managed identity.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct Identity {
    /// Identity type. SystemAssigned can gain userAssigned later but not lose it again.
    #[serde(rename = "type")]
    kind: Option<IdentityType>,
    /// ARM ids of user-assigned identities (Microsoft.ManagedIdentity/userAssignedIdentities).
    user_assigned: Option<Vec<String>>,
    /// The primary user-assigned identity, listed in userAssigned; required when the type is userAssigned alone, optional with systemAssigned,userAssigned.
    primary: Option<String>,
}

#[derive(JsonSchema)]
enum IdentityType {
    #[serde(rename = "systemAssigned")]
    SystemAssigned,
    #[serde(rename = "userAssigned")]
    UserAssigned,
    #[serde(rename = "systemAssigned,userAssigned")]
    Both,
}

#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
enum StorageAccess {
    /// Entra identity (ARM Identity).
    Identity,
    /// Account keys (ARM AccessKey).
    Credential,
}

/// Encryption at rest.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct Encryption {
    /// microsoftManaged or customerManaged. Fixed at creation. Default: microsoftManaged.
    #[serde(rename = "type")]
    kind: Option<EncryptionType>,
    /// customerManaged: ARM id of the key vault holding the key (fixed at creation).
    #[schemars(pattern(ARM_ID))]
    key_vault: Option<String>,
    /// customerManaged: versioned key URI in that vault, https://<vault>.vault.azure.net/keys/<key>/<version>. A new version or key in the same vault is an in-place update.
    #[schemars(pattern(r"^https://[^/]+/keys/[^/]+/[0-9a-fA-F]{32}/?$"))]
    key_uri: Option<String>,
    /// customerManaged: the user-assigned identity that reads the key (one of spec.identity.userAssigned). Omitted: the system identity.
    #[schemars(pattern(ARM_ID))]
    identity: Option<String>,
}

#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
enum EncryptionType {
    MicrosoftManaged,
    CustomerManaged,
}

/// Network isolation.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct Network {
    /// ARM publicNetworkAccess. Default: enabled.
    public_network_access: Option<PublicNetworkAccess>,
    /// Managed network isolation. Once private, it cannot go back to public. Default: public.
    isolation: Option<IsolationMode>,
    /// Azure Firewall SKU for FQDN rules; privateWithApprovedOutbound only. Default: standard.
    firewall_sku: Option<FirewallSku>,
    /// User-defined outbound rules; the service's own (Required) rules are never touched.
    outbound_rules: Option<Vec<OutboundRule>>,
    /// The managed network's network monitor (ARM enableNetworkMonitor); private isolation only. Left out: not managed.
    network_monitor: Option<bool>,
    /// Shared private links (ARM sharedPrivateLinkResources): set when the hub is created, fixed after. Left out: not managed.
    shared_private_links: Option<Vec<SharedPrivateLink>>,
}

/// A shared private link.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct SharedPrivateLink {
    /// Its name.
    #[schemars(pattern(NAME))]
    name: String,
    /// ARM id of the target's private link resource (ARM privateLinkResourceId).
    #[schemars(pattern(ARM_ID))]
    resource: String,
    /// ARM groupId, e.g. Sql.
    #[schemars(length(min = 1))]
    group_id: String,
    /// The message shown to whoever approves the link.
    request_message: Option<String>,
}

#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
enum PublicNetworkAccess {
    Enabled,
    Disabled,
}

#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
enum IsolationMode {
    Public,
    PrivateWithInternetOutbound,
    PrivateWithApprovedOutbound,
}

#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
enum FirewallSku {
    Standard,
    Basic,
}

/// An outbound rule: a name and exactly one of fqdn, privateEndpoint, serviceTag.
#[derive(JsonSchema)]
#[serde(untagged)]
enum OutboundRule {
    Fqdn(FqdnRule),
    PrivateEndpoint(PrivateEndpointRule),
    ServiceTag(ServiceTagRule),
}

/// An FQDN rule (privateWithApprovedOutbound only; ports 80 and 443).
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct FqdnRule {
    /// Rule name.
    #[schemars(pattern(NAME))]
    name: String,
    /// Host name, optionally with a leading `*.` wildcard; no scheme, path or port.
    fqdn: String,
}

/// A private-endpoint rule.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct PrivateEndpointRule {
    /// Rule name.
    #[schemars(pattern(NAME))]
    name: String,
    /// The target.
    private_endpoint: PrivateEndpoint,
}

/// A private endpoint's target.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct PrivateEndpoint {
    /// ARM id of the target resource.
    #[schemars(pattern(ARM_ID))]
    resource: String,
    /// Private-link subresource of the target: blob, dfs, file, queue, table, web (storage), vault (key vault), account (AI Services), registry (ACR), searchService, amlworkspace.
    subresource: String,
    /// Whether Spark jobs may use the endpoint. Default: false.
    spark_enabled: Option<bool>,
}

/// A service-tag rule (privateWithApprovedOutbound only).
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct ServiceTagRule {
    /// Rule name.
    #[schemars(pattern(NAME))]
    name: String,
    /// The service tag.
    service_tag: ServiceTag,
}

/// A service tag with protocol and ports.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct ServiceTag {
    /// Service tag name, e.g. DataFactory.
    tag: String,
    /// Protocol. Default: TCP.
    protocol: Option<Protocol>,
    /// Ports and ranges: "443", "80, 8080-8089" or "*".
    ports: Ports,
}

#[derive(JsonSchema)]
enum Protocol {
    #[serde(rename = "TCP")]
    Tcp,
    #[serde(rename = "UDP")]
    Udp,
    #[serde(rename = "ICMP")]
    Icmp,
    #[serde(rename = "*")]
    Any,
}

#[derive(JsonSchema)]
#[serde(untagged)]
enum Ports {
    Text(String),
    Number(#[schemars(range(min = 1, max = 65535))] u32),
}

/// A hub-level connection.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Connection {
    /// Connection name.
    #[schemars(pattern(NAME))]
    name: String,
    /// What it connects to; the resource's type must match.
    category: ConnectionCategory,
    /// ARM id of the target (Microsoft.CognitiveServices/accounts for aiServices and azureOpenAI, Microsoft.Search/searchServices for aiSearch, Microsoft.Storage/storageAccounts for storage, Microsoft.DocumentDB/databaseAccounts for cosmosDb).
    #[schemars(pattern(ARM_ID))]
    resource: String,
    /// entraId (the default, and today the only accepted value): apiKey is refused by validation until keys can come from an environment variable or a Key Vault secret (a key never goes in a manifest).
    auth: Option<ConnectionAuth>,
    /// The blob container: required for category storage, refused for the others.
    #[schemars(pattern(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$"))]
    container: Option<String>,
}

#[derive(JsonSchema)]
enum ConnectionCategory {
    #[serde(rename = "aiServices")]
    AiServices,
    #[serde(rename = "aiSearch")]
    AiSearch,
    #[serde(rename = "azureOpenAI")]
    AzureOpenAi,
    #[serde(rename = "storage")]
    Storage,
    #[serde(rename = "cosmosDb")]
    CosmosDb,
}

#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
enum ConnectionAuth {
    EntraId,
    ApiKey,
}

/// Role assignments at one scope.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Access {
    /// true: remove assignments at exactly this scope that no manifest declares (never the caller's own Owner or User Access Administrator). Default: false.
    exclusive: Option<bool>,
    /// The assignments.
    assignments: Option<Vec<Assignment>>,
}

/// One role assignment.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct Assignment {
    /// Entra object id of the principal, or a name Microsoft Graph resolves: user:<user principal name>, group:<display name>, app:<display name or appId>.
    #[schemars(pattern(PRINCIPAL))]
    principal: String,
    /// Kind of principal; required with an object id, implied by a name's prefix.
    principal_type: Option<PrincipalType>,
    /// Built-in or custom role name (e.g. Azure AI Developer), role definition GUID, or role definition id.
    #[schemars(length(min = 1))]
    role: String,
    /// An ABAC condition that narrows the grant (ARM `condition`), e.g. on blob paths. Without one the grant is unconditional, and a live condition is shown as a change.
    #[schemars(length(min = 1))]
    condition: Option<String>,
    /// The condition language's version; only "2.0" (the default when a condition is given).
    condition_version: Option<ConditionVersion>,
    /// Why the grant exists (ARM `description`). Left out: a live description is left as it is.
    description: Option<String>,
}

#[derive(JsonSchema)]
enum ConditionVersion {
    #[serde(rename = "2.0")]
    V2,
}

#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
enum PrincipalType {
    User,
    Group,
    ServicePrincipal,
}

/// A project: a workspace of kind Project under the hub.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct Project {
    /// Workspace name, unique in the resource group (hubs and projects share it).
    #[schemars(pattern(NAME))]
    name: String,
    /// Display name. Omitted: not managed.
    display_name: Option<String>,
    /// Description. Omitted: not managed.
    description: Option<String>,
    /// Role assignments at the project's scope.
    access: Option<Access>,
}

/// A hubctl Foundry manifest: one Foundry resource (ARM Microsoft.CognitiveServices/accounts, kind AIServices, project management on) with its projects, connections and access.
#[derive(JsonSchema)]
#[schemars(title = "hubctl Foundry manifest", deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
pub struct FoundryManifest {
    /// Always `hubctl/v1`.
    api_version: ApiVersion,
    /// Always `Foundry`.
    kind: FoundryKind,
    /// Where the account lives.
    metadata: FoundryMetadata,
    /// What the account should be.
    spec: FoundrySpec,
}

#[derive(JsonSchema)]
enum FoundryKind {
    Foundry,
}

/// The account's name and placement; all of it is fixed once the account exists.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct FoundryMetadata {
    /// ARM account name: 2 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit.
    #[schemars(pattern(ACCOUNT_NAME))]
    name: String,
    /// Subscription id (GUID).
    #[schemars(pattern(GUID))]
    subscription: String,
    /// Resource group name (the group must exist).
    #[schemars(length(min = 1, max = 90))]
    resource_group: String,
    /// Azure region, short form (eastus2, swedencentral). Fixed at creation.
    #[schemars(pattern(REGION))]
    location: String,
    /// Tags on the account. Names starting with `hubctl-` are reserved for hubctl.
    tags: Option<BTreeMap<String, String>>,
}

/// The Foundry resource's settings.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct FoundrySpec {
    /// ARM customSubDomainName: the account's DNS name, unique across Azure (a soft-deleted account keeps it until purged). Fixed once set.
    #[schemars(pattern(r"^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$"))]
    custom_sub_domain_name: String,
    /// ARM sku.name. Default: S0.
    #[schemars(length(min = 1))]
    sku: Option<String>,
    /// The account's managed identity (no primary). Default: systemAssigned.
    identity: Option<FoundryIdentity>,
    /// Whether keys work (ARM disableLocalAuth, negated). Default: enabled.
    local_auth: Option<LocalAuth>,
    /// Public access, network ACLs and the agents' subnet.
    network: Option<FoundryNetwork>,
    /// Encryption at rest. Microsoft- and customer-managed cannot be switched after creation; the key can change within its vault.
    encryption: Option<FoundryEncryption>,
    /// Account-level connections (same shape as a hub's).
    connections: Option<Vec<Connection>>,
    /// Role assignments at the account's scope (e.g. Azure AI User, Azure AI Project Manager, Azure AI Account Owner, Cognitive Services roles).
    access: Option<Access>,
    /// Projects (ARM accounts/projects), in the account's region.
    projects: Option<Vec<FoundryProject>>,
    /// Custom content filters (ARM accounts/raiPolicies), written before the deployments that name them.
    content_filters: Option<Vec<ContentFilter>>,
    /// Model deployments (ARM accounts/deployments), sent one at a time per account.
    deployments: Option<Vec<Deployment>>,
    /// The account's agents capability host (ARM accounts/capabilityHosts). Fixed once created.
    agents: Option<Agents>,
}

/// An agents capability host: connections (of its own scope) by name. Fixed once created: a change is refused, or with --replace-capability-hosts deleted and created again.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct Agents {
    /// The host's name. Default: agents.
    name: Option<String>,
    /// ARM storageConnections: connection names (storage).
    storage: Option<Vec<String>>,
    /// ARM vectorStoreConnections: connection names (aiSearch).
    vector_store: Option<Vec<String>>,
    /// ARM threadStorageConnections: connection names (cosmosDb).
    thread_storage: Option<Vec<String>>,
    /// ARM aiServicesConnections: connection names.
    ai_services: Option<Vec<String>>,
    /// ARM customerSubnet: the subnet agents run in (account host only).
    #[schemars(pattern(ARM_ID))]
    subnet: Option<String>,
}

/// A project's agents capability host (no subnet: that is the account's).
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct ProjectAgents {
    /// The host's name. Default: agents.
    name: Option<String>,
    /// ARM storageConnections: the project's connection names (storage).
    storage: Option<Vec<String>>,
    /// ARM vectorStoreConnections: the project's connection names (aiSearch).
    vector_store: Option<Vec<String>>,
    /// ARM threadStorageConnections: the project's connection names (cosmosDb).
    thread_storage: Option<Vec<String>>,
    /// ARM aiServicesConnections: the project's connection names.
    ai_services: Option<Vec<String>>,
}

/// A model deployment.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct Deployment {
    /// Deployment name.
    #[schemars(pattern(ACCOUNT_NAME))]
    name: String,
    /// The model. Its name and format cannot change in place.
    model: Model,
    /// How it is served and how much: capacity changes in place.
    sku: DeploymentSku,
    /// ARM versionUpgradeOption. Default: onceNewDefaultVersionAvailable.
    version_upgrade: Option<VersionUpgrade>,
    /// A content filter of spec.contentFilters, or Microsoft.Default / Microsoft.DefaultV2. Omitted: not managed.
    content_filter: Option<String>,
    /// A model name or format change: refuse (default), or replace (delete, then create: traffic stops in between).
    on_model_change: Option<OnModelChange>,
}

/// ARM properties.model.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Model {
    /// Default: OpenAI.
    format: Option<String>,
    /// e.g. gpt-4o.
    name: String,
    /// A pinned version. Omitted: the service's default, and an automatic upgrade is never drift.
    version: Option<String>,
}

/// ARM sku of a deployment.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct DeploymentSku {
    /// Standard, GlobalStandard, ProvisionedManaged, …
    name: String,
    /// Capacity units (thousands of tokens per minute for Standard SKUs), checked against the subscription's quota at plan time.
    #[schemars(range(min = 1))]
    capacity: u32,
}

#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
enum VersionUpgrade {
    OnceNewDefaultVersionAvailable,
    OnceCurrentVersionExpired,
    NoAutoUpgrade,
}

#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
enum OnModelChange {
    Refuse,
    Replace,
}

/// A custom content filter (RAI policy).
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct ContentFilter {
    /// Its name.
    #[schemars(pattern(ACCOUNT_NAME))]
    name: String,
    /// ARM basePolicyName. Default: Microsoft.DefaultV2.
    base_policy: Option<String>,
    /// The filters.
    filters: Vec<Filter>,
}

/// One filter.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
struct Filter {
    /// What it filters.
    category: FilterCategory,
    /// prompt or completion.
    source: FilterSource,
    /// low, medium or high: for hate, sexual, violence and selfharm only (required there).
    severity: Option<Severity>,
    /// Default: true.
    blocking: Option<bool>,
    /// Default: true.
    enabled: Option<bool>,
}

#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
enum FilterCategory {
    Hate,
    Sexual,
    Violence,
    Selfharm,
    Jailbreak,
    IndirectAttack,
    ProtectedMaterialText,
    ProtectedMaterialCode,
    Profanity,
}

#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
enum FilterSource {
    Prompt,
    Completion,
}

#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
enum Severity {
    Low,
    Medium,
    High,
}

/// A Foundry resource's or project's managed identity.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct FoundryIdentity {
    /// Identity type. Default: systemAssigned.
    #[serde(rename = "type")]
    kind: Option<IdentityType>,
    /// ARM ids of user-assigned identities (Microsoft.ManagedIdentity/userAssignedIdentities).
    user_assigned: Option<Vec<String>>,
}

#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
enum LocalAuth {
    Enabled,
    Disabled,
}

/// A Foundry resource's network access.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct FoundryNetwork {
    /// ARM publicNetworkAccess. Default: enabled.
    public_network_access: Option<PublicNetworkAccess>,
    /// ARM networkAcls.defaultAction: what the rules do not name. Default: allow.
    default_action: Option<DefaultAction>,
    /// ARM networkAcls.bypass: whether trusted Azure services pass the rules. Left out: not managed.
    bypass: Option<Bypass>,
    /// ARM networkAcls.ipRules: IPv4 addresses or CIDR ranges.
    ip_rules: Option<Vec<String>>,
    /// ARM networkAcls.virtualNetworkRules: ids of subnets (Microsoft.Network/virtualNetworks/subnets).
    virtual_network_rules: Option<Vec<String>>,
    /// ARM networkInjections (scenario agent): id of the subnet agents run in.
    #[schemars(pattern(ARM_ID))]
    agent_subnet: Option<String>,
}

#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
enum DefaultAction {
    Allow,
    Deny,
}

#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
enum Bypass {
    AzureServices,
    None,
}

/// Encryption at rest of a Foundry resource.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct FoundryEncryption {
    /// microsoftManaged or customerManaged. Fixed after creation. Default: microsoftManaged.
    #[serde(rename = "type")]
    kind: Option<EncryptionType>,
    /// customerManaged: the vault, https://<vault>.vault.azure.net/ (fixed once set).
    #[schemars(pattern(r"^https://[A-Za-z0-9-]{3,24}\.vault\.[^/]+/?$"))]
    key_vault_uri: Option<String>,
    /// customerManaged: the key's name (may change within the vault).
    #[schemars(length(min = 1))]
    key_name: Option<String>,
    /// customerManaged: the key's version (may change).
    #[schemars(length(min = 1))]
    key_version: Option<String>,
    /// customerManaged: the user-assigned identity that reads the key (one of spec.identity.userAssigned). Omitted: the system identity.
    #[schemars(pattern(ARM_ID))]
    identity: Option<String>,
}

/// A project of a Foundry resource.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[serde(rename_all = "camelCase")]
struct FoundryProject {
    /// Project name: 2 to 64 letters, digits, '-', '_' or '.'.
    #[schemars(pattern(ACCOUNT_NAME))]
    name: String,
    /// Display name. Omitted: not managed.
    display_name: Option<String>,
    /// Description. Omitted: not managed.
    description: Option<String>,
    /// The project's managed identity. Default: systemAssigned.
    identity: Option<FoundryIdentity>,
    /// Project-level connections.
    connections: Option<Vec<Connection>>,
    /// Role assignments at the project's scope.
    access: Option<Access>,
    /// The project's agents capability host (ARM accounts/projects/capabilityHosts).
    agents: Option<ProjectAgents>,
}

/// The manifest JSON Schema (draft 2020-12), as written to `schemas/hub.schema.json`: either
/// kind.
pub fn manifest_schema() -> serde_json::Value {
    schemars::schema_for!(Manifest).to_value()
}

/// The schema as the committed file's text: pretty JSON with a final newline.
pub fn manifest_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&manifest_schema()).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sections::access::{ACCESS_FIELDS, ASSIGNMENT_FIELDS};
    use crate::sections::connections::CONNECTION_FIELDS;
    use crate::sections::foundry;
    use crate::sections::hub::{DOCUMENT_FIELDS, METADATA_FIELDS, SPEC_FIELDS};
    use crate::sections::identity::{
        ACCOUNT_IDENTITY_FIELDS, CREDENTIAL_STORE_FIELDS, ENCRYPTION_FIELDS, IDENTITY_FIELDS,
    };
    use crate::sections::network::{
        NETWORK_FIELDS, PRIVATE_ENDPOINT_FIELDS, RULE_FIELDS, SERVICE_TAG_FIELDS,
    };
    use crate::sections::projects::PROJECT_FIELDS;

    fn properties(schema: &serde_json::Value, def: &str) -> Vec<String> {
        let node = if def.is_empty() { schema } else { &schema["$defs"][def] };
        let mut names: Vec<String> = node["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("{def} has properties"))
            .keys()
            .cloned()
            .collect();
        names.sort();
        names
    }

    fn sorted(list: &[&str]) -> Vec<String> {
        let mut names: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        names.sort();
        names
    }

    /// The schema and the loader must know the same fields, or an editor would complete what
    /// `hubctl validate` rejects (or miss what it takes).
    #[test]
    fn schema_properties_match_the_loader_field_lists() {
        let schema = manifest_schema();
        let pairs: &[(&str, &[&str])] = &[
            ("HubManifest", DOCUMENT_FIELDS),
            ("FoundryManifest", DOCUMENT_FIELDS),
            ("FoundrySpec", foundry::SPEC_FIELDS),
            ("FoundryMetadata", METADATA_FIELDS),
            ("FoundryIdentity", ACCOUNT_IDENTITY_FIELDS),
            ("FoundryNetwork", foundry::NETWORK_FIELDS),
            ("FoundryEncryption", foundry::ENCRYPTION_FIELDS),
            ("FoundryProject", foundry::PROJECT_FIELDS),
            ("Deployment", foundry::DEPLOYMENT_FIELDS),
            ("Model", foundry::MODEL_FIELDS),
            ("DeploymentSku", foundry::DEPLOYMENT_SKU_FIELDS),
            ("ContentFilter", foundry::CONTENT_FILTER_FIELDS),
            ("Filter", foundry::FILTER_FIELDS),
            ("Agents", foundry::AGENTS_FIELDS),
            ("ProjectAgents", foundry::PROJECT_AGENTS_FIELDS),
            ("Metadata", METADATA_FIELDS),
            ("Spec", SPEC_FIELDS),
            ("KeyVaultStore", CREDENTIAL_STORE_FIELDS),
            ("Identity", IDENTITY_FIELDS),
            ("Encryption", ENCRYPTION_FIELDS),
            ("Network", NETWORK_FIELDS),
            ("PrivateEndpoint", PRIVATE_ENDPOINT_FIELDS),
            ("ServiceTag", SERVICE_TAG_FIELDS),
            ("Connection", CONNECTION_FIELDS),
            ("Access", ACCESS_FIELDS),
            ("Assignment", ASSIGNMENT_FIELDS),
            ("Project", PROJECT_FIELDS),
        ];
        for (def, fields) in pairs {
            assert_eq!(properties(&schema, def), sorted(fields), "schema definition {def:?}");
        }
        let mut rule: Vec<String> = ["FqdnRule", "PrivateEndpointRule", "ServiceTagRule"]
            .iter()
            .flat_map(|d| properties(&schema, d))
            .collect();
        rule.sort();
        rule.dedup();
        assert_eq!(rule, sorted(RULE_FIELDS));
    }
}
