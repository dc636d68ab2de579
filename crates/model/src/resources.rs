//! The resources: workspaces (hubs and projects), outbound rules, connections, role
//! assignments and definitions, list pages and ARM's error body.
//!
//! Field names are ARM's (`friendlyName`, `keyIdentifier`), per api-version 2026-05-01 of
//! `Microsoft.MachineLearningServices` and 2022-04-01 of `Microsoft.Authorization`. Optional
//! fields are skipped when absent, so a write never sends a `null` hubctl did not mean.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::enums::*;

/// Fields a type does not model, kept for the round trip.
pub type Other = Map<String, Value>;

/// Read-only workspace properties (ML 2026-05-01 `WorkspaceProperties`, NOTES.md §2.2): never
/// sent back.
pub const WORKSPACE_READ_ONLY: &[&str] = &[
    "workspaceId",
    "tenantId",
    "discoveryUrl",
    "mlFlowTrackingUri",
    "storageHnsEnabled",
    "privateLinkCount",
    "notebookInfo",
    "privateEndpointConnections",
    "serviceProvisionedResourceGroup",
];

/// `Microsoft.MachineLearningServices/workspaces`: a hub (`kind: Hub`) or project (`kind: Project`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workspace {
    /// ARM id (read-only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Name (read-only in bodies).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Resource type (read-only).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// `Hub`, `Project`, `Default`, … (compared case-insensitively).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Region.
    #[serde(default)]
    pub location: String,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
    /// Managed identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<ManagedIdentity>,
    /// Properties.
    #[serde(default)]
    pub properties: WorkspaceProperties,
    /// Everything else (sku, systemData, fields of later api-versions).
    #[serde(flatten)]
    pub other: Other,
}

impl Workspace {
    /// Whether this is a hub.
    pub fn is_hub(&self) -> bool {
        self.kind.as_deref().is_some_and(|k| k.eq_ignore_ascii_case("hub"))
    }
    /// Whether this is a project.
    pub fn is_project(&self) -> bool {
        self.kind.as_deref().is_some_and(|k| k.eq_ignore_ascii_case("project"))
    }
    /// The body to PUT back after reading this workspace: read-only fields dropped, the
    /// service's own outbound rules removed (sending them back is answered 400), and on a
    /// project the settings it inherits from its hub removed (the service refuses them there).
    /// Everything else — fields hubctl does not model included — is kept.
    pub fn for_write(&self) -> Workspace {
        let mut body = self.clone();
        body.id.clear();
        body.name.clear();
        body.resource_type = None;
        body.other.remove("systemData");
        let p = &mut body.properties;
        p.provisioning_state = None;
        for read_only in WORKSPACE_READ_ONLY {
            p.other.remove(*read_only);
        }
        if let Some(identity) = body.identity.as_mut() {
            identity.principal_id = None;
            identity.tenant_id = None;
            if let Some(uais) = identity.user_assigned_identities.as_mut() {
                for value in uais.values_mut() {
                    *value = Value::Object(Other::new());
                }
            }
        }
        if let Some(network) = body.properties.managed_network.as_mut() {
            network.other.remove("status");
            network.other.remove("networkId");
            network.other.remove("firewallPublicIpAddress");
            network.other.remove("changeableIsolationModes");
            if let Some(rules) = network.outbound_rules.as_mut() {
                rules.retain(|_, rule| rule.is_user_defined());
            }
        }
        if self.is_project() {
            let p = &mut body.properties;
            p.storage_account = None;
            p.key_vault = None;
            p.application_insights = None;
            p.container_registry = None;
            p.encryption = None;
            p.managed_network = None;
        }
        body
    }

    /// The provisioning state; none means succeeded (ARM RPC).
    pub fn provisioning_state(&self) -> ProvisioningState {
        self.properties.provisioning_state.clone().unwrap_or(ProvisioningState::Succeeded)
    }
}

/// `properties` of a workspace.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceProperties {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friendly_name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Storage account id (fixed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_account: Option<String>,
    /// Key vault id; absent: the Microsoft-managed credential store (fixed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_vault: Option<String>,
    /// Application Insights id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_insights: Option<String>,
    /// Container registry id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container_registry: Option<String>,
    /// Public network access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_network_access: Option<PublicNetworkAccess>,
    /// Managed network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_network: Option<ManagedNetwork>,
    /// Encryption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Encryption>,
    /// High business impact (fixed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hbi_workspace: Option<bool>,
    /// Primary user-assigned identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_user_assigned_identity: Option<String>,
    /// How the workspace reaches its storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_datastores_auth_mode: Option<DatastoresAuthMode>,
    /// A project's hub (fixed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hub_resource_id: Option<String>,
    /// Provisioning state (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioning_state: Option<ProvisioningState>,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// `managedNetwork`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedNetwork {
    /// Isolation mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isolation_mode: Option<IsolationMode>,
    /// Firewall SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firewall_sku: Option<FirewallSku>,
    /// Rules by name, the service's included (null when there is no managed network).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_rules: Option<BTreeMap<String, OutboundRule>>,
    /// Everything else (status, networkId, …).
    #[serde(flatten)]
    pub other: Other,
}

/// `encryption`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Encryption {
    /// `Enabled` (customer-managed) or `Disabled`.
    #[serde(default)]
    pub status: String,
    /// The key.
    #[serde(default)]
    pub key_vault_properties: KeyVaultProperties,
    /// The identity that reads the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<CmkIdentity>,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

impl Encryption {
    /// Whether a customer-managed key is on.
    pub fn is_customer_managed(&self) -> bool {
        self.status.eq_ignore_ascii_case("Enabled")
    }
}

/// `encryption.keyVaultProperties`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyVaultProperties {
    /// The vault's ARM id.
    #[serde(default)]
    pub key_vault_arm_id: String,
    /// The versioned key URI.
    #[serde(default)]
    pub key_identifier: String,
    /// Everything else (identityClientId).
    #[serde(flatten)]
    pub other: Other,
}

/// `encryption.identity`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CmkIdentity {
    /// A user-assigned identity's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_assigned_identity: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// `identity` (common-types v3 ManagedServiceIdentity).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedIdentity {
    /// Type.
    #[serde(rename = "type", default = "identity_none")]
    pub identity_type: IdentityType,
    /// System identity's principal (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    /// Tenant (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// User-assigned identities by id (values read-only; send `{}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_assigned_identities: Option<BTreeMap<String, Value>>,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

fn identity_none() -> IdentityType {
    IdentityType::None
}

#[allow(clippy::derivable_impls)] // the enum is made by `service_enum!`, which derives no Default
impl Default for IdentityType {
    fn default() -> IdentityType {
        IdentityType::None
    }
}

/// An outbound rule of a managed network (`OutboundRule`, discriminated by `type`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawRule", into = "RawRule")]
pub struct OutboundRule {
    /// Where it lets traffic go.
    pub destination: RuleDestination,
    /// `Required` (the service's) or `UserDefined`, …
    pub category: Option<RuleCategory>,
    /// `Active`, `Inactive`, … (read-only).
    pub status: Option<String>,
    /// Everything else.
    pub other: Other,
}

/// An outbound rule's destination, by rule type.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleDestination {
    /// `FQDN`: a host name.
    Fqdn(String),
    /// `PrivateEndpoint`.
    PrivateEndpoint(PrivateEndpointDestination),
    /// `ServiceTag`.
    ServiceTag(ServiceTagDestination),
    /// A type this hubctl does not know, kept as sent.
    Unknown {
        /// The `type`.
        rule_type: String,
        /// The `destination`.
        destination: Value,
    },
}

/// A private endpoint rule's destination.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateEndpointDestination {
    /// The target resource.
    #[serde(default)]
    pub service_resource_id: String,
    /// Its group id.
    #[serde(default)]
    pub subresource_target: String,
    /// Whether Spark may use it.
    #[serde(default)]
    pub spark_enabled: bool,
    /// Everything else (sparkStatus).
    #[serde(flatten)]
    pub other: Other,
}

/// A service tag rule's destination.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceTagDestination {
    /// The tag.
    #[serde(default)]
    pub service_tag: String,
    /// Protocol.
    #[serde(default)]
    pub protocol: String,
    /// Port ranges.
    #[serde(default)]
    pub port_ranges: String,
    /// Everything else (action, addressPrefixes).
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Serialize, Deserialize)]
struct RawRule {
    #[serde(rename = "type")]
    rule_type: String,
    #[serde(default)]
    destination: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    category: Option<RuleCategory>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(flatten)]
    other: Other,
}

impl From<RawRule> for OutboundRule {
    fn from(raw: RawRule) -> OutboundRule {
        let t = raw.rule_type.to_ascii_lowercase();
        let typed = match t.as_str() {
            "fqdn" => raw.destination.as_str().map(|d| RuleDestination::Fqdn(d.to_string())),
            "privateendpoint" => serde_json::from_value(raw.destination.clone())
                .ok()
                .map(RuleDestination::PrivateEndpoint),
            "servicetag" => serde_json::from_value(raw.destination.clone())
                .ok()
                .map(RuleDestination::ServiceTag),
            _ => None,
        };
        let destination = typed.unwrap_or(RuleDestination::Unknown {
            rule_type: raw.rule_type,
            destination: raw.destination,
        });
        OutboundRule { destination, category: raw.category, status: raw.status, other: raw.other }
    }
}

impl From<OutboundRule> for RawRule {
    fn from(rule: OutboundRule) -> RawRule {
        let (rule_type, destination) = match rule.destination {
            RuleDestination::Fqdn(host) => ("FQDN".to_string(), Value::String(host)),
            RuleDestination::PrivateEndpoint(d) => {
                ("PrivateEndpoint".to_string(), serde_json::to_value(d).unwrap_or_default())
            }
            RuleDestination::ServiceTag(d) => {
                ("ServiceTag".to_string(), serde_json::to_value(d).unwrap_or_default())
            }
            RuleDestination::Unknown { rule_type, destination } => (rule_type, destination),
        };
        RawRule {
            rule_type,
            destination,
            category: rule.category,
            status: rule.status,
            other: rule.other,
        }
    }
}

impl OutboundRule {
    /// Whether the rule is the user's (the only rules hubctl compares or writes).
    pub fn is_user_defined(&self) -> bool {
        matches!(self.category, Some(RuleCategory::UserDefined) | None)
    }
}

/// `workspaces/{ws}/outboundRules/{name}` (`OutboundRuleBasicResource`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundRuleResource {
    /// Id (read-only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Name (read-only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The rule.
    pub properties: OutboundRule,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// `workspaces/{ws}/connections/{name}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// Id (read-only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Name (read-only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Properties.
    #[serde(default)]
    pub properties: ConnectionProperties,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// A connection's properties.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionProperties {
    /// `AIServices`, `CognitiveSearch`, `AzureOpenAI`, `AzureBlob`, …
    #[serde(default)]
    pub category: String,
    /// The target's endpoint.
    #[serde(default)]
    pub target: String,
    /// `AAD`, `ApiKey`, …
    #[serde(default)]
    pub auth_type: String,
    /// Metadata (ApiType, ResourceId).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// Everything else. Credentials are never read back by the service.
    #[serde(flatten)]
    pub other: Other,
}

/// `Microsoft.Authorization/roleAssignments`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    /// Id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Name (a GUID).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Properties.
    #[serde(default)]
    pub properties: RoleAssignmentProperties,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

impl RoleAssignment {
    /// Whether it grants the role `role_guid` (lower case, as [`crate::role_definition_guid`]
    /// gives it) to `principal`: principals compared without case, roles by GUID whatever the
    /// role definition id's scope.
    pub fn grants(&self, principal: &str, role_guid: &str) -> bool {
        self.properties.principal_id.eq_ignore_ascii_case(principal)
            && crate::role_definition_guid(&self.properties.role_definition_id) == role_guid
    }
    /// Its ABAC condition, trimmed; `None` when there is none (absent, null or empty).
    pub fn condition(&self) -> Option<&str> {
        self.properties
            .other
            .get("condition")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|c| !c.is_empty())
    }
}

/// A role assignment's properties.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignmentProperties {
    /// Scope (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Role definition id (tenant or subscription form; compare by GUID).
    #[serde(default)]
    pub role_definition_id: String,
    /// Principal object id.
    #[serde(default)]
    pub principal_id: String,
    /// Principal type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_type: Option<PrincipalType>,
    /// Everything else (description, condition, createdOn, …).
    #[serde(flatten)]
    pub other: Other,
}

/// `Microsoft.Authorization/roleDefinitions`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleDefinition {
    /// Id.
    #[serde(default)]
    pub id: String,
    /// GUID.
    #[serde(default)]
    pub name: String,
    /// Properties.
    #[serde(default)]
    pub properties: RoleDefinitionProperties,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// A role definition's properties.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleDefinitionProperties {
    /// Display name.
    #[serde(default)]
    pub role_name: String,
    /// `BuiltInRole` or `CustomRole`.
    #[serde(rename = "type", default)]
    pub role_type: String,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// Items.
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// The next page, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

/// ARM's error body (`ErrorResponse` of common-types v3).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// The error.
    #[serde(default)]
    pub error: ErrorDetail,
}

/// An error's code, message and details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// PascalCase code.
    #[serde(default)]
    pub code: String,
    /// Message.
    #[serde(default)]
    pub message: String,
    /// Target, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Inner errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_survive_a_round_trip() {
        let input = json!({
            "id": "/x", "name": "h", "kind": "Hub", "location": "eastus2", "sku": {"name": "Basic"},
            "systemData": {"createdBy": "me"},
            "identity": {"type": "SystemAssigned", "principalId": "p", "future": true},
            "properties": {
                "friendlyName": "F", "enableServiceSideCMKEncryption": false, "workspaceHubConfig": {"a": 1},
                "managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound", "status": {"status": "Active"},
                    "outboundRules": {
                        "r1": {"type": "FQDN", "destination": "pypi.org", "category": "UserDefined", "status": "Active"},
                        "r2": {"type": "PrivateEndpoint", "destination": {"serviceResourceId": "/s", "subresourceTarget": "blob", "sparkEnabled": true, "sparkStatus": "Active"}, "category": "Required"},
                        "r3": {"type": "NewKind", "destination": {"x": 1}, "category": "UserDefined"}
                    }},
                "encryption": {"status": "Enabled", "keyVaultProperties": {"keyVaultArmId": "/kv", "keyIdentifier": "https://k", "identityClientId": ""}, "cosmosDbResourceId": "/c"}
            }
        });
        let ws: Workspace = serde_json::from_value(input.clone()).unwrap();
        let rules =
            ws.properties.managed_network.as_ref().unwrap().outbound_rules.as_ref().unwrap();
        assert_eq!(rules["r1"].destination, RuleDestination::Fqdn("pypi.org".into()));
        assert!(!rules["r2"].is_user_defined());
        assert!(matches!(rules["r3"].destination, RuleDestination::Unknown { .. }));
        assert_eq!(serde_json::to_value(&ws).unwrap(), input);
    }

    #[test]
    fn a_write_body_never_carries_required_rules_read_only_fields_or_inherited_settings() {
        let hub: Workspace = serde_json::from_value(json!({
            "id": "/h", "name": "h", "type": "t", "kind": "Hub", "location": "eastus2", "systemData": {},
            "identity": {"type": "SystemAssigned,UserAssigned", "principalId": "p", "tenantId": "t", "userAssignedIdentities": {"/u": {"principalId": "x", "clientId": "y"}}},
            "properties": {"provisioningState": "Succeeded", "workspaceId": "w", "futureSetting": 1,
                "managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound", "status": {"status": "Active"}, "outboundRules": {
                    "mine": {"type": "FQDN", "destination": "pypi.org", "category": "UserDefined"},
                    "theirs": {"type": "ServiceTag", "destination": {"serviceTag": "AzureActiveDirectory"}, "category": "Required"}}}}
        })).unwrap();
        let body = serde_json::to_value(hub.for_write()).unwrap();
        assert_eq!(
            body["properties"]["managedNetwork"]["outboundRules"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["mine"]
        );
        assert!(body.get("id").is_none() && body.get("systemData").is_none());
        assert!(
            body["properties"].get("workspaceId").is_none()
                && body["properties"].get("provisioningState").is_none()
        );
        assert!(body["properties"]["managedNetwork"].get("status").is_none());
        assert_eq!(body["properties"]["futureSetting"], 1, "unknown settings are kept");
        assert_eq!(body["identity"]["userAssignedIdentities"]["/u"], json!({}));
        let project: Workspace = serde_json::from_value(json!({
            "kind": "Project", "location": "eastus2",
            "properties": {"hubResourceId": "/h", "storageAccount": "/s", "keyVault": "/k", "applicationInsights": "/a",
                "containerRegistry": "/c", "encryption": {"status": "Enabled"}, "managedNetwork": {"isolationMode": "AllowInternetOutbound"}, "friendlyName": "P"}
        })).unwrap();
        let body = serde_json::to_value(project.for_write()).unwrap();
        let keys: Vec<&String> = body["properties"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["friendlyName", "hubResourceId"]);
    }

    #[test]
    fn pages_and_errors() {
        let page: Page<RoleAssignment> = serde_json::from_value(json!({"value": [{"name": "a", "properties": {"roleDefinitionId": "/r", "principalId": "p", "principalType": "Group"}}], "nextLink": "https://next"})).unwrap();
        assert_eq!(page.value[0].properties.principal_type, Some(PrincipalType::Group));
        assert_eq!(page.next_link.as_deref(), Some("https://next"));
        let error: ErrorResponse =
            serde_json::from_value(json!({"error": {"code": "X", "message": "m"}})).unwrap();
        assert_eq!(error.error.code, "X");
    }
}
