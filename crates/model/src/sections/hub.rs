//! Hub core: the workspace resource itself (`Microsoft.MachineLearningServices/workspaces`,
//! a hub or a project) and its `properties`.
//!
//! Field names are ARM's (`friendlyName`), per api-version 2026-05-01. Optional fields are
//! skipped when absent, so a write never sends a `null` hubctl did not mean.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::enums::*;
use crate::{Encryption, ManagedIdentity, ManagedNetwork, Other};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;
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
}
