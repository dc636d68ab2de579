//! ARM → manifest: the text `hubctl import` writes for a live hub, one section after another
//! (each section's reading sits beside its diff and its ARM bodies in [`crate::sections`]).
//!
//! Values the service sets itself (ids, states, its own rules, a project's inherited settings)
//! are left out; what a manifest cannot express is written as a comment, so nothing is dropped
//! silently. The result plans to no changes against the hub it was read from.

use std::fmt::Write as _;

use hubctl_model::{LiveFoundry, LiveHub};

use crate::sections::{access, connections, hub, identity, network, projects};

/// YAML scalar: quoted when YAML would read it as anything but this string.
pub(crate) fn scalar(text: &str) -> String {
    let plain = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || " -_./,()".contains(c))
        && !text.starts_with(['-', ' ', '.'])
        && !text.ends_with(' ')
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "~"
        )
        && text.parse::<f64>().is_err()
        && !text.contains(": ")
        && !text.contains(" #");
    if plain { text.to_string() } else { serde_json::to_string(text).unwrap_or_default() }
}

/// A manifest being written: its text, and what of the live hub it could not express.
#[derive(Debug, Default)]
pub struct Manifest {
    /// The YAML text.
    pub text: String,
    /// Settings of the live hub a manifest cannot hold, one line each (also comments in `text`).
    pub not_expressed: Vec<String>,
    /// Principals to write by name (`group:Data Scientists`), by lower-case object id; the
    /// others are written as object ids.
    pub(crate) names: std::collections::BTreeMap<String, String>,
}

impl Manifest {
    pub(crate) fn push_str(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// A setting the manifest cannot hold: a comment at `indent`, and a line of the list
    /// `hubctl import` prints.
    pub(crate) fn not_expressed(&mut self, indent: &str, what: String) {
        self.text.push_str(&format!("{indent}# {what}\n"));
        self.not_expressed.push(what);
    }
}

impl std::fmt::Write for Manifest {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.text.push_str(text);
        Ok(())
    }
}

/// A YAML scalar inside a flow mapping (`{ a: …, b: … }`), where `,`, brackets and braces end
/// a plain scalar: quoted when it has any, else as [`scalar`].
pub(crate) fn flow_scalar(text: &str) -> String {
    if text.contains([',', '[', ']', '{', '}']) {
        serde_json::to_string(text).unwrap_or_default()
    } else {
        scalar(text)
    }
}

/// A setting's value in a few words, or none when it is at its default (absent, null, false,
/// empty).
pub(crate) fn set_value(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::Null | Value::Bool(false) => None,
        Value::String(s) if s.is_empty() => None,
        Value::Array(items) if items.is_empty() => None,
        Value::Object(map) if map.values().all(|v| set_value(v).is_none()) => None,
        Value::Array(items) => {
            Some(format!("{} entr{}", items.len(), if items.len() == 1 { "y" } else { "ies" }))
        }
        Value::String(s) => Some(format!("{s:?}")),
        other => {
            // Cut on a character boundary: values may hold any text.
            let text = other.to_string();
            if text.chars().count() <= 120 {
                return Some(text);
            }
            Some(text.chars().take(117).chain("...".chars()).collect())
        }
    }
}

/// One hub's manifest, as `hubctl import` writes it.
pub fn manifest(subscription: &str, live: &LiveHub) -> Manifest {
    manifest_named(subscription, live, &std::collections::BTreeMap::new())
}

/// [`manifest`], with the principals in `names` (lower-case object id → `user:…`, `group:…`,
/// `app:…`, each known to resolve back to that id alone) written by name.
pub fn manifest_named(
    subscription: &str,
    live: &LiveHub,
    names: &std::collections::BTreeMap<String, String>,
) -> Manifest {
    let w = &live.workspace;
    let p = &w.properties;
    let mut out = Manifest { names: names.clone(), ..Manifest::default() };
    out.push_str(
        "# Editor completion: `hubctl schema > hub.schema.json` beside this file.\n# yaml-language-server: $schema=hub.schema.json\n",
    );
    let _ = writeln!(out, "# Imported by hubctl import from {}", w.id);
    hub::read_metadata(&mut out, subscription, w);
    out.push_str("spec:\n");
    hub::read_names(&mut out, p);
    identity::read_credential_store(&mut out, p);
    hub::read_links(&mut out, p);
    identity::read_identity(&mut out, w);
    hub::read_storage_access(&mut out, p);
    hub::read_unmanaged(&mut out, p);
    identity::read_encryption(&mut out, p);
    network::read_network(&mut out, p);
    connections::read_connections(&mut out, live.connections.as_ref());
    access::read_access(&mut out, "  ", &live.assignments);
    projects::read_projects(&mut out, live);
    out
}

/// One Foundry resource's manifest, as `hubctl import` writes it, principals in `names` by
/// name (as [`manifest_named`]).
pub fn foundry_manifest(
    subscription: &str,
    live: &LiveFoundry,
    names: &std::collections::BTreeMap<String, String>,
) -> Manifest {
    let mut out = Manifest { names: names.clone(), ..Manifest::default() };
    out.push_str(
        "# Editor completion: `hubctl schema > hub.schema.json` beside this file.\n# yaml-language-server: $schema=hub.schema.json\n",
    );
    let _ = writeln!(out, "# Imported by hubctl import from {}", live.account.id);
    crate::sections::foundry::read_foundry(&mut out, subscription, live);
    out
}

#[cfg(test)]
mod tests {
    use super::{flow_scalar, scalar, set_value};

    #[test]
    fn scalars_yaml_would_misread_are_quoted() {
        for (text, written) in [
            ("plain text", "plain text"),
            ("true", "\"true\""),
            ("4711", "\"4711\""),
            ("a: b", "\"a: b\""),
            ("-x", "\"-x\""),
            ("", "\"\""),
            ("note #1", "\"note #1\""),
        ] {
            assert_eq!(scalar(text), written, "{text:?}");
        }
        assert_eq!(flow_scalar("a, b"), "\"a, b\"");
        // Long values are cut on a character boundary, never mid-character.
        let long = serde_json::json!({ "k": "é".repeat(200) });
        assert!(set_value(&long).unwrap().ends_with("..."));
        assert_eq!(set_value(&serde_json::json!({ "a": false, "b": [] })), None);
        assert_eq!(flow_scalar("Reader"), "Reader");
    }
}
