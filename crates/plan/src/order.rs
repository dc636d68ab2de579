//! The order of changes: within a hub, hub → managed network → outbound rules (one at a time)
//! → connections → projects → role-assignment creates → role-assignment deletes → project
//! deletes → hub delete; within a Foundry resource, a purge of its soft-deleted self → account
//! (its network settings are in its body) → connections → content filters → deployments (a
//! replaced one deleted first; one at a time, as the service wants) → projects → project
//! connections → access → capability hosts → deletes in reverse; hubs and accounts by id. Each actionable change depends on the one before it in its
//! hub, so apply runs a hub's changes in order and independent hubs in parallel. The same
//! inputs give the same order, byte for byte.

use crate::change::{Action, Change, ResourceKind};

const BEFORE_NETWORK: &str = "before-network";

fn rank(change: &Change) -> u8 {
    match (change.kind, change.action) {
        (ResourceKind::DeletedAccount, _) => 0,
        (ResourceKind::Hub | ResourceKind::Account, Action::Delete) => 20,
        (ResourceKind::Hub | ResourceKind::Account, _) => 1,
        (ResourceKind::OutboundRule, Action::Delete)
            if change.depends_on.iter().any(|d| d == BEFORE_NETWORK) =>
        {
            2
        }
        (ResourceKind::ManagedNetwork, _) => 3,
        (ResourceKind::OutboundRule, _) => 4,
        (ResourceKind::Connection | ResourceKind::AccountConnection, _) => 5,
        // Content filters before the deployments that name them (bicep-registry-modules #6642);
        // a replaced deployment's delete before its create.
        (ResourceKind::ContentFilter, Action::Delete) => 17,
        (ResourceKind::ContentFilter, _) => 6,
        (ResourceKind::Deployment, Action::Delete)
            if change.reasons.contains(&crate::Reason::DeleteBecauseModelReplaced) =>
        {
            7
        }
        (ResourceKind::Deployment, Action::Delete) => 16,
        (ResourceKind::Deployment, _) => 8,
        (ResourceKind::Project | ResourceKind::AccountProject, Action::Delete) => 19,
        (ResourceKind::Project | ResourceKind::AccountProject, _) => 9,
        (ResourceKind::ProjectConnection, Action::Delete) => 15,
        (ResourceKind::ProjectConnection, _) => 10,
        (ResourceKind::RoleAssignment, Action::Delete) => 14,
        (ResourceKind::RoleAssignment, _) => 11,
        // After the connections it names and the access its project's identity needs on them
        // (azure-ai-foundry/foundry-samples #517); a replaced one is deleted first.
        (ResourceKind::CapabilityHost, Action::Delete) => 12,
        (ResourceKind::CapabilityHost, _) => 13,
    }
}

/// Sort `changes` and set their dependencies.
pub fn order(mut changes: Vec<Change>) -> Vec<Change> {
    // The key is computed once per change (not per comparison): the sort stays n log n with
    // n allocations, whatever the fleet's size.
    changes.sort_by_cached_key(|c| {
        (c.hub.clone(), rank(c), c.display.to_ascii_lowercase(), c.id.clone())
    });
    let mut previous: Option<(String, String)> = None;
    for change in &mut changes {
        change.depends_on.clear();
        if change.action == Action::NoOp || change.action == Action::Blocked {
            continue;
        }
        if let Some((hub, id)) = &previous
            && *hub == change.hub
        {
            change.depends_on.push(id.clone());
        }
        previous = Some((change.hub.clone(), change.id.clone()));
    }
    changes
}
