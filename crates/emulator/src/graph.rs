//! Microsoft Graph, the part hubctl reads: principals by name and names by object id, served
//! from the seed's directory (principals with their display names, user principal names and
//! app ids; new principals are invisible until the replication lag has passed, as in ARM).
//!
//! Shapes from the Graph v1.0 reference (MicrosoftDocs/microsoft-graph-docs-contrib
//! api-reference/v1.0/api/user-get.md, group-list.md, serviceprincipal-list.md,
//! directoryobject-getbyids.md, and resources/errors.md): `GET /users/{id | userPrincipalName}`
//! (404 `Request_ResourceNotFound`), `GET /groups` and `GET /servicePrincipals` with an `eq`
//! `$filter` on `displayName` (or `appId`), `POST /directoryObjects/getByIds`. Tokens must be
//! for Graph's audience (401 `InvalidAuthenticationToken` otherwise). Under strict auth a
//! caller needs the matching application permission (or `Directory.Read.All`), else 403
//! `Authorization_RequestDenied` — the stricter reading; without strict auth any signed-in
//! caller reads. Display-name comparison is case-insensitive (inferred, docs/emulator.md).

use std::collections::HashMap;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::error::{ArmError, ArmResult, Reply};
use crate::state::{Principal, State};

/// One Graph request.
pub struct GraphCall<'a> {
    /// Method.
    pub method: &'a Method,
    /// Path segments after `/v1.0`.
    pub segments: &'a [String],
    /// Query.
    pub query: &'a HashMap<String, String>,
    /// Body.
    pub body: &'a [u8],
    /// Emulator time (ms).
    pub now: u64,
}

fn graph_error(status: StatusCode, code: &str, message: impl Into<String>) -> ArmError {
    ArmError::new(status, code, message)
}

fn denied() -> ArmError {
    graph_error(
        StatusCode::FORBIDDEN,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
    )
}

/// Which application permissions let a caller read `collection` (Graph's least privileged
/// first, then the broader ones).
fn permits(collection: &str) -> &'static [&'static str] {
    match collection {
        "users" => &["User.Read.All", "User.ReadBasic.All", "Directory.Read.All"],
        "groups" => &["GroupMember.Read.All", "Group.Read.All", "Directory.Read.All"],
        "servicePrincipals" => &["Application.Read.All", "Directory.Read.All"],
        _ => &["Directory.Read.All"],
    }
}

fn view(principal: &Principal) -> Value {
    let odata = match principal.principal_type.as_str() {
        "Group" => "#microsoft.graph.group",
        "ServicePrincipal" => "#microsoft.graph.servicePrincipal",
        _ => "#microsoft.graph.user",
    };
    let mut out = json!({
        "@odata.type": odata,
        "id": principal.id,
        "displayName": principal.display_name,
    });
    if principal.principal_type == "User" {
        out["userPrincipalName"] = json!(principal.user_principal_name);
    }
    if principal.principal_type == "ServicePrincipal" {
        out["appId"] = json!(principal.app_id);
    }
    out
}

/// `displayName eq '…'` or `appId eq '…'` (quotes doubled inside): the field and the value.
fn parse_filter(filter: &str) -> Option<(&'static str, String)> {
    let (field, rest) = filter.trim().split_once(" eq ")?;
    let field = match field.trim() {
        "displayName" => "displayName",
        "appId" => "appId",
        _ => return None,
    };
    let value = rest.trim().strip_prefix('\'')?.strip_suffix('\'')?;
    Some((field, value.replace("''", "'")))
}

/// Serve a Graph request.
pub fn serve(state: &State, strict: bool, header: Option<&str>, call: &GraphCall<'_>) -> ArmResult {
    let claims = crate::auth::check_graph(state, header).map_err(|refusal| {
        graph_error(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", refusal.message)
    })?;
    let allowed = |collection: &str| {
        !strict
            || state.service_principals.iter().any(|sp| {
                sp.object_id.eq_ignore_ascii_case(&claims.oid)
                    && sp
                        .graph_permissions
                        .iter()
                        .any(|p| permits(collection).contains(&p.as_str()))
            })
    };
    let visible = |p: &&Principal| p.visible_from_ms <= call.now;
    let segments: Vec<&str> = call.segments.iter().map(String::as_str).collect();
    match (call.method, segments.as_slice()) {
        (&Method::GET, ["users", key]) => {
            if !allowed("users") {
                return Err(denied());
            }
            state
                .principals
                .values()
                .filter(visible)
                .find(|p| {
                    p.principal_type == "User"
                        && (p.id.eq_ignore_ascii_case(key)
                            || p.user_principal_name.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(key)))
                })
                .map(|p| Reply::ok(view(p)))
                .ok_or_else(|| {
                    graph_error(
                        StatusCode::NOT_FOUND,
                        "Request_ResourceNotFound",
                        format!("Resource '{key}' does not exist or one of its queried reference-property objects are not present."),
                    )
                })
        }
        (&Method::GET, [collection @ ("groups" | "servicePrincipals")]) => {
            if !allowed(collection) {
                return Err(denied());
            }
            let kind = if *collection == "groups" { "Group" } else { "ServicePrincipal" };
            let filter = call.query.get("$filter").map(String::as_str).unwrap_or_default();
            let (field, wanted) = parse_filter(filter).ok_or_else(|| {
                graph_error(
                    StatusCode::BAD_REQUEST,
                    "Request_UnsupportedQuery",
                    format!("Unsupported query: '{filter}'."),
                )
            })?;
            let value: Vec<Value> = state
                .principals
                .values()
                .filter(visible)
                .filter(|p| p.principal_type == kind)
                .filter(|p| {
                    let have = if field == "appId" { &p.app_id } else { &p.display_name };
                    have.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(&wanted))
                })
                .map(view)
                .collect();
            Ok(Reply::ok(json!({ "value": value })))
        }
        (&Method::POST, ["directoryObjects", "getByIds"]) => {
            if !allowed("directoryObjects") {
                return Err(denied());
            }
            let request: Value = serde_json::from_slice(call.body).map_err(|e| {
                graph_error(StatusCode::BAD_REQUEST, "Request_BadRequest", e.to_string())
            })?;
            let ids: Vec<String> = request["ids"]
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_ascii_lowercase)).collect())
                .unwrap_or_default();
            let value: Vec<Value> = ids
                .iter()
                .filter_map(|id| state.principals.get(id))
                .filter(|p| p.visible_from_ms <= call.now)
                .map(view)
                .collect();
            Ok(Reply::ok(json!({ "value": value })))
        }
        _ => Err(graph_error(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("Resource not found for the segment '{}'.", segments.first().unwrap_or(&"")),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_read_as_graph_writes_them() {
        assert_eq!(
            parse_filter("displayName eq 'O''Brien team'"),
            Some(("displayName", "O'Brien team".to_string()))
        );
        assert_eq!(parse_filter("appId eq 'abc'"), Some(("appId", "abc".to_string())));
        assert_eq!(parse_filter("startswith(displayName,'a')"), None);
    }
}
