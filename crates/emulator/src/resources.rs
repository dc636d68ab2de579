//! Resource groups and the dependent resources hubs point at.
//!
//! Only enough of each to seed them, create them through ARM and read them back: storage
//! accounts, key vaults (with keys and their versions), Application Insights, container
//! registries, user-assigned identities, Cognitive Services accounts, AI Search services and
//! Cosmos DB accounts (agents' thread storage).
//! A hub PUT that names a missing one fails, as it would on ARM.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::app::{Call, Settings, method_not_allowed, page, unknown_path};
use crate::error::{ArmError, ArmResult, Reply};
use crate::state::State;

/// The dependent types the emulator holds, as `namespace/type`.
pub const DEPENDENT_TYPES: &[&str] = &[
    "Microsoft.Storage/storageAccounts",
    "Microsoft.KeyVault/vaults",
    "Microsoft.Insights/components",
    "Microsoft.ContainerRegistry/registries",
    "Microsoft.ManagedIdentity/userAssignedIdentities",
    "Microsoft.CognitiveServices/accounts",
    "Microsoft.Search/searchServices",
    "Microsoft.DocumentDB/databaseAccounts",
];

/// The lower-case key of a resource group.
pub fn group_key(sub: &str, rg: &str) -> String {
    format!("/subscriptions/{sub}/resourcegroups/{rg}").to_ascii_lowercase()
}

/// Whether a resource group exists.
pub fn group_exists(state: &State, sub: &str, rg: &str) -> bool {
    state.resources.contains_key(&group_key(sub, rg))
}

/// A resource group body.
pub fn group_body(sub: &str, rg: &str, location: &str, tags: Value) -> Value {
    json!({
        "id": format!("/subscriptions/{sub}/resourceGroups/{rg}"),
        "name": rg,
        "type": "Microsoft.Resources/resourceGroups",
        "location": location,
        "tags": tags,
        "properties": { "provisioningState": "Succeeded" },
    })
}

/// `GET /subscriptions/{sub}/resourcegroups`.
pub fn list_groups(state: &State, settings: &Settings, call: &Call, sub: &str) -> ArmResult {
    if call.method != Method::GET {
        return Err(method_not_allowed(call));
    }
    let prefix = format!("/subscriptions/{sub}/resourcegroups/").to_ascii_lowercase();
    let groups: Vec<Value> = state.children(&prefix).into_iter().cloned().collect();
    Ok(Reply::ok(page(groups, settings, call, "$skiptoken")))
}

/// `GET|PUT|DELETE /subscriptions/{sub}/resourcegroups/{rg}`.
pub fn group(state: &mut State, call: &Call, sub: &str, rg: &str) -> ArmResult {
    let key = group_key(sub, rg);
    match call.method {
        Method::GET | Method::HEAD => match state.resources.get(&key) {
            Some(body) => Ok(Reply::ok(body.clone())),
            None => Err(ArmError::resource_group_not_found(rg)),
        },
        Method::PUT => {
            let body = call.json()?;
            let location = required_location(&body)?;
            let tags = body.get("tags").cloned().unwrap_or_else(|| json!({}));
            let existed = state.resources.contains_key(&key);
            let stored = group_body(sub, rg, location, tags);
            state.resources.insert(key, stored.clone());
            let status = if existed { StatusCode::OK } else { StatusCode::CREATED };
            Ok(Reply::with_status(status, stored))
        }
        Method::DELETE => Ok(delete_tree(state, &key)),
        _ => Err(method_not_allowed(call)),
    }
}

/// `POST /subscriptions/{sub}/providers/{namespace}/register`.
pub fn register(state: &mut State, call: &Call, sub: &str, namespace: &str) -> ArmResult {
    if call.method != Method::POST {
        return Err(method_not_allowed(call));
    }
    if let Some(subscription) = state.subscriptions.get_mut(&sub.to_ascii_lowercase()) {
        subscription.unregistered_providers.retain(|p| !p.eq_ignore_ascii_case(namespace));
    }
    Ok(Reply::ok(json!({
        "id": format!("/subscriptions/{sub}/providers/{namespace}"),
        "namespace": namespace,
        "registrationState": "Registered",
    })))
}

/// The canonical spelling of a dependent type, if it is one.
pub fn dependent_type(namespace: &str, type_name: &str) -> Option<&'static str> {
    DEPENDENT_TYPES.iter().copied().find(|t| {
        t.split_once('/').is_some_and(|(ns, ty)| {
            ns.eq_ignore_ascii_case(namespace) && ty.eq_ignore_ascii_case(type_name)
        })
    })
}

/// The body of a dependent resource.
pub fn dependent_body(
    id: &str,
    arm_type: &str,
    name: &str,
    location: &str,
    kind: Option<&str>,
    properties: Value,
) -> Value {
    let mut properties = if properties.is_object() { properties } else { json!({}) };
    properties["provisioningState"] = json!("Succeeded");
    let mut body = json!({ "id": id, "name": name, "type": arm_type, "location": location, "tags": {}, "properties": properties });
    if let Some(kind) = kind {
        body["kind"] = json!(kind);
    }
    if arm_type == "Microsoft.ManagedIdentity/userAssignedIdentities" {
        let principal =
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, id.to_ascii_lowercase().as_bytes());
        let client =
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, id.to_ascii_lowercase().as_bytes());
        body["properties"]["principalId"] = json!(principal.to_string());
        body["properties"]["clientId"] = json!(client.to_string());
    }
    if arm_type == "Microsoft.KeyVault/vaults" {
        body["properties"]["vaultUri"] = json!(format!("https://{name}.vault.azure.net/"));
    }
    body
}

/// A key vault key with its versions.
pub fn key_body(vault_id: &str, vault: &str, key: &str, versions: &[String]) -> Value {
    let latest = versions.last().cloned().unwrap_or_default();
    json!({
        "id": format!("{vault_id}/keys/{key}"),
        "name": key,
        "type": "Microsoft.KeyVault/vaults/keys",
        "properties": {
            "keyUri": format!("https://{vault}.vault.azure.net/keys/{key}"),
            "keyUriWithVersion": format!("https://{vault}.vault.azure.net/keys/{key}/{latest}"),
            "versions": versions,
        }
    })
}

/// `{rg}/providers/{ns}/{type}/{name}[/keys/{key}]` for dependent types.
pub fn dependent(
    state: &mut State,
    call: &Call,
    sub: &str,
    rg: &str,
    namespace: &str,
    rest: &[String],
) -> ArmResult {
    let (type_name, name, child) = match rest {
        [t, n] => (t, n, None),
        [t, n, k, key] if k.eq_ignore_ascii_case("keys") => (t, n, Some(key)),
        _ => return Err(unknown_path(call)),
    };
    let Some(arm_type) = dependent_type(namespace, type_name) else {
        return Err(unknown_path(call));
    };
    if !group_exists(state, sub, rg) {
        return Err(ArmError::resource_group_not_found(rg));
    }
    let id = format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/{arm_type}/{name}");
    let key = id.to_ascii_lowercase();
    if let Some(child) = child {
        if arm_type != "Microsoft.KeyVault/vaults" {
            return Err(unknown_path(call));
        }
        if !state.resources.contains_key(&key) {
            return Err(ArmError::parent_not_found(&format!("{arm_type}/{name}")));
        }
        let child_key = format!("{key}/keys/{}", child.to_ascii_lowercase());
        return match call.method {
            Method::GET => {
                state.resources.get(&child_key).cloned().map(Reply::ok).ok_or_else(|| {
                    ArmError::resource_not_found("Microsoft.KeyVault/vaults/keys", child, rg)
                })
            }
            // A PUT on a key makes a new version, as Key Vault's ARM key creation does.
            Method::PUT => {
                let mut versions: Vec<String> = state
                    .resources
                    .get(&child_key)
                    .and_then(|k| serde_json::from_value(k["properties"]["versions"].clone()).ok())
                    .unwrap_or_default();
                versions.push(uuid::Uuid::new_v4().simple().to_string());
                let body = key_body(&id, name, child, &versions);
                state.resources.insert(child_key, body.clone());
                Ok(Reply::ok(body))
            }
            _ => Err(method_not_allowed(call)),
        };
    }
    match call.method {
        Method::GET => state
            .resources
            .get(&key)
            .cloned()
            .map(Reply::ok)
            .ok_or_else(|| ArmError::resource_not_found(arm_type, name, rg)),
        Method::PUT => {
            let body = call.json()?;
            let location = required_location(&body)?;
            let kind = body.get("kind").and_then(Value::as_str);
            let properties = body.get("properties").cloned().unwrap_or_else(|| json!({}));
            let existed = state.resources.contains_key(&key);
            let stored = dependent_body(&id, arm_type, name, location, kind, properties);
            state.resources.insert(key, stored.clone());
            Ok(Reply::with_status(
                if existed { StatusCode::OK } else { StatusCode::CREATED },
                stored,
            ))
        }
        Method::DELETE => Ok(delete_tree(state, &key)),
        _ => Err(method_not_allowed(call)),
    }
}

/// DELETE of a synchronous resource and all below it: 200, or 204 when it was not there.
fn delete_tree(state: &mut State, key: &str) -> Reply {
    if !state.resources.contains_key(key) {
        return Reply::empty(StatusCode::NO_CONTENT);
    }
    state.remove_tree(key);
    Reply::empty(StatusCode::OK)
}

/// A PUT body's `location`, which ARM requires of every tracked resource.
fn required_location(body: &serde_json::Map<String, Value>) -> Result<&str, ArmError> {
    body.get("location").and_then(Value::as_str).ok_or_else(|| {
        ArmError::bad_request(
            "LocationRequired",
            "The location property is required for this definition.",
        )
    })
}
