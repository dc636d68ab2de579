//! `plan(&Desired, &Live) -> Plan`: compare, normalise, apply the rules, order the changes.
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

use hubctl_model::{
    self as model, FirewallSku, IdentityType, IsolationMode, Live, LiveHub, PrincipalType,
    RoleAssignment, RuleDestination, id_key, role_definition_guid, same_id, workspace_id,
};
use hubctl_spec::Desired;
use hubctl_spec::model as spec;
use serde_json::{Value, json};

use crate::change::*;
use crate::digest;
use crate::mapping::{self, DIGEST_TAG, OWNER_TAG, OWNER_VALUE};
use crate::reasons::{Reason, WarningKind};
use crate::roles;

/// What a plan is made with, besides desired and live.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Delete owned hubs whose manifests are gone, and undeclared projects of managed hubs.
    pub prune: bool,
    /// Workspace deletes purge (`forceToPurge=true`: permanent, the name free at once) instead
    /// of the service's soft delete (recoverable, the name taken for up to 14 days).
    pub purge: bool,
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
    let Planner { mut changes, warnings, hubs, .. } = planner;
    if options.purge {
        for change in &mut changes {
            if change.action == Action::Delete
                && matches!(change.kind, ResourceKind::Hub | ResourceKind::Project)
            {
                change.after = Some(json!({ "forceToPurge": true }));
            }
        }
    }
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
    }
}

/// Lookups over the live state the planner needs, built in one pass over it.
struct LiveIndex<'a> {
    /// Every live project's id key → the id key of the hub it belongs to.
    project_hub: HashMap<&'a str, &'a str>,
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
    fn project(&self, live: &'a Live, key: &str) -> Option<&'a model::Workspace> {
        let hub = self.project_hub.get(key)?;
        live.hubs.get(*hub)?.projects.get(key).map(|p| &p.workspace)
    }
}

struct Planner<'a> {
    live: &'a Live,
    index: LiveIndex<'a>,
    options: &'a PlanOptions,
    changes: Vec<Change>,
    warnings: Vec<Warning>,
    hubs: BTreeMap<String, HubSummary>,
}

fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn field(name: &str, before: Option<Value>, after: Option<Value>) -> FieldChange {
    FieldChange { field: name.to_string(), before, after }
}

fn opt_str(value: Option<&str>) -> Option<Value> {
    value.map(|v| Value::String(v.to_string()))
}

fn same_opt_id(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => same_id(a, b),
        _ => false,
    }
}

fn norm_location(location: &str) -> String {
    location.replace(' ', "").to_ascii_lowercase()
}

impl Planner<'_> {
    fn change(
        &mut self,
        hub: &str,
        kind: ResourceKind,
        resource: &str,
        display: String,
        action: Action,
        reasons: Vec<Reason>,
    ) -> &mut Change {
        let id = format!("{hub}#{}/{}", kind_name(kind), display.to_ascii_lowercase());
        self.changes.push(Change {
            id,
            hub: hub.to_string(),
            kind,
            resource: resource.to_string(),
            display,
            action,
            reasons,
            fields: Vec::new(),
            before: None,
            after: None,
            depends_on: Vec::new(),
        });
        let last = self.changes.len() - 1;
        &mut self.changes[last]
    }

    fn warn(&mut self, kind: WarningKind, resource: &str, detail: impl Into<String>) {
        self.warnings.push(Warning { kind, resource: resource.to_string(), detail: detail.into() });
    }

    fn hub(&mut self, hub: &spec::Hub, key: &str) {
        let id = hub.arm_id();
        let digest = digest::hub(hub);
        let first_change = self.changes.len();
        let live = self.live.hubs.get(key);
        // A workspace with this name that is not a hub (e.g. another hub's project).
        let clash =
            self.index.project(self.live, key).or_else(|| self.live.other_workspaces.get(key));
        match (live, clash) {
            (_, Some(other)) => {
                let change = self.change(
                    key,
                    ResourceKind::Hub,
                    &id,
                    hub.metadata.name.clone(),
                    Action::Blocked,
                    vec![Reason::BlockedBecauseWorkspaceKindMismatch],
                );
                change.before = Some(to_value(other));
            }
            (None, None) => {
                let body = mapping::hub_body(hub, &digest);
                let change = self.change(
                    key,
                    ResourceKind::Hub,
                    &id,
                    hub.metadata.name.clone(),
                    Action::Create,
                    vec![Reason::CreateBecauseMissing],
                );
                change.after = Some(to_value(&body));
                if hub.spec.identity.user_assigned().is_some() {
                    self.warn(WarningKind::UserAssignedIdentityNeedsRole, &id, "");
                }
                self.rules(hub, key, &id, None, false);
                self.connections(hub, key, &id, None);
                self.projects(hub, key, &id, None);
                self.access(&hub.spec.access, key, &id, &hub.metadata.name, None, None);
            }
            (Some(live_hub), None) => {
                let towards_internet = self.existing_hub(hub, key, &id, &digest, live_hub);
                self.rules(hub, key, &id, Some(live_hub), towards_internet);
                self.connections(hub, key, &id, Some(live_hub));
                self.projects(hub, key, &id, Some(live_hub));
                self.access(
                    &hub.spec.access,
                    key,
                    &id,
                    &hub.metadata.name,
                    Some(&live_hub.assignments),
                    None,
                );
            }
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
        let live_digest =
            live.and_then(|h| h.workspace.tags.as_ref()).and_then(|t| t.get(DIGEST_TAG)).cloned();
        let classification = match (changed, live_digest.as_deref() == Some(digest.as_str())) {
            (false, _) => Classification::InSync,
            (true, true) => Classification::Drift,
            (true, false) => Classification::Pending,
        };
        self.hubs.insert(
            key.to_string(),
            HubSummary {
                name: hub.metadata.name.clone(),
                classification,
                manifest_digest: Some(digest),
            },
        );
    }

    /// The hub itself and its managed network; returns whether the network moves towards
    /// internet outbound (its rule deletes then go first).
    fn existing_hub(
        &mut self,
        hub: &spec::Hub,
        key: &str,
        id: &str,
        digest: &str,
        live_hub: &LiveHub,
    ) -> bool {
        let live = &live_hub.workspace;
        let lp = &live.properties;
        let spec = &hub.spec;
        let mut blocked = Vec::new();
        let mut fields = Vec::new();
        let mut patch = json!({ "properties": {} });
        if !live.is_hub() {
            blocked.push(Reason::BlockedBecauseWorkspaceKindMismatch);
        }
        if norm_location(&live.location) != norm_location(&hub.metadata.location) {
            blocked.push(Reason::BlockedBecauseLocationImmutable);
            fields.push(field(
                "metadata.location",
                Some(json!(live.location)),
                Some(json!(hub.metadata.location)),
            ));
        }
        if !same_opt_id(lp.storage_account.as_deref(), Some(spec.storage_account.as_str())) {
            blocked.push(Reason::BlockedBecauseStorageAccountImmutable);
            fields.push(field(
                "spec.storageAccount",
                opt_str(lp.storage_account.as_deref()),
                Some(json!(spec.storage_account.as_str())),
            ));
        }
        let desired_vault = match &spec.credential_store {
            spec::CredentialStore::MicrosoftManaged => None,
            spec::CredentialStore::KeyVault(id) => Some(id.as_str()),
        };
        if !same_opt_id(lp.key_vault.as_deref(), desired_vault) {
            blocked.push(Reason::BlockedBecauseCredentialStoreImmutable);
            fields.push(field(
                "spec.credentialStore",
                Some(json!(lp.key_vault.as_deref().unwrap_or("microsoftManaged"))),
                Some(json!(desired_vault.unwrap_or("microsoftManaged"))),
            ));
        }
        // Encryption: the mode, vault and identity are fixed; the key rotates in place.
        let live_cmk = lp.encryption.as_ref().filter(|e| e.is_customer_managed());
        let desired_cmk = match &spec.encryption {
            spec::Encryption::CustomerManaged(cmk) => Some(cmk),
            spec::Encryption::MicrosoftManaged => None,
        };
        match (live_cmk, desired_cmk) {
            (None, None) => {}
            (Some(_), None) | (None, Some(_)) => {
                blocked.push(Reason::BlockedBecauseEncryptionModeImmutable);
                let mode =
                    |cmk: bool| json!(if cmk { "customerManaged" } else { "microsoftManaged" });
                fields.push(field(
                    "spec.encryption.type",
                    Some(mode(live_cmk.is_some())),
                    Some(mode(desired_cmk.is_some())),
                ));
            }
            (Some(l), Some(d)) => {
                if !same_id(&l.key_vault_properties.key_vault_arm_id, d.key_vault.as_str()) {
                    blocked.push(Reason::BlockedBecauseCmkVaultImmutable);
                    fields.push(field(
                        "spec.encryption.keyVault",
                        Some(json!(l.key_vault_properties.key_vault_arm_id)),
                        Some(json!(d.key_vault.as_str())),
                    ));
                }
                let live_identity =
                    l.identity.as_ref().and_then(|i| i.user_assigned_identity.as_deref());
                if !same_opt_id(live_identity, d.identity.as_ref().map(|i| i.as_str())) {
                    blocked.push(Reason::BlockedBecauseCmkIdentityImmutable);
                    fields.push(field(
                        "spec.encryption.identity",
                        opt_str(live_identity),
                        d.identity.as_ref().map(|i| json!(i.as_str())),
                    ));
                }
                if !l.key_vault_properties.key_identifier.eq_ignore_ascii_case(d.key_uri.as_str()) {
                    fields.push(field(
                        "spec.encryption.keyUri",
                        Some(json!(l.key_vault_properties.key_identifier)),
                        Some(json!(d.key_uri.as_str())),
                    ));
                    patch["properties"]["encryption"] =
                        json!({ "keyVaultProperties": { "keyIdentifier": d.key_uri.as_str() } });
                }
            }
        }
        // HBI is fixed; the service may turn it on itself with a customer-managed key.
        let live_hbi = lp.hbi_workspace.unwrap_or(false);
        let service_set = live_hbi && !spec.high_business_impact && desired_cmk.is_some();
        if live_hbi != spec.high_business_impact && !service_set {
            blocked.push(Reason::BlockedBecauseHbiImmutable);
            fields.push(field(
                "spec.highBusinessImpact",
                Some(json!(live_hbi)),
                Some(json!(spec.high_business_impact)),
            ));
        }
        // App Insights and the registry: can change (with a warning), cannot be removed.
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
                    blocked.push(removal);
                    fields.push(field(&format!("spec.{name}"), opt_str(live_value), None));
                }
                (None, Some(_)) if name == "applicationInsights" && reads_null_quirk => {}
                (l, Some(d)) if !same_opt_id(l, Some(d)) => {
                    fields.push(field(&format!("spec.{name}"), opt_str(l), Some(json!(d))));
                    patch["properties"][name] = json!(d);
                    if l.is_some() {
                        self.warn(
                            WarningKind::LineageMayBreak,
                            id,
                            format!("{name}: {} → {d}", l.unwrap_or_default()),
                        );
                    }
                }
                _ => {}
            }
        }
        // Identity.
        let live_identity = live.identity.as_ref();
        let live_type =
            live_identity.map(|i| i.identity_type.clone()).unwrap_or(IdentityType::None);
        let desired_type = mapping::identity_type(&spec.identity);
        let live_uais: BTreeSet<String> = live_identity
            .and_then(|i| i.user_assigned_identities.as_ref())
            .map(|m| m.keys().map(|k| id_key(k)).collect())
            .unwrap_or_default();
        let desired_uais: BTreeSet<String> = spec
            .identity
            .user_assigned()
            .map(|u| u.identities.iter().map(|i| id_key(i.as_str())).collect())
            .unwrap_or_default();
        if live_type == IdentityType::SystemAndUserAssigned
            && desired_type == IdentityType::SystemAssigned
        {
            blocked.push(Reason::BlockedBecauseIdentityCannotDropUserAssigned);
            fields.push(field(
                "spec.identity.type",
                Some(json!(live_type.as_str())),
                Some(json!(desired_type.as_str())),
            ));
        } else if live_type != desired_type || live_uais != desired_uais {
            fields.push(field(
                "spec.identity.type",
                Some(json!(live_type.as_str())),
                Some(json!(desired_type.as_str())),
            ));
            if live_uais != desired_uais {
                fields.push(field(
                    "spec.identity.userAssigned",
                    Some(json!(live_uais)),
                    Some(json!(desired_uais)),
                ));
                if desired_uais.difference(&live_uais).next().is_some() {
                    self.warn(WarningKind::UserAssignedIdentityNeedsRole, id, "");
                }
            }
            let mut identity = mapping::identity(&spec.identity);
            // The service merges the user-assigned map: an identity left out stays, so each one
            // to remove is sent as null (as azure-ai-ml's workspace update does).
            // (Only with a type that keeps user-assigned identities: a map beside a type
            // without them is refused, and the type change drops them all anyway.)
            let keeps_user = spec.identity.user_assigned().is_some();
            let live_map = live_identity
                .and_then(|i| i.user_assigned_identities.as_ref())
                .filter(|_| keeps_user);
            for id in live_map.into_iter().flat_map(|m| m.keys()) {
                if !desired_uais.contains(&id_key(id)) {
                    identity
                        .user_assigned_identities
                        .get_or_insert_with(BTreeMap::new)
                        .insert(id.clone(), Value::Null);
                }
            }
            patch["identity"] = to_value(&identity);
        }
        let desired_primary =
            spec.identity.user_assigned().and_then(|u| u.primary.as_ref()).map(|p| p.as_str());
        if desired_primary.is_some()
            && !same_opt_id(lp.primary_user_assigned_identity.as_deref(), desired_primary)
        {
            fields.push(field(
                "spec.identity.primary",
                opt_str(lp.primary_user_assigned_identity.as_deref()),
                opt_str(desired_primary),
            ));
            patch["properties"]["primaryUserAssignedIdentity"] = json!(desired_primary);
        }
        // Plain in-place settings.
        let live_auth =
            lp.system_datastores_auth_mode.clone().unwrap_or(model::DatastoresAuthMode::AccessKey);
        let desired_auth = mapping::auth_mode(spec.storage_access);
        if live_auth != desired_auth {
            fields.push(field(
                "spec.storageAccess",
                Some(json!(live_auth.as_str())),
                Some(json!(desired_auth.as_str())),
            ));
            patch["properties"]["systemDatastoresAuthMode"] = json!(desired_auth.as_str());
        }
        let live_public =
            lp.public_network_access.clone().unwrap_or(model::PublicNetworkAccess::Enabled);
        let desired_public = mapping::public_access(spec.network.public_network_access);
        if live_public != desired_public {
            fields.push(field(
                "spec.network.publicNetworkAccess",
                Some(json!(live_public.as_str())),
                Some(json!(desired_public.as_str())),
            ));
            patch["properties"]["publicNetworkAccess"] = json!(desired_public.as_str());
        }
        for (name, arm, live_value, desired_value) in [
            (
                "spec.displayName",
                "friendlyName",
                lp.friendly_name.as_deref(),
                spec.display_name.as_deref(),
            ),
            (
                "spec.description",
                "description",
                lp.description.as_deref(),
                spec.description.as_deref(),
            ),
        ] {
            if let Some(d) = desired_value
                && live_value.unwrap_or_default() != d
            {
                fields.push(field(name, opt_str(live_value), Some(json!(d))));
                patch["properties"][arm] = json!(d);
            }
        }
        // Tags: the manifest's and hubctl's; other tools' are kept and reported.
        let live_tags = live.tags.clone().unwrap_or_default();
        let wanted = mapping::tags(hub, digest, Some(&live_tags));
        let mut tags_changed = false;
        let mut only_ownership = true;
        for (k, v) in &wanted {
            if live_tags.get(k) != Some(v) {
                tags_changed = true;
                if !k.starts_with("hubctl-") {
                    only_ownership = false;
                    fields.push(field(
                        &format!("metadata.tags.{k}"),
                        opt_str(live_tags.get(k).map(String::as_str)),
                        Some(json!(v)),
                    ));
                }
            }
        }
        let foreign: Vec<&String> = live_tags
            .keys()
            .filter(|k| {
                !k.starts_with("hubctl-")
                    && !hub.metadata.tags.keys().any(|d| d.eq_ignore_ascii_case(k))
            })
            .collect();
        if !foreign.is_empty() {
            self.warn(
                WarningKind::ForeignTags,
                id,
                foreign.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
            );
        }
        let has_other_changes = !fields.is_empty();
        if tags_changed {
            patch["tags"] = json!(wanted);
        }
        if !live.provisioning_state().is_terminal() {
            self.warn(
                WarningKind::ResourceBusy,
                id,
                live.provisioning_state().as_str().to_string(),
            );
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
        } else if tags_changed && only_ownership {
            (Action::Update, vec![Reason::UpdateBecauseOwnershipTagsStale])
        } else {
            (Action::NoOp, vec![Reason::NoOpBecauseInSync])
        };
        let change =
            self.change(key, ResourceKind::Hub, id, hub.metadata.name.clone(), action, reasons);
        change.fields = fields;
        if action != Action::NoOp {
            change.before = Some(to_value(live));
        }
        if action == Action::Update {
            change.after = Some(patch);
        }

        // The managed network.
        let network = lp.managed_network.as_ref();
        let live_mode =
            network.and_then(|n| n.isolation_mode.clone()).unwrap_or(IsolationMode::Disabled);
        let desired_mode = mapping::isolation(&spec.network.isolation);
        let live_fw = network.and_then(|n| n.firewall_sku.clone()).or_else(|| {
            (live_mode == IsolationMode::AllowOnlyApprovedOutbound).then_some(FirewallSku::Standard)
        });
        let desired_fw = mapping::firewall(&spec.network.isolation);
        let mut fields = Vec::new();
        let mut reasons = Vec::new();
        if live_mode != desired_mode {
            fields.push(field(
                "spec.network.isolation",
                Some(json!(live_mode.as_str())),
                Some(json!(desired_mode.as_str())),
            ));
            if live_mode != IsolationMode::Disabled && desired_mode == IsolationMode::Disabled {
                reasons.push(Reason::BlockedBecauseManagedNetworkCannotBeDisabled);
            }
        }
        if desired_fw.is_some() && live_fw != desired_fw {
            fields.push(field(
                "spec.network.firewallSku",
                live_fw.as_ref().map(|f| json!(f.as_str())),
                desired_fw.as_ref().map(|f| json!(f.as_str())),
            ));
        }
        let towards_internet = live_mode == IsolationMode::AllowOnlyApprovedOutbound
            && desired_mode == IsolationMode::AllowInternetOutbound;
        if towards_internet {
            self.warn(WarningKind::TowardsInternetOutbound, id, "");
        }
        let action = if !reasons.is_empty() {
            Action::Blocked
        } else if fields.is_empty() {
            return towards_internet;
        } else {
            reasons.push(Reason::UpdateBecauseFieldsChanged);
            Action::Update
        };
        let mut network_patch = json!({ "isolationMode": desired_mode.as_str() });
        if let Some(fw) = &desired_fw {
            network_patch["firewallSku"] = json!(fw.as_str());
        }
        let change = self.change(
            key,
            ResourceKind::ManagedNetwork,
            id,
            format!("{} network", hub.metadata.name),
            action,
            reasons,
        );
        change.fields = fields;
        if action != Action::NoOp {
            change.before = network.map(to_value);
        }
        if action == Action::Update {
            change.after = Some(json!({ "properties": { "managedNetwork": network_patch } }));
        }
        towards_internet
    }

    fn rules(
        &mut self,
        hub: &spec::Hub,
        key: &str,
        id: &str,
        live: Option<&LiveHub>,
        towards_internet: bool,
    ) {
        let desired = hub.spec.network.isolation.rules();
        let live_rules: BTreeMap<String, (String, model::OutboundRule)> = live
            .and_then(|h| h.workspace.properties.managed_network.as_ref())
            .and_then(|n| n.outbound_rules.as_ref())
            .map(|rules| {
                rules
                    .iter()
                    .filter(|(_, r)| r.is_user_defined())
                    .map(|(n, r)| (n.to_ascii_lowercase(), (n.clone(), r.clone())))
                    .collect()
            })
            .unwrap_or_default();
        // Whether this hub's managed network is updated (existing_hub ran before): kept rules
        // then carry their bodies.
        let network_changes = self
            .changes
            .iter()
            .rev()
            .take_while(|c| c.hub == key)
            .any(|c| c.kind == ResourceKind::ManagedNetwork && c.action == Action::Update);
        let mut declared = BTreeSet::new();
        for rule in &desired {
            declared.insert(rule.name.to_ascii_lowercase());
            let wanted = mapping::rule(&rule.item);
            let resource = format!("{id}/outboundRules/{}", rule.name);
            let display = format!("{}/{}", hub.metadata.name, rule.name);
            let current = live_rules.get(&rule.name.to_ascii_lowercase()).map(|(_, c)| c);
            let rule_field = format!("spec.network.outboundRules.{}", rule.name);
            // A rule the service reports Failed does not let traffic through: never "in sync".
            // Other states short of Active pass with time (a warning).
            let status = current.and_then(|c| c.status.as_deref()).unwrap_or("Active");
            let (action, reason, fields) = match current {
                None => {
                    if matches!(rule.item, spec::Destination::PrivateEndpoint(_)) {
                        self.warn(WarningKind::PrivateEndpointNeedsApproval, &resource, "");
                    }
                    let fields = vec![field(&rule_field, None, Some(rule_view(&wanted)))];
                    (Action::Create, Reason::CreateBecauseMissing, fields)
                }
                Some(current) if !same_rule(current, &wanted) => {
                    let fields = vec![field(
                        &rule_field,
                        Some(rule_view(current)),
                        Some(rule_view(&wanted)),
                    )];
                    (Action::Update, Reason::UpdateBecauseFieldsChanged, fields)
                }
                Some(current) if status.eq_ignore_ascii_case("Failed") => {
                    let error = current
                        .other
                        .get("errorInformation")
                        .and_then(Value::as_str)
                        .unwrap_or("the service gave no error information");
                    self.warn(WarningKind::RuleFailed, &resource, error);
                    let status_field = format!("{rule_field}.status");
                    let fields =
                        vec![field(&status_field, Some(json!("Failed")), Some(json!("Active")))];
                    (Action::Update, Reason::UpdateBecauseRuleFailed, fields)
                }
                Some(_) => {
                    if !status.eq_ignore_ascii_case("Active") {
                        self.warn(WarningKind::RuleNotActive, &resource, status);
                    }
                    (Action::NoOp, Reason::NoOpBecauseInSync, Vec::new())
                }
            };
            let change = self.change(
                key,
                ResourceKind::OutboundRule,
                &resource,
                display,
                action,
                vec![reason],
            );
            change.fields = fields;
            if action != Action::NoOp {
                change.before = current.map(to_value);
                change.after = Some(to_value(&wanted));
            } else if network_changes {
                // Whether the service keeps rules through a managedNetwork PATCH is not
                // public: a kept rule carries its body, so apply can write it again if the
                // network change cleared it (crate::change docs).
                change.after = Some(to_value(&wanted));
            }
        }
        for (lower, (name, current)) in &live_rules {
            if declared.contains(lower) {
                continue;
            }
            let resource = format!("{id}/outboundRules/{name}");
            let change = self.change(
                key,
                ResourceKind::OutboundRule,
                &resource,
                format!("{}/{name}", hub.metadata.name),
                Action::Delete,
                vec![Reason::DeleteBecauseNotDeclared],
            );
            change.fields = vec![field(
                &format!("spec.network.outboundRules.{name}"),
                Some(rule_view(current)),
                None,
            )];
            change.before = Some(to_value(current));
            if towards_internet {
                // Azure refuses internet outbound while FQDN or service-tag rules exist: these
                // deletes run before the network change (see `order`).
                change.depends_on.push("before-network".into());
            }
        }
    }

    fn connections(&mut self, hub: &spec::Hub, key: &str, id: &str, live: Option<&LiveHub>) {
        let live_connections = live.and_then(|h| h.connections.as_ref());
        if hub.spec.connections.is_empty() && live_connections.is_none() {
            return;
        }
        let mut declared = BTreeSet::new();
        for connection in &hub.spec.connections {
            declared.insert(connection.name.to_ascii_lowercase());
            let body = mapping::connection_body(connection);
            let resource = format!("{id}/connections/{}", connection.name);
            let display = format!("{}/{}", hub.metadata.name, connection.name);
            let current = live_connections.and_then(|list| {
                list.iter().find(|c| c.name.eq_ignore_ascii_case(&connection.name))
            });
            let (category, auth, _) = mapping::connection(connection);
            match current {
                None => {
                    let change = self.change(
                        key,
                        ResourceKind::Connection,
                        &resource,
                        display,
                        Action::Create,
                        vec![Reason::CreateBecauseMissing],
                    );
                    change.fields = vec![field(
                        &format!("spec.connections.{}", connection.name),
                        None,
                        Some(
                            json!({ "category": category, "resource": connection.resource.as_str(), "auth": auth }),
                        ),
                    )];
                    change.after = Some(body);
                }
                Some(c) => {
                    let metadata = |key: &str| {
                        c.properties.metadata.as_ref().and_then(|m| m.get(key)).map(String::as_str)
                    };
                    let (live_resource, live_container) =
                        (metadata("ResourceId"), metadata("ContainerName"));
                    let same = c.properties.category.eq_ignore_ascii_case(category)
                        && c.properties.auth_type.eq_ignore_ascii_case(auth)
                        && same_opt_id(live_resource, Some(connection.resource.as_str()))
                        && (connection.container.is_none()
                            || live_container == connection.container.as_deref());
                    let (action, reason) = if same {
                        (Action::NoOp, Reason::NoOpBecauseInSync)
                    } else {
                        (Action::Update, Reason::UpdateBecauseFieldsChanged)
                    };
                    let change = self.change(
                        key,
                        ResourceKind::Connection,
                        &resource,
                        display,
                        action,
                        vec![reason],
                    );
                    change.before = Some(to_value(c));
                    if !same {
                        change.fields = vec![field(
                            &format!("spec.connections.{}", connection.name),
                            Some(
                                json!({ "category": c.properties.category, "resource": live_resource, "auth": c.properties.auth_type, "container": live_container }),
                            ),
                            Some(
                                json!({ "category": category, "resource": connection.resource.as_str(), "auth": auth, "container": connection.container }),
                            ),
                        )];
                        change.after = Some(body);
                    }
                }
            }
        }
        for c in live_connections.into_iter().flatten() {
            if declared.contains(&c.name.to_ascii_lowercase()) {
                continue;
            }
            let ours = c
                .properties
                .metadata
                .as_ref()
                .and_then(|m| m.get("hubctl-managed"))
                .is_some_and(|v| v == "true");
            let resource = format!("{id}/connections/{}", c.name);
            if ours {
                let change = self.change(
                    key,
                    ResourceKind::Connection,
                    &resource,
                    format!("{}/{}", hub.metadata.name, c.name),
                    Action::Delete,
                    vec![Reason::DeleteBecauseNotDeclared],
                );
                change.before = Some(to_value(c));
            } else {
                self.warn(WarningKind::ForeignConnection, &resource, c.name.clone());
            }
        }
    }

    fn projects(&mut self, hub: &spec::Hub, key: &str, hub_id: &str, live: Option<&LiveHub>) {
        let m = &hub.metadata;
        let mut declared = BTreeSet::new();
        for project in &hub.spec.projects {
            let project_id =
                workspace_id(m.subscription.as_str(), &m.resource_group, &project.name);
            let project_key = id_key(&project_id);
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
                    let change = self.change(
                        key,
                        ResourceKind::Project,
                        &project_id,
                        display,
                        Action::Blocked,
                        vec![reason],
                    );
                    change.fields = vec![field(
                        "spec.projects[].name",
                        Some(json!(other)),
                        Some(json!(hub_id)),
                    )];
                    continue;
                }
                (None, None) => {
                    let body = mapping::project_body(hub, project, hub_id);
                    let change = self.change(
                        key,
                        ResourceKind::Project,
                        &project_id,
                        display,
                        Action::Create,
                        vec![Reason::CreateBecauseMissing],
                    );
                    change.after = Some(to_value(&body));
                    self.access(
                        &project.access,
                        key,
                        &project_id,
                        &project.name,
                        None,
                        Some(&project.name),
                    );
                }
                (Some(current), _) => {
                    let lp = &current.workspace.properties;
                    let mut fields = Vec::new();
                    let mut patch = json!({ "properties": {} });
                    for (name, arm, live_value, desired_value) in [
                        (
                            "displayName",
                            "friendlyName",
                            lp.friendly_name.as_deref(),
                            project.display_name.as_deref(),
                        ),
                        (
                            "description",
                            "description",
                            lp.description.as_deref(),
                            project.description.as_deref(),
                        ),
                    ] {
                        if let Some(d) = desired_value
                            && live_value.unwrap_or_default() != d
                        {
                            fields.push(field(
                                &format!("spec.projects.{}.{name}", project.name),
                                opt_str(live_value),
                                Some(json!(d)),
                            ));
                            patch["properties"][arm] = json!(d);
                        }
                    }
                    let (action, reason) = if fields.is_empty() {
                        (Action::NoOp, Reason::NoOpBecauseInSync)
                    } else {
                        (Action::Update, Reason::UpdateBecauseFieldsChanged)
                    };
                    let change = self.change(
                        key,
                        ResourceKind::Project,
                        &project_id,
                        display,
                        action,
                        vec![reason],
                    );
                    change.fields = fields;
                    if action == Action::Update {
                        change.before = Some(to_value(&current.workspace));
                        change.after = Some(patch);
                    }
                    self.access(
                        &project.access,
                        key,
                        &project_id,
                        &project.name,
                        Some(&current.assignments),
                        Some(&project.name),
                    );
                }
            }
        }
        for (project_key, current) in live.map(|h| &h.projects).into_iter().flatten() {
            if declared.contains(project_key) {
                continue;
            }
            let display = format!("{}/{}", m.name, current.workspace.name);
            if self.options.prune {
                let change = self.change(
                    key,
                    ResourceKind::Project,
                    &current.workspace.id,
                    display,
                    Action::Delete,
                    vec![Reason::DeleteBecauseNotDeclared],
                );
                change.before = Some(to_value(&current.workspace));
            } else {
                self.warn(WarningKind::UndeclaredProject, &current.workspace.id, display);
            }
        }
    }

    /// Role assignments at exactly `scope`.
    /// A role assignment's change.
    fn access_change(
        &mut self,
        key: &str,
        resource: &str,
        display: String,
        action: Action,
        reason: Reason,
    ) -> &mut Change {
        self.change(key, ResourceKind::RoleAssignment, resource, display, action, vec![reason])
    }

    fn access(
        &mut self,
        access: &spec::Access,
        key: &str,
        scope: &str,
        scope_name: &str,
        live: Option<&Vec<RoleAssignment>>,
        project: Option<&str>,
    ) {
        let mut matched = BTreeSet::new();
        for assignment in &access.assignments {
            let principal = assignment.principal.as_str().to_string();
            let role_guid = match &assignment.role {
                spec::RoleRef::Id(guid) => Some(guid.as_str().to_string()),
                spec::RoleRef::Name(name) => {
                    roles::built_in(name).map(str::to_string).or_else(|| {
                        self.live.role_definitions.get(&name.to_ascii_lowercase()).cloned()
                    })
                }
            };
            let role_text = assignment.role.text().to_string();
            let display = format!("{scope_name}: {role_text} → {principal}");
            let Some(role_guid) = role_guid else {
                let change = self.access_change(
                    key,
                    scope,
                    display,
                    Action::Blocked,
                    Reason::BlockedBecauseRoleNotFound,
                );
                change.fields = vec![field(&access_path(project), None, Some(json!(role_text)))];
                continue;
            };
            let name = assignment_name(scope, &principal, &role_guid);
            let resource =
                format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}");
            let existing = live.into_iter().flatten().find(|a| a.grants(&principal, &role_guid));
            let subscription = model::subscription_of(scope).unwrap_or_default();
            let mut body = json!({ "properties": {
                "roleDefinitionId": format!("/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}"),
                "principalId": principal,
                "principalType": principal_type(assignment.principal_type).as_str(),
            }});
            let wanted_condition = assignment.condition.as_ref().map(|c| c.expression.trim());
            if let Some(condition) = &assignment.condition {
                body["properties"]["condition"] = json!(condition.expression);
                body["properties"]["conditionVersion"] = json!(condition.version);
            }
            match existing {
                Some(found) => {
                    matched.insert(id_key(&found.id));
                    // An assignment with an ABAC condition is not the unconditional grant a
                    // manifest without one declares (and the other way round): a change.
                    let live_condition = found.condition();
                    if live_condition != wanted_condition {
                        let change = self.access_change(
                            key,
                            &found.id,
                            display,
                            Action::Update,
                            Reason::UpdateBecauseFieldsChanged,
                        );
                        change.fields = vec![field(
                            &format!("{}.condition", access_path(project)),
                            opt_str(live_condition),
                            opt_str(wanted_condition),
                        )];
                        change.before = Some(to_value(found));
                        change.after = Some(body);
                        continue;
                    }
                    let reason = if found.name.eq_ignore_ascii_case(&name) {
                        Reason::NoOpBecauseInSync
                    } else {
                        Reason::NoOpBecauseEquivalentExists
                    };
                    self.access_change(key, &found.id, display, Action::NoOp, reason);
                }
                None => {
                    let change = self.access_change(
                        key,
                        &resource,
                        display,
                        Action::Create,
                        Reason::CreateBecauseMissing,
                    );
                    change.fields = vec![field(
                        &access_path(project),
                        None,
                        Some(json!({ "principal": principal, "role": role_text })),
                    )];
                    change.after = Some(body);
                }
            }
        }
        if !access.exclusive {
            return;
        }
        for assignment in live.into_iter().flatten() {
            if matched.contains(&id_key(&assignment.id)) {
                continue;
            }
            let role_guid = role_definition_guid(&assignment.properties.role_definition_id);
            let role = roles::name_of(&role_guid).map(str::to_string).unwrap_or(role_guid.clone());
            let display = format!("{scope_name}: {role} → {}", assignment.properties.principal_id);
            let is_caller = self
                .options
                .caller
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case(&assignment.properties.principal_id));
            if is_caller && roles::ACCESS_ADMIN.contains(&role_guid.as_str()) {
                self.warn(WarningKind::CallerAccessKept, &assignment.id, display);
                continue;
            }
            let change = self.access_change(
                key,
                &assignment.id,
                display,
                Action::Delete,
                Reason::DeleteBecauseNotDeclared,
            );
            change.fields = vec![field(
                &access_path(project),
                Some(json!({ "principal": assignment.properties.principal_id, "role": role })),
                None,
            )];
            change.before = Some(to_value(assignment));
        }
    }

    /// A live hub no manifest declares.
    fn orphan(&mut self, key: &str, live_hub: &LiveHub) {
        let owned = live_hub
            .workspace
            .tags
            .as_ref()
            .and_then(|t| t.get(OWNER_TAG))
            .is_some_and(|v| v == OWNER_VALUE);
        if !owned {
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
            let change = self.change(
                key,
                ResourceKind::Project,
                &project.workspace.id,
                format!("{}/{}", workspace.name, project.workspace.name),
                Action::Delete,
                vec![Reason::DeleteBecauseManifestRemoved],
            );
            change.before = Some(to_value(&project.workspace));
        }
        let projects: Vec<&str> =
            live_hub.projects.values().map(|p| p.workspace.name.as_str()).collect();
        let change = self.change(
            key,
            ResourceKind::Hub,
            &workspace.id,
            workspace.name.clone(),
            Action::Delete,
            vec![Reason::DeleteBecauseManifestRemoved],
        );
        change.before = Some(to_value(workspace));
        change.fields = vec![field("spec.projects", Some(json!(projects)), None)];
    }
}

fn access_path(project: Option<&str>) -> String {
    match project {
        Some(p) => format!("spec.projects.{p}.access.assignments"),
        None => "spec.access.assignments".into(),
    }
}

fn principal_type(kind: spec::PrincipalType) -> PrincipalType {
    match kind {
        spec::PrincipalType::User => PrincipalType::User,
        spec::PrincipalType::Group => PrincipalType::Group,
        spec::PrincipalType::ServicePrincipal => PrincipalType::ServicePrincipal,
    }
}

/// The deterministic name of an assignment: UUIDv5 of scope, principal and role, so a re-run
/// after a crash names the same assignment instead of making a second one.
pub fn assignment_name(scope: &str, principal: &str, role_guid: &str) -> String {
    let key = format!(
        "{}|{}|{}",
        id_key(scope),
        principal.to_ascii_lowercase(),
        role_guid.to_ascii_lowercase()
    );
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, key.as_bytes()).to_string()
}

/// Whether a live user rule already is the wanted one (hosts and ids compared as ARM does).
fn same_rule(live: &model::OutboundRule, wanted: &model::OutboundRule) -> bool {
    match (&live.destination, &wanted.destination) {
        (RuleDestination::Fqdn(a), RuleDestination::Fqdn(b)) => a.eq_ignore_ascii_case(b),
        (RuleDestination::PrivateEndpoint(a), RuleDestination::PrivateEndpoint(b)) => {
            same_id(&a.service_resource_id, &b.service_resource_id)
                && a.subresource_target.eq_ignore_ascii_case(&b.subresource_target)
                && a.spark_enabled == b.spark_enabled
        }
        (RuleDestination::ServiceTag(a), RuleDestination::ServiceTag(b)) => {
            let ports = |p: &str| p.replace(' ', "");
            a.service_tag.eq_ignore_ascii_case(&b.service_tag)
                && a.protocol.eq_ignore_ascii_case(&b.protocol)
                && ports(&a.port_ranges) == ports(&b.port_ranges)
        }
        _ => false,
    }
}

/// A rule as people compare it.
fn rule_view(rule: &model::OutboundRule) -> Value {
    match &rule.destination {
        RuleDestination::Fqdn(host) => json!({ "fqdn": host }),
        RuleDestination::PrivateEndpoint(d) => {
            json!({ "privateEndpoint": { "resource": d.service_resource_id, "subresource": d.subresource_target, "sparkEnabled": d.spark_enabled } })
        }
        RuleDestination::ServiceTag(d) => {
            json!({ "serviceTag": { "tag": d.service_tag, "protocol": d.protocol, "ports": d.port_ranges } })
        }
        RuleDestination::Unknown { rule_type, destination } => json!({ rule_type: destination }),
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
    }
}
