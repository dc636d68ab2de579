//! Account and project connections, `accounts/{a}[/projects/{p}]/connections/{c}`: synchronous
//! PUT (200), PATCH (200, merge), GET, DELETE (200, 204 when absent) and list (NOTES §2, §5).
//! Secrets are never read back: GET, list and the write's own answer omit `credentials`
//! (EX/AccountConnection/get.json and list.json carry none).
//!
//! Checks kept at the ML connections' level (sections/connections.rs): `authType` (one of the
//! description's values) and `category` required, an AzureBlob connection names its account
//! and container. The target resource is not checked to exist, as for ML connections
//! (docs/emulator.md).

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::operations::child_idle;
use super::projects::{parent, parent_project};
use super::*;
use crate::app::{merge_patch, method_not_allowed, page};
use crate::error::Reply;

/// `ConnectionAuthType` in DESC (NOTES §5).
const AUTH_TYPES: &[&str] = &[
    "PAT",
    "ManagedIdentity",
    "UsernamePassword",
    "None",
    "SAS",
    "AccountKey",
    "ServicePrincipal",
    "AccessKey",
    "ApiKey",
    "CustomKeys",
    "OAuth2",
    "AAD",
];

/// A resource as it may be shown: a connection's `credentials` removed.
pub(crate) fn without_secrets(stored: &Value) -> Value {
    let mut view = stored.clone();
    if let Some(p) = view["properties"].as_object_mut() {
        p.remove("credentials");
    }
    view
}

fn valid_connection_name(name: &str) -> bool {
    // `^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$` (DESC connectionNameParameter).
    let b = name.as_bytes();
    (3..=33).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b[1..].iter().all(|c| c.is_ascii_alphanumeric() || b"_-".contains(c))
}

/// The parent's key and id.
fn parent_of(
    state: &State,
    at: At<'_>,
    project: Option<&str>,
) -> Result<(String, String, Option<String>), ArmError> {
    match project {
        None => {
            parent(state, at)?;
            Ok((at.key(), at.id(), None))
        }
        Some(p) => {
            let key = parent_project(state, at, p)?;
            let id = state
                .resources
                .get(&key)
                .and_then(|v| v["id"].as_str())
                .unwrap_or_default()
                .to_string();
            Ok((key.clone(), id, Some(key)))
        }
    }
}

fn arm_type(project: Option<&str>) -> &'static str {
    match project {
        None => "Microsoft.CognitiveServices/accounts/connections",
        Some(_) => "Microsoft.CognitiveServices/accounts/projects/connections",
    }
}

/// `GET ~/accounts/{a}[/projects/{p}]/connections`.
pub(crate) fn list(
    state: &State,
    settings: &Settings,
    call: &Call,
    at: At<'_>,
    project: Option<&str>,
) -> ArmResult {
    if call.method != Method::GET {
        return Err(method_not_allowed(call));
    }
    let (key, _, _) = parent_of(state, at, project)?;
    let items: Vec<Value> =
        state.children(&format!("{key}/connections/")).into_iter().map(without_secrets).collect();
    Ok(Reply::ok(page(items, settings, call, "$skipToken")))
}

fn validate(properties: &Value) -> Result<(), ArmError> {
    if !properties.is_object() {
        return Err(bad("A connection needs properties."));
    }
    let auth = properties["authType"].as_str().unwrap_or_default();
    if !AUTH_TYPES.contains(&auth) {
        // Wording ours.
        return Err(bad(format!(
            "A connection's properties.authType must be one of {}; found '{auth}'.",
            AUTH_TYPES.join(", ")
        )));
    }
    if properties["category"].as_str().is_none_or(str::is_empty) {
        return Err(bad("A connection needs properties.category."));
    }
    if eq(properties["category"].as_str().unwrap_or_default(), "AzureBlob") {
        for required in ["AccountName", "ContainerName"] {
            if properties["metadata"][required].as_str().is_none_or(str::is_empty) {
                return Err(bad(format!("An AzureBlob connection needs metadata.{required}.")));
            }
        }
    }
    Ok(())
}

/// `GET|PUT|PATCH|DELETE ~/accounts/{a}[/projects/{p}]/connections/{c}`.
pub(crate) fn route(
    state: &mut State,
    call: &Call,
    at: At<'_>,
    project: Option<&str>,
    name: &str,
) -> ArmResult {
    let (parent_key, parent_id, _) = parent_of(state, at, project)?;
    let key = format!("{parent_key}/connections/{}", name.to_ascii_lowercase());
    let not_found = || ArmError::resource_not_found(arm_type(project), name, at.rg);
    match call.method {
        Method::GET => {
            state.resources.get(&key).map(|c| Reply::ok(without_secrets(c))).ok_or_else(not_found)
        }
        Method::PUT => {
            if !valid_connection_name(name) {
                return Err(ArmError::bad_request(
                    "InvalidResourceName",
                    format!(
                        "The connection name '{name}' is invalid. It must match '^[a-zA-Z0-9][a-zA-Z0-9_-]{{2,32}}$'."
                    ),
                ));
            }
            child_idle(state, at)?;
            let request = call.json()?;
            let properties = request.get("properties").cloned().unwrap_or(Value::Null);
            validate(&properties)?;
            let stored = json!({
                "id": format!("{parent_id}/connections/{name}"),
                "name": name,
                "type": arm_type(project),
                "properties": properties,
            });
            state.resources.insert(key, stored.clone());
            Ok(Reply::ok(without_secrets(&stored)))
        }
        Method::PATCH => {
            let Some(mut stored) = state.resources.get(&key).cloned() else {
                return Err(not_found());
            };
            child_idle(state, at)?;
            let request = call.json()?;
            if let Some(properties) = request.get("properties") {
                merge_patch(&mut stored["properties"], properties);
            }
            validate(&stored["properties"])?;
            state.resources.insert(key, stored.clone());
            Ok(Reply::ok(without_secrets(&stored)))
        }
        Method::DELETE => {
            if !state.resources.contains_key(&key) {
                return Ok(Reply::empty(StatusCode::NO_CONTENT));
            }
            child_idle(state, at)?;
            state.remove_tree(&key);
            Ok(Reply::empty(StatusCode::OK))
        }
        _ => Err(method_not_allowed(call)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_show() {
        let stored =
            json!({"properties": {"authType": "ApiKey", "credentials": {"key": "s3cret"}}});
        assert!(!without_secrets(&stored).to_string().contains("s3cret"));
    }

    #[test]
    fn auth_type_must_be_known() {
        assert!(validate(&json!({"authType": "Magic", "category": "AzureOpenAI"})).is_err());
        assert!(validate(&json!({"authType": "AAD", "category": "AzureOpenAI"})).is_ok());
        assert!(validate(&json!({"authType": "AAD"})).is_err());
    }
}
