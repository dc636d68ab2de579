//! Long-running operations of `Microsoft.CognitiveServices`, as ARM's RPC has them
//! (Azure/azure-resource-manager-rpc `v1.0/async-api-reference.md`): a write answers at once
//! with the resource in a non-terminal `provisioningState` (or 202 without a body) and an
//! `Azure-AsyncOperation` URL, `…/locations/{loc}/operationStatuses/{id}`, that answers 200
//! with `{"id", "name", "status": "InProgress" | "Succeeded" | "Failed", "startTime",
//! "endTime"?, "error"?}` and `Retry-After` while running. The operations the description
//! polls by `Location` (deployment PATCH, RAI deletes, capability-host delete) get
//! `…/locations/{loc}/operationResults/{id}`, which answers 202 while running, then 200 with
//! the resource (or 204 after a delete), or the failure's error.
//!
//! Two writes on one account at once are refused with the service's 409 `RequestConflict`
//! (NOTES §4). Operations complete lazily, when a request settles them (state.rs).

use axum::http::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::*;
use crate::app::method_not_allowed;
use crate::error::Reply;
use crate::sections::timestamp;
use crate::state::{DeletedAccount, Operation, OperationKind};

/// What a Cognitive Services operation does when it completes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FoundryOp {
    /// A PUT (created: it did not exist, or a restore brought it back).
    Put {
        /// Whether the PUT created it.
        created: bool,
    },
    /// A PATCH.
    Patch,
    /// An account DELETE: soft, the account and its subtree are kept (deleted.rs).
    AccountDelete,
    /// A purge of a soft-deleted account: gone, its name and subdomain free.
    Purge,
    /// A child's DELETE: gone with what is under it.
    ChildDelete,
}

/// A long-running operation about to start.
pub(crate) struct Start<'a> {
    /// The resource's lower-case key.
    pub(crate) key: &'a str,
    /// What completion does.
    pub(crate) kind: FoundryOp,
    /// The region in the status URL.
    pub(crate) location: &'a str,
    /// The resource before the change, restored if the operation fails.
    pub(crate) previous: Option<Value>,
}

/// A started operation's polling URLs.
pub(crate) struct Started {
    /// The operation's id.
    pub(crate) id: String,
    /// `…/operationStatuses/{id}` (the `Azure-AsyncOperation` header).
    pub(crate) status_url: String,
    /// `…/operationResults/{id}` (the `Location` header).
    pub(crate) result_url: String,
    /// Seconds to wait before polling.
    pub(crate) retry_after: String,
}

impl Started {
    /// Add `Azure-AsyncOperation` and `Retry-After`.
    pub(crate) fn async_headers(&self, reply: Reply) -> Reply {
        reply
            .header("Azure-AsyncOperation", self.status_url.clone())
            .header("Retry-After", self.retry_after.clone())
    }
    /// Add `Location` and `Retry-After`.
    pub(crate) fn location_headers(&self, reply: Reply) -> Reply {
        reply
            .header("Location", self.result_url.clone())
            .header("Retry-After", self.retry_after.clone())
    }
}

/// Start an operation (an injected fault may make it end Failed, as for workspaces).
pub(crate) fn start(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    start: Start<'_>,
) -> Started {
    let Start { key, kind, location, previous } = start;
    let id = uuid::Uuid::new_v4().to_string();
    let forced = state.fail_next_operations > 0;
    if forced {
        state.fail_next_operations -= 1;
    }
    let failure = (call.fail_operation || forced).then(|| {
        (
            500,
            "InternalServerError".to_string(),
            "Injected fault: the operation failed.".to_string(),
        )
    });
    state.operations.insert(
        id.clone(),
        Operation {
            id: id.clone(),
            resource_key: key.to_string(),
            kind: OperationKind::Foundry(kind),
            done_at_ms: call.now + duration(settings, key),
            settled: false,
            failure,
            previous,
            lost: false,
        },
    );
    let sub = call.segments.get(1).cloned().unwrap_or_default();
    let url = |what: &str| {
        format!(
            "{}/subscriptions/{sub}/providers/{PROVIDER}/locations/{}/{what}/{id}?api-version={}",
            call.base,
            region(location),
            call.api_version()
        )
    };
    let (status_url, result_url) = (url("operationStatuses"), url("operationResults"));
    Started { id, status_url, result_url, retry_after: retry_after(settings) }
}

/// How long an operation on `key` runs: a capability host's create and delete take
/// `Options::capability_host_lro` (many minutes on the service, NOTES §5), the others `lro`.
pub(crate) fn duration(settings: &Settings, key: &str) -> u64 {
    let host = key.contains("/capabilityhosts/");
    (if host { settings.capability_host_lro } else { settings.lro }).as_millis() as u64
}

fn retry_after(settings: &Settings) -> String {
    (settings.lro.as_millis().div_ceil(1000)).max(1).to_string()
}

fn running(state: &State) -> impl Iterator<Item = &Operation> {
    state
        .operations
        .values()
        .filter(|op| !op.settled && matches!(op.kind, OperationKind::Foundry(_)))
}

/// The service's refusal of a write while another runs on the account (NOTES §4: Terraform
/// azurerm #22607, #22939; Azure/azure-dev #9398).
pub(crate) fn request_conflict(parent_id: &str) -> ArmError {
    ArmError::conflict(
        "RequestConflict",
        format!(
            "Another operation is being performed on the parent resource '{parent_id}'. Please try again later."
        ),
    )
}

/// An account write: refused while any operation runs on the account or below it.
pub(crate) fn account_idle(state: &State, at: At<'_>) -> Result<(), ArmError> {
    let key = at.key();
    let below = format!("{key}/");
    if running(state).any(|op| op.resource_key == key || op.resource_key.starts_with(&below)) {
        return Err(request_conflict(&at.id()));
    }
    Ok(())
}

/// A child write: refused while any operation runs on the account or anything under it —
/// the account's own, a deployment's, a project's, a host's. NOTES §4 quotes the service
/// refusing a second deployment, or a deployment while the account updates, with "Another
/// operation is being performed on the parent resource"; whether two operations on other
/// children may overlap is not public, so the stricter reading (inferred, docs/emulator.md).
pub(crate) fn child_idle(state: &State, at: At<'_>) -> Result<(), ArmError> {
    let key = at.key();
    let below = format!("{key}/");
    if running(state).any(|op| op.resource_key == key || op.resource_key.starts_with(&below)) {
        return Err(request_conflict(&at.id()));
    }
    Ok(())
}

/// Whether an operation of `kind` runs on `key`.
pub(crate) fn runs(state: &State, key: &str, kind: &FoundryOp) -> bool {
    running(state)
        .any(|op| op.resource_key == key && op.kind == OperationKind::Foundry(kind.clone()))
}

fn find<'a>(state: &'a State, call: &Call, sub: &str, id: &str) -> Result<&'a Operation, ArmError> {
    if call.method != Method::GET {
        return Err(method_not_allowed(call));
    }
    let prefix = format!("/subscriptions/{}/", sub.to_ascii_lowercase());
    state
        .operations
        .values()
        .find(|op| {
            eq(&op.id, id)
                && matches!(op.kind, OperationKind::Foundry(_))
                && op.resource_key.starts_with(&prefix)
        })
        .ok_or_else(|| {
            // Wording ours.
            ArmError::new(
                StatusCode::NOT_FOUND,
                "NotFound",
                format!("The operation '{id}' was not found."),
            )
        })
}

/// `GET …/locations/{loc}/operationStatuses/{id}`: always 200 with the status resource.
pub(crate) fn status(
    state: &State,
    settings: &Settings,
    call: &Call,
    sub: &str,
    id: &str,
) -> ArmResult {
    let op = find(state, call, sub, id)?;
    let started = op.done_at_ms.saturating_sub(duration(settings, &op.resource_key));
    let mut body = json!({
        "id": call.path,
        "name": op.id,
        "status": "InProgress",
        "startTime": timestamp(started),
    });
    if !op.settled {
        return Ok(Reply::ok(body).header("Retry-After", retry_after(settings)));
    }
    body["endTime"] = json!(timestamp(op.done_at_ms));
    match &op.failure {
        Some((_, code, message)) => {
            body["status"] = json!("Failed");
            body["error"] = json!({ "code": code, "message": message });
        }
        None => body["status"] = json!("Succeeded"),
    }
    Ok(Reply::ok(body))
}

/// `GET …/locations/{loc}/operationResults/{id}`: 202 while running, then the outcome.
pub(crate) fn result(
    state: &State,
    settings: &Settings,
    call: &Call,
    sub: &str,
    id: &str,
) -> ArmResult {
    let op = find(state, call, sub, id)?;
    if !op.settled {
        let url = format!("{}{}?api-version={}", call.base, call.path, call.api_version());
        return Ok(Reply::empty(StatusCode::ACCEPTED)
            .header("Location", url)
            .header("Retry-After", retry_after(settings)));
    }
    if let Some((status, code, message)) = &op.failure {
        let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return Err(ArmError::new(status, code, message.clone()));
    }
    match &op.kind {
        OperationKind::Foundry(FoundryOp::Put { .. } | FoundryOp::Patch) => {
            Ok(match state.resources.get(&op.resource_key) {
                Some(resource) => Reply::ok(super::connections::without_secrets(resource)),
                None => Reply::empty(StatusCode::OK),
            })
        }
        _ => Ok(Reply::empty(StatusCode::NO_CONTENT)),
    }
}

fn set_state(resource: Option<&mut Value>, to: &str) {
    if let Some(resource) = resource
        && resource.is_object()
    {
        if !resource["properties"].is_object() {
            resource["properties"] = json!({});
        }
        resource["properties"]["provisioningState"] = json!(to);
    }
}

/// Apply a completed operation (called by [`State::settle`]).
pub fn settle(state: &mut State, kind: FoundryOp, op: &Operation) {
    let key = op.resource_key.as_str();
    match (kind, &op.failure) {
        (FoundryOp::Put { created: true }, Some(_)) => {
            set_state(state.resources.get_mut(key), "Failed")
        }
        (FoundryOp::Put { created: false } | FoundryOp::Patch, Some(_)) => {
            if let Some(previous) = op.previous.clone() {
                state.resources.insert(key.to_string(), previous);
            }
        }
        (FoundryOp::Put { .. } | FoundryOp::Patch, None) => {
            set_state(state.resources.get_mut(key), "Succeeded")
        }
        (FoundryOp::AccountDelete | FoundryOp::ChildDelete, Some(_)) => {
            set_state(state.resources.get_mut(key), "Succeeded")
        }
        (FoundryOp::AccountDelete, None) => {
            let below = format!("{key}/");
            let keys: Vec<String> = state
                .resources
                .keys()
                .filter(|k| *k == key || k.starts_with(&below))
                .cloned()
                .collect();
            let mut kept = std::collections::BTreeMap::new();
            for k in keys {
                if let Some(mut resource) = state.resources.remove(&k) {
                    if k == key {
                        set_state(Some(&mut resource), "Succeeded");
                    }
                    kept.insert(k, resource);
                }
            }
            if !kept.is_empty() {
                state.deleted_accounts.insert(
                    key.to_string(),
                    DeletedAccount { deleted_at_ms: op.done_at_ms, resources: kept },
                );
            }
        }
        (FoundryOp::Purge, None) => {
            state.deleted_accounts.remove(key);
        }
        (FoundryOp::Purge, Some(_)) => {}
        (FoundryOp::ChildDelete, None) => state.remove_tree(key),
    }
}

/// Purge soft-deleted accounts whose retention has passed; whether any was.
pub fn purge_expired(state: &mut State, now: u64) -> bool {
    let before = state.deleted_accounts.len();
    state
        .deleted_accounts
        .retain(|_, d| d.deleted_at_ms.saturating_add(deleted::RETENTION_MS) > now);
    before != state.deleted_accounts.len()
}
