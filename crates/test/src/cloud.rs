//! A running emulator for tests, with a real azure_identity credential and an HTTPS client
//! that trusts the emulator's CA (and nothing is turned off).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{Secret, TokenCredential};
use azure_core::http::{ClientOptions, Transport};
use azure_identity::{ClientSecretCredential, ClientSecretCredentialOptions};
use hubctl_emulator::{Emulator, Options};
use serde_json::Value;

use crate::{WS_API, example_seed, id};

/// The client id the example seed knows, and its secret.
pub const CLIENT_ID: &str = "11111111-0000-0000-0000-00000000c11e";
/// The secret of [`CLIENT_ID`].
pub const CLIENT_SECRET: &str = "local-cloud-secret";

/// The URL of a workspace in the test resource group.
pub fn ws_url(cloud: &Cloud, name: &str) -> String {
    format!(
        "{}{}?api-version={WS_API}",
        cloud.base(),
        id("Microsoft.MachineLearningServices/workspaces", name)
    )
}

/// An emulator with an HTTPS client and a token.
pub struct Cloud {
    /// The emulator.
    pub emulator: Emulator,
    /// A client that trusts its CA.
    pub http: reqwest::Client,
    /// A token it issued.
    pub token: String,
}

/// An HTTPS client that trusts the emulator's CA.
pub fn client(emulator: &Emulator) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(emulator.ca_pem().as_bytes()).expect("CA parses");
    reqwest::Client::builder().add_root_certificate(ca).build().expect("client builds")
}

/// A token from the emulator through azure_identity's ClientSecretCredential, as hubctl gets one.
pub async fn token(
    emulator: &Emulator,
    client_id: &str,
    secret: &str,
) -> azure_core::Result<String> {
    let mut cloud = CustomConfiguration::default();
    cloud.authority_host = emulator.authority_host();
    let options = ClientSecretCredentialOptions {
        client_options: ClientOptions {
            cloud: Some(Arc::new(CloudConfiguration::Custom(cloud))),
            transport: Some(Transport::new(Arc::new(client(emulator)))),
            ..Default::default()
        },
    };
    let credential = ClientSecretCredential::new(
        &emulator.tenant_id(),
        client_id.to_string(),
        Secret::new(secret.to_string()),
        Some(options),
    )?;
    let token = credential.get_token(&["https://management.azure.com/.default"], None).await?;
    Ok(token.token.secret().to_string())
}

/// The JSON body of a request's answer.
pub async fn json(request: reqwest::RequestBuilder) -> Value {
    request.send().await.expect("request is answered").json().await.expect("a JSON body")
}

/// A token by the client-credentials grant, asked over plain HTTP as a tool other than
/// azure_identity would (the emulator's token endpoint takes any client unless strict).
pub async fn raw_token(
    http: &reqwest::Client,
    authority: &str,
    tenant: &str,
    client: &str,
) -> String {
    let request = http.post(format!("{authority}/{tenant}/oauth2/v2.0/token")).form(&[
        ("grant_type", "client_credentials"),
        ("client_id", client),
        ("client_secret", "x"),
        ("scope", "https://management.azure.com/.default"),
    ]);
    json(request).await["access_token"].as_str().expect("a token").to_string()
}

impl Cloud {
    /// Start an emulator (with the example seed unless `options` has one).
    pub async fn start(options: Options) -> Cloud {
        let options = Options { seed: options.seed.or_else(|| Some(example_seed())), ..options };
        let emulator = Emulator::start(options).await.expect("emulator starts");
        let http = client(&emulator);
        let token = token(&emulator, CLIENT_ID, CLIENT_SECRET).await.expect("token");
        Cloud { emulator, http, token }
    }

    /// Start one with short operations.
    pub async fn default() -> Cloud {
        Cloud::start(Options { lro: std::time::Duration::from_millis(30), ..Options::default() })
            .await
    }

    /// Its ARM endpoint.
    pub fn base(&self) -> String {
        self.emulator.arm_endpoint()
    }

    /// Send a request with the token; (status, headers, JSON body or Null).
    pub async fn send(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<&Value>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let url = if url.starts_with("https://") {
            url.to_string()
        } else {
            format!("{}{url}", self.base())
        };
        let mut request = self.http.request(method, &url).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("request is answered");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body reads");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("JSON body expected, got {text:?}"))
        };
        (status, headers, body)
    }

    /// GET: (status, JSON body).
    pub async fn get(&self, url: &str) -> (u16, Value) {
        let (status, _, body) = self.send(reqwest::Method::GET, url, None).await;
        (status, body)
    }

    /// PUT: (status, headers, JSON body).
    pub async fn put(&self, url: &str, body: &Value) -> (u16, reqwest::header::HeaderMap, Value) {
        self.send(reqwest::Method::PUT, url, Some(body)).await
    }

    /// Follow a 202's Location until it stops answering 202; returns the final answer.
    pub async fn wait(&self, headers: &reqwest::header::HeaderMap) -> (u16, Value) {
        let location =
            headers.get("location").expect("a 202 carries Location").to_str().unwrap().to_string();
        for _ in 0..200 {
            let (status, headers, body) = self.send(reqwest::Method::GET, &location, None).await;
            if status != 202 {
                return (status, body);
            }
            let retry: u64 = headers
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            tokio::time::sleep(std::time::Duration::from_millis(retry * 1000 + 10)).await;
        }
        panic!("the operation never finished");
    }

    /// PUT and wait for the operation; the final status and body.
    pub async fn put_and_wait(&self, url: &str, body: &Value) -> (u16, Value) {
        let (status, headers, body) = self.put(url, body).await;
        if status != 202 {
            return (status, body);
        }
        self.wait(&headers).await
    }
}

/// A minimal hub body.
pub fn hub_body() -> Value {
    serde_json::json!({
        "location": "eastus2",
        "kind": "Hub",
        "identity": { "type": "SystemAssigned" },
        "properties": {
            "friendlyName": "Contoso hub",
            "storageAccount": id("Microsoft.Storage/storageAccounts", "contosohubsa"),
        }
    })
}
