//! Azure as it really is (issue 11): what the service does that a kind emulator would not,
//! and hubctl surviving it.

use hubctl_emulator::{Clock, Options};
use serde_json::json;

use crate::lab::{Lab, tick};
use crate::support::example;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operation_already_running_is_waited_for_and_apply_converges() {
    // The emulator's clock stands still unless moved, so the portal's edit stays running for
    // exactly as long as the test says.
    let clock = Clock::manual();
    let lab = Lab::start(Options { clock: clock.clone(), ..Options::default() }).await;
    let minimal = example("minimal.yaml");
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

const UAI: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ai-platform/providers/Microsoft.ManagedIdentity/userAssignedIdentities";

/// The minimal example with a system- and user-assigned identity (no primary).
fn with_identities(names: &[&str]) -> String {
    let listed: String = names.iter().map(|n| format!("      - {UAI}/{n}\n")).collect();
    example("minimal.yaml").replace(
        "  encryption:\n",
        &format!(
            "  identity:\n    type: systemAssigned,userAssigned\n    userAssigned:\n{listed}  encryption:\n"
        ),
    )
}

fn live_identities(hub: &serde_json::Value) -> Vec<String> {
    let map = hub["identity"]["userAssignedIdentities"].as_object();
    let mut names: Vec<String> = map
        .into_iter()
        .flat_map(|m| m.keys())
        .map(|k| k.rsplit('/').next().unwrap_or_default().to_string())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_a_user_assigned_identity_takes_effect() {
    // The service merges the identity map on PATCH: hubctl sends the removed one as null.
    let lab = Lab::start(Options::default()).await;
    let second = format!("{UAI}/contoso-second-id");
    assert_eq!(lab.put(&second, "2023-01-31", &json!({ "location": "eastus2" })).await, 201);
    lab.write("minimal.yaml", &with_identities(&["contoso-hub-id", "contoso-second-id"]));
    let run = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let hub = lab.workspace("contoso-sandbox").await.unwrap();
    assert_eq!(live_identities(&hub), ["contoso-hub-id", "contoso-second-id"]);
    assert!(hub["properties"]["primaryUserAssignedIdentity"].is_null(), "none was named");

    lab.write("minimal.yaml", &with_identities(&["contoso-hub-id"]));
    let plan = lab.hubctl(&["plan", "hubs"]).await;
    assert_eq!(plan.code, 2, "{}", plan.stdout);
    assert!(plan.stdout.contains("spec.identity.userAssigned"), "{}", plan.stdout);
    let run = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let hub = lab.workspace("contoso-sandbox").await.unwrap();
    assert_eq!(live_identities(&hub), ["contoso-hub-id"], "the identity is gone in Azure");
    assert_eq!(lab.hubctl(&["drift", "hubs"]).await.code, 0, "and no drift is left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_system_and_user_identity_without_primary_round_trips_through_import() {
    let lab = Lab::start(Options::default()).await;
    lab.write("minimal.yaml", &with_identities(&["contoso-hub-id"]));
    let run = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let imported = lab
        .hubctl(&["import", "--subscription", crate::lab::SUB, "--name", "contoso-sandbox"])
        .await;
    assert_eq!(imported.code, 0, "{}", imported.stderr);
    assert!(
        imported.stdout.contains("type: \"systemAssigned,userAssigned\""),
        "{}",
        imported.stdout
    );
    assert!(!imported.stdout.contains("primary:"), "{}", imported.stdout);
    lab.remove("minimal.yaml");
    lab.write("imported.yaml", &imported.stdout);
    let plan = lab.hubctl(&["plan", "hubs"]).await;
    assert_eq!(plan.code, 0, "no changes:\n{}\n{}", plan.stdout, plan.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_taken_by_another_kind_of_workspace_is_refused_at_plan_time() {
    let lab = Lab::start(Options::default()).await;
    // A classic (kind Default) workspace already has the hub's name, as the service stores it.
    let id = Lab::workspace_path("contoso-sandbox");
    lab.emulator
        .store(vec![json!({
            "id": id,
            "name": "contoso-sandbox",
            "type": "Microsoft.MachineLearningServices/workspaces",
            "location": "eastus2",
            "kind": "Default",
            "properties": { "provisioningState": "Succeeded", "friendlyName": "classic" }
        })])
        .unwrap();
    lab.write("minimal.yaml", &example("minimal.yaml"));
    let plan = lab.hubctl(&["plan", "hubs"]).await;
    assert_eq!(plan.code, 3, "{}", plan.stdout);
    assert!(plan.stdout.contains("is not this hub (another kind"), "{}", plan.stdout);
    assert!(plan.stdout.contains("remedy: choose another name"), "{}", plan.stdout);
    let writes = lab.requests("PUT workspaces") + lab.requests("PUT roleAssignments");
    let apply = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(apply.code, 3, "{}", apply.stdout);
    assert_eq!(
        lab.requests("PUT workspaces") + lab.requests("PUT roleAssignments"),
        writes,
        "nothing written"
    );
    assert_eq!(lab.workspace("contoso-sandbox").await.unwrap()["kind"], "Default");
}

/// What a plan says, without what differs between two clouds (server-set ids and times).
fn gist(plan_json: &str) -> Vec<(String, String, String)> {
    let plan: serde_json::Value = serde_json::from_str(plan_json).unwrap();
    plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].to_string(), c["action"].to_string(), c["fields"].to_string()))
        .collect()
}

/// Apply the examples, edit a hub out of band, plan, apply, import: the plans along the way.
async fn script(lab: &Lab) -> Vec<Vec<(String, String, String)>> {
    for name in ["minimal.yaml", "locked-down.yaml"] {
        lab.write(name, &example(name));
    }
    let mut plans = Vec::new();
    plans.push(gist(&lab.hubctl(&["plan", "hubs", "--format", "json"]).await.stdout));
    let run = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let again = lab.hubctl(&["plan", "hubs"]).await;
    assert_eq!(again.code, 0, "no changes after apply:\n{}", again.stdout);
    lab.edit(
        &Lab::workspace_path("contoso-hub"),
        json!({"properties": {"publicNetworkAccess": "Enabled", "description": "portal"}}),
    )
    .await;
    let drift = lab.hubctl(&["drift", "hubs", "--format", "json"]).await;
    assert_eq!(drift.code, 2);
    plans.push(gist(&drift.stdout));
    assert_eq!(lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.code, 0);
    assert_eq!(lab.hubctl(&["drift", "hubs"]).await.code, 0);
    let imported =
        lab.hubctl(&["import", "--subscription", crate::lab::SUB, "--out", "imported"]).await;
    assert_eq!(imported.code, 0, "{}", imported.stderr);
    let plan = lab.hubctl(&["plan", "imported"]).await;
    assert_eq!(plan.code, 0, "imports round-trip:\n{}", plan.stdout);
    plans
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thin_lists_give_the_same_plans_as_complete_ones() {
    let complete = Lab::start(Options::default()).await;
    let thin = Lab::start(Options { thin_lists: true, ..Options::default() }).await;
    let expected = script(&complete).await;
    let gets_before = thin.requests("GET workspaces");
    assert_eq!(script(&thin).await, expected);
    assert!(
        thin.requests("GET workspaces") - gets_before > complete.requests("GET workspaces"),
        "thin list items were read again by GET"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_outbound_rule_is_reported_and_written_again() {
    let lab = Lab::start(Options::default()).await;
    lab.write("locked-down.yaml", &example("locked-down.yaml"));
    assert_eq!(lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.code, 0);
    // The service reports the private endpoint Failed (as a rule whose approval was refused).
    let rule = format!("{}/outboundRules/data-lake", Lab::workspace_path("contoso-hub"));
    assert!(lab.get(&rule, "2026-05-01").await.is_some(), "the example has this rule");
    lab.edit(
        &rule,
        json!({"properties": {"status": "Failed", "errorInformation": "Private endpoint connection was rejected by the target."}}),
    )
    .await;
    let drift = lab.hubctl(&["drift", "hubs"]).await;
    assert_eq!(drift.code, 2, "a rule that does not work is never in sync:\n{}", drift.stdout);
    assert!(
        drift.stdout.contains("outboundRules.data-lake.status: \"Failed\" → \"Active\""),
        "{}",
        drift.stdout
    );
    assert!(
        drift.stdout.contains("rejected by the target"),
        "the service's error is shown:\n{}",
        drift.stdout
    );
    assert_eq!(lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.code, 0);
    let rule = lab.get(&rule, "2026-05-01").await.unwrap();
    assert_eq!(rule["properties"]["status"], "Active");
    assert_eq!(lab.hubctl(&["drift", "hubs"]).await.code, 0);
}

const CONDITION: &str = "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'shared'))";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_condition_on_a_role_assignment_is_compared_and_declared() {
    let lab = Lab::start(Options::default()).await;
    let minimal = example("minimal.yaml");
    lab.write("minimal.yaml", &minimal);
    assert_eq!(lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.code, 0);
    // Someone narrows the grant with an ABAC condition: not the unconditional grant declared.
    let scope = Lab::workspace_path("contoso-sandbox");
    let listed = lab
        .get(
            &format!("{scope}/providers/Microsoft.Authorization/roleAssignments?$filter=atScope()"),
            "2022-04-01",
        )
        .await
        .unwrap();
    let assignment = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["properties"]["scope"].as_str().is_some_and(|s| s.eq_ignore_ascii_case(&scope)))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    lab.edit(
        &assignment,
        json!({"properties": {"condition": CONDITION, "conditionVersion": "2.0"}}),
    )
    .await;
    let drift = lab.hubctl(&["drift", "hubs"]).await;
    assert_eq!(drift.code, 2, "a conditioned grant is a change:\n{}", drift.stdout);
    assert!(
        drift.stdout.contains(
            "spec.access.assignments[7d2f6a0e-0000-0000-0000-000000000010].condition: - "
        ),
        "{}",
        drift.stdout
    );
    assert_eq!(lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.code, 0);
    let live = lab.get(&assignment, "2022-04-01").await.unwrap();
    assert!(live["properties"]["condition"].is_null(), "the grant is unconditional again: {live}");
    assert_eq!(lab.hubctl(&["drift", "hubs"]).await.code, 0);

    // A manifest may declare the condition itself.
    let conditioned = minimal.replace(
        "        role: Azure AI Developer\n",
        &format!("        role: Azure AI Developer\n        condition: \"{CONDITION}\"\n        conditionVersion: \"2.0\"\n"),
    );
    assert_ne!(conditioned, minimal);
    lab.write("minimal.yaml", &conditioned);
    let run = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let live = lab.get(&assignment, "2022-04-01").await.unwrap();
    assert_eq!(live["properties"]["condition"], CONDITION);
    assert_eq!(live["properties"]["conditionVersion"], "2.0");
    assert_eq!(lab.hubctl(&["plan", "hubs"]).await.code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_are_soft_unless_purged_and_a_held_name_is_explained() {
    let lab = Lab::start(Options::default()).await;
    let minimal = example("minimal.yaml");
    lab.write("minimal.yaml", &minimal);
    // A second hub keeps the folder from being empty when the first manifest goes.
    let other = example("locked-down.yaml");
    lab.write("locked-down.yaml", &other);
    assert_eq!(lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.code, 0);

    // Delete softly (the service's default); the plan says so.
    lab.remove("minimal.yaml");
    let plan = lab.hubctl(&["plan", "--prune", "hubs"]).await;
    assert!(plan.stdout.contains("soft delete: recoverable for up to 14 days"), "{}", plan.stdout);
    let run = lab.hubctl(&["apply", "--auto-approve", "--prune", "--allow-delete", "hubs"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(lab.workspace("contoso-sandbox").await.is_none());

    // The name is still taken: creating it again fails with the service's answer and the
    // ways out (ARM lists no soft-deleted workspaces, so only apply can tell).
    lab.write("minimal.yaml", &minimal);
    let again = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(again.code, 1, "{}", again.stdout);
    for expected in ["Soft-deleted workspace exists", "Recover it", "purge it", "--purge"] {
        assert!(again.stdout.contains(expected), "{expected:?} in:\n{}", again.stdout);
    }
    // The portal's "recover" brings the hub and its project back, and apply goes on with them
    // (the access users had granted is not restored: apply grants it again).
    for name in ["contoso-sandbox", "sandbox-playground"] {
        let id = Lab::workspace_path(name);
        assert_eq!(lab.control("recover", json!({ "id": id })).await, 204);
    }
    let run = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert_eq!(lab.hubctl(&["plan", "hubs"]).await.code, 0);

    // --purge deletes for good: the name is free at once.
    lab.remove("minimal.yaml");
    let plan = lab.hubctl(&["plan", "--prune", "--purge", "hubs"]).await;
    assert!(plan.stdout.contains("purge: permanent"), "{}", plan.stdout);
    let purge = ["apply", "--auto-approve", "--prune", "--allow-delete", "--purge", "hubs"];
    assert_eq!(lab.hubctl(&purge).await.code, 0);
    lab.write("minimal.yaml", &minimal);
    let run = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(run.code, 0, "the name was free:\n{}\n{}", run.stdout, run.stderr);
    let refused = lab.hubctl(&["apply", "--auto-approve", "--purge", "hubs"]).await;
    assert_eq!(
        refused.code, 1,
        "--purge needs --allow-delete (a usage error, exit 1 as every error):\n{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("--allow-delete"), "{}", refused.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_version_the_cloud_lacks_falls_back_to_the_newest_stable_it_lists() {
    // A cloud whose provider lags: hubctl's version is refused with the list it supports.
    let supported = ["2024-10-01", "2025-12-01", "2026-01-01-preview"].map(String::from).to_vec();
    let lab =
        Lab::start(Options { workspace_api_versions: Some(supported), ..Options::default() }).await;
    let minimal = example("minimal.yaml");
    lab.write("minimal.yaml", &minimal);
    let run = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("does not support api-version 2026-05-01 here; using 2025-12-01"),
        "the fallback is said once in the logs:\n{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches("does not support api-version").count(), 1, "then kept");
    assert!(lab.get(&Lab::workspace_path("contoso-sandbox"), "2025-12-01").await.is_some());
    assert_eq!(lab.hubctl(&["plan", "hubs"]).await.code, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_network_change_that_clears_rules_is_repaired_by_the_same_apply() {
    // The harsher reading of a PATCH of managedNetwork without outboundRules: it clears them.
    let lab = Lab::start(Options { network_patch_clears_rules: true, ..Options::default() }).await;
    let locked = example("locked-down.yaml");
    lab.write("locked-down.yaml", &locked);
    assert_eq!(lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.code, 0);
    let before = lab.rules("contoso-hub").await;
    assert_eq!(before.len(), 4);
    lab.write("locked-down.yaml", &locked.replace("firewallSku: standard", "firewallSku: basic"));
    let run = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("went missing"), "the repair is said:\n{}", run.stderr);
    assert_eq!(lab.rules("contoso-hub").await, before, "every declared rule is back");
    assert_eq!(lab.hubctl(&["plan", "hubs"]).await.code, 0, "and the next plan is clean");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storage_connection_names_its_account_and_container_and_round_trips() {
    let lab = Lab::start(Options::default()).await;
    let storage = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ai-platform/providers/Microsoft.Storage/storageAccounts/contososandboxsa";
    let manifest = example("minimal.yaml").replace(
        "  access:\n",
        &format!("  connections:\n    - {{ name: training-data, category: storage, resource: {storage}, container: training }}\n  access:\n"),
    );
    lab.write("minimal.yaml", &manifest);
    let run = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await;
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let connection = lab.connection("contoso-sandbox", "training-data").await;
    let p = &connection["properties"];
    assert_eq!(p["category"], "AzureBlob");
    assert_eq!(p["target"], "https://contososandboxsa.blob.core.windows.net/training");
    assert_eq!(p["metadata"]["AccountName"], "contososandboxsa");
    assert_eq!(p["metadata"]["ContainerName"], "training");
    assert_eq!(lab.hubctl(&["plan", "hubs"]).await.code, 0);
    let imported = lab
        .hubctl(&["import", "--subscription", crate::lab::SUB, "--name", "contoso-sandbox"])
        .await;
    assert!(imported.stdout.contains("container: training"), "{}", imported.stdout);
    lab.remove("minimal.yaml");
    lab.write("imported.yaml", &imported.stdout);
    assert_eq!(lab.hubctl(&["plan", "hubs"]).await.code, 0, "import round-trips");
}
