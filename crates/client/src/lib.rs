//! # hubctl-client: every read and write to Azure
//!
//! ## Overview
//!
//! [`ArmClient`] is shaped like Azure's generated management-plane clients:
//! `ArmClient::new(credential, Some(options))`, the endpoint and token audience from the
//! options' [`Cloud`], api-versions pinned in the options' `Default`, sub-clients
//! ([`ArmClient::workspaces`], [`ArmClient::outbound_rules`], [`ArmClient::connections`],
//! [`ArmClient::role_assignments`], [`ArmClient::role_definitions`]) sharing one pipeline,
//! each operation stating its success codes, long-running ones returning a [`Poller`] named
//! for the operation (no `begin_`), and lists read through `nextLink` to the end.
//!
//! The pipeline ([`pipeline`]): per-subscription pacing from ARM's remaining-budget headers,
//! bounded concurrency, a cached token from azure_identity's credentials ([`credential`], our
//! own chain), retries by one pure policy ([`retry`]), and a tracing span per request that
//! never records the Authorization header or a token.
//!
//! [`inventory`] reads the live state of a fleet in requests that grow with subscriptions and
//! pages, not with resources.
//!
//! Not here: deciding what to change (hubctl-plan) or in which order (hubctl-apply).
//!
//! ## Example
//!
//! ```no_run
//! # async fn example() -> Result<(), hubctl_client::ClientError> {
//! use hubctl_client::{ArmClient, ArmClientOptions, AuthEnv, AuthMethod, Cloud, CredentialOptions, credential};
//!
//! let cloud = Cloud::public();
//! let credential = credential(&CredentialOptions {
//!     method: AuthMethod::Auto, env: AuthEnv::from_process(), cloud: cloud.clone(), http: None, executor: None,
//! })?;
//! let client = ArmClient::new(credential, Some(ArmClientOptions { cloud, ..Default::default() }))?;
//! let hub = client.workspaces().get("00000000-0000-0000-0000-000000000001", "rg", "contoso-hub").await?;
//! # Ok(()) }
//! ```

pub mod cloud;
pub mod credential;
pub mod directory;
mod error;
mod foundry;
pub mod inventory;
pub mod lro;
mod ops;
pub mod pacing;
pub mod pipeline;
pub mod retry;
pub mod versions;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::TokenCredential;

pub use cloud::Cloud;
pub use credential::{AuthEnv, AuthMethod, CredentialError, CredentialOptions, credential};
pub use error::ClientError;
pub use foundry::Foundry;
pub use lro::{LroKind, Poller};
pub use ops::*;
pub use pacing::{Bucket, BucketLimits};
pub use pipeline::{RequestStats, ThrottleNotice};
pub use retry::RetryOptions;

use crate::pipeline::Pipeline;

/// Options of an [`ArmClient`].
#[derive(Debug, Clone)]
pub struct ArmClientOptions {
    /// Where ARM is.
    pub cloud: Cloud,
    /// The HTTP client (it carries an extra CA for the local cloud); a default one when `None`.
    pub http: Option<reqwest::Client>,
    /// Retry settings.
    pub retry: RetryOptions,
    /// Requests in flight at once (ARM-friendly default: 8).
    pub concurrency: usize,
    /// api-version for `Microsoft.MachineLearningServices`.
    pub workspaces_api_version: String,
    /// api-version for `Microsoft.Authorization`.
    pub authorization_api_version: String,
    /// api-version for `Microsoft.CognitiveServices` (Foundry resources).
    pub cognitive_services_api_version: String,
    /// Longest wait for one long-running operation.
    pub operation_deadline: Duration,
    /// Poll interval when the service gives no Retry-After.
    pub poll_interval: Duration,
    /// Do not register a missing resource provider (ARM's MissingSubscriptionRegistration).
    pub skip_provider_registration: bool,
    /// The throttling buckets the client paces itself by (ARM's by default; a test cloud may
    /// have others).
    pub buckets: BucketLimits,
}

impl Default for ArmClientOptions {
    fn default() -> ArmClientOptions {
        ArmClientOptions {
            cloud: Cloud::public(),
            http: None,
            retry: RetryOptions::arm(),
            concurrency: 8,
            workspaces_api_version: hubctl_model::WORKSPACES_API_VERSION.to_string(),
            authorization_api_version: hubctl_model::AUTHORIZATION_API_VERSION.to_string(),
            cognitive_services_api_version: hubctl_model::COGNITIVE_SERVICES_API_VERSION
                .to_string(),
            operation_deadline: Duration::from_secs(45 * 60),
            poll_interval: Duration::from_secs(10),
            skip_provider_registration: false,
            buckets: BucketLimits::arm(),
        }
    }
}

/// An HTTP client that trusts the system's roots and, if given, one extra CA (PEM file).
pub fn http_client(ca_cert: Option<&Path>) -> Result<reqwest::Client, ClientError> {
    let mut builder =
        reqwest::Client::builder().user_agent(concat!("hubctl/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = ca_cert {
        let pem = std::fs::read(path).map_err(|e| ClientError::CaCertificate {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let certificate = reqwest::Certificate::from_pem(&pem).map_err(|e| {
            ClientError::CaCertificate { path: path.display().to_string(), reason: e.to_string() }
        })?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build().map_err(|e| ClientError::CaCertificate {
        path: ca_cert.map(|p| p.display().to_string()).unwrap_or_default(),
        reason: e.to_string(),
    })
}

/// The ARM client.
pub struct ArmClient {
    pub(crate) pipeline: Pipeline,
    /// Microsoft Graph's (crate::directory): its own token audience.
    pub(crate) graph: Pipeline,
    pub(crate) options: ArmClientOptions,
}

impl ArmClient {
    /// A client signing in with `credential`.
    pub fn new(
        credential: Arc<dyn TokenCredential>,
        options: Option<ArmClientOptions>,
    ) -> Result<ArmClient, ClientError> {
        let options = options.unwrap_or_default();
        cloud::check_endpoint(&options.cloud.arm_endpoint)?;
        let http = match &options.http {
            Some(http) => http.clone(),
            None => http_client(None)?,
        };
        let pipeline = Pipeline::new(
            http.clone(),
            credential.clone(),
            options.cloud.scope(),
            options.retry.clone(),
            options.concurrency,
            options.buckets,
        );
        let graph = Pipeline::new(
            http,
            credential,
            options.cloud.graph_scope(),
            options.retry.clone(),
            options.concurrency,
            options.buckets,
        );
        Ok(ArmClient { pipeline, graph, options })
    }

    /// Counters of the requests sent so far.
    pub fn stats(&self) -> RequestStats {
        self.pipeline.stats()
    }

    /// Be told when a subscription's requests start waiting for ARM's throttling (at most
    /// every 10 s per subscription): how a progress display shows it.
    pub fn on_throttle(&self, observer: impl Fn(&ThrottleNotice) + Send + Sync + 'static) {
        self.pipeline.on_throttle(Arc::new(observer));
    }

    /// The signed-in caller's object id, read from the token's `oid` claim (not verified here:
    /// ARM verifies tokens; this only tells the planner whose access never to remove).
    pub async fn caller_object_id(&self) -> Result<Option<String>, ClientError> {
        use base64::Engine;
        let token = self.pipeline.access_token().await?;
        let payload = token.token.secret().split('.').nth(1).unwrap_or_default();
        let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .unwrap_or_default();
        let claims: serde_json::Value = serde_json::from_slice(&decoded).unwrap_or_default();
        Ok(claims["oid"].as_str().map(str::to_string))
    }

    /// The options.
    pub fn options(&self) -> &ArmClientOptions {
        &self.options
    }

    pub(crate) fn url(&self, path: &str, api_version: &str) -> String {
        let separator = if path.contains('?') { '&' } else { '?' };
        format!("{}{path}{separator}api-version={api_version}", self.options.cloud.arm_endpoint)
    }

    /// Send through the pipeline, registering a missing resource provider once if ARM asks.
    pub(crate) async fn send(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<&serde_json::Value>,
        success: &[u16],
    ) -> Result<pipeline::ArmResponse, ClientError> {
        match self.pipeline.send(method.clone(), url, body, success).await {
            Err(ClientError::Service { code, .. })
                if code == "MissingSubscriptionRegistration"
                    && !self.options.skip_provider_registration =>
            {
                self.register_provider(url).await?;
                self.pipeline.send(method, url, body, success).await
            }
            other => other,
        }
    }

    async fn register_provider(&self, url: &str) -> Result<(), ClientError> {
        let path = url.split_once("://").map_or(url, |(_, r)| r);
        let segments: Vec<&str> = path.split(['/', '?']).collect();
        let sub = segments
            .iter()
            .position(|s| s.eq_ignore_ascii_case("subscriptions"))
            .and_then(|i| segments.get(i + 1));
        let namespace = segments
            .iter()
            .rposition(|s| s.eq_ignore_ascii_case("providers"))
            .and_then(|i| segments.get(i + 1));
        let (Some(sub), Some(namespace)) = (sub, namespace) else { return Ok(()) };
        tracing::info!(subscription = %sub, namespace = %namespace, "registering resource provider");
        let register =
            self.url(&format!("/subscriptions/{sub}/providers/{namespace}/register"), "2021-04-01");
        self.pipeline.send(reqwest::Method::POST, &register, None, &[200]).await.map_err(|e| match e {
            ClientError::Service { status: 403, method, url, code, message, request_id } => ClientError::Service {
                method,
                url,
                status: 403,
                code,
                message: format!("{message} (registering {namespace} needs Microsoft.*/register/action on the subscription; ask an owner to run `az provider register --namespace {namespace}`, or pass --skip-provider-registration)"),
                request_id,
            },
            other => other,
        })?;
        Ok(())
    }

    pub(crate) fn poller(
        &self,
        operation: &str,
        resource_url: String,
        kind: LroKind,
        first: pipeline::ArmResponse,
    ) -> Poller<'_> {
        Poller {
            pipeline: &self.pipeline,
            operation: operation.to_string(),
            resource_url,
            kind,
            first,
            deadline: self.options.operation_deadline,
            default_delay: self.options.poll_interval,
        }
    }
}
