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

/// Writes the emulator has answered so far (every PUT, PATCH, DELETE and POST to ARM), by kind.
fn writes(lab: &Lab) -> std::collections::BTreeMap<String, u64> {
    lab.emulator
        .stats()
        .by_kind
        .into_iter()
        .filter(|(k, _)| ["PUT ", "PATCH ", "DELETE ", "POST "].iter().any(|m| k.starts_with(m)))
        .filter(|(k, _)| k != "POST token")
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
