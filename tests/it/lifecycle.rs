//! The real binary against the emulator, from nothing to every kind of change, with the live
//! state checked through the emulator's API afterwards.

use hubctl_emulator::Options;
use serde_json::json;

use crate::lab::{Lab, RG, SUB};
use crate::support::example;

const DEV: &str = "64702f94-c441-49e6-a78b-ef80e0188fee";
const ADMIN: &str = "b78c5d69-af96-48a3-bf8d-a8b4d589de94";

async fn applied_examples(options: Options) -> Lab {
    let lab = Lab::start(options).await;
    lab.write("minimal.yaml", &example("minimal.yaml"));
    lab.write("locked-down.yaml", &example("locked-down.yaml"));
    let run = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    lab
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_on_an_empty_cloud_creates_everything_then_apply_makes_it_so() {
    let lab = Lab::start(Options::default()).await;
    lab.write("minimal.yaml", &example("minimal.yaml"));
    lab.write("locked-down.yaml", &example("locked-down.yaml"));
    let plan = lab.hubctl(&["plan", "hubs"]).await;
    assert_eq!(plan.code, 2, "{}\n{}", plan.stdout, plan.stderr);
    assert!(
        plan.stdout.contains("Plan: 16 to add, 0 to change, 0 to destroy, 0 blocked."),
        "{}",
        plan.stdout
    );
    assert!(lab.workspace("contoso-hub").await.is_none(), "plan changes nothing");

    let apply = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let hub = lab.workspace("contoso-hub").await.expect("the hub exists");
    assert_eq!(hub["kind"], "Hub");
    assert_eq!(hub["properties"]["friendlyName"], "Contoso AI hub");
    assert_eq!(hub["properties"]["managedNetwork"]["isolationMode"], "AllowOnlyApprovedOutbound");
    assert_eq!(hub["properties"]["encryption"]["status"], "Enabled");
    assert_eq!(hub["tags"]["hubctl-managed-by"], "hubctl");
    assert!(hub["tags"]["hubctl-manifest-digest"].as_str().is_some_and(|d| d.len() == 64));
    assert_eq!(
        lab.rules("contoso-hub").await,
        ["data-factory", "data-lake", "pypi", "pythonhosted"]
    );
    let project = lab.workspace("fraud-detection").await.expect("the project exists");
    assert!(project["properties"]["hubResourceId"].as_str().unwrap().ends_with("/contoso-hub"));
    assert_eq!(
        lab.access("contoso-hub").await,
        vec![
            ("7d2f6a0e-0000-0000-0000-000000000010".to_string(), DEV.to_string()),
            ("7d2f6a0e-0000-0000-0000-000000000020".to_string(), ADMIN.to_string())
        ]
    );
    let connection = lab.connection("contoso-hub", "contoso-ai-services").await;
    assert_eq!(connection["properties"]["category"], "AIServices");

    let again = lab.hubctl(&["plan", "hubs"]).await;
    assert_eq!(again.code, 0, "re-plan is a no-op:\n{}", again.stdout);
    assert!(again.stdout.contains("No changes"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn description_tags_and_a_key_rotation_are_updated_in_place() {
    let lab = applied_examples(Options::default()).await;
    let edited = example("locked-down.yaml")
        .replace(
            "description: Shared hub for the data science teams",
            "description: Shared hub, second edition",
        )
        .replace("dataClassification: confidential", "dataClassification: restricted")
        .replace(
            "keys/hub-key/4a1c2f0e9b8d4c7a8e6f5d4c3b2a1908",
            "keys/hub-key/7e2b9c1d0f3a4b5c6d7e8f9012345678",
        );
    lab.write("locked-down.yaml", &edited);
    let plan = lab.hubctl(&["plan", "hubs"]).await;
    assert_eq!(plan.code, 2);
    assert!(
        plan.stdout.contains("in place: the key rotates within its vault")
            || plan.stdout.contains("spec.encryption.keyUri"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("0 to destroy, 0 blocked"),
        "never a replacement: {}",
        plan.stdout
    );
    let apply = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    let hub = lab.workspace("contoso-hub").await.unwrap();
    assert_eq!(hub["properties"]["description"], "Shared hub, second edition");
    assert_eq!(hub["tags"]["dataClassification"], "restricted");
    assert!(
        hub["properties"]["encryption"]["keyVaultProperties"]["keyIdentifier"]
            .as_str()
            .unwrap()
            .ends_with("7e2b9c1d0f3a4b5c6d7e8f9012345678")
    );
    assert_eq!(lab.hubctl(&["plan", "hubs"]).await.code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_changes_exit_3_and_change_nothing() {
    let lab = applied_examples(Options::default()).await;
    let before = lab.workspace("contoso-hub").await.unwrap();
    let cases = [
        ("encryption type", example("locked-down.yaml").replace("type: customerManaged\n    keyVault: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ai-platform/providers/Microsoft.KeyVault/vaults/contoso-cmk\n    keyUri: https://contoso-cmk.vault.azure.net/keys/hub-key/4a1c2f0e9b8d4c7a8e6f5d4c3b2a1908\n    identity: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ai-platform/providers/Microsoft.ManagedIdentity/userAssignedIdentities/contoso-hub-id", "type: microsoftManaged"), "encryption mode is fixed"),
        ("credential store", example("locked-down.yaml").replace("credentialStore:\n    keyVault: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ai-platform/providers/Microsoft.KeyVault/vaults/contoso-hub-kv", "credentialStore: microsoftManaged"), "Microsoft-managed credential store"),
        ("approved to public", example("locked-down.yaml").replace("isolation: privateWithApprovedOutbound\n    firewallSku: standard", "isolation: public").replace("    outboundRules:\n      - name: pypi\n        fqdn: pypi.org\n      - name: pythonhosted\n        fqdn: \"*.pythonhosted.org\"\n      - name: data-lake\n        privateEndpoint:\n          resource: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ai-platform/providers/Microsoft.Storage/storageAccounts/contosodata\n          subresource: dfs\n          sparkEnabled: false\n      - name: data-factory\n        serviceTag:\n          tag: DataFactory\n          protocol: TCP\n          ports: \"443\"\n", ""), "cannot be disabled"),
        ("App Insights removed", example("locked-down.yaml").replace("  applicationInsights: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ai-platform/providers/Microsoft.Insights/components/contoso-hub-ai\n", ""), "cannot be disassociated"),
    ];
    for (what, text, reason) in cases {
        assert_ne!(text, example("locked-down.yaml"), "{what}: the edit applies");
        lab.write("locked-down.yaml", &text);
        let plan = lab.hubctl(&["plan", "hubs"]).await;
        assert_eq!(plan.code, 3, "{what}:\n{}", plan.stdout);
        assert!(
            plan.stdout.contains(reason) && plan.stdout.contains("remedy:"),
            "{what}:\n{}",
            plan.stdout
        );
        let apply = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
        assert_eq!(apply.code, 3, "{what}: {}", apply.stderr);
        assert!(apply.stderr.contains("nothing was applied"));
    }
    let after = lab.workspace("contoso-hub").await.unwrap();
    assert_eq!(before["properties"], after["properties"], "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbound_rules_projects_and_access_follow_the_manifest() {
    let lab = applied_examples(Options::default()).await;
    // Public → approved outbound with rules, on the minimal hub.
    let approved = example("minimal.yaml")
        .replace("    publicNetworkAccess: enabled\n    isolation: public\n", "    publicNetworkAccess: enabled\n    isolation: privateWithApprovedOutbound\n    outboundRules:\n      - { name: pypi, fqdn: pypi.org }\n      - { name: conda, fqdn: conda.anaconda.org }\n")
        .replace("  access:\n    assignments:\n", "  access:\n    exclusive: true\n    assignments:\n      - { principal: 7d2f6a0e-0000-0000-0000-000000000020, principalType: group, role: Reader }\n")
        .replace("  projects:\n    - name: sandbox-playground\n      displayName: Playground\n", "  projects:\n    - name: sandbox-playground\n      displayName: Playground\n    - name: sandbox-second\n");
    lab.write("minimal.yaml", &approved);
    let run = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let hub = lab.workspace("contoso-sandbox").await.unwrap();
    assert_eq!(hub["properties"]["managedNetwork"]["isolationMode"], "AllowOnlyApprovedOutbound");
    assert_eq!(lab.rules("contoso-sandbox").await, ["conda", "pypi"]);
    assert!(lab.workspace("sandbox-second").await.is_some());
    assert_eq!(lab.access("contoso-sandbox").await.len(), 2);

    // Rule add/change/remove; an assignment removed under exclusive mode; a project removed.
    let changed = approved
        .replace("      - { name: conda, fqdn: conda.anaconda.org }\n", "      - { name: github, fqdn: github.com }\n")
        .replace("      - { name: pypi, fqdn: pypi.org }\n", "      - { name: pypi, fqdn: files.pythonhosted.org }\n")
        .replace("      - { principal: 7d2f6a0e-0000-0000-0000-000000000020, principalType: group, role: Reader }\n", "")
        .replace("    - name: sandbox-second\n", "");
    lab.write("minimal.yaml", &changed);
    let without_delete = lab.hubctl(&["apply", "--auto-approve", "--prune", "hubs"]).await;
    assert_eq!(
        without_delete.code, 1,
        "deleting a project needs --allow-delete:\n{}",
        without_delete.stderr
    );
    assert!(without_delete.stderr.contains("--allow-delete"));
    let run = lab.hubctl(&["apply", "--auto-approve", "--prune", "--allow-delete", "hubs"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(lab.rules("contoso-sandbox").await, ["github", "pypi"]);
    let hub = lab.workspace("contoso-sandbox").await.unwrap();
    assert_eq!(
        hub["properties"]["managedNetwork"]["outboundRules"]["pypi"]["destination"],
        "files.pythonhosted.org"
    );
    assert!(lab.workspace("sandbox-second").await.is_none());
    assert_eq!(
        lab.access("contoso-sandbox").await,
        vec![("7d2f6a0e-0000-0000-0000-000000000010".to_string(), DEV.to_string())]
    );
    assert_eq!(lab.hubctl(&["plan", "--prune", "hubs"]).await.code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_equal_existing_assignment_is_adopted_not_duplicated() {
    let lab = Lab::start(Options::default()).await;
    lab.write("minimal.yaml", &example("minimal.yaml"));
    // Create the hub without access, then give the group its role by hand under another name.
    let no_access = example("minimal.yaml").replace("  access:\n    assignments:\n      - principal: 7d2f6a0e-0000-0000-0000-000000000010\n        principalType: group\n        role: Azure AI Developer\n", "");
    lab.write("minimal.yaml", &no_access);
    assert_eq!(lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.code, 0);
    let scope = Lab::workspace_path("contoso-sandbox");
    let assignment = json!({"properties": {"roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{DEV}"), "principalId": "7d2f6a0e-0000-0000-0000-000000000010", "principalType": "Group"}});
    let status = lab.put(&format!("{scope}/providers/Microsoft.Authorization/roleAssignments/12345678-1234-4234-8234-123456789abc"), "2022-04-01", &assignment).await;
    assert_eq!(status, 201);
    lab.write("minimal.yaml", &example("minimal.yaml"));
    let plan = lab.hubctl(&["plan", "hubs"]).await;
    assert!(!plan.stdout.contains("create role assignment"), "adopted:\n{}", plan.stdout);
    let run = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(lab.access("contoso-sandbox").await.len(), 1, "not duplicated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_change_warns_and_applies() {
    let lab = applied_examples(Options::default()).await;
    let moved = example("locked-down.yaml")
        .replace("registries/contosohubacr", "registries/contosohubacr2");
    // The second registry must exist in the cloud.
    let registry = format!(
        "/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.ContainerRegistry/registries/contosohubacr2"
    );
    assert_eq!(lab.put(&registry, "2023-07-01", &json!({"location": "eastus2"})).await, 201);
    lab.write("locked-down.yaml", &moved);
    let run = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("lineage"), "the warning is shown:\n{}", run.stdout);
    let hub = lab.workspace("contoso-hub").await.unwrap();
    assert!(hub["properties"]["containerRegistry"].as_str().unwrap().ends_with("contosohubacr2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_is_refused_when_live_state_changed() {
    let lab = applied_examples(Options::default()).await;
    lab.write(
        "minimal.yaml",
        &example("minimal.yaml")
            .replace("description: Experiments; no production data", "description: saved"),
    );
    let plan = lab.hubctl(&["plan", "hubs", "--out", "plan.json"]).await;
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    // Someone edits the hub in the portal before the plan is applied.
    lab.edit(
        &Lab::workspace_path("contoso-sandbox"),
        json!({"properties": {"friendlyName": "portal edit"}}),
    )
    .await;
    // A saved plan is the approval: no --auto-approve, no question, and still refused if stale.
    let apply = lab.hubctl(&["apply", "--plan", "plan.json"]).await;
    assert_eq!(apply.code, 1, "{}", apply.stderr);
    assert!(
        apply.stderr.contains("stale") && apply.stderr.contains("contoso-sandbox"),
        "{}",
        apply.stderr
    );
    assert_eq!(
        lab.workspace("contoso-sandbox").await.unwrap()["properties"]["description"],
        "Experiments; no production data"
    );
    // A fresh plan applies exactly, without asking; `hubctl show` renders it as plan did.
    let markdown =
        lab.hubctl(&["plan", "hubs", "--out", "plan.json", "--format", "markdown"]).await;
    assert_eq!(markdown.code, 2);
    let shown = lab.hubctl(&["show", "plan.json", "--format", "markdown"]).await;
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert_eq!(shown.stdout, markdown.stdout, "show renders the saved plan identically");
    let json_shown = lab.hubctl(&["show", "plan.json", "--format", "json"]).await;
    let saved = std::fs::read_to_string(lab.path("plan.json")).unwrap();
    assert_eq!(json_shown.stdout, saved);
    let text = lab.hubctl(&["show", "plan.json"]).await;
    assert!(text.stdout.contains("update hub contoso-sandbox"), "{}", text.stdout);
    let apply = lab.hubctl(&["apply", "--plan", "plan.json"]).await;
    assert_eq!(apply.code, 0, "{}\n{}", apply.stdout, apply.stderr);
    assert_eq!(
        lab.workspace("contoso-sandbox").await.unwrap()["properties"]["description"],
        "saved"
    );
    assert!(lab.path("plan.json").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_manifest_deletes_the_hub_only_with_prune_and_allow_delete() {
    let lab = applied_examples(Options::default()).await;
    lab.remove("minimal.yaml");
    let plain = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(plain.code, 0, "without --prune nothing is deleted: {}", plain.stdout);
    assert!(lab.workspace("contoso-sandbox").await.is_some());
    let plan = lab.hubctl(&["plan", "--prune", "hubs"]).await;
    assert!(
        plan.stdout.contains("delete hub contoso-sandbox")
            && plan.stdout.contains("sandbox-playground"),
        "the plan lists the projects that go with it:\n{}",
        plan.stdout
    );
    let refused = lab.hubctl(&["apply", "--auto-approve", "--prune", "hubs"]).await;
    assert_eq!(refused.code, 1);
    assert!(lab.workspace("contoso-sandbox").await.is_some());
    let run = lab.hubctl(&["apply", "--auto-approve", "--prune", "--allow-delete", "hubs"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(lab.workspace("contoso-sandbox").await.is_none());
    assert!(lab.workspace("sandbox-playground").await.is_none());
    assert!(lab.workspace("contoso-hub").await.is_some(), "the other hub stays");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_finds_an_out_of_band_edit_and_apply_fixes_it() {
    let lab = applied_examples(Options::default()).await;
    assert_eq!(lab.hubctl(&["drift", "hubs"]).await.code, 0);
    lab.edit(
        &Lab::workspace_path("contoso-hub"),
        json!({"properties": {"publicNetworkAccess": "Enabled"}}),
    )
    .await;
    let drift = lab.hubctl(&["drift", "hubs"]).await;
    assert_eq!(drift.code, 2, "{}", drift.stdout);
    assert!(
        drift.stdout.contains("contoso-hub (drift)")
            && drift.stdout.contains("spec.network.publicNetworkAccess"),
        "{}",
        drift.stdout
    );
    let json = lab.hubctl(&["drift", "hubs", "--format", "json"]).await;
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["formatVersion"], 1);
    let schema: serde_json::Value = serde_json::from_str(&hubctl_plan::plan_schema_text()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "the JSON output follows schemas/plan.schema.json: {errors:?}");
    let classes: Vec<&str> = report["hubs"]
        .as_object()
        .unwrap()
        .values()
        .map(|h| h["classification"].as_str().unwrap())
        .collect();
    assert!(classes.contains(&"drift") && classes.contains(&"inSync"), "{classes:?}");
    // A manifest change not yet applied is pending, not drift.
    lab.write(
        "minimal.yaml",
        &example("minimal.yaml")
            .replace("displayName: Contoso sandbox hub", "displayName: Renamed"),
    );
    let pending = lab.hubctl(&["drift", "hubs"]).await;
    assert!(pending.stdout.contains("contoso-sandbox (pending)"), "{}", pending.stdout);
    assert_eq!(lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.code, 0);
    assert_eq!(
        lab.workspace("contoso-hub").await.unwrap()["properties"]["publicNetworkAccess"],
        "Disabled"
    );
    assert_eq!(lab.hubctl(&["drift", "hubs"]).await.code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_rate_of_20_percent_still_converges() {
    // The faults include foreign operations in flight on the resource written (409
    // AnotherOperationInProgress), which are waited out like throttling.
    let mut busy = 0;
    for seed in [11, 12, 13] {
        let lab =
            Lab::start(Options { fault_rate: 0.2, fault_seed: seed, ..Options::default() }).await;
        lab.write("minimal.yaml", &example("minimal.yaml"));
        lab.write("locked-down.yaml", &example("locked-down.yaml"));
        // Foreign operations in flight on the first writes, besides the random faults.
        assert_eq!(lab.control("faults", json!({ "busyNextWrites": 3 })).await, 204);
        let run = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
        assert_eq!(
            run.code, 0,
            "seed {seed}: converges in one run, retrying what failed in passing:\n{}\n{}",
            run.stdout, run.stderr
        );
        let faults = lab.emulator.stats().faults;
        assert!(faults.values().sum::<u64>() > 0, "faults were injected");
        assert_eq!(lab.rules("contoso-hub").await.len(), 4);
        assert_eq!(lab.access("contoso-hub").await.len(), 2);
        busy += faults.get("busy").copied().unwrap_or(0);
    }
    assert!(busy > 0, "foreign operations were met on some hubs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imported_manifests_plan_to_no_changes() {
    let lab = applied_examples(Options::default()).await;
    let run = lab
        .hubctl(&["import", "--subscription", SUB, "--name", "contoso-hub", "--out", "imported"])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(lab.path("imported/contoso-hub.yaml")).unwrap();
    for expected in [
        "kind: Hub",
        "type: customerManaged",
        "isolation: privateWithApprovedOutbound",
        "fqdn: \"pypi.org\"",
        "serviceTag:",
        "privateEndpoint:",
        "category: aiServices",
        "name: fraud-detection",
        "role: Azure AI Developer",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in:\n{text}");
    }
    assert!(
        !text.contains("hubctl-manifest-digest") && !text.contains("__SYS_"),
        "no service-set values:\n{text}"
    );
    let plan = lab.hubctl(&["plan", "imported"]).await;
    assert_eq!(
        plan.code, 0,
        "import round-trips to no changes:\n{}\n{}\n{text}",
        plan.stdout, plan.stderr
    );
    // Every hub of the subscription to stdout, as one multi-document stream.
    let all = lab.hubctl(&["import", "--subscription", SUB]).await;
    assert_eq!(all.code, 0);
    assert_eq!(all.stdout.matches("kind: Hub").count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shards_split_the_fleet_and_their_reports_merge() {
    let lab = applied_examples(Options::default()).await;
    lab.write(
        "minimal.yaml",
        &example("minimal.yaml")
            .replace("description: Experiments; no production data", "description: sharded"),
    );
    lab.write(
        "locked-down.yaml",
        &example("locked-down.yaml").replace(
            "description: Shared hub for the data science teams",
            "description: sharded too",
        ),
    );
    let whole = lab.hubctl(&["plan", "hubs", "--format", "json"]).await;
    assert_eq!(whole.code, 2);
    let whole: serde_json::Value = serde_json::from_str(&whole.stdout).unwrap();
    let mut shard_hubs = Vec::new();
    for k in 1..=2 {
        let run =
            lab.hubctl(&["plan", "hubs", "--format", "json", "--shard", &format!("{k}/2")]).await;
        assert!(run.code == 0 || run.code == 2, "{}", run.stderr);
        std::fs::write(lab.path(&format!("shard-{k}.json")), &run.stdout).unwrap();
        let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        shard_hubs.extend(plan["hubs"].as_object().unwrap().keys().cloned());
    }
    shard_hubs.sort();
    let mut all: Vec<String> = whole["hubs"].as_object().unwrap().keys().cloned().collect();
    all.sort();
    assert_eq!(shard_hubs, all, "the shards are disjoint and cover the fleet");
    let merged =
        lab.hubctl(&["report", "merge", "shard-1.json", "shard-2.json", "--format", "json"]).await;
    assert_eq!(merged.code, 2, "{}", merged.stderr);
    let merged: serde_json::Value = serde_json::from_str(&merged.stdout).unwrap();
    assert_eq!(
        merged["changes"].as_array().unwrap().len(),
        whole["changes"].as_array().unwrap().len()
    );
    let twice = lab.hubctl(&["report", "merge", "shard-1.json", "shard-1.json"]).await;
    assert!(
        twice.code == 1 || whole["hubs"].as_object().unwrap().len() < 2,
        "a hub in two shards is refused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_shows_a_progress_bar_on_a_terminal_and_lines_otherwise() {
    let lab = Lab::start(Options::default()).await;
    lab.write("minimal.yaml", &example("minimal.yaml"));
    // `script` (util-linux) runs hubctl on a pseudo-terminal.
    let command = format!(
        "{} apply --auto-approve hubs --arm-endpoint {} --authority-host {} --ca-cert {} --auth client-secret",
        env!("CARGO_BIN_EXE_hubctl"),
        lab.emulator.arm_endpoint(),
        lab.emulator.authority_host(),
        lab.emulator.ca_cert_path().display()
    );
    let output = tokio::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("AZURE_TENANT_ID", lab.emulator.tenant_id())
        .env("AZURE_CLIENT_ID", "11111111-0000-0000-0000-00000000c11e")
        .env("AZURE_CLIENT_SECRET", "local-cloud-secret")
        .current_dir(lab.dir.path())
        .output()
        .await
        .expect("util-linux `script` runs a command on a pseudo-terminal");
    let tty = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{tty}");
    assert!(
        tty.contains("0/3 ") && tty.contains("Apply complete: 3 change(s) applied."),
        "a bar on a terminal:\n{tty}"
    );
    assert!(!tty.contains("✓ create"), "no per-step lines on a terminal");
    // Without a terminal: timestamped lines.
    lab.write(
        "minimal.yaml",
        &example("minimal.yaml")
            .replace("description: Experiments; no production data", "description: lines"),
    );
    let run = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert!(run.stderr.contains("s] ✓ update contoso-sandbox"), "{}", run.stderr);
}
