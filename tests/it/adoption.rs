//! Adopting the hubs a team already runs (issue 18): import, then a clean plan and drift;
//! `hubctl adopt` writes only hubctl's tags; the first apply with a real change adopts too;
//! hubs stored exactly as Azure's public examples show them import and plan clean.

use hubctl_emulator::Options;
use serde_json::{Value, json};

use crate::lab::{Lab, SUB};
use crate::support::{example, workspace};

/// Where `foreign_hub` grants its access by hand.
const HAND_GRANT: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ai-platform/providers/Microsoft.MachineLearningServices/workspaces/contoso-sandbox/providers/Microsoft.Authorization/roleAssignments/12345678-1234-4234-8234-123456789abc";

/// The example hub applied, then hubctl's tags taken off and its access granted again by hand
/// (another name, no mark): a hub hubctl did not make.
async fn foreign_hub() -> Lab {
    let lab = Lab::start(Options::default()).await;
    lab.write("minimal.yaml", &example("minimal.yaml"));
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    let untag = json!({"tags": {"hubctl-managed-by": null, "hubctl-manifest-digest": null}});
    lab.edit(&Lab::workspace_path("contoso-sandbox"), untag).await;
    let scope = Lab::workspace_path("contoso-sandbox");
    let list =
        format!("{scope}/providers/Microsoft.Authorization/roleAssignments?$filter=atScope()");
    let list = lab.get(&list, "2022-04-01").await.unwrap();
    let granted: Vec<&Value> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| {
            a["properties"]["scope"].as_str().is_some_and(|s| s.eq_ignore_ascii_case(&scope))
        })
        .collect();
    assert_eq!(granted.len(), 1);
    assert_eq!(lab.delete(granted[0]["id"].as_str().unwrap(), "2022-04-01").await, 200);
    let mut by_hand = granted[0].clone();
    by_hand["properties"]
        .as_object_mut()
        .unwrap()
        .retain(|k, _| ["roleDefinitionId", "principalId", "principalType"].contains(&k.as_str()));
    assert_eq!(lab.put(HAND_GRANT, "2022-04-01", &by_hand).await, 201);
    lab.remove("minimal.yaml");
    lab
}

async fn import(lab: &Lab) {
    let args = ["import", "--subscription", SUB, "--name", "contoso-sandbox", "--out", "hubs"];
    let imported = lab.hubctl(&args).await;
    assert_eq!(imported.code, 0, "{}", imported.stderr);
}

fn tags(hub: &Value) -> Vec<String> {
    hub["tags"].as_object().unwrap().keys().cloned().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_hub_plans_clean_and_adopt_writes_only_the_tags() {
    let lab = foreign_hub().await;
    import(&lab).await;
    let plan = lab.hubctl(&["plan", "hubs"]).await;
    assert_eq!(plan.code, 0, "no changes:\n{}", plan.stdout);
    assert!(plan.stdout.contains("No changes"), "{}", plan.stdout);
    assert_eq!(lab.hubctl(&["drift", "hubs"]).await.code, 0);

    let before = lab.workspace("contoso-sandbox").await.unwrap();
    let adopt = lab.hubctl(&["adopt", "--auto-approve", "hubs"]).await.expect(0);
    assert!(
        adopt.stdout.contains("+ adopt hub contoso-sandbox: write tags hubctl-managed-by=hubctl"),
        "{}",
        adopt.stdout
    );
    // The access granted by hand is adopted with the hub: hubctl's mark, nothing else (and
    // import wrote the group by its name, which resolves to the same object id).
    assert!(
        adopt.stdout.contains("~ role assignment contoso-sandbox: Azure AI Developer → group:AI developers (7d2f6a0e-0000-0000-0000-000000000010): add hubctl's mark"),
        "{}",
        adopt.stdout
    );
    let grant = lab.get(HAND_GRANT, "2022-04-01").await.unwrap();
    assert_eq!(grant["properties"]["description"], "[managed by hubctl]");
    let after = lab.workspace("contoso-sandbox").await.unwrap();
    assert_eq!(
        tags(&after),
        ["costCenter", "environment", "hubctl-managed-by", "hubctl-manifest-digest"]
    );
    for unchanged in ["properties", "identity", "location", "kind"] {
        let strip = |w: &Value| {
            let mut v = w[unchanged].clone();
            if let Some(p) = v.as_object_mut() {
                p.remove("provisioningState");
            }
            v
        };
        assert_eq!(strip(&before), strip(&after), "adopt changed {unchanged}");
    }
    assert_eq!(lab.hubctl(&["plan", "hubs"]).await.code, 0);
    assert_eq!(lab.hubctl(&["drift", "hubs"]).await.code, 0);
    let again = lab.hubctl(&["adopt", "--auto-approve", "hubs"]).await;
    assert_eq!(again.code, 0);
    assert!(again.stdout.contains("contoso-sandbox: already adopted"), "{}", again.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adopt_refuses_a_hub_that_differs_and_the_first_apply_with_a_change_adopts_it() {
    let lab = foreign_hub().await;
    import(&lab).await;
    let manifest =
        std::fs::read_to_string(lab.dir.path().join("hubs/contoso-sandbox.yaml")).unwrap();
    let edited = manifest.replace("Experiments; no production data", "Adopted by a change");
    assert_ne!(manifest, edited, "the imported manifest has the description:\n{manifest}");
    lab.write("contoso-sandbox.yaml", &edited);

    let refused = lab.hubctl(&["adopt", "--auto-approve", "hubs"]).await.expect(3);
    assert!(refused.stdout.contains("contoso-sandbox: refused"), "{}", refused.stdout);
    assert!(
        !tags(&lab.workspace("contoso-sandbox").await.unwrap())
            .contains(&"hubctl-managed-by".to_string())
    );

    let drift = lab.hubctl(&["drift", "hubs"]).await;
    assert_eq!(drift.code, 2);
    assert!(
        drift.stdout.contains("not adopted: drift and pending cannot be told apart"),
        "{}",
        drift.stdout
    );
    let plan = lab.hubctl(&["plan", "hubs"]).await;
    assert!(plan.stdout.contains("update hub contoso-sandbox and adopt it"), "{}", plan.stdout);
    lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    let hub = lab.workspace("contoso-sandbox").await.unwrap();
    assert_eq!(hub["tags"]["hubctl-managed-by"], "hubctl");
    assert_eq!(hub["properties"]["description"], "Adopted by a change");
    assert_eq!(lab.hubctl(&["drift", "hubs"]).await.code, 0);
}

/// `Workspace/get.json` of the public API examples (see [`example_hub`]), named as it is.
fn public_example_hub() -> Value {
    example_hub("machinelearningservices-2025-12-01/Workspace/get.json", "testworkspace")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_stored_as_the_public_example_shows_it_imports_and_plans_clean() {
    let lab = Lab::start(Options::default()).await;
    lab.emulator.store(vec![public_example_hub()]).unwrap();
    let args = ["import", "--subscription", SUB, "--name", "testworkspace", "--out", "hubs"];
    let imported = lab.hubctl(&args).await.expect(0);
    let manifest = std::fs::read_to_string(lab.dir.path().join("hubs/testworkspace.yaml")).unwrap();
    // What a manifest holds is written as a field, and not named as left out.
    assert!(manifest.contains("  imageBuildCompute: testcompute\n"), "{manifest}");
    assert!(
        manifest.contains("    sharedPrivateLinks:\n      - { name: testcosmosdbresource,"),
        "{manifest}"
    );
    assert!(!imported.stderr.contains("warning:"), "{}", imported.stderr);
    let plan = lab.hubctl(&["plan", "hubs"]).await;
    assert_eq!(plan.code, 0, "no changes:\n{}\n{}\n{manifest}", plan.stdout, plan.stderr);
    let drift = lab.hubctl(&["drift", "hubs"]).await;
    assert_eq!(drift.code, 0, "{}\n{manifest}", drift.stdout);
}

/// What the public example hub links to, so the service (the emulator) takes writes to it.
fn its_linked_resources(hub: &Value) -> Vec<Value> {
    let p = &hub["properties"];
    let uai = hub["identity"]["userAssignedIdentities"].as_object().unwrap().keys().next().unwrap();
    let vault = p["encryption"]["keyVaultProperties"]["keyVaultArmId"].as_str().unwrap();
    let key = p["encryption"]["keyVaultProperties"]["keyIdentifier"].as_str().unwrap();
    let (key_name, version) = {
        let mut parts = key.rsplit('/');
        let version = parts.next().unwrap();
        (parts.next().unwrap(), version)
    };
    let linked =
        [&p["storageAccount"], &p["keyVault"], &p["applicationInsights"], &p["containerRegistry"]];
    let mut out: Vec<Value> = linked
        .iter()
        .map(|id| id.as_str().unwrap())
        .chain([uai.as_str(), vault])
        .map(|id| json!({"id": id, "name": id.rsplit('/').next().unwrap(), "location": "eastus2euap"}))
        .collect();
    out.push(
        json!({"id": format!("{vault}/keys/{key_name}"), "properties": {"versions": [version]}}),
    );
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_manifest_does_not_manage_survives_import_and_an_unrelated_apply() {
    let lab = Lab::start(Options::default()).await;
    let hub = public_example_hub();
    let hub_id = hub["id"].as_str().unwrap().to_string();
    let mut stored = its_linked_resources(&hub);
    stored.push(hub.clone());
    // A described, conditioned assignment, as the service returns one.
    let grant = format!(
        "{hub_id}/providers/Microsoft.Authorization/roleAssignments/3fd4a8ef-2b2c-4d2f-9c3e-000000000001"
    );
    stored.push(json!({
        "id": grant, "name": "3fd4a8ef-2b2c-4d2f-9c3e-000000000001",
        "type": "Microsoft.Authorization/roleAssignments",
        "properties": {
            "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"),
            "principalId": "7d2f6a0e-0000-0000-0000-000000000010", "principalType": "Group", "scope": hub_id,
            "description": "Auditors read the hub, nothing else",
            "condition": "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'audit'",
            "conditionVersion": "2.0", "createdOn": "2026-01-01T00:00:00Z", "updatedOn": "2026-01-01T00:00:00Z",
            "createdBy": null, "updatedBy": null, "delegatedManagedIdentityResourceId": null
        }
    }));
    lab.emulator.store(stored).unwrap();
    let args = ["import", "--subscription", SUB, "--name", "testworkspace", "--out", "hubs"];
    lab.hubctl(&args).await.expect(0);
    let path = lab.dir.path().join("hubs/testworkspace.yaml");
    let manifest = std::fs::read_to_string(&path).unwrap();
    assert!(manifest.contains("description: Auditors read the hub, nothing else"), "{manifest}");
    assert!(manifest.contains("condition: \"@Resource"), "{manifest}");
    lab.hubctl(&["plan", "hubs"]).await.expect(0);

    // An unrelated change: the hub's display name.
    let before = lab.get(&hub_id, "2026-05-01").await.unwrap();
    let edited = manifest.replace("displayName: HelloName", "displayName: Renamed");
    assert_ne!(edited, manifest);
    std::fs::write(&path, edited).unwrap();
    let applied = lab.hubctl(&["apply", "--auto-approve", "hubs"]).await.expect(0);
    // The apply adopts the hub, and with it the equal assignment it found (marked, not
    // duplicated).
    assert!(applied.stdout.contains("(adopt)"), "{}", applied.stdout);
    let after = lab.get(&hub_id, "2026-05-01").await.unwrap();
    assert_eq!(after["properties"]["friendlyName"], "Renamed");
    for kept in [
        "imageBuildCompute",
        "sharedPrivateLinkResources",
        "allowPublicAccessWhenBehindVnet",
        "encryption",
    ] {
        assert_eq!(before["properties"][kept], after["properties"][kept], "{kept} changed");
    }
    // (The service keeps its own part of the managed network — its required rules, ids — up
    // to date on any write; what the manifest sets of it is unchanged.)
    let mode = |w: &Value| w["properties"]["managedNetwork"]["isolationMode"].clone();
    assert_eq!(mode(&before), mode(&after));
    let grant_after = lab.get(&grant, "2022-04-01").await.unwrap();
    // The person's description is kept; hubctl's mark follows it.
    assert_eq!(
        grant_after["properties"]["description"],
        "Auditors read the hub, nothing else [managed by hubctl]"
    );
    assert!(grant_after["properties"]["condition"].as_str().unwrap().contains("'audit'"));
    lab.hubctl(&["drift", "hubs"]).await.expect(0);
}

/// A response body of the public examples (crates/emulator/tests/fixtures/arm-reference), as
/// it is but for what makes it a hub of the example seed: kind Hub, the seed's subscription and
/// resource group, and `name` for its name (each example calls its workspace `testworkspace`).
fn example_hub(file: &str, name: &str) -> Value {
    let path = workspace().join("crates/emulator/tests/fixtures/arm-reference").join(file);
    let example: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let body =
        ["200", "201"].iter().find_map(|code| example["responses"][code].get("body")).unwrap();
    let text = body
        .to_string()
        .replace("00000000-1111-2222-3333-444444444444", SUB)
        .replace("resourceGroups/workspace-1234", "resourceGroups/rg-ai-platform")
        .replace("workspaces/testworkspace\"", &format!("workspaces/{name}\""))
        .replace("\"name\":\"testworkspace\"", &format!("\"name\":\"{name}\""));
    let mut hub: Value = serde_json::from_str(&text).unwrap();
    hub["kind"] = json!("Hub");
    hub
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hub_shaped_as_a_public_example_imports_plans_and_drifts_clean() {
    let lab = Lab::start(Options::default()).await;
    let examples = [
        ("machinelearningservices-2025-12-01/Workspace/get.json", "from-get"),
        ("machinelearningservices-2025-12-01/Workspace/create.json", "from-create"),
        ("machinelearningservices-2025-12-01/Workspace/update.json", "from-update"),
        ("machinelearningservices-2026-05-01/Workspace/update.json", "from-update-2026"),
    ];
    let mut stored: Vec<Value> =
        examples.iter().map(|(file, name)| example_hub(file, name)).collect();
    // An assignment at one of them, shaped as the public Get example (no condition, no
    // description, a tenant-scope role definition id).
    let hub_id = stored[0]["id"].as_str().unwrap().to_string();
    let grant = json!({
        "id": format!("{hub_id}/providers/Microsoft.Authorization/roleAssignments/b0f43c54-e787-4862-89b1-a653fa9cf747"),
        "type": "Microsoft.Authorization/roleAssignments", "name": "b0f43c54-e787-4862-89b1-a653fa9cf747",
        "properties": {
            "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
            "principalId": "7d2f6a0e-0000-0000-0000-000000000010", "principalType": "Group", "scope": hub_id
        }
    });
    stored.push(grant);
    // An assignment at the resource group, which every hub in it inherits: never a hub's own.
    let group = format!("/subscriptions/{SUB}/resourceGroups/rg-ai-platform");
    stored.push(json!({
        "id": format!("{group}/providers/Microsoft.Authorization/roleAssignments/7e2f43c5-e787-4862-89b1-a653fa9cf747"),
        "type": "Microsoft.Authorization/roleAssignments", "name": "7e2f43c5-e787-4862-89b1-a653fa9cf747",
        "properties": {
            "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c"),
            "principalId": "7d2f6a0e-0000-0000-0000-000000000011", "principalType": "Group", "scope": group,
            "condition": null, "conditionVersion": null, "description": null
        }
    }));
    // A connection a manifest cannot hold (managed-identity auth), stored as the service keeps it.
    stored.push(json!({
        "id": format!("{hub_id}/connections/lake"), "name": "lake",
        "type": "Microsoft.MachineLearningServices/workspaces/connections",
        "properties": {"category": "AzureBlob", "authType": "ManagedIdentity", "target": "https://lake.blob.core.windows.net/raw",
            "metadata": {"ResourceId": "/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/lake", "ContainerName": "raw"}}
    }));
    lab.emulator.store(stored).unwrap();
    let imported = lab.hubctl(&["import", "--subscription", SUB, "--out", "hubs"]).await.expect(0);
    for (_, name) in examples {
        assert!(
            imported.stderr.contains(&format!("hubs/{name}.yaml")),
            "{name}: {}",
            imported.stderr
        );
    }
    let read = |name: &str| {
        std::fs::read_to_string(lab.dir.path().join(format!("hubs/{name}.yaml"))).unwrap()
    };
    assert!(read("from-get").contains("role: Reader"), "{}", read("from-get"));
    for (_, name) in examples {
        assert!(
            !read(name).contains("000000000011"),
            "an inherited grant imported:\n{}",
            read(name)
        );
    }
    // What no manifest field holds is named, in the file and on stderr: a network setting of
    // the 2025-12-01 example, and a connection with another auth.
    for (hub, what) in [
        ("from-update", "network.enableFirewallLog: true — not managed by hubctl, left as it is"),
        (
            "from-get",
            "connection lake (AzureBlob) uses auth ManagedIdentity, which a manifest cannot hold",
        ),
    ] {
        assert!(imported.stderr.contains(&format!("warning: {hub}: ")), "{}", imported.stderr);
        assert!(imported.stderr.contains(what), "{what} not named:\n{}", imported.stderr);
        assert!(read(hub).contains(&format!("# {what}")), "{what} not in:\n{}", read(hub));
    }
    let plan = lab.hubctl(&["plan", "hubs"]).await;
    let all: Vec<String> = examples.iter().map(|(_, n)| read(n)).collect();
    assert_eq!(
        plan.code,
        0,
        "no changes:\n{}\n{}\n{}",
        plan.stdout,
        plan.stderr,
        all.join("\n---\n")
    );
    lab.hubctl(&["drift", "hubs"]).await.expect(0);
}
