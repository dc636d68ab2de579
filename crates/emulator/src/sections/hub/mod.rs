//! Hub core: the workspace resource itself — its routes, GET/list (complete and thin), PUT,
//! PATCH and DELETE, the linked resources it must name, and what a live workspace refuses to
//! become (the identity, network and project parts in their own sections).

use axum::http::Method;
use serde_json::{Map, Value, json};

use super::connections::connection;
use super::connections::connection_view;
use super::network::rule_call;
use super::*;
use crate::app::{Call, Settings, method_not_allowed, page, unknown_path};
use crate::error::{ArmError, ArmResult, Reply};
use crate::resources::{group_exists, group_key};
use crate::state::State;

pub(crate) mod write;

pub(crate) use write::*;

/// What PATCH takes (`WorkspaceUpdateParameters`, NOTES.md §3.1); anything else is ignored,
/// as the service's deserializer ignores it.
pub(crate) const PATCHABLE_PROPERTIES: &[&str] = &[
    "friendlyName",
    "description",
    "imageBuildCompute",
    "primaryUserAssignedIdentity",
    "publicNetworkAccess",
    "applicationInsights",
    "containerRegistry",
    "managedNetwork",
    "enableDataIsolation",
    "systemDatastoresAuthMode",
    "v1LegacyMode",
    "serverlessComputeSettings",
    "serviceManagedResourcesSettings",
    "featureStoreSettings",
    "encryption",
];

/// Settings a project inherits from its hub: read back on the project, refused in its PUT
/// (shared/design/PEERS.md: azurerm nils them before updating a project).
pub(crate) const INHERITED: &[&str] = &[
    "storageAccount",
    "keyVault",
    "applicationInsights",
    "containerRegistry",
    "encryption",
    "managedNetwork",
];

/// Server-set, read-only properties: never taken from a request.
pub(crate) const READ_ONLY: &[&str] = &[
    "provisioningState",
    "workspaceId",
    "tenantId",
    "discoveryUrl",
    "mlFlowTrackingUri",
    "storageHnsEnabled",
    "privateLinkCount",
    "notebookInfo",
    "privateEndpointConnections",
    "serviceProvisionedResourceGroup",
];

/// Dispatch `{rg}/providers/Microsoft.MachineLearningServices/{rest}`.
pub fn route(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    sub: &str,
    rg: &str,
    rest: &[String],
) -> ArmResult {
    match rest {
        [w] if eq(w, "workspaces") => list(state, settings, call, sub, Some(rg)),
        [w, name] if eq(w, "workspaces") => workspace(state, settings, call, Ws { sub, rg, name }),
        [w, name, r] if eq(w, "workspaces") && eq(r, "outboundRules") => {
            let children = ("outboundrules", Value::clone as fn(&Value) -> Value);
            list_children(state, settings, call, Ws { sub, rg, name }, children)
        }
        [w, name, r, rule] if eq(w, "workspaces") && eq(r, "outboundRules") => {
            rule_call(state, settings, call, Ws { sub, rg, name }, rule)
        }
        [w, name, c] if eq(w, "workspaces") && eq(c, "connections") => {
            let children = ("connections", connection_view as fn(&Value) -> Value);
            list_children(state, settings, call, Ws { sub, rg, name }, children)
        }
        [w, name, c, conn] if eq(w, "workspaces") && eq(c, "connections") => {
            connection(state, call, Ws { sub, rg, name }, conn)
        }
        [w, name, p] if eq(w, "workspaces") && eq(p, "provisionManagedNetwork") => {
            provision(state, call, Ws { sub, rg, name })
        }
        _ => Err(unknown_path(call)),
    }
}

/// The workspace as GET returns it: internal marks removed, user and system outbound rules
/// composed into `managedNetwork.outboundRules`, a project's inherited settings filled in.
pub fn view(state: &State, key: &str) -> Option<Value> {
    let stored = state.resources.get(key)?;
    let mut view = stored.clone();
    let reads_null = stored[INTERNAL]["appInsightsReadsNull"].as_bool().unwrap_or(false);
    if let Some(object) = view.as_object_mut() {
        object.remove(INTERNAL);
    }
    if is_kind(stored, "Project") {
        let hub_key =
            stored["properties"]["hubResourceId"].as_str().unwrap_or_default().to_ascii_lowercase();
        if let Some(hub) = state.resources.get(&hub_key) {
            for field in INHERITED {
                if let Some(value) = hub["properties"].get(*field) {
                    if *field == "managedNetwork" {
                        let mut network = value.clone();
                        if let Some(n) = network.as_object_mut() {
                            n.remove("outboundRules");
                        }
                        view["properties"][*field] = network;
                    } else {
                        view["properties"][*field] = value.clone();
                    }
                }
            }
        }
    }
    if reads_null {
        // A hub's applicationInsights reads back null after one of its projects was updated
        // (Azure/azure-rest-api-specs #31696): the value is kept, only the read is wrong.
        view["properties"]["applicationInsights"] = Value::Null;
    }
    if !is_kind(stored, "Project") && isolation(&stored["properties"]) == "Disabled" {
        view["properties"]["managedNetwork"]["outboundRules"] = Value::Null;
    }
    if !is_kind(stored, "Project") && isolation(&stored["properties"]) != "Disabled" {
        let mut rules = Map::new();
        for rule in state.children(&format!("{key}/outboundrules/")) {
            if let Some(name) = rule["name"].as_str() {
                rules.insert(name.to_string(), rule["properties"].clone());
            }
        }
        view["properties"]["managedNetwork"]["outboundRules"] = Value::Object(rules);
    }
    Some(view)
}

/// `GET …/workspaces` in a resource group or a subscription, with `$skip` paging and the
/// 2026-05-01 `kind` filter.
pub fn list(
    state: &State,
    settings: &Settings,
    call: &Call,
    sub: &str,
    rg: Option<&str>,
) -> ArmResult {
    if call.method != Method::GET {
        return Err(method_not_allowed(call));
    }
    if let Some(rg) = rg
        && !group_exists(state, sub, rg)
    {
        return Err(ArmError::resource_group_not_found(rg));
    }
    let prefix = match rg {
        Some(rg) => {
            format!("{}/providers/{}/", group_key(sub, rg), WORKSPACE_TYPE.to_ascii_lowercase())
        }
        None => format!("/subscriptions/{sub}/resourcegroups/").to_ascii_lowercase(),
    };
    let suffix_type = format!("/providers/{}/", WORKSPACE_TYPE.to_ascii_lowercase());
    let kind = call.query.get("kind");
    let keys: Vec<String> = state
        .resources
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(k, _)| {
            k.find(&suffix_type).is_some_and(|i| !k[i + suffix_type.len()..].contains('/'))
        })
        .filter(|(_, w)| kind.is_none_or(|want| is_kind(w, want)))
        .map(|(k, _)| k.clone())
        .collect();
    let mut items: Vec<Value> = keys.iter().filter_map(|k| view(state, k)).collect();
    if settings.thin_lists {
        items = items.iter().map(thin).collect();
    }
    Ok(Reply::ok(page(items, settings, call, "$skip")))
}

/// A list item in the shape the published list examples give (`Workspace/listBySubscription.json`,
/// `listByResourceGroup.json`): no kind, identity, tags, provisioning state, encryption or
/// managed network, and only these properties. What the live service lists is not documented
/// (inferred: the stricter reading).
pub(crate) fn thin(item: &Value) -> Value {
    const KEPT: &[&str] = &[
        "containerRegistry",
        "keyVault",
        "applicationInsights",
        "storageAccount",
        "discoveryUrl",
        "friendlyName",
        "description",
    ];
    let properties: serde_json::Map<String, Value> = KEPT
        .iter()
        .filter_map(|k| item["properties"].get(*k).map(|v| (k.to_string(), v.clone())))
        .collect();
    json!({
        "id": item["id"],
        "name": item["name"],
        "type": item["type"],
        "location": item["location"],
        "properties": properties,
    })
}

pub(crate) fn workspace(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    ws: Ws<'_>,
) -> ArmResult {
    let Ws { sub, rg, name } = ws;
    if !group_exists(state, sub, rg) {
        return Err(ArmError::resource_group_not_found(rg));
    }
    let key = workspace_id(sub, rg, name).to_ascii_lowercase();
    match call.method {
        Method::GET => view(state, &key)
            .map(Reply::ok)
            .ok_or_else(|| ArmError::resource_not_found(WORKSPACE_TYPE, name, rg)),
        Method::PUT => put(state, settings, call, ws, &key),
        Method::PATCH => patch(state, settings, call, rg, name, &key),
        Method::DELETE => delete(state, settings, call, &key),
        _ => Err(method_not_allowed(call)),
    }
}

/// The linked resources a workspace names must exist, be of the right type, and agree (the
/// identity and encryption references: [`super::identity::check_references`]).
pub(crate) fn check_references(
    state: &State,
    properties: &Value,
    identity: &Value,
) -> Result<(), ArmError> {
    for (field, arm_type, what) in [
        ("storageAccount", "Microsoft.Storage/storageAccounts", "storage account"),
        ("keyVault", "Microsoft.KeyVault/vaults", "key vault"),
        ("applicationInsights", "Microsoft.Insights/components", "Application Insights component"),
        ("containerRegistry", "Microsoft.ContainerRegistry/registries", "container registry"),
    ] {
        if let Some(id) = str_of(properties, field)
            && !exists_as(state, id, arm_type)
        {
            return Err(missing(id, what));
        }
    }
    super::identity::check_references(state, properties, identity)
}

/// What a live workspace refuses to become (NOTES.md §5). `Ok(Some(..))` is a refusal that the
/// service reports through the long-running operation rather than at once.
pub(crate) fn check_transition(
    state: &State,
    key: &str,
    old: &Value,
    new: &Value,
) -> Result<Option<(u16, String, String)>, ArmError> {
    let (op, np) = (&old["properties"], &new["properties"]);
    let old_location = old["location"].as_str().unwrap_or_default().replace(' ', "");
    let new_location = new["location"].as_str().unwrap_or_default().replace(' ', "");
    if !eq(&old_location, &new_location) {
        let name = old["name"].as_str().unwrap_or_default();
        let rg = old["id"]
            .as_str()
            .unwrap_or_default()
            .split('/')
            .nth(4)
            .unwrap_or_default()
            .to_string();
        return Err(ArmError::conflict(
            "InvalidResourceLocation",
            format!(
                "The resource '{name}' already exists in location '{old_location}' in resource group '{rg}'. A resource with the same name cannot be created in location '{new_location}'. Please select a new resource name."
            ),
        ));
    }
    // Wording ours for the next refusals unless quoted in NOTES.md.
    if !eq(&kind_of(old), &kind_of(new)) {
        return refuse("The kind of a workspace cannot be changed.");
    }
    super::projects::check_transition(old, new)?;
    super::identity::check_transition(old, new)?;
    super::network::check_transition(state, key, old, new)?;
    for field in ["applicationInsights", "containerRegistry"] {
        if str_of(op, field).is_some() && str_of(np, field).is_none() && !is_kind(old, "Project") {
            return refuse(&format!(
                "After association with a hub, Azure Container Registry and Application Insights resources can't be disassociated (set to null): {field}."
            ));
        }
    }
    if !same_link(op, np, "storageAccount") && !is_kind(old, "Project") {
        // Reported by the service through the operation (Azure-Samples/get-started-with-ai-chat #65).
        return Ok(Some((
            400,
            "BadRequest".into(),
            "Storage Account update is not supported yet".into(),
        )));
    }
    Ok(None)
}

pub(crate) fn provision(state: &State, call: &Call, ws: Ws<'_>) -> ArmResult {
    if call.method != Method::POST {
        return Err(method_not_allowed(call));
    }
    let (_, workspace) = parent(state, ws)?;
    if isolation(&workspace["properties"]) == "Disabled" {
        return Err(ArmError::bad_request(
            "BadRequest",
            "The workspace has no managed network to provision.",
        ));
    }
    let spark = serde_json::from_slice::<Value>(&call.body)
        .ok()
        .and_then(|b| b["includeSpark"].as_bool())
        .unwrap_or(false);
    Ok(Reply::ok(json!({ "status": "Active", "sparkReady": spark })))
}

pub(crate) fn parent<'a>(state: &'a State, ws: Ws<'_>) -> Result<(String, &'a Value), ArmError> {
    let Ws { sub, rg, name } = ws;
    if !group_exists(state, sub, rg) {
        return Err(ArmError::resource_group_not_found(rg));
    }
    let key = workspace_id(sub, rg, name).to_ascii_lowercase();
    match state.resources.get(&key) {
        Some(w) => Ok((key, w)),
        None => Err(ArmError::parent_not_found(&format!("{WORKSPACE_TYPE}/{name}"))),
    }
}

/// `GET …/workspaces/{ws}/{collection}`: the workspace's children of one kind, as `view` shows them.
pub(crate) fn list_children(
    state: &State,
    settings: &Settings,
    call: &Call,
    ws: Ws<'_>,
    (collection, view): (&str, fn(&Value) -> Value),
) -> ArmResult {
    if call.method != Method::GET {
        return Err(method_not_allowed(call));
    }
    let (key, _) = parent(state, ws)?;
    let items: Vec<Value> =
        state.children(&format!("{key}/{collection}/")).into_iter().map(view).collect();
    Ok(Reply::ok(page(items, settings, call, "$skip")))
}
