//! The emulator over real HTTPS, with tokens from azure_identity: lifecycle, refusals, paging,
//! throttling, auth, persistence, faults and malformed input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use hubctl_test::cloud::json;

use std::time::Duration;

use hubctl_emulator::{Clock, Emulator, Options};
use reqwest::Method;
use serde_json::{Value, json};
use support::*;

#[tokio::test]
async fn hub_lifecycle_follows_the_long_running_operation_contract() {
    // The operation runs until the test moves the clock past its duration, however slow the
    // machine is.
    let clock = Clock::manual();
    let lro = Duration::from_millis(300);
    let cloud = Cloud::start(Options { lro, clock: clock.clone(), ..Options::default() }).await;
    let url = ws_url(&cloud, "contoso-hub");

    let (status, headers, body) = cloud.put(&url, &hub_body()).await;
    assert_eq!(status, 202, "{body}");
    let location = headers["location"].to_str().unwrap();
    assert!(location.starts_with(&format!("{}/subscriptions/{SUB}/providers/Microsoft.MachineLearningServices/locations/eastus2/workspaceOperationsStatus/", cloud.base())), "{location}");
    assert!(headers.contains_key("retry-after"));
    assert!(
        headers.contains_key("x-ms-request-id")
            && headers.contains_key("x-ms-correlation-request-id")
            && headers.contains_key("x-ms-routing-request-id")
    );
    assert!(headers.contains_key("x-ms-ratelimit-remaining-subscription-writes"));

    // While it runs, the hub reads back Creating and the Location answers 202.
    let (status, body) = cloud.get(&url).await;
    assert_eq!(status, 200);
    assert_eq!(body["properties"]["provisioningState"], "Creating");
    let (status, _, _) = cloud.send(Method::GET, location, None).await;
    assert_eq!(status, 202);
    // A write meanwhile is refused.
    let (status, _, body) = cloud.put(&url, &hub_body()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("AnotherOperationInProgress")));

    clock.advance(lro);
    let (status, body) = cloud.wait(&headers).await;
    assert_eq!(status, 200);
    assert_eq!(body["properties"]["provisioningState"], "Succeeded");
    assert_eq!(body["kind"], "Hub");
    assert_eq!(body["properties"]["friendlyName"], "Contoso hub");
    assert!(body["properties"]["workspaceId"].as_str().is_some_and(|w| w.len() == 36));
    assert!(body["identity"]["principalId"].as_str().is_some());

    let patch = json!({ "properties": { "description": "patched", "storageAccount": "ignored: not in WorkspaceUpdateParameters" } });
    let (status, headers, _) = cloud.send(Method::PATCH, &url, Some(&patch)).await;
    assert_eq!(status, 202);
    clock.advance(lro);
    let (status, body) = cloud.wait(&headers).await;
    assert_eq!(status, 200);
    assert_eq!(body["properties"]["description"], "patched");
    assert_eq!(
        body["properties"]["storageAccount"],
        id("Microsoft.Storage/storageAccounts", "contosohubsa")
    );

    let (status, headers, _) = cloud.send(Method::DELETE, &url, None).await;
    assert_eq!(status, 202);
    let (_, body) = cloud.get(&url).await;
    assert_eq!(body["properties"]["provisioningState"], "Deleting");
    clock.advance(lro);
    let (status, _) = cloud.wait(&headers).await;
    assert_eq!(status, 200);
    let (status, body) = cloud.get(&url).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("ResourceNotFound")));
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("under resource group 'rg-ai-platform' was not found")
    );
    let (status, _, _) = cloud.send(Method::DELETE, &url, None).await;
    assert_eq!(status, 204);
    cloud.emulator.shutdown().await;
}

#[tokio::test]
async fn deleting_a_hub_takes_its_projects_and_their_access() {
    let cloud = Cloud::default().await;
    let hub = ws_url(&cloud, "contoso-hub");
    assert_eq!(cloud.put_and_wait(&hub, &hub_body()).await.0, 200);
    let project = json!({ "location": "eastus2", "kind": "Project", "identity": { "type": "SystemAssigned" },
        "properties": { "hubResourceId": id("Microsoft.MachineLearningServices/workspaces", "contoso-hub"), "friendlyName": "P" } });
    let (status, body) = cloud.put_and_wait(&ws_url(&cloud, "fraud"), &project).await;
    assert_eq!(status, 200, "{body}");
    // The project reads back its hub's settings.
    assert_eq!(
        body["properties"]["storageAccount"],
        id("Microsoft.Storage/storageAccounts", "contosohubsa")
    );
    let assignment = format!(
        "{}/providers/Microsoft.Authorization/roleAssignments/6f1b2c3d-0000-4000-8000-000000000001?api-version={AUTH_API}",
        id("Microsoft.MachineLearningServices/workspaces", "fraud")
    );
    let body = json!({ "properties": { "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/64702f94-c441-49e6-a78b-ef80e0188fee", "principalId": "7d2f6a0e-0000-0000-0000-000000000011", "principalType": "Group" } });
    assert_eq!(cloud.put(&assignment, &body).await.0, 201);
    let (_, headers, _) = cloud.send(Method::DELETE, &hub, None).await;
    cloud.wait(&headers).await;
    assert_eq!(cloud.get(&ws_url(&cloud, "fraud")).await.0, 404);
    assert_eq!(cloud.get(&assignment).await.0, 404);
    cloud.emulator.shutdown().await;
}

/// A hub with everything a refusal test needs: CMK, own key vault, App Insights, ACR, UAI,
/// approved outbound.
fn full_hub() -> Value {
    let uai = id("Microsoft.ManagedIdentity/userAssignedIdentities", "contoso-hub-id");
    json!({
        "location": "eastus2",
        "kind": "Hub",
        "identity": { "type": "SystemAssigned,UserAssigned", "userAssignedIdentities": { uai.clone(): {} } },
        "properties": {
            "storageAccount": id("Microsoft.Storage/storageAccounts", "contosohubsa"),
            "keyVault": id("Microsoft.KeyVault/vaults", "contoso-hub-kv"),
            "applicationInsights": id("Microsoft.Insights/components", "contoso-hub-ai"),
            "containerRegistry": id("Microsoft.ContainerRegistry/registries", "contosohubacr"),
            "primaryUserAssignedIdentity": uai.clone(),
            "hbiWorkspace": true,
            "encryption": {
                "status": "Enabled",
                "identity": { "userAssignedIdentity": uai },
                "keyVaultProperties": {
                    "keyVaultArmId": id("Microsoft.KeyVault/vaults", "contoso-cmk"),
                    "keyIdentifier": "https://contoso-cmk.vault.azure.net/keys/hub-key/4a1c2f0e9b8d4c7a8e6f5d4c3b2a1908"
                }
            },
            "managedNetwork": { "isolationMode": "AllowOnlyApprovedOutbound" }
        }
    })
}

#[tokio::test]
async fn the_service_refuses_what_azure_refuses_on_a_live_hub() {
    let cloud = Cloud::default().await;
    let url = ws_url(&cloud, "locked-hub");
    let (status, body) = cloud.put_and_wait(&url, &full_hub()).await;
    assert_eq!(status, 200, "{body}");

    // Each change, as a PUT of the full body with one edit: (edit, expected status, code, message fragment).
    type Edit = fn(&mut Value);
    let cases: Vec<(&str, Edit, u16, &str, &str)> = vec![
        (
            "encryption mode",
            |b| b["properties"]["encryption"] = json!({"status": "Disabled", "keyVaultProperties": {"keyVaultArmId": "", "keyIdentifier": ""}}),
            400,
            "BadRequest",
            "Encryption mode can be set only at the time of hub creation",
        ),
        (
            "CMK vault",
            |b| {
                b["properties"]["encryption"]["keyVaultProperties"]["keyVaultArmId"] =
                    json!(id("Microsoft.KeyVault/vaults", "contoso-hub-kv"))
            },
            400,
            "BadRequest",
            "",
        ),
        (
            "credential store to Microsoft-managed",
            |b| {
                b["properties"].as_object_mut().unwrap().remove("keyVault");
            },
            400,
            "BadRequest",
            "Microsoft-managed credential store",
        ),
        (
            "HBI",
            |b| b["properties"]["hbiWorkspace"] = json!(false),
            400,
            "BadRequest",
            "hbi_workspace",
        ),
        (
            "location",
            |b| b["location"] = json!("westeurope"),
            409,
            "InvalidResourceLocation",
            "A resource with the same name cannot be created in location 'westeurope'",
        ),
        ("kind", |b| b["kind"] = json!("Default"), 400, "BadRequest", "kind"),
        (
            "managed network off",
            |b| b["properties"]["managedNetwork"]["isolationMode"] = json!("Disabled"),
            400,
            "ValidationError",
            "Managed network cannot be disabled once enabled.",
        ),
        (
            "identity back to system only",
            |b| {
                b["identity"] = json!({"type": "SystemAssigned"});
                b["properties"].as_object_mut().unwrap().remove("primaryUserAssignedIdentity");
                b["properties"]["encryption"]["identity"] = json!({});
            },
            400,
            "BadRequest",
            "not back from SAI+UAI to SAI",
        ),
        (
            "App Insights removed",
            |b| {
                b["properties"].as_object_mut().unwrap().remove("applicationInsights");
            },
            400,
            "BadRequest",
            "can't be disassociated",
        ),
        (
            "ACR removed",
            |b| b["properties"]["containerRegistry"] = Value::Null,
            400,
            "BadRequest",
            "can't be disassociated",
        ),
        (
            "key not in the vault",
            |b| {
                b["properties"]["encryption"]["keyVaultProperties"]["keyIdentifier"] = json!(
                    "https://contoso-cmk.vault.azure.net/keys/hub-key/ffffffffffffffffffffffffffffffff"
                )
            },
            400,
            "BadRequest",
            "was not found in key vault",
        ),
    ];
    for (what, edit, status, code, fragment) in cases {
        let mut body = full_hub();
        edit(&mut body);
        let (got, _, answer) = cloud.put(&url, &body).await;
        assert_eq!(got, status, "{what}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{what}: {answer}");
        assert!(
            answer["error"]["message"].as_str().unwrap().contains(fragment),
            "{what}: {answer}"
        );
    }

    // A new key version in the same vault is an in-place update.
    let mut rotated = full_hub();
    rotated["properties"]["encryption"]["keyVaultProperties"]["keyIdentifier"] =
        json!("https://contoso-cmk.vault.azure.net/keys/hub-key/7e2b9c1d0f3a4b5c6d7e8f9012345678");
    let (status, body) = cloud.put_and_wait(&url, &rotated).await;
    assert_eq!(status, 200, "{body}");
    let patch = json!({ "properties": { "encryption": { "keyVaultProperties": { "keyIdentifier": "https://contoso-cmk.vault.azure.net/keys/hub-key-2/0f1e2d3c4b5a69788796a5b4c3d2e1f0" } } } });
    let (status, headers, _) = cloud.send(Method::PATCH, &url, Some(&patch)).await;
    assert_eq!(status, 202);
    let (_, body) = cloud.wait(&headers).await;
    assert!(
        body["properties"]["encryption"]["keyVaultProperties"]["keyIdentifier"]
            .as_str()
            .unwrap()
            .contains("hub-key-2")
    );

    // The storage account: accepted, then the operation fails with the service's words.
    let mut moved = full_hub();
    moved["properties"]["storageAccount"] =
        json!(id("Microsoft.Storage/storageAccounts", "contosodata"));
    let (status, headers, _) = cloud.put(&url, &moved).await;
    assert_eq!(status, 202);
    let (status, body) = cloud.wait(&headers).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["message"], "Storage Account update is not supported yet");
    let (_, hub) = cloud.get(&url).await;
    assert_eq!(
        hub["properties"]["storageAccount"],
        id("Microsoft.Storage/storageAccounts", "contosohubsa")
    );
    assert_eq!(hub["properties"]["provisioningState"], "Succeeded");
    cloud.emulator.shutdown().await;
}

#[tokio::test]
async fn outbound_rules_follow_the_isolation_mode() {
    let cloud = Cloud::default().await;
    let url = ws_url(&cloud, "net-hub");
    let mut body = hub_body();
    body["properties"]["managedNetwork"] = json!({ "isolationMode": "AllowInternetOutbound" });
    assert_eq!(cloud.put_and_wait(&url, &body).await.0, 200);
    let rules = format!(
        "{}{}/outboundRules",
        cloud.base(),
        id("Microsoft.MachineLearningServices/workspaces", "net-hub")
    );
    let fqdn = json!({ "properties": { "type": "FQDN", "destination": "pypi.org", "category": "UserDefined" } });
    let (status, _, answer) = cloud.put(&format!("{rules}/pypi?api-version={WS_API}"), &fqdn).await;
    assert_eq!(status, 400);
    assert_eq!(
        answer["error"]["message"],
        "Only \"PrivateEndpoint\" outbound rules are supported when managed network isolation mode is \"AllowInternetOutbound\"."
    );

    // Approved outbound: the service's Required rules appear, user rules are accepted.
    body["properties"]["managedNetwork"] = json!({ "isolationMode": "AllowOnlyApprovedOutbound" });
    assert_eq!(cloud.put_and_wait(&url, &body).await.0, 200);
    let (status, listed) = cloud.get(&format!("{rules}?api-version={WS_API}")).await;
    assert_eq!(status, 200);
    let required: Vec<&Value> = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["properties"]["category"] == "Required")
        .collect();
    assert!(
        required
            .iter()
            .any(|r| r["properties"]["destination"]["serviceTag"] == "AzureActiveDirectory")
    );
    assert!(required.iter().any(|r| r["properties"]["type"] == "PrivateEndpoint"));
    let (status, headers, _) =
        cloud.put(&format!("{rules}/pypi?api-version={WS_API}"), &fqdn).await;
    assert_eq!(status, 202);
    let (status, rule) = cloud.wait(&headers).await;
    assert_eq!(status, 200);
    assert_eq!(rule["type"], "workspace/outboundRules");
    assert_eq!(rule["properties"]["status"], "Active");
    // A user rule to the hub's own storage duplicates the service's Required one: refused.
    let own = json!({ "properties": { "type": "PrivateEndpoint", "category": "UserDefined", "destination": { "serviceResourceId": id("Microsoft.Storage/storageAccounts", "contosohubsa"), "subresourceTarget": "blob" } } });
    let (status, _, answer) = cloud.put(&format!("{rules}/own?api-version={WS_API}"), &own).await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer["error"]["message"].as_str().unwrap().contains("Required"), "{answer}");
    let (_, hub) = cloud.get(&url).await;
    assert_eq!(
        hub["properties"]["managedNetwork"]["outboundRules"]["pypi"]["destination"],
        "pypi.org"
    );
    // A Required rule cannot be deleted; back to internet outbound is refused while FQDN rules exist.
    let system = required[0]["name"].as_str().unwrap();
    let (status, _, _) =
        cloud.send(Method::DELETE, &format!("{rules}/{system}?api-version={WS_API}"), None).await;
    assert_eq!(status, 400);
    body["properties"]["managedNetwork"] = json!({ "isolationMode": "AllowInternetOutbound" });
    let (status, _, answer) = cloud.put(&url, &body).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("ValidationError")));

    // Two rule writes at once: the first is lost, as on the real service.
    let a = json!({ "properties": { "type": "FQDN", "destination": "a.example.com" } });
    let b = json!({ "properties": { "type": "FQDN", "destination": "b.example.com" } });
    let (_, first, _) = cloud.put(&format!("{rules}/rule-a?api-version={WS_API}"), &a).await;
    let (_, second, _) = cloud.put(&format!("{rules}/rule-b?api-version={WS_API}"), &b).await;
    cloud.wait(&first).await;
    cloud.wait(&second).await;
    assert_eq!(cloud.get(&format!("{rules}/rule-a?api-version={WS_API}")).await.0, 404);
    assert_eq!(cloud.get(&format!("{rules}/rule-b?api-version={WS_API}")).await.0, 200);

    let (status, headers, _) =
        cloud.send(Method::DELETE, &format!("{rules}/pypi?api-version={WS_API}"), None).await;
    assert_eq!(status, 202);
    cloud.wait(&headers).await;
    assert_eq!(
        cloud.send(Method::DELETE, &format!("{rules}/pypi?api-version={WS_API}"), None).await.0,
        204
    );
    cloud.emulator.shutdown().await;
}

#[tokio::test]
async fn lists_page_through_next_link() {
    let cloud = Cloud::start(Options {
        page_size: 2,
        lro: Duration::from_millis(10),
        ..Options::default()
    })
    .await;
    for i in 0..5 {
        assert_eq!(
            cloud.put_and_wait(&ws_url(&cloud, &format!("hub-{i}")), &hub_body()).await.0,
            200
        );
    }
    for start in [
        format!(
            "{}/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.MachineLearningServices/workspaces?api-version={WS_API}",
            cloud.base()
        ),
        format!(
            "{}/subscriptions/{SUB}/providers/Microsoft.MachineLearningServices/workspaces?api-version={WS_API}",
            cloud.base()
        ),
    ] {
        let mut names = Vec::new();
        let mut pages = 0;
        let mut next = Some(start);
        while let Some(url) = next {
            let (status, body) = cloud.get(&url).await;
            assert_eq!(status, 200, "{body}");
            pages += 1;
            names.extend(
                body["value"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|w| w["name"].as_str().unwrap().to_string()),
            );
            next = body["nextLink"].as_str().map(str::to_string);
            if let Some(link) = &next {
                assert!(link.contains("$skip=") && link.contains("api-version="), "{link}");
            }
        }
        assert_eq!(pages, 3);
        assert_eq!(names, vec!["hub-0", "hub-1", "hub-2", "hub-3", "hub-4"]);
    }
    cloud.emulator.shutdown().await;
}

#[tokio::test]
async fn a_burst_beyond_the_bucket_is_throttled_and_recovers() {
    // The clock stands still unless the test moves it: the bucket's arithmetic, not the
    // machine's speed, decides when the 429 comes.
    let clock = Clock::manual();
    let cloud = Cloud::start(Options { clock: clock.clone(), ..Options::default() }).await;
    let url =
        format!("{}/subscriptions/{SUB}/resourceGroups/{RG}?api-version=2021-04-01", cloud.base());
    let mut throttled = None;
    for i in 0..300 {
        let (status, headers, body) = cloud.send(Method::GET, &url, None).await;
        if status == 429 {
            throttled = Some((i, headers, body));
            break;
        }
        assert_eq!(status, 200);
        let left: u64 = headers["x-ms-ratelimit-remaining-subscription-reads"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(left, 249 - i, "one token per read");
    }
    let (count, headers, body) = throttled.expect("a 429 within 300 reads");
    assert_eq!(count, 250, "the read bucket holds 250");
    assert_eq!(body["error"]["code"], "TooManyRequests");
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert_eq!(wait, 1, "25 reads a second refill one token well within a second");
    // Still refused until the time has passed ...
    assert_eq!(cloud.get(&url).await.0, 429);
    clock.advance(Duration::from_secs(wait));
    // ... then 25 tokens are back, and no more.
    for _ in 0..25 {
        assert_eq!(cloud.get(&url).await.0, 200);
    }
    assert_eq!(cloud.get(&url).await.0, 429);
    assert!(cloud.emulator.stats().throttled >= 3);
    cloud.emulator.shutdown().await;
}

#[tokio::test]
async fn calls_without_a_valid_token_get_arms_401() {
    let cloud = Cloud::default().await;
    let url = ws_url(&cloud, "x-hub");
    let response = cloud.http.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.headers().contains_key("www-authenticate"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "AuthenticationFailed");
    let response = cloud.http.get(&url).bearer_auth("not.a.jwt").send().await.unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "InvalidAuthenticationToken");
    // A token from another emulator is not one this one issued.
    let other = Cloud::default().await;
    let response = cloud.http.get(&url).bearer_auth(&other.token).send().await.unwrap();
    assert_eq!(response.status(), 401);
    other.emulator.shutdown().await;
    cloud.emulator.shutdown().await;
}

#[tokio::test]
async fn strict_auth_admits_only_seeded_principals_and_checks_their_roles() {
    let emulator = Emulator::start(Options {
        seed: Some(example_seed()),
        strict_auth: true,
        ..Options::default()
    })
    .await
    .unwrap();
    assert!(token(&emulator, CLIENT_ID, "wrong").await.is_err());
    assert!(token(&emulator, "99999999-0000-0000-0000-000000000000", CLIENT_SECRET).await.is_err());
    let good = token(&emulator, CLIENT_ID, CLIENT_SECRET).await.unwrap();
    let http = client(&emulator);
    let url = format!(
        "{}{}?api-version={WS_API}",
        emulator.arm_endpoint(),
        id("Microsoft.MachineLearningServices/workspaces", "strict-hub")
    );
    let response = http.put(&url).bearer_auth(&good).json(&hub_body()).send().await.unwrap();
    assert_eq!(response.status(), 202, "the seeded Owner may write");
    emulator.shutdown().await;

    // Without a role assignment, writes are refused with AuthorizationFailed.
    let mut seed = example_seed();
    seed.role_assignments.clear();
    let emulator =
        Emulator::start(Options { seed: Some(seed), strict_auth: true, ..Options::default() })
            .await
            .unwrap();
    let token = token(&emulator, CLIENT_ID, CLIENT_SECRET).await.unwrap();
    let url = format!(
        "{}{}?api-version={WS_API}",
        emulator.arm_endpoint(),
        id("Microsoft.MachineLearningServices/workspaces", "strict-hub")
    );
    let response =
        client(&emulator).put(&url).bearer_auth(&token).json(&hub_body()).send().await.unwrap();
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "AuthorizationFailed");
    // ARM's wording, with the action the write needs; reads need their action too.
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(
            "to perform action 'Microsoft.MachineLearningServices/workspaces/write' over scope"
        ),
        "{message}"
    );
    let response = client(&emulator).get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'Microsoft.MachineLearningServices/workspaces/read'"),
        "{body}"
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn state_survives_a_restart_and_a_corrupt_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("cloud.json");
    let options = || Options {
        state_file: Some(state.clone()),
        lro: Duration::from_millis(10),
        ..Options::default()
    };
    let cloud = Cloud::start(options()).await;
    assert_eq!(cloud.put_and_wait(&ws_url(&cloud, "kept-hub"), &hub_body()).await.0, 200);
    let old_token = cloud.token.clone();
    cloud.emulator.shutdown().await;

    let emulator = Emulator::start(Options { seed: None, ..options() }).await.unwrap();
    let url = format!(
        "{}{}?api-version={WS_API}",
        emulator.arm_endpoint(),
        id("Microsoft.MachineLearningServices/workspaces", "kept-hub")
    );
    let response = client(&emulator).get(&url).bearer_auth(&old_token).send().await.unwrap();
    assert_eq!(response.status(), 200, "the hub and the signing key survive");
    emulator.shutdown().await;

    std::fs::write(&state, "{ torn").unwrap();
    let error =
        Emulator::start(options()).await.err().expect("a corrupt state is refused").to_string();
    assert!(error.contains("cloud.json") && error.contains("corrupt"), "{error}");
    assert_eq!(std::fs::read_to_string(&state).unwrap(), "{ torn", "never silently reset");
}

#[tokio::test]
async fn faults_are_injected_reproducibly_and_counted() {
    let run = || async {
        let cloud = Cloud::start(Options {
            fault_rate: 1.0,
            fault_seed: 7,
            throttling: false,
            ..Options::default()
        })
        .await;
        let url = ws_url(&cloud, "faulty-hub");
        let mut outcomes = Vec::new();
        for _ in 0..40 {
            let result = cloud.http.get(&url).bearer_auth(&cloud.token).send().await;
            let outcome = match result {
                Ok(response) => match response.text().await {
                    Ok(_) => "answered",
                    Err(_) => "reset",
                },
                Err(_) => "reset",
            };
            outcomes.push(outcome);
        }
        let stats = cloud.emulator.stats();
        cloud.emulator.shutdown().await;
        (outcomes, stats)
    };
    let (first, stats) = run().await;
    let (second, _) = run().await;
    assert_eq!(first, second, "the same seed gives the same faults");
    for kind in ["429", "500", "503", "reset"] {
        assert!(stats.faults.get(kind).copied().unwrap_or(0) > 0, "{kind}: {:?}", stats.faults);
    }
    assert!(first.contains(&"reset"));
}

#[tokio::test]
async fn an_operation_can_end_failed_and_a_retry_converges() {
    let cloud = Cloud::default().await;
    let response = cloud
        .http
        .post(format!("{}/_emulator/faults", cloud.base()))
        .json(&json!({"failNextOperations": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let url = ws_url(&cloud, "unlucky-hub");
    let (status, body) = cloud.put_and_wait(&url, &hub_body()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (500, Some("InternalServerError")));
    let (_, hub) = cloud.get(&url).await;
    assert_eq!(hub["properties"]["provisioningState"], "Failed");
    let (status, hub) = cloud.put_and_wait(&url, &hub_body()).await;
    assert_eq!((status, hub["properties"]["provisioningState"].as_str()), (200, Some("Succeeded")));
    cloud.emulator.shutdown().await;
}

#[tokio::test]
async fn malformed_requests_get_arms_error_shape() {
    let cloud = Cloud::default().await;
    let url = ws_url(&cloud, "bad-hub");
    /// (method, url, body, expected status, expected code)
    type Case = (Method, String, Option<Vec<u8>>, u16, &'static str);
    let cases: Vec<Case> = vec![
        (Method::PUT, url.clone(), Some(b"{not json".to_vec()), 400, "InvalidRequestContent"),
        (Method::PUT, url.clone(), Some(b"[1, 2]".to_vec()), 400, "InvalidRequestContent"),
        (
            Method::PUT,
            url.clone(),
            Some(br#"{"location": 5, "properties": {}}"#.to_vec()),
            400,
            "LocationRequired",
        ),
        (
            Method::PUT,
            url.clone(),
            Some(br#"{"location": "eastus2", "properties": "x"}"#.to_vec()),
            400,
            "InvalidRequestContent",
        ),
        (
            Method::PUT,
            url.clone(),
            Some(br#"{"location": "eastus2", "kind": "Hub", "properties": {}}"#.to_vec()),
            400,
            "BadRequest",
        ),
        (
            Method::PUT,
            url.clone(),
            Some(vec![b' '; 5 * 1024 * 1024]),
            413,
            "RequestContentTooLarge",
        ),
        (Method::POST, url.clone(), Some(b"{}".to_vec()), 405, "MethodNotAllowed"),
        (
            Method::GET,
            format!(
                "{}/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Nope/things/x?api-version=2020-01-01",
                cloud.base()
            ),
            None,
            404,
            "InvalidResourceType",
        ),
        (
            Method::GET,
            format!("{}/what/ever", cloud.base()),
            None,
            400,
            "MissingApiVersionParameter",
        ),
        (
            Method::GET,
            format!("{}/what/ever?api-version=1", cloud.base()),
            None,
            404,
            "InvalidResourceType",
        ),
        (Method::GET, url.replace(WS_API, "2019-01-01"), None, 400, "NoRegisteredProviderFound"),
        (
            Method::GET,
            format!(
                "{}/subscriptions/{SUB}/resourceGroups/nope/providers/Microsoft.MachineLearningServices/workspaces/x?api-version={WS_API}",
                cloud.base()
            ),
            None,
            404,
            "ResourceGroupNotFound",
        ),
        (
            Method::GET,
            format!(
                "{}/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.MachineLearningServices/workspaces/none/outboundRules/r?api-version={WS_API}",
                cloud.base()
            ),
            None,
            404,
            "ParentResourceNotFound",
        ),
        (
            Method::GET,
            format!(
                "{}/subscriptions/99999999-0000-0000-0000-000000000000/resourceGroups/x?api-version=2021-04-01",
                cloud.base()
            ),
            None,
            404,
            "SubscriptionNotFound",
        ),
        (
            Method::PUT,
            ws_url(&cloud, "a.b"),
            Some(serde_json::to_vec(&hub_body()).unwrap()),
            400,
            "InvalidResourceName",
        ),
    ];
    for (method, url, body, status, code) in cases {
        let mut request = cloud.http.request(method.clone(), &url).bearer_auth(&cloud.token);
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body);
        }
        let response = request.send().await.unwrap();
        let got = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(
            (got, body["error"]["code"].as_str()),
            (status, Some(code)),
            "{method} {url}: {body}"
        );
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let (_, body) = cloud.get(&url.replace(WS_API, "2019-01-01")).await;
    assert!(
        body["error"]["message"].as_str().unwrap().contains("2026-05-01"),
        "the message lists the supported versions"
    );
    cloud.emulator.shutdown().await;
}

#[tokio::test]
async fn role_assignments_behave_like_microsoft_authorization() {
    let cloud = Cloud::default().await;
    assert_eq!(cloud.put_and_wait(&ws_url(&cloud, "rbac-hub"), &hub_body()).await.0, 200);
    let scope = id("Microsoft.MachineLearningServices/workspaces", "rbac-hub");
    let url = |name: &str| {
        format!(
            "{scope}/providers/Microsoft.Authorization/roleAssignments/{name}?api-version={AUTH_API}"
        )
    };
    let body = |principal: &str, role: &str| {
        json!({ "properties": {
        "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}"),
        "principalId": principal, "principalType": "Group" } })
    };
    const DEV: &str = "64702f94-c441-49e6-a78b-ef80e0188fee";
    const GROUP: &str = "7d2f6a0e-0000-0000-0000-000000000010";
    let name = "0a0b0c0d-0000-4000-8000-000000000001";

    let (status, _, created) = cloud.put(&url(name), &body(GROUP, DEV)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["properties"]["scope"], scope);
    assert_eq!(cloud.put(&url(name), &body(GROUP, DEV)).await.0, 200);
    let (status, _, answer) =
        cloud.put(&url("0a0b0c0d-0000-4000-8000-000000000002"), &body(GROUP, DEV)).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (409, Some("RoleAssignmentExists")));
    assert!(
        answer["error"]["message"].as_str().unwrap().ends_with("0a0b0c0d000040008000000000000001.")
    );
    let (status, _, answer) =
        cloud.put(&url(name), &body("7d2f6a0e-0000-0000-0000-000000000020", DEV)).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (400, Some("RoleAssignmentUpdateNotPermitted"))
    );
    let (status, _, answer) = cloud
        .put(
            &url("0a0b0c0d-0000-4000-8000-000000000003"),
            &body("12345678-0000-0000-0000-000000000000", DEV),
        )
        .await;
    assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("PrincipalNotFound")));
    assert!(
        answer["error"]["message"].as_str().unwrap().starts_with(
            "Principal 12345678000000000000000000000000 does not exist in the directory"
        )
    );
    let (status, _, answer) = cloud.put(&url("not-a-guid"), &body(GROUP, DEV)).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("InvalidRoleAssignmentId")));

    // atScope(): at or above (the seeded subscription Owner is inherited); no filter: also below.
    let list = |filter: &str| {
        format!(
            "{scope}/providers/Microsoft.Authorization/roleAssignments?api-version={AUTH_API}{filter}"
        )
    };
    let (_, at) = cloud.get(&list("&$filter=atScope()")).await;
    let scopes: Vec<&str> = at["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["properties"]["scope"].as_str().unwrap())
        .collect();
    assert!(
        scopes.contains(&scope.as_str())
            && scopes.contains(&format!("/subscriptions/{SUB}").as_str()),
        "{scopes:?}"
    );
    let sub_list = format!(
        "/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments?api-version={AUTH_API}"
    );
    let (_, all) = cloud.get(&sub_list).await;
    assert_eq!(
        all["value"].as_array().unwrap().len(),
        2,
        "no filter at the subscription includes assignments below it"
    );
    let (_, at_sub) = cloud.get(&format!("{sub_list}&$filter=atScope()")).await;
    assert_eq!(
        at_sub["value"].as_array().unwrap().len(),
        1,
        "atScope() does not include those below"
    );
    let (_, mine) = cloud.get(&list(&format!("&$filter=principalId%20eq%20'{GROUP}'"))).await;
    assert_eq!(mine["value"].as_array().unwrap().len(), 1);

    let (status, _, deleted) = cloud.send(Method::DELETE, &url(name), None).await;
    assert_eq!(status, 200);
    assert_eq!(deleted["name"], name);
    assert_eq!(cloud.send(Method::DELETE, &url(name), None).await.0, 204);

    // Role definitions: current names; the old "Azure AI User" finds nothing any more.
    let defs = format!(
        "/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions?api-version={AUTH_API}&$filter=roleName%20eq%20'Foundry%20User'"
    );
    let (_, found) = cloud.get(&defs).await;
    assert_eq!(found["value"][0]["name"], "53ca6127-db72-4b80-b1b0-d745d6d5456d");
    let (_, old) = cloud.get(&defs.replace("Foundry%20User", "Azure%20AI%20User")).await;
    assert_eq!(old["value"].as_array().unwrap().len(), 0);
    cloud.emulator.shutdown().await;
}

#[tokio::test]
async fn a_new_principal_is_not_found_until_replicated_unless_typed() {
    let clock = Clock::manual();
    let lag = Duration::from_secs(60);
    let cloud =
        Cloud::start(Options { replication_lag: lag, clock: clock.clone(), ..Options::default() })
            .await;
    let principal = "5e5e5e5e-0000-0000-0000-000000000001";
    let response = cloud
        .http
        .post(format!("{}/_emulator/principals", cloud.base()))
        .json(&json!({"id": principal, "type": "ServicePrincipal"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let url = format!(
        "/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments/0a0b0c0d-0000-4000-8000-0000000000aa?api-version={AUTH_API}"
    );
    let untyped = json!({ "properties": { "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7", "principalId": principal } });
    let (status, _, answer) = cloud.put(&url, &untyped).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("PrincipalNotFound")));
    let mut typed = untyped.clone();
    typed["properties"]["principalType"] = json!("ServicePrincipal");
    assert_eq!(cloud.put(&url, &typed).await.0, 201);
    // Once replicated, the directory knows the principal: an untyped grant is accepted too.
    clock.advance(lag);
    let other = url.replace("0000000000aa", "0000000000ab").replace(
        &format!("/subscriptions/{SUB}/"),
        &format!("/subscriptions/{SUB}/resourceGroups/{RG}/"),
    );
    assert_eq!(cloud.put(&other, &untyped).await.0, 201);
    cloud.emulator.shutdown().await;
}

#[tokio::test]
async fn out_of_band_edits_change_state_without_rules() {
    let cloud = Cloud::default().await;
    let url = ws_url(&cloud, "edited-hub");
    assert_eq!(cloud.put_and_wait(&url, &hub_body()).await.0, 200);
    let edit = json!({ "id": id("Microsoft.MachineLearningServices/workspaces", "edited-hub"), "patch": { "properties": { "friendlyName": "changed in the portal" }, "tags": { "owner": "someone" } } });
    let response = cloud
        .http
        .post(format!("{}/_emulator/edit", cloud.base()))
        .json(&edit)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (_, hub) = cloud.get(&url).await;
    assert_eq!(hub["properties"]["friendlyName"], "changed in the portal");
    assert_eq!(hub["tags"]["owner"], "someone");
    let stats = json(cloud.http.get(format!("{}/_emulator/stats", cloud.base()))).await;
    assert!(stats["byKind"]["PUT workspaces"].as_u64().unwrap() >= 1, "{stats}");
    cloud.emulator.shutdown().await;
}

#[tokio::test]
async fn a_project_update_makes_its_hubs_app_insights_read_null() {
    let cloud = Cloud::default().await;
    let mut hub = hub_body();
    hub["properties"]["applicationInsights"] =
        json!(id("Microsoft.Insights/components", "contoso-hub-ai"));
    assert_eq!(cloud.put_and_wait(&ws_url(&cloud, "ai-hub"), &hub).await.0, 200);
    let (_, read) = cloud.get(&ws_url(&cloud, "ai-hub")).await;
    // The service answers the namespace in lower case, as in its own examples.
    assert_eq!(
        read["properties"]["applicationInsights"],
        id("microsoft.insights/components", "contoso-hub-ai")
    );
    let project = json!({ "location": "eastus2", "kind": "Project", "identity": { "type": "SystemAssigned" },
        "properties": { "hubResourceId": id("Microsoft.MachineLearningServices/workspaces", "ai-hub") } });
    assert_eq!(cloud.put_and_wait(&ws_url(&cloud, "ai-project"), &project).await.0, 200);
    let (_, read) = cloud.get(&ws_url(&cloud, "ai-hub")).await;
    assert!(
        !read["properties"]["applicationInsights"].is_null(),
        "creating a project leaves it alone"
    );
    let mut update = project.clone();
    update["properties"]["description"] = json!("second write");
    assert_eq!(cloud.put_and_wait(&ws_url(&cloud, "ai-project"), &update).await.0, 200);
    let (_, read) = cloud.get(&ws_url(&cloud, "ai-hub")).await;
    assert!(read["properties"]["applicationInsights"].is_null(), "{read}");
    // A project that sends an inherited setting is refused.
    let mut bad = project.clone();
    bad["properties"]["storageAccount"] =
        json!(id("Microsoft.Storage/storageAccounts", "contosohubsa"));
    let (status, _, answer) = cloud.put(&ws_url(&cloud, "ai-project"), &bad).await;
    assert_eq!(status, 400, "{answer}");
    cloud.emulator.shutdown().await;
}

#[tokio::test]
async fn a_projects_hub_cannot_change() {
    let cloud = Cloud::default().await;
    for hub in ["hub-one", "hub-two"] {
        assert_eq!(cloud.put_and_wait(&ws_url(&cloud, hub), &hub_body()).await.0, 200);
    }
    let project = |hub: &str| {
        json!({ "location": "eastus2", "kind": "Project", "identity": { "type": "SystemAssigned" },
        "properties": { "hubResourceId": id("Microsoft.MachineLearningServices/workspaces", hub) } })
    };
    assert_eq!(
        cloud.put_and_wait(&ws_url(&cloud, "moving-project"), &project("hub-one")).await.0,
        200
    );
    let (status, _, answer) =
        cloud.put(&ws_url(&cloud, "moving-project"), &project("hub-two")).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("BadRequest")), "{answer}");
    assert!(
        answer["error"]["message"].as_str().unwrap().contains("hub of a project cannot be changed")
    );
    cloud.emulator.shutdown().await;
}

#[tokio::test]
async fn parallel_requests_are_all_answered_and_all_land() {
    let cloud = Cloud::start(Options {
        latency: Duration::from_millis(20),
        jitter: Duration::from_millis(10),
        lro: Duration::from_millis(10),
        ..Options::default()
    })
    .await;
    let cloud = std::sync::Arc::new(cloud);
    let mut tasks = Vec::new();
    for i in 0..40 {
        let cloud = cloud.clone();
        tasks.push(tokio::spawn(async move {
            let (status, body) = cloud.put_and_wait(&ws_url(&cloud, &format!("par-hub-{i:02}")), &hub_body()).await;
            assert_eq!(status, 200, "{body}");
            let scope = id("Microsoft.MachineLearningServices/workspaces", &format!("par-hub-{i:02}"));
            let url = format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{}?api-version={AUTH_API}", uuid_for(i));
            let assignment = json!({ "properties": { "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7", "principalId": "7d2f6a0e-0000-0000-0000-000000000010", "principalType": "Group" } });
            assert_eq!(cloud.put(&url, &assignment).await.0, 201);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let (_, listed) = cloud.get(&format!("/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.MachineLearningServices/workspaces?api-version={WS_API}")).await;
    assert_eq!(listed["value"].as_array().unwrap().len(), 40);
    let (_, assignments) = cloud.get(&format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments?api-version={AUTH_API}&$filter=principalId%20eq%20'7d2f6a0e-0000-0000-0000-000000000010'")).await;
    assert_eq!(assignments["value"].as_array().unwrap().len(), 40);
}

fn uuid_for(i: usize) -> String {
    format!("0a0b0c0d-0000-4000-8000-{i:012}")
}

#[tokio::test]
async fn stored_resources_are_served_as_given_and_need_an_id() {
    let cloud = Cloud::default().await;
    let hub_id = id("Microsoft.MachineLearningServices/workspaces", "stored-hub");
    let body = json!({
        "id": hub_id,
        "name": "stored-hub",
        "type": "Microsoft.MachineLearningServices/workspaces",
        "location": "eastus2",
        "kind": "Hub",
        "tags": null,
        "properties": { "friendlyName": "As the service wrote it", "provisioningState": "Succeeded" }
    });
    let missing = cloud.emulator.store(vec![json!({ "name": "no-id" })]);
    assert!(missing.unwrap_err().to_string().contains("no string `id`"));
    cloud.emulator.store(vec![body.clone()]).unwrap();
    let (status, got) = cloud.get(&ws_url(&cloud, "stored-hub")).await;
    assert_eq!(status, 200);
    assert_eq!(got["properties"]["friendlyName"], "As the service wrote it");
    assert_eq!(got["tags"], Value::Null, "no PUT normalised it");
    assert!(cloud.emulator.resources().iter().any(|r| r["id"] == hub_id));
    cloud.emulator.shutdown().await;
}

#[tokio::test]
async fn a_patch_merges_user_assigned_identities_and_null_removes_one() {
    let cloud = Cloud::default().await;
    let uai = |n: &str| id("Microsoft.ManagedIdentity/userAssignedIdentities", n);
    let (status, _, _) = cloud
        .put(
            &format!("{}{}?api-version=2023-01-31", cloud.base(), uai("second")),
            &json!({"location": "eastus2"}),
        )
        .await;
    assert_eq!(status, 201);
    let url = ws_url(&cloud, "identity-hub");
    let mut body = hub_body();
    body["identity"] = json!({ "type": "SystemAssigned,UserAssigned", "userAssignedIdentities": { uai("contoso-hub-id"): {}, uai("second"): {} } });
    assert_eq!(cloud.put_and_wait(&url, &body).await.0, 200);
    let names = |hub: &Value| {
        let mut keys: Vec<String> = hub["identity"]["userAssignedIdentities"]
            .as_object()
            .map(|m| m.keys().map(|k| k.rsplit('/').next().unwrap().to_string()).collect())
            .unwrap_or_default();
        keys.sort();
        keys
    };
    // Naming only one keeps the other: the service merges the map.
    let keep = json!({ "identity": { "type": "SystemAssigned,UserAssigned", "userAssignedIdentities": { uai("contoso-hub-id"): {} } } });
    let (status, headers, _) = cloud.send(Method::PATCH, &url, Some(&keep)).await;
    assert_eq!(status, 202);
    let (_, hub) = cloud.wait(&headers).await;
    assert_eq!(names(&hub), ["contoso-hub-id", "second"]);
    // null removes it.
    let remove = json!({ "identity": { "type": "SystemAssigned,UserAssigned", "userAssignedIdentities": { uai("second"): null } } });
    let (_, headers, _) = cloud.send(Method::PATCH, &url, Some(&remove)).await;
    let (_, hub) = cloud.wait(&headers).await;
    assert_eq!(names(&hub), ["contoso-hub-id"]);
    cloud.emulator.shutdown().await;
}

/// PUT a hub and let its operation finish on the manual clock: the final status and body.
async fn create_now(cloud: &Cloud, clock: &Clock, url: &str, lro: Duration) -> (u16, Value) {
    let (status, headers, body) = cloud.put(url, &hub_body()).await;
    if status != 202 {
        return (status, body);
    }
    clock.advance(lro);
    cloud.wait(&headers).await
}

/// DELETE and let the operation finish on the manual clock: the final status.
async fn delete_now(cloud: &Cloud, clock: &Clock, url: &str, lro: Duration) -> u16 {
    let (status, headers, _) = cloud.send(Method::DELETE, url, None).await;
    assert_eq!(status, 202);
    clock.advance(lro);
    cloud.wait(&headers).await.0
}

#[tokio::test]
async fn a_deleted_workspace_holds_its_name_until_purged_or_the_retention_passes() {
    let clock = Clock::manual();
    let lro = Duration::from_millis(20);
    let cloud = Cloud::start(Options { lro, clock: clock.clone(), ..Options::default() }).await;
    let url = ws_url(&cloud, "soft-hub");
    assert_eq!(create_now(&cloud, &clock, &url, lro).await.0, 200);
    assert_eq!(delete_now(&cloud, &clock, &url, lro).await, 200);
    assert_eq!(cloud.get(&url).await.0, 404, "a soft-deleted workspace is not served");
    let (status, body) = create_now(&cloud, &clock, &url, lro).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"].as_str().unwrap().starts_with("Soft-deleted workspace exists")
    );
    // After the retention, the name is free.
    clock.advance(Duration::from_secs(14 * 24 * 3600));
    assert_eq!(create_now(&cloud, &clock, &url, lro).await.0, 200);
    // forceToPurge frees it at once.
    let purge = format!("{url}&forceToPurge=true");
    assert_eq!(delete_now(&cloud, &clock, &purge, lro).await, 200);
    assert_eq!(create_now(&cloud, &clock, &url, lro).await.0, 200);
    cloud.emulator.shutdown().await;
}

#[tokio::test]
async fn a_blob_connection_without_its_account_and_container_is_refused() {
    let cloud = Cloud::default().await;
    let url = ws_url(&cloud, "conn-hub");
    assert_eq!(cloud.put_and_wait(&url, &hub_body()).await.0, 200);
    let connection = |metadata: Value| json!({ "properties": { "category": "AzureBlob", "authType": "AAD", "target": "https://contosohubsa.blob.core.windows.net/data", "metadata": metadata } });
    let at = url.replace("?api-version", "/connections/data?api-version");
    let (status, _, answer) =
        cloud.put(&at, &connection(json!({ "AccountName": "contosohubsa" }))).await;
    assert_eq!(
        (status, answer["error"]["message"].as_str()),
        (400, Some("An AzureBlob connection needs metadata.ContainerName."))
    );
    let (status, _, _) = cloud
        .put(&at, &connection(json!({ "AccountName": "contosohubsa", "ContainerName": "data" })))
        .await;
    assert!(status == 200 || status == 201, "{status}");
    cloud.emulator.shutdown().await;
}

#[tokio::test]
async fn shared_private_links_take_only_a_new_request_message_once_the_hub_exists() {
    let cloud = Cloud::default().await;
    let url = ws_url(&cloud, "linked-hub");
    let link = |group: &str, message: &str| {
        json!([{ "name": "cosmos", "properties": {
            "privateLinkResourceId": id("Microsoft.DocumentDB/databaseAccounts", "cosmos/privateLinkResources/Sql"),
            "groupId": group, "requestMessage": message } }])
    };
    let mut hub = hub_body();
    hub["properties"]["sharedPrivateLinkResources"] = link("Sql", "please");
    assert_eq!(cloud.put_and_wait(&url, &hub).await.0, 200);
    hub["properties"]["sharedPrivateLinkResources"] = link("Sql", "please, again");
    assert_eq!(cloud.put_and_wait(&url, &hub).await.0, 200, "a new request message is taken");
    hub["properties"]["sharedPrivateLinkResources"] = link("MongoDB", "please");
    let (status, body) = cloud.put_and_wait(&url, &hub).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("only 'requestMessage'"), "{body}");
    cloud.emulator.shutdown().await;
}
