//! `Microsoft.MachineLearningServices/workspaces` (hubs and projects), their outbound rules and
//! connections, and the operation-status resource their long-running calls point at.
//!
//! Behaviour follows `ML/stable/2025-12-01/workspaceRP.json` and 2026-05-01 (copies and notes
//! in shared/arm-reference/): PUT, PATCH and DELETE answer 202 with a
//! `…/locations/{region}/workspaceOperationsStatus/{id}` Location and Retry-After; the Location
//! answers 202 while running, then what the synchronous call would have answered. The refusals
//! on a live hub are the service's (NOTES.md §5); where the service's exact code or message is
//! not public, the comment says the wording is ours.

use axum::http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use crate::app::{Call, Settings, method_not_allowed, page, unknown_path};
use crate::error::{ArmError, ArmResult, Reply};
use crate::resources::{group_exists, group_key};
use crate::state::{Operation, OperationKind, State};

/// The provider namespace.
pub const PROVIDER: &str = "Microsoft.MachineLearningServices";
/// The workspace type.
pub const WORKSPACE_TYPE: &str = "Microsoft.MachineLearningServices/workspaces";
/// The stable api-versions the emulator answers (NOTES.md §1).
pub const API_VERSIONS: &[&str] = &[
    "2024-10-01",
    "2025-04-01",
    "2025-06-01",
    "2025-09-01",
    "2025-12-01",
    "2026-03-01",
    "2026-05-01",
];

/// What PATCH takes (`WorkspaceUpdateParameters`, NOTES.md §3.1); anything else is ignored,
/// as the service's deserializer ignores it.
const PATCHABLE_PROPERTIES: &[&str] = &[
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
const INHERITED: &[&str] = &[
    "storageAccount",
    "keyVault",
    "applicationInsights",
    "containerRegistry",
    "encryption",
    "managedNetwork",
];

/// Server-set, read-only properties: never taken from a request.
const READ_ONLY: &[&str] = &[
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

const INTERNAL: &str = "_emulator";

fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// RFC 3339 time of `ms` since the epoch.
pub fn timestamp(ms: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn workspace_id(sub: &str, rg: &str, name: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/{WORKSPACE_TYPE}/{name}")
}

fn is_service_name(name: &str) -> bool {
    let b = name.as_bytes();
    (3..=33).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b[1..].iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
}

fn invalid_name(what: &str, name: &str) -> ArmError {
    ArmError::bad_request(
        "InvalidResourceName",
        format!(
            "Resource name '{name}' is invalid for a {what}. It must match the pattern '^[a-zA-Z0-9][a-zA-Z0-9_-]{{2,32}}$'."
        ),
    )
}

fn kind_of(workspace: &Value) -> String {
    workspace["kind"].as_str().unwrap_or("Default").to_string()
}

fn is_kind(workspace: &Value, kind: &str) -> bool {
    eq(&kind_of(workspace), kind)
}

fn isolation(properties: &Value) -> String {
    properties["managedNetwork"]["isolationMode"].as_str().unwrap_or("Disabled").to_string()
}

fn str_of<'a>(value: &'a Value, field: &str) -> Option<&'a str> {
    value.get(field).and_then(Value::as_str).filter(|s| !s.is_empty())
}

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
        [w, name] if eq(w, "workspaces") => workspace(state, settings, call, sub, rg, name),
        [w, name, r] if eq(w, "workspaces") && eq(r, "outboundRules") => {
            list_children(state, settings, call, sub, rg, name, "outboundrules", Value::clone)
        }
        [w, name, r, rule] if eq(w, "workspaces") && eq(r, "outboundRules") => {
            rule_call(state, settings, call, sub, rg, name, rule)
        }
        [w, name, c] if eq(w, "workspaces") && eq(c, "connections") => {
            list_children(state, settings, call, sub, rg, name, "connections", connection_view)
        }
        [w, name, c, conn] if eq(w, "workspaces") && eq(c, "connections") => {
            connection(state, call, sub, rg, name, conn)
        }
        [w, name, p] if eq(w, "workspaces") && eq(p, "provisionManagedNetwork") => {
            provision(state, call, sub, rg, name)
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
fn thin(item: &Value) -> Value {
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

fn workspace(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    sub: &str,
    rg: &str,
    name: &str,
) -> ArmResult {
    if !group_exists(state, sub, rg) {
        return Err(ArmError::resource_group_not_found(rg));
    }
    let key = workspace_id(sub, rg, name).to_ascii_lowercase();
    match call.method {
        Method::GET => view(state, &key)
            .map(Reply::ok)
            .ok_or_else(|| ArmError::resource_not_found(WORKSPACE_TYPE, name, rg)),
        Method::PUT => put(state, settings, call, sub, rg, name, &key),
        Method::PATCH => patch(state, settings, call, rg, name, &key),
        Method::DELETE => delete(state, settings, call, &key),
        _ => Err(method_not_allowed(call)),
    }
}

fn busy(state: &State, key: &str, name: &str) -> Result<(), ArmError> {
    if state.running_operation(key).is_some() {
        // The ML RP's own code for this is not public; ARM's generic one (NOTES.md §10.3).
        return Err(ArmError::conflict(
            "AnotherOperationInProgress",
            format!(
                "Conflict of operation, another operation on same entity is already running in workspace {name}. Wait for concurrent operation to complete."
            ),
        ));
    }
    Ok(())
}

fn provider_registered(state: &State, sub: &str) -> Result<(), ArmError> {
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

/// A long-running operation about to start.
struct Start<'a> {
    /// The resource's lower-case key.
    key: &'a str,
    /// What completion does.
    kind: OperationKind,
    /// The resource's region (it is in the Location URL).
    location: &'a str,
    /// A refusal the service reports through the operation.
    failure: Option<(u16, String, String)>,
    /// The resource before the change, restored if the operation fails.
    previous: Option<Value>,
}

/// Start a long-running operation and answer 202 with its Location.
fn accept(state: &mut State, settings: &Settings, call: &Call, start: Start<'_>) -> Reply {
    let Start { key, kind, location, failure, previous } = start;
    let id = uuid::Uuid::new_v4().to_string();
    let done_at_ms = call.now + settings.lro.as_millis() as u64;
    let forced = failure.is_none() && state.fail_next_operations > 0;
    if forced {
        state.fail_next_operations -= 1;
    }
    let failure = failure.or_else(|| {
        (call.fail_operation || forced).then(|| {
            (
                500,
                "InternalServerError".to_string(),
                "Injected fault: the operation failed.".to_string(),
            )
        })
    });
    state.operations.insert(
        id.clone(),
        Operation {
            id: id.clone(),
            resource_key: key.to_string(),
            kind,
            done_at_ms,
            settled: false,
            failure,
            previous,
            lost: false,
        },
    );
    let sub = call.segments.get(1).cloned().unwrap_or_default();
    let location = location.replace(' ', "").to_ascii_lowercase();
    let url = format!(
        "{}/subscriptions/{sub}/providers/{PROVIDER}/locations/{location}/workspaceOperationsStatus/{id}?api-version={}",
        call.base,
        call.api_version()
    );
    Reply::empty(StatusCode::ACCEPTED)
        .header("Location", url)
        .header("Retry-After", retry_after(settings))
}

fn retry_after(settings: &Settings) -> String {
    (settings.lro.as_millis() / 1000).to_string()
}

/// `GET …/locations/{region}/workspaceOperationsStatus/{id}`.
pub fn operation_status(state: &State, settings: &Settings, call: &Call, id: &str) -> ArmResult {
    if call.method != Method::GET {
        return Err(method_not_allowed(call));
    }
    let Some(op) = state.operations.values().find(|op| eq(&op.id, id)) else {
        return Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("The operation '{id}' was not found."),
        ));
    };
    if !op.settled {
        let url = format!("{}{}?api-version={}", call.base, call.path, call.api_version());
        return Ok(Reply::empty(StatusCode::ACCEPTED)
            .header("Location", url)
            .header("Retry-After", retry_after(settings)));
    }
    if let Some((status, code, message)) = &op.failure {
        let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return Err(ArmError::new(status, code, message.clone()));
    }
    match op.kind {
        OperationKind::WorkspacePut { .. } | OperationKind::WorkspacePatch => {
            Ok(view(state, &op.resource_key)
                .map(Reply::ok)
                .unwrap_or_else(|| Reply::empty(StatusCode::OK)))
        }
        OperationKind::RulePut => match state.resources.get(&op.resource_key) {
            Some(rule) => Ok(Reply::ok(rule.clone())),
            None => Ok(Reply::empty(StatusCode::OK)),
        },
        OperationKind::WorkspaceDelete
        | OperationKind::WorkspacePurge
        | OperationKind::RuleDelete => Ok(Reply::empty(StatusCode::OK)),
    }
}

/// The linked resources a workspace names must exist, be of the right type, and agree.
fn check_references(state: &State, properties: &Value, identity: &Value) -> Result<(), ArmError> {
    let missing = |id: &str, what: &str| {
        // Wording ours: the ML RP's exact text for a missing linked resource is not public.
        ArmError::bad_request(
            "BadRequest",
            format!(
                "The {what} '{id}' linked to the workspace was not found or is not accessible."
            ),
        )
    };
    let exists_as = |id: &str, arm_type: &str| -> bool {
        let lower = id.to_ascii_lowercase();
        lower.contains(&format!("/providers/{}/", arm_type.to_ascii_lowercase()))
            && state.resources.contains_key(lower.trim_end_matches('/'))
    };
    for (field, arm_type, what) in [
        ("storageAccount", "Microsoft.Storage/storageAccounts", "storage account"),
        ("keyVault", "Microsoft.KeyVault/vaults", "key vault"),
        ("applicationInsights", "Microsoft.Insights/components", "Application Insights component"),
        ("containerRegistry", "Microsoft.ContainerRegistry/registries", "container registry"),
    ] {
        if let Some(id) = str_of(properties, field)
            && !exists_as(id, arm_type)
        {
            return Err(missing(id, what));
        }
    }
    let identities: Vec<String> = identity["userAssignedIdentities"]
        .as_object()
        .map(|m| m.keys().map(|k| k.to_ascii_lowercase()).collect())
        .unwrap_or_default();
    for id in &identities {
        if !exists_as(id, "Microsoft.ManagedIdentity/userAssignedIdentities") {
            return Err(missing(id, "user-assigned identity"));
        }
    }
    if let Some(primary) = str_of(properties, "primaryUserAssignedIdentity")
        && !identities.contains(&primary.to_ascii_lowercase())
    {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "The primary user assigned identity '{primary}' must be one of the workspace's user assigned identities."
            ),
        ));
    }
    let encryption = &properties["encryption"];
    if eq(encryption["status"].as_str().unwrap_or("Disabled"), "Enabled") {
        let vault = encryption["keyVaultProperties"]["keyVaultArmId"].as_str().unwrap_or_default();
        if !exists_as(vault, "Microsoft.KeyVault/vaults") {
            return Err(missing(vault, "key vault"));
        }
        let key_id = encryption["keyVaultProperties"]["keyIdentifier"].as_str().unwrap_or_default();
        check_key(state, vault, key_id)?;
        if let Some(cmk_identity) = encryption["identity"]["userAssignedIdentity"].as_str()
            && !identities.contains(&cmk_identity.to_ascii_lowercase())
        {
            return Err(ArmError::bad_request(
                "BadRequest",
                format!(
                    "The identity '{cmk_identity}' used for encryption must be assigned to the workspace."
                ),
            ));
        }
    }
    Ok(())
}

/// A CMK key identifier must name a key version that exists in `vault`.
fn check_key(state: &State, vault: &str, key_id: &str) -> Result<(), ArmError> {
    let vault_name =
        vault.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
    let rest = key_id.strip_prefix("https://").unwrap_or_default();
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host_vault = host.split('.').next().unwrap_or_default().to_ascii_lowercase();
    let parts: Vec<&str> = path.split('/').collect();
    let bad = || {
        ArmError::bad_request(
            "BadRequest",
            format!(
                "The key '{key_id}' was not found in key vault '{vault_name}'. Customer-managed keys must be a key version in the workspace's key vault."
            ),
        )
    };
    if host_vault != vault_name || parts.len() != 3 || !eq(parts[0], "keys") {
        return Err(bad());
    }
    let key = state.resources.get(&format!(
        "{}/keys/{}",
        vault.trim_end_matches('/').to_ascii_lowercase(),
        parts[1].to_ascii_lowercase()
    ));
    let versions: Vec<String> = key
        .and_then(|k| serde_json::from_value(k["properties"]["versions"].clone()).ok())
        .unwrap_or_default();
    if !versions.iter().any(|v| eq(v, parts[2])) {
        return Err(bad());
    }
    Ok(())
}

/// What a live workspace refuses to become (NOTES.md §5). `Ok(Some(..))` is a refusal that the
/// service reports through the long-running operation rather than at once.
fn check_transition(
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
    let refuse = |message: &str| Err(ArmError::bad_request("BadRequest", message.to_string()));
    // Wording ours for the next refusals unless quoted in NOTES.md.
    if !eq(&kind_of(old), &kind_of(new)) {
        return refuse("The kind of a workspace cannot be changed.");
    }
    let same_id = |field: &str| -> bool {
        match (str_of(op, field), str_of(np, field)) {
            (None, None) => true,
            (Some(a), Some(b)) => eq(a.trim_end_matches('/'), b.trim_end_matches('/')),
            _ => false,
        }
    };
    if !same_id("hubResourceId") {
        return refuse(
            "The hub of a project cannot be changed (hubResourceId is set at creation).",
        );
    }
    if !same_id("keyVault") {
        return refuse(
            "After your hub is created, it isn't possible to switch between your Azure Key Vault and a Microsoft-managed credential store, or to another key vault.",
        );
    }
    let identity_type = |w: &Value| {
        w["identity"]["type"].as_str().unwrap_or("None").replace(' ', "").to_ascii_lowercase()
    };
    let (old_identity, new_identity) = (identity_type(old), identity_type(new));
    if old_identity == "systemassigned,userassigned" && new_identity == "systemassigned" {
        return refuse(
            "Once a workspace is created with SAI identity type, it can be updated to SAI+UAI, but not back from SAI+UAI to SAI.",
        );
    }
    if is_kind(old, "Project") && old_identity != new_identity {
        return refuse("The identity type of a project cannot be changed after creation.");
    }
    let status =
        |p: &Value| p["encryption"]["status"].as_str().unwrap_or("Disabled").to_ascii_lowercase();
    if status(op) != status(np) {
        return refuse(
            "Encryption mode can be set only at the time of hub creation between Microsoft-managed keys and Customer-managed keys (CMK).",
        );
    }
    if status(np) == "enabled" {
        let vault = |p: &Value| {
            p["encryption"]["keyVaultProperties"]["keyVaultArmId"]
                .as_str()
                .unwrap_or_default()
                .trim_end_matches('/')
                .to_ascii_lowercase()
        };
        if vault(op) != vault(np) {
            return refuse(
                "The customer-managed key for encryption can only be updated to keys in the same Azure Key Vault instance.",
            );
        }
        let cmk_identity = |p: &Value| {
            p["encryption"]["identity"]["userAssignedIdentity"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase()
        };
        if cmk_identity(op) != cmk_identity(np) {
            return refuse(
                "The identity used to access the customer-managed key cannot be changed.",
            );
        }
    }
    if op["hbiWorkspace"].as_bool().unwrap_or(false)
        != np["hbiWorkspace"].as_bool().unwrap_or(false)
    {
        return refuse(
            "The hbi_workspace flag can only be set when a workspace is created. It can't be changed for an existing workspace.",
        );
    }
    let (old_mode, new_mode) = (isolation(op), isolation(np));
    if old_mode != "Disabled" && new_mode == "Disabled" {
        return Err(ArmError::bad_request(
            "ValidationError",
            "Managed network cannot be disabled once enabled.",
        ));
    }
    if eq(&new_mode, "AllowInternetOutbound") && !eq(&old_mode, "AllowInternetOutbound") {
        let blocking = state.children(&format!("{key}/outboundrules/")).into_iter().any(|r| {
            eq(r["properties"]["category"].as_str().unwrap_or_default(), "UserDefined")
                && !eq(r["properties"]["type"].as_str().unwrap_or_default(), "PrivateEndpoint")
        });
        if blocking {
            return Err(internet_outbound_rule_error());
        }
    }
    for field in ["applicationInsights", "containerRegistry"] {
        if str_of(op, field).is_some() && str_of(np, field).is_none() && !is_kind(old, "Project") {
            return refuse(&format!(
                "After association with a hub, Azure Container Registry and Application Insights resources can't be disassociated (set to null): {field}."
            ));
        }
    }
    if !same_id("storageAccount") && !is_kind(old, "Project") {
        // Reported by the service through the operation (Azure-Samples/get-started-with-ai-chat #65).
        return Ok(Some((
            400,
            "BadRequest".into(),
            "Storage Account update is not supported yet".into(),
        )));
    }
    Ok(None)
}

fn internet_outbound_rule_error() -> ArmError {
    // Quoted in microsoft-foundry/foundry-samples PR #961 (NOTES.md §5.2).
    ArmError::bad_request(
        "ValidationError",
        "Only \"PrivateEndpoint\" outbound rules are supported when managed network isolation mode is \"AllowInternetOutbound\".",
    )
}

/// Keep only what PUT may set: read-only properties are the server's.
fn writable_properties(properties: &Value) -> Map<String, Value> {
    let mut out = properties.as_object().cloned().unwrap_or_default();
    for field in READ_ONLY {
        out.remove(*field);
    }
    out
}

/// Fill server-set values of a workspace about to be stored.
fn complete(state: &State, call: &Call, body: &mut Value, old: Option<&Value>, provisioning: &str) {
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

fn body_id(body: &Value) -> String {
    body["id"].as_str().unwrap_or_default().to_string()
}

/// The service's own outbound rules for a managed network (NOTES.md §5.2, "List of required
/// rules"). Names are ours; the category is `Required`.
fn required_rules(state: &State, workspace: &Value) -> Vec<(String, Value)> {
    let p = &workspace["properties"];
    let mode = isolation(p);
    if mode == "Disabled" {
        return Vec::new();
    }
    let approved = eq(&mode, "AllowOnlyApprovedOutbound");
    let region = workspace["location"].as_str().unwrap_or_default();
    let mut rules = Vec::new();
    if approved {
        for tag in [
            "AzureActiveDirectory",
            "AzureMachineLearning",
            &format!("BatchNodeManagement.{region}"),
            "AzureResourceManager",
            "AzureFrontDoor.FirstParty",
            "MicrosoftContainerRegistry",
            "AzureMonitor",
        ] {
            rules.push((
                format!("__SYS_ST_{}", tag.replace('.', "_")),
                json!({ "type": "ServiceTag", "category": "Required", "status": "Active", "errorInformation": Value::Null,
                        "destination": { "serviceTag": tag, "protocol": "TCP", "portRanges": "443", "action": "Allow" } }),
            ));
        }
    }
    for (field, subresources) in [
        ("storageAccount", &["blob", "file"][..]),
        ("keyVault", &["vault"][..]),
        ("containerRegistry", &["registry"][..]),
    ] {
        let Some(target) = str_of(p, field) else { continue };
        let public_disabled = state
            .resources
            .get(&target.to_ascii_lowercase())
            .and_then(|t| t["properties"]["publicNetworkAccess"].as_str())
            .is_some_and(|a| eq(a, "Disabled"));
        if !approved && !public_disabled {
            continue;
        }
        let target_name = target.rsplit('/').next().unwrap_or_default();
        for sub in subresources {
            rules.push((
                format!("__SYS_PE_{target_name}_{sub}"),
                json!({ "type": "PrivateEndpoint", "category": "Required", "status": "Active", "errorInformation": Value::Null,
                        "destination": { "serviceResourceId": target, "subresourceTarget": sub, "sparkEnabled": true, "sparkStatus": "Active" } }),
            ));
        }
    }
    rules
}

fn rule_body(workspace_id: &str, name: &str, properties: Value) -> Value {
    json!({
        "id": format!("{workspace_id}/outboundRules/{name}"),
        "name": name,
        "type": "workspace/outboundRules",
        "properties": properties,
    })
}

/// Remove a workspace's user-defined rules (`user_defined`), or all the others (the service's).
fn remove_rules(state: &mut State, key: &str, user_defined: bool) {
    let prefix = format!("{key}/outboundrules/");
    let doomed: Vec<String> = state
        .resources
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(_, r)| {
            eq(r["properties"]["category"].as_str().unwrap_or_default(), "UserDefined")
                == user_defined
        })
        .map(|(k, _)| k.clone())
        .collect();
    for k in doomed {
        state.resources.remove(&k);
    }
}

/// Replace the workspace's Required rules with the set its settings call for.
fn refresh_required_rules(state: &mut State, key: &str) {
    let Some(workspace) = state.resources.get(key).cloned() else { return };
    let prefix = format!("{key}/outboundrules/");
    remove_rules(state, key, false);
    let id = body_id(&workspace);
    for (name, properties) in required_rules(state, &workspace) {
        state.resources.insert(
            format!("{prefix}{}", name.to_ascii_lowercase()),
            rule_body(&id, &name, properties),
        );
    }
}

/// Validate one user rule's properties for a workspace in `mode`.
fn check_rule(
    state: &State,
    name: &str,
    properties: &Value,
    workspace: &Value,
) -> Result<Value, ArmError> {
    let mode = &isolation(workspace);
    if !is_service_name(name) {
        return Err(invalid_name("outbound rule", name));
    }
    let category = properties["category"].as_str().unwrap_or("UserDefined");
    if !eq(category, "UserDefined") {
        // PEERS.md: sending the service's rules back is answered 400 (azure-sdk-for-python PR #32643).
        return Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "Outbound rule '{name}' has category '{category}'; only UserDefined rules can be created or updated."
            ),
        ));
    }
    let rule_type = properties["type"].as_str().unwrap_or_default();
    let canonical = ["FQDN", "PrivateEndpoint", "ServiceTag"].into_iter().find(|t| eq(t, rule_type)).ok_or_else(|| {
        ArmError::bad_request("BadRequest", format!("Outbound rule '{name}' has type '{rule_type}'; expected FQDN, PrivateEndpoint or ServiceTag."))
    })?;
    if eq(mode, "Disabled") {
        return Err(ArmError::bad_request(
            "BadRequest",
            "Outbound rules need a managed network: set managedNetwork.isolationMode first.",
        ));
    }
    if eq(mode, "AllowInternetOutbound") && canonical != "PrivateEndpoint" {
        return Err(internet_outbound_rule_error());
    }
    let destination = properties["destination"].clone();
    match canonical {
        "FQDN" => {
            if destination.as_str().is_none_or(str::is_empty) {
                return Err(ArmError::bad_request(
                    "BadRequest",
                    format!("Outbound rule '{name}': an FQDN rule needs a destination host name."),
                ));
            }
        }
        "PrivateEndpoint" => {
            let target = destination["serviceResourceId"].as_str().unwrap_or_default();
            if target.is_empty()
                || destination["subresourceTarget"].as_str().is_none_or(str::is_empty)
            {
                return Err(ArmError::bad_request(
                    "BadRequest",
                    format!(
                        "Outbound rule '{name}': a private endpoint needs serviceResourceId and subresourceTarget."
                    ),
                ));
            }
            let lower = target.to_ascii_lowercase();
            let known_type = crate::resources::DEPENDENT_TYPES
                .iter()
                .any(|t| lower.contains(&format!("/providers/{}/", t.to_ascii_lowercase())));
            // The service adds its own (Required) private endpoints to the workspace's storage,
            // key vault and registry; a user rule to one of them duplicates it. The service's
            // answer is not public (inferred: refused, the stricter reading).
            for own in ["storageAccount", "keyVault", "containerRegistry"] {
                if workspace[own]
                    .as_str()
                    .is_some_and(|id| eq(id.trim_end_matches('/'), target.trim_end_matches('/')))
                {
                    return Err(ArmError::bad_request(
                        "BadRequest",
                        format!(
                            "Outbound rule '{name}': the workspace's {own} already has a private endpoint the service manages (category Required); a user-defined rule to it is not allowed."
                        ),
                    ));
                }
            }
            if known_type && !state.resources.contains_key(lower.trim_end_matches('/')) {
                return Err(ArmError::bad_request(
                    "BadRequest",
                    format!(
                        "Outbound rule '{name}': the private endpoint target '{target}' was not found."
                    ),
                ));
            }
        }
        _ => {
            if destination["serviceTag"].as_str().is_none_or(str::is_empty) {
                return Err(ArmError::bad_request(
                    "BadRequest",
                    format!(
                        "Outbound rule '{name}': a service tag rule needs destination.serviceTag."
                    ),
                ));
            }
        }
    }
    let mut stored = json!({ "type": canonical, "destination": destination, "category": "UserDefined", "status": "Provisioning", "errorInformation": Value::Null });
    if canonical == "ServiceTag" && stored["destination"]["action"].is_null() {
        stored["destination"]["action"] = json!("Allow");
    }
    Ok(stored)
}

#[allow(clippy::too_many_arguments)]
fn put(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    sub: &str,
    rg: &str,
    name: &str,
    key: &str,
) -> ArmResult {
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
            return Err(ArmError::bad_request(
                "BadRequest",
                format!(
                    "Property '{field}' of a project is inherited from its hub and cannot be set on the project."
                ),
            ));
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
        return Ok(accept(
            state,
            settings,
            call,
            Start {
                key,
                kind: OperationKind::WorkspacePatch,
                location: &location_name,
                failure: deferred,
                previous,
            },
        ));
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
    let workspace_id = body_id(&state.resources[key]);
    for (rule_name, rule) in checked_rules {
        let mut rule = rule;
        rule["status"] = json!("Active");
        state.resources.insert(
            format!("{key}/outboundrules/{}", rule_name.to_ascii_lowercase()),
            rule_body(&workspace_id, &rule_name, rule),
        );
    }
    refresh_required_rules(state, key);
    if let (Some(hub_key), true) = (hub_key, old.is_some()) {
        mark_app_insights_reads_null(state, &hub_key);
    }
    let created = old.is_none();
    Ok(accept(
        state,
        settings,
        call,
        Start {
            key,
            kind: OperationKind::WorkspacePut { created },
            location,
            failure: None,
            previous: old,
        },
    ))
}

fn mark_app_insights_reads_null(state: &mut State, hub_key: &str) {
    if let Some(hub) = state.resources.get_mut(hub_key)
        && hub["properties"].get("applicationInsights").is_some_and(|v| !v.is_null())
    {
        hub[INTERNAL] = json!({ "appInsightsReadsNull": true });
    }
}

/// A PATCH's identity over the stored one. The service merges the user-assigned map: an
/// identity the request does not name stays, one sent as `null` is removed (azure-ai-ml's
/// workspace update sends `None` for each identity it removes: Azure/azure-sdk-for-python
/// `sdk/ml/azure-ai-ml/azure/ai/ml/operations/_workspace_operations_base.py`; ARM's managed
/// identity docs remove a user-assigned identity the same way). A type without userAssigned
/// drops the map.
fn merge_identity(old: &Value, requested: &Value) -> Value {
    let mut merged = requested.clone();
    let mut map = old["userAssignedIdentities"].as_object().cloned().unwrap_or_default();
    if let Some(named) = requested["userAssignedIdentities"].as_object() {
        for (id, value) in named {
            map.retain(|k, _| !k.eq_ignore_ascii_case(id));
            if !value.is_null() {
                map.insert(id.clone(), value.clone());
            }
        }
    }
    let with_user = requested["type"]
        .as_str()
        .or_else(|| old["type"].as_str())
        .is_some_and(|t| t.to_ascii_lowercase().contains("userassigned"));
    if let Some(object) = merged.as_object_mut() {
        if with_user && !map.is_empty() {
            object.insert("userAssignedIdentities".into(), Value::Object(map));
        } else {
            object.remove("userAssignedIdentities");
        }
        if object.get("type").is_none_or(Value::is_null)
            && let Some(kind) = old.get("type")
        {
            object.insert("type".into(), kind.clone());
        }
    }
    merged
}

fn patch(
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
                return Err(ArmError::bad_request(
                    "BadRequest",
                    format!(
                        "Property '{field}' of a project is inherited from its hub and cannot be set on the project."
                    ),
                ));
            }
        }
    }
    check_references(state, &body["properties"], &body["identity"])?;
    if let Some(deferred) = check_transition(state, key, &old, &body)? {
        let location = old["location"].as_str().unwrap_or_default().to_string();
        return Ok(accept(
            state,
            settings,
            call,
            Start {
                key,
                kind: OperationKind::WorkspacePatch,
                location: &location,
                failure: Some(deferred),
                previous: Some(old),
            },
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
    let workspace_id = body_id(&state.resources[key]);
    for (rule_name, mut rule) in checked {
        rule["status"] = json!("Active");
        state.resources.insert(
            format!("{key}/outboundrules/{}", rule_name.to_ascii_lowercase()),
            rule_body(&workspace_id, &rule_name, rule),
        );
    }
    refresh_required_rules(state, key);
    if is_kind(&old, "Project")
        && let Some(hub) = old["properties"]["hubResourceId"].as_str()
    {
        mark_app_insights_reads_null(state, &hub.to_ascii_lowercase());
    }
    let location = old["location"].as_str().unwrap_or_default().to_string();
    Ok(accept(
        state,
        settings,
        call,
        Start {
            key,
            kind: OperationKind::WorkspacePatch,
            location: &location,
            failure: None,
            previous: Some(old),
        },
    ))
}

fn delete(state: &mut State, settings: &Settings, call: &Call, key: &str) -> ArmResult {
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

fn parent<'a>(
    state: &'a State,
    sub: &str,
    rg: &str,
    name: &str,
) -> Result<(String, &'a Value), ArmError> {
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
#[allow(clippy::too_many_arguments)]
fn list_children(
    state: &State,
    settings: &Settings,
    call: &Call,
    sub: &str,
    rg: &str,
    name: &str,
    collection: &str,
    view: fn(&Value) -> Value,
) -> ArmResult {
    if call.method != Method::GET {
        return Err(method_not_allowed(call));
    }
    let (key, _) = parent(state, sub, rg, name)?;
    let items: Vec<Value> =
        state.children(&format!("{key}/{collection}/")).into_iter().map(view).collect();
    Ok(Reply::ok(page(items, settings, call, "$skip")))
}

fn rule_call(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    sub: &str,
    rg: &str,
    name: &str,
    rule: &str,
) -> ArmResult {
    let (key, workspace) = parent(state, sub, rg, name)?;
    let workspace = workspace.clone();
    let rule_key = format!("{key}/outboundrules/{}", rule.to_ascii_lowercase());
    let location = workspace["location"].as_str().unwrap_or_default().to_string();
    match call.method {
        Method::GET => state.resources.get(&rule_key).cloned().map(Reply::ok).ok_or_else(|| {
            ArmError::resource_not_found(&format!("{WORKSPACE_TYPE}/outboundRules"), rule, rg)
        }),
        Method::PUT => {
            let request = call.json()?;
            let properties = request.get("properties").cloned().unwrap_or(Value::Null);
            if let Some(existing) = state.resources.get(&rule_key)
                && !eq(
                    existing["properties"]["category"].as_str().unwrap_or_default(),
                    "UserDefined",
                )
            {
                return Err(ArmError::bad_request(
                    "BadRequest",
                    format!(
                        "Outbound rule '{rule}' is a Required rule of the service and cannot be changed."
                    ),
                ));
            }
            if state.running_operation(&rule_key).is_some() {
                return Err(ArmError::conflict(
                    "AnotherOperationInProgress",
                    format!("Another operation on outbound rule '{rule}' is in progress."),
                ));
            }
            let stored = check_rule(state, rule, &properties, &workspace["properties"])?;
            // A parallel write on the same workspace's rules: the earlier one is lost.
            let rules_prefix = format!("{key}/outboundrules/");
            for op in state.operations.values_mut() {
                if !op.settled
                    && op.kind == OperationKind::RulePut
                    && op.resource_key.starts_with(&rules_prefix)
                {
                    op.lost = true;
                }
            }
            let previous = state.resources.get(&rule_key).cloned();
            let name_as_sent = previous
                .as_ref()
                .and_then(|p| p["name"].as_str().map(str::to_string))
                .unwrap_or_else(|| rule.to_string());
            state
                .resources
                .insert(rule_key.clone(), rule_body(&body_id(&workspace), &name_as_sent, stored));
            Ok(accept(
                state,
                settings,
                call,
                Start {
                    key: &rule_key,
                    kind: OperationKind::RulePut,
                    location: &location,
                    failure: None,
                    previous,
                },
            ))
        }
        Method::DELETE => {
            let Some(existing) = state.resources.get(&rule_key) else {
                return Ok(Reply::empty(StatusCode::NO_CONTENT));
            };
            if !eq(existing["properties"]["category"].as_str().unwrap_or_default(), "UserDefined") {
                return Err(ArmError::bad_request(
                    "BadRequest",
                    format!(
                        "Outbound rule '{rule}' is a Required rule of the service and cannot be deleted."
                    ),
                ));
            }
            if state.running_operation(&rule_key).is_some() {
                return Err(ArmError::conflict(
                    "AnotherOperationInProgress",
                    format!("Another operation on outbound rule '{rule}' is in progress."),
                ));
            }
            if let Some(r) = state.resources.get_mut(&rule_key) {
                r["properties"]["status"] = json!("Deleting");
            }
            Ok(accept(
                state,
                settings,
                call,
                Start {
                    key: &rule_key,
                    kind: OperationKind::RuleDelete,
                    location: &location,
                    failure: None,
                    previous: None,
                },
            ))
        }
        _ => Err(method_not_allowed(call)),
    }
}

fn connection_view(stored: &Value) -> Value {
    let mut view = stored.clone();
    if let Some(p) = view["properties"].as_object_mut() {
        // Secrets are never read back (the service has a separate listsecrets action).
        p.remove("credentials");
    }
    view
}

fn connection(
    state: &mut State,
    call: &Call,
    sub: &str,
    rg: &str,
    name: &str,
    connection: &str,
) -> ArmResult {
    let (key, workspace) = parent(state, sub, rg, name)?;
    let workspace_id = body_id(workspace);
    let connection_key = format!("{key}/connections/{}", connection.to_ascii_lowercase());
    match call.method {
        Method::GET => {
            state.resources.get(&connection_key).map(connection_view).map(Reply::ok).ok_or_else(
                || {
                    ArmError::resource_not_found(
                        &format!("{WORKSPACE_TYPE}/connections"),
                        connection,
                        rg,
                    )
                },
            )
        }
        Method::PUT => {
            if !is_service_name(connection) {
                return Err(invalid_name("connection", connection));
            }
            let request = call.json()?;
            let properties = request.get("properties").cloned().unwrap_or(Value::Null);
            if properties["category"].as_str().is_none_or(str::is_empty)
                || properties["authType"].as_str().is_none_or(str::is_empty)
            {
                return Err(ArmError::bad_request(
                    "BadRequest",
                    "A connection needs properties.category and properties.authType.",
                ));
            }
            // A blob connection names its account and container; azure-ai-ml requires both
            // (connection_subtypes.py). The service's own refusal is not public (**inferred**:
            // refused, the stricter reading).
            if eq(properties["category"].as_str().unwrap_or_default(), "AzureBlob") {
                for required in ["AccountName", "ContainerName"] {
                    if properties["metadata"][required].as_str().is_none_or(str::is_empty) {
                        return Err(ArmError::bad_request(
                            "BadRequest",
                            format!("An AzureBlob connection needs metadata.{required}."),
                        ));
                    }
                }
            }
            let mut properties = properties;
            properties["createdByWorkspaceArmId"] = json!(workspace_id);
            let stored = json!({
                "id": format!("{workspace_id}/connections/{connection}"),
                "name": connection,
                "type": "Microsoft.MachineLearningServices/workspaces/connections",
                "properties": properties,
            });
            state.resources.insert(connection_key, stored.clone());
            Ok(Reply::ok(connection_view(&stored)))
        }
        Method::DELETE => match state.resources.remove(&connection_key) {
            Some(_) => Ok(Reply::empty(StatusCode::OK)),
            None => Ok(Reply::empty(StatusCode::NO_CONTENT)),
        },
        _ => Err(method_not_allowed(call)),
    }
}

fn provision(state: &State, call: &Call, sub: &str, rg: &str, name: &str) -> ArmResult {
    if call.method != Method::POST {
        return Err(method_not_allowed(call));
    }
    let (_, workspace) = parent(state, sub, rg, name)?;
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
