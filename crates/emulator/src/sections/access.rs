//! `Microsoft.Authorization`: role assignments at any scope, and role definitions.
//!
//! Behaviour from `AUTH/stable/2022-04-01/authorization-RoleAssignmentsCalls.json` and the
//! errors quoted in shared/arm-reference/NOTES.md §8: synchronous writes (201 created, 200
//! updated), DELETE 200 with the deleted body or 204 when missing, `RoleAssignmentExists` 409
//! naming the existing assignment, `RoleAssignmentUpdateNotPermitted` 400, `PrincipalNotFound`
//! 400 (with the replication-lag escape of setting `principalType`), and the list filters
//! `atScope()` (at or above) and `principalId eq '…'` (at, above or below).

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::app::{Call, Settings, method_not_allowed, page};
use crate::error::{ArmError, ArmResult, Reply};
use crate::roles;
use crate::state::State;

const ASSIGNMENTS: &str = "/providers/microsoft.authorization/roleassignments/";

fn is_guid(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok() && text.len() == 36
}

/// The trailing GUID of a role definition id, lower case.
pub fn role_guid(role_definition_id: &str) -> String {
    role_definition_id
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Whether scope `outer` is at or above scope `inner` (both as ARM ids; "" is the root).
pub fn at_or_above(outer: &str, inner: &str) -> bool {
    let (outer, inner) = (
        outer.trim_end_matches('/').to_ascii_lowercase(),
        inner.trim_end_matches('/').to_ascii_lowercase(),
    );
    outer.is_empty() || inner == outer || inner.starts_with(&format!("{outer}/"))
}

fn assignment_key(scope: &str, name: &str) -> String {
    format!("{scope}{ASSIGNMENTS}{name}").to_ascii_lowercase()
}

fn all_assignments(state: &State) -> impl Iterator<Item = &Value> {
    state.resources.iter().filter(|(k, _)| k.contains(ASSIGNMENTS)).map(|(_, v)| v)
}

/// Whether `principal` may perform `action` at `scope`: one of its role assignments at or
/// above it, without an ABAC condition, has a role whose actions allow it. (A conditioned
/// assignment grants nothing here: the emulator does not evaluate conditions — the stricter
/// reading, docs/emulator.md.)
pub fn authorized(state: &State, principal: &str, scope: &str, action: &str) -> bool {
    !denied(state, principal, scope, action)
        && all_assignments(state).any(|a| {
            let p = &a["properties"];
            p["principalId"].as_str().is_some_and(|id| id.eq_ignore_ascii_case(principal))
                && p["scope"].as_str().is_some_and(|s| at_or_above(s, scope))
                && p["condition"].as_str().is_none_or(str::is_empty)
                && p["roleDefinitionId"]
                    .as_str()
                    .is_some_and(|r| roles::allows(&role_guid(r), action))
        })
}

const DENY: &str = "/providers/microsoft.authorization/denyassignments/";

/// Whether a deny assignment at or above `scope` denies `action` to `principal` (named, or
/// everyone, and not excluded). Deny assignments win over role assignments, as in ARM.
fn denied(state: &State, principal: &str, scope: &str, action: &str) -> bool {
    // Group membership is not modelled: a group is taken to hold every caller (the stricter
    // reading, docs/emulator.md).
    let names = |list: &Value| {
        list.as_array().into_iter().flatten().any(|p| {
            p["type"] == "Group"
                || p["id"].as_str().is_some_and(|id| {
                    id.eq_ignore_ascii_case(principal)
                        || id == "00000000-0000-0000-0000-000000000000"
                })
        })
    };
    let excluded = |list: &Value| {
        list.as_array()
            .into_iter()
            .flatten()
            .any(|p| p["id"].as_str().is_some_and(|id| id.eq_ignore_ascii_case(principal)))
    };
    deny_assignments(state).any(|d| {
        let p = &d["properties"];
        p["scope"].as_str().is_some_and(|s| at_or_above(s, scope))
            && names(&p["principals"])
            && !excluded(&p["excludePrincipals"])
            && p["permissions"].as_array().into_iter().flatten().any(|perm| {
                let list = |k: &str| -> Vec<String> {
                    perm[k]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                };
                roles::grants(&list("actions"), &list("notActions"), action)
            })
    })
}

fn deny_assignments(state: &State) -> impl Iterator<Item = &Value> {
    state.resources.iter().filter(|(k, _)| k.contains(DENY)).map(|(_, v)| v)
}

/// `GET {scope}/providers/Microsoft.Authorization/denyAssignments` (2022-04-01), with
/// `$filter=atScope()` (at or above) or none (at, above and below).
pub fn list_deny_assignments(
    state: &State,
    settings: &Settings,
    call: &Call,
    scope: &str,
) -> ArmResult {
    if call.method != Method::GET {
        return Err(method_not_allowed(call));
    }
    let at_scope = parse_filter(call.query.get("$filter"))?.at_scope;
    let items: Vec<Value> = deny_assignments(state)
        .filter(|d| {
            let at = d["properties"]["scope"].as_str().unwrap_or("/");
            at_or_above(at, scope) || (!at_scope && at_or_above(scope, at))
        })
        .cloned()
        .collect();
    Ok(Reply::ok(page(items, settings, call, "$skipToken")))
}

/// `GET {resource group or resource}/providers/Microsoft.Authorization/permissions`: the
/// caller's permissions there, one entry per role assignment of its own at or above the scope
/// (conditioned ones included: the 2022-04-01 answer has no field for a condition).
pub fn list_permissions(state: &State, settings: &Settings, call: &Call, scope: &str) -> ArmResult {
    if call.method != Method::GET {
        return Err(method_not_allowed(call));
    }
    let parts: Vec<&str> = scope.split('/').filter(|s| !s.is_empty()).collect();
    if parts.len() < 4 || !parts[2].eq_ignore_ascii_case("resourceGroups") {
        return Err(ArmError::bad_request(
            "InvalidResourceType",
            "The permissions API is served at a resource group or a resource.",
        ));
    }
    scope_exists(state, scope)?;
    // Without strict auth every signed-in caller may write anything here, and the answer says
    // so (the permissions API agrees with what the emulator enforces).
    if !settings.strict_auth {
        return Ok(Reply::ok(page(
            vec![roles::permission(roles::OWNER)],
            settings,
            call,
            "$skipToken",
        )));
    }
    let items: Vec<Value> = all_assignments(state)
        .filter(|a| {
            let p = &a["properties"];
            p["principalId"].as_str().is_some_and(|id| id.eq_ignore_ascii_case(&call.caller.oid))
                && p["scope"].as_str().is_some_and(|s| at_or_above(s, scope))
        })
        .map(|a| {
            roles::permission(&role_guid(
                a["properties"]["roleDefinitionId"].as_str().unwrap_or_default(),
            ))
        })
        .collect();
    Ok(Reply::ok(page(items, settings, call, "$skipToken")))
}

/// Does the scope (a subscription, group or resource) exist?
fn scope_exists(state: &State, scope: &str) -> Result<(), ArmError> {
    let parts: Vec<&str> = scope.split('/').filter(|s| !s.is_empty()).collect();
    match parts.as_slice() {
        [] => Ok(()),
        ["subscriptions" | "Subscriptions", sub] => {
            if state.subscriptions.contains_key(&sub.to_ascii_lowercase()) {
                Ok(())
            } else {
                Err(ArmError::new(
                    StatusCode::NOT_FOUND,
                    "SubscriptionNotFound",
                    format!("The subscription '{sub}' could not be found."),
                ))
            }
        }
        [_, _, _, rg] => {
            if state.resources.contains_key(&scope.to_ascii_lowercase()) {
                Ok(())
            } else {
                Err(ArmError::resource_group_not_found(rg))
            }
        }
        [_, _, _, rg, .., name] => {
            // Resource types the local cloud does not hold cannot be checked: accept them.
            let lower = scope.to_ascii_lowercase();
            let held = lower.contains("/providers/microsoft.machinelearningservices/workspaces/")
                || crate::resources::DEPENDENT_TYPES
                    .iter()
                    .any(|t| lower.contains(&format!("/providers/{}/", t.to_ascii_lowercase())));
            if !held || state.resources.contains_key(&lower) {
                Ok(())
            } else {
                Err(ArmError::new(
                    StatusCode::NOT_FOUND,
                    "ResourceNotFound",
                    format!(
                        "The Resource '{name}' under resource group '{rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
                    ),
                ))
            }
        }
        _ => {
            Err(ArmError::bad_request("InvalidScope", format!("The scope '{scope}' is not valid.")))
        }
    }
}

/// ARM's 403 for a caller without `action` at `scope`, in its wording.
pub(crate) fn authorization_failed(call: &Call, action: &str, scope: &str) -> ArmError {
    ArmError::new(
        StatusCode::FORBIDDEN,
        "AuthorizationFailed",
        format!(
            "The client '{}' with object id '{}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
            call.caller.appid, call.caller.oid
        ),
    )
}

/// Under strict auth, the caller's roles must allow `action` at `scope` to change access.
fn check_access_admin(
    state: &State,
    strict: bool,
    call: &Call,
    scope: &str,
    action: &str,
) -> Result<(), ArmError> {
    if strict && !authorized(state, &call.caller.oid, scope, action) {
        return Err(authorization_failed(call, action, scope));
    }
    Ok(())
}

/// `GET|PUT|DELETE {scope}/providers/Microsoft.Authorization/roleAssignments/{name}`.
pub fn assignment(
    state: &mut State,
    strict: bool,
    call: &Call,
    scope: &str,
    name: &str,
) -> ArmResult {
    let key = assignment_key(scope, name);
    match call.method {
        Method::GET => state.resources.get(&key).cloned().map(Reply::ok).ok_or_else(|| {
            ArmError::new(
                StatusCode::NOT_FOUND,
                "RoleAssignmentNotFound",
                format!("The role assignment '{name}' is not found."),
            )
        }),
        Method::DELETE => {
            check_access_admin(
                state,
                strict,
                call,
                scope,
                "Microsoft.Authorization/roleAssignments/delete",
            )?;
            match state.resources.remove(&key) {
                Some(body) => Ok(Reply::ok(body)),
                None => Ok(Reply::empty(StatusCode::NO_CONTENT)),
            }
        }
        Method::PUT => put_assignment(state, strict, call, scope, name, &key),
        _ => Err(method_not_allowed(call)),
    }
}

fn put_assignment(
    state: &mut State,
    strict: bool,
    call: &Call,
    scope: &str,
    name: &str,
    key: &str,
) -> ArmResult {
    if !is_guid(name) {
        return Err(ArmError::bad_request(
            "InvalidRoleAssignmentId",
            format!(
                "The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID."
            ),
        ));
    }
    let body = call.json()?;
    let properties = body.get("properties").cloned().unwrap_or(Value::Null);
    let role_definition_id =
        properties["roleDefinitionId"].as_str().unwrap_or_default().to_string();
    let principal_id = properties["principalId"].as_str().unwrap_or_default().to_string();
    if role_definition_id.is_empty() || principal_id.is_empty() {
        return Err(ArmError::bad_request(
            "InvalidRequestContent",
            "The request content was invalid: properties.roleDefinitionId and properties.principalId are required.",
        ));
    }
    scope_exists(state, scope)?;
    check_access_admin(
        state,
        strict,
        call,
        scope,
        "Microsoft.Authorization/roleAssignments/write",
    )?;
    let role = role_guid(&role_definition_id);
    if !state.role_definitions.contains_key(&role) {
        return Err(ArmError::bad_request(
            "RoleDefinitionDoesNotExist",
            format!(
                "The specified role definition with ID '{}' does not exist.",
                role.replace('-', "")
            ),
        ));
    }
    let principal_type = properties["principalType"].as_str();
    let known = state.principals.get(&principal_id.to_ascii_lowercase());
    let visible = known.is_some_and(|p| p.visible_from_ms <= call.now);
    // With principalType set ARM skips the directory lookup, which is the documented way past
    // replication delay (AZDOCS role-assignments-rest.md, "New service principal").
    if known.is_none() || (!visible && principal_type.is_none()) {
        return Err(ArmError::bad_request(
            "PrincipalNotFound",
            format!(
                "Principal {} does not exist in the directory {}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype",
                principal_id.replace('-', "").to_ascii_lowercase(),
                state.tenant_id
            ),
        ));
    }
    if let Some(existing) = state.resources.get(key) {
        let p = &existing["properties"];
        let same = p["principalId"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(&principal_id))
            && p["roleDefinitionId"].as_str().is_some_and(|r| role_guid(r) == role)
            && p["scope"].as_str().is_some_and(|s| s.eq_ignore_ascii_case(scope));
        if !same {
            return Err(ArmError::bad_request(
                "RoleAssignmentUpdateNotPermitted",
                "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
            ));
        }
    } else if let Some(twin) = all_assignments(state).find(|a| {
        let p = &a["properties"];
        p["principalId"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(&principal_id))
            && p["roleDefinitionId"].as_str().is_some_and(|r| role_guid(r) == role)
            && p["scope"].as_str().is_some_and(|s| {
                s.trim_end_matches('/').eq_ignore_ascii_case(scope.trim_end_matches('/'))
            })
    }) {
        let twin_name = twin["name"].as_str().unwrap_or_default().replace('-', "");
        return Err(ArmError::conflict(
            "RoleAssignmentExists",
            format!(
                "The role assignment already exists. The ID of the existing role assignment is {twin_name}."
            ),
        ));
    }
    let existed = state.resources.contains_key(key);
    let now = crate::sections::timestamp(call.now);
    let created_on = state
        .resources
        .get(key)
        .and_then(|a| a["properties"]["createdOn"].as_str().map(str::to_string))
        .unwrap_or_else(|| now.clone());
    let stored = json!({
        "id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
        "name": name,
        "type": "Microsoft.Authorization/roleAssignments",
        "properties": {
            "roleDefinitionId": role_definition_id,
            "principalId": principal_id,
            "principalType": principal_type.unwrap_or("User"),
            "scope": if scope.is_empty() { "/" } else { scope },
            "description": properties.get("description").cloned().unwrap_or(Value::Null),
            "condition": properties.get("condition").cloned().unwrap_or(Value::Null),
            "conditionVersion": properties.get("conditionVersion").cloned().unwrap_or(Value::Null),
            "createdOn": created_on,
            "updatedOn": now,
            "createdBy": call.caller.oid,
            "updatedBy": call.caller.oid,
            "delegatedManagedIdentityResourceId": Value::Null,
        }
    });
    state.resources.insert(key.to_string(), stored.clone());
    Ok(Reply::with_status(if existed { StatusCode::OK } else { StatusCode::CREATED }, stored))
}

/// A `$filter` on role assignment lists.
#[derive(Debug, PartialEq)]
struct AssignmentFilter {
    at_scope: bool,
    principal: Option<String>,
}

fn parse_filter(filter: Option<&String>) -> Result<AssignmentFilter, ArmError> {
    let mut parsed = AssignmentFilter { at_scope: false, principal: None };
    let Some(filter) = filter else { return Ok(parsed) };
    for clause in filter.split(" and ") {
        let clause = clause.trim();
        if clause.eq_ignore_ascii_case("atScope()") {
            parsed.at_scope = true;
        } else if let Some(rest) = clause
            .strip_prefix("principalId eq '")
            .or_else(|| clause.strip_prefix("principalId eq \""))
        {
            parsed.principal = Some(rest.trim_end_matches(['\'', '"']).to_ascii_lowercase());
        } else if let Some(rest) = clause.strip_prefix("assignedTo('") {
            parsed.principal = Some(rest.trim_end_matches("')").to_ascii_lowercase());
        } else {
            return Err(ArmError::bad_request(
                "UnsupportedQuery",
                format!(
                    "The filter '{filter}' is not supported. Supported filters are either 'atScope()' or 'principalId eq '{{value}}' or assignedTo('{{value}}')'."
                ),
            ));
        }
    }
    Ok(parsed)
}

/// `GET {scope}/providers/Microsoft.Authorization/roleAssignments`.
pub fn list_assignments(state: &State, settings: &Settings, call: &Call, scope: &str) -> ArmResult {
    if call.method != Method::GET {
        return Err(method_not_allowed(call));
    }
    let filter = parse_filter(call.query.get("$filter"))?;
    let items: Vec<Value> = all_assignments(state)
        .filter(|a| {
            let p = &a["properties"];
            let at = p["scope"].as_str().unwrap_or("/");
            let at = if at == "/" { "" } else { at };
            let above = at_or_above(at, scope);
            let below = at_or_above(scope, at);
            let principal_ok = filter.principal.as_ref().is_none_or(|want| {
                p["principalId"].as_str().is_some_and(|id| id.eq_ignore_ascii_case(want))
            });
            let place_ok = if filter.at_scope { above } else { above || below };
            principal_ok && place_ok
        })
        .cloned()
        .collect();
    Ok(Reply::ok(page(items, settings, call, "$skipToken")))
}

fn definition_at(scope: &str, definition: &Value) -> Value {
    let mut definition = definition.clone();
    if let Some(guid) = definition["name"].as_str().map(str::to_string) {
        definition["id"] =
            json!(format!("{scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}"));
    }
    definition
}

/// `GET {scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}`.
pub fn definition(state: &State, call: &Call, scope: &str, id: &str) -> ArmResult {
    if call.method != Method::GET {
        return Err(method_not_allowed(call));
    }
    state
        .role_definitions
        .get(&id.to_ascii_lowercase())
        .map(|d| Reply::ok(definition_at(scope, d)))
        .ok_or_else(|| {
            ArmError::new(
                StatusCode::NOT_FOUND,
                "RoleDefinitionDoesNotExist",
                format!("The role definition '{id}' could not be found."),
            )
        })
}

/// `GET {scope}/providers/Microsoft.Authorization/roleDefinitions?$filter=roleName eq '…'`.
pub fn list_definitions(state: &State, settings: &Settings, call: &Call, scope: &str) -> ArmResult {
    if call.method != Method::GET {
        return Err(method_not_allowed(call));
    }
    let filter = call.query.get("$filter").map(String::as_str).unwrap_or_default().trim();
    let (name, kind) = if filter.is_empty() {
        (None, None)
    } else if let Some(rest) = filter.strip_prefix("roleName eq '") {
        (Some(rest.trim_end_matches('\'').to_string()), None)
    } else if let Some(rest) = filter.strip_prefix("type eq '") {
        (None, Some(rest.trim_end_matches('\'').to_string()))
    } else {
        return Err(ArmError::bad_request(
            "UnsupportedQuery",
            format!("The filter '{filter}' is not supported."),
        ));
    };
    let items: Vec<Value> = state
        .role_definitions
        .values()
        .filter(|d| {
            name.as_ref().is_none_or(|n| {
                d["properties"]["roleName"].as_str().is_some_and(|r| r.eq_ignore_ascii_case(n))
            })
        })
        .filter(|d| {
            kind.as_ref().is_none_or(|k| {
                d["properties"]["type"].as_str().is_some_and(|t| t.eq_ignore_ascii_case(k))
            })
        })
        .map(|d| definition_at(scope, d))
        .collect();
    Ok(Reply::ok(page(items, settings, call, "$skipToken")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_order() {
        let sub = "/subscriptions/s";
        let rg = "/subscriptions/s/resourceGroups/rg";
        let ws = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w";
        assert!(at_or_above(sub, ws));
        assert!(at_or_above(rg, ws));
        assert!(at_or_above("", rg));
        assert!(at_or_above(ws, ws));
        assert!(!at_or_above(ws, rg));
        assert!(!at_or_above(
            "/subscriptions/s/resourceGroups/rg2",
            "/subscriptions/s/resourceGroups/rg22"
        ));
    }

    #[test]
    fn filters() {
        assert_eq!(
            parse_filter(Some(&"atScope()".to_string())).unwrap(),
            AssignmentFilter { at_scope: true, principal: None }
        );
        assert_eq!(
            parse_filter(Some(&"principalId eq 'ABC'".to_string())).unwrap(),
            AssignmentFilter { at_scope: false, principal: Some("abc".into()) }
        );
        assert!(parse_filter(Some(&"roleName eq 'x'".to_string())).is_err());
    }
}
