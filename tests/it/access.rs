//! Access that follows the manifest: what hubctl granted (its mark in the description, or its
//! derived name) is revoked when its entry goes, whatever `exclusive` says; what others granted
//! is left alone; an equal grant found in place is adopted, not duplicated; a role change
//! grants the new role before it revokes the old one.

use serde_json::json;

use crate::lab::{Lab, SUB};
use crate::support::example;

const DEV: &str = "64702f94-c441-49e6-a78b-ef80e0188fee";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const ENTRY: &str = "      - principal: 7d2f6a0e-0000-0000-0000-000000000010\n        principalType: group\n        role: Azure AI Developer\n";

fn pair(principal: &str, role: &str) -> (String, String) {
    (format!("7d2f6a0e-0000-0000-0000-0000000000{principal}"), role.to_string())
}

/// A grant made outside hubctl, at the sandbox hub's scope.
async fn grant_by_hand(lab: &Lab, name: &str, principal: &str, role: &str) -> String {
    let scope = Lab::workspace_path("contoso-sandbox");
    let id = format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}");
    let body = json!({"properties": {
        "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}"),
        "principalId": format!("7d2f6a0e-0000-0000-0000-0000000000{principal}"),
        "principalType": "Group",
    }});
    assert_eq!(lab.put(&id, "2022-04-01", &body).await, 201);
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_an_entry_revokes_what_hubctl_granted_and_nothing_else() {
    let lab = Lab::start(Default::default()).await;
    let with_reader = example("minimal.yaml").replace(
        ENTRY,
        &format!("{ENTRY}      - {{ principal: 7d2f6a0e-0000-0000-0000-000000000020, principalType: group, role: Reader }}\n"),
    );
    assert!(with_reader.contains("000000000020"));
    lab.write("minimal.yaml", &with_reader);
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    // Someone grants another group Reader by hand, and the same Developer grant again under
    // another name would be refused by ARM, so it is the same grant hubctl made: untouched.
    let foreign = grant_by_hand(&lab, "12345678-1234-4234-8234-123456789abc", "11", READER).await;
    let mut expected = vec![pair("10", DEV), pair("11", READER), pair("20", READER)];
    expected.sort();
    assert_eq!(lab.access("contoso-sandbox").await, expected);
    // hubctl's grants carry its mark; the hand-made one does not.
    let foreign_body = lab.get(&foreign, "2022-04-01").await.unwrap();
    assert!(foreign_body["properties"]["description"].is_null());

    // The Reader entry leaves the manifest (exclusive stays false).
    lab.write("minimal.yaml", &example("minimal.yaml"));
    let plan = lab.hubctl(&["plan", "hubs"]).await.expect(2);
    assert!(
        plan.stdout.contains("- delete role assignment contoso-sandbox: Reader → 7d2f6a0e-0000-0000-0000-000000000020"),
        "{}",
        plan.stdout
    );
    assert!(
        !plan.stdout.contains("000000000011"),
        "a grant hubctl did not make is not touched:\n{}",
        plan.stdout
    );
    let json = lab.hubctl(&["plan", "hubs", "--format", "json"]).await.expect(2);
    assert!(json.stdout.contains("DeleteBecauseRemovedFromManifest"), "{}", json.stdout);
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    let mut expected = vec![pair("10", DEV), pair("11", READER)];
    expected.sort();
    assert_eq!(lab.access("contoso-sandbox").await, expected);
    lab.hubctl(&["plan", "hubs"]).await.expect(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_equal_grant_in_place_is_adopted_then_follows_the_manifest() {
    let lab = Lab::start(Default::default()).await;
    let without = example("minimal.yaml").replace(ENTRY, "");
    assert_ne!(without, example("minimal.yaml"));
    lab.write("minimal.yaml", &without);
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    // The group gets its Developer role by hand; then the manifest declares the same grant.
    let id = grant_by_hand(&lab, "12345678-1234-4234-8234-123456789abc", "10", DEV).await;
    lab.write("minimal.yaml", &example("minimal.yaml"));
    let plan = lab.hubctl(&["plan", "hubs"]).await.expect(2);
    assert!(!plan.stdout.contains("create role assignment"), "not duplicated:\n{}", plan.stdout);
    assert!(
        plan.stdout.contains("~ update role assignment contoso-sandbox: Azure AI Developer → 7d2f6a0e-0000-0000-0000-000000000010 (adopt): only hubctl's mark"),
        "the plan says it adopts:\n{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("0 to add, 0 to change, 0 to destroy, 0 blocked. 2 update(s) of hubctl's own records only"), "{}", plan.stdout);
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    assert_eq!(lab.access("contoso-sandbox").await, vec![pair("10", DEV)]);
    let adopted = lab.get(&id, "2022-04-01").await.unwrap();
    assert_eq!(adopted["properties"]["description"], "[managed by hubctl]");
    lab.hubctl(&["plan", "hubs"]).await.expect(0);
    // Adopted, it is hubctl's: leaving the manifest revokes it.
    lab.write("minimal.yaml", &without);
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    assert!(lab.access("contoso-sandbox").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_change_grants_the_new_role_before_revoking_the_old() {
    let lab = Lab::start(Default::default()).await;
    lab.write("minimal.yaml", &example("minimal.yaml"));
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    lab.write(
        "minimal.yaml",
        &example("minimal.yaml").replace("role: Azure AI Developer", "role: Reader"),
    );
    let plan = lab.hubctl(&["plan", "hubs", "--format", "json"]).await.expect(2);
    let plan: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    let changes = plan["changes"].as_array().unwrap();
    let at = |action: &str| {
        changes
            .iter()
            .position(|c| c["kind"] == "roleAssignment" && c["action"] == action)
            .unwrap_or_else(|| panic!("no {action}: {plan}"))
    };
    let (create, delete) = (at("create"), at("delete"));
    assert!(create < delete, "the new role is granted first");
    // The delete waits for the create (apply runs a hub's changes in that chain).
    let create_id = changes[create]["id"].as_str().unwrap();
    let mut waits_for = changes[delete]["dependsOn"][0].as_str();
    let mut seen = false;
    while let Some(id) = waits_for {
        seen |= id == create_id;
        waits_for = changes.iter().find(|c| c["id"] == id).and_then(|c| c["dependsOn"][0].as_str());
    }
    assert!(seen, "{plan}");
    let run = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    let line =
        |what: &str| run.stdout.find(what).unwrap_or_else(|| panic!("{what}:\n{}", run.stdout));
    assert!(line("create role assignment") < line("delete role assignment"), "{}", run.stdout);
    assert_eq!(lab.access("contoso-sandbox").await, vec![pair("10", READER)]);
    lab.hubctl(&["plan", "hubs"]).await.expect(0);
}
