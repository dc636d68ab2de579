//! The order of changes: within a hub, hub → managed network → outbound rules (one at a time)
//! → connections → projects → role-assignment creates → role-assignment deletes → project
//! deletes → hub delete; hubs by id. Each actionable change depends on the one before it in its
//! hub, so apply runs a hub's changes in order and independent hubs in parallel. The same
//! inputs give the same order, byte for byte.

use crate::change::{Action, Change, ResourceKind};

const BEFORE_NETWORK: &str = "before-network";

fn rank(change: &Change) -> u8 {
    match (change.kind, change.action) {
        (ResourceKind::Hub, Action::Delete) => 9,
        (ResourceKind::Hub, _) => 0,
        (ResourceKind::OutboundRule, Action::Delete)
            if change.depends_on.iter().any(|d| d == BEFORE_NETWORK) =>
        {
            1
        }
        (ResourceKind::ManagedNetwork, _) => 2,
        (ResourceKind::OutboundRule, _) => 3,
        (ResourceKind::Connection, _) => 4,
        (ResourceKind::Project, Action::Delete) => 8,
        (ResourceKind::Project, _) => 5,
        (ResourceKind::RoleAssignment, Action::Delete) => 7,
        (ResourceKind::RoleAssignment, _) => 6,
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
