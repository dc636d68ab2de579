//! Connections: `connections` — category, target resource, auth and (for storage) container.

use super::choice;
use super::{Item, NamedList};
use crate::model::*;
use crate::problem::Problem;
use crate::read::{Choice, Cx};

pub(crate) const CONNECTION_FIELDS: &[&str] =
    &["name", "category", "resource", "auth", "container"];

choice!(ConnectionCategory { "aiServices" => ConnectionCategory::AiServices, "aiSearch" => ConnectionCategory::AiSearch, "azureOpenAI" => ConnectionCategory::AzureOpenAi, "storage" => ConnectionCategory::Storage, "cosmosDb" => ConnectionCategory::CosmosDb });
choice!(ConnectionAuth { "entraId" => ConnectionAuth::EntraId, "apiKey" => ConnectionAuth::ApiKey });

/// `connections`: a list of named items.
pub(crate) const CONNECTIONS: NamedList<Connection> = NamedList {
    allowed: CONNECTION_FIELDS,
    what: "connection",
    name: "connection name",
    names: super::hub::SERVICE_NAMES,
    read,
};

/// One item of [`CONNECTIONS`].
fn read(cx: &mut Cx<'_>, item: Item<'_, '_>) -> Option<Connection> {
    let Item { fields, path: item_path, name } = item;
    let category =
        fields.required(cx, "category").and_then(|(f, p)| cx.choice::<ConnectionCategory>(f, &p));
    let resource = match (fields.required(cx, "resource"), category) {
        (Some((f, p)), Some(category)) => cx.arm_id(f, &p, Some(category.resource_type())),
        (Some((f, p)), None) => cx.arm_id(f, &p, None),
        (None, _) => None,
    };
    let mut auth = fields.choice_or(cx, "auth", ConnectionAuth::EntraId);
    if auth == Some(ConnectionAuth::ApiKey) {
        // The service needs the key in the body, and a key never goes in a manifest:
        // refused until keys can come from an environment variable or a Key Vault secret.
        cx.report(fields.position("auth"), &item_path.field("auth"), Problem::ApiKeyConnection);
        auth = None;
    }
    let container = match (fields.get(cx, "container"), category) {
        (Some((f, p)), Some(ConnectionCategory::Storage)) => {
            cx.nonempty_string(f, &p).and_then(|c| {
                // Azure's container names: 3–63 lower-case letters, digits and single
                // hyphens, starting and ending with a letter or digit.
                let valid = (3..=63).contains(&c.len())
                    && c.chars()
                        .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
                    && !c.starts_with('-')
                    && !c.ends_with('-')
                    && !c.contains("--");
                if !valid {
                    cx.report(f.node.at, &p, Problem::ContainerName { value: c.clone() });
                }
                valid.then_some(Some(c))
            })
        }
        (Some((f, p)), Some(_)) => {
            cx.report(f.node.at, &p, Problem::ContainerOnlyForStorage);
            None
        }
        (None, Some(ConnectionCategory::Storage)) => {
            cx.report(fields.at, item_path, Problem::ContainerRequired);
            None
        }
        (_, _) => Some(None),
    };
    match (name, category, resource, auth, container) {
        (Some(name), Some(category), Some(resource), Some(auth), Some(container)) => {
            Some(Connection { name, category, resource, auth, container })
        }
        _ => None,
    }
}

// ---- the manifest as JSON (see [`super::view`]) ----

pub(crate) fn view(connection: &Connection) -> serde_json::Value {
    let mut out = serde_json::json!({
        "name": connection.name,
        "category": super::word(connection.category),
        "resource": connection.resource.as_str(),
        "auth": super::word(connection.auth),
    });
    if let Some(container) = &connection.container {
        out["container"] = serde_json::json!(container);
    }
    out
}
