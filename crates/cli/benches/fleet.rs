//! The fleet benchmark (issue 7): N hubs over S subscriptions — each with 3 role assignments,
//! 2 outbound rules and 2 projects — against the emulator at 20 ms latency with ARM's
//! throttling on. For each N it measures, running the real `hubctl` binary:
//!
//! - creating the fleet from nothing (`hubctl apply`),
//! - a no-op `hubctl plan`, and `hubctl drift`,
//!
//! with wall time, ARM requests by kind (the emulator's count), 429s met and hubctl's peak RSS;
//! and, for comparison, the live read done resource by resource (what Terraform does).
//!
//! `cargo bench -p hubctl --bench fleet` (all of 10, 100, 1000), or
//! `cargo bench -p hubctl --bench fleet -- 10,100` for some. Figures go in docs/performance.md.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hubctl_emulator::{Emulator, Options, Seed, Stats};

const SUBSCRIPTIONS: usize = 10;
const LATENCY_MS: u64 = 20;
/// Writes per hub when it is created: the hub, 2 rules, 2 projects, 3 role assignments, and
/// the final tag write that records the applied-manifest digest.
const WRITES_PER_HUB: usize = 9;
const CONCURRENCY: &str = "64";
const PRINCIPALS: [&str; 3] = [
    "7d2f6a0e-0000-0000-0000-000000000010",
    "7d2f6a0e-0000-0000-0000-000000000011",
    "7d2f6a0e-0000-0000-0000-000000000012",
];

fn sub(i: usize) -> String {
    format!("00000000-0000-0000-0000-{:012}", i % SUBSCRIPTIONS + 1)
}

fn seed() -> Seed {
    let mut text = String::from("apiVersion: hubctl/v1\nkind: LocalCloudSeed\nsubscriptions:\n");
    for s in 0..SUBSCRIPTIONS {
        text.push_str(&format!(
            "  - id: {}\n    resourceGroups:\n      - name: rg-fleet\n        location: eastus2\n        resources:\n          - {{ type: Microsoft.Storage/storageAccounts, name: fleetsa }}\n",
            sub(s)
        ));
    }
    text.push_str("principals:\n");
    for p in PRINCIPALS {
        text.push_str(&format!("  - {{ id: {p}, type: Group }}\n"));
    }
    Seed::from_text(&text).unwrap()
}

fn manifest(i: usize) -> String {
    let sub = sub(i);
    let roles = ["Reader", "Azure AI Developer", "Azure AI Administrator"];
    let access: String = PRINCIPALS
        .iter()
        .zip(roles)
        .map(|(p, r)| format!("      - {{ principal: {p}, principalType: group, role: {r} }}\n"))
        .collect();
    format!(
        "apiVersion: hubctl/v1\nkind: Hub\nmetadata:\n  name: fleet-{i:04}\n  subscription: {sub}\n  resourceGroup: rg-fleet\n  location: eastus2\nspec:\n  description: Fleet hub {i}\n  storageAccount: /subscriptions/{sub}/resourceGroups/rg-fleet/providers/Microsoft.Storage/storageAccounts/fleetsa\n  network:\n    isolation: privateWithApprovedOutbound\n    outboundRules:\n      - {{ name: pypi, fqdn: pypi.org }}\n      - {{ name: conda, fqdn: conda.anaconda.org }}\n  access:\n    assignments:\n{access}  projects:\n    - {{ name: fleet-{i:04}-a }}\n    - {{ name: fleet-{i:04}-b }}\n"
    )
}

struct Measure {
    wall: Duration,
    code: i32,
    peak_rss_kb: u64,
    stats_before: Stats,
    stats_after: Stats,
}

impl Measure {
    /// ARM requests by kind (the token endpoint and the emulator's own endpoints left out).
    fn requests(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (kind, after) in &self.stats_after.by_kind {
            if kind.contains("token") || kind.contains("_emulator") {
                continue;
            }
            let delta = after - self.stats_before.by_kind.get(kind).copied().unwrap_or(0);
            if delta > 0 {
                out.insert(kind.clone(), delta);
            }
        }
        out
    }
    fn total(&self) -> u64 {
        self.requests().values().sum()
    }
    fn throttled(&self) -> u64 {
        self.stats_after.throttled - self.stats_before.throttled
    }
}

/// Run hubctl against the emulator, polling its peak RSS (VmHWM) while it runs.
fn hubctl(emulator: &Emulator, dir: &Path, args: &[&str]) -> Measure {
    let stats_before = emulator.stats();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hubctl"))
        .args(args)
        .args([
            "--arm-endpoint",
            &emulator.arm_endpoint(),
            "--authority-host",
            &emulator.authority_host(),
            "--auth",
            "client-secret",
            "--concurrency",
            CONCURRENCY,
        ])
        .arg("--ca-cert")
        .arg(emulator.ca_cert_path())
        .env("AZURE_TENANT_ID", emulator.tenant_id())
        .env("AZURE_CLIENT_ID", "bench-client")
        .env("AZURE_CLIENT_SECRET", "bench-secret")
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    let code = loop {
        if let Ok(text) = std::fs::read_to_string(&status_file)
            && let Some(line) = text.lines().find(|l| l.starts_with("VmHWM:"))
        {
            peak =
                peak.max(line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0));
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status.code().unwrap_or(-1);
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Measure {
        wall: started.elapsed(),
        code,
        peak_rss_kb: peak,
        stats_before,
        stats_after: emulator.stats(),
    }
}

fn kinds(measure: &Measure) -> String {
    measure.requests().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ")
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .find(|a| a.chars().all(|c| c.is_ascii_digit() || c == ','))
        .map(|a| a.split(',').filter_map(|n| n.parse().ok()).collect())
        .unwrap_or_else(|| vec![10, 100, 1000]);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    println!(
        "fleet benchmark: {SUBSCRIPTIONS} subscriptions, emulator latency {LATENCY_MS} ms, ARM throttling on, hubctl --concurrency {CONCURRENCY}"
    );
    println!();
    println!(
        "{:>5} {:<22} {:>9} {:>9} {:>6} {:>9} {:>5}  requests by kind",
        "hubs", "case", "wall s", "requests", "429s", "peak MB", "exit"
    );
    for n in sizes {
        let options = Options {
            seed: Some(seed()),
            latency: Duration::from_millis(LATENCY_MS),
            lro: Duration::from_millis(200),
            ..Options::default()
        };
        let emulator = runtime.block_on(Emulator::start(options)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for i in 0..n {
            std::fs::write(dir.path().join(format!("fleet-{i:04}.yaml")), manifest(i)).unwrap();
        }
        let row = |case: &str, m: &Measure| {
            println!(
                "{n:>5} {case:<22} {:>9.2} {:>9} {:>6} {:>9.1} {:>5}  {}",
                m.wall.as_secs_f64(),
                m.total(),
                m.throttled(),
                m.peak_rss_kb as f64 / 1024.0,
                m.code,
                kinds(m)
            );
        };
        let create = hubctl(&emulator, dir.path(), &["apply", "--auto-approve", "."]);
        row("create (apply)", &create);
        let plan = hubctl(&emulator, dir.path(), &["plan", "."]);
        row("no-op plan", &plan);
        let drift = hubctl(&emulator, dir.path(), &["drift", "."]);
        row("drift", &drift);

        // The same live read, resource by resource (what Terraform does), through the client.
        let per_resource = runtime.block_on(per_resource_read(&emulator, n));
        println!(
            "{n:>5} {:<22} {:>9.2} {:>9} {:>6}",
            "read per resource",
            per_resource.0.as_secs_f64(),
            per_resource.1,
            per_resource.2
        );

        let per_sub = n.div_ceil(SUBSCRIPTIONS) * WRITES_PER_HUB;
        let bound = per_sub.saturating_sub(200) as f64 / 10.0;
        if bound > 0.0 {
            println!(
                "{n:>5} {:<22} {:>9.2}  (per subscription {per_sub} writes: (writes − 200 burst) / 10 per s; measured/bound = {:.2})",
                "write-throttle bound",
                bound,
                create.wall.as_secs_f64() / bound
            );
        }
        runtime.block_on(emulator.shutdown());
    }
}

async fn per_resource_read(emulator: &Emulator, n: usize) -> (Duration, u64, u64) {
    use hubctl_client::inventory::{self, HubTarget, InventoryRequest, Strategy};
    use hubctl_client::{
        ArmClient, ArmClientOptions, AuthEnv, AuthMethod, Cloud, CredentialOptions, RetryOptions,
        credential, http_client,
    };
    let cloud = Cloud::local(&emulator.arm_endpoint()).unwrap();
    let http = http_client(Some(emulator.ca_cert_path())).unwrap();
    let env = AuthEnv {
        tenant_id: Some(emulator.tenant_id()),
        client_id: Some("bench".into()),
        client_secret: Some(azure_core::credentials::Secret::new("x")),
        ..AuthEnv::default()
    };
    let credential = credential(&CredentialOptions {
        method: AuthMethod::ClientSecret,
        env,
        cloud: cloud.clone(),
        http: Some(http.clone()),
        executor: None,
    })
    .unwrap();
    let client = ArmClient::new(
        credential,
        Some(ArmClientOptions {
            cloud,
            http: Some(http),
            retry: RetryOptions::local(),
            concurrency: 64,
            ..ArmClientOptions::default()
        }),
    )
    .unwrap();
    let hubs = (0..n)
        .map(|i| HubTarget {
            subscription: sub(i),
            resource_group: "rg-fleet".into(),
            name: format!("fleet-{i:04}"),
            projects: vec![format!("fleet-{i:04}-a"), format!("fleet-{i:04}-b")],
            rules: vec!["pypi".into(), "conda".into()],
            read_connections: false,
        })
        .collect();
    let before = emulator.stats().throttled;
    let started = Instant::now();
    let (_, report) = inventory::read(
        &client,
        &InventoryRequest { hubs, role_names: Vec::new(), strategy: Strategy::PerResource },
    )
    .await
    .unwrap();
    (started.elapsed(), report.requests.total, emulator.stats().throttled - before)
}
