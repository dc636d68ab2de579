//! Permissions at plan time: every change matched to the ARM action it needs, checked against
//! what the signed-in identity may do at the change's resource group (as ARM's
//! `Permissions_ListForResourceGroup` reports it: each of its roles' actions minus notActions,
//! `*` wildcards, case-insensitive). A change the identity cannot make is blocked, with who,
//! what and where, before anything is written; what the API cannot decide (a grant under an
//! ABAC condition, permissions that could not be read) is a warning. Pure: the reads are
//! hubctl-apply's (`read::permissions`), only for resource groups a planned change touches, so
//! a no-op plan reads none.

use std::collections::{BTreeMap, BTreeSet};

use crate::change::{Action, Plan, ResourceKind, Warning};
use crate::reasons::{Reason, WarningKind};

/// One role's permissions at a scope: `actions` minus `not_actions`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grant {
    /// Allowed actions.
    pub actions: Vec<String>,
    /// Denied actions.
    pub not_actions: Vec<String>,
}

/// A deny assignment: `grant` (its actions minus notActions) denied to `principals` but not
/// to `excluded` (object ids; all zeros is everyone), and whether some principal is a group
/// (whose members are not read here).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deny {
    /// Its name.
    pub name: String,
    /// What it takes away.
    pub grant: Grant,
    /// Who (object ids).
    pub principals: Vec<String>,
    /// Who not.
    pub excluded: Vec<String>,
    /// Whether a principal is a group.
    pub has_groups: bool,
}

/// Everyone, in a deny assignment.
const EVERYONE: &str = "00000000-0000-0000-0000-000000000000";

/// What was learnt about one resource group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeAccess {
    /// The identity's grants there; `conditioned`: one of its role assignments at or above
    /// the group carries an ABAC condition, which the permissions API does not evaluate.
    Read {
        /// The grants.
        grants: Vec<Grant>,
        /// Whether an ABAC-conditioned assignment applies there.
        conditioned: bool,
        /// Why the identity's own assignments (for their conditions) could not be read, if so.
        conditions_unread: Option<String>,
        /// Deny assignments at or above the scope.
        denies: Vec<Deny>,
    },
    /// They could not be read (the reason).
    Unreadable(String),
}

/// The signed-in identity's permissions where the plan writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallerPermissions {
    /// Who (object id or display name), for messages.
    pub caller: String,
    /// By resource group, lower-case `/subscriptions/{s}/resourcegroups/{rg}`, and — where
    /// the group's answer refused a change of an existing hub — by the hub's id key (an
    /// identity may hold its role on the hub alone).
    pub scopes: BTreeMap<String, ScopeAccess>,
}

/// The resource group key of an id.
fn group_key(subscription: &str, resource_group: &str) -> String {
    format!("/subscriptions/{subscription}/resourcegroups/{resource_group}").to_ascii_lowercase()
}

/// The ARM action a change needs.
pub fn action_of(kind: ResourceKind, action: Action) -> Option<&'static str> {
    Some(match (kind, action) {
        (_, Action::NoOp | Action::Blocked) => return None,
        (ResourceKind::Hub | ResourceKind::Project, Action::Delete) => {
            "Microsoft.MachineLearningServices/workspaces/delete"
        }
        (ResourceKind::Hub | ResourceKind::Project | ResourceKind::ManagedNetwork, _) => {
            "Microsoft.MachineLearningServices/workspaces/write"
        }
        (ResourceKind::OutboundRule, Action::Delete) => {
            "Microsoft.MachineLearningServices/workspaces/outboundRules/delete"
        }
        (ResourceKind::OutboundRule, _) => {
            "Microsoft.MachineLearningServices/workspaces/outboundRules/write"
        }
        (ResourceKind::Connection, Action::Delete) => {
            "Microsoft.MachineLearningServices/workspaces/connections/delete"
        }
        (ResourceKind::Connection, _) => {
            "Microsoft.MachineLearningServices/workspaces/connections/write"
        }
        (ResourceKind::RoleAssignment, Action::Delete) => {
            "Microsoft.Authorization/roleAssignments/delete"
        }
        (ResourceKind::RoleAssignment, _) => "Microsoft.Authorization/roleAssignments/write",
        (ResourceKind::Account, Action::Delete) => "Microsoft.CognitiveServices/accounts/delete",
        (ResourceKind::Account, _) => "Microsoft.CognitiveServices/accounts/write",
        // Needed at the subscription (NOTES-foundry.md §6): see `check`.
        (ResourceKind::DeletedAccount, _) => {
            "Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete"
        }
        (ResourceKind::AccountProject, Action::Delete) => {
            "Microsoft.CognitiveServices/accounts/projects/delete"
        }
        (ResourceKind::AccountProject, _) => "Microsoft.CognitiveServices/accounts/projects/write",
        (ResourceKind::AccountConnection, Action::Delete) => {
            "Microsoft.CognitiveServices/accounts/connections/delete"
        }
        (ResourceKind::AccountConnection, _) => {
            "Microsoft.CognitiveServices/accounts/connections/write"
        }
        (ResourceKind::ProjectConnection, Action::Delete) => {
            "Microsoft.CognitiveServices/accounts/projects/connections/delete"
        }
        (ResourceKind::ProjectConnection, _) => {
            "Microsoft.CognitiveServices/accounts/projects/connections/write"
        }
        (ResourceKind::ContentFilter, Action::Delete) => {
            "Microsoft.CognitiveServices/accounts/raiPolicies/delete"
        }
        (ResourceKind::ContentFilter, _) => {
            "Microsoft.CognitiveServices/accounts/raiPolicies/write"
        }
        (ResourceKind::Deployment, Action::Delete) => {
            "Microsoft.CognitiveServices/accounts/deployments/delete"
        }
        (ResourceKind::Deployment, _) => "Microsoft.CognitiveServices/accounts/deployments/write",
        // An account's host; a project's is `accounts/projects/capabilityHosts/…`, which the
        // same roles grant (Cognitive Services Contributor: `Microsoft.CognitiveServices/*`).
        (ResourceKind::CapabilityHost, Action::Delete) => {
            "Microsoft.CognitiveServices/accounts/capabilityHosts/delete"
        }
        (ResourceKind::CapabilityHost, _) => {
            "Microsoft.CognitiveServices/accounts/capabilityHosts/write"
        }
    })
}

/// The built-in roles that grant `action`, for a remedy.
fn granted_by(action: &str) -> &'static str {
    if action.starts_with("Microsoft.Authorization/") {
        "User Access Administrator, Role Based Access Control Administrator or Owner"
    } else if action.starts_with("Microsoft.CognitiveServices/") {
        "Contributor, Cognitive Services Contributor, Azure AI Account Owner or Owner"
    } else {
        "Contributor, Azure AI Administrator or Owner"
    }
}

/// ARM's action pattern match: `*` stands for any run of characters, case-insensitive.
pub fn matches(pattern: &str, action: &str) -> bool {
    let (p, a) = (pattern.to_ascii_lowercase(), action.to_ascii_lowercase());
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == a;
    }
    let mut rest = a.as_str();
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else { return false };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(at) = rest.find(part) else { return false };
            rest = &rest[at + part.len()..];
        }
    }
    true
}

/// Whether `grants` allow `action`.
pub fn allows(grants: &[Grant], action: &str) -> bool {
    grants.iter().any(|g| {
        g.actions.iter().any(|p| matches(p, action))
            && !g.not_actions.iter().any(|p| matches(p, action))
    })
}

/// The (subscription, resource group) pairs the plan's changes write to.
pub fn resource_groups(plan: &Plan) -> BTreeSet<(String, String)> {
    plan.changes
        .iter()
        .filter(|c| action_of(c.kind, c.action).is_some())
        .filter_map(|c| {
            Some((
                c.resource.subscription()?.to_ascii_lowercase(),
                c.resource.resource_group()?.to_ascii_lowercase(),
            ))
        })
        .collect()
}

/// The ARM id of a change's hub, as ARM writes it (from its resource id).
fn hub_scope(change: &crate::change::Change) -> String {
    let id = &change.resource;
    match (id.subscription(), id.resource_group()) {
        (Some(sub), Some(rg)) => {
            let name = change.hub.rsplit('/').next().unwrap_or_default();
            let parent = if change.hub.contains("/microsoft.cognitiveservices/accounts/") {
                "Microsoft.CognitiveServices/accounts"
            } else {
                "Microsoft.MachineLearningServices/workspaces"
            };
            format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/{parent}/{name}")
        }
        _ => change.hub.clone(),
    }
}

/// Hubs that exist (their own change is not a create) with a change the group's answer
/// refuses: their own permissions are worth reading (Permissions_ListForResource), since an
/// identity may hold its role on the hub alone. By hub id key.
pub fn hubs_to_read(plan: &Plan, permissions: &CallerPermissions) -> BTreeSet<String> {
    let created: BTreeSet<&str> = plan
        .changes
        .iter()
        .filter(|c| matches!(c.kind, ResourceKind::Hub | ResourceKind::Account))
        .filter(|c| c.action == Action::Create)
        .map(|c| c.hub.as_str())
        .collect();
    plan.changes
        .iter()
        .filter(|c| !created.contains(c.hub.as_str()))
        .filter_map(|c| {
            let action = action_of(c.kind, c.action)?;
            let key = group_key(c.resource.subscription()?, c.resource.resource_group()?);
            match permissions.scopes.get(&key) {
                Some(ScopeAccess::Read { grants, .. }) if !allows(grants, action) => {
                    Some(c.hub.clone())
                }
                _ => None,
            }
        })
        .collect()
}

/// Block what the identity cannot do; warn where it cannot be told.
pub fn check(plan: &mut Plan, permissions: &CallerPermissions) {
    let mut warnings: Vec<Warning> = Vec::new();
    let mut warned = BTreeSet::new();
    for change in &mut plan.changes {
        let Some(action) = action_of(change.kind, change.action) else { continue };
        // A new project also joins its hub (learn.microsoft.com ai-studio concepts
        // rbac-ai-studio: creating a project needs `workspaces/hubs/join/action` on the hub).
        let join = (change.kind == ResourceKind::Project && change.action == Action::Create)
            .then_some("Microsoft.MachineLearningServices/workspaces/hubs/join/action");
        // A project's capability host has its own action (the same roles grant it).
        let action = match (change.kind, change.resource.as_str().contains("/projects/")) {
            (ResourceKind::CapabilityHost, true) if change.action == Action::Delete => {
                "Microsoft.CognitiveServices/accounts/projects/capabilityHosts/delete"
            }
            (ResourceKind::CapabilityHost, true) => {
                "Microsoft.CognitiveServices/accounts/projects/capabilityHosts/write"
            }
            _ => action,
        };
        // A Foundry resource deleted and purged (`--prune --purge`) also needs the purge,
        // which a group's answer cannot settle (it is needed at the subscription).
        let purges = change.kind == ResourceKind::DeletedAccount
            || (change.kind == ResourceKind::Account
                && change.action == Action::Delete
                && change.after.as_ref().is_some_and(|a| a["purge"] == true));
        let purge = purges.then_some(
            "Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete",
        );
        let (Some(sub), Some(rg)) =
            (change.resource.subscription(), change.resource.resource_group())
        else {
            continue;
        };
        // The hub's own answer when it was read (a role on the hub alone), else the group's.
        let (key, scope) = match permissions.scopes.get(change.hub.as_str()) {
            Some(_) => (change.hub.clone(), hub_scope(change)),
            None => (group_key(sub, rg), format!("/subscriptions/{sub}/resourceGroups/{rg}")),
        };
        match permissions.scopes.get(&key) {
            Some(ScopeAccess::Read { grants, conditioned, conditions_unread, denies }) => {
                let missing =
                    [Some(action), join, purge].into_iter().flatten().find(|a| !allows(grants, a));
                let denying =
                    denies.iter().find(|d| allows(std::slice::from_ref(&d.grant), action));
                let is = |id: &String| id.eq_ignore_ascii_case(&permissions.caller);
                let certain = denying.filter(|d| {
                    d.principals.iter().any(|p| is(p) || p == EVERYONE)
                        && !d.excluded.iter().any(is)
                });
                if let Some(deny) = certain {
                    change.action = Action::Blocked;
                    change.reasons = vec![Reason::BlockedBecauseCallerLacksPermission];
                    change.after = None;
                    change.detail = Some(format!(
                        "the deny assignment \"{}\" denies `{action}` at `{scope}` to the signed-in identity {}; no role lifts it (ask whoever manages it, e.g. a blueprint or managed application)",
                        deny.name, permissions.caller
                    ));
                } else if let Some(action) = missing {
                    change.action = Action::Blocked;
                    change.reasons = vec![Reason::BlockedBecauseCallerLacksPermission];
                    change.after = None;
                    change.detail = Some(format!(
                        "the signed-in identity {} lacks `{action}` at `{scope}`; roles that grant it: {}",
                        permissions.caller,
                        granted_by(action)
                    ));
                } else if let Some(action) = purge
                    && warned.insert((key.clone(), action))
                {
                    // Needed at the subscription (NOTES-foundry.md §6); the group's answer
                    // holds roles at the group and above alike, so a grant there may be too low.
                    warnings.push(Warning {
                        kind: WarningKind::PermissionUndecided,
                        resource: scope.clone(),
                        detail: format!(
                            "a purge needs `{action}` at the subscription; the identity has it at `{scope}`, which may come from a role held only there"
                        ),
                    });
                } else if let Some(deny) =
                    denying.filter(|d| d.has_groups && !d.excluded.iter().any(is))
                    && warned.insert((key.clone(), action))
                {
                    warnings.push(Warning {
                        kind: WarningKind::PermissionUndecided,
                        resource: scope.clone(),
                        detail: format!(
                            "the deny assignment \"{}\" denies `{action}` to groups; whether the signed-in identity is in one is not read",
                            deny.name
                        ),
                    });
                } else if action.starts_with("Microsoft.Authorization/")
                    && (*conditioned || conditions_unread.is_some())
                    && warned.insert((key.clone(), action))
                {
                    let detail = match conditions_unread {
                        Some(why) => format!(
                            "`{action}` may come with an ABAC condition the check cannot see: the identity's own role assignments could not be read ({why})"
                        ),
                        None => format!(
                            "`{action}` comes with an ABAC condition on one of the identity's role assignments there, which the permissions API does not evaluate"
                        ),
                    };
                    warnings.push(Warning {
                        kind: WarningKind::PermissionUndecided,
                        resource: scope.clone(),
                        detail,
                    });
                }
            }
            Some(ScopeAccess::Unreadable(why)) if warned.insert((key.clone(), "")) => {
                warnings.push(Warning {
                    kind: WarningKind::PermissionUndecided,
                    resource: scope.clone(),
                    detail: format!("the identity's permissions there could not be read: {why}"),
                });
            }
            _ => {}
        }
    }
    // The order stays the planner's (sorting again would lose what it decided, e.g. rule
    // deletes before a network change): apply runs a hub's changes in plan order and skips a
    // refused one, or the whole hub.
    plan.warnings.extend(warnings);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_wildcards_match_as_arm_does() {
        assert!(matches("*", "Microsoft.MachineLearningServices/workspaces/write"));
        assert!(matches("*/read", "Microsoft.MachineLearningServices/workspaces/read"));
        assert!(!matches("*/read", "Microsoft.MachineLearningServices/workspaces/write"));
        assert!(matches(
            "Microsoft.Authorization/*/Write",
            "Microsoft.Authorization/roleAssignments/write"
        ));
        assert!(matches(
            "Microsoft.Authorization/*",
            "Microsoft.Authorization/roleAssignments/delete"
        ));
        assert!(!matches(
            "Microsoft.Authorization/*/Delete",
            "Microsoft.Authorization/roleAssignments/write"
        ));
        assert!(matches(
            "Microsoft.MachineLearningServices/workspaces/*/write",
            "Microsoft.MachineLearningServices/workspaces/outboundRules/write"
        ));
    }

    #[test]
    fn not_actions_take_back_what_actions_give_within_one_role() {
        let contributor = Grant {
            actions: vec!["*".into()],
            not_actions: vec![
                "Microsoft.Authorization/*/Delete".into(),
                "Microsoft.Authorization/*/Write".into(),
            ],
        };
        let reader = Grant { actions: vec!["*/read".into()], not_actions: vec![] };
        let uaa = Grant {
            actions: vec!["*/read".into(), "Microsoft.Authorization/*".into()],
            not_actions: vec![],
        };
        let write = "Microsoft.Authorization/roleAssignments/write";
        assert!(!allows(std::slice::from_ref(&contributor), write));
        assert!(allows(
            std::slice::from_ref(&contributor),
            "Microsoft.MachineLearningServices/workspaces/write"
        ));
        assert!(!allows(
            std::slice::from_ref(&reader),
            "Microsoft.MachineLearningServices/workspaces/write"
        ));
        // Another role's grant is not taken back by Contributor's notActions.
        assert!(allows(&[contributor, uaa], write));
    }
}
