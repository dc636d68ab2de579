//! Projects: `projects` — name, display name, description and access.

use std::collections::BTreeMap;

use super::access::access;
use super::hub::service_name;
use super::optional_string;
use crate::model::*;
use crate::problem::Problem;
use crate::read::{Cx, Field};
use crate::source::{FieldPath, Pos};

pub(crate) const PROJECT_FIELDS: &[&str] = &["name", "displayName", "description", "access"];

pub(crate) fn projects(
    cx: &mut Cx<'_>,
    field: Field<'_>,
    path: &FieldPath,
) -> Option<Vec<Project>> {
    let items = cx.list(field, path)?;
    let mut ok = true;
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, Pos> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let item_path = path.index(i);
        let Some(fields) = cx.mapping(item, &item_path, PROJECT_FIELDS) else {
            ok = false;
            continue;
        };
        let name = fields
            .required(cx, "name")
            .and_then(|(f, p)| service_name(cx, f, &p, "workspace name"));
        if let Some(name) = &name {
            if let Some(first) = seen.get(&name.to_ascii_lowercase()) {
                let first = cx.location(*first);
                cx.report(
                    fields.position("name"),
                    &item_path.field("name"),
                    Problem::DuplicateName { what: "project", name: name.clone(), first },
                );
                ok = false;
            } else {
                seen.insert(name.to_ascii_lowercase(), fields.position("name"));
            }
        }
        let display_name = optional_string(cx, &fields, "displayName");
        let description = optional_string(cx, &fields, "description");
        let access = match fields.get(cx, "access") {
            Some((f, p)) => access(cx, f, &p),
            None => Some(Access::default()),
        };
        match (name, display_name, description, access) {
            (Some(name), Ok(display_name), Ok(description), Some(access)) => {
                out.push(Project { name, display_name, description, access })
            }
            _ => ok = false,
        }
    }
    ok.then_some(out)
}
