//! `hubctl_spec::view` writes a manifest back in its own words: read again, it is the same hub
//! (so every value a review or a policy sees is one a manifest can say), and every default is
//! written out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

const LOCKED_DOWN: &str = include_str!("../../../examples/hubs/locked-down.yaml");
const MINIMAL: &str = include_str!("../../../examples/hubs/minimal.yaml");

fn hub(text: &str) -> hubctl_spec::model::Hub {
    let desired = hubctl_spec::load_str(Path::new("m.yaml"), text).expect("valid");
    desired.hubs.into_iter().next().expect("one hub")
}

#[test]
fn the_view_reads_back_as_the_same_hub() {
    for text in [LOCKED_DOWN, MINIMAL] {
        let first = hub(text);
        let view = hubctl_spec::view(&first);
        // JSON is YAML: the view is itself a manifest.
        let again = hub(&serde_json::to_string_pretty(&view).unwrap());
        assert_eq!(serde_json::to_value(&first).unwrap(), serde_json::to_value(&again).unwrap());
        assert_eq!(hubctl_spec::view(&again), view);
    }
}

#[test]
fn the_view_speaks_the_manifests_words_and_fills_defaults() {
    let view = hubctl_spec::view(&hub(LOCKED_DOWN));
    assert_eq!(view["spec"]["network"]["isolation"], "privateWithApprovedOutbound");
    assert_eq!(view["spec"]["network"]["firewallSku"], "standard");
    assert_eq!(view["spec"]["encryption"]["type"], "customerManaged");
    assert_eq!(view["spec"]["identity"]["type"], "systemAssigned,userAssigned");
    assert_eq!(view["spec"]["network"]["outboundRules"][3]["serviceTag"]["protocol"], "TCP");
    assert_eq!(view["spec"]["access"]["assignments"][1]["principalType"], "group");
    let bare = MINIMAL.replace(
        "  credentialStore: microsoftManaged\n  encryption:\n    type: microsoftManaged\n",
        "",
    );
    assert_ne!(bare, MINIMAL);
    let minimal = hubctl_spec::view(&hub(&bare));
    // Left out of the manifest, filled in with the default.
    assert_eq!(minimal["spec"]["credentialStore"], "microsoftManaged");
    assert_eq!(minimal["spec"]["encryption"]["type"], "microsoftManaged");
    assert_eq!(minimal["spec"]["highBusinessImpact"], false);
}
