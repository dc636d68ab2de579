//! Sending one ARM request: pacing, a bounded number in flight, a fresh-enough token, the
//! retry loop, and a tracing span per request. The only code that touches the network.
//!
//! Logs by allow-list: method, path, status, `x-ms-request-id`, duration and retry count. The
//! Authorization header and tokens are never recorded, at any level.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use azure_core::credentials::{AccessToken, TokenCredential};
use hubctl_model::ErrorResponse;
use rand::Rng;
use serde_json::Value;
use tokio::sync::Semaphore;
use tracing::Instrument;

use crate::error::ClientError;
use crate::pacing::{Answer, BucketLimits, OpClass, Pacer};
use crate::retry::{self, Decision, Outcome, RetryOptions};
use crate::versions;

/// An answer from ARM.
#[derive(Debug, Clone)]
pub struct ArmResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body (may be empty).
    pub body: Vec<u8>,
}

impl ArmResponse {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// The body as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, ClientError> {
        serde_json::from_slice(&self.body)
            .map_err(|e| ClientError::Decode { url: url.to_string(), reason: e.to_string() })
    }
    /// `Retry-After` in seconds, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        self.header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs)
    }
}

/// Counters of what the client sent, for `-v` logs and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestStats {
    /// Requests sent, retries included, by `METHOD kind` (`GET workspaces`).
    pub by_kind: BTreeMap<String, u64>,
    /// All requests sent.
    pub total: u64,
    /// 429 answers met.
    pub throttled: u64,
    /// Retries made.
    pub retries: u64,
    /// Time requests spent waiting for ARM's throttling (pacing and 429s), added up over
    /// requests, by subscription (or "tenant").
    pub throttle_waits: BTreeMap<String, Duration>,
}

impl RequestStats {
    /// All time requests spent waiting for throttling.
    pub fn throttle_wait(&self) -> Duration {
        self.throttle_waits.values().sum()
    }
}

/// A subscription's requests are waiting for ARM's throttling.
#[derive(Debug, Clone, PartialEq)]
pub struct ThrottleNotice {
    /// The subscription (or "tenant").
    pub subscription: String,
    /// `reads`, `writes` or `deletes`.
    pub operations: &'static str,
    /// How long this request waits.
    pub wait: Duration,
    /// Why: keeping inside the bucket, or a 429.
    pub cause: &'static str,
}

type ThrottleObserver = Arc<dyn Fn(&ThrottleNotice) + Send + Sync>;

/// The shared sending machinery of an [`crate::ArmClient`].
pub struct Pipeline {
    http: reqwest::Client,
    credential: Arc<dyn TokenCredential>,
    scope: String,
    retry: RetryOptions,
    /// The run's deadline: throttling and running operations are waited out until then.
    deadline: Instant,
    token: tokio::sync::Mutex<Option<AccessToken>>,
    pacer: Pacer,
    /// When each subscription's throttling was last announced at info level.
    announced: Mutex<BTreeMap<String, Instant>>,
    observer: Mutex<Option<ThrottleObserver>>,
    /// (resource type, api-version ARM refused this run) → the version used instead.
    versions: Mutex<BTreeMap<(String, String), String>>,
    in_flight: Arc<Semaphore>,
    stats: Mutex<RequestStats>,
}

impl Pipeline {
    /// A pipeline over `http` signing in with `credential` for `scope`.
    pub fn new(
        http: reqwest::Client,
        credential: Arc<dyn TokenCredential>,
        scope: String,
        retry: RetryOptions,
        concurrency: usize,
        buckets: BucketLimits,
    ) -> Pipeline {
        Pipeline {
            http,
            credential,
            scope,
            deadline: Instant::now()
                .checked_add(retry.run_deadline)
                .unwrap_or_else(|| Instant::now() + Duration::from_secs(30 * 24 * 3600)),
            retry,
            token: tokio::sync::Mutex::new(None),
            pacer: Pacer::new(buckets),
            announced: Mutex::new(BTreeMap::new()),
            observer: Mutex::new(None),
            versions: Mutex::new(BTreeMap::new()),
            in_flight: Arc::new(Semaphore::new(concurrency.max(1))),
            stats: Mutex::new(RequestStats::default()),
        }
    }

    pub(crate) fn on_throttle(&self, observer: ThrottleObserver) {
        *self.observer.lock().unwrap_or_else(|p| p.into_inner()) = Some(observer);
    }

    /// A copy of the counters.
    pub fn stats(&self) -> RequestStats {
        self.stats.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// A token valid for at least five more minutes (credentials like the Azure CLI's do not
    /// cache, so the pipeline does).
    /// The current token (cached), for callers that need its claims.
    pub(crate) async fn access_token(&self) -> Result<AccessToken, ClientError> {
        self.token().await
    }

    async fn token(&self) -> Result<AccessToken, ClientError> {
        let mut cached = self.token.lock().await;
        if let Some(token) = cached.as_ref()
            && token.expires_on > time::OffsetDateTime::now_utc() + time::Duration::minutes(5)
        {
            return Ok(token.clone());
        }
        let token = self.credential.get_token(&[self.scope.as_str()], None).await.map_err(|e| {
            ClientError::Credential(crate::credential::CredentialError::Token {
                message: e.to_string(),
            })
        })?;
        *cached = Some(token.clone());
        Ok(token)
    }

    /// Send a request; `success` lists the statuses that are not errors. An api-version ARM
    /// says it does not support is replaced, once, by the newest stable one it lists, and kept
    /// for the rest of the run (crate::versions).
    pub async fn send(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<&Value>,
        success: &[u16],
    ) -> Result<ArmResponse, ClientError> {
        let url = self.versioned(url);
        let result = self.send_as_is(method.clone(), &url, body, success).await;
        let Err(ClientError::Service { code, message, .. }) = &result else { return result };
        let (Some(sent), Some(supported)) =
            (versions::version_of(&url), versions::supported_versions(code, message))
        else {
            return result;
        };
        // A refusal that lists the version sent is about something else (the location).
        if supported.iter().any(|v| v == sent) {
            return result;
        }
        let Some(newest) = versions::newest_stable(&supported).filter(|v| v != sent) else {
            return result;
        };
        tracing::warn!(
            unsupported = sent,
            instead = %newest,
            "ARM does not support api-version {sent} here; using {newest}, the newest stable version it lists, for the rest of the run"
        );
        self.versions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert((versions::resource_type_of(&url), sent.to_string()), newest.clone());
        self.send_as_is(method, &versions::with_version(&url, &newest), body, success).await
    }

    /// `url` with any api-version ARM refused earlier in the run replaced.
    fn versioned(&self, url: &str) -> String {
        let replaced = versions::version_of(url).and_then(|v| {
            let key = (versions::resource_type_of(url), v.to_string());
            self.versions.lock().unwrap_or_else(|p| p.into_inner()).get(&key).cloned()
        });
        match replaced {
            Some(version) => versions::with_version(url, &version),
            None => url.to_string(),
        }
    }

    async fn send_as_is(
        &self,
        method: reqwest::Method,
        url: &str,
        body: Option<&Value>,
        success: &[u16],
    ) -> Result<ArmResponse, ClientError> {
        let started = Instant::now();
        let class = OpClass::of(&method);
        let subscription =
            hubctl_model::subscription_of(path_of(url)).unwrap_or_else(|| "tenant".into());
        let kind = kind_of(path_of(url));
        let span = tracing::debug_span!("arm", method = %method, path = path_of(url), status = tracing::field::Empty, request_id = tracing::field::Empty, retries = tracing::field::Empty, ms = tracing::field::Empty);
        async {
            let mut attempt = 0u32;
            // Attempts and time that count against the bounded retries: waits for throttling
            // and running operations are the run deadline's business, not theirs.
            let mut ordinary_attempts = 0u32;
            let mut waited = Duration::ZERO;
            loop {
                attempt += 1;
                // The token first: a reservation is made only for a request that will be sent
                // (and so answered, which settles the reservation).
                let token = self.token().await?;
                let wait = self.pacer.delay(&subscription, class);
                if !wait.is_zero() {
                    self.throttle_wait(
                        &subscription,
                        class,
                        wait,
                        "keeping inside ARM's throttling bucket",
                    );
                    tokio::time::sleep(wait).await;
                    waited += wait;
                }
                let result = {
                    let _permit =
                        self.in_flight.acquire().await.map_err(|e| ClientError::Transport {
                            method: method.to_string(),
                            url: url.to_string(),
                            reason: e.to_string(),
                            not_sent: true,
                        })?;
                    self.count(&method, &kind, attempt > 1);
                    let mut request =
                        self.http.request(method.clone(), url).bearer_auth(token.token.secret());
                    if let Some(body) = body {
                        request = request.json(body);
                    }
                    match request.send().await {
                        Ok(response) => {
                            let status = response.status().as_u16();
                            let headers = response.headers().clone();
                            match response.bytes().await {
                                Ok(bytes) => {
                                    Ok(ArmResponse { status, headers, body: bytes.to_vec() })
                                }
                                Err(e) => Err((e.to_string(), false)),
                            }
                        }
                        Err(e) => Err((e.to_string(), e.is_connect())),
                    }
                };
                let (outcome, error) = match result {
                    Ok(response) => {
                        let answer =
                            match response.header(class.header()).and_then(|v| v.parse().ok()) {
                                _ if response.status == 429 => Answer::Throttled,
                                Some(left) => Answer::Remaining(left),
                                None => Answer::Unknown,
                            };
                        self.pacer.observe(&subscription, class, answer);
                        let span = tracing::Span::current();
                        span.record("status", response.status);
                        if let Some(id) = response.header("x-ms-request-id") {
                            span.record("request_id", id);
                        }
                        span.record("retries", attempt - 1);
                        span.record("ms", started.elapsed().as_millis() as u64);
                        if success.contains(&response.status) {
                            tracing::debug!("done");
                            return Ok(response);
                        }
                        if response.status == 429 {
                            self.stats.lock().unwrap_or_else(|p| p.into_inner()).throttled += 1;
                        }
                        let error = service_error(&method, url, &response);
                        let outcome = Outcome::of(
                            response.status,
                            response.retry_after(),
                            error.code().unwrap_or_default(),
                        );
                        (outcome, error)
                    }
                    Err((reason, not_sent)) => {
                        self.pacer.observe(&subscription, class, Answer::Unknown);
                        (
                            Outcome::Transport,
                            ClientError::Transport {
                                method: method.to_string(),
                                url: url.to_string(),
                                reason,
                                not_sent,
                            },
                        )
                    }
                };
                let jitter = rand::rng().random::<f64>();
                let run_left = self.deadline.saturating_duration_since(Instant::now());
                let waiting = matches!(outcome, Outcome::Throttled { .. } | Outcome::Busy { .. });
                if !waiting {
                    ordinary_attempts += 1;
                }
                match retry::decide(
                    outcome,
                    ordinary_attempts.max(1),
                    started.elapsed().saturating_sub(waited),
                    run_left,
                    &self.retry,
                    jitter,
                ) {
                    Decision::RetryAfter(delay) => {
                        match outcome {
                            Outcome::Throttled { .. } => self.throttle_wait(
                                &subscription,
                                class,
                                delay,
                                "ARM answered 429 (Retry-After)",
                            ),
                            Outcome::Busy { .. } => tracing::info!(
                                ?delay,
                                url = path_of(url),
                                code = error.code().unwrap_or_default(),
                                "another operation is running on the resource; waiting for it"
                            ),
                            _ => tracing::debug!(?delay, attempt, error = %error, "retrying"),
                        }
                        tokio::time::sleep(delay).await;
                        if waiting {
                            waited += delay;
                        }
                    }
                    Decision::GiveUp => {
                        let retryable = match outcome {
                            Outcome::Transport
                            | Outcome::Throttled { .. }
                            | Outcome::Busy { .. } => true,
                            Outcome::Status { status, .. } => retry::retryable_status(status),
                        };
                        if waiting {
                            return Err(ClientError::RunDeadline {
                                method: method.to_string(),
                                url: url.to_string(),
                                deadline: self.retry.run_deadline,
                                last: Box::new(error),
                            });
                        }
                        if retryable && attempt > 1 {
                            return Err(ClientError::RetriesExhausted {
                                method: method.to_string(),
                                url: url.to_string(),
                                attempts: attempt,
                                elapsed: started.elapsed(),
                                last: Box::new(error),
                            });
                        }
                        return Err(error);
                    }
                }
            }
        }
        .instrument(span)
        .await
    }

    /// Account for (and, at most every 10 s per subscription, announce) a wait for throttling.
    fn throttle_wait(&self, subscription: &str, class: OpClass, wait: Duration, why: &'static str) {
        {
            let mut stats = self.stats.lock().unwrap_or_else(|p| p.into_inner());
            *stats.throttle_waits.entry(subscription.to_string()).or_default() += wait;
        }
        let now = Instant::now();
        let mut announced = self.announced.lock().unwrap_or_else(|p| p.into_inner());
        let due = announced
            .get(subscription)
            .is_none_or(|last| now.duration_since(*last) >= Duration::from_secs(10));
        if due && wait >= Duration::from_millis(500) {
            announced.insert(subscription.to_string(), now);
            drop(announced);
            tracing::info!(
                subscription,
                operations = class.name(),
                wait_s = format!("{:.1}", wait.as_secs_f64()),
                "throttled: {why}; waiting"
            );
            let observer = self.observer.lock().unwrap_or_else(|p| p.into_inner()).clone();
            if let Some(observer) = observer {
                observer(&ThrottleNotice {
                    subscription: subscription.to_string(),
                    operations: class.name(),
                    wait,
                    cause: why,
                });
            }
        } else {
            tracing::debug!(
                subscription,
                operations = class.name(),
                ?wait,
                "throttled: {why}; waiting"
            );
        }
    }

    fn count(&self, method: &reqwest::Method, kind: &str, retry: bool) {
        let mut stats = self.stats.lock().unwrap_or_else(|p| p.into_inner());
        stats.total += 1;
        if retry {
            stats.retries += 1;
        }
        *stats.by_kind.entry(format!("{method} {kind}")).or_default() += 1;
    }
}

fn service_error(method: &reqwest::Method, url: &str, response: &ArmResponse) -> ClientError {
    let parsed: Option<ErrorResponse> = serde_json::from_slice(&response.body).ok();
    let (code, message) = match parsed {
        Some(e) if !e.error.code.is_empty() => (e.error.code, e.error.message),
        _ => (
            reqwest::StatusCode::from_u16(response.status)
                .map(|s| s.canonical_reason().unwrap_or("Error").replace(' ', ""))
                .unwrap_or_default(),
            String::from_utf8_lossy(&response.body).chars().take(300).collect(),
        ),
    };
    ClientError::Service {
        method: method.to_string(),
        url: url.to_string(),
        status: response.status,
        code,
        message,
        request_id: response.header("x-ms-request-id").map(str::to_string),
    }
}

/// The path of a URL (no scheme, host or query).
fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("", |i| &rest[i..]);
    path.split('?').next().unwrap_or(path)
}

/// A short name of what a path addresses, for counters.
pub fn kind_of(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    for known in [
        "roleAssignments",
        "roleDefinitions",
        "workspaceOperationsStatus",
        "outboundRules",
        "connections",
        "workspaces",
        "register",
    ] {
        if segments.iter().any(|s| s.eq_ignore_ascii_case(known)) {
            return known.to_string();
        }
    }
    if segments.len() >= 3 && segments[2].eq_ignore_ascii_case("resourceGroups") {
        return "resourceGroups".into();
    }
    "other".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_kinds() {
        assert_eq!(path_of("https://h:1/subscriptions/s/x?api-version=1"), "/subscriptions/s/x");
        assert_eq!(
            kind_of(
                "/subscriptions/s/resourceGroups/r/providers/Microsoft.MachineLearningServices/workspaces/w/outboundRules/x"
            ),
            "outboundRules"
        );
        assert_eq!(
            kind_of("/subscriptions/s/providers/Microsoft.Authorization/roleAssignments"),
            "roleAssignments"
        );
    }
}
