//! An Azure SDK client against the emulator: azure_core's own pipeline — its bearer-token
//! policy fed by azure_identity, its retry policy, its error parsing — creates, reads, updates,
//! lists and deletes a hub following ARM's long-running-operation rules, and does not notice
//! it is not talking to Azure.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret, TokenCredential};
use azure_core::http::headers::HeaderName;
use azure_core::http::policies::Policy;
use azure_core::http::policies::auth::BearerTokenAuthorizationPolicy;
use azure_core::http::{
    ClientOptions, Context, Method, Pipeline, RawResponse, Request, StatusCode, Transport,
};
use azure_identity::{ClientSecretCredential, ClientSecretCredentialOptions};
use hubctl_emulator::{Emulator, Options};
use serde_json::{Value, json};
use support::*;

fn pipeline(emulator: &Emulator) -> Pipeline {
    let transport = Transport::new(Arc::new(client(emulator)));
    let mut cloud = CustomConfiguration::default();
    cloud.authority_host = emulator.authority_host();
    let credential: Arc<dyn TokenCredential> = ClientSecretCredential::new(
        &emulator.tenant_id(),
        CLIENT_ID.to_string(),
        Secret::new(CLIENT_SECRET.to_string()),
        Some(ClientSecretCredentialOptions {
            client_options: ClientOptions {
                cloud: Some(Arc::new(CloudConfiguration::Custom(cloud))),
                transport: Some(transport.clone()),
                ..Default::default()
            },
        }),
    )
    .unwrap();
    let auth: Arc<dyn Policy> = Arc::new(BearerTokenAuthorizationPolicy::new(
        credential,
        ["https://management.azure.com/.default"],
    ));
    let options = ClientOptions { transport: Some(transport), ..Default::default() };
    Pipeline::new(
        Some("hubctl-emulator-tests"),
        Some("0.1.0"),
        options,
        Vec::new(),
        vec![auth],
        None,
    )
}

async fn send(
    pipeline: &Pipeline,
    method: Method,
    url: &str,
    body: Option<&Value>,
) -> azure_core::Result<RawResponse> {
    let mut request = Request::new(url::Url::parse(url).unwrap(), method);
    if let Some(body) = body {
        request.insert_header("content-type", "application/json");
        request.set_json(body)?;
    }
    pipeline.send(&Context::new(), &mut request, None).await
}

/// ARM's rule for a 202: poll Location, honouring Retry-After, until it stops answering 202.
async fn finish(pipeline: &Pipeline, response: RawResponse) -> azure_core::Result<RawResponse> {
    let mut response = response;
    while response.status() == StatusCode::Accepted {
        let location = response
            .headers()
            .get_optional_str(&HeaderName::from_static("location"))
            .expect("202 has Location")
            .to_string();
        let wait: u64 = response
            .headers()
            .get_optional_str(&HeaderName::from_static("retry-after"))
            .and_then(|r| r.parse().ok())
            .unwrap_or(0);
        tokio::time::sleep(Duration::from_millis(wait * 1000 + 10)).await;
        response = send(pipeline, Method::Get, &location, None).await?;
    }
    Ok(response)
}

#[tokio::test]
async fn an_sdk_pipeline_creates_reads_updates_lists_and_deletes_a_hub() {
    let emulator = Emulator::start(Options {
        seed: Some(example_seed()),
        lro: Duration::from_millis(50),
        ..Options::default()
    })
    .await
    .unwrap();
    let pipeline = pipeline(&emulator);
    let base = emulator.arm_endpoint();
    let hub = format!(
        "{base}{}?api-version={WS_API}",
        id("Microsoft.MachineLearningServices/workspaces", "sdk-hub")
    );

    let accepted = send(&pipeline, Method::Put, &hub, Some(&hub_body())).await.unwrap();
    assert_eq!(accepted.status(), StatusCode::Accepted);
    let created = finish(&pipeline, accepted).await.unwrap();
    let created: Value = created.body().json().unwrap();
    assert_eq!(created["properties"]["provisioningState"], "Succeeded");

    let read: Value =
        send(&pipeline, Method::Get, &hub, None).await.unwrap().body().json().unwrap();
    assert_eq!(read["name"], "sdk-hub");

    let patched = send(
        &pipeline,
        Method::Patch,
        &hub,
        Some(&json!({ "properties": { "description": "from the SDK" } })),
    )
    .await
    .unwrap();
    let patched: Value = finish(&pipeline, patched).await.unwrap().body().json().unwrap();
    assert_eq!(patched["properties"]["description"], "from the SDK");

    let list = format!(
        "{base}/subscriptions/{SUB}/providers/Microsoft.MachineLearningServices/workspaces?api-version={WS_API}"
    );
    let listed: Value =
        send(&pipeline, Method::Get, &list, None).await.unwrap().body().json().unwrap();
    assert!(listed["value"].as_array().unwrap().iter().any(|w| w["name"] == "sdk-hub"));

    // A refusal surfaces through the SDK's error with the service's code.
    let mut moved = hub_body();
    moved["location"] = json!("westeurope");
    let error = send(&pipeline, Method::Put, &hub, Some(&moved)).await.unwrap_err();
    match error.kind() {
        azure_core::error::ErrorKind::HttpResponse { status, error_code, .. } => {
            assert_eq!(*status, StatusCode::Conflict);
            assert_eq!(error_code.as_deref(), Some("InvalidResourceLocation"));
        }
        other => panic!("expected an HTTP error, got {other:?}"),
    }

    let deleted = send(&pipeline, Method::Delete, &hub, None).await.unwrap();
    assert_eq!(finish(&pipeline, deleted).await.unwrap().status(), StatusCode::Ok);
    let gone = send(&pipeline, Method::Get, &hub, None).await.unwrap_err();
    assert_eq!(gone.http_status(), Some(StatusCode::NotFound));
    emulator.shutdown().await;
}

#[tokio::test]
async fn the_sdk_retry_policy_rides_over_injected_throttling_and_outages() {
    let emulator = Emulator::start(Options {
        seed: Some(example_seed()),
        fault_rate: 0.3,
        fault_seed: 3,
        throttling: false,
        ..Options::default()
    })
    .await
    .unwrap();
    let pipeline = pipeline(&emulator);
    let group = format!(
        "{}/subscriptions/{SUB}/resourceGroups/{RG}?api-version=2021-04-01",
        emulator.arm_endpoint()
    );
    for _ in 0..4 {
        let read: Value =
            send(&pipeline, Method::Get, &group, None).await.unwrap().body().json().unwrap();
        assert_eq!(read["name"], RG);
    }
    let faults: u64 = emulator.stats().faults.values().sum();
    assert!(faults > 0, "faults were injected and retried: {:?}", emulator.stats().faults);
    emulator.shutdown().await;
}
