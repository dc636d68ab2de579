//! Kill `hubctl apply` (SIGKILL) at a random moment of a multi-hub apply, run it again, and the
//! cloud must equal the manifests: nothing missing, no role assignment twice, nothing deleted
//! that was not planned. 10 trials here; `scripts/crash-trials.sh` runs 50 and prints the tally.

use std::time::Duration;

use hubctl_emulator::Options;

use crate::lab::Lab;
use crate::support::example;

fn manifests(lab: &Lab) -> usize {
    let minimal = example("minimal.yaml");
    lab.write("locked-down.yaml", &example("locked-down.yaml"));
    lab.write("minimal.yaml", &minimal);
    for i in 1..=2 {
        let copy = minimal
            .replace("name: contoso-sandbox", &format!("name: contoso-sandbox-{i}"))
            .replace("name: sandbox-playground", &format!("name: sandbox-playground-{i}"));
        lab.write(&format!("minimal-{i}.yaml"), &copy);
    }
    // Workspaces: 4 hubs, 2 + 1 + 1 + 1 projects.
    9
}

/// One trial: (killed mid-way?, converged?).
async fn trial(seed: u64) -> (bool, bool) {
    let lab = Lab::start(Options { lro: Duration::from_millis(30), ..Options::default() }).await;
    let expected_workspaces = manifests(&lab);
    let delay = Duration::from_millis(50 + (seed.wrapping_mul(2_654_435_761) % 1_200));
    let mut child = lab.spawn(&["apply", "--auto-approve", "hubs"]);
    let killed = tokio::select! {
        _ = tokio::time::sleep(delay) => {
            child.start_kill().unwrap();
            true
        }
        _ = child.wait() => false,
    };
    let _ = child.wait().await;
    let rerun = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    let converged = rerun.code == 0 && lab.hubctl(&["plan", "hubs"]).await.code == 0;
    if converged {
        // No duplicate assignments, nothing extra, nothing missing.
        assert_eq!(lab.access("contoso-hub").await.len(), 2, "seed {seed}");
        assert_eq!(lab.access("fraud-detection").await.len(), 1, "seed {seed}");
        assert_eq!(lab.access("support-copilot").await.len(), 2, "seed {seed}");
        for hub in ["contoso-sandbox", "contoso-sandbox-1", "contoso-sandbox-2"] {
            assert_eq!(lab.access(hub).await.len(), 1, "seed {seed}: {hub}");
        }
        let list = lab.get(&format!("/subscriptions/{}/resourceGroups/{}/providers/Microsoft.MachineLearningServices/workspaces", crate::lab::SUB, crate::lab::RG), "2026-05-01").await.unwrap();
        assert_eq!(list["value"].as_array().unwrap().len(), expected_workspaces, "seed {seed}");
        assert_eq!(lab.rules("contoso-hub").await.len(), 4, "seed {seed}");
    } else {
        panic!("seed {seed}: the re-run did not converge:\n{}\n{}", rerun.stdout, rerun.stderr);
    }
    (killed, converged)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_killed_at_any_moment_converges_on_the_next_run() {
    let trials: u64 =
        std::env::var("HUBCTL_CRASH_TRIALS").ok().and_then(|t| t.parse().ok()).unwrap_or(10);
    let mut killed = 0;
    let mut converged = 0;
    for seed in 0..trials {
        let (was_killed, ok) = trial(seed).await;
        killed += u64::from(was_killed);
        converged += u64::from(ok);
    }
    println!("crash trials: {trials} run, {killed} killed mid-apply, {converged} converged");
    assert_eq!(converged, trials);
    assert!(killed * 2 >= trials, "most trials kill the apply mid-way ({killed} of {trials})");
}
