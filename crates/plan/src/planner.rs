//! `plan(&Desired, &Live) -> Plan`: compare, normalise, apply the rules, order the changes.
//! This module walks the fleet; what each manifest section means is in [`crate::sections`].
//!
//! Normalisation, so that nothing shows as drift that is not (the top complaint about every
//! peer): ids compared case-insensitively and without trailing slashes; role definitions by
//! GUID whatever their scope prefix; the service's own outbound rules ignored; read-only and
//! inherited fields never compared; unset service defaults read as their default; tags other
//! tools add reported, not fought; a hub's App Insights read back as null after a project
//! update (Azure/azure-rest-api-specs #31696) not taken for a removal when the manifest is the
//! one last applied.
//!
//! Cost: linear in the fleet. The live state is indexed once (`LiveIndex`: projects by id key
//! to their hub; hubs, projects, rules, connections and assignments are already keyed by
//! lower-case id in `Live`), so no hub scans every live resource — here, in drift (the same
//! planner), in import (which reads `Live` by key) or in apply (which groups the plan's changes
//! by hub in one pass). A kept resource costs no JSON work: its live copy is neither cloned nor
//! serialised; digests and fingerprints are computed once per resource. The fleet benchmark's
//! `grown` case shows the curve (docs/performance.md).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use hubctl_model::{self as model, ArmId, Live, id_key};
use hubctl_spec::Desired;
use serde_json::json;

use crate::change::*;
use crate::digest;
use crate::reasons::{Reason, WarningKind};

/// What a plan is made with, besides desired and live.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Delete owned hubs whose manifests are gone, and undeclared projects of managed hubs.
    pub prune: bool,
    /// Workspace deletes purge (`forceToPurge=true`: permanent, the name free at once) instead
    /// of the service's soft delete (recoverable, the name taken for up to 14 days).
    pub purge: bool,
    /// A capability host whose settings changed is deleted and created again
    /// (`--replace-capability-hosts`) instead of refused.
    pub replace_capability_hosts: bool,
    /// A manifest naming a soft-deleted Foundry resource recovers it (`--recover-deleted`).
    pub recover_deleted: bool,
    /// A manifest naming a soft-deleted Foundry resource purges it, then creates it anew
    /// (`--purge-deleted`).
    pub purge_deleted: bool,
    /// The caller's object id (never removed by exclusive access).
    pub caller: Option<String>,
    /// The ARM endpoint (recorded in the plan).
    pub target: String,
    /// hubctl's version (recorded in the plan).
    pub tool_version: String,
}

/// Compare the manifests with live state. Pure: no I/O.
///
/// Cost grows linearly with the fleet: the live state is indexed once ([`LiveIndex`]) and every
/// lookup a hub makes (its own live copy, its projects, a workspace of the same name elsewhere)
/// is a map lookup by lower-case id key, never a scan of every live resource.
pub fn plan(desired: &Desired, live: &Live, options: &PlanOptions) -> Plan {
    let mut planner = Planner {
        live,
        index: LiveIndex::new(live),
        options,
        changes: Vec::new(),
        warnings: Vec::new(),
        hubs: BTreeMap::new(),
    };
    let mut declared = BTreeSet::new();
    for hub in &desired.hubs {
        let key = id_key(&hub.arm_id());
        declared.insert(key.clone());
        planner.hub(hub, &key);
    }
    for (key, live_hub) in &live.hubs {
        if !declared.contains(key) {
            planner.orphan(key, live_hub);
        }
    }
    for foundry in &desired.foundries {
        let key = id_key(&foundry.arm_id());
        declared.insert(key.clone());
        planner.foundry(foundry, &key);
    }
    for (key, live_foundry) in &live.foundries {
        if !declared.contains(key) {
            planner.orphan_foundry(key, live_foundry);
        }
    }
    let Planner { mut changes, mut warnings, hubs, .. } = planner;
    if options.purge {
        for change in &mut changes {
            if change.action == Action::Delete
                && matches!(change.kind, ResourceKind::Hub | ResourceKind::Project)
            {
                change.after = Some(json!({ "forceToPurge": true }));
            }
        }
    }
    crate::quota::check(&mut changes, &mut warnings, desired, live);
    let changes = crate::order::order(changes);
    Plan {
        format_version: FORMAT_VERSION,
        provenance: Provenance {
            tool_version: options.tool_version.clone(),
            target: options.target.clone(),
            manifest_digest: digest::desired(desired),
            prune: options.prune,
        },
        changes,
        warnings,
        hubs,
        fingerprints: digest::fingerprints(live),
        origin: OriginMark(Origin::Made),
    }
}

/// Lookups over the live state the planner needs, built in one pass over it.
pub(crate) struct LiveIndex<'a> {
    /// Every live project's id key → the id key of the hub it belongs to.
    pub(crate) project_hub: HashMap<&'a str, &'a str>,
}

impl<'a> LiveIndex<'a> {
    fn new(live: &'a Live) -> LiveIndex<'a> {
        let mut project_hub = HashMap::new();
        for (hub_key, hub) in &live.hubs {
            for project_key in hub.projects.keys() {
                project_hub.insert(project_key.as_str(), hub_key.as_str());
            }
        }
        LiveIndex { project_hub }
    }

    /// The live project with this id key, under whichever hub it is.
    pub(crate) fn project(&self, live: &'a Live, key: &str) -> Option<&'a model::Workspace> {
        let hub = self.project_hub.get(key)?;
        live.hubs.get(*hub)?.projects.get(key).map(|p| &p.workspace)
    }
}

/// The planner's state while it walks the manifests; each section adds its changes through
/// [`Planner::change`] (crate::sections).
pub(crate) struct Planner<'a> {
    pub(crate) live: &'a Live,
    pub(crate) index: LiveIndex<'a>,
    pub(crate) options: &'a PlanOptions,
    pub(crate) changes: Vec<Change>,
    pub(crate) warnings: Vec<Warning>,
    pub(crate) hubs: BTreeMap<String, HubSummary>,
}

impl Planner<'_> {
    pub(crate) fn change(
        &mut self,
        hub: &str,
        kind: ResourceKind,
        resource: &ArmId,
        display: String,
        action: Action,
        reasons: Vec<Reason>,
    ) -> &mut Change {
        let id = format!("{hub}#{}/{}", kind_name(kind), display.to_ascii_lowercase());
        self.changes.push(Change {
            id,
            hub: hub.to_string(),
            kind,
            resource: resource.clone(),
            display,
            action,
            reasons,
            fields: Vec::new(),
            before: None,
            after: None,
            depends_on: Vec::new(),
            detail: None,
        });
        let last = self.changes.len() - 1;
        &mut self.changes[last]
    }

    /// A live resource kept or updated in place: an update with `fields`, `before` and the
    /// body to write when any field differs, else kept (no JSON work for what is kept).
    pub(crate) fn update_or_keep<T: serde::Serialize>(
        &mut self,
        (hub, kind, resource, display): (&str, ResourceKind, &ArmId, String),
        fields: Vec<FieldChange>,
        before: &T,
        after: serde_json::Value,
    ) {
        if fields.is_empty() {
            self.change(
                hub,
                kind,
                resource,
                display,
                Action::NoOp,
                vec![Reason::NoOpBecauseInSync],
            );
            return;
        }
        let reasons = vec![Reason::UpdateBecauseFieldsChanged];
        let change = self.change(hub, kind, resource, display, Action::Update, reasons);
        change.fields = fields;
        change.before = Some(serde_json::to_value(before).unwrap_or_default());
        change.after = Some(after);
    }

    pub(crate) fn warn(&mut self, kind: WarningKind, resource: &str, detail: impl Into<String>) {
        self.warnings.push(Warning { kind, resource: resource.to_string(), detail: detail.into() });
    }

    /// A live workspace's id; one the service sent without a parseable id is named as a
    /// workspace beside the hub whose id key is `hub`.
    pub(crate) fn live_id(&self, workspace: &model::Workspace, hub: &str) -> ArmId {
        ArmId::parse(&workspace.id).unwrap_or_else(|_| {
            let hub = ArmId::parse(hub).ok();
            let part = |f: fn(&ArmId) -> Option<&str>| {
                hub.as_ref().and_then(f).unwrap_or_default().to_string()
            };
            ArmId::workspace(
                &part(ArmId::subscription),
                &part(ArmId::resource_group),
                &workspace.name,
            )
        })
    }
}

pub(crate) fn kind_name(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Hub => "hub",
        ResourceKind::ManagedNetwork => "network",
        ResourceKind::OutboundRule => "rule",
        ResourceKind::Connection => "connection",
        ResourceKind::Project => "project",
        ResourceKind::RoleAssignment => "access",
        ResourceKind::Account => "account",
        ResourceKind::DeletedAccount => "deleted-account",
        ResourceKind::AccountProject => "account-project",
        ResourceKind::AccountConnection => "account-connection",
        ResourceKind::ProjectConnection => "project-connection",
        ResourceKind::ContentFilter => "content-filter",
        ResourceKind::Deployment => "deployment",
        ResourceKind::CapabilityHost => "capability-host",
    }
}
