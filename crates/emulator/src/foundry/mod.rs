//! `Microsoft.CognitiveServices`: Foundry accounts (`accounts`, kind `AIServices`, and every
//! other kind) and everything under them — projects, account and project connections,
//! deployments, content filters (RAI policies and blocklists), capability hosts, private
//! endpoint connections — plus soft-deleted accounts, their purge, and the read-only
//! subscription and account lists (skus, usages, models, capacities, domain check).
//!
//! Behaviour follows the 2025-06-01 API description
//! (`specification/cognitiveservices/resource-manager/Microsoft.CognitiveServices/stable/2025-06-01/cognitiveservices.json`
//! in Azure/azure-rest-api-specs, copied to shared/arm-reference/) and the facts gathered in
//! shared/arm-reference/NOTES-foundry.md (cited below as NOTES §n). Where the service's
//! behaviour is not public the stricter reading is taken and docs/emulator.md lists it as
//! "inferred"; where an error's wording is not public, the comment says the wording is ours.
//!
//! Modules: [`account`] (the account: PUT/PATCH/DELETE/GET/lists, its refusals), [`deleted`]
//! (soft delete, restore, purge), [`operations`] (the `Azure-AsyncOperation` and `Location`
//! machinery they share), [`projects`], [`connections`], [`children`] (deployments, RAI,
//! capability hosts, private endpoint connections, keys) and [`catalog`] (read-only lists).

use axum::http::Method;
use serde_json::Value;

use crate::app::{Call, Settings};
use crate::error::{ArmError, ArmResult};
use crate::routes::unknown_path;
use crate::state::State;

pub(crate) mod account;
pub(crate) mod catalog;
pub(crate) mod children;
pub(crate) mod connections;
pub(crate) mod deleted;
pub(crate) mod operations;
pub(crate) mod projects;
pub(crate) mod quota;

pub use operations::{FoundryOp, purge_expired, settle};

/// The provider namespace.
pub const PROVIDER: &str = "Microsoft.CognitiveServices";
/// The account type.
pub const ACCOUNT_TYPE: &str = "Microsoft.CognitiveServices/accounts";
/// The api-versions served: 2024-10-01 (the purge example's) and the stable versions from
/// 2025-06-01 on (NOTES §1). Others get `NoRegisteredProviderFound`, as the ML routes do.
pub const API_VERSIONS: &[&str] =
    &["2024-10-01", "2025-06-01", "2025-09-01", "2025-12-01", "2026-03-01", "2026-05-01"];

pub(crate) fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// A region as ARM compares it: `West US` and `westus` are one.
pub(crate) fn region(location: &str) -> String {
    location.replace(' ', "").to_ascii_lowercase()
}

/// Where an account is, as the request path names it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct At<'a> {
    pub sub: &'a str,
    pub rg: &'a str,
    pub account: &'a str,
}

impl At<'_> {
    /// The account's ARM id, in the case the path used.
    pub(crate) fn id(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/{ACCOUNT_TYPE}/{}",
            self.sub, self.rg, self.account
        )
    }
    /// The account's key in the state.
    pub(crate) fn key(&self) -> String {
        self.id().to_ascii_lowercase()
    }
}

/// A name the API description's pattern `^[a-zA-Z0-9][a-zA-Z0-9_.-]*$` allows, 2 to 64
/// characters (accountNameParameter, projectNameParameter).
pub(crate) fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    (2..=64).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b[1..].iter().all(|c| c.is_ascii_alphanumeric() || b"_.-".contains(c))
}

/// 400 for a name outside the pattern. Wording ours.
pub(crate) fn invalid_name(what: &str, name: &str) -> ArmError {
    ArmError::bad_request(
        "InvalidResourceName",
        format!(
            "The {what} name '{name}' is invalid. It must match '^[a-zA-Z0-9][a-zA-Z0-9_.-]*$' and be 2 to 64 characters long."
        ),
    )
}

/// A 400 whose wording is ours (the service's own code and message are not public).
pub(crate) fn bad(message: impl Into<String>) -> ArmError {
    ArmError::bad_request("BadRequest", message)
}

/// Writes to an unregistered provider are refused as the ML routes refuse them.
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

pub(crate) fn is_write(call: &Call) -> bool {
    !matches!(call.method, Method::GET | Method::HEAD)
}

/// `str` field of a JSON value, when present and not empty.
pub(crate) fn str_of<'a>(value: &'a Value, field: &str) -> Option<&'a str> {
    value.get(field).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// Dispatch `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.CognitiveServices/{rest}`.
pub fn route_group(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    sub: &str,
    rg: &str,
    rest: &[String],
) -> ArmResult {
    if is_write(call) {
        provider_registered(state, sub)?;
    }
    match rest {
        [accounts] if eq(accounts, "accounts") => {
            account::list_group(state, settings, call, sub, rg)
        }
        [accounts, name] if eq(accounts, "accounts") => {
            account::route(state, settings, call, At { sub, rg, account: name })
        }
        [accounts, name, tail @ ..] if eq(accounts, "accounts") => {
            let at = At { sub, rg, account: name };
            match tail {
                [t] if eq(t, "projects") => projects::list(state, settings, call, at),
                [t, p] if eq(t, "projects") => projects::route(state, settings, call, at, p),
                [t] if eq(t, "connections") => connections::list(state, settings, call, at, None),
                [t, c] if eq(t, "connections") => connections::route(state, call, at, None, c),
                [t, p, c] if eq(t, "projects") && eq(c, "connections") => {
                    connections::list(state, settings, call, at, Some(p))
                }
                [t, p, c, n] if eq(t, "projects") && eq(c, "connections") => {
                    connections::route(state, call, at, Some(p), n)
                }
                [t, p, c, n] if eq(t, "projects") && eq(c, "capabilityHosts") => {
                    children::capability_host(state, settings, call, at, Some(p), n)
                }
                [t, n] if eq(t, "capabilityHosts") => {
                    children::capability_host(state, settings, call, at, None, n)
                }
                _ => children::route(state, settings, call, at, tail),
            }
        }
        _ => Err(unknown_path(call)),
    }
}

/// Dispatch `/subscriptions/{sub}/providers/Microsoft.CognitiveServices/{rest}`.
pub fn route_subscription(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    sub: &str,
    rest: &[String],
) -> ArmResult {
    match rest {
        [t] if eq(t, "accounts") => account::list_subscription(state, settings, call, sub),
        [t] if eq(t, "deletedAccounts") => deleted::list(state, settings, call, sub),
        [l, loc, r, rg, d, name]
            if eq(l, "locations") && eq(r, "resourceGroups") && eq(d, "deletedAccounts") =>
        {
            deleted::route(state, settings, call, At { sub, rg, account: name }, loc)
        }
        [l, _loc, s, id] if eq(l, "locations") && eq(s, "operationStatuses") => {
            operations::status(state, settings, call, sub, id)
        }
        [l, _loc, s, id] if eq(l, "locations") && eq(s, "operationResults") => {
            operations::result(state, settings, call, sub, id)
        }
        _ => catalog::route(state, settings, call, sub, rest),
    }
}
