//! Routing by hand over the path's segments, not by a router table: ARM paths nest scopes
//! (`{scope}/providers/Microsoft.Authorization/roleAssignments/{name}` at any depth) and every
//! unknown path or method must still get ARM's error shape. Also the api-version check, the
//! query string, and list pages with their nextLink.

use std::collections::HashMap;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::app::*;
use crate::error::{ArmError, ArmResult};
use crate::foundry;
use crate::resources;
use crate::sections::{self};
use crate::state::State;

pub(crate) fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// The subscription a path is in.
pub(crate) fn subscription_of(segments: &[String]) -> Option<String> {
    (segments.len() >= 2 && eq(&segments[0], "subscriptions"))
        .then(|| segments[1].to_ascii_lowercase())
}

/// A short name of the resource type a path addresses, for stats.
pub(crate) fn kind_of(segments: &[String]) -> String {
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

/// The ARM action a request needs: the provider and resource types of the path (names left
/// out), then `read` (GET), `write` (PUT, PATCH), `delete`, or for a POST its last segment and `action`
/// (`Microsoft.MachineLearningServices/workspaces/outboundRules/write`).
pub(crate) fn action_of(method: &Method, segments: &[String]) -> String {
    let verb = match *method {
        Method::GET | Method::HEAD => "read",
        Method::DELETE => "delete",
        Method::POST => "action",
        _ => "write",
    };
    let mut parts: Vec<&str> = Vec::new();
    match segments.iter().rposition(|x| eq(x, "providers")) {
        Some(i) if i + 1 < segments.len() => {
            parts.push(&segments[i + 1]);
            // type, name, type, name, …: the types; a POST's trailing action name too.
            let rest = &segments[i + 2..];
            for (k, seg) in rest.iter().enumerate() {
                if k % 2 == 0 || (*method == Method::POST && k == rest.len() - 1) {
                    parts.push(seg);
                }
            }
        }
        _ => {
            parts.push("Microsoft.Resources/subscriptions");
            if segments.len() > 2 {
                parts.push(&segments[2]);
            }
        }
    }
    format!("{}/{verb}", parts.join("/"))
}

/// Dispatch to the resource handlers.
pub(crate) fn route(state: &mut State, settings: &Settings, call: &Call) -> ArmResult {
    let s = &call.segments;
    // {scope}/providers/Microsoft.Authorization/{type}[/{name}]
    if let Some(i) =
        s.windows(2).position(|w| eq(&w[0], "providers") && eq(&w[1], "Microsoft.Authorization"))
    {
        check_version(call, "Microsoft.Authorization", &["2022-04-01"])?;
        let scope = format!("/{}", s[..i].join("/"));
        let scope = if scope == "/" { String::new() } else { scope };
        let rest = &s[i + 2..];
        // Reading assignments or definitions needs `…/read` there under strict auth (a
        // caller's own permissions never do).
        if settings.strict_auth
            && call.method == Method::GET
            && rest.first().is_some_and(|t| !eq(t, "permissions"))
        {
            let action = format!("Microsoft.Authorization/{}/read", rest[0]);
            let at = if scope.is_empty() { "/".to_string() } else { scope.clone() };
            if !sections::access::authorized(state, &call.caller.oid, &at, &action) {
                return Err(sections::access::authorization_failed(call, &action, &at));
            }
        }
        return match rest {
            [t] if eq(t, "roleAssignments") => {
                sections::access::list_assignments(state, settings, call, &scope)
            }
            [t, name] if eq(t, "roleAssignments") => {
                sections::access::assignment(state, settings.strict_auth, call, &scope, name)
            }
            [t] if eq(t, "denyAssignments") => {
                sections::access::list_deny_assignments(state, settings, call, &scope)
            }
            [t] if eq(t, "permissions") => {
                sections::access::list_permissions(state, settings, call, &scope)
            }
            [t] if eq(t, "roleDefinitions") => {
                sections::access::list_definitions(state, settings, call, &scope)
            }
            [t, id] if eq(t, "roleDefinitions") => {
                sections::access::definition(state, call, &scope, id)
            }
            _ => Err(unknown_path(call)),
        };
    }
    if s.len() < 2 || !eq(&s[0], "subscriptions") {
        return Err(unknown_path(call));
    }
    // Under strict auth, every request needs a role whose actions allow it (`…/read` for a
    // read) at or above what it addresses; the refusal names the action as ARM does.
    // Polling an operation the caller started needs no role of its own: a Contributor on a
    // resource group polls its writes' `operationStatuses` under the subscription (the
    // Azure SDKs do). Checked for Cognitive Services, whose status URLs sit there.
    let polls = call.method == Method::GET
        && s.len() == 8
        && eq(&s[3], foundry::PROVIDER)
        && (eq(&s[6], "operationStatuses") || eq(&s[6], "operationResults"));
    if settings.strict_auth && !polls {
        // The scope is the path itself: a purge of a deleted Cognitive Services account
        // (`/subscriptions/{s}/providers/Microsoft.CognitiveServices/locations/{l}/resourceGroups/{rg}/deletedAccounts/{a}`,
        // action `…/locations/resourceGroups/deletedAccounts/delete`) sits under the
        // subscription, not under the resource group, so only a role at the subscription (or
        // above) allows it, as the service requires (NOTES-foundry.md §6).
        let scope = format!("/{}", s.join("/"));
        let mut needed = vec![(scope.clone(), action_of(&call.method, s))];
        // A project joins its hub: `workspaces/hubs/join/action` on the hub too (inferred
        // from Learn's ai-studio rbac page; docs/emulator.md).
        if call.method == Method::PUT
            && let Ok(body) = call.json()
            // `get`, not indexing: a Map panics on a missing key (a body of `{}`).
            && body.get("kind").and_then(Value::as_str).is_some_and(|k| eq(k, "Project"))
            && let Some(hub) = body.get("properties").and_then(|p| p["hubResourceId"].as_str())
        {
            needed.push((
                hub.to_string(),
                "Microsoft.MachineLearningServices/workspaces/hubs/join/action".to_string(),
            ));
        }
        if let Some((scope, action)) = needed
            .into_iter()
            .find(|(at, action)| !sections::access::authorized(state, &call.caller.oid, at, action))
        {
            return Err(sections::access::authorization_failed(call, &action, &scope));
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
        [p, ns, ws] if eq(p, "providers") && eq(ns, sections::PROVIDER) && eq(ws, "workspaces") => {
            check_version(call, sections::PROVIDER, sections::API_VERSIONS)?;
            sections::list(state, settings, call, sub, None)
        }
        [p, ns, locations, _location, status, id]
            if eq(p, "providers")
                && eq(ns, sections::PROVIDER)
                && eq(locations, "locations")
                && eq(status, "workspaceOperationsStatus") =>
        {
            check_version(call, sections::PROVIDER, sections::API_VERSIONS)?;
            sections::operation_status(state, settings, call, id)
        }
        [p, ns, register] if eq(p, "providers") && eq(register, "register") => {
            resources::register(state, call, sub, ns)
        }
        [p, ns, rest @ ..] if eq(p, "providers") && eq(ns, foundry::PROVIDER) => {
            check_version(call, foundry::PROVIDER, foundry::API_VERSIONS)?;
            foundry::route_subscription(state, settings, call, sub, rest)
        }
        [rgs, rg, p, ns, rest @ ..] if eq(rgs, "resourceGroups") && eq(p, "providers") => {
            if eq(ns, sections::PROVIDER) {
                check_version(call, sections::PROVIDER, sections::API_VERSIONS)?;
                return sections::route(state, settings, call, sub, rg, rest);
            }
            if eq(ns, foundry::PROVIDER) {
                check_version(call, foundry::PROVIDER, foundry::API_VERSIONS)?;
                if !resources::group_exists(state, sub, rg) {
                    return Err(ArmError::resource_group_not_found(rg));
                }
                return foundry::route_group(state, settings, call, sub, rg, rest);
            }
            resources::dependent(state, call, sub, rg, ns, rest)
        }
        _ => Err(unknown_path(call)),
    }
}

/// ARM's answer to an api-version the provider does not have.
pub(crate) fn check_version(
    call: &Call,
    provider: &str,
    supported: &[&str],
) -> Result<(), ArmError> {
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

pub(crate) fn parse_query(query: &str) -> HashMap<String, String> {
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
pub(crate) fn encode(text: &str) -> String {
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
