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
use crate::error::{ArmError, ArmResult, Reply};
use crate::state::State;
use crate::throttle::{Admission, Buckets, OpClass, ThrottleLimits};
use crate::{authz, resources, workspaces};

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
    buckets: Mutex<Buckets>,
    stats: Mutex<Stats>,
    rng: Mutex<StdRng>,
    /// Faults to inject on the next ARM requests, in order (`POST /_emulator/faults`).
    fault_queue: Mutex<std::collections::VecDeque<u8>>,
    /// How many of the next writes meet a foreign operation in flight (409).
    busy_next_writes: Mutex<u32>,
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
    fn persist(&self, state: &State) -> Result<(), ArmError> {
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

/// A response whose body fails at once: the client sees the connection drop mid-answer.
fn reset() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected connection reset",
        ))
    });
    let mut response = Response::new(Body::from_stream(stream));
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
    response
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
fn request_with_id(body: &[u8]) -> Result<(Value, String), ArmError> {
    let request: Value = serde_json::from_slice(body)
        .map_err(|e| ArmError::bad_request("InvalidRequestContent", e.to_string()))?;
    let id = request["id"]
        .as_str()
        .ok_or_else(|| ArmError::bad_request("InvalidRequestContent", "`id` is required"))?
        .to_string();
    Ok((request, id))
}

fn control(shared: &Shared, method: &Method, rest: &[String], body: &[u8]) -> ArmResult {
    match (method, rest.first().map(String::as_str)) {
        (&Method::GET, Some("stats")) => {
            Ok(Reply::ok(serde_json::to_value(shared.stats()).unwrap_or_default()))
        }
        // Out-of-band edit, as a person in the portal would make it: a JSON merge patch applied
        // to a stored resource with no rule checked. Body: {"id": "...", "patch": {...}}.
        (&Method::POST, Some("edit")) => {
            let (request, id) = request_with_id(body)?;
            let id = id.as_str();
            let mut state = lock(&shared.state);
            state.settle(shared.settings.clock.now_ms());
            let resource = state.resources.get_mut(&id.to_ascii_lowercase()).ok_or_else(|| {
                ArmError::new(
                    StatusCode::NOT_FOUND,
                    "ResourceNotFound",
                    format!("The Resource '{id}' was not found."),
                )
            })?;
            merge_patch(resource, &request["patch"]);
            let updated = resource.clone();
            shared.persist(&state)?;
            Ok(Reply::ok(updated))
        }
        // What the portal's "Recently deleted" view does for a soft-deleted workspace (ARM has
        // no API for it: Learn "Workspace soft deletion"). Body: {"id": "..."}.
        (&Method::POST, Some(action @ ("purge" | "recover"))) => {
            let (_, id) = request_with_id(body)?;
            let mut state = lock(&shared.state);
            state.settle(shared.settings.clock.now_ms());
            let key = id.to_ascii_lowercase();
            let mut kept = state.soft_deleted.remove(&key).ok_or_else(|| {
                ArmError::new(
                    StatusCode::NOT_FOUND,
                    "ResourceNotFound",
                    format!("No soft-deleted workspace '{id}'."),
                )
            })?;
            if action == "recover" {
                if let Some(object) = kept.as_object_mut() {
                    object.remove("deletedAtMs");
                }
                // Role assignments users added are not restored (Learn "Workspace soft
                // deletion"): they went with the delete, and stay gone.
                if let Some(properties) = kept.get_mut("properties").and_then(Value::as_object_mut)
                {
                    properties.insert("provisioningState".into(), json!("Succeeded"));
                }
                state.resources.insert(key, kept);
            }
            shared.persist(&state)?;
            Ok(Reply::empty(StatusCode::NO_CONTENT))
        }
        // Make the next N long-running operations end Failed. Body: {"failNextOperations": N}.
        (&Method::POST, Some("faults")) => {
            let request: Value = serde_json::from_slice(body)
                .map_err(|e| ArmError::bad_request("InvalidRequestContent", e.to_string()))?;
            if let Some(count) = request["failNextOperations"].as_u64() {
                lock(&shared.state).fail_next_operations = u32::try_from(count).unwrap_or(u32::MAX);
            }
            // {"busyNextWrites": N}: the next N writes meet a foreign operation in flight.
            if let Some(count) = request["busyNextWrites"].as_u64() {
                *lock(&shared.busy_next_writes) = u32::try_from(count).unwrap_or(u32::MAX);
            }
            // {"next": ["429", "500", "503", "reset"]}: faults for the next ARM requests, in order.
            if let Some(next) = request["next"].as_array() {
                let mut queue = lock(&shared.fault_queue);
                for fault in next {
                    let code = match fault.as_str() {
                        Some("429") => 0,
                        Some("500") => 1,
                        Some("503") => 2,
                        Some("reset") => 3,
                        Some("busy") => 5,
                        other => {
                            return Err(ArmError::bad_request(
                                "InvalidRequestContent",
                                format!(
                                    "unknown fault {other:?}; expected \"429\", \"500\", \"503\", \"reset\" or \"busy\""
                                ),
                            ));
                        }
                    };
                    queue.push_back(code);
                }
            }
            Ok(Reply::empty(StatusCode::NO_CONTENT))
        }
        // Add a principal to the directory; it becomes visible after the replication lag.
        (&Method::POST, Some("principals")) => {
            let request: Value = serde_json::from_slice(body)
                .map_err(|e| ArmError::bad_request("InvalidRequestContent", e.to_string()))?;
            let id = request["id"].as_str().ok_or_else(|| {
                ArmError::bad_request("InvalidRequestContent", "`id` is required")
            })?;
            let principal_type = request["type"].as_str().unwrap_or("User").to_string();
            let mut state = lock(&shared.state);
            let visible_from_ms =
                shared.settings.clock.now_ms() + shared.settings.replication_lag.as_millis() as u64;
            state.principals.insert(
                id.to_ascii_lowercase(),
                crate::state::Principal { id: id.to_string(), principal_type, visible_from_ms },
            );
            shared.persist(&state)?;
            Ok(Reply::empty(StatusCode::NO_CONTENT))
        }
        _ => Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            "Unknown emulator endpoint; see GET /_emulator/stats, POST /_emulator/edit, POST /_emulator/faults, POST /_emulator/principals.",
        )),
    }
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

fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// The subscription a path is in.
fn subscription_of(segments: &[String]) -> Option<String> {
    (segments.len() >= 2 && eq(&segments[0], "subscriptions"))
        .then(|| segments[1].to_ascii_lowercase())
}

/// A short name of the resource type a path addresses, for stats.
fn kind_of(segments: &[String]) -> String {
    if let Some(i) = segments.iter().position(|s| eq(s, "Microsoft.Authorization")) {
        return segments.get(i + 1).cloned().unwrap_or_else(|| "authorization".into());
    }
    if segments.iter().any(|s| eq(s, "workspaceOperationsStatus")) {
        return "operationStatus".into();
    }
    for child in ["outboundRules", "connections"] {
        if segments.iter().any(|s| eq(s, child)) {
            return child.into();
        }
    }
    if segments.iter().any(|s| eq(s, "workspaces")) {
        return "workspaces".into();
    }
    match segments.len() {
        0..=2 => "subscriptions".into(),
        3 | 4 => "resourceGroups".into(),
        _ => segments.get(6).cloned().unwrap_or_else(|| "resources".into()),
    }
}

/// Dispatch to the resource handlers.
fn route(state: &mut State, settings: &Settings, call: &Call) -> ArmResult {
    let s = &call.segments;
    // {scope}/providers/Microsoft.Authorization/{type}[/{name}]
    if let Some(i) =
        s.windows(2).position(|w| eq(&w[0], "providers") && eq(&w[1], "Microsoft.Authorization"))
    {
        check_version(call, "Microsoft.Authorization", &["2022-04-01"])?;
        let scope = format!("/{}", s[..i].join("/"));
        let scope = if scope == "/" { String::new() } else { scope };
        let rest = &s[i + 2..];
        return match rest {
            [t] if eq(t, "roleAssignments") => {
                authz::list_assignments(state, settings, call, &scope)
            }
            [t, name] if eq(t, "roleAssignments") => {
                authz::assignment(state, settings.strict_auth, call, &scope, name)
            }
            [t] if eq(t, "roleDefinitions") => {
                authz::list_definitions(state, settings, call, &scope)
            }
            [t, id] if eq(t, "roleDefinitions") => authz::definition(state, call, &scope, id),
            _ => Err(unknown_path(call)),
        };
    }
    if s.len() < 2 || !eq(&s[0], "subscriptions") {
        return Err(unknown_path(call));
    }
    // Under strict auth, writes need Owner or Contributor at or above what they change.
    if settings.strict_auth && call.method != Method::GET && call.method != Method::HEAD {
        let scope = format!("/{}", s.join("/"));
        if !authz::holds_role(state, &call.caller.oid, &scope, &crate::roles::WRITER_ROLES) {
            return Err(ArmError::new(
                StatusCode::FORBIDDEN,
                "AuthorizationFailed",
                format!(
                    "The client '{}' with object id '{}' does not have authorization to perform action '{} {}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
                    call.caller.appid,
                    call.caller.oid,
                    call.method,
                    kind_of(s)
                ),
            ));
        }
    }
    let sub = &s[1];
    if !state.subscriptions.contains_key(&sub.to_ascii_lowercase()) {
        return Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "SubscriptionNotFound",
            format!("The subscription '{sub}' could not be found."),
        ));
    }
    match &s[2..] {
        [rgs] if eq(rgs, "resourceGroups") => resources::list_groups(state, settings, call, sub),
        [rgs, rg] if eq(rgs, "resourceGroups") => resources::group(state, call, sub, rg),
        [p, ns, ws]
            if eq(p, "providers") && eq(ns, workspaces::PROVIDER) && eq(ws, "workspaces") =>
        {
            check_version(call, workspaces::PROVIDER, workspaces::API_VERSIONS)?;
            workspaces::list(state, settings, call, sub, None)
        }
        [p, ns, locations, _location, status, id]
            if eq(p, "providers")
                && eq(ns, workspaces::PROVIDER)
                && eq(locations, "locations")
                && eq(status, "workspaceOperationsStatus") =>
        {
            check_version(call, workspaces::PROVIDER, workspaces::API_VERSIONS)?;
            workspaces::operation_status(state, settings, call, id)
        }
        [p, ns, register] if eq(p, "providers") && eq(register, "register") => {
            resources::register(state, call, sub, ns)
        }
        [rgs, rg, p, ns, rest @ ..] if eq(rgs, "resourceGroups") && eq(p, "providers") => {
            if eq(ns, workspaces::PROVIDER) {
                check_version(call, workspaces::PROVIDER, workspaces::API_VERSIONS)?;
                return workspaces::route(state, settings, call, sub, rg, rest);
            }
            resources::dependent(state, call, sub, rg, ns, rest)
        }
        _ => Err(unknown_path(call)),
    }
}

/// ARM's answer to an api-version the provider does not have.
fn check_version(call: &Call, provider: &str, supported: &[&str]) -> Result<(), ArmError> {
    let version = call.api_version();
    if supported.contains(&version) {
        return Ok(());
    }
    let resource_type = call
        .segments
        .iter()
        .skip_while(|s| !eq(s, provider))
        .nth(1)
        .cloned()
        .unwrap_or_else(|| "workspaces".into());
    Err(ArmError::bad_request(
        "NoRegisteredProviderFound",
        format!(
            "No registered resource provider found for location 'global' and API version '{version}' for type '{resource_type}'. The supported api-versions are '{}'. The supported locations are 'eastus, eastus2, westus, westus2, westus3, centralus, northeurope, westeurope, uksouth, swedencentral, japaneast, australiaeast'.",
            supported.join(", ")
        ),
    ))
}

/// 404 for a path no resource type answers.
pub fn unknown_path(call: &Call) -> ArmError {
    ArmError::new(
        StatusCode::NOT_FOUND,
        "InvalidResourceType",
        format!(
            "The resource type could not be found for the request path '{}' and api version '{}'.",
            call.path,
            call.api_version()
        ),
    )
}

/// 405 for a method a resource does not take.
pub fn method_not_allowed(call: &Call) -> ArmError {
    ArmError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        format!("The requested resource does not support http method '{}'.", call.method),
    )
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

fn parse_query(query: &str) -> HashMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(&v.replace('+', " ")))
        })
        .collect()
}

/// Decode `%XX` escapes; invalid escapes stay as written.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encode a query component, keeping what ARM leaves readable in its links
/// (`$skip`, `$filter=atScope()`, quotes).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~$'()*,;:@!/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One page of `items` with a `nextLink` when more remain.
pub fn page(items: Vec<Value>, settings: &Settings, call: &Call, skip_param: &str) -> Value {
    let skip = call.skip().min(items.len());
    let size = settings.page_size.max(1);
    let end = (skip + size).min(items.len());
    let value: Vec<Value> = items[skip..end].to_vec();
    let mut body = json!({ "value": value });
    if end < items.len() {
        let mut query: Vec<(String, String)> = call
            .query
            .iter()
            .filter(|(k, _)| *k != "$skip" && *k != "$skipToken")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        query.sort();
        query.push((skip_param.to_string(), end.to_string()));
        let encoded: Vec<String> =
            query.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
        let encoded = encoded.join("&");
        body["nextLink"] = Value::String(format!("{}{}?{}", call.base, call.path, encoded));
    }
    body
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
