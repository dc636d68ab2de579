//! One module per manifest section — the same names as in hubctl-spec (reading and checking)
//! and the emulator (serving and refusing), so a field is found by file name alone:
//!
//! | module | manifest fields |
//! |---|---|
//! | [`hub`] | `metadata`, `displayName`, `description`, `storageAccount`, `applicationInsights`, `containerRegistry`, `storageAccess`, tags |
//! | [`identity`] | `identity`, `credentialStore`, `encryption`, `highBusinessImpact` |
//! | [`network`] | `network.publicNetworkAccess`, `network.isolation`, `network.firewallSku`, `network.outboundRules` |
//! | [`connections`] | `connections` |
//! | [`access`] | `access` (at the hub and at each project) |
//! | [`projects`] | `projects` |
//! | [`foundry`] | a `kind: Foundry` manifest: the account (`customSubDomainName`, `sku`, `identity`, `localAuth`, `network`, `encryption`) and its `projects`; connections and access through the sections above |
//!
//! Each holds side by side what the section means in ARM, both ways: the diff of live against
//! the manifest (methods of the planner), the manifest → ARM bodies (create and PATCH), and
//! the ARM → manifest reading `hubctl import` writes ([`crate::import`]). A round-trip property
//! test per section (tests/round_trip.rs) keeps the two directions each other's inverse.

use hubctl_model::{ArmId, LiveHub, WorkspaceProperties, same_id};
use hubctl_spec::model as spec;
use serde_json::{Value, json};

use crate::change::FieldChange;
use crate::reasons::Reason;

pub mod access;
pub mod connections;
pub mod foundry;
pub mod hub;
pub mod identity;
pub mod network;
pub mod projects;

pub(crate) fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

pub(crate) fn field(name: &str, before: Option<Value>, after: Option<Value>) -> FieldChange {
    FieldChange { field: name.to_string(), before, after }
}

pub(crate) fn opt_str(value: Option<&str>) -> Option<Value> {
    value.map(|v| Value::String(v.to_string()))
}

pub(crate) fn same_opt_id(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => same_id(a, b),
        _ => false,
    }
}

/// What the sections find on a live hub workspace, gathered into its one change: refusals,
/// field lines (in the order the sections add them, which is the plan's order) and the PATCH
/// body.
pub(crate) struct HubUpdate {
    pub blocked: Vec<Reason>,
    pub fields: Vec<FieldChange>,
    pub patch: Value,
    /// Manifest values the service overrides, with why (shown as notes, never changes).
    pub overridden: Vec<String>,
}

impl HubUpdate {
    pub fn new() -> HubUpdate {
        HubUpdate {
            blocked: Vec::new(),
            fields: Vec::new(),
            patch: json!({ "properties": {} }),
            overridden: Vec::new(),
        }
    }

    /// A refused field.
    pub fn block(
        &mut self,
        reason: Reason,
        name: &str,
        before: Option<Value>,
        after: Option<Value>,
    ) {
        self.blocked.push(reason);
        self.fields.push(field(name, before, after));
    }

    /// A service enum set in place when live (`None`: the service's default) differs:
    /// (manifest field, ARM property); the line shows both values in the manifest's words
    /// (`word`), the PATCH carries ARM's.
    pub fn enum_field(
        &mut self,
        (name, arm): (&str, &str),
        (live, desired): (&str, &str),
        word: fn(&str) -> String,
    ) {
        if !live.eq_ignore_ascii_case(desired) {
            self.fields.push(field(name, Some(json!(word(live))), Some(json!(word(desired)))));
            self.patch["properties"][arm] = json!(desired);
        }
    }

    /// A field changed in place: its line, and `properties.{arm}` in the PATCH.
    pub fn set(&mut self, name: &str, before: Option<Value>, arm: &str, value: Value) {
        self.fields.push(field(name, before, Some(value.clone())));
        self.patch["properties"][arm] = value;
    }
}

/// The hub a section plans for: its manifest, id key, ARM id, and what is live of it (none
/// when it does not exist yet).
pub(crate) struct HubAt<'a> {
    pub hub: &'a spec::Hub,
    pub key: &'a str,
    pub id: &'a ArmId,
    pub live: Option<&'a LiveHub>,
}

/// Display name and description (of the hub, `path` `spec`, or of a project): changed in
/// place, left alone when the manifest does not set them.
pub(crate) fn names(
    path: &str,
    live: &WorkspaceProperties,
    wanted: [Option<&str>; 2],
    update: &mut HubUpdate,
) {
    let [display_name, description] = wanted;
    for (name, arm, live_value, desired_value) in [
        ("displayName", "friendlyName", live.friendly_name.as_deref(), display_name),
        ("description", "description", live.description.as_deref(), description),
    ] {
        if let Some(d) = desired_value
            && live_value.unwrap_or_default() != d
        {
            update.set(&format!("{path}.{name}"), opt_str(live_value), arm, json!(d));
        }
    }
}

/// An ARM enum value in the manifest's words: camel case (`Enabled` → `enabled`,
/// `SystemAssigned,UserAssigned` → `systemAssigned,userAssigned`); values the manifest spells
/// differently are mapped by their sections.
pub(crate) fn camel(arm: &str) -> String {
    arm.split(',')
        .map(|part| {
            let part = part.trim();
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A resource's fields as the manifest spells them, leaf by leaf (`fqdn`,
/// `privateEndpoint.subresource`), one line each: every leaf of `after` that differs from
/// `before` (all of them for a create), then the leaves only `before` has (all for a delete).
pub(crate) fn leaf_fields(
    prefix: &str,
    before: &[(&str, Value)],
    after: &[(&str, Value)],
) -> Vec<FieldChange> {
    let same = |a: &Value, b: &Value| match (a.as_str(), b.as_str()) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => a == b,
    };
    let mut out = Vec::new();
    for (key, value) in after {
        let old = before.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        if !old.is_some_and(|old| same(old, value)) {
            out.push(field(&format!("{prefix}.{key}"), old.cloned(), Some(value.clone())));
        }
    }
    for (key, value) in before.iter().filter(|(k, _)| !after.iter().any(|(a, _)| a == k)) {
        out.push(field(&format!("{prefix}.{key}"), Some(value.clone()), None));
    }
    out
}

/// Every leaf of `value` (a part of [`hubctl_spec::view`]) as a field set by a create, under
/// `prefix`, skipping the keys in `skip` (sections that are changes of their own): objects
/// nest with `.`, a list of named items by name (`sharedPrivateLinks.x.groupId`), a list of
/// plain values is one leaf; empty objects and lists are nothing set.
pub(crate) fn created_fields(prefix: &str, value: &Value, skip: &[&str]) -> Vec<FieldChange> {
    fn walk(path: &str, value: &Value, skip: &[&str], out: &mut Vec<FieldChange>) {
        let join =
            |key: &str| if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    let at = join(key);
                    if !skip.contains(&at.as_str()) {
                        walk(&at, v, skip, out);
                    }
                }
            }
            Value::Array(items)
                if items.iter().all(|i| i.get("name").is_some_and(Value::is_string))
                    && !items.is_empty() =>
            {
                for item in items {
                    let name = item["name"].as_str().unwrap_or_default();
                    let mut rest = item.clone();
                    if let Some(map) = rest.as_object_mut() {
                        map.remove("name");
                    }
                    walk(&join(name), &rest, skip, out);
                }
            }
            Value::Array(items) if items.is_empty() => {}
            other => out.push(field(path, None, Some(other.clone()))),
        }
    }
    let mut out = Vec::new();
    walk(prefix, value, skip, &mut out);
    out
}
