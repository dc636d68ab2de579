//! The manifest's names to ARM's: the one place the mapping lives (docs/arm-mapping.md).

use std::collections::BTreeMap;

use hubctl_model::{
    CmkIdentity, DatastoresAuthMode, Encryption, FirewallSku, IdentityType, IsolationMode,
    KeyVaultProperties, ManagedIdentity, ManagedNetwork, OutboundRule, PrivateEndpointDestination,
    PublicNetworkAccess, RuleCategory, RuleDestination, ServiceTagDestination, Workspace,
    WorkspaceProperties,
};
use hubctl_spec::model as spec;
use serde_json::{Value, json};

/// hubctl's ownership tag: its presence lets `--prune` delete a hub.
pub const OWNER_TAG: &str = "hubctl-managed-by";
/// Its value.
pub const OWNER_VALUE: &str = "hubctl";
/// The digest of the manifest last applied to the hub.
pub const DIGEST_TAG: &str = "hubctl-manifest-digest";

/// ARM's isolation mode for the manifest's.
pub fn isolation(isolation: &spec::Isolation) -> IsolationMode {
    match isolation {
        spec::Isolation::Public => IsolationMode::Disabled,
        spec::Isolation::PrivateWithInternetOutbound { .. } => IsolationMode::AllowInternetOutbound,
        spec::Isolation::PrivateWithApprovedOutbound { .. } => {
            IsolationMode::AllowOnlyApprovedOutbound
        }
    }
}

/// The firewall SKU, approved outbound only.
pub fn firewall(isolation: &spec::Isolation) -> Option<FirewallSku> {
    match isolation {
        spec::Isolation::PrivateWithApprovedOutbound { firewall_sku, .. } => {
            Some(match firewall_sku {
                spec::FirewallSku::Standard => FirewallSku::Standard,
                spec::FirewallSku::Basic => FirewallSku::Basic,
            })
        }
        _ => None,
    }
}

/// ARM's identity type.
pub fn identity_type(identity: &spec::Identity) -> IdentityType {
    match identity {
        spec::Identity::SystemAssigned => IdentityType::SystemAssigned,
        spec::Identity::UserAssigned(_) => IdentityType::UserAssigned,
        spec::Identity::SystemAndUserAssigned(_) => IdentityType::SystemAndUserAssigned,
    }
}

/// ARM's identity block (user-assigned values are `{}` in requests).
pub fn identity(identity: &spec::Identity) -> ManagedIdentity {
    let user_assigned_identities = identity.user_assigned().map(|u| {
        u.identities
            .iter()
            .map(|id| (id.as_str().to_string(), json!({})))
            .collect::<BTreeMap<_, _>>()
    });
    ManagedIdentity {
        identity_type: identity_type(identity),
        user_assigned_identities,
        ..ManagedIdentity::default()
    }
}

/// ARM's datastore auth mode.
pub fn auth_mode(access: spec::StorageAccess) -> DatastoresAuthMode {
    match access {
        spec::StorageAccess::Identity => DatastoresAuthMode::Identity,
        spec::StorageAccess::Credential => DatastoresAuthMode::AccessKey,
    }
}

/// ARM's public network access.
pub fn public_access(access: spec::PublicNetworkAccess) -> PublicNetworkAccess {
    match access {
        spec::PublicNetworkAccess::Enabled => PublicNetworkAccess::Enabled,
        spec::PublicNetworkAccess::Disabled => PublicNetworkAccess::Disabled,
    }
}

/// ARM's encryption block, customer-managed only.
pub fn encryption(encryption: &spec::Encryption) -> Option<Encryption> {
    match encryption {
        spec::Encryption::MicrosoftManaged => None,
        spec::Encryption::CustomerManaged(cmk) => Some(Encryption {
            status: "Enabled".into(),
            key_vault_properties: KeyVaultProperties {
                key_vault_arm_id: cmk.key_vault.as_str().to_string(),
                key_identifier: cmk.key_uri.as_str().to_string(),
                other: Default::default(),
            },
            identity: cmk.identity.as_ref().map(|id| CmkIdentity {
                user_assigned_identity: Some(id.as_str().to_string()),
                other: Default::default(),
            }),
            other: Default::default(),
        }),
    }
}

/// ARM's outbound rule for a manifest rule.
pub fn rule(destination: &spec::Destination) -> OutboundRule {
    let destination = match destination {
        spec::Destination::Fqdn(host) => RuleDestination::Fqdn(host.clone()),
        spec::Destination::PrivateEndpoint(pe) => {
            RuleDestination::PrivateEndpoint(PrivateEndpointDestination {
                service_resource_id: pe.resource.as_str().to_string(),
                subresource_target: pe.subresource.clone(),
                spark_enabled: pe.spark_enabled,
                other: Default::default(),
            })
        }
        spec::Destination::ServiceTag(tag) => RuleDestination::ServiceTag(ServiceTagDestination {
            service_tag: tag.tag.clone(),
            protocol: serde_json::to_value(tag.protocol)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            port_ranges: tag.ports.clone(),
            other: [("action".to_string(), json!("Allow"))].into_iter().collect(),
        }),
    };
    OutboundRule {
        destination,
        category: Some(RuleCategory::UserDefined),
        status: None,
        other: Default::default(),
    }
}

/// The hub's tags as written: the manifest's, other tools' (kept), and hubctl's own.
pub fn tags(
    hub: &spec::Hub,
    digest: &str,
    live: Option<&BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let mut tags: BTreeMap<String, String> = live
        .map(|l| {
            l.iter()
                .filter(|(k, _)| !k.to_ascii_lowercase().starts_with("hubctl-"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    for (key, value) in &hub.metadata.tags {
        tags.retain(|k, _| !k.eq_ignore_ascii_case(key));
        tags.insert(key.clone(), value.clone());
    }
    tags.insert(OWNER_TAG.into(), OWNER_VALUE.into());
    tags.insert(DIGEST_TAG.into(), digest.into());
    tags
}

/// The body that creates the hub.
pub fn hub_body(hub: &spec::Hub, digest: &str) -> Workspace {
    let spec = &hub.spec;
    let network = &spec.network;
    Workspace {
        location: hub.metadata.location.clone(),
        kind: Some("Hub".into()),
        tags: Some(tags(hub, digest, None)),
        identity: Some(identity(&spec.identity)),
        properties: WorkspaceProperties {
            friendly_name: spec.display_name.clone(),
            description: spec.description.clone(),
            storage_account: Some(spec.storage_account.as_str().to_string()),
            key_vault: match &spec.credential_store {
                spec::CredentialStore::MicrosoftManaged => None,
                spec::CredentialStore::KeyVault(id) => Some(id.as_str().to_string()),
            },
            application_insights: spec
                .application_insights
                .as_ref()
                .map(|i| i.as_str().to_string()),
            container_registry: spec.container_registry.as_ref().map(|i| i.as_str().to_string()),
            public_network_access: Some(public_access(network.public_network_access)),
            managed_network: Some(ManagedNetwork {
                isolation_mode: Some(isolation(&network.isolation)),
                firewall_sku: firewall(&network.isolation),
                outbound_rules: None,
                other: Default::default(),
            }),
            encryption: encryption(&spec.encryption),
            hbi_workspace: Some(spec.high_business_impact),
            primary_user_assigned_identity: spec
                .identity
                .user_assigned()
                .and_then(|u| u.primary.as_ref())
                .map(|p| p.as_str().to_string()),
            system_datastores_auth_mode: Some(auth_mode(spec.storage_access)),
            ..WorkspaceProperties::default()
        },
        ..Workspace::default()
    }
}

/// The body that creates a project under `hub_id`.
pub fn project_body(hub: &spec::Hub, project: &spec::Project, hub_id: &str) -> Workspace {
    Workspace {
        location: hub.metadata.location.clone(),
        kind: Some("Project".into()),
        identity: Some(ManagedIdentity {
            identity_type: IdentityType::SystemAssigned,
            ..ManagedIdentity::default()
        }),
        properties: WorkspaceProperties {
            friendly_name: project.display_name.clone(),
            description: project.description.clone(),
            hub_resource_id: Some(hub_id.to_string()),
            ..WorkspaceProperties::default()
        },
        ..Workspace::default()
    }
}

/// ARM's connection category and auth type.
pub fn connection(connection: &spec::Connection) -> (&'static str, &'static str, String) {
    let category = match connection.category {
        spec::ConnectionCategory::AiServices => "AIServices",
        spec::ConnectionCategory::AzureOpenAi => "AzureOpenAI",
        spec::ConnectionCategory::AiSearch => "CognitiveSearch",
        spec::ConnectionCategory::Storage => "AzureBlob",
    };
    let auth = match connection.auth {
        spec::ConnectionAuth::EntraId => "AAD",
        spec::ConnectionAuth::ApiKey => "ApiKey",
    };
    let name = connection.resource.name();
    let target = match connection.category {
        spec::ConnectionCategory::AiServices => {
            format!("https://{name}.cognitiveservices.azure.com/")
        }
        spec::ConnectionCategory::AzureOpenAi => format!("https://{name}.openai.azure.com/"),
        spec::ConnectionCategory::AiSearch => format!("https://{name}.search.windows.net"),
        spec::ConnectionCategory::Storage => format!("https://{name}.blob.core.windows.net/"),
    };
    (category, auth, target)
}

/// The body that writes a connection; `hubctl-managed` in its metadata lets hubctl delete it
/// when the manifest drops it.
pub fn connection_body(connection: &spec::Connection) -> Value {
    let (category, auth, target) = self::connection(connection);
    let mut body = json!({
        "properties": {
            "category": category,
            "target": target,
            "authType": auth,
            "isSharedToAll": true,
            "metadata": { "ResourceId": connection.resource.as_str(), "ApiType": "Azure", "hubctl-managed": "true" }
        }
    });
    // A blob connection names its account and container (azure-ai-ml's AzureBlobStoreConnection
    // requires both: Azure/azure-sdk-for-python sdk/ml/azure-ai-ml/azure/ai/ml/entities/
    // _workspace/connections/connection_subtypes.py).
    if let Some(container) = &connection.container {
        let account = connection.resource.as_str().rsplit('/').next().unwrap_or_default();
        body["properties"]["target"] = json!(format!("{target}{container}"));
        body["properties"]["metadata"]["AccountName"] = json!(account);
        body["properties"]["metadata"]["ContainerName"] = json!(container);
    }
    body
}
