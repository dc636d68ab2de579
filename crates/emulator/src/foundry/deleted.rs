//! Soft delete, restore and purge of accounts (NOTES §6, Learn "Recover or purge deleted Azure
//! AI services resources").
//!
//! A deleted account is kept with everything under it for 48 hours, its name and subdomain
//! taken: a create of the same name is refused with `FlagMustBeSetForRestore` unless it sets
//! `properties.restore: true`, which brings the account back as it was. Purge
//! (`DELETE ~sub/locations/{loc}/resourceGroups/{rg}/deletedAccounts/{name}`) frees both; so
//! does the end of the retention. A deleted account's id is that path while its `type` stays
//! `Microsoft.CognitiveServices/accounts` (EX/2025-09-01/GetDeletedAccount.json).

use axum::http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::operations::{FoundryOp, Start, request_conflict, runs, start};
use super::*;
use crate::app::{method_not_allowed, page};
use crate::error::Reply;
use crate::sections::timestamp;

/// How long a deleted account is kept: 48 hours (NOTES §6).
pub const RETENTION_MS: u64 = 48 * 60 * 60 * 1000;

/// A deleted account as the deletedAccounts API answers it.
fn view(account: &Value, deleted_at_ms: u64, sub: &str) -> Value {
    let mut view = account.clone();
    let id = account["id"].as_str().unwrap_or_default();
    let parts: Vec<&str> = id.split('/').filter(|s| !s.is_empty()).collect();
    let rg = parts.get(3).copied().unwrap_or_default();
    let name = account["name"].as_str().unwrap_or_default();
    let location = region(account["location"].as_str().unwrap_or_default());
    view["id"] = json!(format!(
        "/subscriptions/{sub}/providers/{PROVIDER}/locations/{location}/resourceGroups/{rg}/deletedAccounts/{name}"
    ));
    view["properties"]["deletionDate"] = json!(timestamp(deleted_at_ms));
    view["properties"]["scheduledPurgeDate"] =
        json!(timestamp(deleted_at_ms.saturating_add(RETENTION_MS)));
    view
}

/// `GET ~sub/deletedAccounts`: one list per subscription.
pub(crate) fn list(state: &State, settings: &Settings, call: &Call, sub: &str) -> ArmResult {
    if call.method != Method::GET {
        return Err(method_not_allowed(call));
    }
    let prefix = format!("/subscriptions/{}/", sub.to_ascii_lowercase());
    let items: Vec<Value> = state
        .deleted_accounts
        .iter()
        .filter(|(k, _)| k.starts_with(&prefix))
        .filter_map(|(k, d)| d.resources.get(k).map(|a| view(a, d.deleted_at_ms, sub)))
        .collect();
    Ok(Reply::ok(page(items, settings, call, "$skipToken")))
}

/// `GET|DELETE ~sub/locations/{loc}/resourceGroups/{rg}/deletedAccounts/{name}`.
pub(crate) fn route(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    at: At<'_>,
    location: &str,
) -> ArmResult {
    let key = at.key();
    // The location must be the account's (ansible-collections/azure PR #2287 review); another
    // one finds nothing. Wording ours.
    let not_found = || {
        ArmError::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!(
                "The deleted account '{}' in resource group '{}' and location '{location}' was not found.",
                at.account, at.rg
            ),
        )
    };
    let found = state
        .deleted_accounts
        .get(&key)
        .and_then(|d| d.resources.get(&key).map(|a| (a.clone(), d.deleted_at_ms)))
        .filter(|(a, _)| region(a["location"].as_str().unwrap_or_default()) == region(location));
    match call.method {
        Method::GET => {
            found.map(|(a, at_ms)| Reply::ok(view(&a, at_ms, at.sub))).ok_or_else(not_found)
        }
        Method::DELETE => {
            provider_registered(state, at.sub)?;
            // A purge while the delete still runs (inferred: refused, NOTES §6) or while
            // another purge runs. Wording as the service's RequestConflict.
            if super::account::deleting(state, &key) || runs(state, &key, &FoundryOp::Purge) {
                return Err(request_conflict(&at.id()));
            }
            let Some((account, _)) = found else {
                return match state.deleted_accounts.contains_key(&key) {
                    true => Err(not_found()),
                    false => Ok(Reply::empty(StatusCode::NO_CONTENT)),
                };
            };
            let location = account["location"].as_str().unwrap_or_default().to_string();
            let started = start(
                state,
                settings,
                call,
                Start { key: &key, kind: FoundryOp::Purge, location: &location, previous: None },
            );
            Ok(started.async_headers(Reply::empty(StatusCode::ACCEPTED)))
        }
        _ => Err(method_not_allowed(call)),
    }
}

/// A PUT of a name a soft-deleted account holds: `FlagMustBeSetForRestore` (Azure/azure-cli
/// #18146) unless `restore` is true; then the account and its subtree come back as they were,
/// long-running as a create. The request's other fields are ignored (inferred, the stricter
/// reading: a client writes its changes afterwards).
pub(crate) fn restore(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    at: At<'_>,
    request: &Map<String, Value>,
    restore: bool,
) -> ArmResult {
    let key = at.key();
    if !restore {
        return Err(ArmError::conflict(
            "FlagMustBeSetForRestore",
            format!(
                "An existing resource with ID '{}' has been soft-deleted. To restore the resource, you must specify 'restore' to be 'true' in the property. If you don't want to restore existing resource, please purge it first.",
                at.id()
            ),
        ));
    }
    if runs(state, &key, &FoundryOp::Purge) {
        return Err(request_conflict(&at.id()));
    }
    let Some(deleted) = state.deleted_accounts.get(&key) else {
        return Err(bad("There is no soft-deleted account to restore."));
    };
    let Some(account) = deleted.resources.get(&key) else {
        return Err(bad("There is no soft-deleted account to restore."));
    };
    // The deleted account's region must be the one asked for (inferred; wording ours).
    let asked = request.get("location").and_then(Value::as_str).unwrap_or_default();
    let had = account["location"].as_str().unwrap_or_default().to_string();
    if region(asked) != region(&had) {
        return Err(bad(format!(
            "The soft-deleted account '{}' is in '{had}'; it can only be restored there.",
            at.account
        )));
    }
    let Some(deleted) = state.deleted_accounts.remove(&key) else {
        return Err(bad("There is no soft-deleted account to restore."));
    };
    for (k, v) in deleted.resources {
        state.resources.insert(k, v);
    }
    let mut body = Value::Null;
    if let Some(account) = state.resources.get_mut(&key) {
        account["properties"]["provisioningState"] = json!("Accepted");
        body = account.clone();
    }
    let started = start(
        state,
        settings,
        call,
        Start { key: &key, kind: FoundryOp::Put { created: true }, location: &had, previous: None },
    );
    Ok(started.async_headers(Reply::with_status(StatusCode::CREATED, body)))
}
