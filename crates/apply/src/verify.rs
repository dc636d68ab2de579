//! After a hub's steps: read it back once and confirm that what was planned now holds.
//!
//! Why: some of the service's behaviour is not public — whether a PATCH of `managedNetwork`
//! without `outboundRules` keeps the user's rules, whether a field sent is kept. A tool that
//! trusts its writes reports success on a hub that is not what the manifest says, and the next
//! plan shows it as drift nobody made. So apply reads the hub once more (the workspace, with
//! its rules, and the access at each scope it granted) and:
//!
//! - writes again a declared rule that went missing (the plan carries every declared rule's
//!   body when the hub's network changes, `hubctl_plan::change` docs);
//! - reports any other planned field the service did not keep, or a grant that is not there,
//!   as a failure naming it (the hub's digest is then not recorded, so the next plan shows it).

use std::collections::BTreeMap;
use std::time::Duration;

use hubctl_client::ArmClient;
use hubctl_plan::{Action, Change, ResourceKind};
use serde_json::Value;

use crate::ApplyOptions;
use crate::steps::{assignment_scope, execute_with_retry, parts};

/// Check `changes` (one hub's, all applied) against a fresh read. `Err`: what does not hold.
pub(crate) async fn hub(
    changes: &[&Change],
    client: &ArmClient,
    options: &ApplyOptions,
) -> Result<(), String> {
    let Some(hub) = changes.iter().find(|c| c.kind == ResourceKind::Hub) else { return Ok(()) };
    if hub.action == Action::Delete {
        return Ok(());
    }
    let (sub, rg, name) = parts(&hub.resource);
    let live = client
        .workspaces()
        .get(&sub, &rg, &name)
        .await
        .map_err(|e| format!("reading the hub back: {e}"))?
        .ok_or_else(|| format!("hub {name} is not there after apply"))?;
    let live = serde_json::to_value(&live).unwrap_or(Value::Null);
    rules(changes, &live, client, options).await?;
    for change in changes.iter().filter(|c| {
        c.action == Action::Update
            && matches!(c.kind, ResourceKind::Hub | ResourceKind::ManagedNetwork)
    }) {
        let sent = change.after.as_ref().map(|a| &a["properties"]).unwrap_or(&Value::Null);
        let mut differences = Vec::new();
        compare("properties", sent, &live["properties"], &mut differences);
        if let Some(first) = differences.first() {
            return Err(format!("the service did not keep what was sent: {first}"));
        }
    }
    access(changes, client).await
}

/// Declared rules missing after the hub's steps are written again.
async fn rules(
    changes: &[&Change],
    live: &Value,
    client: &ArmClient,
    options: &ApplyOptions,
) -> Result<(), String> {
    let present: Vec<String> = live["properties"]["managedNetwork"]["outboundRules"]
        .as_object()
        .map(|m| m.keys().map(|k| k.to_ascii_lowercase()).collect())
        .unwrap_or_default();
    for change in changes.iter().filter(|c| {
        c.kind == ResourceKind::OutboundRule && c.action != Action::Delete && c.after.is_some()
    }) {
        let rule = change.resource.name();
        if present.contains(&rule.to_ascii_lowercase()) {
            continue;
        }
        tracing::warn!(rule = %change.display, "a declared outbound rule went missing after the hub's network was updated (the service cleared it); writing it again");
        let mut again = (*change).clone();
        again.action = Action::Create;
        execute_with_retry(&again, client, options)
            .await
            .map_err(|e| format!("writing the missing rule {} again: {e}", change.display))?;
    }
    Ok(())
}

/// Every grant planned at a scope is there (one list per scope).
async fn access(changes: &[&Change], client: &ArmClient) -> Result<(), String> {
    let mut by_scope: BTreeMap<String, Vec<&Change>> = BTreeMap::new();
    for change in changes.iter().filter(|c| {
        c.kind == ResourceKind::RoleAssignment
            && matches!(c.action, Action::Create | Action::Update)
    }) {
        by_scope.entry(assignment_scope(&change.resource)).or_default().push(change);
    }
    for (scope, planned) in by_scope {
        // A new assignment can take a while to show in lists (as for every authorization
        // write): read again, waiting longer each time, before calling it missing.
        let mut delay = Duration::from_secs(2);
        let mut missing = Vec::new();
        for round in 0..5 {
            if round > 0 {
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            let live = client
                .role_assignments()
                .list_for_scope(&scope, Some("atScope()"))
                .await
                .map_err(|e| format!("reading access at {scope} back: {e}"))?;
            missing =
                planned.iter().filter(|c| !granted(c, &live)).map(|c| c.display.clone()).collect();
            if missing.is_empty() {
                break;
            }
        }
        if let Some(first) = missing.first() {
            return Err(format!("{first} is not there after apply (or not with its condition)"));
        }
    }
    Ok(())
}

/// Whether `live` holds the grant `change` wrote: same principal, role and condition.
fn granted(change: &Change, live: &[hubctl_model::RoleAssignment]) -> bool {
    let wanted = change.after.as_ref().map(|a| &a["properties"]).unwrap_or(&Value::Null);
    let principal = wanted["principalId"].as_str().unwrap_or_default();
    let role =
        hubctl_model::role_definition_guid(wanted["roleDefinitionId"].as_str().unwrap_or_default());
    let condition = wanted["condition"].as_str().map(str::trim).filter(|c| !c.is_empty());
    live.iter().any(|a| a.grants(principal, &role) && a.condition() == condition)
}

/// Leaves of `sent` that `live` does not hold, as `path: sent X, reads Y`. Ids and enum names
/// compare without case; a hub's Application Insights may read back null after a project update
/// (Azure/azure-rest-api-specs #31696), which is not a difference.
fn compare(path: &str, sent: &Value, live: &Value, out: &mut Vec<String>) {
    match sent {
        Value::Object(fields) => {
            for (key, value) in fields {
                compare(&format!("{path}.{key}"), value, &live[key], out);
            }
        }
        Value::String(text) => {
            let same = live.as_str().is_some_and(|l| hubctl_model::same_id(l, text));
            let quirk = path.ends_with(".applicationInsights") && live.is_null();
            if !same && !quirk {
                out.push(format!("{path}: sent {sent}, reads {live}"));
            }
        }
        Value::Null => {}
        other => {
            if other != live {
                out.push(format!("{path}: sent {sent}, reads {live}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn only_what_was_sent_is_compared_and_ids_ignore_case() {
        let sent = json!({ "description": "d", "managedNetwork": { "isolationMode": "AllowOnlyApprovedOutbound" }, "applicationInsights": "/Sub/X/" });
        let live = json!({ "description": "d", "friendlyName": "other", "managedNetwork": { "isolationMode": "allowonlyapprovedoutbound", "status": {} }, "applicationInsights": null });
        let mut out = Vec::new();
        super::compare("properties", &sent, &live, &mut out);
        assert!(out.is_empty(), "{out:?}");
        let changed = json!({ "description": "kept?", "hbiWorkspace": true });
        super::compare(
            "properties",
            &changed,
            &json!({ "description": "no", "hbiWorkspace": false }),
            &mut out,
        );
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(out[0].starts_with("properties.description: sent \"kept?\""));
    }
}
