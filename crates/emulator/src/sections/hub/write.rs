//! A workspace written: PUT (create or replace, with the server-set values filled in), PATCH
//! (only what `WorkspaceUpdateParameters` takes, the identity merged) and DELETE (soft, or
//! purged) — each a long-running operation.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::super::identity::check_key;
use super::super::identity::merge_identity;
use super::super::network::{check_rule, refresh_required_rules, remove_rules, rule_body};
use super::super::operations::*;
use super::super::*;
use super::*;
use crate::app::{Call, Settings};
use crate::error::{ArmError, ArmResult, Reply};
use crate::state::{OperationKind, State};

/// Keep only what PUT may set: read-only properties are the server's.
pub(crate) fn writable_properties(properties: &Value) -> Map<String, Value> {
    let mut out = properties.as_object().cloned().unwrap_or_default();
    for field in READ_ONLY {
        out.remove(*field);
    }
    out
}

/// Fill server-set values of a workspace about to be stored.
pub(crate) fn complete(
    state: &State,
    call: &Call,
    body: &mut Value,
    old: Option<&Value>,
    provisioning: &str,
) {
    let workspace_id = old
        .and_then(|o| o["properties"]["workspaceId"].as_str().map(str::to_string))
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let location = body["location"].as_str().unwrap_or_default().to_string();
    let id = body_id(body);
    let project = is_kind(body, "Project");
    if let Some(p) = body["properties"].as_object_mut() {
        p.insert("provisioningState".into(), json!(provisioning));
        p.insert("workspaceId".into(), json!(workspace_id));
        p.insert("tenantId".into(), json!(state.tenant_id));
        p.insert(
            "discoveryUrl".into(),
            json!(format!("https://{location}.api.azureml.ms/discovery")),
        );
        p.insert(
            "mlFlowTrackingUri".into(),
            json!(format!("azureml://{location}.api.azureml.ms/mlflow/v1.0{id}")),
        );
        p.insert("storageHnsEnabled".into(), json!(false));
        p.insert("privateLinkCount".into(), json!(0));
        p.entry("privateEndpointConnections").or_insert(json!([]));
        p.entry("serviceProvisionedResourceGroup").or_insert(Value::Null);
        p.entry("imageBuildCompute").or_insert(Value::Null);
        p.entry("publicNetworkAccess").or_insert(json!("Enabled"));
        p.entry("v1LegacyMode").or_insert(json!(false));
        p.entry("enableDataIsolation").or_insert(json!(false));
        p.entry("hbiWorkspace").or_insert(json!(false));
        p.entry("allowPublicAccessWhenBehindVnet").or_insert(json!(false));
        // Application Insights ids come back with the provider namespace in lower case, as in
        // the service's own examples (shared/arm-reference/.../Workspace/get.json).
        if let Some(ai) = p.get("applicationInsights").and_then(Value::as_str) {
            let lowered =
                ai.replace("/providers/Microsoft.Insights/", "/providers/microsoft.insights/");
            p.insert("applicationInsights".into(), json!(lowered));
        }
        if !project {
            let network = p.entry("managedNetwork").or_insert(json!({}));
            if let Some(n) = network.as_object_mut() {
                n.entry("isolationMode").or_insert(json!("Disabled"));
                n.remove("outboundRules");
                let active = n
                    .get("isolationMode")
                    .and_then(Value::as_str)
                    .is_some_and(|m| !eq(m, "Disabled"));
                if eq(
                    n.get("isolationMode").and_then(Value::as_str).unwrap_or_default(),
                    "AllowOnlyApprovedOutbound",
                ) {
                    n.entry("firewallSku").or_insert(json!("Standard"));
                }
                n.insert("status".into(), json!({ "status": if active { "Active" } else { "Inactive" }, "sparkReady": false }));
                n.insert(
                    "networkId".into(),
                    json!(if active { workspace_id.clone() } else { String::new() }),
                );
            }
        }
    }
    // identity: principal ids for system identities, client/principal ids for user ones.
    let identity_type = body["identity"]["type"].as_str().unwrap_or_default().to_ascii_lowercase();
    if identity_type.contains("systemassigned") {
        let principal = old
            .and_then(|o| o["identity"]["principalId"].as_str().map(str::to_string))
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        body["identity"]["principalId"] = json!(principal);
        body["identity"]["tenantId"] = json!(state.tenant_id);
    }
    if let Some(uais) = body["identity"]["userAssignedIdentities"].as_object_mut() {
        for (id, value) in uais.iter_mut() {
            let stored = state.resources.get(&id.to_ascii_lowercase());
            *value = json!({
                "principalId": stored.and_then(|s| s["properties"]["principalId"].as_str()).unwrap_or_default(),
                "clientId": stored.and_then(|s| s["properties"]["clientId"].as_str()).unwrap_or_default(),
            });
        }
    }
    let now = timestamp(call.now);
    let created_at = old
        .and_then(|o| o["systemData"]["createdAt"].as_str().map(str::to_string))
        .unwrap_or_else(|| now.clone());
    body["systemData"] = json!({
        "createdAt": created_at,
        "createdBy": call.caller.appid,
        "createdByType": "Application",
        "lastModifiedAt": now,
        "lastModifiedBy": call.caller.appid,
        "lastModifiedByType": "Application",
    });
    if body.get("sku").is_none_or(Value::is_null) {
        body["sku"] = json!({ "name": "Basic", "tier": "Basic" });
    }
    if body.get("tags").is_none_or(Value::is_null) {
        body["tags"] = json!({});
    }
}

pub(crate) fn body_id(body: &Value) -> String {
    body["id"].as_str().unwrap_or_default().to_string()
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn put(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    ws: Ws<'_>,
    key: &str,
) -> ArmResult {
    let Ws { sub, rg, name } = ws;
    provider_registered(state, sub)?;
    if !is_service_name(name) {
        return Err(invalid_name("workspace", name));
    }
    busy(state, key, name)?;
    if !state.resources.contains_key(key) && state.soft_deleted.contains_key(key) {
        // The service's answer, as users quote it (Azure/ResourceModules #3596, Azure/azure-cli
        // #33756); its HTTP status is not quoted there (inferred: 400, with the code).
        return Err(ArmError::bad_request(
            "BadRequest",
            "Soft-deleted workspace exists. Please purge or recover it. https://aka.ms/wsoftdelete",
        ));
    }
    let request = call.json()?;
    let location =
        request.get("location").and_then(Value::as_str).filter(|l| !l.is_empty()).ok_or_else(
            || {
                ArmError::bad_request(
                    "LocationRequired",
                    "The location property is required for this definition.",
                )
            },
        )?;
    let kind = request.get("kind").and_then(Value::as_str).unwrap_or("Default").to_string();
    if !["Default", "Hub", "Project", "FeatureStore"].iter().any(|k| eq(k, &kind)) {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "Workspace kind '{kind}' is not supported; expected Default, Hub, Project or FeatureStore."
            ),
        ));
    }
    let properties = request.get("properties").cloned().unwrap_or_else(|| json!({}));
    if !properties.is_object() {
        return Err(ArmError::bad_request(
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized: 'properties must be an object'.",
        ));
    }
    let old = state.resources.get(key).cloned();
    let mut body = json!({
        "id": old.as_ref().map(body_id).unwrap_or_else(|| workspace_id(sub, rg, name)),
        "name": old.as_ref().and_then(|o| o["name"].as_str().map(str::to_string)).unwrap_or_else(|| name.to_string()),
        "type": WORKSPACE_TYPE,
        "location": location,
        "kind": kind,
        "tags": request.get("tags").cloned().unwrap_or_else(|| json!({})),
        "identity": request.get("identity").cloned().unwrap_or_else(|| json!({ "type": "None" })),
        "properties": Value::Object(writable_properties(&properties)),
    });
    if let Some(sku) = request.get("sku") {
        body["sku"] = sku.clone();
    }
    let inline_rules: Vec<(String, Value)> = properties["managedNetwork"]["outboundRules"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let mut hub_key = None;
    if eq(&kind, "Project") {
        let hub_id = str_of(&properties, "hubResourceId").ok_or_else(|| {
            ArmError::bad_request(
                "BadRequest",
                "A project needs properties.hubResourceId: the id of its hub.",
            )
        })?;
        let hub = state
            .resources
            .get(&hub_id.to_ascii_lowercase())
            .filter(|h| is_kind(h, "Hub"))
            .ok_or_else(|| {
            ArmError::bad_request(
                "BadRequest",
                format!("The hub '{hub_id}' of the project was not found."),
            )
        })?;
        let hub_isolation = isolation(&hub["properties"]);
        for field in INHERITED {
            let Some(value) = properties.get(*field).filter(|v| !v.is_null()) else { continue };
            if *field == "managedNetwork"
                && hub_isolation != "Disabled"
                && eq(value["isolationMode"].as_str().unwrap_or_default(), "Disabled")
            {
                return Err(ArmError::bad_request(
                    "ValidationError",
                    "Managed network cannot be disabled once enabled.",
                ));
            }
            return Err(inherited(field));
        }
        hub_key = Some(hub_id.to_ascii_lowercase());
    } else if str_of(&properties, "storageAccount").is_none() {
        return Err(ArmError::bad_request(
            "BadRequest",
            "properties.storageAccount is required for a workspace of this kind.",
        ));
    }
    check_references(state, &body["properties"], &body["identity"])?;
    let mut checked_rules = Vec::new();
    for (rule_name, rule) in &inline_rules {
        checked_rules
            .push((rule_name.clone(), check_rule(state, rule_name, rule, &body["properties"])?));
    }
    let mut deferred = None;
    if let Some(old) = &old {
        deferred = check_transition(state, key, old, &body)?;
    }
    if deferred.is_some() {
        // The service accepts the call and fails the operation; nothing changes.
        let previous = old.clone();
        let location_name =
            old.as_ref().and_then(|o| o["location"].as_str()).unwrap_or(location).to_string();
        return Ok(accept_patch(state, settings, call, key, (&location_name, deferred, previous)));
    }
    let provisioning = if old.is_some() { "Updating" } else { "Creating" };
    complete(state, call, &mut body, old.as_ref(), provisioning);
    if let Some(old) = &old
        && let Some(flags) = old.get(INTERNAL)
        && !is_kind(old, "Hub")
    {
        body[INTERNAL] = flags.clone();
    }
    state.resources.insert(key.to_string(), body);
    store_rules(state, key, checked_rules);
    if let (Some(hub_key), true) = (hub_key, old.is_some()) {
        mark_app_insights_reads_null(state, &hub_key);
    }
    let kind = OperationKind::WorkspacePut { created: old.is_none() };
    let start = Start { key, kind, location, failure: None, previous: old };
    Ok(accept(state, settings, call, start))
}

pub(crate) fn mark_app_insights_reads_null(state: &mut State, hub_key: &str) {
    if let Some(hub) = state.resources.get_mut(hub_key)
        && hub["properties"].get("applicationInsights").is_some_and(|v| !v.is_null())
    {
        hub[INTERNAL] = json!({ "appInsightsReadsNull": true });
    }
}

pub(crate) fn patch(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    rg: &str,
    name: &str,
    key: &str,
) -> ArmResult {
    let Some(old) = state.resources.get(key).cloned() else {
        return Err(ArmError::resource_not_found(WORKSPACE_TYPE, name, rg));
    };
    busy(state, key, name)?;
    let request = call.json()?;
    let mut body = old.clone();
    if let Some(object) = body.as_object_mut() {
        object.remove(INTERNAL);
    }
    if let Some(tags) = request.get("tags") {
        body["tags"] = tags.clone();
    }
    if let Some(sku) = request.get("sku") {
        body["sku"] = sku.clone();
    }
    if let Some(identity) = request.get("identity") {
        body["identity"] = merge_identity(&old["identity"], identity);
    }
    let mut new_rules = Vec::new();
    if let Some(properties) = request.get("properties").and_then(Value::as_object) {
        for (field, value) in properties {
            if !PATCHABLE_PROPERTIES.contains(&field.as_str()) {
                continue;
            }
            match field.as_str() {
                // Only the key identifier is patchable (EncryptionUpdateProperties).
                "encryption" => {
                    if let Some(key_id) = value["keyVaultProperties"]["keyIdentifier"].as_str() {
                        body["properties"]["encryption"]["keyVaultProperties"]["keyIdentifier"] =
                            json!(key_id);
                    }
                }
                "managedNetwork" => {
                    if let Some(rules) = value["outboundRules"].as_object() {
                        new_rules = rules.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                    }
                    let mut network = value.clone();
                    if let Some(n) = network.as_object_mut() {
                        n.remove("outboundRules");
                    }
                    crate::app::merge_patch(&mut body["properties"]["managedNetwork"], &network);
                }
                _ => body["properties"][field] = value.clone(),
            }
        }
    }
    if is_kind(&old, "Project") {
        for field in INHERITED {
            if request["properties"].get(*field).is_some_and(|v| !v.is_null()) {
                return Err(inherited(field));
            }
        }
    }
    check_references(state, &body["properties"], &body["identity"])?;
    if let Some(deferred) = check_transition(state, key, &old, &body)? {
        let location = old["location"].as_str().unwrap_or_default().to_string();
        return Ok(accept_patch(
            state,
            settings,
            call,
            key,
            (&location, Some(deferred), Some(old)),
        ));
    }
    if let Some(key_id) =
        body["properties"]["encryption"]["keyVaultProperties"]["keyIdentifier"].as_str()
        && eq(body["properties"]["encryption"]["status"].as_str().unwrap_or_default(), "Enabled")
    {
        let vault = body["properties"]["encryption"]["keyVaultProperties"]["keyVaultArmId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        check_key(state, &vault, key_id)?;
    }
    let mut checked = Vec::new();
    for (rule_name, rule) in &new_rules {
        checked.push((rule_name.clone(), check_rule(state, rule_name, rule, &body["properties"])?));
    }
    complete(state, call, &mut body, Some(&old), "Updating");
    state.resources.insert(key.to_string(), body);
    // Whether a PATCH of managedNetwork without outboundRules keeps the user's rules is not
    // public: with this setting the emulator takes the harsher reading and clears them
    // (**inferred**; clients must be right under both).
    let network = request.get("properties").and_then(|p| p.get("managedNetwork"));
    let network_without_rules =
        network.is_some_and(|n| n.is_object() && n.get("outboundRules").is_none());
    if settings.network_patch_clears_rules && network_without_rules {
        remove_rules(state, key, true);
    }
    store_rules(state, key, checked);
    if is_kind(&old, "Project")
        && let Some(hub) = old["properties"]["hubResourceId"].as_str()
    {
        mark_app_insights_reads_null(state, &hub.to_ascii_lowercase());
    }
    let location = old["location"].as_str().unwrap_or_default().to_string();
    Ok(accept_patch(state, settings, call, key, (&location, None, Some(old))))
}

pub(crate) fn delete(state: &mut State, settings: &Settings, call: &Call, key: &str) -> ArmResult {
    let Some(old) = state.resources.get(key).cloned() else {
        return Ok(Reply::empty(StatusCode::NO_CONTENT));
    };
    // `forceToPurge=true` purges; without it the delete is soft (workspaceRP.json
    // Workspaces_Delete; Learn "Workspace soft deletion").
    let purge = call.query.get("forceToPurge").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let name = old["name"].as_str().unwrap_or_default().to_string();
    busy(state, key, &name)?;
    if let Some(w) = state.resources.get_mut(key) {
        w["properties"]["provisioningState"] = json!("Deleting");
    }
    let location = old["location"].as_str().unwrap_or_default().to_string();
    Ok(accept(
        state,
        settings,
        call,
        Start {
            key,
            kind: if purge {
                OperationKind::WorkspacePurge
            } else {
                OperationKind::WorkspaceDelete
            },
            location: &location,
            failure: None,
            previous: None,
        },
    ))
}

/// A project may not set what it inherits from its hub.
fn inherited(field: &str) -> ArmError {
    ArmError::bad_request(
        "BadRequest",
        format!(
            "Property '{field}' of a project is inherited from its hub and cannot be set on the project."
        ),
    )
}

/// How an operation ends when it fails: (HTTP status, code, message).
type Failure = (u16, String, String);

/// An update of the workspace at `key` as a long-running operation: (its region, the failure
/// the operation ends with if any, the workspace before it).
fn accept_patch(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    key: &str,
    (location, failure, previous): (&str, Option<Failure>, Option<Value>),
) -> Reply {
    let kind = OperationKind::WorkspacePatch;
    accept(state, settings, call, Start { key, kind, location, failure, previous })
}

/// The user's rules a workspace write carried, stored as their own resources (Active), and the
/// service's required rules brought up to date.
fn store_rules(state: &mut State, key: &str, rules: Vec<(String, Value)>) {
    let workspace_id = body_id(&state.resources[key]);
    for (rule_name, mut rule) in rules {
        rule["status"] = json!("Active");
        state.resources.insert(
            format!("{key}/outboundrules/{}", rule_name.to_ascii_lowercase()),
            rule_body(&workspace_id, &rule_name, rule),
        );
    }
    refresh_required_rules(state, key);
}
