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

/// One hub's manifest text, as `hubctl import` writes it.
pub fn manifest(subscription: &str, live: &LiveHub) -> String {
    let w = &live.workspace;
    let p = &w.properties;
    let mut out = String::from(
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
    identity::read_encryption(&mut out, p);
    network::read_network(&mut out, p);
    connections::read_connections(&mut out, live.connections.as_ref());
    access::read_access(&mut out, "  ", &live.assignments);
    projects::read_projects(&mut out, live);
    out
}

#[cfg(test)]
mod tests {
    use super::scalar;

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
    }
}
