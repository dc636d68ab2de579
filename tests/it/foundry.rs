//! `kind: Foundry` end to end: the real binary against the local cloud. Both examples apply,
//! plan clean and re-apply with no writes; an out-of-band network edit is drift that apply
//! puts back; each refusal stops the run before anything is written; a soft-deleted account
//! is refused with both remedies, recovered, purged and created, and deleted for good with
//! `--purge`.

use hubctl_emulator::Options;
use serde_json::{Value, json};

use crate::lab::{Lab, RG, SUB, says};
use crate::support::examples;

const CS: &str = "2025-06-01";

fn foundry_example(name: &str) -> String {
    std::fs::read_to_string(examples().join("foundry").join(name)).unwrap()
}

fn account_path(name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices/accounts/{name}"
    )
}

fn deleted_list() -> String {
    format!("/subscriptions/{SUB}/providers/Microsoft.CognitiveServices/deletedAccounts")
}

/// Writes the emulator has answered so far (every PUT, PATCH and DELETE to ARM), by kind. A
/// plan's POSTs read (the token, the subdomain check).
fn writes(lab: &Lab) -> std::collections::BTreeMap<String, u64> {
    lab.emulator
        .stats()
        .by_kind
        .into_iter()
        .filter(|(k, _)| ["PUT ", "PATCH ", "DELETE "].iter().any(|m| k.starts_with(m)))
        .collect()
}

async fn lab_with_both() -> Lab {
    let lab = Lab::start(Options::default()).await;
    lab.write("minimal.yaml", &foundry_example("minimal.yaml"));
    lab.write("locked-down.yaml", &foundry_example("locked-down.yaml"));
    lab
}

async fn account(lab: &Lab, name: &str) -> Option<Value> {
    lab.get(&account_path(name), CS).await
}

#[tokio::test]
async fn both_examples_apply_plan_clean_and_reapply_with_no_writes() {
    let lab = lab_with_both().await;
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    let locked = account(&lab, "contoso-foundry").await.unwrap();
    assert_eq!(locked["kind"], "AIServices");
    assert_eq!(locked["properties"]["allowProjectManagement"], true);
    assert_eq!(locked["properties"]["networkAcls"]["defaultAction"], "Deny");
    assert_eq!(locked["properties"]["encryption"]["keySource"], "Microsoft.KeyVault");
    assert_eq!(locked["properties"]["disableLocalAuth"], true);
    let projects =
        lab.get(&format!("{}/projects", account_path("contoso-foundry")), CS).await.unwrap();
    let mut names: Vec<&str> =
        projects["value"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    names.sort();
    assert!(names.iter().any(|n| n.ends_with("claims-assistant")), "{names:?}");
    assert_eq!(names.len(), 2);
    let connection = lab
        .get(&format!("{}/connections/contoso-search", account_path("contoso-foundry")), CS)
        .await
        .unwrap();
    assert_eq!(connection["properties"]["category"], "CognitiveSearch");

    let plan = lab.hubctl(&["plan", "hubs"]).await.expect(0);
    says(&plan.stdout, &["0 hub(s) and 2 Foundry resource(s)", "No changes"]);
    let before = writes(&lab);
    let again = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    assert_eq!(writes(&lab), before, "an idempotent re-apply writes nothing: {}", again.stdout);
}

#[tokio::test]
async fn an_out_of_band_network_edit_is_drift_and_apply_puts_it_back() {
    let lab = lab_with_both().await;
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    let status = lab
        .patch(
            &account_path("contoso-foundry"),
            CS,
            &json!({"properties": {"networkAcls": {"defaultAction": "Allow", "ipRules": [{"value": "198.51.100.7"}], "virtualNetworkRules": []}}}),
        )
        .await;
    assert!(status < 300, "the portal's edit: {status}");
    // Wait out the emulator's operation: reads see the edit once it settles.
    for _ in 0..100 {
        let a = account(&lab, "contoso-foundry").await.unwrap();
        if a["properties"]["provisioningState"] == "Succeeded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let drift = lab.hubctl(&["drift", "hubs"]).await.expect(2);
    says(
        &drift.stdout,
        &["contoso-foundry", "drift", "spec.network.defaultAction", "spec.network.ipRules"],
    );
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    let fixed = account(&lab, "contoso-foundry").await.unwrap();
    assert_eq!(fixed["properties"]["networkAcls"]["defaultAction"], "Deny");
    assert_eq!(fixed["properties"]["networkAcls"]["ipRules"], json!([{"value": "203.0.113.0/24"}]));
    lab.hubctl(&["plan", "hubs"]).await.expect(0);
}

/// Apply the examples, change the locked-down manifest by `edit`, and plan and apply it: both
/// refused (exit 3) naming `reason` and `remedy`, with nothing written.
async fn refused(lab: &Lab, edit: (&str, &str), words: &[&str]) {
    let text = foundry_example("locked-down.yaml");
    assert!(text.contains(edit.0), "{}", edit.0);
    lab.write("locked-down.yaml", &text.replacen(edit.0, edit.1, 1));
    let plan = lab.hubctl(&["plan", "hubs"]).await.expect(3);
    says(&plan.stdout, words);
    let before = writes(lab);
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(3);
    assert_eq!(writes(lab), before, "nothing is written when a change is refused");
    lab.write("locked-down.yaml", &text);
}

#[tokio::test]
async fn each_refusal_stops_the_run_before_anything_is_written() {
    let lab = lab_with_both().await;
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    refused(
        &lab,
        ("location: eastus2", "location: westeurope"),
        &["metadata.location", "cannot move region"],
    )
    .await;
    refused(
        &lab,
        ("customSubDomainName: contoso-foundry", "customSubDomainName: contoso-foundry-2"),
        &["spec.customSubDomainName", "fixed once set"],
    )
    .await;
    refused(
        &lab,
        ("    type: customerManaged\n    keyVaultUri: https://contoso-cmk.vault.azure.net/\n    keyName: foundry-key\n    keyVersion: 9c1d0f3a4b5c6d7e8f90123456781a2b\n    identity: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ai-platform/providers/Microsoft.ManagedIdentity/userAssignedIdentities/contoso-foundry-id\n", "    type: microsoftManaged\n"),
        &["spec.encryption.type", "Microsoft-managed and customer-managed"],
    )
    .await;
    refused(
        &lab,
        ("keyVaultUri: https://contoso-cmk.vault", "keyVaultUri: https://contoso-hub-kv.vault"),
        &["spec.encryption.keyVaultUri", "same key vault"],
    )
    .await;
    // A key version in the same vault rotates in place.
    let text = foundry_example("locked-down.yaml");
    lab.write(
        "locked-down.yaml",
        &text.replace("9c1d0f3a4b5c6d7e8f90123456781a2b", "2b1a8765432109f8e7d6c5b4a3f0d1c9"),
    );
    let rotate = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    says(&rotate.stdout, &["spec.encryption.keyVersion"]);
    let rotated = account(&lab, "contoso-foundry").await.unwrap();
    assert_eq!(
        rotated["properties"]["encryption"]["keyVaultProperties"]["keyVersion"],
        "2b1a8765432109f8e7d6c5b4a3f0d1c9"
    );
}

#[tokio::test]
async fn names_held_elsewhere_are_refused_at_plan_time() {
    let lab = lab_with_both().await;
    // Someone else's Azure OpenAI account with the locked-down manifest's name.
    let status = lab
        .put(
            &account_path("contoso-foundry"),
            CS,
            &json!({"location": "eastus2", "kind": "OpenAI", "sku": {"name": "S0"}, "properties": {"customSubDomainName": "contoso-openai"}}),
        )
        .await;
    assert!(status < 300, "{status}");
    // And an account holding the minimal manifest's subdomain.
    let status = lab
        .put(
            &account_path("someone-else"),
            CS,
            &json!({"location": "eastus2", "kind": "AIServices", "sku": {"name": "S0"}, "properties": {"customSubDomainName": "contoso-foundry-sandbox"}}),
        )
        .await;
    assert!(status < 300, "{status}");
    for _ in 0..100 {
        let done = account(&lab, "someone-else")
            .await
            .is_some_and(|a| a["properties"]["provisioningState"] == "Succeeded");
        if done {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let before = writes(&lab);
    let plan = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(3);
    says(&plan.stdout, &["another kind", "unique across Azure", "someone-else"]);
    assert_eq!(writes(&lab), before, "nothing written");
}

#[tokio::test]
async fn a_soft_deleted_account_is_refused_recovered_purged_and_recreated() {
    let lab = lab_with_both().await;
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    // Someone deletes it by hand: soft, its projects kept with it.
    assert!(lab.delete(&account_path("contoso-foundry"), CS).await < 300);
    for _ in 0..100 {
        if account(&lab, "contoso-foundry").await.is_none() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let deleted = lab.get(&deleted_list(), CS).await.unwrap();
    assert_eq!(deleted["value"].as_array().unwrap().len(), 1);

    let before = writes(&lab);
    let plan = lab.hubctl(&["plan", "hubs"]).await.expect(3);
    says(&plan.stdout, &["soft-deleted", "--recover-deleted", "--purge-deleted"]);
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(3);
    assert_eq!(writes(&lab), before, "never an apply that fails on the name");

    // Recovered: back as it was, with its projects.
    lab.hubctl(&["apply", "--auto-approve", "--recover-deleted", "hubs"]).await.expect(0);
    assert!(account(&lab, "contoso-foundry").await.is_some());
    let projects =
        lab.get(&format!("{}/projects", account_path("contoso-foundry")), CS).await.unwrap();
    assert_eq!(projects["value"].as_array().unwrap().len(), 2, "its projects came back");
    lab.hubctl(&["plan", "hubs"]).await.expect(0);

    // Deleted again, then purged and created anew.
    assert!(lab.delete(&account_path("contoso-foundry"), CS).await < 300);
    for _ in 0..100 {
        if account(&lab, "contoso-foundry").await.is_none() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let purged =
        lab.hubctl(&["apply", "--auto-approve", "--purge-deleted", "hubs"]).await.expect(0);
    says(&purged.stdout, &["purge"]);
    assert!(account(&lab, "contoso-foundry").await.is_some());
    let deleted = lab.get(&deleted_list(), CS).await.unwrap();
    assert!(deleted["value"].as_array().unwrap().is_empty());
    lab.hubctl(&["plan", "hubs"]).await.expect(0);

    // Its manifest removed: --prune deletes it, --purge frees the name at once.
    lab.remove("locked-down.yaml");
    let gone = lab
        .hubctl(&["apply", "--auto-approve", "--prune", "--allow-delete", "--purge", "hubs"])
        .await
        .expect(0);
    says(&gone.stdout, &["contoso-foundry", "then purged"]);
    assert!(account(&lab, "contoso-foundry").await.is_none());
    let deleted = lab.get(&deleted_list(), CS).await.unwrap();
    assert!(deleted["value"].as_array().unwrap().is_empty(), "the name is free: {deleted}");
}

#[tokio::test]
async fn import_of_both_examples_round_trips_to_no_changes() {
    let lab = lab_with_both().await;
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    let out = lab.path("imported");
    let out = out.to_str().unwrap();
    let import = lab.hubctl(&["import", "--subscription", SUB, "--out", out]).await.expect(0);
    says(&import.stderr, &["contoso-foundry.yaml", "contoso-foundry-sandbox.yaml"]);
    let text = std::fs::read_to_string(lab.path("imported/contoso-foundry.yaml")).unwrap();
    says(
        &text,
        &[
            "kind: Foundry",
            "customSubDomainName: contoso-foundry",
            "type: customerManaged",
            "group:AI platform admins",
            "claims-assistant",
        ],
    );
    // An AI Services account without projects (a hub's connection target) is not imported as
    // a Foundry resource.
    assert!(!lab.path("imported/contoso-ais.yaml").exists());
    let plan = lab.hubctl(&["plan", "imported"]).await.expect(0);
    says(&plan.stdout, &["No changes"]);
}

fn deployment_path(name: &str) -> String {
    format!("{}/deployments/{name}", account_path("contoso-foundry"))
}

/// The locked-down example with `edits` applied (each must apply).
fn locked_down_with(edits: &[(&str, &str)]) -> String {
    let mut text = foundry_example("locked-down.yaml");
    for (from, to) in edits {
        assert!(text.contains(from), "{from}");
        text = text.replacen(from, to, 1);
    }
    text
}

#[tokio::test]
async fn deployments_and_content_filters_apply_change_in_place_and_are_refused_as_the_service_refuses()
 {
    let lab = lab_with_both().await;
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    let chat = lab.get(&deployment_path("chat"), CS).await.unwrap();
    assert_eq!(chat["properties"]["raiPolicyName"], "strict", "the filter was there first");
    assert_eq!(chat["sku"]["capacity"], 50);
    let filter = lab
        .get(&format!("{}/raiPolicies/strict", account_path("contoso-foundry")), CS)
        .await
        .unwrap();
    assert_eq!(filter["properties"]["basePolicyName"], "Microsoft.DefaultV2");

    // The service upgrades the unpinned embeddings model: not drift.
    lab.edit(&deployment_path("embeddings"), json!({"properties": {"model": {"version": "2"}}}))
        .await;
    lab.hubctl(&["plan", "hubs"]).await.expect(0);

    // Capacity alone: one PATCH of the SKU, in place.
    lab.write("locked-down.yaml", &locked_down_with(&[("capacity: 50", "capacity: 80")]));
    let (puts, patches) = (lab.requests("PUT accounts"), lab.requests("PATCH accounts"));
    let applied = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    says(&applied.stdout, &["chat: capacity", "spec.deployments.chat.sku.capacity"]);
    assert_eq!(lab.requests("PUT accounts"), puts, "no PUT: the deployment is not replaced");
    // The SKU's PATCH, and hubctl's record of the manifest (its tags, before and after).
    assert_eq!(lab.requests("PATCH accounts"), patches + 3);
    assert_eq!(lab.get(&deployment_path("chat"), CS).await.unwrap()["sku"]["capacity"], 80);

    // Capacity and version at once: two requests (the service refuses both in one).
    let both = locked_down_with(&[("capacity: 50", "capacity: 90"), ("2024-11-20", "2024-08-06")]);
    lab.write("locked-down.yaml", &both);
    let (puts, patches) = (lab.requests("PUT accounts"), lab.requests("PATCH accounts"));
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    assert_eq!(lab.requests("PATCH accounts"), patches + 3, "capacity, and the record");
    assert_eq!(lab.requests("PUT accounts"), puts + 1, "the version by a PUT of its own");
    let chat = lab.get(&deployment_path("chat"), CS).await.unwrap();
    assert_eq!(
        (chat["sku"]["capacity"].as_u64(), chat["properties"]["model"]["version"].as_str()),
        (Some(90), Some("2024-08-06"))
    );
    lab.hubctl(&["plan", "hubs"]).await.expect(0);

    // A model change: refused with its remedy, nothing written.
    lab.write(
        "locked-down.yaml",
        &locked_down_with(&[
            ("name: gpt-4o, version: \"2024-11-20\"", "name: gpt-4o-mini"),
            ("capacity: 50", "capacity: 90"),
        ]),
    );
    let before = writes(&lab);
    let refused = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(3);
    says(
        &refused.stdout,
        &["spec.deployments.chat.model.name", "new name", "onModelChange: replace"],
    );
    assert_eq!(writes(&lab), before);

    // Over the subscription's quota (150 for gpt-4o GlobalStandard): blocked at plan time with
    // the figures, nothing written.
    lab.write("locked-down.yaml", &both.replace("capacity: 90", "capacity: 200"));
    let before = writes(&lab);
    let over = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(3);
    says(
        &over.stdout,
        &[
            "OpenAI.GlobalStandard.gpt-4o in eastus2",
            "asks 110 more, 60 free (limit 150, in use 90)",
            "request more quota",
        ],
    );
    assert_eq!(writes(&lab), before);
    let json = lab.hubctl(&["plan", "--format", "json", "hubs"]).await.expect(3);
    let plan: Value = serde_json::from_str(&json.stdout).unwrap();
    let quota = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["fields"].as_array().unwrap().iter())
        .find(|f| f["field"] == "quota")
        .expect("the JSON plan carries the figures");
    assert_eq!(
        (
            quota["before"]["limit"].as_u64(),
            quota["before"]["free"].as_u64(),
            quota["after"]["asked"].as_u64()
        ),
        (Some(150), Some(60), Some(110))
    );
}

#[tokio::test]
async fn ten_deployments_on_one_account_apply_one_at_a_time() {
    let lab = Lab::start(Options::default()).await;
    let mut text = foundry_example("minimal.yaml");
    text.push_str("  deployments:\n");
    for i in 0..10 {
        text.push_str(&format!("    - {{ name: embed-{i}, model: {{ name: text-embedding-3-large }}, sku: {{ name: Standard, capacity: 10 }} }}\n"));
    }
    lab.write("minimal.yaml", &text);
    // The service refuses a second deployment operation on one account (409 RequestConflict):
    // an apply that sent them together would fail; this one does not.
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    let list = lab
        .get(&format!("{}/deployments", account_path("contoso-foundry-sandbox")), CS)
        .await
        .unwrap();
    assert_eq!(list["value"].as_array().unwrap().len(), 10);
    lab.hubctl(&["plan", "hubs"]).await.expect(0);
}

#[tokio::test]
async fn a_capability_host_that_fails_is_reported_with_the_services_error_and_replaced_on_request()
{
    let lab = lab_with_both().await;
    // The service's slowest failure: the host's provisioning times out (foundry-samples #810).
    assert!(lab.control("faults", json!({"capabilityHostTimeouts": 1})).await < 300);
    let failed = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(1);
    says(
        &format!("{}{}", failed.stdout, failed.stderr),
        &["CapabilityHostOperationFailed", "did not complete within the allowed timeout period"],
    );
    // Failed, it is not left as it is, nor updated: refused, or replaced when asked.
    let plan = lab.hubctl(&["plan", "hubs"]).await.expect(3);
    says(&plan.stdout, &["agents.provisioningState", "--replace-capability-hosts"]);
    let replaced = lab
        .hubctl(&["apply", "--auto-approve", "--replace-capability-hosts", "hubs"])
        .await
        .expect(0);
    says(
        &replaced.stdout,
        &["claims-assistant/agents (replace: delete)", "claims-assistant/agents (replace: create)"],
    );
    let host = format!(
        "{}/projects/claims-assistant/capabilityHosts/agents",
        account_path("contoso-foundry")
    );
    assert_eq!(lab.get(&host, CS).await.unwrap()["properties"]["provisioningState"], "Succeeded");
    lab.hubctl(&["plan", "hubs"]).await.expect(0);
    // A change of its connections: refused (the service has no update), nothing written.
    let text =
        foundry_example("locked-down.yaml").replace("        vectorStore: [agent-vectors]\n", "");
    lab.write("locked-down.yaml", &text);
    let before = writes(&lab);
    let refused = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(3);
    says(&refused.stdout, &["agents.vectorStore", "has no update"]);
    assert_eq!(writes(&lab), before);
}

#[tokio::test]
async fn a_slow_capability_host_is_waited_for_and_the_wait_is_shown() {
    let options = Options {
        capability_host_lro: Some(std::time::Duration::from_millis(1500)),
        ..Options::default()
    };
    let lab = Lab::start(options).await;
    lab.write("locked-down.yaml", &foundry_example("locked-down.yaml"));
    let run = lab
        .hubctl_env(&["apply", "--auto-approve", "hubs"], "HUBCTL_WAIT_NOTICE_MS", "200")
        .await
        .expect(0);
    says(&run.stderr, &["… still waiting: create contoso-foundry/claims-assistant/agents"]);
    lab.hubctl(&["plan", "hubs"]).await.expect(0);
}

#[tokio::test]
async fn a_subdomain_held_outside_the_subscriptions_read_is_refused_at_plan_time() {
    // A second subscription hubctl's manifests do not name, with an account holding the
    // minimal manifest's subdomain: the service's domain check finds it.
    let text = std::fs::read_to_string(examples().join("local-cloud-seed.yaml")).unwrap();
    let text = text.replace(
        "principals:\n",
        "  - id: 00000000-0000-0000-0000-000000000002\n    resourceGroups:\n      - { name: rg-other, location: eastus2 }\nprincipals:\n",
    );
    let seed = hubctl_emulator::Seed::from_text(&text).unwrap();
    let lab = Lab::start(Options { seed: Some(seed), ..Options::default() }).await;
    let elsewhere = "/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/rg-other/providers/Microsoft.CognitiveServices/accounts/elsewhere";
    let body = json!({"location": "eastus2", "kind": "AIServices", "sku": {"name": "S0"}, "properties": {"customSubDomainName": "contoso-foundry-sandbox"}});
    assert!(lab.put(elsewhere, CS, &body).await < 300);
    lab.write("minimal.yaml", &foundry_example("minimal.yaml"));
    let before = writes(&lab);
    let plan = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(3);
    says(&plan.stdout, &["unique across Azure", "outside the subscriptions read"]);
    assert_eq!(writes(&lab), before, "nothing written");
}
