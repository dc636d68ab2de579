//! Secrets never leak, insecure endpoints are refused, and hubctl writes only where it may.

use std::collections::BTreeSet;

use hubctl_emulator::{Clock, Options};

use crate::lab::Lab;
use crate::support::{example, hubctl};

fn files(dir: &std::path::Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path.clone());
            }
            out.insert(path.strip_prefix(dir).unwrap().display().to_string());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_or_secret_in_output_logs_or_plan_files_at_any_verbosity() {
    let lab = Lab::start(Options::default()).await;
    lab.write("minimal.yaml", &example("minimal.yaml"));
    for verbosity in ["-v", "-vv", "-vvv"] {
        // Each round changes the manifest, so there is something to plan and apply.
        let text = example("minimal.yaml");
        lab.write(
            "minimal.yaml",
            &text.replace(
                "description: Experiments; no production data",
                &format!("description: round {verbosity}"),
            ),
        );
        let plan = lab.hubctl(&["plan", "hubs", "--out", "plan.json", verbosity]).await;
        assert_eq!(plan.code, 2, "{}", plan.stderr);
        let apply =
            lab.hubctl(&["apply", "--auto-approve", "--plan", "plan.json", verbosity]).await;
        assert!(apply.code == 0, "{}", apply.stderr);
        let drift = lab.hubctl(&["drift", "hubs", "--format", "json", verbosity]).await;
        let saved = std::fs::read_to_string(lab.path("plan.json")).unwrap();
        for (what, text) in [
            ("plan stdout", &plan.stdout),
            ("plan stderr", &plan.stderr),
            ("apply stdout", &apply.stdout),
            ("apply stderr", &apply.stderr),
            ("drift stdout", &drift.stdout),
            ("drift stderr", &drift.stderr),
            ("plan file", &saved),
        ] {
            assert!(!text.contains("eyJ"), "{what} {verbosity} holds a JWT");
            assert!(
                !text.contains("local-cloud-secret"),
                "{what} {verbosity} holds the client secret"
            );
            assert!(
                !text.to_ascii_lowercase().contains("bearer "),
                "{what} {verbosity} holds an Authorization header"
            );
        }
        assert!(
            verbosity != "-vvv" || plan.stderr.contains("arm"),
            "trace logs were written: {}",
            plan.stderr
        );
        std::fs::remove_file(lab.path("plan.json")).unwrap();
    }
}

#[test]
fn plain_http_off_loopback_is_refused_before_anything_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hub.yaml"), crate::support::hub("")).unwrap();
    let output = hubctl()
        .current_dir(dir.path())
        .args([
            "plan",
            "hub.yaml",
            "--arm-endpoint",
            "http://10.20.30.40:8080",
            "--authority-host",
            "https://login.microsoftonline.com",
            "--auth",
            "client-secret",
        ])
        .env("AZURE_TENANT_ID", "t")
        .env("AZURE_CLIENT_ID", "c")
        .env("AZURE_CLIENT_SECRET", "s")
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("plain http is only allowed on loopback"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hubctl_writes_only_its_state_plan_and_lock_in_the_working_folder() {
    let lab = Lab::start(Options::default()).await;
    lab.write("minimal.yaml", &example("minimal.yaml"));
    // A manifest cannot name a path: names that try are refused before anything runs.
    lab.write(
        "evil.yaml",
        &example("minimal.yaml").replace("name: contoso-sandbox", "name: ../../etc/passwd"),
    );
    let before = files(lab.dir.path());
    let refused = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("is not a valid workspace name"), "{}", refused.stderr);
    lab.remove("evil.yaml");
    let applied = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(applied.code, 0, "{}", applied.stderr);
    let after = files(lab.dir.path());
    let new: Vec<&String> = after.difference(&before).collect();
    assert!(new.iter().all(|f| f.starts_with(".hubctl")), "only .hubctl/ is written: {new:?}");
    assert!(!after.contains(".hubctl/lock"), "the lock is released");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_applies_in_one_folder_cannot_interleave() {
    // The emulator's clock stands still, so the first apply's hub creation stays running (and
    // its lock held) until the test moves the clock: nothing depends on the machine's speed.
    let clock = Clock::manual();
    let lab = Lab::start(Options { clock: clock.clone(), ..Options::default() }).await;
    lab.write("minimal.yaml", &example("minimal.yaml"));
    let first = lab.spawn_captured(&["apply", "--auto-approve", "hubs"]);
    // Wait until the first has started writing (the hub is Creating), so it holds the lock.
    let mut started = false;
    for _ in 0..600 {
        if lab.workspace("contoso-sandbox").await.is_some() {
            started = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(started, "the first apply began creating the hub");
    assert!(lab.path(".hubctl/lock").exists(), "the first apply holds the lock");
    let second = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(second.code, 1, "{}", second.stderr);
    assert!(second.stderr.contains("another hubctl"), "{}", second.stderr);
    // Now let time run for the first apply: each tick finishes the operations then running.
    let ticker = crate::lab::tick(clock.clone());
    let first = first.wait_with_output().await.unwrap();
    ticker.abort();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
}
