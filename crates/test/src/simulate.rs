//! Apply a plan to live state in memory — what a successful `hubctl apply` would leave behind.
//! Pure; used by the planner's rule tests and the idempotence property (plan, simulate, plan
//! again: no changes), and by the render snapshots.

use hubctl_model::{
    ArmId, Connection, Live, LiveHub, LiveProject, OutboundRule, RoleAssignment, Workspace,
};
use hubctl_plan::{Action, Change, Plan, ResourceKind};
use serde_json::Value;

fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if k == "tags" || k == "identity" {
                    t.insert(k.clone(), v.clone());
                } else {
                    merge(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

fn hub_of<'a>(live: &'a mut Live, change: &Change) -> Option<&'a mut LiveHub> {
    live.hubs.get_mut(&change.hub)
}

/// The live state after `plan` is applied to `live` (blocked hubs are skipped whole).
pub fn apply(live: &Live, plan: &Plan) -> Live {
    let mut live = live.clone();
    let blocked: Vec<&str> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Blocked)
        .map(|c| c.hub.as_str())
        .collect();
    for change in &plan.changes {
        if blocked.contains(&change.hub.as_str())
            || matches!(change.action, Action::NoOp | Action::Blocked)
        {
            continue;
        }
        let after = change.after.clone().unwrap_or(Value::Null);
        match (change.kind, change.action) {
            (ResourceKind::Hub, Action::Create) => {
                let mut workspace: Workspace = serde_json::from_value(after).unwrap_or_default();
                workspace.id = change.resource.to_string();
                workspace.name = change.resource.name().to_string();
                live.hubs.insert(
                    change.hub.clone(),
                    LiveHub {
                        workspace,
                        assignments: Vec::new(),
                        connections: None,
                        projects: Default::default(),
                    },
                );
            }
            (ResourceKind::Hub | ResourceKind::ManagedNetwork, Action::Update) => {
                if let Some(hub) = hub_of(&mut live, change) {
                    let mut value = serde_json::to_value(&hub.workspace).unwrap_or_default();
                    merge(&mut value, &after);
                    hub.workspace = serde_json::from_value(value).unwrap_or_default();
                }
            }
            (ResourceKind::Hub, Action::Delete) => {
                live.hubs.remove(&change.hub);
            }
            (ResourceKind::OutboundRule, action) => {
                if let Some(hub) = hub_of(&mut live, change) {
                    let network = hub
                        .workspace
                        .properties
                        .managed_network
                        .get_or_insert_with(Default::default);
                    let rules = network.outbound_rules.get_or_insert_with(Default::default);
                    let name = change.resource.name().to_string();
                    rules.retain(|k, _| !k.eq_ignore_ascii_case(&name));
                    if action != Action::Delete
                        && let Ok(rule) = serde_json::from_value::<OutboundRule>(after)
                    {
                        rules.insert(name, rule);
                    }
                }
            }
            (ResourceKind::Connection, action) => {
                if let Some(hub) = hub_of(&mut live, change) {
                    let list = hub.connections.get_or_insert_with(Vec::new);
                    let name = change.resource.name().to_string();
                    list.retain(|c| !c.name.eq_ignore_ascii_case(&name));
                    if action != Action::Delete
                        && let Ok(mut connection) = serde_json::from_value::<Connection>(after)
                    {
                        connection.name = name;
                        list.push(connection);
                    }
                }
            }
            (ResourceKind::Project, action) => {
                let key = change.resource.key().to_string();
                if let Some(hub) = hub_of(&mut live, change) {
                    match action {
                        Action::Create => {
                            let mut workspace: Workspace =
                                serde_json::from_value(after).unwrap_or_default();
                            workspace.id = change.resource.to_string();
                            workspace.name = change.resource.name().to_string();
                            hub.projects
                                .insert(key, LiveProject { workspace, assignments: Vec::new() });
                        }
                        Action::Update => {
                            if let Some(project) = hub.projects.get_mut(&key) {
                                let mut value =
                                    serde_json::to_value(&project.workspace).unwrap_or_default();
                                merge(&mut value, &after);
                                project.workspace =
                                    serde_json::from_value(value).unwrap_or_default();
                            }
                        }
                        _ => {
                            hub.projects.remove(&key);
                        }
                    }
                }
            }
            (ResourceKind::RoleAssignment, action) => {
                let Some(scope) = change.resource.scope() else { continue };
                let scope_key = scope.key().to_string();
                if let Some(hub) = hub_of(&mut live, change) {
                    let list = if ArmId::parse(&hub.workspace.id).is_ok_and(|id| id == scope) {
                        Some(&mut hub.assignments)
                    } else {
                        hub.projects.get_mut(&scope_key).map(|p| &mut p.assignments)
                    };
                    if let Some(list) = list {
                        list.retain(|a| {
                            ArmId::parse(&a.id).ok().as_ref() != Some(&change.resource)
                        });
                        if matches!(action, Action::Create | Action::Update) {
                            let mut assignment: RoleAssignment =
                                serde_json::from_value(after).unwrap_or_default();
                            assignment.id = change.resource.to_string();
                            assignment.name = change.resource.name().to_string();
                            assignment.properties.scope = Some(scope.to_string());
                            list.push(assignment);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    live
}
