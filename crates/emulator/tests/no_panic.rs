//! No request makes the emulator panic or answer outside ARM's error shape: random methods,
//! paths built from ARM's vocabulary and garbage, query strings and bodies.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use proptest::prelude::*;
use reqwest::Method;
use serde_json::Value;
use support::*;

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just("subscriptions".to_string()),
        1 => Just(SUB.to_string()),
        1 => Just("resourceGroups".to_string()),
        1 => Just(RG.to_string()),
        13 => proptest::sample::select(vec![
            "providers",
            "Microsoft.MachineLearningServices",
            "Microsoft.Authorization",
            "workspaces",
            "outboundRules",
            "connections",
            "roleAssignments",
            "roleDefinitions",
            "locations",
            "workspaceOperationsStatus",
            "contoso-hub",
            "Microsoft.CognitiveServices",
            "accounts",
            "projects",
            "deployments",
            "capabilityHosts",
            "deletedAccounts",
            "raiBlocklists",
            "raiBlocklistItems",
            "addRaiBlocklistItems",
            "operationStatuses",
            "operationResults",
            "listKeys",
            "checkDomainAvailability",
            "contoso-ais",
            "%ZZ",
            ".."
        ])
        .prop_map(str::to_string),
        1 => "[a-zA-Z0-9_.%-]{1,12}",
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        Just(b"{".to_vec()),
        Just(b"null".to_vec()),
        Just(br#"{"location": [], "kind": {}, "properties": 7}"#.to_vec()),
        Just(br#"{"location": "eastus2", "kind": "Hub", "identity": "x", "properties": {"storageAccount": 5, "managedNetwork": {"isolationMode": 1, "outboundRules": []}, "encryption": "x"}}"#.to_vec()),
        Just(br#"{"properties": {"roleDefinitionId": 1, "principalId": {}}}"#.to_vec()),
        Just(br#"{"properties": {"type": "FQDN", "destination": {"a": 1}}}"#.to_vec()),
        Just(br#"{"location": "eastus2", "kind": "AIServices", "sku": {"name": "S0"}, "identity": {"type": "UserAssigned", "userAssignedIdentities": []}, "properties": {"encryption": {"keyVaultProperties": 5}, "customSubDomainName": 7, "restore": "x", "allowProjectManagement": true}}"#.to_vec()),
        Just(br#"{"location": "eastus2", "kind": "AIServices", "sku": {"name": "S0"}, "identity": {"type": "SystemAssigned"}, "properties": {"customSubDomainName": "fuzz-ai", "allowProjectManagement": true, "restore": true}}"#.to_vec()),
        Just(br#"[{"name": 1}, "x", {"name": "item", "properties": 3}]"#.to_vec()),
        proptest::collection::vec(any::<u8>(), 0..64),
    ]
}

#[test]
fn random_requests_never_break_the_emulator() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let cloud = runtime.block_on(async {
        let cloud = Cloud::default().await;
        assert_eq!(cloud.put_and_wait(&ws_url(&cloud, "contoso-hub"), &hub_body()).await.0, 200);
        cloud
    });
    let methods = [
        Method::GET,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::POST,
        Method::HEAD,
        Method::OPTIONS,
    ];
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 400,
        ..ProptestConfig::default()
    });
    let strategy = (
        0..methods.len(),
        proptest::collection::vec(segment(), 0..9),
        prop_oneof![
            Just("api-version=2026-05-01"),
            Just("api-version=2022-04-01"),
            Just(""),
            Just("api-version=x&$filter=atScope()&$skip=-1")
        ],
        body(),
    );
    runner
        .run(&strategy, |(m, segments, query, body)| {
            let method = methods[m].clone();
            let url = format!("{}/{}?{query}", cloud.base(), segments.join("/"));
            let (status, text) = runtime.block_on(async {
                let response = cloud
                    .http
                    .request(method.clone(), &url)
                    .bearer_auth(&cloud.token)
                    .body(body)
                    .send()
                    .await
                    .expect("the emulator answers");
                let status = response.status().as_u16();
                (status, response.text().await.unwrap_or_default())
            });
            prop_assert!(status < 500, "{method} {url}: {status} {text}");
            if status >= 400 && method != Method::HEAD {
                let body: Value = serde_json::from_str(&text)
                    .map_err(|e| TestCaseError::fail(format!("{method} {url}: {e}: {text}")))?;
                prop_assert!(
                    body["error"]["code"].is_string() && body["error"]["message"].is_string(),
                    "{method} {url}: {text}"
                );
            }
            Ok(())
        })
        .unwrap();
    runtime.block_on(cloud.emulator.shutdown());
}

/// Every Cognitive Services route, with every method and a set of hostile bodies: no 5xx, and
/// every refusal in ARM's error shape. (The random paths above rarely reach eight exact
/// segments.)
#[test]
fn foundry_routes_never_break_the_emulator() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let clock = hubctl_emulator::Clock::manual();
    // A seed with a model quota, so deployments meet the quota check.
    let seed = hubctl_emulator::Seed::from_text(&format!(
        "apiVersion: hubctl/v1\nkind: LocalCloudSeed\nsubscriptions:\n  - id: {SUB}\n    quotas: [{{ location: eastus2, name: OpenAI.GlobalStandard.gpt-4o, limit: 100 }}]\n    resourceGroups: [{{ name: {RG}, location: eastus2 }}]\nservicePrincipals:\n  - {{ clientId: {CLIENT_ID}, objectId: 11111111-0000-0000-0000-0000000000a1, secret: {CLIENT_SECRET} }}\n"
    ))
    .unwrap();
    let cloud = runtime.block_on(Cloud::start(hubctl_emulator::Options {
        seed: Some(seed),
        clock: clock.clone(),
        throttling: false,
        lro: std::time::Duration::from_millis(30),
        ..hubctl_emulator::Options::default()
    }));
    let base =
        format!("/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.CognitiveServices");
    let sub = format!("/subscriptions/{SUB}/providers/Microsoft.CognitiveServices");
    let account = format!("{base}/accounts/fuzz");
    let mut paths = vec![
        format!("{base}/accounts"),
        format!("{sub}/accounts"),
        format!("{sub}/deletedAccounts"),
        format!("{sub}/locations/eastus2/resourceGroups/{RG}/deletedAccounts/fuzz"),
        format!("{sub}/locations/eastus2/operationStatuses/x"),
        format!("{sub}/locations/eastus2/operationResults/x"),
        format!("{sub}/checkDomainAvailability"),
        format!("{sub}/locations/eastus2/usages"),
        format!("{sub}/locations/westus/usages"),
        format!("{sub}/modelCapacities"),
        account.clone(),
    ];
    for tail in [
        "projects",
        "projects/p1",
        "connections",
        "connections/conn1",
        "projects/p1/connections",
        "projects/p1/connections/conn1",
        "deployments",
        "deployments/d1",
        "deployments/d1/skus",
        "raiPolicies",
        "raiPolicies/r1",
        "raiBlocklists/b1",
        "raiBlocklists/b1/raiBlocklistItems/i1",
        "raiBlocklists/b1/addRaiBlocklistItems",
        "raiBlocklists/b1/deleteRaiBlocklistItems",
        "capabilityHosts/h1",
        "projects/p1/capabilityHosts/h1",
        "privateEndpointConnections/n1",
        "listKeys",
        "skus",
        "usages",
        "models",
        "privateLinkResources",
    ] {
        paths.push(format!("{account}/{tail}"));
    }
    let bodies: Vec<&[u8]> = vec![
        b"",
        b"{",
        b"null",
        b"[]",
        br#"{"location": [], "kind": {}, "sku": 1, "properties": 7, "identity": "x"}"#,
        br#"{"location": "eastus2", "kind": "AIServices", "sku": {"name": "S0"}, "identity": {"type": "SystemAssigned, UserAssigned", "userAssignedIdentities": {"/x": {}}}, "properties": {"encryption": {"keySource": 5}}}"#,
        br#"{"location": "eastus2", "kind": "AIServices", "sku": {"name": "S0"}, "identity": {"type": "SystemAssigned"}, "properties": {"customSubDomainName": "fuzz-ai", "allowProjectManagement": true}}"#,
        br#"{"location": "eastus2", "properties": {"authType": "ApiKey", "category": "AzureOpenAI", "raiPolicyName": 3, "metadata": 1}}"#,
        br#"[{"name": 1}, "x", {"name": "item", "properties": 3}]"#,
        // Deployments: hostile and huge values, a valid one the quota sees.
        br#"{"sku": {"name": "GlobalStandard", "capacity": -1}, "properties": {"model": {"format": "OpenAI", "name": "gpt-4o", "version": 5}, "versionUpgradeOption": 3, "raiPolicyName": ["x"]}}"#,
        br#"{"sku": {"name": "GlobalStandard", "capacity": 18446744073709551615}, "properties": {"model": {"format": "OpenAI", "name": "gpt-4o"}}}"#,
        br#"{"sku": {"name": "GlobalStandard", "capacity": 7}, "properties": {"model": {"format": "OpenAI", "name": "gpt-4o"}, "raiPolicyName": "Microsoft.Default"}}"#,
        br#"{"sku": {"capacity": 8}, "properties": {"model": "gpt-4o", "rateLimits": 1}}"#,
        // Content filters and capability hosts.
        br#"{"properties": {"basePolicyName": "Microsoft.Default", "mode": [], "contentFilters": [1, {"name": "x", "source": "Prompt", "severityThreshold": 2}], "customBlocklists": {"a": 1}}}"#,
        br#"{"properties": {"basePolicyName": "Microsoft.DefaultV2", "contentFilters": [{"name": "Hate", "source": "Prompt"}], "customBlocklists": [{"blocklistName": "b1"}, 7]}}"#,
        br#"{"properties": {"storageConnections": "x", "vectorStoreConnections": [1], "aiServicesConnections": [], "threadStorageConnections": null}}"#,
        br#"{"properties": {"capabilityHostKind": "Agents", "storageConnections": ["conn1", ""]}}"#,
    ];
    let methods = [Method::GET, Method::PUT, Method::PATCH, Method::DELETE, Method::POST];
    runtime.block_on(async {
        for round in 0..2 {
            for path in &paths {
                for method in &methods {
                    for body in &bodies {
                        let url = format!("{}{path}?api-version=2025-06-01", cloud.base());
                        let response = cloud
                            .http
                            .request(method.clone(), &url)
                            .bearer_auth(&cloud.token)
                            .body(body.to_vec())
                            .send()
                            .await
                            .expect("the emulator answers");
                        let status = response.status().as_u16();
                        let text = response.text().await.unwrap_or_default();
                        assert!(status < 500, "round {round}: {method} {url}: {status} {text}");
                        if status >= 400 {
                            let body: Value = serde_json::from_str(&text).unwrap_or_default();
                            assert!(body["error"]["code"].is_string(), "{method} {url}: {text}");
                        }
                    }
                }
            }
            // The operations started in the first round finish before the second.
            clock.advance(std::time::Duration::from_millis(40));
        }
    });
    runtime.block_on(cloud.emulator.shutdown());
}
