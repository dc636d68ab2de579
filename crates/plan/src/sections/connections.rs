//! Connections: `connections` (hub level). A connection hubctl writes carries
//! `hubctl-managed: "true"` in its metadata, so hubctl deletes only what it made when the
//! manifest drops it; other connections are reported, never touched.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use hubctl_model::{ArmId, Connection};
use hubctl_spec::model as spec;
use serde_json::{Value, json};

use super::{HubAt, leaf_fields, same_opt_id, to_value};
use crate::change::*;
use crate::import::Manifest;
use crate::planner::Planner;
use crate::reasons::{Reason, WarningKind};

/// ARM's connection category, auth type and target endpoint.
pub fn connection(connection: &spec::Connection) -> (&'static str, &'static str, String) {
    let category = match connection.category {
        spec::ConnectionCategory::AiServices => "AIServices",
        spec::ConnectionCategory::AzureOpenAi => "AzureOpenAI",
        spec::ConnectionCategory::AiSearch => "CognitiveSearch",
        spec::ConnectionCategory::Storage => "AzureBlob",
        // As the Foundry agent samples write it (azure-ai-foundry/foundry-samples, standard agent setup).
        spec::ConnectionCategory::CosmosDb => "CosmosDB",
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
        spec::ConnectionCategory::CosmosDb => format!("https://{name}.documents.azure.com:443/"),
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
        body["properties"]["target"] = json!(format!("{target}{container}"));
        body["properties"]["metadata"]["AccountName"] = json!(connection.resource.name());
        body["properties"]["metadata"]["ContainerName"] = json!(container);
    }
    body
}

/// The manifest's word for ARM's connection category (None: a category the manifest has
/// no word for).
fn category_word(arm: &str) -> Option<&'static str> {
    match arm.to_ascii_lowercase().as_str() {
        "aiservices" => Some("aiServices"),
        "azureopenai" => Some("azureOpenAI"),
        "cognitivesearch" => Some("aiSearch"),
        "azureblob" => Some("storage"),
        "cosmosdb" => Some("cosmosDb"),
        _ => None,
    }
}

/// The manifest's word for ARM's auth type.
fn auth_word(arm: &str) -> String {
    match arm.to_ascii_lowercase().as_str() {
        "aad" => "entraId".into(),
        "apikey" => "apiKey".into(),
        _ => arm.to_string(),
    }
}

/// A declared connection leaf by leaf, as the manifest spells it.
fn wanted_leaves(connection: &spec::Connection) -> Vec<(&'static str, Value)> {
    let (category, auth, _) = self::connection(connection);
    let mut leaves = vec![
        ("category", json!(category_word(category).unwrap_or(category))),
        ("resource", json!(connection.resource.as_str())),
        ("auth", json!(auth_word(auth))),
    ];
    if let Some(container) = &connection.container {
        leaves.push(("container", json!(container)));
    }
    leaves
}

/// Where connections are planned: the parent resource, its name for display, the manifest
/// path of its `connections`, and the kind of change they are.
pub(crate) struct ConnectionsAt<'a> {
    pub key: &'a str,
    pub parent: &'a ArmId,
    pub parent_name: &'a str,
    pub path: String,
    pub kind: ResourceKind,
}

impl Planner<'_> {
    /// The hub's connections (only read for hubs that declare some).
    pub(crate) fn connections(&mut self, at: &HubAt<'_>) {
        let HubAt { hub, key, id, live } = *at;
        let live_connections = live.and_then(|h| h.connections.as_ref());
        let at = ConnectionsAt {
            key,
            parent: id,
            parent_name: &hub.metadata.name,
            path: "spec.connections".into(),
            kind: ResourceKind::Connection,
        };
        self.connections_at(&at, &hub.spec.connections, live_connections);
    }

    /// Connections under one parent (a hub, a Foundry resource or one of its projects): the
    /// declared ones created or updated, hubctl's undeclared ones deleted, others reported.
    pub(crate) fn connections_at(
        &mut self,
        at: &ConnectionsAt<'_>,
        declared_list: &[spec::Connection],
        live_connections: Option<&Vec<Connection>>,
    ) {
        let ConnectionsAt { key, parent: id, parent_name, kind, .. } = *at;
        if declared_list.is_empty() && live_connections.is_none() {
            return;
        }
        let mut declared = BTreeSet::new();
        for connection in declared_list {
            declared.insert(connection.name.to_ascii_lowercase());
            let body = connection_body(connection);
            let resource = id.child("connections", &connection.name);
            let display = format!("{parent_name}/{}", connection.name);
            let current = live_connections.and_then(|list| {
                list.iter().find(|c| c.name.eq_ignore_ascii_case(&connection.name))
            });
            let (category, auth, _) = self::connection(connection);
            let path = format!("{}.{}", at.path, connection.name);
            let Some(c) = current else {
                let reasons = vec![Reason::CreateBecauseMissing];
                let change = self.change(key, kind, &resource, display, Action::Create, reasons);
                change.fields = leaf_fields(&path, &[], &wanted_leaves(connection));
                change.after = Some(body);
                continue;
            };
            let metadata = |key: &str| {
                c.properties.metadata.as_ref().and_then(|m| m.get(key)).map(String::as_str)
            };
            let (live_resource, live_container) =
                (metadata("ResourceId"), metadata("ContainerName"));
            let same = c.properties.category.eq_ignore_ascii_case(category)
                && c.properties.auth_type.eq_ignore_ascii_case(auth)
                && same_opt_id(live_resource, Some(connection.resource.as_str()))
                && (connection.container.is_none()
                    || live_container == connection.container.as_deref());
            let (action, reason) = if same {
                (Action::NoOp, Reason::NoOpBecauseInSync)
            } else {
                (Action::Update, Reason::UpdateBecauseFieldsChanged)
            };
            let change = self.change(key, kind, &resource, display, action, vec![reason]);
            change.before = Some(to_value(c));
            if !same {
                let mut live = vec![
                    (
                        "category",
                        json!(
                            category_word(&c.properties.category).unwrap_or(&c.properties.category)
                        ),
                    ),
                    ("resource", json!(live_resource)),
                    ("auth", json!(auth_word(&c.properties.auth_type))),
                ];
                if let Some(container) = live_container {
                    live.push(("container", json!(container)));
                }
                change.fields = leaf_fields(&path, &live, &wanted_leaves(connection));
                change.after = Some(body);
            }
        }
        for c in live_connections.into_iter().flatten() {
            if declared.contains(&c.name.to_ascii_lowercase()) {
                continue;
            }
            let ours = c
                .properties
                .metadata
                .as_ref()
                .and_then(|m| m.get("hubctl-managed"))
                .is_some_and(|v| v == "true");
            let resource = id.child("connections", &c.name);
            if ours {
                let display = format!("{parent_name}/{}", c.name);
                let reasons = vec![Reason::DeleteBecauseNotDeclared];
                let change = self.change(key, kind, &resource, display, Action::Delete, reasons);
                change.before = Some(to_value(c));
            } else {
                self.warn(WarningKind::ForeignConnection, resource.as_str(), c.name.clone());
            }
        }
    }
}

// ---- ARM → manifest (hubctl import) ----

/// `connections`; what a manifest cannot hold is named in a comment.
pub(crate) fn read_connections(out: &mut Manifest, connections: Option<&Vec<Connection>>) {
    let Some(connections) = connections.filter(|c| !c.is_empty()) else { return };
    out.push_str("  connections:\n");
    for c in connections {
        let category = category_word(&c.properties.category);
        let metadata = |key: &str| c.properties.metadata.as_ref().and_then(|m| m.get(key));
        // hubctl cannot manage an API key yet (validation refuses `auth: apiKey`): the
        // connection is named in a comment, not written as an entry that would not load.
        if c.properties.auth_type.eq_ignore_ascii_case("ApiKey") {
            out.not_expressed("    ", format!("connection {} ({}) uses an API key, which hubctl cannot manage yet; left as it is", c.name, c.properties.category));
            continue;
        }
        if !c.properties.auth_type.eq_ignore_ascii_case("AAD") {
            out.not_expressed(
                "    ",
                format!(
                    "connection {} ({}) uses auth {}, which a manifest cannot hold (only entraId); left as it is",
                    c.name, c.properties.category, c.properties.auth_type
                ),
            );
            continue;
        }
        let (Some(category), Some(resource)) = (category, metadata("ResourceId")) else {
            out.not_expressed(
                "    ",
                format!("connection {} ({}) cannot be expressed", c.name, c.properties.category),
            );
            continue;
        };
        let container = match (category, metadata("ContainerName")) {
            ("storage", Some(container)) => format!(", container: {container}"),
            ("storage", None) => {
                out.not_expressed("    ", format!("connection {} (storage) names no container, which hubctl needs; left as it is", c.name));
                continue;
            }
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "    - {{ name: {}, category: {category}, resource: {resource}, auth: entraId{container} }}",
            c.name
        );
    }
}
