//! Every public example in tests/fixtures/arm-reference/ (copies from Azure/azure-rest-api-specs,
//! sources in its SOURCES.md) replayed against the emulator: the example's request is sent, and
//! the answer must have one of the example's statuses and its shape
//! (every field the example shows, with the same JSON type; ids and names equal).
//!
//! Deviations, each deliberate: the role assignment Get example is sent with api-version
//! 2022-04-01 instead of its 2020-10-01-preview (the emulator serves the stable version only),
//! and examples whose path names a placeholder role definition ("roleDefinitionId") use a GUID.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::time::Duration;

use hubctl_emulator::{Options, Seed};
use reqwest::Method;
use serde_json::{Value, json};
use support::*;

const ML_SUB: &str = "00000000-1111-2222-3333-444444444444";
const AUTH_SUB: &str = "a925f2f7-5c63-4b7b-8799-25a5f97bc3b2";

fn seed() -> Seed {
    let text = format!(
        r#"
apiVersion: hubctl/v1
kind: LocalCloudSeed
subscriptions:
  - id: {ML_SUB}
    resourceGroups:
      - name: workspace-1234
        location: eastus2euap
        resources:
          - {{ type: Microsoft.ManagedIdentity/userAssignedIdentities, name: testuai }}
          - {{ type: Microsoft.ContainerRegistry/registries, name: testRegistry }}
          - {{ type: Microsoft.Insights/components, name: testinsights }}
          - type: Microsoft.KeyVault/vaults
            name: testkv
            keys: [{{ name: testkey, versions: [aabbccddee112233445566778899aabb] }}]
      - name: accountcrud-1234
        location: eastus2euap
        resources:
          - {{ type: Microsoft.Storage/storageAccounts, name: testStorageAccount }}
      - name: test-rg
        location: eastus2euap
        resources:
          - {{ type: Microsoft.Storage/storageAccounts, name: rulesa }}
  - id: {AUTH_SUB}
    resourceGroups:
      - name: testrg
        location: eastus
        resources:
          - {{ type: Microsoft.DocumentDB/databaseAccounts, name: test-db-account }}
principals:
  - {{ id: ce2ce14e-85d7-4629-bdbc-454d0519d987, type: User }}
servicePrincipals:
  - {{ clientId: {CLIENT_ID}, objectId: 11111111-0000-0000-0000-0000000000a1, secret: {CLIENT_SECRET} }}
customRoles:
  - {{ id: 0b5fe924-9a61-425c-96af-cfe6e287ca2d, roleName: Example role }}
"#
    );
    Seed::from_text(&text).unwrap()
}

fn load(relative: &str) -> Value {
    let path = arm_reference().join(relative);
    serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

/// Differences between the example's shape and ours: fields the example shows that we lack, or
/// with another JSON type. `null` in either is compatible with anything.
fn shape_differences(example: &Value, ours: &Value, path: &str, out: &mut Vec<String>) {
    match (example, ours) {
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(e), Value::Object(o)) => {
            for (key, value) in e {
                match o.get(key) {
                    Some(mine) => shape_differences(value, mine, &format!("{path}.{key}"), out),
                    None => out.push(format!("{path}.{key} is missing")),
                }
            }
        }
        // Lists can mix shapes (rule types): each example item must match one of ours.
        (Value::Array(e), Value::Array(o)) => {
            for (i, item) in e.iter().enumerate() {
                let mut best: Option<Vec<String>> = None;
                for mine in o {
                    let mut found = Vec::new();
                    shape_differences(item, mine, &format!("{path}[{i}]"), &mut found);
                    if best.as_ref().is_none_or(|b| found.len() < b.len()) {
                        best = Some(found);
                    }
                }
                out.extend(best.unwrap_or_default());
            }
        }
        (Value::String(_), Value::String(_))
        | (Value::Bool(_), Value::Bool(_))
        | (Value::Number(_), Value::Number(_)) => {}
        (e, o) => out.push(format!("{path}: example has {e}, we have {o}")),
    }
}

fn assert_shape(what: &str, example: &Value, ours: &Value) {
    let mut out = Vec::new();
    shape_differences(example, ours, "", &mut out);
    assert!(out.is_empty(), "{what}: {out:#?}\nours: {ours:#}");
}

fn statuses(example: &Value) -> Vec<u16> {
    example["responses"].as_object().unwrap().keys().map(|k| k.parse().unwrap()).collect()
}

/// Send the request, follow a 202 to its end, check the status and the shape of the 200 body.
async fn replay(
    cloud: &Cloud,
    what: &str,
    example: &Value,
    method: Method,
    url: &str,
    body: Option<&Value>,
) -> Value {
    let allowed = statuses(example);
    let (status, headers, answer) = cloud.send(method, url, body).await;
    assert!(allowed.contains(&status), "{what}: status {status} not among {allowed:?}: {answer}");
    let (status, answer) =
        if status == 202 { cloud.wait(&headers).await } else { (status, answer) };
    assert!(
        allowed.contains(&status),
        "{what}: final status {status} not among {allowed:?}: {answer}"
    );
    if let Some(expected) = example["responses"][status.to_string()].get("body") {
        assert_shape(what, expected, &answer);
    }
    answer
}

fn ml_url(p: &Value, tail: &str) -> String {
    format!(
        "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.MachineLearningServices/workspaces/{}{tail}?api-version={}",
        p["subscriptionId"].as_str().unwrap(),
        p["resourceGroupName"].as_str().unwrap(),
        p["workspaceName"].as_str().unwrap(),
        p["api-version"].as_str().unwrap()
    )
}

#[tokio::test]
async fn workspace_examples_replay() {
    let cloud = Cloud::start(Options {
        seed: Some(seed()),
        lro: Duration::from_millis(20),
        page_size: 1,
        ..Options::default()
    })
    .await;
    let base = "machinelearningservices-2025-12-01/Workspace";

    let create = load(&format!("{base}/create.json"));
    let p = &create["parameters"];
    let created =
        replay(&cloud, "create", &create, Method::PUT, &ml_url(p, ""), Some(&p["parameters"]))
            .await;
    assert_eq!(created["name"], "testworkspace");

    let get = load(&format!("{base}/get.json"));
    let got = replay(&cloud, "get", &get, Method::GET, &ml_url(&get["parameters"], ""), None).await;
    assert_eq!(got["id"], get["responses"]["200"]["body"]["id"]);
    assert_eq!(got["type"], "Microsoft.MachineLearningServices/workspaces");

    for update in [
        load(&format!("{base}/update.json")),
        load("machinelearningservices-2026-05-01/Workspace/update.json"),
    ] {
        let p = &update["parameters"];
        let body = p.get("parameters").or_else(|| p.get("body")).unwrap();
        let updated =
            replay(&cloud, "update", &update, Method::PATCH, &ml_url(p, ""), Some(body)).await;
        assert_eq!(updated["properties"]["friendlyName"], "New friendly name");
        assert_eq!(updated["properties"]["publicNetworkAccess"], "Disabled");
    }

    // A second workspace so the list has a second page.
    let mut second = create["parameters"]["parameters"].clone();
    second["properties"].as_object_mut().unwrap().remove("sharedPrivateLinkResources");
    assert_eq!(
        cloud
            .put_and_wait(
                &ml_url(&create["parameters"], "").replace("testworkspace", "testworkspace1"),
                &second
            )
            .await
            .0,
        200
    );
    for (file, url) in [
        (
            "listByResourceGroup.json",
            format!(
                "/subscriptions/{ML_SUB}/resourceGroups/workspace-1234/providers/Microsoft.MachineLearningServices/workspaces?api-version=2025-12-01"
            ),
        ),
        (
            "listBySubscription.json",
            format!(
                "/subscriptions/{ML_SUB}/providers/Microsoft.MachineLearningServices/workspaces?api-version=2025-12-01"
            ),
        ),
    ] {
        let list = load(&format!("{base}/{file}"));
        let page = replay(&cloud, file, &list, Method::GET, &url, None).await;
        assert_eq!(page["value"].as_array().unwrap().len(), 1);
        assert!(page["nextLink"].as_str().unwrap().contains("$skip=1"));
    }

    let delete = load(&format!("{base}/delete.json"));
    let url = ml_url(&delete["parameters"], "");
    replay(&cloud, "delete", &delete, Method::DELETE, &url, None).await;
    let (status, _, _) = cloud.send(Method::DELETE, &url, None).await;
    assert!(
        statuses(&delete).contains(&status) && status == 204,
        "deleting a missing workspace: {status}"
    );
    cloud.emulator.shutdown().await;
}

#[tokio::test]
async fn managed_network_examples_replay() {
    let cloud = Cloud::start(Options {
        seed: Some(seed()),
        lro: Duration::from_millis(20),
        ..Options::default()
    })
    .await;
    let base = "machinelearningservices-2025-12-01/ManagedNetwork";
    let hub = json!({ "location": "eastus2euap", "kind": "Hub", "identity": { "type": "SystemAssigned" }, "properties": {
        "storageAccount": format!("/subscriptions/{ML_SUB}/resourceGroups/test-rg/providers/Microsoft.Storage/storageAccounts/rulesa"),
        "managedNetwork": { "isolationMode": "AllowOnlyApprovedOutbound" } } });
    let hub_url = format!(
        "/subscriptions/{ML_SUB}/resourceGroups/test-rg/providers/Microsoft.MachineLearningServices/workspaces/aml-workspace-name?api-version=2025-12-01"
    );
    assert_eq!(cloud.put_and_wait(&hub_url, &hub).await.0, 200);
    let rule_url =
        |p: &Value| ml_url(p, &format!("/outboundRules/{}", p["ruleName"].as_str().unwrap()));

    for file in [
        format!("{base}/createOrUpdateRule.json"),
        "machinelearningservices-2026-05-01/ManagedNetwork/createOrUpdateRule.json".to_string(),
    ] {
        let example = load(&file);
        let p = &example["parameters"];
        let rule =
            replay(&cloud, &file, &example, Method::PUT, &rule_url(p), Some(&p["body"])).await;
        assert_eq!(rule["properties"]["category"], "UserDefined");
    }

    let get = load(&format!("{base}/getRule.json"));
    let p = &get["parameters"];
    let fqdn = json!({ "properties": { "type": "FQDN", "destination": "destination_of_the_fqdn_rule", "category": "UserDefined" } });
    assert_eq!(cloud.put_and_wait(&rule_url(p), &fqdn).await.0, 200);
    let rule = replay(&cloud, "getRule", &get, Method::GET, &rule_url(p), None).await;
    assert_eq!(rule["name"], p["ruleName"]);

    let list = load(&format!("{base}/listRule.json"));
    let listed = replay(
        &cloud,
        "listRule",
        &list,
        Method::GET,
        &ml_url(&list["parameters"], "/outboundRules"),
        None,
    )
    .await;
    assert!(
        listed["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["properties"]["category"] == "Required")
    );

    let delete = load(&format!("{base}/deleteRule.json"));
    let p = &delete["parameters"];
    assert_eq!(cloud.put_and_wait(&rule_url(p), &fqdn).await.0, 200);
    replay(&cloud, "deleteRule", &delete, Method::DELETE, &rule_url(p), None).await;
    assert_eq!(cloud.send(Method::DELETE, &rule_url(p), None).await.0, 204);

    let provision = load(&format!("{base}/provision.json"));
    let p = &provision["parameters"];
    replay(
        &cloud,
        "provision",
        &provision,
        Method::POST,
        &ml_url(p, "/provisionManagedNetwork"),
        Some(&p["body"]),
    )
    .await;
    cloud.emulator.shutdown().await;
}

#[tokio::test]
async fn authorization_examples_replay() {
    let cloud = Cloud::start(Options { seed: Some(seed()), ..Options::default() }).await;
    let dir = "authorization-2022-04-01/examples";
    let assignment_url = |p: &Value| {
        format!(
            "/{}/providers/Microsoft.Authorization/roleAssignments/{}?api-version=2022-04-01",
            p["scope"].as_str().unwrap(),
            p["roleAssignmentName"].as_str().unwrap()
        )
    };
    for file in [
        "RoleAssignments_CreateForSubscription.json",
        "RoleAssignments_CreateForResourceGroup.json",
        "RoleAssignments_CreateForResource.json",
    ] {
        let example = load(&format!("{dir}/{file}"));
        let p = &example["parameters"];
        let created =
            replay(&cloud, file, &example, Method::PUT, &assignment_url(p), Some(&p["parameters"]))
                .await;
        assert_eq!(created["properties"]["scope"], format!("/{}", p["scope"].as_str().unwrap()));
        assert_eq!(created["name"], p["roleAssignmentName"]);
    }

    // Get and Delete name another assignment at the subscription; it must exist first.
    let get = load(&format!("{dir}/RoleAssignments_Get.json"));
    let p = &get["parameters"];
    let create_for_sub = load(&format!("{dir}/RoleAssignments_CreateForSubscription.json"));
    // The create example's assignment has the same principal, role and scope: delete it so this
    // one is not a duplicate (RoleAssignmentExists).
    assert_eq!(
        cloud.send(Method::DELETE, &assignment_url(&create_for_sub["parameters"]), None).await.0,
        200
    );
    let (status, _, _) =
        cloud.put(&assignment_url(p), &create_for_sub["parameters"]["parameters"]).await;
    assert_eq!(status, 201);
    let got = replay(&cloud, "Get", &get, Method::GET, &assignment_url(p), None).await;
    assert_eq!(got["id"], get["responses"]["200"]["body"]["id"]);

    let list = load(&format!("{dir}/RoleAssignments_ListForScope.json"));
    let url = format!(
        "/{}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01",
        list["parameters"]["scope"].as_str().unwrap()
    );
    let listed = replay(&cloud, "ListForScope", &list, Method::GET, &url, None).await;
    assert!(!listed["value"].as_array().unwrap().is_empty());
    let list = load(&format!("{dir}/RoleAssignments_ListForResourceGroup.json"));
    let url = format!(
        "/subscriptions/{AUTH_SUB}/resourceGroups/testrg/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01"
    );
    let listed = replay(&cloud, "ListForResourceGroup", &list, Method::GET, &url, None).await;
    // As in the example, the resource group's list includes the subscription-scope assignment.
    assert!(
        listed["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["properties"]["scope"] == format!("/subscriptions/{AUTH_SUB}"))
    );

    let delete = load(&format!("{dir}/RoleAssignments_Delete.json"));
    let url = assignment_url(&delete["parameters"]);
    let deleted = replay(&cloud, "Delete", &delete, Method::DELETE, &url, None).await;
    assert_eq!(deleted["name"], delete["parameters"]["roleAssignmentName"]);
    let (status, _, _) = cloud.send(Method::DELETE, &url, None).await;
    assert_eq!(status, 204);

    let definition = load(&format!("{dir}/GetRoleDefinitionByName.json"));
    let url = format!(
        "/subscriptions/{AUTH_SUB}/providers/Microsoft.Authorization/roleDefinitions/64702f94-c441-49e6-a78b-ef80e0188fee?api-version=2022-04-01"
    );
    let got = replay(&cloud, "GetRoleDefinitionByName", &definition, Method::GET, &url, None).await;
    assert_eq!(got["properties"]["roleName"], "Azure AI Developer");
    cloud.emulator.shutdown().await;
}

#[test]
fn every_example_file_is_replayed() {
    // A new fixture in tests/fixtures/arm-reference must get a replay above: this list is the audit.
    let replayed = [
        "machinelearningservices-2025-12-01/Workspace/create.json",
        "machinelearningservices-2025-12-01/Workspace/get.json",
        "machinelearningservices-2025-12-01/Workspace/update.json",
        "machinelearningservices-2025-12-01/Workspace/delete.json",
        "machinelearningservices-2025-12-01/Workspace/listByResourceGroup.json",
        "machinelearningservices-2025-12-01/Workspace/listBySubscription.json",
        "machinelearningservices-2025-12-01/ManagedNetwork/createOrUpdateRule.json",
        "machinelearningservices-2025-12-01/ManagedNetwork/getRule.json",
        "machinelearningservices-2025-12-01/ManagedNetwork/listRule.json",
        "machinelearningservices-2025-12-01/ManagedNetwork/deleteRule.json",
        "machinelearningservices-2025-12-01/ManagedNetwork/provision.json",
        "machinelearningservices-2026-05-01/Workspace/update.json",
        "machinelearningservices-2026-05-01/ManagedNetwork/createOrUpdateRule.json",
        "authorization-2022-04-01/examples/RoleAssignments_CreateForSubscription.json",
        "authorization-2022-04-01/examples/RoleAssignments_CreateForResourceGroup.json",
        "authorization-2022-04-01/examples/RoleAssignments_CreateForResource.json",
        "authorization-2022-04-01/examples/RoleAssignments_Get.json",
        "authorization-2022-04-01/examples/RoleAssignments_Delete.json",
        "authorization-2022-04-01/examples/RoleAssignments_ListForScope.json",
        "authorization-2022-04-01/examples/RoleAssignments_ListForResourceGroup.json",
        "authorization-2022-04-01/examples/GetRoleDefinitionByName.json",
    ];
    let root = arm_reference();
    let mut found = Vec::new();
    collect(&root, &root, &mut found);
    found.sort();
    let mut expected: Vec<String> = replayed.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(found, expected);
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            let relative = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            // Cognitive Services examples have their own replay and audit (foundry_examples.rs).
            let is_example = relative.ends_with(".json")
                && !relative.starts_with("cognitiveservices-")
                && !relative.ends_with("workspaceRP.json")
                && !relative.contains("Calls.json");
            if is_example {
                out.push(relative);
            }
        }
    }
}
