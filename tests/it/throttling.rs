//! Throttling is waited out, never a failure (issue 19): many hubs in one subscription, far
//! more requests in flight than the subscription's bucket holds, and every step done.
//!
//! The emulator's buckets are made small and fast (the same arithmetic as ARM's 200 + 10/s,
//! scaled so the scenario runs in seconds): writes 20 + 20/s, reads 40 + 100/s. 120 writes
//! through a bucket of 20 refilled at 20 a second queue for about five seconds, so the waits
//! (and their notices, from half a second) happen however the machine schedules the run.

use hubctl_emulator::{Limit, Options, ThrottleLimits};

use crate::lab::Lab;
use crate::support::example;

const HUBS: usize = 30;

fn small_buckets() -> ThrottleLimits {
    ThrottleLimits {
        reads: Limit { capacity: 40.0, per_second: 100.0 },
        writes: Limit { capacity: 20.0, per_second: 20.0 },
        deletes: Limit { capacity: 20.0, per_second: 20.0 },
    }
}

/// `HUBS` copies of the minimal example (a hub, a project, an assignment) in one subscription.
fn fleet(lab: &Lab) {
    let minimal = example("minimal.yaml");
    for i in 0..HUBS {
        let text = minimal
            .replace("name: contoso-sandbox", &format!("name: throttled-{i:02}"))
            .replace("name: sandbox-playground", &format!("name: throttled-{i:02}-play"));
        lab.write(&format!("throttled-{i:02}.yaml"), &text);
    }
}

async fn converges(lab: &Lab, extra: &[&str]) -> String {
    let mut args = vec!["--concurrency", "64"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["apply", "--auto-approve", "hubs"]);
    let run = lab.hubctl(&args).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    // Hub, project and assignment per hub: every step done, none failed.
    assert!(
        run.stdout.contains(&format!("Apply complete: {} change(s) applied.", HUBS * 3)),
        "{}",
        run.stdout
    );
    let plan = lab.hubctl(&["plan", "hubs"]).await;
    assert_eq!(plan.code, 0, "a re-plan has no changes:\n{}", plan.stdout);
    for i in [0, HUBS - 1] {
        assert!(lab.workspace(&format!("throttled-{i:02}")).await.is_some());
    }
    run.stderr
}

#[tokio::test]
async fn a_client_that_knows_the_buckets_paces_itself_and_every_step_is_done() {
    let lab = Lab::start(Options { throttle_limits: small_buckets(), ..Options::default() }).await;
    fleet(&lab);
    let stderr =
        converges(&lab, &["--arm-buckets", "reads=40+100,writes=20+20,deletes=20+20"]).await;
    assert!(
        stderr.contains("Waited for ARM's throttling:"),
        "the run had to wait for the bucket, and says so:\n{stderr}"
    );
    assert!(stderr.contains("throttled by ARM (writes)"), "progress shows it:\n{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_client_draining_the_bucket_costs_time_never_a_step() {
    // Another pipeline in the same subscription keeps the write bucket empty until hubctl has
    // tried ten workspace writes: hubctl meets 429s (its estimate said the bucket was full) and
    // waits every one of them out.
    let lab = Lab::start(Options { throttle_limits: small_buckets(), ..Options::default() }).await;
    fleet(&lab);
    let apply = lab.spawn_captured(&["--concurrency", "64", "apply", "--auto-approve", "hubs"]);
    let noise = format!("/subscriptions/{}/resourcegroups/rg-noise", crate::lab::SUB);
    let body = serde_json::json!({ "location": "eastus2" });
    let hub_writes = || lab.emulator.stats().by_kind.get("PUT workspaces").copied().unwrap_or(0);
    let mut neighbour_throttled = 0;
    for _ in 0..200_000 {
        if hub_writes() >= 10 {
            break;
        }
        if lab.put(&noise, "2021-04-01", &body).await == 429 {
            neighbour_throttled += 1;
        }
    }
    assert!(hub_writes() >= 10, "hubctl tried its writes while the bucket was drained");
    assert!(neighbour_throttled > 0, "the neighbour kept the bucket empty");
    let run = apply.wait_with_output().await.unwrap();
    let (stdout, stderr) =
        (String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("Apply complete: {} change(s) applied.", HUBS * 3)),
        "{stdout}"
    );
    assert!(stderr.contains("ARM answered 429"), "the wait for a 429 is shown:\n{stderr}");
    assert_eq!(lab.hubctl(&["plan", "hubs"]).await.code, 0, "a re-plan has no changes");
}
