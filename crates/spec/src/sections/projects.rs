//! Projects: `projects` — name, display name, description and access.

use super::access::access;
use super::{Item, NamedList};
use crate::model::*;
use crate::read::Cx;

pub(crate) const PROJECT_FIELDS: &[&str] = &["name", "displayName", "description", "access"];

/// `projects`: a list of named items.
pub(crate) const PROJECTS: NamedList<Project> = NamedList {
    allowed: PROJECT_FIELDS,
    what: "project",
    name: "workspace name",
    names: super::hub::SERVICE_NAMES,
    read,
};

/// One item of [`PROJECTS`].
fn read(cx: &mut Cx<'_>, item: Item<'_, '_>) -> Option<Project> {
    let Item { fields, name, .. } = item;
    let display_name = fields.optional_string(cx, "displayName");
    let description = fields.optional_string(cx, "description");
    let access = match fields.get(cx, "access") {
        Some((f, p)) => access(cx, f, &p),
        None => Some(Access::default()),
    };
    match (name, display_name, description, access) {
        (Some(name), Ok(display_name), Ok(description), Some(access)) => {
            Some(Project { name, display_name, description, access })
        }
        _ => None,
    }
}

// ---- the manifest as JSON (see [`super::view`]) ----

pub(crate) fn view(project: &Project) -> serde_json::Value {
    let mut out = serde_json::json!({ "name": project.name });
    if let Some(v) = &project.display_name {
        out["displayName"] = serde_json::json!(v);
    }
    if let Some(v) = &project.description {
        out["description"] = serde_json::json!(v);
    }
    out["access"] = super::access::view(&project.access);
    out
}
