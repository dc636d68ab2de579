//! Stage two of parsing: one document's [`Node`] tree to a typed [`Hub`], with every
//! field-level and cross-field check of a single manifest — one module per manifest section,
//! with the same names as in hubctl-plan and the emulator:
//!
//! | module | fields |
//! |---|---|
//! | [`hub`] | the document, `metadata` (tags included), `spec` itself and its plain fields |
//! | [`foundry`] | a `kind: Foundry` document: its spec, network, encryption and projects (connections and access read by their sections) |
//! | [`identity`] | `identity`, `credentialStore`, `encryption` |
//! | [`network`] | `network` (isolation, firewall, outbound rules) |
//! | [`connections`] | `connections` |
//! | [`access`] | `access` (hub and project level) |
//! | [`projects`] | `projects` |
//!
//! Checks that span documents (two manifests for one hub, workspace names shared in a resource
//! group) live in [`crate::check`]. Each section's field lists are also the manifest's field
//! lists in the JSON Schema; a test in [`crate::schema`] keeps the two equal.

use std::collections::BTreeMap;

use crate::problem::Problem;
use crate::read::{Cx, Field, Fields};
use crate::source::{FieldPath, Pos};

pub(crate) mod access;
pub(crate) mod connections;
pub(crate) mod foundry;
pub(crate) mod hub;
pub(crate) mod identity;
pub(crate) mod network;
pub(crate) mod projects;

pub use hub::{API_VERSION, NON_MANIFEST_KINDS, RESERVED_TAG_COUNT, RESERVED_TAG_PREFIX};
pub(crate) use hub::{DocumentOutcome, document};

/// `impl Choice` for an enum: its names as written and its values.
macro_rules! choice {
    ($t:ty { $($name:literal => $value:expr),+ $(,)? }) => {
        impl Choice for $t {
            const NAMES: &'static [&'static str] = &[$($name),+];
            const VALUES: &'static [Self] = &[$($value),+];
        }
    };
}

pub(crate) use choice;

/// A value's name as written in manifests (`privateWithApprovedOutbound`, `entraId`).
pub(crate) fn word<T: crate::read::Choice + PartialEq>(value: T) -> &'static str {
    T::VALUES.iter().position(|v| *v == value).map_or("", |i| T::NAMES[i])
}

/// The manifest of `hub` as JSON in its own field names and shape, every default filled in and
/// every unmanaged (left out) optional field absent: what a reviewer reads in a create and
/// what a policy sees as `input.manifest`. Each section writes its own part.
pub fn view(hub: &crate::model::Hub) -> serde_json::Value {
    hub::view(hub)
}

/// [`view`] for a Foundry resource manifest.
pub fn view_foundry(foundry: &crate::model::Foundry) -> serde_json::Value {
    foundry::view(foundry)
}

/// A list of items named by `name` — a valid service name (`name` says what kind in messages), unique
/// in the list case-insensitively (`what` in the duplicate message) — each a mapping of
/// `allowed` fields whose other fields `read` takes.
pub(crate) struct NamedList<T: 'static> {
    pub allowed: &'static [&'static str],
    pub what: &'static str,
    pub name: &'static str,
    /// The service's naming rule for the items.
    pub names: hub::NameRule,
    pub read: fn(&mut Cx<'_>, Item<'_, '_>) -> Option<T>,
}

/// One item of a [`NamedList`]: its fields, its path, and its name when that was valid.
pub(crate) struct Item<'a, 'n> {
    pub fields: &'a Fields<'n>,
    pub path: &'a FieldPath,
    pub name: Option<String>,
}

/// Read a [`NamedList`]. Every problem of every item is reported; `None` when there was any.
pub(crate) fn named_list<T>(
    cx: &mut Cx<'_>,
    field: Field<'_>,
    path: &FieldPath,
    list: &NamedList<T>,
) -> Option<Vec<T>> {
    let items = cx.list(field, path)?;
    let mut ok = true;
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, Pos> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let item_path = path.index(i);
        let Some(fields) = cx.mapping(item, &item_path, list.allowed) else {
            ok = false;
            continue;
        };
        let name = fields
            .required(cx, "name")
            .and_then(|(f, p)| hub::service_name(cx, f, &p, list.name, list.names));
        if let Some(name) = &name {
            let key = name.to_ascii_lowercase();
            if let Some(first) = seen.get(&key) {
                let first = cx.location(*first);
                let problem = Problem::DuplicateName { what: list.what, name: name.clone(), first };
                cx.report(fields.position("name"), &item_path.field("name"), problem);
                ok = false;
            } else {
                seen.insert(key, fields.position("name"));
            }
        }
        match (list.read)(cx, Item { fields: &fields, path: &item_path, name }) {
            Some(item) => out.push(item),
            None => ok = false,
        }
    }
    ok.then_some(out)
}
