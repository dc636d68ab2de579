//! Apply a plan to live state in memory — what a successful `hubctl apply` would leave behind.
//! Pure; used by the planner's rule tests and the idempotence property (plan, simulate, plan
//! again: no changes), and by the render snapshots.

use hubctl_model::{
    Account, AccountDeployment, AccountProject, ArmId, Connection, Live, LiveFoundry,
    LiveFoundryProject, LiveHub, LiveProject, OutboundRule, RaiPolicy, RoleAssignment, Workspace,
    id_key,
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
            (ResourceKind::RoleAssignment, action) if live.hubs.contains_key(&change.hub) => {
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
            (kind, action) => foundry(&mut live, change, kind, action, after),
        }
    }
    live
}

/// A Foundry change: the account, its projects, connections and access.
fn foundry(live: &mut Live, change: &Change, kind: ResourceKind, action: Action, after: Value) {
    let key = change.hub.clone();
    match (kind, action) {
        (ResourceKind::Account, Action::Create) => {
            let mut account: Account = serde_json::from_value(after).unwrap_or_default();
            account.id = change.resource.to_string();
            account.name = change.resource.name().to_string();
            account.properties.restore = None;
            live.deleted_accounts.remove(&key);
            live.foundries.insert(
                key,
                LiveFoundry {
                    account,
                    assignments: Vec::new(),
                    connections: Vec::new(),
                    projects: Default::default(),
                    deployments: Vec::new(),
                    rai_policies: Vec::new(),
                    capability_hosts: Default::default(),
                },
            );
        }
        (ResourceKind::Account, Action::Update) => {
            if let Some(f) = live.foundries.get_mut(&key) {
                let mut value = serde_json::to_value(&f.account).unwrap_or_default();
                merge(&mut value, &after);
                f.account = serde_json::from_value(value).unwrap_or_default();
            }
        }
        (ResourceKind::Account, Action::Delete) => {
            if let Some(f) = live.foundries.remove(&key)
                && !after["purge"].as_bool().unwrap_or(false)
            {
                live.deleted_accounts.insert(key, f.account);
            }
        }
        (ResourceKind::DeletedAccount, Action::Delete) => {
            live.deleted_accounts.remove(&key);
        }
        (ResourceKind::AccountProject, action) => {
            let project_key = change.resource.key().to_string();
            let Some(f) = live.foundries.get_mut(&key) else { return };
            match action {
                Action::Create => {
                    let mut project: AccountProject =
                        serde_json::from_value(after).unwrap_or_default();
                    project.id = change.resource.to_string();
                    project.name = change.resource.name().to_string();
                    let new = LiveFoundryProject {
                        project,
                        connections: Vec::new(),
                        assignments: Vec::new(),
                    };
                    f.projects.insert(project_key, new);
                }
                Action::Update => {
                    if let Some(p) = f.projects.get_mut(&project_key) {
                        let mut value = serde_json::to_value(&p.project).unwrap_or_default();
                        merge(&mut value, &after);
                        p.project = serde_json::from_value(value).unwrap_or_default();
                    }
                }
                _ => {
                    f.projects.remove(&project_key);
                }
            }
        }
        (ResourceKind::AccountConnection | ResourceKind::ProjectConnection, action) => {
            let Some(f) = live.foundries.get_mut(&key) else { return };
            let parent = change.resource.parent().map(|p| p.key().to_string()).unwrap_or_default();
            let list = if kind == ResourceKind::AccountConnection {
                Some(&mut f.connections)
            } else {
                f.projects.get_mut(&parent).map(|p| &mut p.connections)
            };
            let Some(list) = list else { return };
            let name = change.resource.name().to_string();
            list.retain(|c| !c.name.eq_ignore_ascii_case(&name));
            if action != Action::Delete
                && let Ok(mut connection) = serde_json::from_value::<Connection>(after)
            {
                connection.name = name;
                list.push(connection);
            }
        }
        (ResourceKind::Deployment, action) => {
            let Some(f) = live.foundries.get_mut(&key) else { return };
            let name = change.resource.name().to_string();
            match action {
                Action::Delete => f.deployments.retain(|d| !d.name.eq_ignore_ascii_case(&name)),
                _ => {
                    let mut value = f
                        .deployments
                        .iter()
                        .find(|d| d.name.eq_ignore_ascii_case(&name))
                        .map(|d| serde_json::to_value(d).unwrap_or_default())
                        .unwrap_or_else(|| serde_json::json!({}));
                    merge(&mut value, &after);
                    let mut deployment: AccountDeployment =
                        serde_json::from_value(value).unwrap_or_default();
                    deployment.name = name.clone();
                    deployment.id = change.resource.to_string();
                    f.deployments.retain(|d| !d.name.eq_ignore_ascii_case(&name));
                    f.deployments.push(deployment);
                }
            }
        }
        (ResourceKind::CapabilityHost, action) => {
            let Some(f) = live.foundries.get_mut(&key) else { return };
            let host_key = change.resource.key().to_string();
            if action == Action::Delete {
                f.capability_hosts.remove(&host_key);
            } else if let Ok(mut host) =
                serde_json::from_value::<hubctl_model::CapabilityHost>(after)
            {
                host.id = change.resource.to_string();
                host.name = change.resource.name().to_string();
                f.capability_hosts.insert(host_key, host);
            }
        }
        (ResourceKind::ContentFilter, action) => {
            let Some(f) = live.foundries.get_mut(&key) else { return };
            let name = change.resource.name().to_string();
            f.rai_policies.retain(|p| !p.name.eq_ignore_ascii_case(&name));
            if action != Action::Delete
                && let Ok(mut policy) = serde_json::from_value::<RaiPolicy>(after)
            {
                policy.name = name;
                policy.properties.policy_type = Some("UserManaged".into());
                f.rai_policies.push(policy);
            }
        }
        (ResourceKind::RoleAssignment, action) => {
            let Some(scope) = change.resource.scope() else { return };
            let Some(f) = live.foundries.get_mut(&key) else { return };
            let list = if id_key(&f.account.id) == scope.key() {
                Some(&mut f.assignments)
            } else {
                f.projects.get_mut(scope.key()).map(|p| &mut p.assignments)
            };
            let Some(list) = list else { return };
            list.retain(|a| ArmId::parse(&a.id).ok().as_ref() != Some(&change.resource));
            if matches!(action, Action::Create | Action::Update) {
                let mut assignment: RoleAssignment =
                    serde_json::from_value(after).unwrap_or_default();
                assignment.id = change.resource.to_string();
                assignment.name = change.resource.name().to_string();
                assignment.properties.scope = Some(scope.to_string());
                list.push(assignment);
            }
        }
        _ => {}
    }
}
