//! Foundry core: a `kind: Foundry` document — `metadata` (as a hub's, with the Cognitive
//! Services naming rule) and `spec`: `customSubDomainName`, `sku`, `identity`, `localAuth`,
//! `network` (public access, ACLs, agent subnet), `encryption` (Microsoft- or customer-managed),
//! `connections`, `access` and `projects` (each with its identity, connections and access).
//!
//! Connections and access are read by the hub's sections ([`super::connections`],
//! [`super::access`]): the same manifest shape for both kinds, so a team writes them once.

use super::access::access;
use super::choice;
use super::connections::CONNECTIONS;
use super::hub::{ACCOUNT_NAMES, DOCUMENT_FIELDS, metadata};
use super::identity::account_identity;
use super::{Item, NamedList, named_list};
use crate::ids::{self, ArmId};
use crate::model::*;
use crate::problem::Problem;
use crate::raw::Node;
use crate::read::{Choice, Cx, Field};
use crate::source::{FieldPath, Location};

pub(crate) const SPEC_FIELDS: &[&str] = &[
    "customSubDomainName",
    "sku",
    "identity",
    "localAuth",
    "network",
    "encryption",
    "connections",
    "access",
    "projects",
    "contentFilters",
    "deployments",
    "agents",
];
pub(crate) const AGENTS_FIELDS: &[&str] =
    &["name", "storage", "vectorStore", "threadStorage", "aiServices", "subnet"];
pub(crate) const PROJECT_AGENTS_FIELDS: &[&str] =
    &["name", "storage", "vectorStore", "threadStorage", "aiServices"];
pub(crate) const DEPLOYMENT_FIELDS: &[&str] =
    &["name", "model", "sku", "versionUpgrade", "contentFilter", "onModelChange"];
pub(crate) const MODEL_FIELDS: &[&str] = &["format", "name", "version"];
pub(crate) const DEPLOYMENT_SKU_FIELDS: &[&str] = &["name", "capacity"];
pub(crate) const CONTENT_FILTER_FIELDS: &[&str] = &["name", "basePolicy", "filters"];
pub(crate) const FILTER_FIELDS: &[&str] =
    &["category", "source", "severity", "blocking", "enabled"];
pub(crate) const NETWORK_FIELDS: &[&str] = &[
    "publicNetworkAccess",
    "defaultAction",
    "bypass",
    "ipRules",
    "virtualNetworkRules",
    "agentSubnet",
];
pub(crate) const ENCRYPTION_FIELDS: &[&str] =
    &["type", "keyVaultUri", "keyName", "keyVersion", "identity"];
pub(crate) const PROJECT_FIELDS: &[&str] =
    &["name", "displayName", "description", "identity", "connections", "access", "agents"];

/// The subnet type of `virtualNetworkRules` and `agentSubnet`.
const SUBNET_TYPE: &str = "Microsoft.Network/virtualNetworks/subnets";

choice!(VersionUpgrade { "onceNewDefaultVersionAvailable" => VersionUpgrade::OnceNewDefaultVersionAvailable, "onceCurrentVersionExpired" => VersionUpgrade::OnceCurrentVersionExpired, "noAutoUpgrade" => VersionUpgrade::NoAutoUpgrade });
choice!(OnModelChange { "refuse" => OnModelChange::Refuse, "replace" => OnModelChange::Replace });
choice!(FilterCategory { "hate" => FilterCategory::Hate, "sexual" => FilterCategory::Sexual, "violence" => FilterCategory::Violence, "selfharm" => FilterCategory::Selfharm, "jailbreak" => FilterCategory::Jailbreak, "indirectAttack" => FilterCategory::IndirectAttack, "protectedMaterialText" => FilterCategory::ProtectedMaterialText, "protectedMaterialCode" => FilterCategory::ProtectedMaterialCode, "profanity" => FilterCategory::Profanity });
choice!(FilterSource { "prompt" => FilterSource::Prompt, "completion" => FilterSource::Completion });
choice!(Severity { "low" => Severity::Low, "medium" => Severity::Medium, "high" => Severity::High });
choice!(LocalAuth { "enabled" => LocalAuth::Enabled, "disabled" => LocalAuth::Disabled });
choice!(DefaultAction { "allow" => DefaultAction::Allow, "deny" => DefaultAction::Deny });
choice!(Bypass { "azureServices" => Bypass::AzureServices, "none" => Bypass::None });

#[derive(Clone, Copy, PartialEq)]
enum EncryptionType {
    MicrosoftManaged,
    CustomerManaged,
}
choice!(EncryptionType { "microsoftManaged" => EncryptionType::MicrosoftManaged, "customerManaged" => EncryptionType::CustomerManaged });

/// `projects` of a Foundry resource.
pub(crate) const PROJECTS: NamedList<FoundryProject> = NamedList {
    allowed: PROJECT_FIELDS,
    what: "project",
    name: "project name",
    names: ACCOUNT_NAMES,
    read: project,
};

/// `deployments` of a Foundry resource.
pub(crate) const DEPLOYMENTS: NamedList<Deployment> = NamedList {
    allowed: DEPLOYMENT_FIELDS,
    what: "deployment",
    name: "deployment name",
    names: ACCOUNT_NAMES,
    read: deployment,
};

/// `contentFilters` of a Foundry resource.
pub(crate) const CONTENT_FILTERS: NamedList<ContentFilter> = NamedList {
    allowed: CONTENT_FILTER_FIELDS,
    what: "content filter",
    name: "content filter name",
    names: ACCOUNT_NAMES,
    read: content_filter,
};

/// Read a `kind: Foundry` document whose apiVersion and kind were checked. `None` when it had
/// problems (reported to `cx`).
pub(crate) fn document(cx: &mut Cx<'_>, node: &Node) -> Option<Foundry> {
    let before = cx.diagnostics.len();
    let root = FieldPath::root();
    let fields = cx.mapping(node, &root, DOCUMENT_FIELDS)?;
    fields.required(cx, "apiVersion");
    fields.required(cx, "kind");
    let metadata = fields
        .required(cx, "metadata")
        .and_then(|(f, p)| metadata(cx, f, &p, ("account name", ACCOUNT_NAMES)));
    let spec = fields.required(cx, "spec").and_then(|(f, p)| spec(cx, f, &p));
    match (metadata, spec) {
        (Some(metadata), Some(spec)) if cx.diagnostics.len() == before => Some(Foundry {
            source: Location::new(cx.file(), node.at),
            positions: std::mem::take(&mut cx.positions),
            metadata,
            spec,
        }),
        _ => None,
    }
}

fn spec(cx: &mut Cx<'_>, node: Field<'_>, path: &FieldPath) -> Option<FoundrySpec> {
    let fields = cx.mapping(node.node, path, SPEC_FIELDS)?;
    let subdomain = fields.required(cx, "customSubDomainName").and_then(|(f, p)| {
        let name = cx.string(f, &p)?;
        if !ids::is_subdomain(&name) {
            let problem = Problem::InvalidName {
                value: name,
                what: "custom subdomain name",
                rule: ids::SUBDOMAIN_RULE,
            };
            cx.report(f.node.at, &p, problem);
            return None;
        }
        Some(name)
    });
    let sku = match fields.get(cx, "sku") {
        Some((f, p)) => cx.nonempty_string(f, &p),
        None => Some("S0".to_string()),
    };
    let identity = match fields.get(cx, "identity") {
        Some((f, p)) => account_identity(cx, f, &p),
        None => Some(Identity::SystemAssigned),
    };
    let local_auth = fields.choice_or(cx, "localAuth", LocalAuth::Enabled);
    let network = match fields.get(cx, "network") {
        Some((f, p)) => network(cx, f, &p),
        None => Some(FoundryNetwork::default()),
    };
    let encryption = match fields.get(cx, "encryption") {
        Some((f, p)) => encryption(cx, f, &p, identity.as_ref()),
        None => Some(FoundryEncryption::MicrosoftManaged),
    };
    let connections = match fields.get(cx, "connections") {
        Some((f, p)) => named_list(cx, f, &p, &CONNECTIONS),
        None => Some(Vec::new()),
    };
    let access = match fields.get(cx, "access") {
        Some((f, p)) => access(cx, f, &p),
        None => Some(Access::default()),
    };
    let projects = match fields.get(cx, "projects") {
        Some((f, p)) => named_list(cx, f, &p, &PROJECTS),
        None => Some(Vec::new()),
    };
    let content_filters = match fields.get(cx, "contentFilters") {
        Some((f, p)) => named_list(cx, f, &p, &CONTENT_FILTERS),
        None => Some(Vec::new()),
    };
    let deployments = match fields.get(cx, "deployments") {
        Some((f, p)) => named_list(cx, f, &p, &DEPLOYMENTS),
        None => Some(Vec::new()),
    };
    let agents = match fields.get(cx, "agents") {
        Some((f, p)) => agents(cx, f, &p, AGENTS_FIELDS, connections.as_deref()).map(Some),
        None => Some(None),
    };
    // A deployment's content filter is declared here or a system one.
    if let (Some(deployments), Some(filters)) = (&deployments, &content_filters) {
        for (i, d) in deployments.iter().enumerate() {
            let Some(name) = &d.content_filter else { continue };
            let declared = filters.iter().any(|f| f.name.eq_ignore_ascii_case(name))
                || SYSTEM_CONTENT_FILTERS.iter().any(|s| s.eq_ignore_ascii_case(name));
            if !declared {
                let path = path.field("deployments").index(i).field("contentFilter");
                let at = cx.positions.get(path.as_str()).copied().unwrap_or(fields.at);
                cx.report(at, &path, Problem::UnknownContentFilter { name: name.clone() });
            }
        }
    }
    Some(FoundrySpec {
        custom_sub_domain_name: subdomain?,
        sku: sku?,
        identity: identity?,
        local_auth: local_auth?,
        network: network?,
        encryption: encryption?,
        connections: connections?,
        access: access?,
        projects: projects?,
        content_filters: content_filters?,
        deployments: deployments?,
        agents: agents?,
    })
}

/// An agents capability host; its connection names must be among `declared` (its scope's).
fn agents(
    cx: &mut Cx<'_>,
    field: Field<'_>,
    path: &FieldPath,
    allowed: &'static [&'static str],
    declared: Option<&[Connection]>,
) -> Option<Agents> {
    let fields = cx.mapping(field.node, path, allowed)?;
    let name = fields.read_or(cx, "name", Some("agents".to_string()), |cx, f, p| {
        let name = cx.string(f, p)?;
        let valid = !name.is_empty()
            && name.len() <= 255
            && name.starts_with(|c: char| c.is_ascii_alphanumeric())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            let rule = "1 to 255 letters, digits, '-' and '_', starting with a letter or digit";
            cx.report(
                f.node.at,
                p,
                Problem::InvalidName { value: name, what: "capability host name", rule },
            );
            return None;
        }
        Some(name)
    });
    let scope = path.as_str().trim_end_matches(".agents").to_string();
    let mut ok = true;
    let mut names = |cx: &mut Cx<'_>, key: &str| -> Vec<String> {
        let Some((f, p)) = fields.get(cx, key) else { return Vec::new() };
        let Some(items) = cx.list(f, &p) else {
            ok = false;
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let item_path = p.index(i);
            let Some(name) = cx.nonempty_string(Field { node: item }, &item_path) else {
                ok = false;
                continue;
            };
            let known =
                declared.is_none_or(|list| list.iter().any(|c| c.name.eq_ignore_ascii_case(&name)));
            if !known {
                let problem = Problem::UnknownAgentsConnection { name, scope: scope.clone() };
                cx.report(item.at, &item_path, problem);
                ok = false;
                continue;
            }
            out.push(name);
        }
        out
    };
    let storage = names(cx, "storage");
    let vector_store = names(cx, "vectorStore");
    let thread_storage = names(cx, "threadStorage");
    let ai_services = names(cx, "aiServices");
    let subnet =
        fields.read_or(cx, "subnet", Ok(None), |cx, f, p| subnet(cx, f, p).map(Some).ok_or(()));
    let agents = Agents {
        name: name?,
        storage,
        vector_store,
        thread_storage,
        ai_services,
        subnet: subnet.ok()?,
    };
    ok.then_some(agents)
}

/// A whole number of capacity units, at least 1.
fn capacity(cx: &mut Cx<'_>, field: Field<'_>, path: &FieldPath) -> Option<u32> {
    match &field.node.value {
        crate::raw::Value::Int(n) if (1..=i128::from(u32::MAX)).contains(n) => {
            u32::try_from(*n).ok()
        }
        crate::raw::Value::Int(n) => {
            cx.report(field.node.at, path, Problem::InvalidCapacity { found: n.to_string() });
            None
        }
        _ => {
            cx.wrong_type(field.node, path, "a whole number of capacity units");
            None
        }
    }
}

/// One item of [`DEPLOYMENTS`].
fn deployment(cx: &mut Cx<'_>, item: Item<'_, '_>) -> Option<Deployment> {
    let Item { fields, name, .. } = item;
    let model = fields.required(cx, "model").and_then(|(f, p)| {
        let m = cx.mapping(f.node, &p, MODEL_FIELDS)?;
        let format = m
            .read_or(cx, "format", Some("OpenAI".to_string()), |cx, f, p| cx.nonempty_string(f, p));
        let name = m.required(cx, "name").and_then(|(f, p)| cx.nonempty_string(f, &p));
        let version = m.read_or(cx, "version", Ok(None), |cx, f, p| {
            cx.nonempty_string(f, p).map(Some).ok_or(())
        });
        Some(Model { format: format?, name: name?, version: version.ok()? })
    });
    let sku = fields.required(cx, "sku").and_then(|(f, p)| {
        let m = cx.mapping(f.node, &p, DEPLOYMENT_SKU_FIELDS)?;
        let name = m.required(cx, "name").and_then(|(f, p)| cx.nonempty_string(f, &p));
        let capacity = m.required(cx, "capacity").and_then(|(f, p)| capacity(cx, f, &p));
        Some(DeploymentSku { name: name?, capacity: capacity? })
    });
    let version_upgrade =
        fields.choice_or(cx, "versionUpgrade", VersionUpgrade::OnceNewDefaultVersionAvailable);
    let content_filter = fields.optional_string(cx, "contentFilter");
    let on_model_change = fields.choice_or(cx, "onModelChange", OnModelChange::Refuse);
    Some(Deployment {
        name: name?,
        model: model?,
        sku: sku?,
        version_upgrade: version_upgrade?,
        content_filter: content_filter.ok()?,
        on_model_change: on_model_change?,
    })
}

/// One item of [`CONTENT_FILTERS`].
fn content_filter(cx: &mut Cx<'_>, item: Item<'_, '_>) -> Option<ContentFilter> {
    let Item { fields, name, .. } = item;
    let base_policy =
        fields.read_or(cx, "basePolicy", Some("Microsoft.DefaultV2".to_string()), |cx, f, p| {
            cx.nonempty_string(f, p)
        });
    let filters = fields.required(cx, "filters").and_then(|(f, p)| {
        let items = cx.list(f, &p)?;
        let mut ok = true;
        let mut out = Vec::new();
        for (i, node) in items.iter().enumerate() {
            let item_path = p.index(i);
            let Some(m) = cx.mapping(node, &item_path, FILTER_FIELDS) else {
                ok = false;
                continue;
            };
            let category =
                m.required(cx, "category").and_then(|(f, p)| cx.choice::<FilterCategory>(f, &p));
            let source =
                m.required(cx, "source").and_then(|(f, p)| cx.choice::<FilterSource>(f, &p));
            let severity = m.read_or(cx, "severity", Ok(None), |cx, f, p| {
                cx.choice::<Severity>(f, p).map(Some).ok_or(())
            });
            let blocking = m.bool_or(cx, "blocking", true);
            let enabled = m.bool_or(cx, "enabled", true);
            let (Some(category), Some(source), Ok(severity), Some(blocking), Some(enabled)) =
                (category, source, severity, blocking, enabled)
            else {
                ok = false;
                continue;
            };
            let reason = match (category.has_severity(), severity) {
                (true, None) => {
                    Some("this category acts from a severity: write severity: low, medium or high")
                }
                (false, Some(_)) => Some(
                    "this category has no severity (only hate, sexual, violence and selfharm do)",
                ),
                _ => None,
            };
            if let Some(reason) = reason {
                cx.report(m.at, &item_path.field("severity"), Problem::FilterSeverity { reason });
                ok = false;
                continue;
            }
            out.push(Filter { category, source, severity, blocking, enabled });
        }
        ok.then_some(out)
    });
    Some(ContentFilter { name: name?, base_policy: base_policy?, filters: filters? })
}

fn subnet(cx: &mut Cx<'_>, field: Field<'_>, path: &FieldPath) -> Option<ArmId> {
    let id = cx.arm_id(field, path, None)?;
    if !id.arm_type().eq_ignore_ascii_case(SUBNET_TYPE) {
        let problem = Problem::WrongResourceType {
            expected_type: SUBNET_TYPE,
            expected_what: "a virtual network subnet",
            found_type: id.arm_type(),
        };
        cx.report(field.node.at, path, problem);
        return None;
    }
    Some(id)
}

/// An IPv4 address or CIDR range, as the service's `ipRules` take them.
fn is_ip_rule(text: &str) -> bool {
    let (address, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    address.parse::<std::net::Ipv4Addr>().is_ok()
        && prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|n| n <= 32))
}

fn network(cx: &mut Cx<'_>, field: Field<'_>, path: &FieldPath) -> Option<FoundryNetwork> {
    let fields = cx.mapping(field.node, path, NETWORK_FIELDS)?;
    let public_network_access =
        fields.choice_or(cx, "publicNetworkAccess", PublicNetworkAccess::Enabled);
    let default_action = fields.choice_or(cx, "defaultAction", DefaultAction::Allow);
    let bypass = fields
        .read_or(cx, "bypass", Ok(None), |cx, f, p| cx.choice::<Bypass>(f, p).map(Some).ok_or(()));
    let mut ok = true;
    let mut ip_rules = Vec::new();
    if let Some((f, p)) = fields.get(cx, "ipRules") {
        match cx.list(f, &p) {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    let item_path = p.index(i);
                    match cx.string(Field { node: item }, &item_path) {
                        Some(text) if is_ip_rule(&text) => ip_rules.push(text),
                        Some(text) => {
                            cx.report(item.at, &item_path, Problem::InvalidIpRule { value: text });
                            ok = false;
                        }
                        None => ok = false,
                    }
                }
            }
            None => ok = false,
        }
    }
    let mut virtual_network_rules = Vec::new();
    if let Some((f, p)) = fields.get(cx, "virtualNetworkRules") {
        match cx.list(f, &p) {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    match subnet(cx, Field { node: item }, &p.index(i)) {
                        Some(id) => virtual_network_rules.push(id),
                        None => ok = false,
                    }
                }
            }
            None => ok = false,
        }
    }
    let agent_subnet = fields
        .read_or(cx, "agentSubnet", Ok(None), |cx, f, p| subnet(cx, f, p).map(Some).ok_or(()));
    let network = FoundryNetwork {
        public_network_access: public_network_access?,
        default_action: default_action?,
        bypass: bypass.ok()?,
        ip_rules,
        virtual_network_rules,
        agent_subnet: agent_subnet.ok()?,
    };
    ok.then_some(network)
}

/// `https://{vault}.vault.azure.net/` (or a sovereign cloud's vault suffix), the vault only.
fn is_vault_uri(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("https://") else {
        return false;
    };
    let host = rest.strip_suffix('/').unwrap_or(rest);
    let mut labels = host.split('.');
    let vault = labels.next().unwrap_or_default();
    (3..=24).contains(&vault.len())
        && vault.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && labels.next().is_some_and(|l| l.eq_ignore_ascii_case("vault"))
        && !host.contains('/')
}

fn encryption(
    cx: &mut Cx<'_>,
    field: Field<'_>,
    path: &FieldPath,
    identity: Option<&Identity>,
) -> Option<FoundryEncryption> {
    let fields = cx.mapping(field.node, path, ENCRYPTION_FIELDS)?;
    let kind = fields.choice_or(cx, "type", EncryptionType::MicrosoftManaged)?;
    if kind == EncryptionType::MicrosoftManaged {
        let mut ok = true;
        for name in ["keyVaultUri", "keyName", "keyVersion", "identity"] {
            if fields.has(name) {
                let at = fields.key_position(name).unwrap_or(fields.at);
                cx.report(at, &path.field(name), Problem::OnlyWithCustomerManaged { field: name });
                ok = false;
            }
        }
        return ok.then_some(FoundryEncryption::MicrosoftManaged);
    }
    let uri = fields.required(cx, "keyVaultUri").and_then(|(f, p)| {
        let text = cx.string(f, &p)?;
        if !is_vault_uri(&text) {
            cx.report(f.node.at, &p, Problem::InvalidKeyVaultUri { value: text });
            return None;
        }
        Some(if text.ends_with('/') { text } else { format!("{text}/") })
    });
    let name = fields.required(cx, "keyName").and_then(|(f, p)| cx.nonempty_string(f, &p));
    let version = fields.required(cx, "keyVersion").and_then(|(f, p)| cx.nonempty_string(f, &p));
    let key_identity = fields.optional_id(cx, "identity", ids::ResourceType::UserAssignedIdentity);
    let (uri, name, version, key_identity) = (uri?, name?, version?, key_identity.ok()?);
    if let (Some(id), Some(identity)) = (&key_identity, identity) {
        let assigned = identity.user_assigned().is_some_and(|u| u.identities.contains(id));
        if !assigned {
            cx.report(
                fields.position("identity"),
                &path.field("identity"),
                Problem::CmkIdentityNotAssigned,
            );
            return None;
        }
    }
    Some(FoundryEncryption::CustomerManaged(Box::new(FoundryKey {
        key_vault_uri: uri,
        key_name: name,
        key_version: version,
        identity: key_identity,
    })))
}

/// One item of [`PROJECTS`].
fn project(cx: &mut Cx<'_>, item: Item<'_, '_>) -> Option<FoundryProject> {
    let Item { fields, name, .. } = item;
    let display_name = fields.optional_string(cx, "displayName");
    let description = fields.optional_string(cx, "description");
    let identity = match fields.get(cx, "identity") {
        Some((f, p)) => account_identity(cx, f, &p),
        None => Some(Identity::SystemAssigned),
    };
    let connections = match fields.get(cx, "connections") {
        Some((f, p)) => named_list(cx, f, &p, &CONNECTIONS),
        None => Some(Vec::new()),
    };
    let access = match fields.get(cx, "access") {
        Some((f, p)) => access(cx, f, &p),
        None => Some(Access::default()),
    };
    let agents = match fields.get(cx, "agents") {
        Some((f, p)) => agents(cx, f, &p, PROJECT_AGENTS_FIELDS, connections.as_deref()).map(Some),
        None => Some(None),
    };
    Some(FoundryProject {
        name: name?,
        display_name: display_name.ok()?,
        description: description.ok()?,
        identity: identity?,
        connections: connections?,
        access: access?,
        agents: agents?,
    })
}

// ---- the manifest as JSON (see [`super::view_foundry`]) ----

pub(crate) fn view(foundry: &Foundry) -> serde_json::Value {
    use serde_json::json;
    let (m, s) = (&foundry.metadata, &foundry.spec);
    let n = &s.network;
    let mut network = json!({
        "publicNetworkAccess": super::word(n.public_network_access),
        "defaultAction": super::word(n.default_action),
        "ipRules": n.ip_rules,
        "virtualNetworkRules": n.virtual_network_rules.iter().map(ArmId::as_str).collect::<Vec<_>>(),
    });
    if let Some(bypass) = n.bypass {
        network["bypass"] = json!(super::word(bypass));
    }
    if let Some(subnet) = &n.agent_subnet {
        network["agentSubnet"] = json!(subnet.as_str());
    }
    let encryption = match &s.encryption {
        FoundryEncryption::MicrosoftManaged => {
            json!({ "type": super::word(EncryptionType::MicrosoftManaged) })
        }
        FoundryEncryption::CustomerManaged(key) => {
            let mut out = json!({
                "type": super::word(EncryptionType::CustomerManaged),
                "keyVaultUri": key.key_vault_uri,
                "keyName": key.key_name,
                "keyVersion": key.key_version,
            });
            if let Some(identity) = &key.identity {
                out["identity"] = json!(identity.as_str());
            }
            out
        }
    };
    let projects: Vec<serde_json::Value> = s
        .projects
        .iter()
        .map(|p| {
            let mut out = json!({ "name": p.name });
            if let Some(v) = &p.display_name {
                out["displayName"] = json!(v);
            }
            if let Some(v) = &p.description {
                out["description"] = json!(v);
            }
            out["identity"] = super::identity::view_identity(&p.identity);
            out["connections"] = p.connections.iter().map(super::connections::view).collect();
            out["access"] = super::access::view(&p.access);
            if let Some(agents) = &p.agents {
                out["agents"] = view_agents(agents);
            }
            out
        })
        .collect();
    let mut out = json!({
        "apiVersion": super::API_VERSION,
        "kind": "Foundry",
        "metadata": {
            "name": m.name,
            "subscription": m.subscription.as_str(),
            "resourceGroup": m.resource_group,
            "location": m.location,
            "tags": m.tags,
        },
        "spec": {
            "customSubDomainName": s.custom_sub_domain_name,
            "sku": s.sku,
            "identity": super::identity::view_identity(&s.identity),
            "localAuth": super::word(s.local_auth),
            "network": network,
            "encryption": encryption,
            "connections": s.connections.iter().map(super::connections::view).collect::<Vec<_>>(),
            "access": super::access::view(&s.access),
            "projects": projects,
            "contentFilters": s.content_filters.iter().map(view_content_filter).collect::<Vec<_>>(),
            "deployments": s.deployments.iter().map(view_deployment).collect::<Vec<_>>(),
        },
    });
    if let Some(agents) = &s.agents {
        out["spec"]["agents"] = view_agents(agents);
    }
    out
}

fn view_deployment(d: &Deployment) -> serde_json::Value {
    use serde_json::json;
    let mut model = json!({ "format": d.model.format, "name": d.model.name });
    if let Some(v) = &d.model.version {
        model["version"] = json!(v);
    }
    let mut out = json!({
        "name": d.name,
        "model": model,
        "sku": { "name": d.sku.name, "capacity": d.sku.capacity },
        "versionUpgrade": super::word(d.version_upgrade),
        "onModelChange": super::word(d.on_model_change),
    });
    if let Some(f) = &d.content_filter {
        out["contentFilter"] = json!(f);
    }
    out
}

fn view_content_filter(c: &ContentFilter) -> serde_json::Value {
    use serde_json::json;
    let filters: Vec<serde_json::Value> = c
        .filters
        .iter()
        .map(|f| {
            let mut out = json!({
                "category": super::word(f.category),
                "source": super::word(f.source),
                "blocking": f.blocking,
                "enabled": f.enabled,
            });
            if let Some(s) = f.severity {
                out["severity"] = json!(super::word(s));
            }
            out
        })
        .collect();
    json!({ "name": c.name, "basePolicy": c.base_policy, "filters": filters })
}

fn view_agents(a: &Agents) -> serde_json::Value {
    let mut out = serde_json::json!({
        "name": a.name,
        "storage": a.storage,
        "vectorStore": a.vector_store,
        "threadStorage": a.thread_storage,
        "aiServices": a.ai_services,
    });
    if let Some(subnet) = &a.subnet {
        out["subnet"] = serde_json::json!(subnet.as_str());
    }
    out
}
