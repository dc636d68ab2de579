//! Helpers shared by the integration tests: manifest text builders and the binary under test.

use std::path::{Path, PathBuf};

/// The subscription every test manifest uses.
pub const SUB: &str = "00000000-0000-0000-0000-000000000001";

/// An ARM id in the test resource group: `id("Microsoft.Storage/storageAccounts", "sa")`.
pub fn id(arm_type: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg-ai/providers/{arm_type}/{name}")
}

/// A valid hub manifest whose `spec` continues with `spec_tail` from line 10 on.
///
/// ```text
/// 1 apiVersion: hubctl/v1
/// 2 kind: Hub
/// 3 metadata:
/// 4   name: contoso-hub
/// 5   subscription: 00000000-0000-0000-0000-000000000001
/// 6   resourceGroup: rg-ai
/// 7   location: eastus2
/// 8 spec:
/// 9   storageAccount: /subscriptions/…/storageAccounts/contosohubsa
/// 10  <spec_tail>
/// ```
pub fn hub(spec_tail: &str) -> String {
    hub_named("contoso-hub", spec_tail)
}

/// [`hub`] with another hub name.
pub fn hub_named(name: &str, spec_tail: &str) -> String {
    format!(
        "apiVersion: hubctl/v1\nkind: Hub\nmetadata:\n  name: {name}\n  subscription: {SUB}\n  resourceGroup: rg-ai\n  location: eastus2\nspec:\n  storageAccount: {}\n{spec_tail}",
        id("Microsoft.Storage/storageAccounts", "contosohubsa")
    )
}

/// The diagnostics for `text` read as `hub.yaml`, as printed.
pub fn problems(text: &str) -> Vec<String> {
    match hubctl_spec::load_str(Path::new("hub.yaml"), text) {
        Ok(_) => Vec::new(),
        Err(invalid) => invalid.diagnostics.iter().map(ToString::to_string).collect(),
    }
}

/// The workspace's examples folder.
pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// The text of an example hub manifest, `examples/hubs/{name}`.
pub fn example(name: &str) -> String {
    std::fs::read_to_string(examples().join("hubs").join(name)).unwrap()
}

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `hubctl` binary built for this test run.
pub fn hubctl() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("hubctl").expect("the hubctl binary is built for tests")
}
