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
//!
//! `cargo bench -p hubctl --bench fleet -- single 1000` puts the whole fleet in one subscription
//! (issue 19: creation bounded by that subscription's write bucket, with `--concurrency 64`).
//!
//! `cargo bench -p hubctl --bench fleet -- foundry 1000` is the Foundry fleet (issue 14): N
//! Foundry resources over 10 subscriptions, 2 projects each, created and planned again.
//!
//! `cargo bench -p hubctl --bench fleet -- grown 1000,2500,5000,10000` measures how a no-op plan
//! grows with the fleet (issue 22): hubs over 100 subscriptions, each with a project and an
//! access entry, grown straight into the emulator's state from one hub that hubctl applied (so
//! the bench stays minutes long), then `hubctl plan` with wall time, CPU time, peak RSS and
//! requests for each size. With `create` (`-- grown create 10000`) the fleet is applied by
//! hubctl instead, for the creation figure against the write-throttle bound.

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hubctl_emulator::{Emulator, Options, Seed, Stats};

/// Subscriptions the fleet is spread over: 10, or 1 with `single` (issue 19: a whole fleet in
/// one subscription's throttling buckets).
static SUBSCRIPTIONS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();

fn subscriptions() -> usize {
    *SUBSCRIPTIONS.get_or_init(|| if std::env::args().any(|a| a == "single") { 1 } else { 10 })
}
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
    format!("00000000-0000-0000-0000-{:012}", i % subscriptions() + 1)
}

fn seed() -> Seed {
    let mut text = String::from("apiVersion: hubctl/v1\nkind: LocalCloudSeed\nsubscriptions:\n");
    for s in 0..subscriptions() {
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

/// A Foundry manifest of the Foundry fleet (issue 14): an account with 2 projects and an
/// access entry at its scope and at each project's.
fn foundry_manifest(i: usize) -> String {
    let sub = sub(i);
    let p = PRINCIPALS;
    format!(
        "apiVersion: hubctl/v1\nkind: Foundry\nmetadata:\n  name: foundry-{i:04}\n  subscription: {sub}\n  resourceGroup: rg-fleet\n  location: eastus2\nspec:\n  customSubDomainName: fleet-{i:04}-{s}\n  access:\n    assignments:\n      - {{ principal: {a}, principalType: group, role: Azure AI Account Owner }}\n  projects:\n    - name: proj-a\n      access:\n        assignments:\n          - {{ principal: {b}, principalType: group, role: Azure AI User }}\n    - name: proj-b\n      access:\n        assignments:\n          - {{ principal: {c}, principalType: group, role: Azure AI User }}\n",
        s = i % subscriptions() + 1,
        a = p[0],
        b = p[1],
        c = p[2],
    )
}

/// `-- foundry 1000`: N Foundry resources over the subscriptions, created by `hubctl apply`,
/// then a no-op `hubctl plan` (requests, wall time, peak RSS); docs/performance.md has the
/// request count's formula.
fn foundry(sizes: Vec<usize>) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    println!(
        "Foundry fleet: {} subscription(s), 2 projects and 3 access entries per account, emulator latency {LATENCY_MS} ms, ARM throttling on, hubctl --concurrency {CONCURRENCY}",
        subscriptions()
    );
    println!(
        "{:>5} {:<22} {:>9} {:>9} {:>6} {:>9} {:>5}  requests by kind",
        "accts", "case", "wall s", "requests", "429s", "peak MB", "exit"
    );
    for n in sizes {
        let emulator = start(&runtime, seed(), Duration::from_millis(200));
        let dir = tempfile::tempdir().unwrap();
        for i in 0..n {
            std::fs::write(dir.path().join(format!("foundry-{i:04}.yaml")), foundry_manifest(i))
                .unwrap();
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
        row("create (apply)", &hubctl(&emulator, dir.path(), &["apply", "--auto-approve", "."]));
        row("no-op plan", &hubctl(&emulator, dir.path(), &["plan", "."]));
        row("drift", &hubctl(&emulator, dir.path(), &["drift", "."]));
        runtime.block_on(emulator.shutdown());
    }
    // Deployments of one account go one at a time (the service refuses a second operation
    // on an account); accounts go in parallel. 10 accounts with 5 deployments each, created
    // with hubctl's default concurrency and with one thing at a time.
    let binary = Path::new(env!("CARGO_BIN_EXE_hubctl"));
    for (case, concurrency) in
        [("10x5 deployments, parallel", CONCURRENCY), ("10x5 deployments, serial", "1")]
    {
        let emulator = start(&runtime, seed(), Duration::from_millis(200));
        let dir = tempfile::tempdir().unwrap();
        for i in 0..10 {
            let mut text = foundry_manifest(i);
            text.push_str("  deployments:\n");
            for d in 0..5 {
                text.push_str(&format!("    - {{ name: embed-{d}, model: {{ name: text-embedding-3-large }}, sku: {{ name: Standard, capacity: 1 }} }}\n"));
            }
            std::fs::write(dir.path().join(format!("foundry-{i:04}.yaml")), text).unwrap();
        }
        let m = run_binary_with(
            binary,
            &emulator,
            dir.path(),
            &["apply", "--auto-approve", "."],
            concurrency,
        );
        println!(
            "{:>5} {case:<28} {:>9.2} {:>9} {:>6} {:>9.1} {:>5}",
            10,
            m.wall.as_secs_f64(),
            m.total(),
            m.throttled(),
            m.peak_rss_kb as f64 / 1024.0,
            m.code
        );
        runtime.block_on(emulator.shutdown());
    }
}

struct Measure {
    wall: Duration,
    /// hubctl's CPU time, user + system.
    cpu_s: f64,
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

/// The emulator at the bench's latency, throttling on.
fn start(runtime: &tokio::runtime::Runtime, seed: Seed, lro: Duration) -> Emulator {
    let latency = Duration::from_millis(LATENCY_MS);
    let options = Options { seed: Some(seed), latency, lro, ..Options::default() };
    runtime.block_on(Emulator::start(options)).unwrap()
}

/// CPU time (user + system) of this process's children that have been waited for, in seconds.
fn children_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // After the command name (which ends with ')') come fields 3 onwards of proc(5): cutime
    // and cstime (fields 16 and 17) are at 13 and 14, in clock ticks (100 a second on Linux).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(13) + ticks(14)) / 100.0
}

/// Run hubctl against the emulator, polling its peak RSS (VmHWM) while it runs.
fn hubctl(emulator: &Emulator, dir: &Path, args: &[&str]) -> Measure {
    run_binary(Path::new(env!("CARGO_BIN_EXE_hubctl")), emulator, dir, args)
}

/// Run a hubctl binary against the emulator; its stdout goes to `../<command>.out` beside `dir`.
fn run_binary(binary: &Path, emulator: &Emulator, dir: &Path, args: &[&str]) -> Measure {
    run_binary_with(binary, emulator, dir, args, CONCURRENCY)
}

fn run_binary_with(
    binary: &Path,
    emulator: &Emulator,
    dir: &Path,
    args: &[&str],
    concurrency: &str,
) -> Measure {
    let stats_before = emulator.stats();
    let cpu_before = children_cpu();
    let started = Instant::now();
    let mut child = Command::new(binary)
        .args(args)
        .args([
            "--arm-endpoint",
            &emulator.arm_endpoint(),
            "--authority-host",
            &emulator.authority_host(),
            "--auth",
            "client-secret",
            "--concurrency",
            concurrency,
        ])
        .arg("--ca-cert")
        .arg(emulator.ca_cert_path())
        .env("AZURE_TENANT_ID", emulator.tenant_id())
        .env("AZURE_CLIENT_ID", "bench-client")
        .env("AZURE_CLIENT_SECRET", "bench-secret")
        .current_dir(dir)
        .stdout(
            std::fs::File::create(dir.join("..").join(format!("{}.out", args[0])))
                .map(Stdio::from)
                .unwrap_or_else(|_| Stdio::null()),
        )
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
        cpu_s: children_cpu() - cpu_before,
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
    let requested: Option<Vec<usize>> = std::env::args()
        .skip(1)
        .find(|a| a.chars().all(|c| c.is_ascii_digit() || c == ','))
        .map(|a| a.split(',').filter_map(|n| n.parse().ok()).collect());
    if std::env::args().any(|a| a == "grown") {
        grown::run(requested.unwrap_or_else(|| vec![1000, 2500, 5000, 10000]));
        return;
    }
    if std::env::args().any(|a| a == "foundry") {
        foundry(requested.unwrap_or_else(|| vec![1000]));
        return;
    }
    let sizes = requested.unwrap_or_else(|| vec![10, 100, 1000]);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    println!(
        "fleet benchmark: {} subscription(s), emulator latency {LATENCY_MS} ms, ARM throttling on, hubctl --concurrency {CONCURRENCY}",
        subscriptions()
    );
    println!();
    println!(
        "{:>5} {:<22} {:>9} {:>9} {:>6} {:>9} {:>5}  requests by kind",
        "hubs", "case", "wall s", "requests", "429s", "peak MB", "exit"
    );
    for n in sizes {
        let emulator = start(&runtime, seed(), Duration::from_millis(200));
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
        // The same with the four example policies (issue 16: at most +20 %).
        let policies = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/policies");
        let checked = hubctl(&emulator, dir.path(), &["plan", "--policy", policies, "."]);
        row("no-op plan + policies", &checked);
        println!(
            "{n:>5} {:<22} {:>+8.1}%  wall, {:+.1}% CPU ({:.2} s → {:.2} s), against the no-op plan",
            "policies add",
            (checked.wall.as_secs_f64() / plan.wall.as_secs_f64() - 1.0) * 100.0,
            (checked.cpu_s / plan.cpu_s.max(0.01) - 1.0) * 100.0,
            plan.cpu_s,
            checked.cpu_s
        );
        let drift = hubctl(&emulator, dir.path(), &["drift", "."]);
        row("drift", &drift);

        // The same live read, resource by resource (what Terraform does), through the client
        // (left out for one subscription: it would only measure the read bucket).
        if subscriptions() > 1 {
            let per_resource = runtime.block_on(per_resource_read(&emulator, n));
            println!(
                "{n:>5} {:<22} {:>9.2} {:>9} {:>6}",
                "read per resource",
                per_resource.0.as_secs_f64(),
                per_resource.1,
                per_resource.2
            );
        }

        let per_sub = n.div_ceil(subscriptions()) * WRITES_PER_HUB;
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
        &InventoryRequest {
            hubs,
            foundries: Vec::new(),
            role_names: Vec::new(),
            strategy: Strategy::PerResource,
        },
    )
    .await
    .unwrap();
    (started.elapsed(), report.requests.total, emulator.stats().throttled - before)
}

/// The no-op plan of a fleet grown straight into the emulator's state (issue 22).
mod grown {
    use super::*;
    use serde_json::Value;

    const SUBSCRIPTIONS: usize = 100;

    fn sub(i: usize) -> String {
        format!("00000000-0000-0000-0000-{:012}", i % SUBSCRIPTIONS + 1)
    }

    fn name(i: usize) -> String {
        format!("grown-{i:05}")
    }

    fn seed() -> Seed {
        let mut text =
            String::from("apiVersion: hubctl/v1\nkind: LocalCloudSeed\nsubscriptions:\n");
        for s in 0..SUBSCRIPTIONS {
            text.push_str(&format!(
                "  - id: {}\n    resourceGroups:\n      - name: rg-fleet\n        location: eastus2\n        resources:\n          - {{ type: Microsoft.Storage/storageAccounts, name: fleetsa }}\n",
                sub(s)
            ));
        }
        text.push_str(&format!("principals:\n  - {{ id: {}, type: Group }}\n", PRINCIPALS[0]));
        Seed::from_text(&text).unwrap()
    }

    fn manifest(i: usize) -> String {
        let (sub, name) = (sub(i), name(i));
        format!(
            "apiVersion: hubctl/v1\nkind: Hub\nmetadata:\n  name: {name}\n  subscription: {sub}\n  resourceGroup: rg-fleet\n  location: eastus2\nspec:\n  description: Hub {name}\n  storageAccount: /subscriptions/{sub}/resourceGroups/rg-fleet/providers/Microsoft.Storage/storageAccounts/fleetsa\n  access:\n    assignments:\n      - {{ principal: {}, principalType: group, role: Azure AI Developer }}\n  projects:\n    - {{ name: {name}-a }}\n",
            PRINCIPALS[0]
        )
    }

    /// Hub `i`'s resources: the template's, renamed, with the hub's own digest tag and the
    /// role assignment's name hubctl would give it.
    fn grow(template: &[Value], i: usize) -> Vec<Value> {
        let path = Path::new("grown.yaml");
        let desired = hubctl_spec::load_str(path, &manifest(i)).unwrap();
        let digest = hubctl_plan::digest::hub(&desired.hubs[0]);
        template
            .iter()
            .map(|resource| {
                let text =
                    resource.to_string().replace(&name(0), &name(i)).replace(&sub(0), &sub(i));
                let mut resource: Value = serde_json::from_str(&text).unwrap();
                if resource["kind"] == "Hub" {
                    resource["tags"][hubctl_plan::DIGEST_TAG] = Value::String(digest.clone());
                }
                if let Some(scope) = resource["properties"]["scope"].as_str().map(str::to_string) {
                    let role = resource["properties"]["roleDefinitionId"]
                        .as_str()
                        .and_then(|r| r.rsplit('/').next())
                        .unwrap_or_default()
                        .to_string();
                    let principal = resource["properties"]["principalId"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    let guid = hubctl_plan::assignment_name(&scope, &principal, &role);
                    resource["id"] = Value::String(format!(
                        "{scope}/providers/Microsoft.Authorization/roleAssignments/{guid}"
                    ));
                    resource["name"] = Value::String(guid);
                }
                resource
            })
            .collect()
    }

    pub fn run(sizes: Vec<usize>) {
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
        println!(
            "grown fleet: {SUBSCRIPTIONS} subscriptions, 1 project and 1 access entry per hub, emulator latency {LATENCY_MS} ms, ARM throttling on, hubctl --concurrency {CONCURRENCY}"
        );
        println!();
        println!(
            "{:>6} {:>8} {:>7} {:>9} {:>9} {:>12} {:>5}  requests by kind",
            "hubs", "wall s", "CPU s", "requests", "peak MB", "CPU ms/hub", "exit"
        );
        let mut per_hub = Vec::new();
        for n in sizes {
            let emulator = start(&runtime, seed(), Duration::from_millis(20));
            let root = tempfile::tempdir().unwrap();
            let dir = root.path().join("fleet");
            std::fs::create_dir(&dir).unwrap();
            if std::env::args().any(|a| a == "create") {
                // The whole fleet applied by hubctl: the creation figure against the bound.
                for i in 0..n {
                    std::fs::write(dir.join(format!("{}.yaml", name(i))), manifest(i)).unwrap();
                }
                let created = hubctl(&emulator, &dir, &["apply", "--auto-approve", "."]);
                // Per hub: the hub, its project, its access entry and the digest tag write.
                let per_sub = n.div_ceil(SUBSCRIPTIONS) * 4;
                let bound = per_sub.saturating_sub(200) as f64 / 10.0;
                println!(
                    "{n:>6} create {:>8.2} s, CPU {:.2} s, {} requests, {} 429s, peak {:.1} MB, exit {}; write-throttle bound {bound:.2} s ({per_sub} writes per subscription)",
                    created.wall.as_secs_f64(),
                    created.cpu_s,
                    created.total(),
                    created.throttled(),
                    created.peak_rss_kb as f64 / 1024.0,
                    created.code
                );
                let plan = hubctl(&emulator, &dir, &["plan", "."]);
                println!(
                    "{n:>6} no-op plan after create {:>8.2} s, {} requests, exit {}",
                    plan.wall.as_secs_f64(),
                    plan.total(),
                    plan.code
                );
                runtime.block_on(emulator.shutdown());
                continue;
            }
            // One hub applied by hubctl is the template for all the others.
            std::fs::write(dir.join(format!("{}.yaml", name(0))), manifest(0)).unwrap();
            let applied = hubctl(&emulator, &dir, &["apply", "--auto-approve", "."]);
            assert_eq!(applied.code, 0, "the template hub applies");
            let marker = format!("/workspaces/{}", name(0));
            let template: Vec<Value> = emulator
                .resources()
                .into_iter()
                .filter(|r| r["id"].as_str().is_some_and(|id| id.contains(&marker)))
                .collect();
            let mut grown = Vec::new();
            for i in 1..n {
                std::fs::write(dir.join(format!("{}.yaml", name(i))), manifest(i)).unwrap();
                grown.extend(grow(&template, i));
            }
            emulator.store(grown).unwrap();
            let plan = hubctl(&emulator, &dir, &["plan", "--format", "json", "."]);
            println!(
                "{n:>6} {:>8.2} {:>7.2} {:>9} {:>9.1} {:>12.3} {:>5}  {}",
                plan.wall.as_secs_f64(),
                plan.cpu_s,
                plan.total(),
                plan.peak_rss_kb as f64 / 1024.0,
                plan.cpu_s * 1000.0 / n as f64,
                plan.code,
                kinds(&plan)
            );
            per_hub.push((n, plan.cpu_s / n as f64));
            // Another build of hubctl (HUBCTL_BENCH_BASELINE=path) plans the same live state:
            // its JSON plan must be byte-identical (how a refactoring shows it changed nothing).
            if let Some(baseline) = std::env::var_os("HUBCTL_BENCH_BASELINE") {
                let ours = std::fs::read(root.path().join("plan.out")).unwrap();
                let theirs = run_binary(
                    Path::new(&baseline),
                    &emulator,
                    &dir,
                    &["plan", "--format", "json", "."],
                );
                let baseline_out = std::fs::read(root.path().join("plan.out")).unwrap();
                println!(
                    "{n:>6} baseline {:>8.2} {:>7.2}  JSON plan {} bytes, {}",
                    theirs.wall.as_secs_f64(),
                    theirs.cpu_s,
                    ours.len(),
                    if ours == baseline_out {
                        "byte-identical to the baseline's"
                    } else {
                        "DIFFERS from the baseline's"
                    }
                );
            }
            runtime.block_on(emulator.shutdown());
        }
        if let (Some(first), Some(last)) = (per_hub.first(), per_hub.last()) {
            println!();
            println!(
                "CPU per hub at {} hubs / at {} hubs = {:.2}",
                last.0,
                first.0,
                last.1 / first.1
            );
        }
    }
}
