//! Azure as it really is (issue 11): what the service does that a kind emulator would not,
//! and hubctl surviving it.

use hubctl_emulator::{Clock, Options};
use serde_json::json;

use crate::lab::{Lab, tick};
use crate::support::examples;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operation_already_running_is_waited_for_and_apply_converges() {
    // The emulator's clock stands still unless moved, so the portal's edit stays running for
    // exactly as long as the test says.
    let clock = Clock::manual();
    let lab = Lab::start(Options { clock: clock.clone(), ..Options::default() }).await;
    let minimal = std::fs::read_to_string(examples().join("hubs/minimal.yaml")).unwrap();
    lab.write("minimal.yaml", &minimal);
    let run = lab.hubctl_ticking(&clock, &["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);

    // Someone edits the description in the portal: a PATCH the service takes a while to finish.
    let hub = Lab::workspace_path("contoso-sandbox");
    let edit = json!({ "properties": { "description": "edited in the portal" } });
    assert_eq!(lab.patch(&hub, "2026-05-01", &edit).await, 202);
    let state = lab.workspace("contoso-sandbox").await.unwrap();
    assert_eq!(state["properties"]["provisioningState"], "Updating");

    // hubctl plans the description back and starts applying while the edit still runs.
    let patches = lab.requests("PATCH workspaces");
    let mut apply = lab.spawn_captured(&["apply", "--auto-approve", "hubs"]);
    // Five tries, more than any count of attempts would allow: only waiting gets past them.
    let mut tried = false;
    for _ in 0..1200 {
        if lab.requests("PATCH workspaces") >= patches + 5 {
            tried = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(tried, "hubctl kept trying its write while the portal's operation was running");
    assert!(apply.try_wait().unwrap().is_none(), "hubctl is still waiting, not failed");
    // The service answers 409 AnotherOperationInProgress until the edit finishes: hubctl
    // waits. Now let the edit finish.
    let ticker = tick(clock.clone());
    let run = apply.wait_with_output().await.unwrap();
    ticker.abort();
    let (stdout, stderr) =
        (String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "apply waits and converges:\n{stdout}\n{stderr}");
    let hub = lab.workspace("contoso-sandbox").await.unwrap();
    assert_eq!(hub["properties"]["description"], "Experiments; no production data");
    let drift = lab.hubctl_ticking(&clock, &["drift", "hubs"]).await;
    assert_eq!(drift.code, 0, "drift is clean afterwards:\n{}", drift.stdout);
}
