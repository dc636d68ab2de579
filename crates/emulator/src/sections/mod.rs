//! `Microsoft.MachineLearningServices/workspaces` (hubs and projects), their outbound rules and
//! connections, and the operation-status resource their long-running calls point at — one
//! module per manifest section, with the same names as in hubctl-spec and hubctl-plan:
//! [`hub`] (the workspace, its routes, PUT/PATCH/DELETE), [`identity`], [`network`] (managed
//! network and outbound rules), [`connections`], [`access`] (role assignments and
//! definitions), [`projects`]; [`operations`] is the long-running-operation machinery they share.
//!
//! Behaviour follows `ML/stable/2025-12-01/workspaceRP.json` and 2026-05-01 (copies and notes
//! in shared/arm-reference/): PUT, PATCH and DELETE answer 202 with a
//! `…/locations/{region}/workspaceOperationsStatus/{id}` Location and Retry-After; the Location
//! answers 202 while running, then what the synchronous call would have answered. The refusals
//! on a live hub are the service's (NOTES.md §5); where the service's exact code or message is
//! not public, the comment says the wording is ours.

use serde_json::Value;

use crate::error::ArmError;
use crate::state::State;

pub mod access;
pub(crate) mod connections;
pub(crate) mod hub;
pub(crate) mod identity;
pub(crate) mod network;
pub(crate) mod operations;
pub(crate) mod projects;

pub use hub::{list, route};
pub use operations::operation_status;

/// The provider namespace.
pub const PROVIDER: &str = "Microsoft.MachineLearningServices";
/// The workspace type.
pub const WORKSPACE_TYPE: &str = "Microsoft.MachineLearningServices/workspaces";
/// The stable api-versions the emulator answers (NOTES.md §1).
pub const API_VERSIONS: &[&str] = &[
    "2024-10-01",
    "2025-04-01",
    "2025-06-01",
    "2025-09-01",
    "2025-12-01",
    "2026-03-01",
    "2026-05-01",
];

const INTERNAL: &str = "_emulator";

pub(crate) fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// RFC 3339 time of `ms` since the epoch.
pub fn timestamp(ms: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

pub(crate) fn workspace_id(sub: &str, rg: &str, name: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/{WORKSPACE_TYPE}/{name}")
}

pub(crate) fn is_service_name(name: &str) -> bool {
    let b = name.as_bytes();
    (3..=33).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b[1..].iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
}

pub(crate) fn invalid_name(what: &str, name: &str) -> ArmError {
    ArmError::bad_request(
        "InvalidResourceName",
        format!(
            "Resource name '{name}' is invalid for a {what}. It must match the pattern '^[a-zA-Z0-9][a-zA-Z0-9_-]{{2,32}}$'."
        ),
    )
}

pub(crate) fn kind_of(workspace: &Value) -> String {
    workspace["kind"].as_str().unwrap_or("Default").to_string()
}

pub(crate) fn is_kind(workspace: &Value, kind: &str) -> bool {
    eq(&kind_of(workspace), kind)
}

pub(crate) fn isolation(properties: &Value) -> String {
    properties["managedNetwork"]["isolationMode"].as_str().unwrap_or("Disabled").to_string()
}

pub(crate) fn str_of<'a>(value: &'a Value, field: &str) -> Option<&'a str> {
    value.get(field).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// A refusal of a change to a live workspace; the wording is ours unless NOTES.md quotes it.
pub(crate) fn refuse<T>(message: &str) -> Result<T, ArmError> {
    Err(ArmError::bad_request("BadRequest", message.to_string()))
}

/// Whether a linked-resource property names the same resource in `old` and `new` properties
/// (ids compared as ARM compares them; both absent is the same).
pub(crate) fn same_link(old: &Value, new: &Value, field: &str) -> bool {
    match (str_of(old, field), str_of(new, field)) {
        (None, None) => true,
        (Some(a), Some(b)) => eq(a.trim_end_matches('/'), b.trim_end_matches('/')),
        _ => false,
    }
}

/// A linked resource that is not there. Wording ours: the ML RP's exact text for a missing
/// linked resource is not public.
pub(crate) fn missing(id: &str, what: &str) -> ArmError {
    ArmError::bad_request(
        "BadRequest",
        format!("The {what} '{id}' linked to the workspace was not found or is not accessible."),
    )
}

/// Whether `id` names a stored resource of `arm_type`.
pub(crate) fn exists_as(state: &State, id: &str, arm_type: &str) -> bool {
    let lower = id.to_ascii_lowercase();
    lower.contains(&format!("/providers/{}/", arm_type.to_ascii_lowercase()))
        && state.resources.contains_key(lower.trim_end_matches('/'))
}

/// Where a workspace is, as the request path names it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ws<'a> {
    pub sub: &'a str,
    pub rg: &'a str,
    pub name: &'a str,
}
