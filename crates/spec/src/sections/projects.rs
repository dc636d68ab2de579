//! Projects: `projects` — name, display name, description and access.

use super::access::access;
use super::{Item, NamedList};
use crate::model::*;
use crate::read::Cx;

pub(crate) const PROJECT_FIELDS: &[&str] = &["name", "displayName", "description", "access"];

/// `projects`: a list of named items.
pub(crate) const PROJECTS: NamedList<Project> =
    NamedList { allowed: PROJECT_FIELDS, what: "project", name: "workspace name", read };

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
