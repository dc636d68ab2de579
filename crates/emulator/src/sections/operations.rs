//! Long-running operations: a write answered 202 with a `workspaceOperationsStatus` Location
//! and Retry-After; the Location answers 202 while running, then what the synchronous call
//! would have answered; a second write while one runs is refused as the service refuses it.

use axum::http::{Method, StatusCode};
use serde_json::Value;

use super::hub::view;
use super::*;
use crate::app::{Call, Settings, method_not_allowed};
use crate::error::{ArmError, ArmResult, Reply};
use crate::state::{Operation, OperationKind, State};

pub(crate) fn busy(state: &State, key: &str, name: &str) -> Result<(), ArmError> {
    if state.running_operation(key).is_some() {
        // The ML RP's own code for this is not public; ARM's generic one (NOTES.md §10.3).
        return Err(ArmError::conflict(
            "AnotherOperationInProgress",
            format!(
                "Conflict of operation, another operation on same entity is already running in workspace {name}. Wait for concurrent operation to complete."
            ),
        ));
    }
    Ok(())
}

pub(crate) fn provider_registered(state: &State, sub: &str) -> Result<(), ArmError> {
    let unregistered = state
        .subscriptions
        .get(&sub.to_ascii_lowercase())
        .is_some_and(|s| s.unregistered_providers.iter().any(|p| eq(p, PROVIDER)));
    if unregistered {
        return Err(ArmError::conflict(
            "MissingSubscriptionRegistration",
            format!(
                "The subscription is not registered to use namespace '{PROVIDER}'. See https://aka.ms/rps-not-found for how to register subscriptions."
            ),
        ));
    }
    Ok(())
}

/// A long-running operation about to start.
pub(crate) struct Start<'a> {
    /// The resource's lower-case key.
    pub(crate) key: &'a str,
    /// What completion does.
    pub(crate) kind: OperationKind,
    /// The resource's region (it is in the Location URL).
    pub(crate) location: &'a str,
    /// A refusal the service reports through the operation.
    pub(crate) failure: Option<(u16, String, String)>,
    /// The resource before the change, restored if the operation fails.
    pub(crate) previous: Option<Value>,
}

/// Start a long-running operation and answer 202 with its Location.
pub(crate) fn accept(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    start: Start<'_>,
) -> Reply {
    let Start { key, kind, location, failure, previous } = start;
    let id = uuid::Uuid::new_v4().to_string();
    let done_at_ms = call.now + settings.lro.as_millis() as u64;
    let forced = failure.is_none() && state.fail_next_operations > 0;
    if forced {
        state.fail_next_operations -= 1;
    }
    let failure = failure.or_else(|| {
        (call.fail_operation || forced).then(|| {
            (
                500,
                "InternalServerError".to_string(),
                "Injected fault: the operation failed.".to_string(),
            )
        })
    });
    state.operations.insert(
        id.clone(),
        Operation {
            id: id.clone(),
            resource_key: key.to_string(),
            kind,
            done_at_ms,
            settled: false,
            failure,
            previous,
            lost: false,
        },
    );
    let sub = call.segments.get(1).cloned().unwrap_or_default();
    let location = location.replace(' ', "").to_ascii_lowercase();
    let url = format!(
        "{}/subscriptions/{sub}/providers/{PROVIDER}/locations/{location}/workspaceOperationsStatus/{id}?api-version={}",
        call.base,
        call.api_version()
    );
    Reply::empty(StatusCode::ACCEPTED)
        .header("Location", url)
        .header("Retry-After", retry_after(settings))
}

pub(crate) fn retry_after(settings: &Settings) -> String {
    (settings.lro.as_millis() / 1000).to_string()
}

/// `GET …/locations/{region}/workspaceOperationsStatus/{id}`.
pub fn operation_status(state: &State, settings: &Settings, call: &Call, id: &str) -> ArmResult {
    if call.method != Method::GET {
        return Err(method_not_allowed(call));
    }
    let Some(op) = state.operations.values().find(|op| eq(&op.id, id)) else {
        return Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("The operation '{id}' was not found."),
        ));
    };
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
    match op.kind {
        OperationKind::WorkspacePut { .. } | OperationKind::WorkspacePatch => {
            Ok(view(state, &op.resource_key)
                .map(Reply::ok)
                .unwrap_or_else(|| Reply::empty(StatusCode::OK)))
        }
        OperationKind::RulePut => match state.resources.get(&op.resource_key) {
            Some(rule) => Ok(Reply::ok(rule.clone())),
            None => Ok(Reply::empty(StatusCode::OK)),
        },
        OperationKind::WorkspaceDelete
        | OperationKind::WorkspacePurge
        | OperationKind::RuleDelete => Ok(Reply::empty(StatusCode::OK)),
        // Not a workspace's: its status is served under Microsoft.CognitiveServices.
        OperationKind::Foundry(_) => Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("The operation '{id}' was not found."),
        )),
    }
}
