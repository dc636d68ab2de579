//! ARM → manifest: the text `hubctl import` writes for a live hub, one section after another
//! (each section's reading sits beside its diff and its ARM bodies in [`crate::sections`]).
//!
//! Values the service sets itself (ids, states, its own rules, a project's inherited settings)
//! are left out; what a manifest cannot express is written as a comment, so nothing is dropped
//! silently. The result plans to no changes against the hub it was read from.

use std::fmt::Write as _;

use hubctl_model::LiveHub;

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

/// One hub's manifest, as `hubctl import` writes it.
pub fn manifest(subscription: &str, live: &LiveHub) -> Manifest {
    let w = &live.workspace;
    let p = &w.properties;
    let mut out = Manifest::default();
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

#[cfg(test)]
mod tests {
    use super::{flow_scalar, scalar};

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
        assert_eq!(flow_scalar("Reader"), "Reader");
    }
}
