//! Projects: `projects` — workspaces of kind `Project` under the hub, with their display name,
//! description and access. A project's hub is fixed (a project of that name under another hub,
//! or a workspace of another kind, is refused); the settings it inherits from its hub are never
//! compared; an undeclared project is deleted only with `--prune`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use hubctl_model::{ArmId, IdentityType, LiveHub, ManagedIdentity, Workspace, WorkspaceProperties};
use hubctl_spec::model as spec;
use serde_json::json;

use super::{HubAt, HubUpdate, field, names, to_value};
use crate::change::*;
use crate::import::{Manifest, scalar};
use crate::planner::Planner;
use crate::reasons::{Reason, WarningKind};

/// The body that creates a project under `hub_id`.
pub fn project_body(hub: &spec::Hub, project: &spec::Project, hub_id: &str) -> Workspace {
    Workspace {
        location: hub.metadata.location.clone(),
        kind: Some("Project".into()),
        identity: Some(ManagedIdentity {
            identity_type: IdentityType::SystemAssigned,
            ..ManagedIdentity::default()
        }),
        properties: WorkspaceProperties {
            friendly_name: project.display_name.clone(),
            description: project.description.clone(),
            hub_resource_id: Some(hub_id.to_string()),
            ..WorkspaceProperties::default()
        },
        ..Workspace::default()
    }
}

impl Planner<'_> {
    /// The hub's projects and their access.
    pub(crate) fn projects(&mut self, at: &HubAt<'_>) {
        let HubAt { hub, key, id: hub_id, live } = *at;
        let m = &hub.metadata;
        let kind = ResourceKind::Project;
        let mut declared = BTreeSet::new();
        for project in &hub.spec.projects {
            let project_id =
                ArmId::workspace(m.subscription.as_str(), &m.resource_group, &project.name);
            let project_key = project_id.key().to_string();
            declared.insert(project_key.clone());
            let display = format!("{}/{}", m.name, project.name);
            let current = live.and_then(|h| h.projects.get(&project_key));
            // Under another hub, or a hub itself: a project's hub cannot change.
            let elsewhere = match self.index.project_hub.get(project_key.as_str()) {
                Some(hub_key) if *hub_key != key => Some(hub_key.to_string()),
                Some(_) => None,
                None if project_key != key
                    && (self.live.hubs.contains_key(&project_key)
                        || self.live.other_workspaces.contains_key(&project_key)) =>
                {
                    Some(project_key.clone())
                }
                None => None,
            };
            match (current, elsewhere) {
                (None, Some(other)) => {
                    let reason = if other == project_key {
                        Reason::BlockedBecauseWorkspaceKindMismatch
                    } else {
                        Reason::BlockedBecauseProjectHubImmutable
                    };
                    let change =
                        self.change(key, kind, &project_id, display, Action::Blocked, vec![reason]);
                    change.fields = vec![field(
                        "spec.projects[].name",
                        Some(json!(other)),
                        Some(json!(hub_id.as_str())),
                    )];
                }
                (None, None) => {
                    let body = project_body(hub, project, hub_id.as_str());
                    let reasons = vec![Reason::CreateBecauseMissing];
                    let change =
                        self.change(key, kind, &project_id, display, Action::Create, reasons);
                    change.after = Some(to_value(&body));
                    let path = format!("spec.projects.{}", project.name);
                    let mut settings = json!({});
                    if let Some(v) = &project.display_name {
                        settings["displayName"] = json!(v);
                    }
                    if let Some(v) = &project.description {
                        settings["description"] = json!(v);
                    }
                    change.fields = super::created_fields(&path, &settings, &[]);
                    let name = Some(project.name.as_str());
                    self.access(&project.access, key, &project_id, &project.name, None, name);
                }
                (Some(current), _) => {
                    let mut update = HubUpdate::new();
                    let path = format!("spec.projects.{}", project.name);
                    let wanted = [project.display_name.as_deref(), project.description.as_deref()];
                    names(&path, &current.workspace.properties, wanted, &mut update);
                    let HubUpdate { fields, patch, .. } = update;
                    let at = (key, kind, &project_id, display);
                    self.update_or_keep(at, fields, &current.workspace, patch);
                    let (assignments, name) =
                        (Some(&current.assignments), Some(project.name.as_str()));
                    self.access(
                        &project.access,
                        key,
                        &project_id,
                        &project.name,
                        assignments,
                        name,
                    );
                }
            }
        }
        for (project_key, current) in live.map(|h| &h.projects).into_iter().flatten() {
            if declared.contains(project_key) {
                continue;
            }
            let display = format!("{}/{}", m.name, current.workspace.name);
            // Under a hub hubctl has not adopted, nothing is pruned.
            let adopted = live.is_some_and(|h| super::hub::is_adopted(&h.workspace));
            if self.options.prune && adopted {
                let resource = self.live_id(&current.workspace, key);
                let reasons = vec![Reason::DeleteBecauseNotDeclared];
                let change = self.change(key, kind, &resource, display, Action::Delete, reasons);
                change.before = Some(to_value(&current.workspace));
            } else if self.options.prune {
                // --prune was asked for, but the hub is not hubctl's (not adopted).
                self.warn(WarningKind::NotOwned, hub_id.as_str(), display);
            } else {
                self.warn(WarningKind::UndeclaredProject, &current.workspace.id, display);
            }
        }
    }
}

// ---- ARM → manifest (hubctl import) ----

/// `projects`, each with its access.
pub(crate) fn read_projects(out: &mut Manifest, hub: &LiveHub) {
    if hub.projects.is_empty() {
        return;
    }
    out.push_str("  projects:\n");
    for project in hub.projects.values() {
        let _ = writeln!(out, "    - name: {}", project.workspace.name);
        if let Some(v) = &project.workspace.properties.friendly_name {
            let _ = writeln!(out, "      displayName: {}", scalar(v));
        }
        if let Some(v) = &project.workspace.properties.description {
            let _ = writeln!(out, "      description: {}", scalar(v));
        }
        super::access::read_access(out, "      ", &project.assignments);
    }
}
