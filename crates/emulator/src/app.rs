//! The HTTP face: one handler for every request, doing what ARM's front door does before a
//! resource provider sees the call — latency, authentication, api-version, throttling, faults,
//! request ids — then routing to the resource handlers and shaping the answer.
//!
//! Routing is by hand over the path's segments, not by a router table: ARM paths nest scopes
//! (`{scope}/providers/Microsoft.Authorization/roleAssignments/{name}` at any depth) and every
//! unknown path or method must still get ARM's error shape.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::auth::{self, Claims};
use crate::clock::{Clock, system_ms};
use crate::control::{control, reset};
use crate::error::{ArmError, Reply};
use crate::routes::{eq, kind_of, parse_query, route, subscription_of};
pub use crate::routes::{method_not_allowed, page, percent_decode, unknown_path};
use crate::state::State;
use crate::throttle::{Admission, Buckets, OpClass, ThrottleLimits};

/// The largest request body taken; ARM's own limit is 4 MB.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Settings of a running emulator.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Fixed delay added to every ARM request.
    pub latency: Duration,
    /// Random extra delay, up to this.
    pub jitter: Duration,
    /// How long a long-running operation runs.
    pub lro: Duration,
    /// How long a capability host's create or delete runs.
    pub capability_host_lro: Duration,
    /// Probability of a fault per ARM request.
    pub fault_rate: f64,
    /// Only seeded service principals get tokens.
    pub strict_auth: bool,
    /// ARM's throttling on.
    pub throttling: bool,
    /// Items per page in lists.
    pub page_size: usize,
    /// How long a principal added at run time stays unknown to the directory.
    pub replication_lag: Duration,
    /// Where the state is persisted.
    pub state_file: Option<PathBuf>,
    /// The time buckets, operations and replication follow.
    pub clock: Clock,
    /// Sizes of ARM's throttling buckets.
    pub throttle_limits: ThrottleLimits,
    /// Workspace lists in the published thin shape.
    pub thin_lists: bool,
    /// The api-versions `Microsoft.MachineLearningServices` supports (`None`: any).
    pub workspace_api_versions: Option<Vec<String>>,
    /// A PATCH of managedNetwork without outboundRules clears the user's rules.
    pub network_patch_clears_rules: bool,
}

/// Counters for `GET /_emulator/stats`.
#[derive(Debug, Default, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// All requests, the token endpoint included.
    pub requests: u64,
    /// Requests by `METHOD type`, e.g. `GET workspaces`.
    pub by_kind: BTreeMap<String, u64>,
    /// Faults injected, by kind.
    pub faults: BTreeMap<String, u64>,
    /// 429s from the token buckets.
    pub throttled: u64,
    /// Tokens issued.
    pub tokens_issued: u64,
}

/// What every request shares.
pub struct Shared {
    /// The cloud.
    pub state: Mutex<State>,
    /// Settings.
    pub settings: Settings,
    /// `https://127.0.0.1:PORT`.
    pub base: String,
    pub(crate) buckets: Mutex<Buckets>,
    pub(crate) stats: Mutex<Stats>,
    pub(crate) rng: Mutex<StdRng>,
    /// Faults to inject on the next ARM requests, in order (`POST /_emulator/faults`).
    pub(crate) fault_queue: Mutex<std::collections::VecDeque<u8>>,
    /// How many of the next writes meet a foreign operation in flight (409).
    pub(crate) busy_next_writes: Mutex<u32>,
}

/// Lock a mutex, recovering from poisoning: a panicked request must not take the emulator down.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    /// Shared state for an emulator at `base`.
    pub fn new(state: State, settings: Settings, base: String, fault_seed: u64) -> Shared {
        Shared {
            state: Mutex::new(state),
            buckets: Mutex::new(Buckets::new(settings.throttle_limits)),
            settings,
            base,
            stats: Mutex::new(Stats::default()),
            rng: Mutex::new(StdRng::seed_from_u64(fault_seed)),
            fault_queue: Mutex::new(std::collections::VecDeque::new()),
            busy_next_writes: Mutex::new(0),
        }
    }

    /// A copy of the counters.
    pub fn stats(&self) -> Stats {
        lock(&self.stats).clone()
    }

    fn count(&self, kind: String) {
        let mut stats = lock(&self.stats);
        stats.requests += 1;
        *stats.by_kind.entry(kind).or_default() += 1;
    }

    fn count_fault(&self, fault: &str) {
        *lock(&self.stats).faults.entry(fault.to_string()).or_default() += 1;
    }

    /// Persist the state if a state file is set. A failure is logged to stderr and answered
    /// as a 500, so a full disk is visible instead of silently losing state.
    pub(crate) fn persist(&self, state: &State) -> Result<(), ArmError> {
        if let Some(path) = &self.settings.state_file {
            state.save(path).map_err(|e| {
                ArmError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalServerError",
                    e.to_string(),
                )
            })?;
        }
        Ok(())
    }
}

/// One ARM request, parsed.
pub struct Call {
    /// The method.
    pub method: Method,
    /// Path segments, percent-decoded.
    pub segments: Vec<String>,
    /// The path as sent.
    pub path: String,
    /// Query parameters; keys as sent.
    pub query: HashMap<String, String>,
    /// The request body.
    pub body: Bytes,
    /// The authenticated caller.
    pub caller: Claims,
    /// Now, in ms since the epoch.
    pub now: u64,
    /// `https://127.0.0.1:PORT`.
    pub base: String,
    /// Fault injection chose to make this call's long-running operation end Failed.
    pub fail_operation: bool,
}

impl Call {
    /// The `api-version` query parameter.
    pub fn api_version(&self) -> &str {
        self.query.get("api-version").map(String::as_str).unwrap_or_default()
    }
    /// Parse the body as a JSON object, or ARM's InvalidRequestContent.
    pub fn json(&self) -> Result<serde_json::Map<String, Value>, ArmError> {
        let value: Value = serde_json::from_slice(&self.body).map_err(|e| {
            ArmError::bad_request(
                "InvalidRequestContent",
                format!("The request content was invalid and could not be deserialized: '{e}'."),
            )
        })?;
        match value {
            Value::Object(map) => Ok(map),
            _ => Err(ArmError::bad_request(
                "InvalidRequestContent",
                "The request content was invalid and could not be deserialized: 'expected a JSON object'.",
            )),
        }
    }
    /// The list page to answer: items from `skip`.
    pub fn skip(&self) -> usize {
        self.query
            .get("$skip")
            .or_else(|| self.query.get("$skipToken"))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }
}

/// Serve one request.
pub async fn handle(
    shared: Arc<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let error = ArmError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestContentTooLarge",
                format!("The request content size exceeds the maximum of {MAX_BODY_BYTES} bytes."),
            );
            return finish(error.into(), &headers, None);
        }
    };
    let path = uri.path().to_string();
    let query = parse_query(uri.query().unwrap_or_default());
    let segments: Vec<String> =
        path.split('/').filter(|s| !s.is_empty()).map(percent_decode).collect();

    // The token endpoint: /{tenant}/oauth2/v2.0/token
    if segments.len() == 4
        && segments[1] == "oauth2"
        && segments[2] == "v2.0"
        && segments[3] == "token"
    {
        shared.count("POST token".into());
        return token(&shared, &method, &segments[0], &body);
    }
    if segments.first().map(String::as_str) == Some("_emulator") {
        shared.count(format!("{method} _emulator"));
        let reply = control(&shared, &method, &segments[1..], &body).unwrap_or_else(Reply::from);
        return finish(reply, &headers, None);
    }

    // Microsoft Graph (principals by name): its own token audience, no ARM throttling.
    if segments.first().map(String::as_str) == Some("v1.0") {
        shared.count(format!("{method} graph"));
        let state = lock(&shared.state);
        let header = headers.get("authorization").and_then(|v| v.to_str().ok());
        let now = shared.settings.clock.now_ms();
        let call = crate::graph::GraphCall {
            method: &method,
            segments: &segments[1..],
            query: &query,
            body: &body,
            now,
        };
        let reply = crate::graph::serve(&state, shared.settings.strict_auth, header, &call)
            .unwrap_or_else(Reply::from);
        return finish(reply, &headers, None);
    }

    let class = match method {
        Method::GET | Method::HEAD => OpClass::Read,
        Method::DELETE => OpClass::Delete,
        _ => OpClass::Write,
    };
    shared.count(format!("{method} {}", kind_of(&segments)));

    // Latency first, with no lock held.
    let settings = &shared.settings;
    let mut delay = settings.latency;
    if !settings.jitter.is_zero() {
        let jitter = lock(&shared.rng).random_range(0..=settings.jitter.as_millis() as u64);
        delay += Duration::from_millis(jitter);
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }

    let caller = {
        let state = lock(&shared.state);
        let header = headers.get("authorization").and_then(|v| v.to_str().ok());
        auth::check(&state, header, &shared.base)
    };
    let caller = match caller {
        Ok(claims) => claims,
        Err(refusal) => {
            let error =
                ArmError::new(StatusCode::UNAUTHORIZED, refusal.code, refusal.message.clone());
            let reply = Reply::from(error).header(
                "WWW-Authenticate",
                format!(
                    "Bearer authorization_uri=\"{}/\", error=\"invalid_token\", error_description=\"{}\"",
                    shared.base, refusal.message
                ),
            );
            return finish(reply, &headers, None);
        }
    };

    if !query.contains_key("api-version") {
        let error = ArmError::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        );
        return finish(error.into(), &headers, None);
    }

    // A provider that does not support the api-version (as a sovereign cloud lagging behind):
    // ARM's NoRegisteredProviderFound with the list of what it supports, in the message's
    // real shape (Learn error-register-resource-provider; Azure/azure-sdk-for-js #4097).
    if let Some(supported) = &settings.workspace_api_versions
        && segments
            .iter()
            .rposition(|s| eq(s, "providers"))
            .and_then(|i| segments.get(i + 1))
            .is_some_and(|p| eq(p, "Microsoft.MachineLearningServices"))
        && let Some(version) = query.get("api-version")
        && !supported.iter().any(|v| v == version)
    {
        let error = ArmError::bad_request(
            "NoRegisteredProviderFound",
            format!(
                "No registered resource provider found for location 'eastus2' and API version '{version}' for type 'workspaces'. The supported api-versions are '{}'. The supported locations are 'eastus2, westeurope'.",
                supported.join(", ")
            ),
        );
        return finish(error.into(), &headers, None);
    }

    // Throttling per subscription (tenant-level calls share a tenant bucket).
    let scope = subscription_of(&segments).unwrap_or_else(|| "tenant".to_string());
    let mut remaining = None;
    if settings.throttling {
        match lock(&shared.buckets).admit(&scope, class, shared.settings.clock.now_ms()) {
            Admission::Allowed { remaining: left } => remaining = Some((class, left)),
            Admission::Throttled { retry_after_s } => {
                lock(&shared.stats).throttled += 1;
                let error = ArmError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TooManyRequests",
                    format!(
                        "The request for subscription '{scope}' could not be processed due to an excessive volume of traffic. Please try again later."
                    ),
                );
                let reply = Reply::from(error).header("Retry-After", retry_after_s.to_string());
                return finish(reply, &headers, Some((class, 0)));
            }
        }
    }

    // Faults on demand.
    let mut fail_operation = false;
    let mut queued = lock(&shared.fault_queue).pop_front();
    if queued.is_none() && matches!(class, OpClass::Write | OpClass::Delete) {
        let mut busy = lock(&shared.busy_next_writes);
        if *busy > 0 {
            *busy -= 1;
            queued = Some(5);
        }
    }
    if queued.is_some() || settings.fault_rate > 0.0 {
        let fault = queued.or_else(|| {
            let mut rng = lock(&shared.rng);
            if rng.random_bool(settings.fault_rate.clamp(0.0, 1.0)) {
                Some(rng.random_range(0..6u8))
            } else {
                None
            }
        });
        match fault {
            Some(0) => {
                shared.count_fault("429");
                let error = ArmError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "TooManyRequests",
                    "Injected fault: too many requests. Please try again later.",
                );
                return finish(Reply::from(error).header("Retry-After", "1"), &headers, remaining);
            }
            Some(1) => {
                shared.count_fault("500");
                let error = ArmError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalServerError",
                    "Injected fault: an internal error occurred.",
                );
                return finish(error.into(), &headers, remaining);
            }
            Some(2) => {
                shared.count_fault("503");
                let error = ArmError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "ServiceUnavailable",
                    "Injected fault: the service is temporarily unavailable.",
                );
                return finish(Reply::from(error).header("Retry-After", "1"), &headers, remaining);
            }
            Some(3) => {
                shared.count_fault("reset");
                return reset();
            }
            // Someone else's operation (a portal edit, the service's own work) in flight on the
            // resource: the write is refused as the service refuses it (NOTES.md §10.3).
            Some(5) if matches!(class, OpClass::Write | OpClass::Delete) => {
                shared.count_fault("busy");
                let error = ArmError::conflict(
                    "AnotherOperationInProgress",
                    "Injected fault: another operation is in progress on this resource. Wait for it to complete.",
                );
                return finish(error.into(), &headers, remaining);
            }
            Some(_) if matches!(class, OpClass::Write | OpClass::Delete) => {
                shared.count_fault("lroFailed");
                fail_operation = true;
            }
            _ => {}
        }
    }

    let call = Call {
        method,
        segments,
        path,
        query,
        body,
        caller,
        now: shared.settings.clock.now_ms(),
        base: shared.base.clone(),
        fail_operation,
    };
    let reply = {
        let mut state = lock(&shared.state);
        let settled = state.settle(call.now);
        let before =
            if shared.settings.state_file.is_some() { Some(state.resources.len()) } else { None };
        let result = route(&mut state, &shared.settings, &call);
        let mutated =
            settled || call.method != Method::GET || before != Some(state.resources.len());
        let persisted = if mutated { shared.persist(&state) } else { Ok(()) };
        match (result, persisted) {
            (_, Err(e)) => Reply::from(e),
            (Ok(reply), Ok(())) => reply,
            (Err(e), Ok(())) => Reply::from(e),
        }
    };
    finish(reply, &headers, remaining)
}

fn token(shared: &Shared, method: &Method, tenant: &str, body: &[u8]) -> Response {
    if method != Method::POST {
        return plain(
            StatusCode::METHOD_NOT_ALLOWED,
            json!({"error": "invalid_request", "error_description": "AADSTS900561: The endpoint only accepts POST requests."}),
        );
    }
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    let result = {
        let state = lock(&shared.state);
        auth::issue(&state, shared.settings.strict_auth, tenant, &form, system_ms() / 1000)
    };
    match result {
        Ok(token) => {
            lock(&shared.stats).tokens_issued += 1;
            plain(StatusCode::OK, token)
        }
        Err(e) => plain(StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST), e.body),
    }
}

fn plain(status: StatusCode, body: Value) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json; charset=utf-8"));
    response.headers_mut().insert("cache-control", HeaderValue::from_static("no-store, no-cache"));
    response
}

/// The emulator's own endpoints: stats, out-of-band edits, directory changes.
/// A control request's JSON body and its required `id`.
pub(crate) fn request_with_id(body: &[u8]) -> Result<(Value, String), ArmError> {
    let request: Value = serde_json::from_slice(body)
        .map_err(|e| ArmError::bad_request("InvalidRequestContent", e.to_string()))?;
    let id = request["id"]
        .as_str()
        .ok_or_else(|| ArmError::bad_request("InvalidRequestContent", "`id` is required"))?
        .to_string();
    Ok((request, id))
}

/// RFC 7386 JSON merge patch.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(fields) => {
            if !target.is_object() {
                *target = json!({});
            }
            if let Value::Object(object) = target {
                for (key, value) in fields {
                    if value.is_null() {
                        object.remove(key);
                    } else {
                        merge_patch(object.entry(key.clone()).or_insert(Value::Null), value);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}

fn finish(reply: Reply, request: &HeaderMap, remaining: Option<(OpClass, u64)>) -> Response {
    let mut response = match &reply.body {
        Some(body) => {
            let mut response = Response::new(Body::from(body.to_string()));
            response.headers_mut().insert(
                "content-type",
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            response
        }
        None => Response::new(Body::empty()),
    };
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    let request_id = uuid::Uuid::new_v4().to_string();
    let correlation = request
        .get("x-ms-correlation-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let routing = format!("LOCAL:{}:{request_id}", system_ms());
    for (name, value) in [
        ("x-ms-request-id", request_id.clone()),
        ("x-ms-correlation-request-id", correlation),
        ("x-ms-routing-request-id", routing),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    if let Some((class, left)) = remaining {
        let name = format!("x-ms-ratelimit-remaining-subscription-{}", class.header_suffix());
        if let (Ok(name), Ok(value)) =
            (axum::http::HeaderName::try_from(name), HeaderValue::from_str(&left.to_string()))
        {
            headers.insert(name, value);
        }
    }
    for (name, value) in reply.headers {
        if let (Ok(name), Ok(value)) =
            (axum::http::HeaderName::try_from(name), HeaderValue::from_str(&value))
        {
            headers.insert(name, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%2"), "%2");
    }

    #[test]
    fn merge_patch_follows_rfc_7386() {
        let mut target = json!({"a": 1, "b": {"c": 2, "d": 3}});
        merge_patch(&mut target, &json!({"a": null, "b": {"c": 5}, "e": [1]}));
        assert_eq!(target, json!({"b": {"c": 5, "d": 3}, "e": [1]}));
    }
}
