//! Policies as a platform team writes them: the example policies' findings on real inputs,
//! the input document against its committed schema, and every way a policy can be wrong
//! reported with where.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use hubctl_model::Live;
use hubctl_plan::{Action, PlanOptions, Reason, WarningKind};
use hubctl_policy::{Policies, PolicyError};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(name: &str) -> String {
    std::fs::read_to_string(repo().join("examples/hubs").join(name)).unwrap()
}

fn examples_policies() -> Policies {
    Policies::load(&[repo().join("examples/policies")], &[]).unwrap()
}

fn desired(text: &str) -> hubctl_spec::Desired {
    hubctl_spec::load_str(Path::new("hub.yaml"), text).unwrap()
}

/// Plan `text` on an empty cloud and over its own applied state, with the example policies.
fn planned(text: &str) -> (hubctl_plan::Plan, hubctl_plan::Plan) {
    let desired = desired(text);
    let options = PlanOptions::default();
    let mut fresh = hubctl_plan::plan(&desired, &Live::default(), &options);
    let live = hubctl_test::simulate::apply(&Live::default(), &fresh);
    let mut again = hubctl_plan::plan(&desired, &live, &options);
    let mut policies = examples_policies();
    hubctl_policy::check(&mut fresh, &desired, &Live::default(), &mut policies).unwrap();
    hubctl_policy::check(&mut again, &desired, &live, &mut policies).unwrap();
    (fresh, again)
}

fn denials(plan: &hubctl_plan::Plan) -> Vec<String> {
    plan.changes
        .iter()
        .filter(|c| c.reasons == [Reason::BlockedBecausePolicyDenied])
        .map(|c| c.detail.clone().unwrap())
        .collect()
}

#[test]
fn the_examples_pass_the_example_policies() {
    for name in ["minimal.yaml", "locked-down.yaml"] {
        let (fresh, again) = planned(&example(name));
        assert!(denials(&fresh).is_empty(), "{name}: {:?}", denials(&fresh));
        assert!(denials(&again).is_empty());
        assert!(!again.is_blocked() && !again.has_changes(), "{name}: still a no-op plan");
    }
    // The locked-down hub's wildcard destination is a warning, no more.
    let (fresh, _) = planned(&example("locked-down.yaml"));
    let warning = fresh.warnings.iter().find(|w| w.kind == WarningKind::Policy).unwrap();
    assert!(warning.detail.contains("*.pythonhosted.org"), "{}", warning.detail);
    assert!(warning.detail.contains("examples/policies/outbound.rego"), "{}", warning.detail);
}

#[test]
fn each_example_policy_denies_what_breaks_it_naming_its_file() {
    let cases = [
        (
            example("minimal.yaml").replace("environment: sandbox", "environment: production"),
            "production.rego",
            "must be customerManaged",
        ),
        (
            example("minimal.yaml").replace("role: Azure AI Developer", "role: Owner"),
            "access.rego",
            "grants Owner",
        ),
        (
            example("locked-down.yaml").replace("fqdn: pypi.org", "fqdn: pastebin.com"),
            "outbound.rego",
            "pastebin.com, which is not on the allow list",
        ),
    ];
    for (text, file, says) in cases {
        let (fresh, again) = planned(&text);
        for plan in [&fresh, &again] {
            let found = denials(plan);
            assert!(
                found.iter().any(|d| d.contains(says) && d.contains(file)),
                "{file}: {found:?}"
            );
            assert!(plan.is_blocked());
            let blocked = plan
                .changes
                .iter()
                .find(|c| c.reasons == [Reason::BlockedBecausePolicyDenied])
                .unwrap();
            assert_eq!(blocked.action, Action::Blocked);
        }
    }
}

#[test]
fn real_inputs_match_the_committed_schema() {
    let committed =
        std::fs::read_to_string(repo().join("schemas/policy-input.schema.json")).unwrap();
    assert!(
        committed == hubctl_policy::input_schema_text(),
        "schemas/policy-input.schema.json is stale: run `cargo run -p hubctl -- schema --policy-input > schemas/policy-input.schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_str(&committed).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for name in ["minimal.yaml", "locked-down.yaml"] {
        let text = example(name).replace("description: Experiments", "description: Changed");
        let desired = desired(&text);
        let hub = &desired.hubs[0];
        let first = hubctl_plan::plan(&desired, &Live::default(), &PlanOptions::default());
        let live = hubctl_test::simulate::apply(&Live::default(), &first);
        let key = hubctl_model::id_key(&hub.arm_id());
        let again = hubctl_plan::plan(
            &hubctl_spec::load_str(Path::new("hub.yaml"), &example(name)).unwrap(),
            &live,
            &PlanOptions::default(),
        );
        for (plan, live_hub) in [(&first, None), (&again, live.hubs.get(&key))] {
            let changes: Vec<&hubctl_plan::Change> = plan.changes.iter().collect();
            let input = hubctl_policy::input(hub, &changes, live_hub);
            let errors: Vec<String> = validator
                .iter_errors(&input)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{name}: {errors:#?}");
            assert_eq!(input.get("live").is_some(), live_hub.is_some());
        }
    }
    // And each Foundry example, new and applied.
    for name in ["minimal.yaml", "locked-down.yaml"] {
        let text = std::fs::read_to_string(repo().join("examples/foundry").join(name)).unwrap();
        let desired = hubctl_spec::load_str(Path::new("foundry.yaml"), &text).unwrap();
        let foundry = &desired.foundries[0];
        let first = hubctl_plan::plan(&desired, &Live::default(), &PlanOptions::default());
        let live = hubctl_test::simulate::apply(&Live::default(), &first);
        let key = hubctl_model::id_key(&foundry.arm_id());
        let again = hubctl_plan::plan(&desired, &live, &PlanOptions::default());
        for (plan, live_foundry) in [(&first, None), (&again, live.foundries.get(&key))] {
            let changes: Vec<&hubctl_plan::Change> = plan.changes.iter().collect();
            let input = hubctl_policy::foundry_input(foundry, &changes, live_foundry);
            assert_eq!(input["manifest"]["kind"], "Foundry");
            let errors: Vec<String> = validator
                .iter_errors(&input)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "foundry {name}: {errors:#?}");
            assert_eq!(input.get("live").is_some(), live_foundry.is_some());
        }
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_broken_policy_names_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "broken.rego",
        "package main\n\ndeny contains msg if {\n  input.x ==\n}\n",
    );
    let error = Policies::load(&[path], &[]).unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, PolicyError::Parse { .. }), "{text}");
    assert!(text.contains("broken.rego:5:1"), "{text}");
}

#[test]
fn conftest_v0_policies_and_violation_objects_are_read() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "old.rego",
        "package main\n\ndeny[msg] {\n  input.manifest.kind == \"Hub\"\n  msg := \"v0 deny\"\n}\n",
    );
    write(
        dir.path(),
        "new.rego",
        "package main\n\nimport rego.v1\n\nviolation contains {\"msg\": \"a violation\", \"details\": {}} if input.manifest.kind == \"Hub\"\n",
    );
    let mut policies = Policies::load(&[dir.path().to_path_buf()], &[]).unwrap();
    let found =
        policies.evaluate(serde_json::json!({"manifest": {"kind": "Hub"}, "changes": []})).unwrap();
    let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{found:?}");
    assert!(messages.contains(&"v0 deny") && messages.contains(&"a violation"));
    assert!(found.iter().all(|f| f.blocks));
}

#[test]
fn a_rule_of_the_wrong_shape_and_an_evaluation_error_are_errors_not_passes() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "shape.rego", "package main\n\nimport rego.v1\n\ndeny := 42\n");
    let mut policies = Policies::load(&[dir.path().to_path_buf()], &[]).unwrap();
    let error = policies.evaluate(serde_json::json!({"manifest": {}, "changes": []})).unwrap_err();
    assert!(matches!(error, PolicyError::Shape { .. }), "{error}");
    assert!(error.to_string().contains("shape.rego"), "{error}");
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "fails.rego",
        "package main\n\nimport rego.v1\n\ndeny contains msg if {\n  msg := sprintf(\"%d\", [1, 2, 3])\n  to_number(\"x\") > 1\n}\n",
    );
    let mut policies = Policies::load(&[dir.path().to_path_buf()], &[]).unwrap();
    let result = policies.evaluate(serde_json::json!({"manifest": {}, "changes": []}));
    assert!(result.is_err(), "{result:?}");
}

#[test]
fn other_namespaces_count_only_when_named() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "team.rego",
        "package team\n\nimport rego.v1\n\ndeny contains \"team rule\" if true\n",
    );
    let input = serde_json::json!({"manifest": {}, "changes": []});
    let mut default = Policies::load(&[dir.path().to_path_buf()], &[]).unwrap();
    assert!(default.evaluate(input.clone()).unwrap().is_empty());
    let mut named = Policies::load(&[dir.path().to_path_buf()], &["team".into()]).unwrap();
    assert_eq!(named.evaluate(input).unwrap().len(), 1);
}

#[test]
fn the_example_policies_own_tests_pass_and_a_wrong_one_fails() {
    let mut policies = examples_policies();
    let report = policies.run_tests().unwrap();
    assert!(report.passed(), "{report:?}");
    assert!(report.results.len() >= 12);
    let dir = tempfile::tempdir().unwrap();
    for name in ["access.rego", "access_test.rego"] {
        let text = std::fs::read_to_string(repo().join("examples/policies").join(name)).unwrap();
        write(dir.path(), name, &text);
    }
    // A wrong expectation: Owner at the hub is denied once, not twice.
    let wrong = std::fs::read_to_string(dir.path().join("access_test.rego")).unwrap().replace(
        "count(deny) == 1 with input as hub([{\"principal\": \"g\", \"role\": \"Owner\"}], [])",
        "count(deny) == 2 with input as hub([{\"principal\": \"g\", \"role\": \"Owner\"}], [])",
    );
    write(dir.path(), "access_test.rego", &wrong);
    let report = Policies::load(&[dir.path().to_path_buf()], &[]).unwrap().run_tests().unwrap();
    assert!(!report.passed());
    let failed: Vec<&String> = report.results.iter().filter(|r| !r.2).map(|r| &r.0).collect();
    assert_eq!(failed, ["data.main.access.test_owner_at_the_hub_is_denied"]);
}
