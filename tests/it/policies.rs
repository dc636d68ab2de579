//! Guardrails at plan time (issue 16): the example policies on the local cloud — a deny blocks
//! its hub (exit 3, the message, rule and file shown, nothing written), a warn is a warning
//! that leaves the exit code alone, a broken policy is an error with its file and line, and
//! `hubctl policy test` runs the policies' own tests.

use hubctl_emulator::Options;

use crate::lab::{Lab, says};
use crate::support::{example, examples};

fn policies() -> String {
    examples().join("policies").display().to_string()
}

async fn lab() -> Lab {
    let lab = Lab::start(Options::default()).await;
    lab.write("minimal.yaml", &example("minimal.yaml"));
    lab.write("locked-down.yaml", &example("locked-down.yaml"));
    lab
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_examples_pass_and_a_warning_leaves_the_exit_code_alone() {
    let lab = lab().await;
    let policy = policies();
    let plan = lab.hubctl(&["plan", "--policy", &policy, "hubs"]).await.expect(2);
    says(
        &plan.stdout,
        &[
            "outbound rule pythonhosted allows a whole domain",
            "data.main.outbound.warn",
            "outbound.rego",
        ],
    );
    lab.hubctl(&["apply", "--auto-approve", "--policy", &policy, "hubs"]).await.expect(0);
    // In sync, the warning still shows, exit 0; HUBCTL_POLICY works as --policy does.
    let again = lab.hubctl_env(&["plan", "hubs"], "HUBCTL_POLICY", &policy).await.expect(0);
    assert!(again.stdout.contains("allows a whole domain"), "{}", again.stdout);
    lab.hubctl(&["drift", "--policy", &policy, "hubs"]).await.expect(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_example_policy_denies_a_manifest_that_breaks_it_and_nothing_is_written() {
    let lab = lab().await;
    let policy = policies();
    let cases = [
        (
            "minimal.yaml",
            example("minimal.yaml").replace("environment: sandbox", "environment: production"),
            "hub contoso-sandbox is production: encryption must be customerManaged (data.main.production.deny in ",
        ),
        (
            "minimal.yaml",
            example("minimal.yaml")
                .replace("role: Azure AI Developer", "role: User Access Administrator"),
            "grants User Access Administrator to 7d2f6a0e-0000-0000-0000-000000000010; privileged roles are granted outside manifests (data.main.access.deny in ",
        ),
        (
            "locked-down.yaml",
            example("locked-down.yaml").replace("fqdn: pypi.org", "fqdn: pastebin.com"),
            "outbound rule pypi allows pastebin.com, which is not on the allow list (data.main.outbound.deny in ",
        ),
    ];
    for (file, text, says) in cases {
        lab.write(file, &text);
        let plan = lab.hubctl(&["plan", "--policy", &policy, "hubs"]).await.expect(3);
        assert!(plan.stdout.contains(says), "{says}\n{}", plan.stdout);
        let markdown = lab
            .hubctl(&["plan", "--policy", &policy, "--format", "markdown", "hubs"])
            .await
            .expect(3);
        assert!(markdown.stdout.contains("BlockedBecausePolicyDenied"), "{}", markdown.stdout);
        let json =
            lab.hubctl(&["plan", "--policy", &policy, "--format", "json", "hubs"]).await.expect(3);
        assert!(json.stdout.contains("\"detail\""), "{}", json.stdout);
        let apply =
            lab.hubctl(&["apply", "--auto-approve", "--policy", &policy, "hubs"]).await.expect(3);
        assert!(apply.stderr.contains("blocked"), "{}", apply.stderr);
        lab.write(file, &example(file));
    }
    assert_eq!(lab.requests("PUT workspaces"), 0, "nothing written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_policy_fails_with_its_file_and_line() {
    let lab = lab().await;
    lab.write(
        "broken.rego",
        "package main\n\nimport rego.v1\n\ndeny contains msg if {\n  msg := \n}\n",
    );
    let run = lab.hubctl(&["plan", "--policy", "hubs/broken.rego", "hubs"]).await.expect(1);
    assert!(run.stderr.contains("hubs/broken.rego:6:7"), "{}", run.stderr);
    assert_eq!(lab.requests("GET workspaces"), 0, "nothing read from Azure");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_test_runs_the_policies_own_tests() {
    let lab = Lab::start(Options::default()).await;
    let run = lab.hubctl(&["policy", "test", &policies()]).await.expect(0);
    assert!(
        run.stdout.contains("PASS data.main.production.test_a_public_production_hub_is_denied"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(" 0 failed"), "{}", run.stdout);
    // A deliberately wrong test fails, and says which.
    let text =
        std::fs::read_to_string(examples().join("policies/outbound_test.rego")).unwrap().replace(
            "count(deny) == 1 with input as hub([{\"name\": \"x\"",
            "count(deny) == 0 with input as hub([{\"name\": \"x\"",
        );
    lab.write("outbound_test.rego", &text);
    lab.write(
        "outbound.rego",
        &std::fs::read_to_string(examples().join("policies/outbound.rego")).unwrap(),
    );
    let run = lab.hubctl(&["policy", "test", "hubs"]).await.expect(1);
    assert!(
        run.stdout.contains("FAIL data.main.outbound.test_an_unlisted_destination_is_denied"),
        "{}",
        run.stdout
    );
}

/// The deployments policy on Foundry resources: the examples pass; an unapproved model, or
/// capacity over the ceiling, is denied before anything is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deployments_policy_guards_foundry_resources() {
    let foundry =
        |name: &str| std::fs::read_to_string(examples().join("foundry").join(name)).unwrap();
    let lab = Lab::start(Options::default()).await;
    lab.write("minimal.yaml", &foundry("minimal.yaml"));
    lab.write("locked-down.yaml", &foundry("locked-down.yaml"));
    let policy = policies();
    lab.hubctl(&["plan", "--policy", &policy, "hubs"]).await.expect(2);
    for (text, says_what) in [
        (
            foundry("locked-down.yaml")
                .replace("name: text-embedding-3-large", "name: text-embedding-ada-002"),
            "contoso-foundry: deployment embeddings uses model text-embedding-ada-002, which is not approved (data.main.deployments.deny in ",
        ),
        (
            foundry("locked-down.yaml").replace("capacity: 20", "capacity: 260"),
            "contoso-foundry: deployments hold 310 capacity in all; the ceiling is 300",
        ),
    ] {
        lab.write("locked-down.yaml", &text);
        let plan = lab.hubctl(&["plan", "--policy", &policy, "hubs"]).await.expect(3);
        says(&plan.stdout, &[says_what]);
        lab.hubctl(&["apply", "--auto-approve", "--policy", &policy, "hubs"]).await.expect(3);
    }
    assert_eq!(lab.requests("PUT accounts"), 0, "nothing written");
}
