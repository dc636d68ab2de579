//! Hub core: the hub workspace itself — `metadata` (location, tags), `displayName`,
//! `description`, `storageAccount`, `applicationInsights`, `containerRegistry`,
//! `storageAccess` — and the per-hub walk that calls the other sections in plan order.
//!
//! Location and storage account are fixed once the hub exists; App Insights and the registry
//! can change (with a lineage warning) but not be removed; the rest changes in place.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use hubctl_model::{
    self as model, ArmId, DatastoresAuthMode, LiveHub, ManagedNetwork, Workspace,
    WorkspaceProperties,
};
use hubctl_spec::model as spec;
use serde_json::json;

use super::{HubAt, HubUpdate, field, identity, names, network, opt_str, same_opt_id, to_value};
use crate::change::*;
use crate::digest;
use crate::import::{Manifest, scalar, set_value};
use crate::planner::Planner;
use crate::reasons::{Reason, WarningKind};

/// hubctl's ownership tag: its presence lets `--prune` delete a hub.
pub const OWNER_TAG: &str = "hubctl-managed-by";
/// Its value.
pub const OWNER_VALUE: &str = "hubctl";
/// The digest of the manifest last applied to the hub.
pub const DIGEST_TAG: &str = "hubctl-manifest-digest";

fn norm_location(location: &str) -> String {
    location.replace(' ', "").to_ascii_lowercase()
}

/// Whether hubctl owns this hub: its ownership tag is there (written by an apply with changes,
/// or by `hubctl adopt`). A hub without it is never deleted or pruned by hubctl.
pub fn is_adopted(workspace: &Workspace) -> bool {
    workspace.tags.as_ref().and_then(|t| t.get(OWNER_TAG)).is_some_and(|v| v == OWNER_VALUE)
}

/// ARM's datastore auth mode.
pub fn auth_mode(access: spec::StorageAccess) -> DatastoresAuthMode {
    match access {
        spec::StorageAccess::Identity => DatastoresAuthMode::Identity,
        spec::StorageAccess::Credential => DatastoresAuthMode::AccessKey,
    }
}

/// The hub's tags as written: the manifest's, other tools' (kept), and hubctl's own.
pub fn tags(
    hub: &spec::Hub,
    digest: &str,
    live: Option<&BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    owned_tags(&hub.metadata.tags, digest, live)
}

/// Tags as hubctl writes them on a hub or Foundry resource: those the manifest declares,
/// other tools' (kept), and hubctl's ownership and applied-manifest digest.
pub fn owned_tags(
    declared: &BTreeMap<String, String>,
    digest: &str,
    live: Option<&BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let mut tags: BTreeMap<String, String> = live
        .map(|l| {
            l.iter()
                .filter(|(k, _)| !k.to_ascii_lowercase().starts_with("hubctl-"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    for (key, value) in declared {
        tags.retain(|k, _| !k.eq_ignore_ascii_case(key));
        tags.insert(key.clone(), value.clone());
    }
    tags.insert(OWNER_TAG.into(), OWNER_VALUE.into());
    tags.insert(DIGEST_TAG.into(), digest.into());
    tags
}

/// What the tags `wanted` change on a live resource tagged `live_tags`: the field lines (for
/// the declared ones), whether any tag changes, and whether only hubctl's own do; tags other
/// tools added (not declared) are reported as a warning, never removed.
pub(crate) struct TagChanges {
    pub changed: bool,
    pub only_ownership: bool,
}

impl Planner<'_> {
    pub(crate) fn tag_changes(
        &mut self,
        declared: &BTreeMap<String, String>,
        wanted: &BTreeMap<String, String>,
        live_tags: &BTreeMap<String, String>,
        id: &ArmId,
        update: &mut HubUpdate,
    ) -> TagChanges {
        let mut out = TagChanges { changed: false, only_ownership: true };
        for (k, v) in wanted {
            if live_tags.get(k) != Some(v) {
                out.changed = true;
                if !k.starts_with("hubctl-") {
                    out.only_ownership = false;
                    update.fields.push(field(
                        &format!("metadata.tags.{k}"),
                        opt_str(live_tags.get(k).map(String::as_str)),
                        Some(json!(v)),
                    ));
                }
            }
        }
        let foreign: Vec<&str> = live_tags
            .keys()
            .filter(|k| {
                !k.starts_with("hubctl-") && !declared.keys().any(|d| d.eq_ignore_ascii_case(k))
            })
            .map(String::as_str)
            .collect();
        if !foreign.is_empty() {
            self.warn(WarningKind::ForeignTags, id.as_str(), foreign.join(", "));
        }
        out
    }
}

/// The body that creates the hub (every section's part of it).
pub fn hub_body(hub: &spec::Hub, digest: &str) -> Workspace {
    let spec = &hub.spec;
    let network = &spec.network;
    Workspace {
        location: hub.metadata.location.clone(),
        kind: Some("Hub".into()),
        tags: Some(tags(hub, digest, None)),
        identity: Some(identity::identity(&spec.identity)),
        properties: WorkspaceProperties {
            friendly_name: spec.display_name.clone(),
            description: spec.description.clone(),
            storage_account: Some(spec.storage_account.as_str().to_string()),
            key_vault: identity::credential_store(&spec.credential_store).map(str::to_string),
            application_insights: spec
                .application_insights
                .as_ref()
                .map(|i| i.as_str().to_string()),
            container_registry: spec.container_registry.as_ref().map(|i| i.as_str().to_string()),
            public_network_access: Some(network::public_access(network.public_network_access)),
            managed_network: Some(ManagedNetwork {
                isolation_mode: Some(network::isolation(&network.isolation)),
                firewall_sku: network::firewall(&network.isolation),
                outbound_rules: None,
                other: network
                    .network_monitor
                    .iter()
                    .map(|on| ("enableNetworkMonitor".to_string(), json!(on)))
                    .collect(),
            }),
            encryption: identity::encryption(&spec.encryption),
            hbi_workspace: Some(spec.high_business_impact),
            primary_user_assigned_identity: spec
                .identity
                .user_assigned()
                .and_then(|u| u.primary.as_ref())
                .map(|p| p.as_str().to_string()),
            system_datastores_auth_mode: Some(auth_mode(spec.storage_access)),
            other: spec
                .image_build_compute
                .iter()
                .map(|c| ("imageBuildCompute".to_string(), json!(c)))
                .chain(network.shared_private_links.as_ref().map(|links| {
                    ("sharedPrivateLinkResources".to_string(), network::shared_private_links(links))
                }))
                .collect(),
            ..WorkspaceProperties::default()
        },
        ..Workspace::default()
    }
}

impl Planner<'_> {
    /// One hub and everything under it, in plan order.
    pub(crate) fn hub(&mut self, hub: &spec::Hub, key: &str) {
        let id = ArmId::workspace(
            hub.metadata.subscription.as_str(),
            &hub.metadata.resource_group,
            &hub.metadata.name,
        );
        let digest = digest::hub(hub);
        let first_change = self.changes.len();
        let live = self.live.hubs.get(key);
        // A workspace with this name that is not a hub (e.g. another hub's project).
        let clash =
            self.index.project(self.live, key).or_else(|| self.live.other_workspaces.get(key));
        let name = hub.metadata.name.clone();
        match (live, clash) {
            (_, Some(other)) => {
                let reasons = vec![Reason::BlockedBecauseWorkspaceKindMismatch];
                let change =
                    self.change(key, ResourceKind::Hub, &id, name, Action::Blocked, reasons);
                change.before = Some(to_value(other));
            }
            (None, None) => {
                let body = hub_body(hub, &digest);
                let reasons = vec![Reason::CreateBecauseMissing];
                let change =
                    self.change(key, ResourceKind::Hub, &id, name, Action::Create, reasons);
                change.after = Some(to_value(&body));
                // Every setting the hub is created with, in the manifest's words; its rules,
                // connections, projects and access are changes of their own.
                let skip = [
                    "apiVersion",
                    "kind",
                    "metadata.name",
                    "metadata.subscription",
                    "metadata.resourceGroup",
                    "spec.network.outboundRules",
                    "spec.connections",
                    "spec.access",
                    "spec.projects",
                ];
                change.fields = super::created_fields("", &hubctl_spec::view(hub), &skip);
                if hub.spec.identity.user_assigned().is_some() {
                    self.warn(WarningKind::UserAssignedIdentityNeedsRole, id.as_str(), "");
                }
                let at = HubAt { hub, key, id: &id, live: None };
                self.rules(&at, false);
                self.connections(&at);
                self.projects(&at);
                self.access(&hub.spec.access, key, &id, &hub.metadata.name, None, None);
            }
            (Some(live_hub), None) => {
                let at = HubAt { hub, key, id: &id, live: Some(live_hub) };
                let towards_internet = self.existing_hub(&at, &digest, &live_hub.workspace);
                self.rules(&at, towards_internet);
                self.connections(&at);
                self.projects(&at);
                let assignments = Some(&live_hub.assignments);
                self.access(&hub.spec.access, key, &id, &hub.metadata.name, assignments, None);
            }
        }
        let adopted = live.is_none_or(|h| is_adopted(&h.workspace));
        let blocked = self.changes[first_change..].iter().any(|c| c.action == Action::Blocked);
        let work = self.changes[first_change..].iter().any(|c| c.action != Action::NoOp);
        if !blocked && (adopted || work) {
            self.mark_adopted(first_change);
        }
        // A kept resource needs no copy of its live state in the plan: the fingerprints already
        // say what was read. The rules above do not make one (no JSON work for what is kept);
        // this also clears any a rule made, hub by hub, to bound the plan's memory.
        for change in &mut self.changes[first_change..] {
            if change.action == Action::NoOp {
                change.before = None;
            }
        }
        let changed = self.changes[first_change..].iter().any(|c| c.action != Action::NoOp);
        let live_tags = live.and_then(|h| h.workspace.tags.as_ref());
        let live_digest = live_tags.and_then(|t| t.get(DIGEST_TAG)).cloned();
        // A blocked hub is not applied, so not adopted either.
        if changed && !adopted && !blocked {
            self.adopt_with_changes(hub, first_change, &digest, live_tags);
        }
        let classification = match (changed, live_digest.as_deref() == Some(digest.as_str())) {
            (false, _) => Classification::InSync,
            (true, _) if !adopted => Classification::NotAdopted,
            (true, true) => Classification::Drift,
            (true, false) => Classification::Pending,
        };
        let summary = HubSummary {
            name: hub.metadata.name.clone(),
            classification,
            manifest_digest: Some(digest),
        };
        self.hubs.insert(key.to_string(), summary);
    }

    /// The hub itself and its managed network; returns whether the network moves towards
    /// internet outbound (its rule deletes then go first).
    fn existing_hub(&mut self, at: &HubAt<'_>, digest: &str, live: &Workspace) -> bool {
        let HubAt { hub, key, id, .. } = *at;
        let mut update = HubUpdate::new();
        if !live.is_hub() {
            update.blocked.push(Reason::BlockedBecauseWorkspaceKindMismatch);
        }
        fixed(hub, live, &mut update);
        identity::fixed(hub, live, &mut update);
        self.links(hub, live, id, digest, &mut update);
        self.identity(hub, live, id, &mut update);
        storage_access(hub, live, &mut update);
        network::public_network_access(hub, live, &mut update);
        network::fixed_links(hub, live, &mut update);
        let wanted = [hub.spec.display_name.as_deref(), hub.spec.description.as_deref()];
        names("spec", &live.properties, wanted, &mut update);
        image_build_compute(hub, live, &mut update);
        // Tags: the manifest's and hubctl's; other tools' are kept and reported.
        let live_tags = live.tags.clone().unwrap_or_default();
        let wanted = tags(hub, digest, Some(&live_tags));
        let TagChanges { changed: tags_changed, only_ownership } =
            self.tag_changes(&hub.metadata.tags, &wanted, &live_tags, id, &mut update);
        let HubUpdate { blocked, fields, mut patch, overridden } = update;
        for note in overridden {
            self.warn(WarningKind::ServiceOverrides, id.as_str(), note);
        }
        let has_other_changes = !fields.is_empty();
        if tags_changed {
            patch["tags"] = json!(wanted);
        }
        if !live.provisioning_state().is_terminal() {
            let state = live.provisioning_state().as_str().to_string();
            self.warn(WarningKind::ResourceBusy, id.as_str(), state);
        }
        let (action, reasons) = if !blocked.is_empty() {
            (Action::Blocked, blocked)
        } else if has_other_changes {
            let reason = if fields.iter().all(|f| f.field == "spec.encryption.keyUri") {
                Reason::UpdateBecauseKeyVersionChanged
            } else {
                Reason::UpdateBecauseFieldsChanged
            };
            (Action::Update, vec![reason])
        } else if tags_changed && only_ownership && is_adopted(live) {
            // Not adopted: hubctl's own tags alone are no change (`hubctl adopt` writes them).
            (Action::Update, vec![Reason::UpdateBecauseOwnershipTagsStale])
        } else {
            (Action::NoOp, vec![Reason::NoOpBecauseInSync])
        };
        let name = hub.metadata.name.clone();
        let change = self.change(key, ResourceKind::Hub, id, name, action, reasons);
        change.fields = fields;
        if action != Action::NoOp {
            change.before = Some(to_value(live));
        }
        if action == Action::Update {
            change.after = Some(patch);
        }
        self.managed_network(at, live)
    }

    /// A hub hubctl has not adopted, with changes: the apply that makes them also writes
    /// hubctl's tags, and its plan line says so.
    fn adopt_with_changes(
        &mut self,
        hub: &spec::Hub,
        first_change: usize,
        digest: &str,
        live_tags: Option<&BTreeMap<String, String>>,
    ) {
        let Some(change) = self.changes[first_change..]
            .iter_mut()
            .find(|c| c.kind == ResourceKind::Hub && c.action != Action::Blocked)
        else {
            return;
        };
        if change.action == Action::NoOp {
            change.action = Action::Update;
            change.reasons.clear();
            change.after = Some(json!({ "tags": tags(hub, digest, live_tags) }));
            if let Some(live) = self.live.hubs.get(&change.hub) {
                change.before = Some(to_value(&live.workspace));
            }
        }
        change.reasons.push(Reason::AdoptWithTheseChanges);
        change.display.push_str(" and adopt it");
    }

    /// App Insights and the registry: can change (with a warning), cannot be removed.
    fn links(
        &mut self,
        hub: &spec::Hub,
        live: &Workspace,
        id: &ArmId,
        digest: &str,
        update: &mut HubUpdate,
    ) {
        let (lp, spec) = (&live.properties, &hub.spec);
        // A hub's App Insights reads back as null after a project update
        // (Azure/azure-rest-api-specs #31696): not a removal when the manifest is the one last
        // applied.
        let reads_null_quirk =
            live.tags.as_ref().and_then(|t| t.get(DIGEST_TAG)).is_some_and(|d| d == digest);
        for (name, live_value, desired_value, removal) in [
            (
                "applicationInsights",
                lp.application_insights.as_deref(),
                spec.application_insights.as_ref().map(|i| i.as_str()),
                Reason::BlockedBecauseAppInsightsCannotBeRemoved,
            ),
            (
                "containerRegistry",
                lp.container_registry.as_deref(),
                spec.container_registry.as_ref().map(|i| i.as_str()),
                Reason::BlockedBecauseRegistryCannotBeRemoved,
            ),
        ] {
            match (live_value, desired_value) {
                (Some(_), None) => {
                    update.block(removal, &format!("spec.{name}"), opt_str(live_value), None);
                }
                (None, Some(_)) if name == "applicationInsights" && reads_null_quirk => {}
                (l, Some(d)) if !same_opt_id(l, Some(d)) => {
                    update.set(&format!("spec.{name}"), opt_str(l), name, json!(d));
                    if let Some(l) = l {
                        let detail = format!("{name}: {l} → {d}");
                        self.warn(WarningKind::LineageMayBreak, id.as_str(), detail);
                    }
                }
                _ => {}
            }
        }
    }

    /// A live hub no manifest declares.
    pub(crate) fn orphan(&mut self, key: &str, live_hub: &LiveHub) {
        if !is_adopted(&live_hub.workspace) {
            return;
        }
        let workspace = &live_hub.workspace;
        self.hubs.insert(
            key.to_string(),
            HubSummary {
                name: workspace.name.clone(),
                classification: Classification::Orphaned,
                manifest_digest: None,
            },
        );
        if !self.options.prune {
            return;
        }
        for project in live_hub.projects.values() {
            let resource = self.live_id(&project.workspace, key);
            let display = format!("{}/{}", workspace.name, project.workspace.name);
            let reasons = vec![Reason::DeleteBecauseManifestRemoved];
            let kind = ResourceKind::Project;
            let change = self.change(key, kind, &resource, display, Action::Delete, reasons);
            change.before = Some(to_value(&project.workspace));
        }
        let projects: Vec<&str> =
            live_hub.projects.values().map(|p| p.workspace.name.as_str()).collect();
        let resource = self.live_id(workspace, key);
        let reasons = vec![Reason::DeleteBecauseManifestRemoved];
        let name = workspace.name.clone();
        let change = self.change(key, ResourceKind::Hub, &resource, name, Action::Delete, reasons);
        change.before = Some(to_value(workspace));
        change.fields = vec![field("spec.projects", Some(json!(projects)), None)];
    }
}

/// Location and storage account: fixed once the hub exists.
fn fixed(hub: &spec::Hub, live: &Workspace, update: &mut HubUpdate) {
    if norm_location(&live.location) != norm_location(&hub.metadata.location) {
        update.block(
            Reason::BlockedBecauseLocationImmutable,
            "metadata.location",
            Some(json!(live.location)),
            Some(json!(hub.metadata.location)),
        );
    }
    let storage = hub.spec.storage_account.as_str();
    let live_storage = live.properties.storage_account.as_deref();
    if !same_opt_id(live_storage, Some(storage)) {
        update.block(
            Reason::BlockedBecauseStorageAccountImmutable,
            "spec.storageAccount",
            opt_str(live_storage),
            Some(json!(storage)),
        );
    }
}

/// The compute that builds environment images: in place; left alone when not set.
fn image_build_compute(hub: &spec::Hub, live: &Workspace, update: &mut HubUpdate) {
    let Some(wanted) = hub.spec.image_build_compute.as_deref() else { return };
    let live_value = live.properties.other.get("imageBuildCompute").and_then(|v| v.as_str());
    if live_value != Some(wanted) {
        update.set(
            "spec.imageBuildCompute",
            opt_str(live_value),
            "imageBuildCompute",
            json!(wanted),
        );
    }
}

/// How the hub reaches its storage: in place.
fn storage_access(hub: &spec::Hub, live: &Workspace, update: &mut HubUpdate) {
    let live_auth = live.properties.system_datastores_auth_mode.as_ref();
    let live_auth = live_auth.unwrap_or(&model::DatastoresAuthMode::AccessKey).as_str();
    let desired = auth_mode(hub.spec.storage_access);
    let names = ("spec.storageAccess", "systemDatastoresAuthMode");
    update.enum_field(names, (live_auth, desired.as_str()), |arm| match arm {
        "AccessKey" => "credential".to_string(),
        other => super::camel(other),
    });
}

// ---- ARM → manifest (hubctl import) ----

/// `metadata` of an imported hub.
pub(crate) fn read_metadata(out: &mut Manifest, subscription: &str, w: &Workspace) {
    let rg = ArmId::parse(&w.id).ok();
    let rg = rg.as_ref().and_then(|id| id.resource_group()).unwrap_or_default();
    out.push_str("apiVersion: hubctl/v1\nkind: Hub\nmetadata:\n");
    let _ = writeln!(
        out,
        "  name: {}\n  subscription: {subscription}\n  resourceGroup: {}\n  location: {}",
        w.name,
        scalar(rg),
        norm_location(&w.location)
    );
    let tags: Vec<(&String, &String)> = w
        .tags
        .iter()
        .flatten()
        .filter(|(k, _)| !k.to_ascii_lowercase().starts_with("hubctl-"))
        .collect();
    if !tags.is_empty() {
        out.push_str("  tags:\n");
        for (k, v) in tags {
            let value = serde_json::to_string(v).unwrap_or_default();
            let _ = writeln!(out, "    {}: {value}", scalar(k));
        }
    }
}

/// `displayName`, `description` and `storageAccount`.
pub(crate) fn read_names(out: &mut Manifest, p: &WorkspaceProperties) {
    if let Some(v) = &p.friendly_name {
        let _ = writeln!(out, "  displayName: {}", scalar(v));
    }
    if let Some(v) = &p.description {
        let _ = writeln!(out, "  description: {}", scalar(v));
    }
    if let Some(v) = &p.storage_account {
        let _ = writeln!(out, "  storageAccount: {v}");
    }
}

/// `applicationInsights`, `containerRegistry` and `imageBuildCompute`.
pub(crate) fn read_links(out: &mut Manifest, p: &WorkspaceProperties) {
    if let Some(v) = &p.application_insights {
        let _ = writeln!(out, "  applicationInsights: {v}");
    }
    if let Some(v) = &p.container_registry {
        let _ = writeln!(out, "  containerRegistry: {v}");
    }
    if let Some(compute) = p.other.get("imageBuildCompute").and_then(|v| v.as_str())
        && !compute.is_empty()
    {
        let _ = writeln!(out, "  imageBuildCompute: {}", scalar(compute));
    }
}

/// `storageAccess`.
pub(crate) fn read_storage_access(out: &mut Manifest, p: &WorkspaceProperties) {
    match &p.system_datastores_auth_mode {
        Some(DatastoresAuthMode::Identity) => out.push_str("  storageAccess: identity\n"),
        Some(DatastoresAuthMode::AccessKey) | None => out.push_str("  storageAccess: credential\n"),
        Some(other) => {
            out.not_expressed(
                "  ",
                format!("systemDatastoresAuthMode {other} cannot be expressed"),
            );
        }
    }
}

/// Workspace properties import reads into manifest fields, or that the service sets itself
/// (hubctl_model::WORKSPACE_READ_ONLY): every other one set away from its default
/// (`workspaceHubConfig`, `serverlessComputeSettings`, `v1LegacyMode`, fields of later
/// api-versions, …) is named — a comment, and the list import prints — and left as it is:
/// hubctl's PATCH bodies carry only what a manifest manages.
const READ_INTO_FIELDS: &[&str] = &["imageBuildCompute", "sharedPrivateLinkResources"];

/// The hub's settings no manifest field holds (see [`READ_INTO_FIELDS`]).
pub(crate) fn read_unmanaged(out: &mut Manifest, p: &WorkspaceProperties) {
    let known = |name: &str| {
        READ_INTO_FIELDS.contains(&name) || hubctl_model::WORKSPACE_READ_ONLY.contains(&name)
    };
    for (name, value) in p.other.iter().filter(|(name, _)| !known(name)) {
        if let Some(value) = set_value(value) {
            let what = format!("{name}: {value} — not managed by hubctl, left as it is");
            out.not_expressed("  ", what);
        }
    }
}
