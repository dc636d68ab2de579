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
