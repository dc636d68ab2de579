//! Benchmark: load and validate 1,000 generated hub manifests (issue 2's target: under 1 s on
//! a 2-core machine).
//!
//! Each manifest is as rich as `examples/hubs/locked-down.yaml` (customer-managed key, user
//! identity, approved outbound with all three rule kinds, a connection, hub and project access,
//! two projects), with its own name, resource group and rule set so no work is shared.
//! Two measurements: from files in a folder (what `hubctl validate DIR` does, reading included)
//! and from memory (parsing and checking only). Prints a table; `cargo bench -p hubctl-spec`.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const HUBS: usize = 1_000;
const RUNS: usize = 7;

fn manifest(i: usize) -> String {
    let sub = format!("00000000-0000-0000-0000-{:012}", i % 10 + 1);
    let rg = format!("rg-team-{}", i / 10);
    let p = format!("/subscriptions/{sub}/resourceGroups/{rg}/providers");
    format!(
        r#"# yaml-language-server: $schema=../schemas/hub.schema.json
apiVersion: hubctl/v1
kind: Hub
metadata:
  name: hub-{i:04}
  subscription: {sub}
  resourceGroup: {rg}
  location: eastus2
  tags: {{ costCenter: "{i}", team: team-{i} }}
spec:
  displayName: Hub {i}
  description: Generated hub number {i}
  storageAccount: {p}/Microsoft.Storage/storageAccounts/hubsa{i}
  credentialStore:
    keyVault: {p}/Microsoft.KeyVault/vaults/hub-kv-{i}
  applicationInsights: {p}/Microsoft.Insights/components/hub-ai-{i}
  containerRegistry: {p}/Microsoft.ContainerRegistry/registries/hubacr{i}
  identity:
    type: systemAssigned,userAssigned
    userAssigned: [{p}/Microsoft.ManagedIdentity/userAssignedIdentities/hub-id-{i}]
    primary: {p}/Microsoft.ManagedIdentity/userAssignedIdentities/hub-id-{i}
  storageAccess: identity
  encryption:
    type: customerManaged
    keyVault: {p}/Microsoft.KeyVault/vaults/cmk-{i}
    keyUri: https://cmk-{i}.vault.azure.net/keys/hub-key/{i:032x}
    identity: {p}/Microsoft.ManagedIdentity/userAssignedIdentities/hub-id-{i}
  highBusinessImpact: true
  network:
    publicNetworkAccess: disabled
    isolation: privateWithApprovedOutbound
    firewallSku: standard
    outboundRules:
      - {{ name: pypi-{i}, fqdn: pypi.org }}
      - name: lake-{i}
        privateEndpoint: {{ resource: {p}/Microsoft.Storage/storageAccounts/lake{i}, subresource: dfs }}
      - name: adf-{i}
        serviceTag: {{ tag: DataFactory, protocol: TCP, ports: "443" }}
  connections:
    - {{ name: ais-{i}, category: aiServices, resource: {p}/Microsoft.CognitiveServices/accounts/ais-{i}, auth: entraId }}
  access:
    assignments:
      - {{ principal: 7d2f6a0e-0000-0000-0000-{i:012}, principalType: group, role: Azure AI Developer }}
      - {{ principal: 7d2f6a0e-0001-0000-0000-{i:012}, principalType: group, role: Azure AI Administrator }}
      - {{ principal: 7d2f6a0e-0002-0000-0000-{i:012}, principalType: servicePrincipal, role: Reader }}
  projects:
    - name: proj-a-{i}
      displayName: Project A {i}
      access:
        assignments:
          - {{ principal: 7d2f6a0e-0003-0000-0000-{i:012}, principalType: user, role: Foundry User }}
    - name: proj-b-{i}
      description: Project B {i}
"#
    )
}

fn measure(mut run: impl FnMut()) -> (Duration, Duration) {
    run(); // warm the page cache and the allocator
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[0], times[RUNS / 2])
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let texts: Vec<(PathBuf, String)> =
        (0..HUBS).map(|i| (dir.path().join(format!("hub-{i:04}.yaml")), manifest(i))).collect();
    let bytes: usize = texts.iter().map(|(_, t)| t.len()).sum();
    for (path, text) in &texts {
        std::fs::write(path, text).unwrap();
    }

    let folder = [dir.path().to_path_buf()];
    let desired = hubctl_spec::load(&folder).expect("generated manifests are valid");
    assert_eq!(desired.hubs.len(), HUBS);

    let (files_min, files_median) = measure(|| {
        let desired = hubctl_spec::load(&folder).unwrap();
        assert_eq!(desired.hubs.len(), HUBS);
    });
    let (memory_min, memory_median) = measure(|| {
        let desired =
            hubctl_spec::load_many(texts.iter().map(|(p, t)| (p.as_path(), t.as_str()))).unwrap();
        assert_eq!(desired.hubs.len(), HUBS);
    });
    let one = manifest(0);
    let (single_min, single_median) = measure(|| {
        hubctl_spec::load_str(Path::new("hub.yaml"), &one).unwrap();
    });

    println!(
        "validate: {HUBS} generated manifests, {} KiB of YAML, {RUNS} runs each",
        bytes / 1024
    );
    println!("{:<34} {:>12} {:>12} {:>12}", "case", "min", "median", "target");
    let row = |name: &str, min: Duration, median: Duration, target: &str| {
        println!(
            "{name:<34} {:>9.1} ms {:>9.1} ms {target:>12}",
            min.as_secs_f64() * 1e3,
            median.as_secs_f64() * 1e3
        );
    };
    row("1,000 files from a folder", files_min, files_median, "< 1000 ms");
    row("1,000 documents from memory", memory_min, memory_median, "-");
    row("one manifest from memory", single_min, single_median, "-");
}
