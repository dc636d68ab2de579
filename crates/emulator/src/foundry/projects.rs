//! Projects, `accounts/{a}/projects/{p}` (DESC `Project`): long-running PUT (201/200) and
//! DELETE (202) with `Azure-AsyncOperation` (EX/CreateProject.json, DeleteProject.json), PATCH
//! 202, GET and list. An account takes projects only with `allowProjectManagement`, a managed
//! identity and a custom subdomain (NOTES §4); a project lives in its account's region. The
//! first project of an account is its default (`isDefault: true`, EX/CreateProject.json).

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::account::{host_name, identity};
use super::operations::{FoundryOp, Start, child_idle, start};
use super::*;
use crate::app::{method_not_allowed, page};
use crate::error::Reply;

/// The project type.
pub const PROJECT_TYPE: &str = "Microsoft.CognitiveServices/accounts/projects";

/// The account a child is under, or ParentResourceNotFound.
pub(crate) fn parent(state: &State, at: At<'_>) -> Result<Value, ArmError> {
    state
        .resources
        .get(&at.key())
        .cloned()
        .ok_or_else(|| ArmError::parent_not_found(&format!("{ACCOUNT_TYPE}/{}", at.account)))
}

fn project_key(at: At<'_>, name: &str) -> String {
    format!("{}/projects/{}", at.key(), name.to_ascii_lowercase())
}

/// The project a child is under (its key), or ParentResourceNotFound.
pub(crate) fn parent_project(state: &State, at: At<'_>, name: &str) -> Result<String, ArmError> {
    parent(state, at)?;
    let key = project_key(at, name);
    if !state.resources.contains_key(&key) {
        return Err(ArmError::parent_not_found(&format!("{PROJECT_TYPE}/{}/{name}", at.account)));
    }
    Ok(key)
}

/// `GET ~/accounts/{a}/projects`.
pub(crate) fn list(state: &State, settings: &Settings, call: &Call, at: At<'_>) -> ArmResult {
    if call.method != Method::GET {
        return Err(method_not_allowed(call));
    }
    parent(state, at)?;
    let items: Vec<Value> =
        state.children(&format!("{}/projects/", at.key())).into_iter().cloned().collect();
    Ok(Reply::ok(page(items, settings, call, "$skipToken")))
}

/// `GET|PUT|PATCH|DELETE ~/accounts/{a}/projects/{p}`.
pub(crate) fn route(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    at: At<'_>,
    name: &str,
) -> ArmResult {
    let account = parent(state, at)?;
    let key = project_key(at, name);
    match call.method {
        Method::GET => state.resources.get(&key).cloned().map(Reply::ok).ok_or_else(|| {
            ArmError::resource_not_found(PROJECT_TYPE, &format!("{}/{name}", at.account), at.rg)
        }),
        Method::PUT => {
            if !valid_name(name) {
                return Err(invalid_name("project", name));
            }
            child_idle(state, at)?;
            let request = Value::Object(call.json()?);
            let old = state.resources.get(&key).cloned();
            let project = build(state, call, at, name, &account, request, old.as_ref())?;
            state.resources.insert(key.clone(), project.clone());
            if old.is_none()
                && let Some(account) = state.resources.get_mut(&at.key())
                && account["properties"]["defaultProject"].as_str().is_none_or(str::is_empty)
            {
                account["properties"]["defaultProject"] = json!(name);
            }
            let location = account["location"].as_str().unwrap_or_default().to_string();
            let created = old.is_none();
            let started = start(
                state,
                settings,
                call,
                Start {
                    key: &key,
                    kind: FoundryOp::Put { created },
                    location: &location,
                    previous: old,
                },
            );
            let status = if created { StatusCode::CREATED } else { StatusCode::OK };
            Ok(started.async_headers(Reply::with_status(status, project)))
        }
        Method::PATCH => {
            let Some(old) = state.resources.get(&key).cloned() else {
                return Err(ArmError::resource_not_found(
                    PROJECT_TYPE,
                    &format!("{}/{name}", at.account),
                    at.rg,
                ));
            };
            child_idle(state, at)?;
            let patch = call.json()?;
            let mut merged = old.clone();
            for (field, value) in patch {
                if field == "properties" && value.is_object() {
                    if let (Some(target), Some(fields)) =
                        (merged["properties"].as_object_mut(), value.as_object())
                    {
                        for (k, v) in fields {
                            target.insert(k.clone(), v.clone());
                        }
                    }
                } else {
                    merged[field.as_str()] = value;
                }
            }
            let project = build(state, call, at, name, &account, merged, Some(&old))?;
            state.resources.insert(key.clone(), project.clone());
            let location = account["location"].as_str().unwrap_or_default().to_string();
            let started = start(
                state,
                settings,
                call,
                Start {
                    key: &key,
                    kind: FoundryOp::Patch,
                    location: &location,
                    previous: Some(old),
                },
            );
            Ok(started.location_headers(
                started.async_headers(Reply::with_status(StatusCode::ACCEPTED, project)),
            ))
        }
        Method::DELETE => {
            if !state.resources.contains_key(&key) {
                return Ok(Reply::empty(StatusCode::NO_CONTENT));
            }
            child_idle(state, at)?;
            if let Some(project) = state.resources.get_mut(&key) {
                project["properties"]["provisioningState"] = json!("Deleting");
            }
            let location = account["location"].as_str().unwrap_or_default().to_string();
            let started = start(
                state,
                settings,
                call,
                Start {
                    key: &key,
                    kind: FoundryOp::ChildDelete,
                    location: &location,
                    previous: None,
                },
            );
            // DeleteProject.json: the 202 carries `azure-asyncoperation`.
            Ok(started.async_headers(Reply::empty(StatusCode::ACCEPTED)))
        }
        _ => Err(method_not_allowed(call)),
    }
}

/// Why an account cannot hold projects, if it cannot (NOTES §4, Learn "create projects").
/// Wording ours.
pub(crate) fn refuses_projects(account: &Value) -> Option<String> {
    let name = account["name"].as_str().unwrap_or_default();
    if account["properties"]["allowProjectManagement"] != json!(true) {
        return Some(format!(
            "The account '{name}' does not allow project management: set properties.allowProjectManagement to true first."
        ));
    }
    let kind = account["identity"]["type"].as_str().unwrap_or("None");
    if !kind.contains("Assigned") {
        return Some(format!("The account '{name}' needs a managed identity to hold projects."));
    }
    if str_of(&account["properties"], "customSubDomainName").is_none() {
        return Some(format!("The account '{name}' needs a customSubDomainName to hold projects."));
    }
    None
}

fn build(
    state: &State,
    call: &Call,
    at: At<'_>,
    name: &str,
    account: &Value,
    request: Value,
    old: Option<&Value>,
) -> Result<Value, ArmError> {
    if let Some(why) = refuses_projects(account) {
        return Err(bad(why));
    }
    let Value::Object(mut body) = request else {
        return Err(bad("The request content must be a JSON object."));
    };
    let Some(location) = body.get("location").and_then(Value::as_str).filter(|l| !l.is_empty())
    else {
        return Err(ArmError::bad_request(
            "LocationRequired",
            "The location property is required for this definition.",
        ));
    };
    // A project lives in its account's region (inferred; wording ours), and stays there
    // (`location` is create-only, DESC).
    let account_location = account["location"].as_str().unwrap_or_default();
    if region(location) != region(account_location) {
        return Err(bad(format!(
            "A project must be in its account's location '{account_location}', not '{location}'."
        )));
    }
    let mut properties = match body.remove("properties") {
        Some(Value::Object(p)) => p,
        None | Some(Value::Null) => serde_json::Map::new(),
        Some(_) => return Err(bad("The project's properties must be an object.")),
    };
    let id =
        format!("{}/projects/{}", at.id(), old.and_then(|o| o["name"].as_str()).unwrap_or(name));
    let host = host_name(account);
    let is_default = match old {
        Some(o) => o["properties"]["isDefault"].as_bool().unwrap_or(false),
        None => state.children(&format!("{}/projects/", at.key())).is_empty(),
    };
    properties.insert("provisioningState".into(), json!("Accepted"));
    properties.insert("isDefault".into(), json!(is_default));
    properties.insert(
        "endpoints".into(),
        json!({
            "AI Foundry API": format!("https://{host}.services.ai.azure.com/api/projects/{name}"),
            "OpenAI Language Model Instance API": format!("https://{host}.openai.azure.com/"),
            "OpenAI Dall-E API": format!("https://{host}.openai.azure.com/"),
            "OpenAI Sora API": format!("https://{host}.openai.azure.com/"),
        }),
    );
    let identity = identity(state, &id, body.get("identity"), old.map(|o| &o["identity"]))?;
    let mut project = Value::Object(body);
    project["id"] = json!(id);
    project["name"] = json!(old.and_then(|o| o["name"].as_str()).unwrap_or(name));
    project["type"] = json!(PROJECT_TYPE);
    project["etag"] = json!(format!(
        "W/\"datetime'{}'\"",
        crate::sections::timestamp(call.now).replace(':', "%3A")
    ));
    project["properties"] = Value::Object(properties);
    match identity {
        Some(identity) => project["identity"] = identity,
        None => {
            if let Some(m) = project.as_object_mut() {
                m.remove("identity");
            }
        }
    }
    Ok(project)
}
