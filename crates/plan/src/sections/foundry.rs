//! Foundry core: a `kind: Foundry` manifest against its `Microsoft.CognitiveServices/accounts`
//! (kind `AIServices`) — the account itself (`metadata`, `customSubDomainName`, `sku`,
//! `identity`, `localAuth`, `network`, `encryption`), its projects, and the walk that calls
//! the shared sections for connections and access in plan order.
//!
//! What the service refuses on a live account (NOTES-foundry.md §4), each a rule of
//! [`crate::reasons::RULES`]: the kind and location are fixed; the custom subdomain is fixed
//! once set (and unique across Azure, soft-deleted accounts included); encryption cannot switch
//! between Microsoft- and customer-managed keys, nor move to another vault (the key's name
//! and version change in place). Project management is always on for `kind: Foundry` (the
//! manifest cannot turn it off, and an account without it gets it turned on, which the
//! service allows); a project's location is always its account's. A name held by a
//! soft-deleted account is refused with both ways out (recover, purge) unless one is asked for.
//!
//! Live values are normalised so that nothing shows as drift that is not: an absent
//! `publicNetworkAccess` is `Enabled`, absent `networkAcls` allow all with no rules, absent
//! `disableLocalAuth` is false, absent `encryption` (or `keySource:
//! Microsoft.CognitiveServices`) is Microsoft-managed, the identity type is read with or
//! without the space after its comma, IP rules and subnets compare as sets.

use std::collections::{BTreeMap, BTreeSet};

use hubctl_model::{Account, AccountProject, ArmId, IdentityType, LiveFoundry, id_key};
use hubctl_spec::model as spec;
use serde_json::{Value, json};

use super::connections::ConnectionsAt;
use super::hub::{DIGEST_TAG, OWNER_TAG, OWNER_VALUE};
use super::{HubUpdate, field, opt_str, to_value};
use crate::change::*;
use crate::digest;
use crate::planner::Planner;
use crate::reasons::{Reason, WarningKind};

/// The identity block as Cognitive Services spells it (`SystemAssigned, UserAssigned`).
pub fn identity_body(identity: &spec::Identity) -> Value {
    let (kind, user) = match identity {
        spec::Identity::SystemAssigned => ("SystemAssigned", None),
        spec::Identity::UserAssigned(u) => ("UserAssigned", Some(u)),
        spec::Identity::SystemAndUserAssigned(u) => ("SystemAssigned, UserAssigned", Some(u)),
    };
    let mut body = json!({ "type": kind });
    if let Some(user) = user {
        let map: serde_json::Map<String, Value> =
            user.identities.iter().map(|id| (id.as_str().to_string(), json!({}))).collect();
        body["userAssignedIdentities"] = Value::Object(map);
    }
    body
}

fn default_action(action: spec::DefaultAction) -> &'static str {
    match action {
        spec::DefaultAction::Allow => "Allow",
        spec::DefaultAction::Deny => "Deny",
    }
}

fn bypass(bypass: spec::Bypass) -> &'static str {
    match bypass {
        spec::Bypass::AzureServices => "AzureServices",
        spec::Bypass::None => "None",
    }
}

/// `networkAcls`; `live_bypass` is kept when the manifest leaves `bypass` unmanaged.
pub fn acls_body(network: &spec::FoundryNetwork, live_bypass: Option<&str>) -> Value {
    let mut acls = json!({
        "defaultAction": default_action(network.default_action),
        "ipRules": network.ip_rules.iter().map(|v| json!({ "value": v })).collect::<Vec<_>>(),
        "virtualNetworkRules": network
            .virtual_network_rules
            .iter()
            .map(|id| json!({ "id": id.as_str() }))
            .collect::<Vec<_>>(),
    });
    match (network.bypass, live_bypass) {
        (Some(b), _) => acls["bypass"] = json!(bypass(b)),
        (None, Some(b)) => acls["bypass"] = json!(b),
        (None, None) => {}
    }
    acls
}

/// `networkInjections` (2025-06-01: one object) for the agents' subnet.
pub fn injections_body(subnet: &hubctl_spec::ids::ArmId) -> Value {
    json!({ "scenario": "agent", "subnetArmId": subnet.as_str(), "useMicrosoftManagedNetwork": false })
}

/// `encryption` for a customer-managed key; `None` for Microsoft-managed (the service's
/// default: nothing is sent). The identity is named by its client id, as the service takes it.
pub fn encryption_body(
    encryption: &spec::FoundryEncryption,
    client_ids: &BTreeMap<String, String>,
) -> Option<Value> {
    let spec::FoundryEncryption::CustomerManaged(key) = encryption else { return None };
    let mut properties = json!({
        "keyVaultUri": key.key_vault_uri,
        "keyName": key.key_name,
        "keyVersion": key.key_version,
    });
    if let Some(identity) = &key.identity {
        let client_id = client_ids.get(&id_key(identity.as_str())).cloned().unwrap_or_default();
        properties["identityClientId"] = json!(client_id);
    }
    Some(json!({ "keySource": "Microsoft.KeyVault", "keyVaultProperties": properties }))
}

/// The account's tags as written: the manifest's, other tools' (kept), and hubctl's own.
pub fn tags(
    foundry: &spec::Foundry,
    digest: &str,
    live: Option<&BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    super::hub::owned_tags(&foundry.metadata.tags, digest, live)
}

/// The body that creates the account.
pub fn account_body(
    foundry: &spec::Foundry,
    digest: &str,
    client_ids: &BTreeMap<String, String>,
) -> Value {
    let s = &foundry.spec;
    let mut properties = json!({
        "customSubDomainName": s.custom_sub_domain_name,
        "allowProjectManagement": true,
        "publicNetworkAccess": public_access(s.network.public_network_access),
        "disableLocalAuth": s.local_auth == spec::LocalAuth::Disabled,
        "networkAcls": acls_body(&s.network, None),
    });
    if let Some(encryption) = encryption_body(&s.encryption, client_ids) {
        properties["encryption"] = encryption;
    }
    if let Some(subnet) = &s.network.agent_subnet {
        properties["networkInjections"] = injections_body(subnet);
    }
    json!({
        "location": foundry.metadata.location,
        "kind": "AIServices",
        "sku": { "name": s.sku },
        "tags": tags(foundry, digest, None),
        "identity": identity_body(&s.identity),
        "properties": properties,
    })
}

fn public_access(access: spec::PublicNetworkAccess) -> &'static str {
    match access {
        spec::PublicNetworkAccess::Enabled => "Enabled",
        spec::PublicNetworkAccess::Disabled => "Disabled",
    }
}

/// The body that creates a project of the account (in the account's region).
pub fn project_body(foundry: &spec::Foundry, project: &spec::FoundryProject) -> Value {
    let mut properties = json!({});
    if let Some(v) = &project.display_name {
        properties["displayName"] = json!(v);
    }
    if let Some(v) = &project.description {
        properties["description"] = json!(v);
    }
    json!({
        "location": foundry.metadata.location,
        "identity": identity_body(&project.identity),
        "properties": properties,
    })
}

fn upgrade_arm(v: spec::VersionUpgrade) -> &'static str {
    match v {
        spec::VersionUpgrade::OnceNewDefaultVersionAvailable => "OnceNewDefaultVersionAvailable",
        spec::VersionUpgrade::OnceCurrentVersionExpired => "OnceCurrentVersionExpired",
        spec::VersionUpgrade::NoAutoUpgrade => "NoAutoUpgrade",
    }
}

/// The body that creates (or rewrites, by PUT) a deployment.
pub fn deployment_body(d: &spec::Deployment) -> Value {
    let mut model = json!({ "format": d.model.format, "name": d.model.name });
    if let Some(v) = &d.model.version {
        model["version"] = json!(v);
    }
    let mut properties =
        json!({ "model": model, "versionUpgradeOption": upgrade_arm(d.version_upgrade) });
    if let Some(filter) = &d.content_filter {
        properties["raiPolicyName"] = json!(filter);
    }
    json!({ "sku": { "name": d.sku.name, "capacity": d.sku.capacity }, "properties": properties })
}

fn severity_arm(s: spec::Severity) -> &'static str {
    match s {
        spec::Severity::Low => "Low",
        spec::Severity::Medium => "Medium",
        spec::Severity::High => "High",
    }
}

fn source_arm(s: spec::FilterSource) -> &'static str {
    match s {
        spec::FilterSource::Prompt => "Prompt",
        spec::FilterSource::Completion => "Completion",
    }
}

/// The body that writes a content filter (an RAI policy; PUT, synchronous).
pub fn content_filter_body(c: &spec::ContentFilter) -> Value {
    let filters: Vec<Value> = c
        .filters
        .iter()
        .map(|f| {
            let mut out = json!({
                "name": f.category.arm(),
                "source": source_arm(f.source),
                "blocking": f.blocking,
                "enabled": f.enabled,
            });
            if let Some(s) = f.severity {
                out["severityThreshold"] = json!(severity_arm(s));
            }
            out
        })
        .collect();
    json!({ "properties": { "basePolicyName": c.base_policy, "contentFilters": filters } })
}

/// A content filter's filters as comparable text: `name|source → enabled,blocking,severity`.
fn filter_set(filters: &[Value]) -> BTreeMap<String, String> {
    filters
        .iter()
        .map(|f| {
            let key = format!(
                "{}|{}",
                f["name"].as_str().unwrap_or_default().to_ascii_lowercase(),
                f["source"].as_str().unwrap_or_default().to_ascii_lowercase()
            );
            let value = format!(
                "enabled={},blocking={},severity={}",
                f["enabled"].as_bool().unwrap_or(true),
                f["blocking"].as_bool().unwrap_or(true),
                f["severityThreshold"].as_str().unwrap_or("-").to_ascii_lowercase()
            );
            (key, value)
        })
        .collect()
}

/// One named item of a list of the manifest's view (`deployments`, `contentFilters`), without
/// its name: the settings a create shows.
fn item_view(foundry: &spec::Foundry, list: &str, name: &str) -> Value {
    let view = hubctl_spec::view_foundry(foundry);
    let mut item = view["spec"][list]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["name"] == json!(name)))
        .cloned()
        .unwrap_or(Value::Null);
    if let Some(map) = item.as_object_mut() {
        map.remove("name");
    }
    item
}

/// The body that creates a capability host.
pub fn capability_host_body(agents: &spec::Agents) -> Value {
    let mut properties = json!({
        "capabilityHostKind": "Agents",
        "storageConnections": agents.storage,
        "vectorStoreConnections": agents.vector_store,
        "threadStorageConnections": agents.thread_storage,
        "aiServicesConnections": agents.ai_services,
    });
    if let Some(subnet) = &agents.subnet {
        properties["customerSubnet"] = json!(subnet.as_str());
    }
    json!({ "properties": properties })
}

/// Whether hubctl owns this account: its ownership tag is there.
pub fn is_adopted(account: &Account) -> bool {
    account.tags.as_ref().and_then(|t| t.get(OWNER_TAG)).is_some_and(|v| v == OWNER_VALUE)
}

/// The identity as (type in the manifest's words, sorted user-assigned id keys).
fn identity_of_live(identity: Option<&hubctl_model::ManagedIdentity>) -> (String, Vec<String>) {
    let Some(identity) = identity else { return ("none".into(), Vec::new()) };
    let kind = match identity.identity_type {
        IdentityType::SystemAssigned => "systemAssigned".to_string(),
        IdentityType::UserAssigned => "userAssigned".to_string(),
        IdentityType::SystemAndUserAssigned => "systemAssigned,userAssigned".to_string(),
        IdentityType::None => "none".to_string(),
        IdentityType::Unknown(ref t) => t.clone(),
    };
    let mut ids: Vec<String> = identity
        .user_assigned_identities
        .iter()
        .flat_map(|m| m.keys())
        .map(|k| id_key(k))
        .collect();
    ids.sort();
    (kind, ids)
}

fn identity_of_manifest(identity: &spec::Identity) -> (String, Vec<String>) {
    let kind = match identity {
        spec::Identity::SystemAssigned => "systemAssigned",
        spec::Identity::UserAssigned(_) => "userAssigned",
        spec::Identity::SystemAndUserAssigned(_) => "systemAssigned,userAssigned",
    };
    let mut ids: Vec<String> = identity
        .user_assigned()
        .map(|u| u.identities.iter().map(|i| id_key(i.as_str())).collect())
        .unwrap_or_default();
    ids.sort();
    (kind.to_string(), ids)
}

/// Identity: changed in place (`path` is `spec` or a project's path).
fn identity(
    path: &str,
    live: Option<&hubctl_model::ManagedIdentity>,
    wanted: &spec::Identity,
    update: &mut HubUpdate,
) {
    let (live_kind, live_ids) = identity_of_live(live);
    let (kind, ids) = identity_of_manifest(wanted);
    if live_kind != kind {
        update.fields.push(field(
            &format!("{path}.identity.type"),
            Some(json!(live_kind)),
            Some(json!(kind)),
        ));
    }
    if live_ids != ids {
        update.fields.push(field(
            &format!("{path}.identity.userAssigned"),
            Some(json!(live_ids)),
            Some(json!(ids)),
        ));
    }
    if live_kind != kind || live_ids != ids {
        update.patch["identity"] = identity_body(wanted);
    }
}

/// An ARM value in the manifest's words (`AzureServices` → `azureServices`).
fn word(arm: &str) -> String {
    super::camel(arm)
}

/// The account's own settings against its live body.
fn account_update(
    foundry: &spec::Foundry,
    live: &Account,
    client_ids: &BTreeMap<String, String>,
    update: &mut HubUpdate,
) {
    let (s, p) = (&foundry.spec, &live.properties);
    if !live.is_ai_services() {
        let kind = live.kind.clone().unwrap_or_default();
        update.block(
            Reason::BlockedBecauseAccountKindMismatch,
            "kind",
            Some(json!(kind)),
            Some(json!("AIServices")),
        );
    }
    let norm = |l: &str| l.replace(' ', "").to_ascii_lowercase();
    if norm(&live.location) != norm(&foundry.metadata.location) {
        update.block(
            Reason::BlockedBecauseLocationImmutable,
            "metadata.location",
            Some(json!(live.location)),
            Some(json!(foundry.metadata.location)),
        );
    }
    match p.custom_sub_domain_name.as_deref().filter(|d| !d.is_empty()) {
        Some(d) if !d.eq_ignore_ascii_case(&s.custom_sub_domain_name) => update.block(
            Reason::BlockedBecauseSubdomainImmutable,
            "spec.customSubDomainName",
            Some(json!(d)),
            Some(json!(s.custom_sub_domain_name)),
        ),
        Some(_) => {}
        None => update.set(
            "spec.customSubDomainName",
            None,
            "customSubDomainName",
            json!(s.custom_sub_domain_name),
        ),
    }
    if p.allow_project_management != Some(true) {
        // Off → on is allowed (NOTES-foundry.md §4); kind: Foundry always has projects.
        let before = p.allow_project_management.map(|b| json!(b));
        update.set("spec.projectManagement", before, "allowProjectManagement", json!(true));
    }
    let live_sku = live.sku.as_ref().map(|s| s.name.as_str()).unwrap_or_default();
    if !live_sku.eq_ignore_ascii_case(&s.sku) {
        update.fields.push(field("spec.sku", opt_str(Some(live_sku)), Some(json!(s.sku))));
        update.patch["sku"] = json!({ "name": s.sku });
    }
    identity("spec", live.identity.as_ref(), &s.identity, update);
    let live_local = if p.disable_local_auth == Some(true) { "disabled" } else { "enabled" };
    let local = match s.local_auth {
        spec::LocalAuth::Enabled => "enabled",
        spec::LocalAuth::Disabled => "disabled",
    };
    if live_local != local {
        update.fields.push(field("spec.localAuth", Some(json!(live_local)), Some(json!(local))));
        let disabled = s.local_auth == spec::LocalAuth::Disabled;
        update.patch["properties"]["disableLocalAuth"] = json!(disabled);
    }
    network(&s.network, p, update);
    encryption(&s.encryption, p, client_ids, update);
}

fn network(
    wanted: &spec::FoundryNetwork,
    p: &hubctl_model::AccountProperties,
    update: &mut HubUpdate,
) {
    update.enum_field(
        ("spec.network.publicNetworkAccess", "publicNetworkAccess"),
        (
            p.public_network_access.as_deref().unwrap_or("Enabled"),
            public_access(wanted.public_network_access),
        ),
        word,
    );
    let acls = p.network_acls.as_ref();
    let live_action = acls.and_then(|a| a.default_action.as_deref()).unwrap_or("Allow");
    let live_bypass = acls.and_then(|a| a.bypass.as_deref());
    let mut live_ips: Vec<String> = acls
        .and_then(|a| a.ip_rules.as_ref())
        .map(|r| r.iter().map(|r| r.value.to_ascii_lowercase()).collect())
        .unwrap_or_default();
    live_ips.sort();
    let mut ips: Vec<String> = wanted.ip_rules.iter().map(|v| v.to_ascii_lowercase()).collect();
    ips.sort();
    let mut live_subnets: Vec<String> = acls
        .and_then(|a| a.virtual_network_rules.as_ref())
        .map(|r| r.iter().map(|r| id_key(&r.id)).collect())
        .unwrap_or_default();
    live_subnets.sort();
    let mut subnets: Vec<String> =
        wanted.virtual_network_rules.iter().map(|i| id_key(i.as_str())).collect();
    subnets.sort();
    let mut changed = false;
    if !live_action.eq_ignore_ascii_case(default_action(wanted.default_action)) {
        let after = word(default_action(wanted.default_action));
        update.fields.push(field(
            "spec.network.defaultAction",
            Some(json!(word(live_action))),
            Some(json!(after)),
        ));
        changed = true;
    }
    if let Some(b) = wanted.bypass
        && !live_bypass.unwrap_or("").eq_ignore_ascii_case(bypass(b))
    {
        update.fields.push(field(
            "spec.network.bypass",
            opt_str(live_bypass).map(|v| json!(word(v.as_str().unwrap_or_default()))),
            Some(json!(word(bypass(b)))),
        ));
        changed = true;
    }
    if live_ips != ips {
        update.fields.push(field(
            "spec.network.ipRules",
            Some(json!(live_ips)),
            Some(json!(wanted.ip_rules)),
        ));
        changed = true;
    }
    if live_subnets != subnets {
        let shown: Vec<&str> = wanted.virtual_network_rules.iter().map(|i| i.as_str()).collect();
        update.fields.push(field(
            "spec.network.virtualNetworkRules",
            Some(json!(live_subnets)),
            Some(json!(shown)),
        ));
        changed = true;
    }
    if changed {
        update.patch["properties"]["networkAcls"] = acls_body(wanted, live_bypass);
    }
    let live_subnet = agent_subnet(p);
    let wanted_subnet = wanted.agent_subnet.as_ref().map(|s| s.as_str());
    if !super::same_opt_id(live_subnet.as_deref(), wanted_subnet) {
        let after = wanted
            .agent_subnet
            .as_ref()
            .map_or_else(|| json!({ "scenario": "none" }), injections_body);
        let before = opt_str(live_subnet.as_deref());
        update.fields.push(field("spec.network.agentSubnet", before, opt_str(wanted_subnet)));
        update.patch["properties"]["networkInjections"] = after;
    }
}

/// The agents' subnet of a live account: `networkInjections` with scenario `agent` (one object
/// in 2025-06-01, a list in later versions).
fn agent_subnet(p: &hubctl_model::AccountProperties) -> Option<String> {
    p.network_injections
        .as_ref()
        .and_then(|n| match n {
            Value::Array(items) => items.first().cloned(),
            other => Some(other.clone()),
        })
        .filter(|n| n["scenario"].as_str().is_some_and(|s| s.eq_ignore_ascii_case("agent")))
        .and_then(|n| n["subnetArmId"].as_str().map(str::to_string))
}

fn encryption(
    wanted: &spec::FoundryEncryption,
    p: &hubctl_model::AccountProperties,
    client_ids: &BTreeMap<String, String>,
    update: &mut HubUpdate,
) {
    let live = p.encryption.as_ref().filter(|e| e.is_customer_managed());
    match (live, wanted) {
        (None, spec::FoundryEncryption::MicrosoftManaged) => {}
        (Some(_), spec::FoundryEncryption::MicrosoftManaged) => update.block(
            Reason::BlockedBecauseEncryptionModeImmutable,
            "spec.encryption.type",
            Some(json!("customerManaged")),
            Some(json!("microsoftManaged")),
        ),
        (None, spec::FoundryEncryption::CustomerManaged(_)) => update.block(
            Reason::BlockedBecauseEncryptionModeImmutable,
            "spec.encryption.type",
            Some(json!("microsoftManaged")),
            Some(json!("customerManaged")),
        ),
        (Some(live), spec::FoundryEncryption::CustomerManaged(key)) => {
            let k = live.key_vault_properties.clone().unwrap_or_default();
            let host = |uri: &str| uri.trim_end_matches('/').to_ascii_lowercase();
            let live_uri = k.key_vault_uri.clone().unwrap_or_default();
            if host(&live_uri) != host(&key.key_vault_uri) {
                update.block(
                    Reason::BlockedBecauseCmkVaultImmutable,
                    "spec.encryption.keyVaultUri",
                    Some(json!(live_uri)),
                    Some(json!(key.key_vault_uri)),
                );
                return;
            }
            let wanted_client =
                key.identity.as_ref().and_then(|i| client_ids.get(&id_key(i.as_str())).cloned());
            let mut changed = false;
            for (name, live_value, value) in [
                ("keyName", k.key_name.as_deref(), Some(key.key_name.as_str())),
                ("keyVersion", k.key_version.as_deref(), Some(key.key_version.as_str())),
                (
                    "identity",
                    k.identity_client_id.as_deref().filter(|c| !c.is_empty()),
                    wanted_client.as_deref(),
                ),
            ] {
                if live_value != value {
                    let shown = if name == "identity" {
                        key.identity.as_ref().map(|i| json!(i.as_str()))
                    } else {
                        value.map(|v| json!(v))
                    };
                    update.fields.push(field(
                        &format!("spec.encryption.{name}"),
                        opt_str(live_value),
                        shown,
                    ));
                    changed = true;
                }
            }
            if changed {
                update.patch["properties"]["encryption"] =
                    encryption_body(wanted, client_ids).unwrap_or(Value::Null);
            }
        }
    }
}

impl Planner<'_> {
    /// One Foundry resource and everything under it, in plan order.
    pub(crate) fn foundry(&mut self, foundry: &spec::Foundry, key: &str) {
        let Ok(id) = ArmId::parse(&foundry.arm_id()) else { return };
        let digest = digest::foundry(foundry);
        let first_change = self.changes.len();
        let live = self.live.foundries.get(key);
        let name = foundry.metadata.name.clone();
        let other = self.live.other_accounts.get(key);
        let deleted = self.live.deleted_accounts.get(key);
        let taken = self.subdomain_holder(foundry, key);
        let client_ids = &self.live.identity_client_ids;
        let key_identity = match &foundry.spec.encryption {
            spec::FoundryEncryption::CustomerManaged(k) => k.identity.as_ref(),
            spec::FoundryEncryption::MicrosoftManaged => None,
        };
        let unknown_identity =
            key_identity.filter(|i| !client_ids.contains_key(&id_key(i.as_str())));
        match (live, other, deleted) {
            _ if unknown_identity.is_some() => {
                let reasons = vec![Reason::BlockedBecauseKeyIdentityNotFound];
                let change =
                    self.change(key, ResourceKind::Account, &id, name, Action::Blocked, reasons);
                let identity = unknown_identity.map(|i| i.as_str().to_string());
                change.fields =
                    vec![field("spec.encryption.identity", None, identity.map(|i| json!(i)))];
            }
            (None, Some(other), _) => {
                let reasons = vec![Reason::BlockedBecauseAccountKindMismatch];
                let change =
                    self.change(key, ResourceKind::Account, &id, name, Action::Blocked, reasons);
                change.before = Some(to_value(other));
                let kind = other.kind.clone().unwrap_or_default();
                change.fields = vec![field("kind", Some(json!(kind)), Some(json!("AIServices")))];
            }
            (None, None, Some(deleted)) => self.soft_deleted(foundry, key, &id, &digest, deleted),
            (None, None, None) if taken.is_some() => {
                let holder = taken.unwrap_or_default();
                let reasons = vec![Reason::BlockedBecauseSubdomainTaken];
                let change =
                    self.change(key, ResourceKind::Account, &id, name, Action::Blocked, reasons);
                change.fields = vec![field(
                    "spec.customSubDomainName",
                    None,
                    Some(json!(foundry.spec.custom_sub_domain_name)),
                )];
                change.detail = Some(format!("held by {holder}"));
            }
            (None, None, None) => self.create_foundry(foundry, key, &id, &digest),
            (Some(live), _, _) => {
                let mut update = HubUpdate::new();
                account_update(foundry, &live.account, client_ids, &mut update);
                self.tags_update(foundry, &digest, &live.account, &id, update);
                self.foundry_children(foundry, key, &id, Some(live));
            }
        }
        self.summarise_foundry(foundry, key, first_change, &digest, live);
    }

    /// A live account (not this one) or a deleted one that holds the manifest's subdomain.
    fn subdomain_holder(&self, foundry: &spec::Foundry, key: &str) -> Option<String> {
        let wanted = &foundry.spec.custom_sub_domain_name;
        let holds = |a: &Account| {
            a.properties
                .custom_sub_domain_name
                .as_deref()
                .is_some_and(|d| d.eq_ignore_ascii_case(wanted))
        };
        let live = self.live.foundries.iter().map(|(k, f)| (k, &f.account));
        let other = self.live.other_accounts.iter();
        let mut deleted = self.live.deleted_accounts.iter();
        live.chain(other)
            .find(|(k, a)| k.as_str() != key && holds(a))
            .map(|(_, a)| a.id.clone())
            .or_else(|| {
                deleted
                    .find(|(k, a)| k.as_str() != key && holds(a))
                    .map(|(_, a)| format!("{} (soft-deleted)", a.id))
            })
            .or_else(|| {
                // Elsewhere in Azure, as the service's domain check said.
                self.live
                    .taken_subdomains
                    .get(&wanted.to_ascii_lowercase())
                    .map(|reason| format!("an account outside the subscriptions read ({reason})"))
            })
    }

    fn create_foundry(&mut self, foundry: &spec::Foundry, key: &str, id: &ArmId, digest: &str) {
        if let Some(why) = &self.live.subdomains_unchecked {
            let detail = format!(
                "{}: whether it is free across Azure could not be checked ({why})",
                foundry.spec.custom_sub_domain_name
            );
            self.warn(WarningKind::SubdomainUnchecked, id.as_str(), detail);
        }
        let body = account_body(foundry, digest, &self.live.identity_client_ids);
        let name = foundry.metadata.name.clone();
        let reasons = vec![Reason::CreateBecauseMissing];
        let change = self.change(key, ResourceKind::Account, id, name, Action::Create, reasons);
        change.after = Some(body);
        let skip = [
            "apiVersion",
            "kind",
            "metadata.name",
            "metadata.subscription",
            "metadata.resourceGroup",
            "spec.connections",
            "spec.access",
            "spec.projects",
            "spec.contentFilters",
            "spec.deployments",
            "spec.agents",
        ];
        change.fields = super::created_fields("", &hubctl_spec::view_foundry(foundry), &skip);
        if foundry.spec.identity.user_assigned().is_some() {
            self.warn(WarningKind::UserAssignedIdentityNeedsRole, id.as_str(), "");
        }
        self.foundry_children(foundry, key, id, None);
    }

    /// A manifest naming a soft-deleted account: refused with both ways out, or recovered, or
    /// purged and created, as asked.
    fn soft_deleted(
        &mut self,
        foundry: &spec::Foundry,
        key: &str,
        id: &ArmId,
        digest: &str,
        deleted: &Account,
    ) {
        let name = foundry.metadata.name.clone();
        let when = deleted.properties.deletion_date.clone().unwrap_or_default();
        let purge_date = deleted.properties.scheduled_purge_date.clone().unwrap_or_default();
        if self.options.recover_deleted {
            // The account as it was (its tags too: should the service take this PUT as a
            // replace, nothing it had is lost), with the restore flag.
            let mut body = json!({
                "location": deleted.location,
                "kind": deleted.kind.clone().unwrap_or_else(|| "AIServices".into()),
                "sku": { "name": deleted.sku.as_ref().map_or("S0", |s| s.name.as_str()) },
                "properties": { "restore": true },
            });
            if let Some(tags) = &deleted.tags {
                body["tags"] = json!(tags);
            }
            let reasons = vec![Reason::CreateBecauseRecoveringDeleted];
            let display = format!("{name} (recover)");
            let change =
                self.change(key, ResourceKind::Account, id, display, Action::Create, reasons);
            change.before = Some(to_value(deleted));
            change.after = Some(body);
            change.detail = Some(format!(
                "deleted {when}; comes back as it was, with its projects, connections and access; plan again after apply to converge the rest"
            ));
            return;
        }
        if self.options.purge_deleted {
            let location = deleted.location.replace(' ', "").to_ascii_lowercase();
            let deleted_id = ArmId::parse(&deleted.id).unwrap_or_else(|_| id.clone());
            let display = format!("{name} (purge the soft-deleted one)");
            let reasons = vec![Reason::DeleteBecausePurgeRequested];
            let change = self.change(
                key,
                ResourceKind::DeletedAccount,
                &deleted_id,
                display,
                Action::Delete,
                reasons,
            );
            change.before = Some(to_value(deleted));
            change.after = Some(json!({ "location": location, "account": id.as_str() }));
            change.resource = id.clone();
            change.detail = Some(
                "needs Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete at the subscription".to_string(),
            );
            self.create_foundry(foundry, key, id, digest);
            return;
        }
        let reasons = vec![Reason::BlockedBecauseAccountSoftDeleted];
        let change = self.change(key, ResourceKind::Account, id, name, Action::Blocked, reasons);
        change.before = Some(to_value(deleted));
        change.detail = Some(format!("deleted {when}, purged automatically {purge_date}"));
    }

    /// Tags and the account's change from its gathered update.
    fn tags_update(
        &mut self,
        foundry: &spec::Foundry,
        digest: &str,
        live: &Account,
        id: &ArmId,
        mut update: HubUpdate,
    ) {
        let key = id.key().to_string();
        let live_tags = live.tags.clone().unwrap_or_default();
        let wanted = tags(foundry, digest, Some(&live_tags));
        let declared = &foundry.metadata.tags;
        let super::hub::TagChanges { changed: tags_changed, only_ownership } =
            self.tag_changes(declared, &wanted, &live_tags, id, &mut update);
        if !live.provisioning_state().is_terminal() {
            let state = live.provisioning_state().as_str().to_string();
            self.warn(WarningKind::ResourceBusy, id.as_str(), state);
        }
        let HubUpdate { blocked, fields, mut patch, .. } = update;
        if patch["properties"].as_object().is_some_and(|p| p.is_empty()) {
            patch.as_object_mut().map(|p| p.remove("properties"));
        }
        if tags_changed {
            patch["tags"] = json!(wanted);
        }
        let (action, reasons) = if !blocked.is_empty() {
            (Action::Blocked, blocked)
        } else if !fields.is_empty() {
            let key_only = fields.iter().all(|f| {
                f.field == "spec.encryption.keyName" || f.field == "spec.encryption.keyVersion"
            });
            let reason = if key_only {
                Reason::UpdateBecauseKeyVersionChanged
            } else {
                Reason::UpdateBecauseFieldsChanged
            };
            (Action::Update, vec![reason])
        } else if tags_changed && only_ownership && is_adopted(live) {
            (Action::Update, vec![Reason::UpdateBecauseOwnershipTagsStale])
        } else {
            (Action::NoOp, vec![Reason::NoOpBecauseInSync])
        };
        let name = foundry.metadata.name.clone();
        let change = self.change(&key, ResourceKind::Account, id, name, action, reasons);
        change.fields = fields;
        if action != Action::NoOp {
            change.before = Some(to_value(live));
        }
        if action == Action::Update {
            change.after = Some(patch);
        }
    }

    /// Connections, projects (with theirs) and access of an account.
    fn foundry_children(
        &mut self,
        foundry: &spec::Foundry,
        key: &str,
        id: &ArmId,
        live: Option<&LiveFoundry>,
    ) {
        let name = &foundry.metadata.name;
        let at = ConnectionsAt {
            key,
            parent: id,
            parent_name: name,
            path: "spec.connections".into(),
            kind: ResourceKind::AccountConnection,
        };
        // Connections are read only when a manifest declares some (as for hubs).
        let read = !foundry.spec.connections.is_empty()
            || foundry.spec.projects.iter().any(|p| !p.connections.is_empty());
        let live_connections = live.filter(|_| read).map(|l| &l.connections);
        self.connections_at(&at, &foundry.spec.connections, live_connections);
        let mut declared = BTreeSet::new();
        for project in &foundry.spec.projects {
            let project_id = id.child("projects", &project.name);
            let project_key = project_id.key().to_string();
            declared.insert(project_key.clone());
            let current = live.and_then(|l| l.projects.get(&project_key));
            let display = format!("{name}/{}", project.name);
            let path = format!("spec.projects.{}", project.name);
            let kind = ResourceKind::AccountProject;
            match current {
                None => {
                    let body = project_body(foundry, project);
                    let reasons = vec![Reason::CreateBecauseMissing];
                    let change =
                        self.change(key, kind, &project_id, display, Action::Create, reasons);
                    // Its connections and access are changes of their own.
                    let mut settings = item_view(foundry, "projects", &project.name);
                    if let Some(map) = settings.as_object_mut() {
                        map.remove("connections");
                        map.remove("access");
                        map.remove("agents");
                    }
                    change.fields = super::created_fields(&path, &settings, &[]);
                    change.after = Some(body);
                }
                Some(current) => {
                    let mut update = HubUpdate::new();
                    project_update(&path, &current.project, project, &mut update);
                    let HubUpdate { fields, mut patch, .. } = update;
                    if patch["properties"].as_object().is_some_and(|p| p.is_empty()) {
                        patch.as_object_mut().map(|p| p.remove("properties"));
                    }
                    let at = (key, kind, &project_id, display);
                    self.update_or_keep(at, fields, &current.project, patch);
                }
            }
            let at = ConnectionsAt {
                key,
                parent: &project_id,
                parent_name: &format!("{name}/{}", project.name),
                path: format!("{path}.connections"),
                kind: ResourceKind::ProjectConnection,
            };
            let live_connections = current.filter(|_| read).map(|c| &c.connections);
            self.connections_at(&at, &project.connections, live_connections);
            let assignments = current.map(|c| &c.assignments);
            let project_name = Some(project.name.as_str());
            self.access(
                &project.access,
                key,
                &project_id,
                &project.name,
                assignments,
                project_name,
            );
        }
        let assignments = live.map(|l| &l.assignments);
        self.access(&foundry.spec.access, key, id, name, assignments, None);
        self.content_filters(foundry, key, id, live);
        self.deployments(foundry, key, id, live);
        if let Some(agents) = &foundry.spec.agents {
            self.capability_host(key, id, name, agents, live);
        }
        for project in &foundry.spec.projects {
            if let Some(agents) = &project.agents {
                let project_id = id.child("projects", &project.name);
                let parent_name = format!("{name}/{}", project.name);
                self.capability_host(key, &project_id, &parent_name, agents, live);
            }
        }
        for (project_key, project) in live.into_iter().flat_map(|l| l.projects.iter()) {
            if declared.contains(project_key) {
                continue;
            }
            let short = project.project.short_name();
            let project_id = id.child("projects", short);
            let delete = live.is_some_and(|l| is_adopted(&l.account));
            let undeclared = (ResourceKind::AccountProject, WarningKind::UndeclaredProject);
            self.undeclared(key, (&project_id, name, short), &project.project, delete, undeclared);
        }
    }

    /// Custom content filters: created, or rewritten when their base policy or filters differ
    /// (compared as sets); the service's own (`SystemManaged`) are never planned.
    fn content_filters(
        &mut self,
        foundry: &spec::Foundry,
        key: &str,
        id: &ArmId,
        live: Option<&LiveFoundry>,
    ) {
        let name = &foundry.metadata.name;
        for filter in &foundry.spec.content_filters {
            let resource = id.child("raiPolicies", &filter.name);
            let display = format!("{name}/{}", filter.name);
            let body = content_filter_body(filter);
            let path = format!("spec.contentFilters.{}", filter.name);
            let kind = ResourceKind::ContentFilter;
            let current = live.and_then(|l| {
                l.rai_policies
                    .iter()
                    .find(|p| !p.is_system() && p.name.eq_ignore_ascii_case(&filter.name))
            });
            let Some(current) = current else {
                let change = self.change(
                    key,
                    kind,
                    &resource,
                    display,
                    Action::Create,
                    vec![Reason::CreateBecauseMissing],
                );
                let settings = item_view(foundry, "contentFilters", &filter.name);
                change.fields = super::created_fields(&path, &settings, &[]);
                change.after = Some(body);
                continue;
            };
            let mut fields = Vec::new();
            let live_base = current.properties.base_policy_name.clone().unwrap_or_default();
            if !live_base.eq_ignore_ascii_case(&filter.base_policy) {
                fields.push(field(
                    &format!("{path}.basePolicy"),
                    Some(json!(live_base)),
                    Some(json!(filter.base_policy)),
                ));
            }
            let live_filters: Vec<Value> =
                current.properties.content_filters.iter().flatten().map(to_value).collect();
            let wanted_filters =
                body["properties"]["contentFilters"].as_array().cloned().unwrap_or_default();
            let (live_set, wanted_set) = (filter_set(&live_filters), filter_set(&wanted_filters));
            if live_set != wanted_set {
                let shown = |set: &BTreeMap<String, String>| -> Vec<String> {
                    set.iter().map(|(k, v)| format!("{k}: {v}")).collect()
                };
                fields.push(field(
                    &format!("{path}.filters"),
                    Some(json!(shown(&live_set))),
                    Some(json!(shown(&wanted_set))),
                ));
            }
            self.update_or_keep((key, kind, &resource, display), fields, current, body);
        }
        // Custom filters no manifest declares: deleted with --prune on an account hubctl owns
        // (unless a deployment still uses one: the service refuses that), else reported.
        let declared: Vec<String> =
            foundry.spec.content_filters.iter().map(|f| f.name.to_ascii_lowercase()).collect();
        let in_use = |filter: &str| {
            let named = foundry.spec.deployments.iter().filter_map(|d| d.content_filter.as_deref());
            let live_named = live
                .into_iter()
                .flat_map(|l| l.deployments.iter())
                .filter_map(|d| d.properties.rai_policy_name.as_deref());
            named.chain(live_named).any(|n| n.eq_ignore_ascii_case(filter))
        };
        let adopted = live.is_some_and(|l| is_adopted(&l.account));
        for policy in live.into_iter().flat_map(|l| l.rai_policies.iter()) {
            if policy.is_system() || declared.contains(&policy.name.to_ascii_lowercase()) {
                continue;
            }
            let resource = id.child("raiPolicies", &policy.name);
            let delete = adopted && !in_use(&policy.name);
            let undeclared = (ResourceKind::ContentFilter, WarningKind::UndeclaredContentFilter);
            self.undeclared(key, (&resource, name, &policy.name), policy, delete, undeclared);
        }
    }

    /// Model deployments: capacity changes in place (a PATCH of its SKU), version, upgrade
    /// option, SKU name and content filter by a PUT of the whole deployment — never both in one
    /// request (the service refuses a capacity and a model change together); a model name or
    /// format change is refused, or replaced when the manifest says so. A version the manifest
    /// leaves out is never compared (the service upgrades it).
    fn deployments(
        &mut self,
        foundry: &spec::Foundry,
        key: &str,
        id: &ArmId,
        live: Option<&LiveFoundry>,
    ) {
        let name = &foundry.metadata.name;
        let kind = ResourceKind::Deployment;
        for d in &foundry.spec.deployments {
            let resource = id.child("deployments", &d.name);
            let display = format!("{name}/{}", d.name);
            let path = format!("spec.deployments.{}", d.name);
            let body = deployment_body(d);
            let current = live
                .and_then(|l| l.deployments.iter().find(|x| x.name.eq_ignore_ascii_case(&d.name)));
            let settings = item_view(foundry, "deployments", &d.name);
            let created = |path: &str| super::created_fields(path, &settings, &[]);
            let Some(current) = current else {
                let change = self.change(
                    key,
                    kind,
                    &resource,
                    display,
                    Action::Create,
                    vec![Reason::CreateBecauseMissing],
                );
                change.fields = created(&path);
                change.after = Some(body);
                continue;
            };
            let model = current.properties.model.clone().unwrap_or_default();
            let same_model = model.name.eq_ignore_ascii_case(&d.model.name)
                && model.format.eq_ignore_ascii_case(&d.model.format);
            if !same_model {
                let fields = vec![
                    field(
                        &format!("{path}.model.name"),
                        Some(json!(model.name)),
                        Some(json!(d.model.name)),
                    ),
                    field(
                        &format!("{path}.model.format"),
                        Some(json!(model.format)),
                        Some(json!(d.model.format)),
                    ),
                ]
                .into_iter()
                .filter(|f| {
                    f.before.as_ref().and_then(Value::as_str).map(str::to_ascii_lowercase)
                        != f.after.as_ref().and_then(Value::as_str).map(str::to_ascii_lowercase)
                })
                .collect::<Vec<_>>();
                if d.on_model_change == spec::OnModelChange::Replace {
                    let reasons = vec![Reason::DeleteBecauseModelReplaced];
                    let delete_display = format!("{display} (replace: delete)");
                    let change =
                        self.change(key, kind, &resource, delete_display, Action::Delete, reasons);
                    change.before = Some(to_value(current));
                    change.fields = fields;
                    self.warn(WarningKind::TrafficStops, resource.as_str(), d.name.clone());
                    let reasons = vec![Reason::CreateBecauseModelReplaced];
                    let create_display = format!("{display} (replace: create)");
                    let change =
                        self.change(key, kind, &resource, create_display, Action::Create, reasons);
                    change.fields = created(&path);
                    change.after = Some(body);
                } else {
                    let reasons = vec![Reason::BlockedBecauseDeploymentModelFixed];
                    let change =
                        self.change(key, kind, &resource, display, Action::Blocked, reasons);
                    change.before = Some(to_value(current));
                    change.fields = fields;
                }
                continue;
            }
            let live_sku = current.sku.clone().unwrap_or_default();
            let live_capacity = live_sku.capacity.unwrap_or(0);
            let mut any = false;
            if live_capacity != u64::from(d.sku.capacity)
                && live_sku.name.eq_ignore_ascii_case(&d.sku.name)
            {
                let display = format!("{display}: capacity");
                let change = self.change(
                    key,
                    kind,
                    &resource,
                    display,
                    Action::Update,
                    vec![Reason::UpdateBecauseFieldsChanged],
                );
                change.fields = vec![field(
                    &format!("{path}.sku.capacity"),
                    Some(json!(live_capacity)),
                    Some(json!(d.sku.capacity)),
                )];
                change.before = Some(to_value(current));
                change.after =
                    Some(json!({ "sku": { "name": live_sku.name, "capacity": d.sku.capacity } }));
                any = true;
            }
            let mut fields = Vec::new();
            if !live_sku.name.eq_ignore_ascii_case(&d.sku.name) {
                fields.push(field(
                    &format!("{path}.sku.name"),
                    Some(json!(live_sku.name)),
                    Some(json!(d.sku.name)),
                ));
                if live_capacity != u64::from(d.sku.capacity) {
                    fields.push(field(
                        &format!("{path}.sku.capacity"),
                        Some(json!(live_capacity)),
                        Some(json!(d.sku.capacity)),
                    ));
                }
            }
            if let Some(v) = &d.model.version
                && model.version.as_deref() != Some(v.as_str())
            {
                fields.push(field(
                    &format!("{path}.model.version"),
                    opt_str(model.version.as_deref()),
                    Some(json!(v)),
                ));
            }
            let live_upgrade = current
                .properties
                .version_upgrade_option
                .as_deref()
                .unwrap_or("OnceNewDefaultVersionAvailable");
            if !live_upgrade.eq_ignore_ascii_case(upgrade_arm(d.version_upgrade)) {
                fields.push(field(
                    &format!("{path}.versionUpgrade"),
                    Some(json!(word(live_upgrade))),
                    Some(json!(word(upgrade_arm(d.version_upgrade)))),
                ));
            }
            if let Some(filter) = &d.content_filter {
                let live_filter = current.properties.rai_policy_name.as_deref().unwrap_or_default();
                if !live_filter.eq_ignore_ascii_case(filter) {
                    fields.push(field(
                        &format!("{path}.contentFilter"),
                        opt_str(Some(live_filter).filter(|f| !f.is_empty())),
                        Some(json!(filter)),
                    ));
                }
            }
            if !fields.is_empty() {
                let mut put = body.clone();
                if d.content_filter.is_none()
                    && let Some(live_filter) = &current.properties.rai_policy_name
                {
                    // Not managed: the live one is sent back as it is.
                    put["properties"]["raiPolicyName"] = json!(live_filter);
                }
                if d.model.version.is_none()
                    && let Some(v) = &model.version
                {
                    // Not pinned: the live version is kept (the PUT is no model change).
                    put["properties"]["model"]["version"] = json!(v);
                }
                let display = format!("{display}: settings");
                let change = self.change(
                    key,
                    kind,
                    &resource,
                    display,
                    Action::Update,
                    vec![Reason::UpdateBecauseFieldsChanged],
                );
                change.fields = fields;
                change.before = Some(to_value(current));
                change.after = Some(put);
                any = true;
            }
            if !any {
                self.change(
                    key,
                    kind,
                    &resource,
                    display,
                    Action::NoOp,
                    vec![Reason::NoOpBecauseInSync],
                );
            }
        }
        let declared: Vec<String> =
            foundry.spec.deployments.iter().map(|d| d.name.to_ascii_lowercase()).collect();
        let adopted = live.is_some_and(|l| is_adopted(&l.account));
        for current in live.into_iter().flat_map(|l| l.deployments.iter()) {
            if declared.contains(&current.name.to_ascii_lowercase()) {
                continue;
            }
            let resource = id.child("deployments", &current.name);
            let undeclared = (kind, WarningKind::UndeclaredDeployment);
            self.undeclared(key, (&resource, name, &current.name), current, adopted, undeclared);
        }
    }

    /// An agents capability host under `parent` (the account or a project): created; left
    /// alone when it matches; otherwise refused (no update) or, with
    /// `--replace-capability-hosts`, deleted and created again. A host of another name under
    /// the same parent is refused (one per parent).
    fn capability_host(
        &mut self,
        key: &str,
        parent: &ArmId,
        parent_name: &str,
        agents: &spec::Agents,
        live: Option<&LiveFoundry>,
    ) {
        let resource = parent.child("capabilityHosts", &agents.name);
        let display = format!("{parent_name}/{}", agents.name);
        let kind = ResourceKind::CapabilityHost;
        let body = capability_host_body(agents);
        let hosts = live.map(|l| &l.capability_hosts);
        let current = hosts.and_then(|h| h.get(resource.key()));
        let other = hosts.and_then(|h| {
            h.iter().find(|(k, _)| {
                k.starts_with(&format!("{}/capabilityhosts/", parent.key()))
                    && k.as_str() != resource.key()
            })
        });
        if let (None, Some((_, other))) = (current, other) {
            let reasons = vec![Reason::BlockedBecauseSecondCapabilityHost];
            let change = self.change(key, kind, &resource, display, Action::Blocked, reasons);
            change.detail =
                Some(format!("{parent_name} has the capability host \"{}\"", other.name));
            return;
        }
        let Some(current) = current else {
            let change = self.change(
                key,
                kind,
                &resource,
                display,
                Action::Create,
                vec![Reason::CreateBecauseMissing],
            );
            change.fields =
                super::created_fields("spec.agents", &body["properties"], &["capabilityHostKind"]);
            change.after = Some(body);
            return;
        };
        let p = &current.properties;
        let set = |v: &Option<Vec<String>>| {
            let mut v: Vec<String> = v.iter().flatten().map(|s| s.to_ascii_lowercase()).collect();
            v.sort();
            v
        };
        let wanted = |v: &[String]| {
            let mut v: Vec<String> = v.iter().map(|s| s.to_ascii_lowercase()).collect();
            v.sort();
            v
        };
        let mut fields = Vec::new();
        for (name, live_value, desired) in [
            ("storage", set(&p.storage_connections), wanted(&agents.storage)),
            ("vectorStore", set(&p.vector_store_connections), wanted(&agents.vector_store)),
            ("threadStorage", set(&p.thread_storage_connections), wanted(&agents.thread_storage)),
            ("aiServices", set(&p.ai_services_connections), wanted(&agents.ai_services)),
        ] {
            if live_value != desired {
                fields.push(field(
                    &format!("agents.{name}"),
                    Some(json!(live_value)),
                    Some(json!(desired)),
                ));
            }
        }
        let wanted_subnet = agents.subnet.as_ref().map(|s| s.as_str());
        if !super::same_opt_id(
            p.customer_subnet.as_deref().filter(|s| !s.is_empty()),
            wanted_subnet,
        ) {
            fields.push(field(
                "agents.subnet",
                opt_str(p.customer_subnet.as_deref()),
                opt_str(wanted_subnet),
            ));
        }
        let failed = current.properties.provisioning_state.as_ref().is_some_and(|s| {
            matches!(
                s,
                hubctl_model::ProvisioningState::Failed | hubctl_model::ProvisioningState::Canceled
            )
        });
        if failed {
            fields.push(field(
                "agents.provisioningState",
                Some(json!("Failed")),
                Some(json!("Succeeded")),
            ));
        } else if let Some(state) =
            current.properties.provisioning_state.as_ref().filter(|s| !s.is_terminal())
        {
            self.warn(WarningKind::ResourceBusy, resource.as_str(), state.as_str().to_string());
        }
        if fields.is_empty() {
            self.change(
                key,
                kind,
                &resource,
                display,
                Action::NoOp,
                vec![Reason::NoOpBecauseInSync],
            );
            return;
        }
        if self.options.replace_capability_hosts {
            let delete = format!("{display} (replace: delete)");
            let reasons = vec![Reason::DeleteBecauseCapabilityHostReplaced];
            let change = self.change(key, kind, &resource, delete, Action::Delete, reasons);
            change.before = Some(to_value(current));
            change.fields = fields;
            let create = format!("{display} (replace: create)");
            let reasons = vec![Reason::CreateBecauseCapabilityHostReplaced];
            let change = self.change(key, kind, &resource, create, Action::Create, reasons);
            change.after = Some(body);
            return;
        }
        let reasons = vec![Reason::BlockedBecauseCapabilityHostFixed];
        let change = self.change(key, kind, &resource, display, Action::Blocked, reasons);
        change.before = Some(to_value(current));
        change.fields = fields;
    }

    /// A live child of an account no manifest declares (`resource`, shown as
    /// `account/child`): deleted with `--prune` when `may_delete` (the account is hubctl's,
    /// nothing still uses it), else reported with `warning`.
    fn undeclared<T: serde::Serialize>(
        &mut self,
        key: &str,
        (resource, account, child): (&ArmId, &str, &str),
        live: &T,
        may_delete: bool,
        (kind, warning): (ResourceKind, WarningKind),
    ) {
        if self.options.prune && may_delete {
            let display = format!("{account}/{child}");
            let reasons = vec![Reason::DeleteBecauseNotDeclared];
            let change = self.change(key, kind, resource, display, Action::Delete, reasons);
            change.before = Some(to_value(live));
        } else {
            self.warn(warning, resource.as_str(), child.to_string());
        }
    }

    /// Classification and adoption, as for hubs.
    fn summarise_foundry(
        &mut self,
        foundry: &spec::Foundry,
        key: &str,
        first_change: usize,
        digest: &str,
        live: Option<&LiveFoundry>,
    ) {
        let adopted = live.is_none_or(|l| is_adopted(&l.account));
        let blocked = self.changes[first_change..].iter().any(|c| c.action == Action::Blocked);
        let work = self.changes[first_change..].iter().any(|c| c.action != Action::NoOp);
        if !blocked && (adopted || work) {
            self.mark_adopted(first_change);
        }
        for change in &mut self.changes[first_change..] {
            if change.action == Action::NoOp {
                change.before = None;
            }
        }
        let changed = self.changes[first_change..].iter().any(|c| c.action != Action::NoOp);
        let live_tags = live.and_then(|l| l.account.tags.as_ref());
        if changed
            && !adopted
            && !blocked
            && let Some(change) = self.changes[first_change..]
                .iter_mut()
                .find(|c| c.kind == ResourceKind::Account && c.action != Action::Blocked)
        {
            if change.action == Action::NoOp {
                change.action = Action::Update;
                change.reasons.clear();
                change.after = Some(json!({ "tags": tags(foundry, digest, live_tags) }));
                change.before = live.map(|l| to_value(&l.account));
            } else if let Some(after) = change.after.as_mut() {
                after["tags"] = json!(tags(foundry, digest, live_tags));
            }
            change.reasons.push(Reason::AdoptWithTheseChanges);
            change.display.push_str(" and adopt it");
        }
        let live_digest = live_tags.and_then(|t| t.get(DIGEST_TAG)).cloned();
        let classification = match (changed, live_digest.as_deref() == Some(digest)) {
            (false, _) => Classification::InSync,
            (true, _) if !adopted => Classification::NotAdopted,
            (true, true) => Classification::Drift,
            (true, false) => Classification::Pending,
        };
        let summary = HubSummary {
            name: foundry.metadata.name.clone(),
            classification,
            manifest_digest: Some(digest.to_string()),
        };
        self.hubs.insert(key.to_string(), summary);
    }

    /// A live Foundry resource no manifest declares: deleted with `--prune` when hubctl owns it
    /// (softly, unless `--purge`).
    pub(crate) fn orphan_foundry(&mut self, key: &str, live: &LiveFoundry) {
        if !is_adopted(&live.account) {
            return;
        }
        let account = &live.account;
        self.hubs.insert(
            key.to_string(),
            HubSummary {
                name: account.name.clone(),
                classification: Classification::Orphaned,
                manifest_digest: None,
            },
        );
        if !self.options.prune {
            return;
        }
        let Ok(id) = ArmId::parse(&account.id) else { return };
        let reasons = vec![Reason::DeleteBecauseManifestRemoved];
        let name = account.name.clone();
        let purge = self.options.purge;
        let projects: Vec<&str> = live.projects.values().map(|p| p.project.short_name()).collect();
        let change = self.change(key, ResourceKind::Account, &id, name, Action::Delete, reasons);
        change.before = Some(to_value(account));
        change.fields = vec![field("spec.projects", Some(json!(projects)), None)];
        let location = account.location.replace(' ', "").to_ascii_lowercase();
        // Whether it purges is shown from this body (the CLI's delete note).
        change.after = Some(json!({ "purge": purge, "location": location }));
    }
}

/// A project's settings against its live body.
fn project_update(
    path: &str,
    live: &AccountProject,
    wanted: &spec::FoundryProject,
    update: &mut HubUpdate,
) {
    let lp = &live.properties;
    for (name, live_value, desired) in [
        ("displayName", lp.display_name.as_deref(), wanted.display_name.as_deref()),
        ("description", lp.description.as_deref(), wanted.description.as_deref()),
    ] {
        if let Some(d) = desired
            && live_value.unwrap_or_default() != d
        {
            update.set(&format!("{path}.{name}"), opt_str(live_value), name, json!(d));
        }
    }
    identity(path, live.identity.as_ref(), &wanted.identity, update);
}

// ---- ARM → manifest (hubctl import) ----

/// One Foundry resource's manifest, as `hubctl import` writes it: what the account, its
/// connections, projects and access hold, in the manifest's words; what a manifest cannot hold
/// is named in a comment.
pub(crate) fn read_foundry(
    out: &mut crate::import::Manifest,
    subscription: &str,
    live: &LiveFoundry,
) {
    use crate::import::scalar;
    use std::fmt::Write as _;
    let a = &live.account;
    let p = &a.properties;
    let rg = ArmId::parse(&a.id).ok();
    let rg = rg.as_ref().and_then(|id| id.resource_group()).unwrap_or_default().to_string();
    out.push_str("apiVersion: hubctl/v1\nkind: Foundry\nmetadata:\n");
    let location = a.location.replace(' ', "").to_ascii_lowercase();
    let _ = writeln!(
        out,
        "  name: {}\n  subscription: {subscription}\n  resourceGroup: {}\n  location: {location}",
        a.name,
        scalar(&rg)
    );
    let tags: Vec<(&String, &String)> = a
        .tags
        .iter()
        .flatten()
        .filter(|(k, _)| !k.to_ascii_lowercase().starts_with("hubctl-"))
        .collect();
    if !tags.is_empty() {
        out.push_str("  tags:\n");
        for (k, v) in tags {
            let _ = writeln!(
                out,
                "    {}: {}",
                scalar(k),
                serde_json::to_string(v).unwrap_or_default()
            );
        }
    }
    out.push_str("spec:\n");
    match p.custom_sub_domain_name.as_deref().filter(|d| !d.is_empty()) {
        Some(d) => {
            let _ = writeln!(out, "  customSubDomainName: {}", scalar(&d.to_ascii_lowercase()));
        }
        None => out.not_expressed(
            "  ",
            "the account has no custom subdomain; a Foundry manifest needs one (write customSubDomainName: it is set in place)".to_string(),
        ),
    }
    if let Some(sku) = a.sku.as_ref().filter(|s| !s.name.eq_ignore_ascii_case("S0")) {
        let _ = writeln!(out, "  sku: {}", scalar(&sku.name));
    }
    read_identity(out, "  ", a.identity.as_ref());
    if p.disable_local_auth == Some(true) {
        out.push_str("  localAuth: disabled\n");
    }
    read_network(out, p);
    read_encryption(out, a);
    super::connections::read_connections(out, Some(&live.connections));
    super::access::read_access(out, "  ", &live.assignments);
    read_content_filters(out, live);
    read_deployments(out, live);
    let account_id = ArmId::parse(&a.id).ok();
    if let Some(id) = &account_id {
        read_agents(out, "  ", live, id);
    }
    if !live.projects.is_empty() {
        out.push_str("  projects:\n");
        for project in live.projects.values() {
            let pp = &project.project.properties;
            let _ = writeln!(out, "    - name: {}", scalar(project.project.short_name()));
            if let Some(v) = &pp.display_name {
                let _ = writeln!(out, "      displayName: {}", scalar(v));
            }
            if let Some(v) = &pp.description {
                let _ = writeln!(out, "      description: {}", scalar(v));
            }
            read_identity(out, "      ", project.project.identity.as_ref());
            let mut connections =
                crate::import::Manifest { names: out.names.clone(), ..Default::default() };
            super::connections::read_connections(&mut connections, Some(&project.connections));
            for line in connections.text.lines() {
                let _ = writeln!(out, "    {line}");
            }
            out.not_expressed.extend(connections.not_expressed);
            super::access::read_access(out, "      ", &project.assignments);
            if let Some(id) = &account_id {
                read_agents(
                    out,
                    "      ",
                    live,
                    &id.child("projects", project.project.short_name()),
                );
            }
        }
    }
}

fn read_identity(
    out: &mut crate::import::Manifest,
    indent: &str,
    identity: Option<&hubctl_model::ManagedIdentity>,
) {
    use std::fmt::Write as _;
    let (kind, _) = identity_of_live(identity);
    if kind == "systemAssigned" {
        return;
    }
    if !["userAssigned", "systemAssigned,userAssigned"].contains(&kind.as_str()) {
        out.not_expressed(
            indent,
            format!(
                "identity type {kind} cannot be expressed; the default (systemAssigned) applies"
            ),
        );
        return;
    }
    let _ = writeln!(out, "{indent}identity:\n{indent}  type: \"{kind}\"\n{indent}  userAssigned:");
    for id in identity
        .and_then(|i| i.user_assigned_identities.as_ref())
        .into_iter()
        .flat_map(|m| m.keys())
    {
        let _ = writeln!(out, "{indent}    - {id}");
    }
}

fn read_network(out: &mut crate::import::Manifest, p: &hubctl_model::AccountProperties) {
    use crate::import::scalar;
    use std::fmt::Write as _;
    let mut lines = Vec::new();
    if p.public_network_access.as_deref().is_some_and(|v| v.eq_ignore_ascii_case("Disabled")) {
        lines.push("    publicNetworkAccess: disabled".to_string());
    }
    if let Some(acls) = &p.network_acls {
        if acls.default_action.as_deref().is_some_and(|v| v.eq_ignore_ascii_case("Deny")) {
            lines.push("    defaultAction: deny".to_string());
        }
        if let Some(b) = &acls.bypass {
            lines.push(format!("    bypass: {}", word(b)));
        }
        let ips: Vec<&str> = acls.ip_rules.iter().flatten().map(|r| r.value.as_str()).collect();
        if !ips.is_empty() {
            lines.push("    ipRules:".to_string());
            lines.extend(ips.iter().map(|ip| format!("      - {}", scalar(ip))));
        }
        let subnets: Vec<&str> =
            acls.virtual_network_rules.iter().flatten().map(|r| r.id.as_str()).collect();
        if !subnets.is_empty() {
            lines.push("    virtualNetworkRules:".to_string());
            lines.extend(subnets.iter().map(|id| format!("      - {id}")));
        }
    }
    let subnet = agent_subnet(p);
    if let Some(subnet) = subnet {
        lines.push(format!("    agentSubnet: {subnet}"));
    }
    if !lines.is_empty() {
        out.push_str("  network:\n");
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
    }
}

fn read_encryption(out: &mut crate::import::Manifest, a: &Account) {
    use crate::import::scalar;
    use std::fmt::Write as _;
    let Some(e) = a.properties.encryption.as_ref().filter(|e| e.is_customer_managed()) else {
        return;
    };
    let k = e.key_vault_properties.clone().unwrap_or_default();
    let _ = writeln!(
        out,
        "  encryption:\n    type: customerManaged\n    keyVaultUri: {}\n    keyName: {}\n    keyVersion: {}",
        scalar(k.key_vault_uri.as_deref().unwrap_or_default()),
        scalar(k.key_name.as_deref().unwrap_or_default()),
        scalar(k.key_version.as_deref().unwrap_or_default())
    );
    // The identity by its ARM id: the account's user-assigned identity with that client id.
    let Some(client) = k.identity_client_id.as_deref().filter(|c| !c.is_empty()) else { return };
    let found = a
        .identity
        .as_ref()
        .and_then(|i| i.user_assigned_identities.as_ref())
        .and_then(|m| {
            m.iter().find(|(_, v)| {
                v["clientId"].as_str().is_some_and(|c| c.eq_ignore_ascii_case(client))
            })
        })
        .map(|(id, _)| id.clone());
    match found {
        Some(id) => {
            let _ = writeln!(out, "    identity: {id}");
        }
        None => out.not_expressed(
            "    ",
            format!("the key is read by client id {client}, which is none of the account's user-assigned identities; add it to spec.encryption.identity by its ARM id"),
        ),
    }
}

/// `contentFilters`: the account's own RAI policies (the system ones are the service's).
fn read_content_filters(out: &mut crate::import::Manifest, live: &LiveFoundry) {
    use crate::import::{flow_scalar, scalar};
    use std::fmt::Write as _;
    let custom: Vec<&hubctl_model::RaiPolicy> =
        live.rai_policies.iter().filter(|p| !p.is_system()).collect();
    if custom.is_empty() {
        return;
    }
    out.push_str("  contentFilters:\n");
    for policy in custom {
        let _ = writeln!(out, "    - name: {}", scalar(&policy.name));
        if let Some(base) = &policy.properties.base_policy_name {
            let _ = writeln!(out, "      basePolicy: {}", scalar(base));
        }
        out.push_str("      filters:\n");
        for f in policy.properties.content_filters.iter().flatten() {
            let category = CATEGORIES.iter().find(|(_, arm)| arm.eq_ignore_ascii_case(&f.name));
            let Some((category, _)) = category else {
                out.not_expressed(
                    "        ",
                    format!(
                        "content filter {}: filter \"{}\" has no manifest word yet; left as it is",
                        policy.name, f.name
                    ),
                );
                continue;
            };
            let source = f.source.as_deref().map(word).unwrap_or_else(|| "prompt".into());
            let severity = f
                .severity_threshold
                .as_deref()
                .filter(|_| ["hate", "sexual", "violence", "selfharm"].contains(category))
                .map(|s| format!(", severity: {}", word(s)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "        - {{ category: {category}, source: {}{severity}, blocking: {}, enabled: {} }}",
                flow_scalar(&source),
                f.blocking.unwrap_or(true),
                f.enabled.unwrap_or(true)
            );
        }
    }
}

/// Manifest words of the filter categories, with ARM's names.
const CATEGORIES: &[(&str, &str)] = &[
    ("hate", "Hate"),
    ("sexual", "Sexual"),
    ("violence", "Violence"),
    ("selfharm", "Selfharm"),
    ("jailbreak", "Jailbreak"),
    ("indirectAttack", "Indirect Attack"),
    ("protectedMaterialText", "Protected Material Text"),
    ("protectedMaterialCode", "Protected Material Code"),
    ("profanity", "Profanity"),
];

/// `deployments`. The version is written only where the service does not upgrade it
/// (`noAutoUpgrade`): elsewhere pinning it would make the service's next upgrade look like
/// drift.
fn read_deployments(out: &mut crate::import::Manifest, live: &LiveFoundry) {
    use crate::import::{flow_scalar, scalar};
    use std::fmt::Write as _;
    if live.deployments.is_empty() {
        return;
    }
    out.push_str("  deployments:\n");
    for d in &live.deployments {
        let model = d.properties.model.clone().unwrap_or_default();
        let sku = d.sku.clone().unwrap_or_default();
        let upgrade = d
            .properties
            .version_upgrade_option
            .as_deref()
            .unwrap_or("OnceNewDefaultVersionAvailable");
        let _ = writeln!(out, "    - name: {}", scalar(&d.name));
        let version = match model.version.as_deref() {
            Some(v) if upgrade.eq_ignore_ascii_case("NoAutoUpgrade") => {
                format!(", version: {}", flow_scalar(v))
            }
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "      model: {{ format: {}, name: {}{version} }}",
            flow_scalar(&model.format),
            flow_scalar(&model.name)
        );
        let _ = writeln!(
            out,
            "      sku: {{ name: {}, capacity: {} }}",
            flow_scalar(&sku.name),
            sku.capacity.unwrap_or(0)
        );
        if !upgrade.eq_ignore_ascii_case("OnceNewDefaultVersionAvailable") {
            let _ = writeln!(out, "      versionUpgrade: {}", word(upgrade));
        }
        // The service's default filter is left out (it fills it in when none is named).
        if let Some(filter) = &d.properties.rai_policy_name
            && !filter.eq_ignore_ascii_case("Microsoft.DefaultV2")
        {
            let _ = writeln!(out, "      contentFilter: {}", scalar(filter));
        }
    }
}

/// `agents` of the account or a project (`parent`): its capability host, when one was read.
fn read_agents(
    out: &mut crate::import::Manifest,
    indent: &str,
    live: &LiveFoundry,
    parent: &ArmId,
) {
    use crate::import::{flow_scalar, scalar};
    use std::fmt::Write as _;
    let prefix = format!("{}/capabilityhosts/", parent.key());
    let Some((_, host)) = live.capability_hosts.iter().find(|(k, _)| k.starts_with(&prefix)) else {
        return;
    };
    let p = &host.properties;
    let _ = writeln!(out, "{indent}agents:");
    if !host.name.eq_ignore_ascii_case("agents") {
        let _ = writeln!(out, "{indent}  name: {}", scalar(&host.name));
    }
    for (key, names) in [
        ("storage", &p.storage_connections),
        ("vectorStore", &p.vector_store_connections),
        ("threadStorage", &p.thread_storage_connections),
        ("aiServices", &p.ai_services_connections),
    ] {
        let names: Vec<String> = names.iter().flatten().map(|n| flow_scalar(n)).collect();
        if !names.is_empty() {
            let _ = writeln!(out, "{indent}  {key}: [{}]", names.join(", "));
        }
    }
    if let Some(subnet) = p.customer_subnet.as_deref().filter(|s| !s.is_empty()) {
        let _ = writeln!(out, "{indent}  subnet: {subnet}");
    }
}
