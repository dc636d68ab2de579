//! Connections: `connections` — category, target resource, auth and (for storage) container.

use std::collections::BTreeMap;

use super::hub::service_name;
use super::{choice, choice_or};
use crate::model::*;
use crate::problem::Problem;
use crate::read::{Choice, Cx, Field};
use crate::source::{FieldPath, Pos};

pub(crate) const CONNECTION_FIELDS: &[&str] =
    &["name", "category", "resource", "auth", "container"];

choice!(ConnectionCategory { "aiServices" => ConnectionCategory::AiServices, "aiSearch" => ConnectionCategory::AiSearch, "azureOpenAI" => ConnectionCategory::AzureOpenAi, "storage" => ConnectionCategory::Storage });
choice!(ConnectionAuth { "entraId" => ConnectionAuth::EntraId, "apiKey" => ConnectionAuth::ApiKey });

pub(crate) fn connections(
    cx: &mut Cx<'_>,
    field: Field<'_>,
    path: &FieldPath,
) -> Option<Vec<Connection>> {
    let items = cx.list(field, path)?;
    let mut ok = true;
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, Pos> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let item_path = path.index(i);
        let Some(fields) = cx.mapping(item, &item_path, CONNECTION_FIELDS) else {
            ok = false;
            continue;
        };
        let name = fields
            .required(cx, "name")
            .and_then(|(f, p)| service_name(cx, f, &p, "connection name"));
        if let Some(name) = &name {
            if let Some(first) = seen.get(&name.to_ascii_lowercase()) {
                let first = cx.location(*first);
                cx.report(
                    fields.position("name"),
                    &item_path.field("name"),
                    Problem::DuplicateName { what: "connection", name: name.clone(), first },
                );
                ok = false;
            } else {
                seen.insert(name.to_ascii_lowercase(), fields.position("name"));
            }
        }
        let category = fields
            .required(cx, "category")
            .and_then(|(f, p)| cx.choice::<ConnectionCategory>(f, &p));
        let resource = match (fields.required(cx, "resource"), category) {
            (Some((f, p)), Some(category)) => cx.arm_id(f, &p, Some(category.resource_type())),
            (Some((f, p)), None) => cx.arm_id(f, &p, None),
            (None, _) => None,
        };
        let mut auth = choice_or(cx, &fields, "auth", ConnectionAuth::EntraId);
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
                cx.report(fields.at, &item_path, Problem::ContainerRequired);
                None
            }
            (_, _) => Some(None),
        };
        match (name, category, resource, auth, container) {
            (Some(name), Some(category), Some(resource), Some(auth), Some(container)) => {
                out.push(Connection { name, category, resource, auth, container })
            }
            _ => ok = false,
        }
    }
    ok.then_some(out)
}
