//! The emulator's own control endpoints under `/_emulator` (reset, faults, clock, purge and
//! recover of soft-deleted workspaces, …): what tests use to arrange a scene, never part of
//! ARM's API.

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use crate::app::*;
use crate::error::{ArmError, ArmResult, Reply};

/// A response whose body fails at once: the client sees the connection drop mid-answer.
pub(crate) fn reset() -> Response {
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

pub(crate) fn control(shared: &Shared, method: &Method, rest: &[String], body: &[u8]) -> ArmResult {
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
            // A deployment's server-set fields follow what it now holds (an auto-upgrade's
            // version, a capacity the service changed): foundry/children.rs.
            if crate::foundry::children::is_deployment_key(&id.to_ascii_lowercase()) {
                crate::foundry::children::derive_deployment(resource);
            }
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
            // {"capabilityHostTimeouts": N}: the next N capability-host creations end Failed
            // with the service's provisioning timeout (foundry/children.rs).
            if let Some(count) = request["capabilityHostTimeouts"].as_u64() {
                lock(&shared.state).capability_host_timeouts =
                    u32::try_from(count).unwrap_or(u32::MAX);
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
            let text = |k: &str| request[k].as_str().map(str::to_string);
            state.principals.insert(
                id.to_ascii_lowercase(),
                crate::state::Principal {
                    id: id.to_string(),
                    principal_type,
                    visible_from_ms,
                    display_name: text("displayName"),
                    user_principal_name: text("userPrincipalName"),
                    app_id: text("appId"),
                },
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
