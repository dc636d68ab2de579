//! Network: the managed network's refusals, the service's own (required) outbound rules, and
//! user-defined rules served as resources of their own.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::hub::parent;
use super::hub::write::body_id;
use super::operations::*;
use super::*;
use crate::app::{Call, Settings, method_not_allowed};
use crate::error::{ArmError, ArmResult, Reply};
use crate::state::{OperationKind, State};

/// What a live managed network refuses: going back to disabled, and internet outbound while
/// FQDN or service-tag rules exist.
pub(crate) fn check_transition(
    state: &State,
    key: &str,
    old: &Value,
    new: &Value,
) -> Result<(), ArmError> {
    let (op, np) = (&old["properties"], &new["properties"]);
    // Shared private links: a PATCH does not carry them; a PUT may change only a link's
    // requestMessage (quoted in shared/arm-reference NOTES.md §5).
    let links = |p: &Value| {
        let mut links: Vec<(String, String, String)> = p["sharedPrivateLinkResources"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| {
                let text = |v: &Value| v.as_str().unwrap_or_default().to_ascii_lowercase();
                let p = &l["properties"];
                (text(&l["name"]), text(&p["privateLinkResourceId"]), text(&p["groupId"]))
            })
            .collect();
        links.sort();
        links
    };
    if np.get("sharedPrivateLinkResources").is_some() && links(op) != links(np) {
        return Err(ArmError::bad_request(
            "BadRequest",
            "When updating a shared private link resource, only 'requestMessage' property is allowed to be modified",
        ));
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
    Ok(())
}

pub(crate) fn internet_outbound_rule_error() -> ArmError {
    // Quoted in microsoft-foundry/foundry-samples PR #961 (NOTES.md §5.2).
    ArmError::bad_request(
        "ValidationError",
        "Only \"PrivateEndpoint\" outbound rules are supported when managed network isolation mode is \"AllowInternetOutbound\".",
    )
}

/// The service's own outbound rules for a managed network (NOTES.md §5.2, "List of required
/// rules"). Names are ours; the category is `Required`.
pub(crate) fn required_rules(state: &State, workspace: &Value) -> Vec<(String, Value)> {
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

pub(crate) fn rule_body(workspace_id: &str, name: &str, properties: Value) -> Value {
    json!({
        "id": format!("{workspace_id}/outboundRules/{name}"),
        "name": name,
        "type": "workspace/outboundRules",
        "properties": properties,
    })
}

/// Remove a workspace's user-defined rules (`user_defined`), or all the others (the service's).
pub(crate) fn remove_rules(state: &mut State, key: &str, user_defined: bool) {
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
pub(crate) fn refresh_required_rules(state: &mut State, key: &str) {
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
pub(crate) fn check_rule(
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

pub(crate) fn rule_call(
    state: &mut State,
    settings: &Settings,
    call: &Call,
    ws: Ws<'_>,
    rule: &str,
) -> ArmResult {
    let Ws { rg, .. } = ws;
    let (key, workspace) = parent(state, ws)?;
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
            rule_writable(state, &rule_key, rule, "changed")?;
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
            let (kind, failure) = (OperationKind::RulePut, None);
            let start = Start { key: &rule_key, kind, location: &location, failure, previous };
            Ok(accept(state, settings, call, start))
        }
        Method::DELETE => {
            if !state.resources.contains_key(&rule_key) {
                return Ok(Reply::empty(StatusCode::NO_CONTENT));
            }
            rule_writable(state, &rule_key, rule, "deleted")?;
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

/// A user's rule may be written or deleted: not one of the service's Required rules, and no
/// operation on it running.
fn rule_writable(state: &State, rule_key: &str, rule: &str, verb: &str) -> Result<(), ArmError> {
    if let Some(existing) = state.resources.get(rule_key)
        && !eq(existing["properties"]["category"].as_str().unwrap_or_default(), "UserDefined")
    {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "Outbound rule '{rule}' is a Required rule of the service and cannot be {verb}."
            ),
        ));
    }
    if state.running_operation(rule_key).is_some() {
        return Err(ArmError::conflict(
            "AnotherOperationInProgress",
            format!("Another operation on outbound rule '{rule}' is in progress."),
        ));
    }
    Ok(())
}
