//! `hubctl validate` end to end: the real binary on files and folders.

use std::fs;

use std::path::Path;

use crate::support::{examples, hub, hubctl};

/// `hubctl validate ARGS` run in `dir`: (exit code, stdout, stderr).
fn validate_in(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let output = hubctl().current_dir(dir).arg("validate").args(args).output().unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (output.status.code(), text(output.stdout), text(output.stderr))
}

#[test]
fn examples_are_valid() {
    let (code, stdout, stderr) = validate_in(&examples(), &["hubs"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, "valid: 2 hub(s) with 3 project(s) in 2 file(s)\n");
}

#[test]
fn all_problems_of_all_files_are_listed_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("team")).unwrap();
    fs::write(dir.path().join("a.yaml"), hub("  storageAccess: key\n")).unwrap();
    fs::write(
        dir.path().join("team/b.yml"),
        hub("").replace("contoso-hub", "b-hub").replace("eastus2", "East US"),
    )
    .unwrap();
    fs::write(dir.path().join("notes.txt"), "not a manifest").unwrap();
    fs::write(dir.path().join(".hidden.yaml"), "not: [valid").unwrap();
    let (code, stdout, stderr) = validate_in(dir.path(), &["."]);
    assert_eq!((code, stdout.as_str()), (Some(1), ""));
    insta::assert_snapshot!(stderr, @r#"
    ./a.yaml:10:18: spec.storageAccess: unknown value "key", expected one of `identity`, `credential`
    ./team/b.yml:7:13: metadata.location: "East US" is not an Azure region name; expected the short form, lower case without spaces (e.g. eastus)
    invalid: 2 problem(s) in 2 file(s)
    "#);
}

#[test]
fn a_non_utf8_file_names_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = hub("").into_bytes();
    let at = bytes.windows(7).position(|w| w == b"eastus2").unwrap();
    bytes[at + 4] = 0xff;
    fs::write(dir.path().join("hub.yaml"), bytes).unwrap();
    let (code, _, stderr) = validate_in(dir.path(), &["hub.yaml"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        stderr,
        "hub.yaml:7:17: the file is not valid UTF-8 (byte 17 of this line); manifests must be UTF-8 text\ninvalid: 1 problem(s) in 1 file(s)\n"
    );
}

#[test]
fn a_missing_path_and_an_empty_folder_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("empty")).unwrap();
    let (code, _, stderr) = validate_in(dir.path(), &["nope.yaml", "empty"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        stderr,
        "empty:1:1: no *.yaml or *.yml file in this folder\nnope.yaml:1:1: cannot read the file: No such file or directory (os error 2)\ninvalid: 2 problem(s) in 2 file(s)\n"
    );
}

#[test]
fn an_oversized_file_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let file = fs::File::create(dir.path().join("big.yaml")).unwrap();
    file.set_len(hubctl_spec::MAX_FILE_BYTES + 1).unwrap();
    let (code, _, stderr) = validate_in(dir.path(), &["big.yaml"]);
    assert_eq!(code, Some(1));
    assert!(stderr.starts_with("big.yaml:1:1: cannot read the file: it is 8388609 bytes; manifest files are limited to 8388608 bytes\n"), "{stderr}");
}

#[test]
fn validate_defaults_to_the_current_folder() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("hub.yaml"), hub("")).unwrap();
    let (code, stdout, _) = validate_in(dir.path(), &[]);
    assert_eq!(
        (code, stdout.as_str()),
        (Some(0), "valid: 1 hub(s) with 0 project(s) in 1 file(s)\n")
    );
}

#[test]
fn a_usage_error_exits_1_never_the_2_of_changes_pending() {
    // CONTRACT §3: 1 is an error; 2 means changes pending for plan and drift.
    let typo = hubctl().args(["plan", "--format", "yml"]).output().unwrap();
    assert_eq!(typo.status.code(), Some(1), "{}", String::from_utf8_lossy(&typo.stderr));
    assert!(String::from_utf8_lossy(&typo.stderr).contains("--format"));
    let help = hubctl().args(["plan", "--help"]).output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("--max-chars"));
}

#[test]
fn foundry_examples_are_valid_and_foundry_mistakes_are_listed_with_their_place() {
    let (code, stdout, stderr) = validate_in(&examples(), &["hubs", "foundry"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(stdout, "valid: 2 hub(s), 2 Foundry resource(s) with 6 project(s) in 4 file(s)\n");
    let dir = tempfile::tempdir().unwrap();
    let sub = "00000000-0000-0000-0000-000000000001";
    let uai = format!(
        "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u"
    );
    let sa = format!(
        "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa"
    );
    fs::write(
        dir.path().join("foundry.yaml"),
        format!(
            "apiVersion: hubctl/v1\nkind: Foundry\nmetadata: {{ name: f1, subscription: {sub}, resourceGroup: rg, location: eastus2 }}\nspec:\n  customSubDomainName: Bad_Name\n  identity: {{ type: userAssigned, userAssigned: [{uai}], primary: {uai} }}\n  network: {{ ipRules: [300.1.1.1], virtualNetworkRules: [{sa}] }}\n  encryption: {{ type: customerManaged, keyVaultUri: \"https://kv.vault.azure.net/keys/k\", keyName: k }}\n  deployments:\n    - {{ name: chat, model: {{ name: gpt-4o }}, sku: {{ name: Standard, capacity: 0 }}, contentFilter: strict }}\n  projects:\n    - {{ name: p1, agents: {{ storage: [files] }} }}\n"
        ),
    )
    .unwrap();
    let (code, stdout, stderr) = validate_in(dir.path(), &["."]);
    assert_eq!((code, stdout.as_str()), (Some(1), ""));
    for expected in [
        "./foundry.yaml:5:24: spec.customSubDomainName: \"Bad_Name\" is not a valid custom subdomain name",
        "spec.identity.primary: unknown field `primary`, expected one of `type`, `userAssigned`",
        "spec.network.ipRules[0]: \"300.1.1.1\" is not an IPv4 address or CIDR range",
        "spec.network.virtualNetworkRules[0]: expected the id of a virtual network subnet",
        "spec.encryption: missing required field `keyVersion`",
        "spec.encryption.keyVaultUri: \"https://kv.vault.azure.net/keys/k\" is not a key vault URI",
        "spec.deployments[0].sku.capacity: expected a whole number of capacity units, at least 1",
        "spec.projects[0].agents.storage[0]: connection \"files\" is not declared in the connections of spec.projects[0]",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
}
