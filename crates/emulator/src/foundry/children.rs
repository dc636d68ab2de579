//! The account's other children, with the description's status codes and headers (DESC,
//! NOTES §2):
//!
//! - deployments: PUT 201/200 long-running via `Azure-AsyncOperation`; PATCH 202 with
//!   `Location` (final state via location); DELETE 202 (`Azure-AsyncOperation`, as
//!   EX/2025-09-01/DeleteDeployment.json) or 204; one deployment operation at a time per
//!   account (`RequestConflict`, NOTES §4). The body gets the service's defaults (the model's
//!   default version, `versionUpgradeOption`, `raiPolicyName`) and server-set fields
//!   (`currentCapacity`, `capabilities`, `rateLimits`); a live deployment changes its version
//!   or its capacity, one at a time (NOTES §5), never its model; its model quota is checked
//!   (quota.rs); a named content filter must exist.
//! - raiPolicies, raiBlocklists and their items: PUT synchronous 200/201; DELETE 202 with
//!   `Location` (final state via location) or 204; the system policies `Microsoft.Default` and
//!   `Microsoft.DefaultV2` exist on every account (NOTES §5) and cannot be written or deleted
//!   (inferred); a policy names a system base policy and existing blocklists; what a
//!   deployment or a policy still names cannot be deleted (inferred).
//! - capability hosts on an account or a project: PUT 201 with `Azure-AsyncOperation` and
//!   `x-ms-async-operation-timeout`, `Creating` for `Options::capability_host_lro`; no PATCH
//!   (405) and no update (delete, then create); a second host on the same parent refused
//!   (NOTES §4); connections named must exist on the host's parent (inferred); the fault
//!   `capabilityHostTimeouts` ends a creation with the service's timeout (NOTES §5); DELETE
//!   202 with `Location`, `Retry-After` and `x-ms-async-operation-timeout`, or 204.
//! - private endpoint connections: GET, list, PUT 200, DELETE 200/204 (synchronous; the
//!   description allows both).
//! - `listKeys` (refused when local auth is disabled: inferred), `skus`, `usages`, `models`,
//!   `privateLinkResources`, a deployment's `skus`.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::operations::{FoundryOp, Start, child_idle, start};
use super::projects::{parent, parent_project};
use super::*;
use crate::app::{merge_patch, method_not_allowed, page};
use crate::error::Reply;
use crate::routes::unknown_path;

/// The content filters every account has (NOTES §5; Terraform azurerm #32061).
pub(crate) const SYSTEM_POLICIES: &[&str] = &["Microsoft.Default", "Microsoft.DefaultV2"];

/// How long a capability-host operation may take, as the header states it (inferred value).
const HOST_TIMEOUT: &str = "PT2H";

fn not_found(arm_type: &str, name: &str, rg: &str) -> ArmError {
    ArmError::resource_not_found(arm_type, name, rg)
}

fn list_of(
    state: &State,
    settings: &Settings,
    call: &Call,
    prefix: &str,
    extra: Vec<Value>,
) -> ArmResult {
    if call.method != Method::GET {
        return Err(method_not_allowed(call));
    }
    let mut items = extra;
    items.extend(state.children(prefix).into_iter().cloned());
    Ok(Reply::ok(page(items, settings, call, "$skipToken")))
}

/// Dispatch the account's children other than projects, connections and capability hosts.
pub(crate) fn route(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    at: At<'_>,
    tail: &[String],
) -> ArmResult {
    let account = parent(state, at)?;
    let key = at.key();
    let id = at.id();
    let location = account["location"].as_str().unwrap_or_default().to_string();
    match tail {
        [t] if eq(t, "deployments") => {
            list_of(state, settings, call, &format!("{key}/deployments/"), vec![])
        }
        [t, d] if eq(t, "deployments") => deployment(state, settings, call, at, &location, d),
        [t, d, s] if eq(t, "deployments") && eq(s, "skus") => {
            if call.method != Method::GET {
                return Err(method_not_allowed(call));
            }
            let Some(deployment) =
                state.resources.get(&format!("{key}/deployments/{}", d.to_ascii_lowercase()))
            else {
                return Err(not_found(
                    "Microsoft.CognitiveServices/accounts/deployments",
                    d,
                    at.rg,
                ));
            };
            let sku = deployment["sku"]["name"].as_str().unwrap_or("Standard");
            Ok(Reply::ok(json!({ "value": [{
                "resourceType": "Microsoft.CognitiveServices/accounts/deployments",
                "sku": { "name": sku, "capacity": 1 },
                "capacity": { "minimum": 1, "maximum": 1000, "step": 1, "default": 10, "allowedValues": [] },
            }] })))
        }
        [t] if eq(t, "raiPolicies") => {
            let system = SYSTEM_POLICIES.iter().map(|p| system_policy(&id, p)).collect();
            list_of(state, settings, call, &format!("{key}/raipolicies/"), system)
        }
        [t, p] if eq(t, "raiPolicies") => rai_policy(state, settings, call, at, &location, p),
        [t] if eq(t, "raiBlocklists") => {
            list_of(state, settings, call, &format!("{key}/raiblocklists/"), vec![])
        }
        [t, b] if eq(t, "raiBlocklists") => {
            blocklist(state, settings, call, at, &location, b, None)
        }
        [t, b, i] if eq(t, "raiBlocklists") && eq(i, "raiBlocklistItems") => {
            let list = blocklist_key(at, b);
            if !state.resources.contains_key(&list) {
                return Err(not_found(
                    "Microsoft.CognitiveServices/accounts/raiBlocklists",
                    b,
                    at.rg,
                ));
            }
            list_of(state, settings, call, &format!("{list}/raiblocklistitems/"), vec![])
        }
        [t, b, i, n] if eq(t, "raiBlocklists") && eq(i, "raiBlocklistItems") => {
            blocklist(state, settings, call, at, &location, b, Some(n))
        }
        [t, b, action] if eq(t, "raiBlocklists") && eq(action, "addRaiBlocklistItems") => {
            batch(state, call, at, b, true)
        }
        [t, b, action] if eq(t, "raiBlocklists") && eq(action, "deleteRaiBlocklistItems") => {
            batch(state, call, at, b, false)
        }
        [t] if eq(t, "privateEndpointConnections") => {
            list_of(state, settings, call, &format!("{key}/privateendpointconnections/"), vec![])
        }
        [t, n] if eq(t, "privateEndpointConnections") => {
            private_endpoint_connection(state, call, at, n)
        }
        [t] if eq(t, "privateLinkResources") => {
            if call.method != Method::GET {
                return Err(method_not_allowed(call));
            }
            Ok(Reply::ok(json!({ "value": [{
                "id": format!("{id}/privateLinkResources/account"),
                "name": "account",
                "type": "Microsoft.CognitiveServices/accounts/privateLinkResources",
                "properties": {
                    "groupId": "account",
                    "requiredMembers": ["default"],
                    "requiredZoneNames": ["privatelink.cognitiveservices.azure.com", "privatelink.openai.azure.com", "privatelink.services.ai.azure.com"],
                },
            }] })))
        }
        [t] if eq(t, "listKeys") => {
            if call.method != Method::POST {
                return Err(method_not_allowed(call));
            }
            // With local auth disabled there are no keys to use: refused (inferred, the
            // stricter reading; wording ours).
            if account["properties"]["disableLocalAuth"] == json!(true) {
                return Err(bad(format!(
                    "Local authentication is disabled for the account '{}': keys cannot be listed.",
                    at.account
                )));
            }
            let seed =
                account["properties"]["internalId"].as_str().unwrap_or(at.account).to_string();
            let key_of = |n: &str| {
                uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("{seed}|{n}").as_bytes())
                    .simple()
                    .to_string()
            };
            Ok(Reply::ok(json!({ "key1": key_of("key1"), "key2": key_of("key2") })))
        }
        [t] if eq(t, "skus") => {
            if call.method != Method::GET {
                return Err(method_not_allowed(call));
            }
            Ok(Reply::ok(json!({ "value": [
                { "resourceType": ACCOUNT_TYPE, "sku": { "name": "F0", "tier": "Free" } },
                { "resourceType": ACCOUNT_TYPE, "sku": { "name": "S0", "tier": "Standard" } },
            ] })))
        }
        [t] if eq(t, "usages") => {
            if call.method != Method::GET {
                return Err(method_not_allowed(call));
            }
            let deployments = state.children(&format!("{key}/deployments/")).len();
            Ok(Reply::ok(json!({ "value": [{
                "name": { "value": "OpenAI.Standard.DeploymentCount", "localizedValue": "Deployments" },
                "currentValue": deployments, "limit": 32, "unit": "Count", "status": "Included",
            }] })))
        }
        [t] if eq(t, "models") => {
            if call.method != Method::GET {
                return Err(method_not_allowed(call));
            }
            Ok(Reply::ok(json!({ "value": super::catalog::models() })))
        }
        _ => Err(unknown_path(call)),
    }
}

/// A system-managed content filter as the list shows it: the four harm categories at Medium
/// on prompts and completions; `Microsoft.DefaultV2` adds the jailbreak and protected-material
/// filters (after Learn "content filtering"'s default policies; the exact bodies are the
/// emulator's: inferred).
fn system_policy(account_id: &str, name: &str) -> Value {
    let mut filters = Vec::new();
    for category in ["Hate", "Sexual", "Violence", "Selfharm"] {
        for source in ["Prompt", "Completion"] {
            filters.push(json!({ "name": category, "enabled": true, "severityThreshold": "Medium", "blocking": true, "source": source }));
        }
    }
    if eq(name, "Microsoft.DefaultV2") {
        filters.push(
            json!({ "name": "Jailbreak", "enabled": true, "blocking": true, "source": "Prompt" }),
        );
        for material in ["Protected Material Text", "Protected Material Code"] {
            filters.push(json!({ "name": material, "enabled": true, "blocking": true, "source": "Completion" }));
        }
    }
    json!({
        "id": format!("{account_id}/raiPolicies/{name}"),
        "name": name,
        "type": "Microsoft.CognitiveServices/accounts/raiPolicies",
        "properties": { "type": "SystemManaged", "mode": "Blocking", "basePolicyName": name, "contentFilters": filters },
    })
}

/// The values of `RaiPolicyMode`, `ContentLevel` and `RaiPolicyContentSource` (DESC).
const RAI_MODES: &[&str] = &["Default", "Deferred", "Blocking", "Asynchronous_filter"];
const SEVERITIES: &[&str] = &["Low", "Medium", "High"];
const SOURCES: &[&str] = &["Prompt", "Completion"];

/// Refuse a value outside an enum of the description (wording ours).
fn one_of(value: &Value, field: &str, allowed: &[&str], required: bool) -> Result<(), ArmError> {
    match value.get(field) {
        None | Some(Value::Null) if !required => Ok(()),
        Some(Value::String(v)) if allowed.iter().any(|a| a == v) => Ok(()),
        other => Err(bad(format!(
            "The content filter's {field} {} is not one of {}.",
            other.map(Value::to_string).unwrap_or_else(|| "(missing)".into()),
            allowed.join(", ")
        ))),
    }
}

/// What a content filter (RAI policy) PUT must hold (DESC `RaiPolicyProperties`): a system
/// policy as its base, the description's enums, and blocklists that exist on the account
/// (inferred, the stricter readings; wording ours).
fn check_policy(state: &State, at: At<'_>, properties: &Value) -> Result<(), ArmError> {
    match str_of(properties, "basePolicyName") {
        Some(base) if SYSTEM_POLICIES.iter().any(|p| eq(p, base)) => {}
        other => {
            return Err(bad(format!(
                "The basePolicyName '{}' is not one of {}.",
                other.unwrap_or_default(),
                SYSTEM_POLICIES.join(", ")
            )));
        }
    }
    one_of(properties, "mode", RAI_MODES, false)?;
    let list = |field: &str| match properties.get(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items.clone()),
        Some(_) => Err(bad(format!("The content filter's {field} must be an array."))),
    };
    for filter in list("contentFilters")? {
        if str_of(&filter, "name").is_none() {
            return Err(bad("Each of contentFilters needs a name."));
        }
        one_of(&filter, "severityThreshold", SEVERITIES, false)?;
        one_of(&filter, "source", SOURCES, true)?;
    }
    for blocklist in list("customBlocklists")? {
        let Some(name) = str_of(&blocklist, "blocklistName") else {
            return Err(bad("Each of customBlocklists needs a blocklistName."));
        };
        one_of(&blocklist, "source", SOURCES, false)?;
        if !state.resources.contains_key(&blocklist_key(at, name)) {
            return Err(bad(format!(
                "The RAI blocklist '{name}' does not exist on the account '{}'.",
                at.account
            )));
        }
    }
    Ok(())
}

/// The deployment's read-only fields a request may carry: dropped, then set by the emulator.
const DEPLOYMENT_READ_ONLY: &[&str] = &[
    "provisioningState",
    "capabilities",
    "rateLimits",
    "callRateLimit",
    "dynamicThrottlingEnabled",
    "currentCapacity",
];

/// The values of `versionUpgradeOption` (DESC `DeploymentModelVersionUpgradeOption`).
const UPGRADE_OPTIONS: &[&str] =
    &["OnceNewDefaultVersionAvailable", "OnceCurrentVersionExpired", "NoAutoUpgrade"];

/// The content filter a deployment gets when it names none (inferred: the service's current
/// default, NOTES §5).
const DEFAULT_POLICY: &str = "Microsoft.DefaultV2";

/// The server-set fields of a stored deployment, from what it holds: `currentCapacity` (the
/// SKU's capacity), the model's `capabilities`, and `rateLimits` (the emulator's numbers: per
/// capacity unit 1 request per 10 s and 1,000 tokens per minute). Also run after an
/// out-of-band edit (`POST /_emulator/edit`), so they never disagree with `sku`.
pub(crate) fn derive_deployment(deployment: &mut Value) {
    // An edit may have made it anything: only an object has fields to set.
    if !deployment.is_object() {
        return;
    }
    if !deployment["properties"].is_object() {
        deployment["properties"] = json!({});
    }
    let capacity = super::quota::capacity(deployment);
    let model = &deployment["properties"]["model"];
    let kind = super::catalog::model(
        model["format"].as_str().unwrap_or_default(),
        model["name"].as_str().unwrap_or_default(),
    )
    .map(|(_, kind)| kind)
    .unwrap_or(super::catalog::Kind::Chat);
    let properties = &mut deployment["properties"];
    properties["currentCapacity"] = json!(capacity);
    properties["capabilities"] = super::catalog::capabilities(kind);
    properties["rateLimits"] = json!([
        { "key": "request", "renewalPeriod": 10, "count": capacity },
        { "key": "token", "renewalPeriod": 60, "count": capacity.saturating_mul(1000) },
    ]);
}

/// Whether a key is a deployment's, for the control endpoint's edit.
pub(crate) fn is_deployment_key(key: &str) -> bool {
    super::quota::deployment_account(key).is_some()
}

fn model_field<'a>(deployment: &'a Value, field: &str) -> &'a str {
    deployment["properties"]["model"][field].as_str().unwrap_or_default()
}

/// The deployment to store from a PUT's body or a PATCH's merge (`body`), replacing `old`:
/// checked against what the service refuses, with its defaults and server-set fields.
fn deployment_body(
    state: &State,
    at: At<'_>,
    name: &str,
    mut body: Value,
    old: Option<&Value>,
) -> Result<Value, ArmError> {
    if !body.is_object() {
        return Err(bad("The request content must be a JSON object."));
    }
    if !body["properties"].is_object() {
        body["properties"] = json!({});
    }
    if let Some(p) = body["properties"].as_object_mut() {
        for field in DEPLOYMENT_READ_ONLY {
            p.remove(*field);
        }
    }
    // A SKU is required (DESC `Deployment.sku`; without one the service cannot place the
    // capacity: inferred, wording ours).
    if str_of(&body["sku"], "name").is_none() {
        return Err(bad(format!("The deployment '{name}' needs sku.name.")));
    }
    match body["sku"].get("capacity") {
        // The capacity a deployment gets when none is sent (inferred).
        None | Some(Value::Null) => body["sku"]["capacity"] = json!(1),
        Some(c) if c.as_u64().is_some_and(|c| c >= 1) => {}
        Some(c) => {
            // Wording ours.
            return Err(bad(format!(
                "The sku.capacity {c} of deployment '{name}' is not a positive integer."
            )));
        }
    }
    let (format, model) =
        (model_field(&body, "format").to_string(), model_field(&body, "name").to_string());
    if format.is_empty() || model.is_empty() || !body["properties"]["model"].is_object() {
        // Wording ours.
        return Err(bad(format!(
            "The deployment '{name}' needs properties.model with format and name."
        )));
    }
    // A model the local cloud does not offer is refused (inferred: the service deploys only
    // what its model list shows; code and wording ours). Its versions are not checked: the
    // service's change with time, and auto-upgrade brings new ones.
    let Some((default_version, _)) = super::catalog::model(&format, &model) else {
        return Err(bad(format!(
            "The model '{format}/{model}' is not offered in this region; see GET …/models."
        )));
    };
    if let Some(old) = old {
        // The service changes nothing of what is deployed but its version and capacity:
        // another model or format is a new deployment (inferred, the stricter reading;
        // wording ours).
        for field in ["name", "format"] {
            let (was, now) = (model_field(old, field), model_field(&body, field));
            if !eq(was, now) {
                return Err(bad(format!(
                    "The model {field} of deployment '{name}' cannot be changed from '{was}' to '{now}'; delete the deployment and create it again."
                )));
            }
        }
    }
    if str_of(&body["properties"]["model"], "version").is_none() {
        // Without a version: the old one on an update (inferred), the model's default on a
        // create (DESC `DeploymentModel.version`).
        let version = old
            .map(|o| model_field(o, "version"))
            .filter(|v| !v.is_empty())
            .unwrap_or(default_version)
            .to_string();
        body["properties"]["model"]["version"] = json!(version);
    }
    if let Some(old) = old {
        // "Cannot change capacity and model at the same time for deployment"
        // (Azure-Samples/azure-search-openai-demo #1154, NOTES §5; code ours).
        let capacity_changes = super::quota::capacity(old) != super::quota::capacity(&body);
        let version_changes = !eq(model_field(old, "version"), model_field(&body, "version"));
        if capacity_changes && version_changes {
            return Err(bad(format!(
                "Cannot change capacity and model at the same time for deployment '{name}'."
            )));
        }
    }
    match body["properties"].get("versionUpgradeOption") {
        // DESC's first value, what the service reports for a deployment that sent none
        // (inferred).
        None | Some(Value::Null) => {
            body["properties"]["versionUpgradeOption"] = json!(UPGRADE_OPTIONS[0]);
        }
        Some(Value::String(o)) if UPGRADE_OPTIONS.iter().any(|u| u == o) => {}
        Some(other) => {
            // Wording ours.
            return Err(bad(format!(
                "The versionUpgradeOption {other} is not one of {}.",
                UPGRADE_OPTIONS.join(", ")
            )));
        }
    }
    match str_of(&body["properties"], "raiPolicyName") {
        None => body["properties"]["raiPolicyName"] = json!(DEFAULT_POLICY),
        // A deployment naming a content filter needs it first (NOTES §5,
        // bicep-registry-modules #6642); the system ones exist on every account. Wording
        // ours.
        Some(policy) => {
            if !SYSTEM_POLICIES.iter().any(|p| eq(p, policy))
                && !state.resources.contains_key(&policy_key(at, policy))
            {
                return Err(bad(format!(
                    "The RAI policy '{policy}' does not exist on the account '{}'.",
                    at.account
                )));
            }
        }
    }
    derive_deployment(&mut body);
    Ok(body)
}

fn policy_key(at: At<'_>, name: &str) -> String {
    format!("{}/raipolicies/{}", at.key(), name.to_ascii_lowercase())
}

fn deployment(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    at: At<'_>,
    location: &str,
    name: &str,
) -> ArmResult {
    const TYPE: &str = "Microsoft.CognitiveServices/accounts/deployments";
    let key = format!("{}/deployments/{}", at.key(), name.to_ascii_lowercase());
    match call.method {
        Method::GET => state
            .resources
            .get(&key)
            .cloned()
            .map(Reply::ok)
            .ok_or_else(|| not_found(TYPE, name, at.rg)),
        Method::PUT | Method::PATCH => {
            let old = state.resources.get(&key).cloned();
            if call.method == Method::PATCH && old.is_none() {
                return Err(not_found(TYPE, name, at.rg));
            }
            child_idle(state, at)?;
            let request = Value::Object(call.json()?);
            let body = match (&old, call.method == Method::PATCH) {
                (Some(old), true) => {
                    let mut merged = old.clone();
                    merge_patch(&mut merged, &request);
                    merged
                }
                _ => request,
            };
            let mut body = deployment_body(state, at, name, body, old.as_ref())?;
            super::quota::check(state, at.sub, location, &key, old.as_ref(), &body)?;
            body["id"] = json!(format!("{}/deployments/{name}", at.id()));
            body["name"] = json!(name);
            body["type"] = json!(TYPE);
            body["properties"]["provisioningState"] =
                json!(if old.is_some() { "Updating" } else { "Creating" });
            state.resources.insert(key.clone(), body.clone());
            let patching = call.method == Method::PATCH;
            let created = old.is_none();
            let kind = if patching { FoundryOp::Patch } else { FoundryOp::Put { created } };
            let started =
                start(state, settings, call, Start { key: &key, kind, location, previous: old });
            if patching {
                // final-state-via: location (DESC).
                return Ok(started.location_headers(Reply::empty(StatusCode::ACCEPTED)));
            }
            let status = if created { StatusCode::CREATED } else { StatusCode::OK };
            Ok(started.async_headers(Reply::with_status(status, body)))
        }
        Method::DELETE => {
            child_delete(state, settings, call, at, location, &key, DeleteHeaders::AsyncOperation)
        }
        _ => Err(method_not_allowed(call)),
    }
}

/// Which polling header a child's 202 DELETE carries.
#[derive(Clone, Copy)]
enum DeleteHeaders {
    AsyncOperation,
    Location,
    HostLocation,
}

fn child_delete(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    at: At<'_>,
    location: &str,
    key: &str,
    headers: DeleteHeaders,
) -> ArmResult {
    if !state.resources.contains_key(key) {
        return Ok(Reply::empty(StatusCode::NO_CONTENT));
    }
    child_idle(state, at)?;
    if let Some(resource) = state.resources.get_mut(key)
        && resource["properties"].is_object()
    {
        resource["properties"]["provisioningState"] = json!("Deleting");
    }
    let started = start(
        state,
        settings,
        call,
        Start { key, kind: FoundryOp::ChildDelete, location, previous: None },
    );
    let reply = Reply::empty(StatusCode::ACCEPTED);
    Ok(match headers {
        DeleteHeaders::AsyncOperation => started.async_headers(reply),
        DeleteHeaders::Location => started.location_headers(reply),
        DeleteHeaders::HostLocation => {
            started.location_headers(reply).header("x-ms-async-operation-timeout", HOST_TIMEOUT)
        }
    })
}

fn rai_policy(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    at: At<'_>,
    location: &str,
    name: &str,
) -> ArmResult {
    const TYPE: &str = "Microsoft.CognitiveServices/accounts/raiPolicies";
    let key = policy_key(at, name);
    let system = SYSTEM_POLICIES.iter().find(|p| eq(p, name));
    match call.method {
        Method::GET => match (state.resources.get(&key), system) {
            (Some(p), _) => Ok(Reply::ok(p.clone())),
            (None, Some(s)) => Ok(Reply::ok(system_policy(&at.id(), s))),
            (None, None) => Err(not_found(TYPE, name, at.rg)),
        },
        Method::PUT => {
            if system.is_some() {
                return Err(bad(format!(
                    "The system-managed RAI policy '{name}' cannot be changed."
                )));
            }
            if !valid_name(name) {
                return Err(invalid_name("RAI policy", name));
            }
            child_idle(state, at)?;
            let mut body = Value::Object(call.json()?);
            if !body["properties"].is_object() {
                body["properties"] = json!({});
            }
            check_policy(state, at, &body["properties"])?;
            body["id"] = json!(format!("{}/raiPolicies/{name}", at.id()));
            body["name"] = json!(name);
            body["type"] = json!(TYPE);
            body["properties"]["type"] = json!("UserManaged");
            let created = state.resources.insert(key, body.clone()).is_none();
            Ok(Reply::with_status(if created { StatusCode::CREATED } else { StatusCode::OK }, body))
        }
        Method::DELETE => {
            if system.is_some() {
                return Err(bad(format!(
                    "The system-managed RAI policy '{name}' cannot be deleted."
                )));
            }
            // A content filter a deployment still names is not deleted (inferred; wording
            // ours): the deployment would be left without its filter.
            let users: Vec<String> = state
                .children(&format!("{}/deployments/", at.key()))
                .into_iter()
                .filter(|d| str_of(&d["properties"], "raiPolicyName").is_some_and(|p| eq(p, name)))
                .filter_map(|d| d["name"].as_str().map(str::to_string))
                .collect();
            if !users.is_empty() {
                return Err(bad(format!(
                    "The RAI policy '{name}' is used by the deployments {}; change them first.",
                    users.join(", ")
                )));
            }
            child_delete(state, settings, call, at, location, &key, DeleteHeaders::Location)
        }
        _ => Err(method_not_allowed(call)),
    }
}

fn blocklist_key(at: At<'_>, name: &str) -> String {
    format!("{}/raiblocklists/{}", at.key(), name.to_ascii_lowercase())
}

fn blocklist(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    at: At<'_>,
    location: &str,
    list: &str,
    item: Option<&String>,
) -> ArmResult {
    let list_key = blocklist_key(at, list);
    let (key, id, arm_type, name) = match item {
        None => (
            list_key.clone(),
            format!("{}/raiBlocklists/{list}", at.id()),
            "Microsoft.CognitiveServices/accounts/raiBlocklists",
            list,
        ),
        Some(item) => {
            if !state.resources.contains_key(&list_key) {
                return Err(ArmError::parent_not_found(&format!(
                    "Microsoft.CognitiveServices/accounts/raiBlocklists/{list}"
                )));
            }
            (
                format!("{list_key}/raiblocklistitems/{}", item.to_ascii_lowercase()),
                format!("{}/raiBlocklists/{list}/raiBlocklistItems/{item}", at.id()),
                "Microsoft.CognitiveServices/accounts/raiBlocklists/raiBlocklistItems",
                item.as_str(),
            )
        }
    };
    match call.method {
        Method::GET => state
            .resources
            .get(&key)
            .cloned()
            .map(Reply::ok)
            .ok_or_else(|| not_found(arm_type, name, at.rg)),
        Method::PUT => {
            if !valid_name(name) {
                return Err(invalid_name("RAI blocklist", name));
            }
            child_idle(state, at)?;
            let mut body = Value::Object(call.json()?);
            if !body["properties"].is_object() {
                body["properties"] = json!({});
            }
            body["id"] = json!(id);
            body["name"] = json!(name);
            body["type"] = json!(arm_type);
            let created = state.resources.insert(key, body.clone()).is_none();
            Ok(Reply::with_status(if created { StatusCode::CREATED } else { StatusCode::OK }, body))
        }
        Method::DELETE => {
            // A blocklist a content filter still names is not deleted (inferred; wording
            // ours).
            let users: Vec<String> = if item.is_none() {
                state
                    .children(&format!("{}/raipolicies/", at.key()))
                    .into_iter()
                    .filter(|p| {
                        p["properties"]["customBlocklists"].as_array().is_some_and(|b| {
                            b.iter()
                                .any(|b| str_of(b, "blocklistName").is_some_and(|n| eq(n, list)))
                        })
                    })
                    .filter_map(|p| p["name"].as_str().map(str::to_string))
                    .collect()
            } else {
                Vec::new()
            };
            if !users.is_empty() {
                return Err(bad(format!(
                    "The RAI blocklist '{list}' is used by the RAI policies {}; change them first.",
                    users.join(", ")
                )));
            }
            child_delete(state, settings, call, at, location, &key, DeleteHeaders::Location)
        }
        _ => Err(method_not_allowed(call)),
    }
}

/// `POST …/raiBlocklists/{b}/addRaiBlocklistItems` (200, the blocklist) and
/// `…/deleteRaiBlocklistItems` (204).
fn batch(state: &mut State, call: &Call, at: At<'_>, list: &str, add: bool) -> ArmResult {
    if call.method != Method::POST {
        return Err(method_not_allowed(call));
    }
    let list_key = blocklist_key(at, list);
    let Some(blocklist) = state.resources.get(&list_key).cloned() else {
        return Err(not_found("Microsoft.CognitiveServices/accounts/raiBlocklists", list, at.rg));
    };
    child_idle(state, at)?;
    let items: Value = serde_json::from_slice(&call.body).map_err(|e| {
        ArmError::bad_request(
            "InvalidRequestContent",
            format!("The request content was invalid and could not be deserialized: '{e}'."),
        )
    })?;
    let Some(items) = items.as_array() else {
        return Err(bad("The request content must be a JSON array."));
    };
    if add {
        for item in items {
            let Some(name) = str_of(item, "name").filter(|n| valid_name(n)) else {
                return Err(bad("Each blocklist item needs a valid name."));
            };
            state.resources.insert(
                format!("{list_key}/raiblocklistitems/{}", name.to_ascii_lowercase()),
                json!({
                    "id": format!("{}/raiBlocklists/{list}/raiBlocklistItems/{name}", at.id()),
                    "name": name,
                    "type": "Microsoft.CognitiveServices/accounts/raiBlocklists/raiBlocklistItems",
                    "properties": item.get("properties").cloned().unwrap_or_else(|| json!({})),
                }),
            );
        }
        return Ok(Reply::ok(blocklist));
    }
    for name in items.iter().filter_map(Value::as_str) {
        state
            .resources
            .remove(&format!("{list_key}/raiblocklistitems/{}", name.to_ascii_lowercase()));
    }
    Ok(Reply::empty(StatusCode::NO_CONTENT))
}

fn private_endpoint_connection(
    state: &mut State,
    call: &Call,
    at: At<'_>,
    name: &str,
) -> ArmResult {
    const TYPE: &str = "Microsoft.CognitiveServices/accounts/privateEndpointConnections";
    let key = format!("{}/privateendpointconnections/{}", at.key(), name.to_ascii_lowercase());
    match call.method {
        Method::GET => state
            .resources
            .get(&key)
            .cloned()
            .map(Reply::ok)
            .ok_or_else(|| not_found(TYPE, name, at.rg)),
        Method::PUT => {
            child_idle(state, at)?;
            let mut body = Value::Object(call.json()?);
            if !body["properties"].is_object() {
                body["properties"] = json!({});
            }
            body["id"] = json!(format!("{}/privateEndpointConnections/{name}", at.id()));
            body["name"] = json!(name);
            body["type"] = json!(TYPE);
            body["properties"]["provisioningState"] = json!("Succeeded");
            state.resources.insert(key, body.clone());
            Ok(Reply::ok(body))
        }
        Method::DELETE => {
            child_idle(state, at)?;
            match state.resources.remove(&key) {
                Some(_) => Ok(Reply::empty(StatusCode::OK)),
                None => Ok(Reply::empty(StatusCode::NO_CONTENT)),
            }
        }
        _ => Err(method_not_allowed(call)),
    }
}

/// The connection lists of a capability host (DESC `CapabilityHostProperties`).
const HOST_CONNECTIONS: &[&str] = &[
    "aiServicesConnections",
    "storageConnections",
    "threadStorageConnections",
    "vectorStoreConnections",
];

/// A host's connections must be lists of names of connections that exist on its project
/// (or its account, for an account host): inferred, the stricter reading (the service reads
/// them when it provisions; wording ours).
fn check_host_connections(
    state: &State,
    parent_key: &str,
    on_project: bool,
    properties: &Value,
) -> Result<(), ArmError> {
    let owner = if on_project { "project" } else { "account" };
    for field in HOST_CONNECTIONS {
        let names = match properties.get(*field) {
            None | Some(Value::Null) => continue,
            Some(Value::Array(names)) => names,
            Some(_) => {
                return Err(bad(format!(
                    "A capability host's {field} must be a list of connection names."
                )));
            }
        };
        for name in names {
            let Some(name) = name.as_str().filter(|n| !n.is_empty()) else {
                return Err(bad(format!(
                    "A capability host's {field} must be a list of connection names."
                )));
            };
            let key = format!("{parent_key}/connections/{}", name.to_ascii_lowercase());
            if !state.resources.contains_key(&key) {
                return Err(bad(format!(
                    "The connection '{name}' named in {field} does not exist on the capability host's {owner}."
                )));
            }
        }
    }
    Ok(())
}

/// `GET|PUT|DELETE ~/accounts/{a}[/projects/{p}]/capabilityHosts/{h}`; no PATCH.
pub(crate) fn capability_host(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    at: At<'_>,
    project: Option<&String>,
    name: &str,
) -> ArmResult {
    let account = parent(state, at)?;
    let location = account["location"].as_str().unwrap_or_default().to_string();
    let (parent_key, parent_id, arm_type) = match project {
        None => (at.key(), at.id(), "Microsoft.CognitiveServices/accounts/capabilityHosts"),
        Some(p) => {
            let key = parent_project(state, at, p)?;
            let id = state
                .resources
                .get(&key)
                .and_then(|v| v["id"].as_str())
                .unwrap_or_default()
                .to_string();
            (key, id, "Microsoft.CognitiveServices/accounts/projects/capabilityHosts")
        }
    };
    let hosts = format!("{parent_key}/capabilityhosts/");
    let key = format!("{hosts}{}", name.to_ascii_lowercase());
    match call.method {
        Method::GET => state
            .resources
            .get(&key)
            .cloned()
            .map(Reply::ok)
            .ok_or_else(|| not_found(arm_type, name, at.rg)),
        Method::PUT => {
            child_idle(state, at)?;
            let request = Value::Object(call.json()?);
            let mut properties = request.get("properties").cloned().unwrap_or_else(|| json!({}));
            if !properties.is_object() {
                return Err(bad("A capability host's properties must be an object."));
            }
            properties.as_object_mut().map(|p| p.remove("provisioningState"));
            if let Some(existing) = state.resources.get(&key) {
                let mut same = existing["properties"].clone();
                same.as_object_mut().map(|p| p.remove("provisioningState"));
                // No update: delete, then create (NOTES §4; DESC has no PATCH). An identical
                // PUT is answered as it stands (inferred; wording ours).
                if same != properties {
                    return Err(bad(format!(
                        "The capability host '{name}' cannot be updated; delete it, then create it again."
                    )));
                }
                return Ok(Reply::ok(existing.clone()));
            }
            // One host per account or project (foundry-samples #312; the message as NOTES §4
            // quotes it; status and code ours).
            if let Some(other) = state.children(&hosts).first() {
                let other_name = other["name"].as_str().unwrap_or_default();
                let other_state =
                    other["properties"]["provisioningState"].as_str().unwrap_or_default();
                return Err(bad(format!(
                    "There is an existing Capability Host with name: {other_name}, provisioning state: {other_state} for workspace: {parent_id}, cannot create a new Capability Host with name: {name} for the same ClientId."
                )));
            }
            check_host_connections(state, &parent_key, project.is_some(), &properties)?;
            properties["provisioningState"] = json!("Creating");
            let body = json!({
                "id": format!("{parent_id}/capabilityHosts/{name}"),
                "name": name,
                "type": arm_type,
                "properties": properties,
            });
            state.resources.insert(key.clone(), body.clone());
            let started = start(
                state,
                settings,
                call,
                Start {
                    key: &key,
                    kind: FoundryOp::Put { created: true },
                    location: &location,
                    previous: None,
                },
            );
            // A host seen failing after hours (foundry-samples #810, NOTES §5): the fault
            // `capabilityHostTimeouts` makes this creation end so, after its full duration.
            if state.capability_host_timeouts > 0 {
                state.capability_host_timeouts -= 1;
                if let Some(op) = state.operations.get_mut(&started.id) {
                    // The HTTP status is ours (the operation's status body carries none).
                    op.failure = Some((
                        500,
                        "CapabilityHostOperationFailed".into(),
                        "The resource provision operation did not complete within the allowed timeout period.".into(),
                    ));
                }
            }
            // final-state-via: original-uri (DESC): the client GETs the host when done.
            Ok(started
                .async_headers(Reply::with_status(StatusCode::CREATED, body))
                .header("x-ms-async-operation-timeout", HOST_TIMEOUT))
        }
        Method::DELETE => {
            child_delete(state, settings, call, at, &location, &key, DeleteHeaders::HostLocation)
        }
        _ => Err(method_not_allowed(call)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_fields_follow_the_sku_and_survive_any_edit() {
        let mut d = json!({ "sku": { "name": "GlobalStandard", "capacity": 4 }, "properties": { "model": { "format": "OpenAI", "name": "text-embedding-3-large" } } });
        derive_deployment(&mut d);
        assert_eq!(d["properties"]["currentCapacity"], 4);
        assert_eq!(d["properties"]["capabilities"]["embeddings"], "true");
        assert_eq!(d["properties"]["rateLimits"][1]["count"], 4000);
        for mut odd in [json!(5), json!(null), json!({ "properties": 3, "sku": "x" })] {
            derive_deployment(&mut odd);
        }
        let mut odd = json!({ "properties": 3 });
        derive_deployment(&mut odd);
        assert_eq!(odd["properties"]["currentCapacity"], 1);
    }

    #[test]
    fn content_filter_enums_are_the_descriptions() {
        assert!(one_of(&json!({ "source": "Prompt" }), "source", SOURCES, true).is_ok());
        assert!(one_of(&json!({}), "source", SOURCES, true).is_err());
        assert!(one_of(&json!({}), "mode", RAI_MODES, false).is_ok());
        assert!(one_of(&json!({ "mode": 2 }), "mode", RAI_MODES, false).is_err());
    }
}
