//! Hub core: the document (`apiVersion`, `kind`), `metadata` (name, subscription, resource
//! group, location, tags) and `spec` with its plain fields (`displayName`, `description`,
//! `storageAccount`, `applicationInsights`, `containerRegistry`, `storageAccess`,
//! `highBusinessImpact`); the other sections are read from here.

use std::collections::BTreeMap;

use super::access::access;
use super::choice;
use super::connections::CONNECTIONS;
use super::identity::{credential_store, encryption, identity};
use super::named_list;
use super::network::network;
use super::projects::PROJECTS;
use crate::ids::{self, ResourceType};
use crate::model::*;
use crate::problem::Problem;
use crate::raw::{Node, Value};
use crate::read::{Choice, Cx, Field};
use crate::source::{FieldPath, Location, Pos};

pub(crate) const DOCUMENT_FIELDS: &[&str] = &["apiVersion", "kind", "metadata", "spec"];
pub(crate) const METADATA_FIELDS: &[&str] =
    &["name", "subscription", "resourceGroup", "location", "tags"];
pub(crate) const SPEC_FIELDS: &[&str] = &[
    "displayName",
    "description",
    "storageAccount",
    "credentialStore",
    "applicationInsights",
    "containerRegistry",
    "imageBuildCompute",
    "identity",
    "storageAccess",
    "encryption",
    "highBusinessImpact",
    "network",
    "connections",
    "access",
    "projects",
];

/// The one apiVersion this hubctl reads.
pub const API_VERSION: &str = "hubctl/v1";
/// Other document kinds of hubctl that may sit beside manifests (the local cloud's seed):
/// recognised and skipped by manifest loading, not reported as errors.
pub const NON_MANIFEST_KINDS: &[&str] = &["LocalCloudSeed"];

/// Tag names that start with this are hubctl's own (ownership, applied-manifest digest).
pub const RESERVED_TAG_PREFIX: &str = "hubctl-";
/// How many tags hubctl adds to a hub on apply.
pub const RESERVED_TAG_COUNT: usize = 2;
/// ARM's tag limits. Source: MicrosoftDocs/azure-docs
/// `articles/azure-resource-manager/management/tag-resources.md` (Limitations).
const MAX_TAGS: usize = 50;
const MAX_TAG_NAME: usize = 512;
const MAX_TAG_VALUE: usize = 256;
const TAG_NAME_FORBIDDEN: &[char] = &['<', '>', '%', '&', '\\', '?', '/'];

choice!(StorageAccess { "identity" => StorageAccess::Identity, "credential" => StorageAccess::Credential });

/// What one document turned out to be.
pub(crate) enum DocumentOutcome {
    /// A hub manifest with no problems.
    Hub(Box<Hub>),
    /// A Foundry resource manifest with no problems.
    Foundry(Box<Foundry>),
    /// A hubctl document of another kind (the local cloud seed): not a manifest.
    Skipped,
    /// Problems were reported.
    Invalid,
}

/// Read one document. Problems go to `cx`; a hub comes back only when this document had none.
pub(crate) fn document(cx: &mut Cx<'_>, node: &Node) -> DocumentOutcome {
    let before = cx.diagnostics.len();
    let root = FieldPath::root();
    if node.value == Value::Null {
        cx.report(node.at, &root, Problem::EmptyDocument);
        return DocumentOutcome::Invalid;
    }
    // apiVersion and kind first: a document of another format is reported once, not field by field.
    if let Value::Map(entries) = &node.value {
        let text = |name: &str| {
            entries.iter().find(|(k, _)| k.name == name).map(|(_, v)| match &v.value {
                Value::Str(s) => (Some(s.clone()), v.at),
                _ => (None, v.at),
            })
        };
        match text("apiVersion") {
            Some((Some(v), _)) if v == API_VERSION => {}
            Some((found, at)) => {
                let found = found.unwrap_or_else(|| "(not a string)".into());
                cx.report(at, &root.field("apiVersion"), Problem::WrongApiVersion { found });
                return DocumentOutcome::Invalid;
            }
            None => {}
        }
        match text("kind") {
            Some((Some(k), _)) if k == "Hub" => {}
            Some((Some(k), _)) if k == "Foundry" => {
                return match super::foundry::document(cx, node) {
                    Some(foundry) => DocumentOutcome::Foundry(Box::new(foundry)),
                    None => DocumentOutcome::Invalid,
                };
            }
            Some((Some(k), _)) if NON_MANIFEST_KINDS.contains(&k.as_str()) => {
                return DocumentOutcome::Skipped;
            }
            Some((found, at)) => {
                let found = found.unwrap_or_else(|| "(not a string)".into());
                cx.report(at, &root.field("kind"), Problem::WrongKind { found });
                return DocumentOutcome::Invalid;
            }
            None => {}
        }
    }
    let Some(fields) = cx.mapping(node, &root, DOCUMENT_FIELDS) else {
        return DocumentOutcome::Invalid;
    };
    fields.required(cx, "apiVersion");
    fields.required(cx, "kind");
    let metadata = fields
        .required(cx, "metadata")
        .and_then(|(f, p)| metadata(cx, f, &p, ("workspace name", SERVICE_NAMES)));
    let spec = fields.required(cx, "spec").and_then(|(f, p)| spec(cx, f, &p));
    match (metadata, spec) {
        (Some(metadata), Some(spec)) if cx.diagnostics.len() == before => {
            DocumentOutcome::Hub(Box::new(Hub {
                source: Location::new(cx.file(), node.at),
                positions: std::mem::take(&mut cx.positions),
                metadata,
                spec,
            }))
        }
        _ => DocumentOutcome::Invalid,
    }
}

/// A naming rule of the service: its check and the rule in words.
#[derive(Clone, Copy)]
pub(crate) struct NameRule {
    pub check: fn(&str) -> bool,
    pub rule: &'static str,
}

/// Workspaces (hubs, projects), outbound rules, connections.
pub(crate) const SERVICE_NAMES: NameRule =
    NameRule { check: ids::is_service_name, rule: ids::NAME_RULE };
/// Cognitive Services accounts and their projects.
pub(crate) const ACCOUNT_NAMES: NameRule =
    NameRule { check: ids::is_account_name, rule: ids::ACCOUNT_NAME_RULE };

pub(crate) fn service_name(
    cx: &mut Cx<'_>,
    field: Field<'_>,
    path: &FieldPath,
    what: &'static str,
    names: NameRule,
) -> Option<String> {
    let name = cx.string(field, path)?;
    if !(names.check)(&name) {
        cx.report(
            field.node.at,
            path,
            Problem::InvalidName { value: name, what, rule: names.rule },
        );
        return None;
    }
    Some(name)
}

pub(crate) fn metadata(
    cx: &mut Cx<'_>,
    node: Field<'_>,
    path: &FieldPath,
    (what, names): (&'static str, NameRule),
) -> Option<Metadata> {
    let fields = cx.mapping(node.node, path, METADATA_FIELDS)?;
    let name = fields.required(cx, "name").and_then(|(f, p)| service_name(cx, f, &p, what, names));
    let subscription = fields.required(cx, "subscription").and_then(|(f, p)| cx.guid(f, &p));
    let resource_group = fields.required(cx, "resourceGroup").and_then(|(f, p)| {
        let rg = cx.string(f, &p)?;
        if !ids::is_resource_group_name(&rg) {
            cx.report(
                f.node.at,
                &p,
                Problem::InvalidName {
                    value: rg,
                    what: "resource group name",
                    rule: ids::RESOURCE_GROUP_RULE,
                },
            );
            return None;
        }
        Some(rg)
    });
    let location = fields.required(cx, "location").and_then(|(f, p)| {
        let region = cx.string(f, &p)?;
        if !ids::is_region(&region) {
            let hint = ids::region_hint(&region);
            cx.report(f.node.at, &p, Problem::InvalidRegion { value: region, hint });
            return None;
        }
        Some(region)
    });
    let tags = match fields.get(cx, "tags") {
        Some((f, p)) => tags(cx, f, &p),
        None => Some(BTreeMap::new()),
    };
    Some(Metadata {
        name: name?,
        subscription: subscription?,
        resource_group: resource_group?,
        location: location?,
        tags: tags?,
    })
}

pub(crate) fn tags(
    cx: &mut Cx<'_>,
    field: Field<'_>,
    path: &FieldPath,
) -> Option<BTreeMap<String, String>> {
    let Value::Map(entries) = &field.node.value else {
        cx.wrong_type(field.node, path, "a mapping of tag names to string values");
        return None;
    };
    let mut ok = true;
    let mut tags = BTreeMap::new();
    for (key, value) in entries {
        let tag_path = path.field(&key.name);
        let mut report = |cx: &mut Cx<'_>, at: Pos, problem: Problem| {
            cx.report(at, &tag_path, problem);
            ok = false;
        };
        if key.name.to_ascii_lowercase().starts_with(RESERVED_TAG_PREFIX) {
            report(cx, key.at, Problem::ReservedTag { prefix: RESERVED_TAG_PREFIX });
            continue;
        }
        if key.name.trim().is_empty() {
            report(cx, key.at, Problem::InvalidTag { reason: "the tag name is empty".into() });
            continue;
        }
        if let Some(c) = key.name.chars().find(|c| TAG_NAME_FORBIDDEN.contains(c)) {
            let reason = format!("tag names cannot contain '{c}' (ARM refuses < > % & \\ ? /)");
            report(cx, key.at, Problem::InvalidTag { reason });
            continue;
        }
        if key.name.chars().count() > MAX_TAG_NAME {
            let reason = format!("tag names have at most {MAX_TAG_NAME} characters");
            report(cx, key.at, Problem::InvalidTag { reason });
            continue;
        }
        let Some(text) = cx.string(Field { node: value }, &tag_path) else {
            ok = false;
            continue;
        };
        if text.chars().count() > MAX_TAG_VALUE {
            let reason = format!("tag values have at most {MAX_TAG_VALUE} characters");
            report(cx, value.at, Problem::InvalidTag { reason });
            continue;
        }
        if let Some(first) = tags.keys().find(|k: &&String| k.eq_ignore_ascii_case(&key.name)) {
            let reason =
                format!("tag names are case-insensitive in ARM and \"{first}\" is already set");
            report(cx, key.at, Problem::InvalidTag { reason });
            continue;
        }
        tags.insert(key.name.clone(), text);
    }
    let max = MAX_TAGS - RESERVED_TAG_COUNT;
    if entries.len() > max {
        cx.report(
            field.node.at,
            path,
            Problem::TooManyTags {
                count: entries.len(),
                max: MAX_TAGS,
                reserved: RESERVED_TAG_COUNT,
            },
        );
        ok = false;
    }
    ok.then_some(tags)
}

fn spec(cx: &mut Cx<'_>, node: Field<'_>, path: &FieldPath) -> Option<HubSpec> {
    let fields = cx.mapping(node.node, path, SPEC_FIELDS)?;
    let display_name = fields.optional_string(cx, "displayName");
    let description = fields.optional_string(cx, "description");
    let storage_account = fields
        .required(cx, "storageAccount")
        .and_then(|(f, p)| cx.arm_id(f, &p, Some(ResourceType::StorageAccount)));
    let credential_store = match fields.get(cx, "credentialStore") {
        Some((f, p)) => credential_store(cx, f, &p),
        None => Some(CredentialStore::MicrosoftManaged),
    };
    let application_insights =
        fields.optional_id(cx, "applicationInsights", ResourceType::ApplicationInsights);
    let container_registry =
        fields.optional_id(cx, "containerRegistry", ResourceType::ContainerRegistry);
    let image_build_compute = fields.read_or(cx, "imageBuildCompute", Ok(None), |cx, f, p| {
        cx.nonempty_string(f, p).map(Some).ok_or(())
    });
    let identity = match fields.get(cx, "identity") {
        Some((f, p)) => identity(cx, f, &p),
        None => Some(Identity::SystemAssigned),
    };
    let storage_access = fields.choice_or(cx, "storageAccess", StorageAccess::Credential);
    let encryption = match fields.get(cx, "encryption") {
        Some((f, p)) => encryption(cx, f, &p, identity.as_ref()),
        None => Some(Encryption::MicrosoftManaged),
    };
    let high_business_impact = fields.bool_or(cx, "highBusinessImpact", false);
    let vault = match &credential_store {
        Some(CredentialStore::KeyVault(id)) => Some(id),
        _ => None,
    };
    let own = [
        ("storageAccount", storage_account.as_ref()),
        ("credentialStore.keyVault", vault),
        ("containerRegistry", container_registry.as_ref().ok().and_then(Option::as_ref)),
    ];
    let network = match fields.get(cx, "network") {
        Some((f, p)) => network(cx, f, &p, &own),
        None => Some(Network {
            public_network_access: PublicNetworkAccess::Enabled,
            isolation: Isolation::Public,
            network_monitor: None,
            shared_private_links: None,
        }),
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
    Some(HubSpec {
        display_name: display_name.ok()?,
        description: description.ok()?,
        storage_account: storage_account?,
        credential_store: credential_store?,
        application_insights: application_insights.ok()?,
        container_registry: container_registry.ok()?,
        image_build_compute: image_build_compute.ok()?,
        identity: identity?,
        storage_access: storage_access?,
        encryption: encryption?,
        high_business_impact: high_business_impact?,
        network: network?,
        connections: connections?,
        access: access?,
        projects: projects?,
    })
}

// ---- the manifest as JSON (see [`super::view`]) ----

pub(crate) fn view(hub: &Hub) -> serde_json::Value {
    use serde_json::json;
    let (m, s) = (&hub.metadata, &hub.spec);
    let mut spec = serde_json::Map::new();
    let mut put = |k: &str, v: serde_json::Value| {
        spec.insert(k.to_string(), v);
    };
    if let Some(v) = &s.display_name {
        put("displayName", json!(v));
    }
    if let Some(v) = &s.description {
        put("description", json!(v));
    }
    put("storageAccount", json!(s.storage_account.as_str()));
    put("credentialStore", super::identity::view_credential_store(&s.credential_store));
    if let Some(v) = &s.application_insights {
        put("applicationInsights", json!(v.as_str()));
    }
    if let Some(v) = &s.container_registry {
        put("containerRegistry", json!(v.as_str()));
    }
    if let Some(v) = &s.image_build_compute {
        put("imageBuildCompute", json!(v));
    }
    put("identity", super::identity::view_identity(&s.identity));
    put("storageAccess", json!(super::word(s.storage_access)));
    put("encryption", super::identity::view_encryption(&s.encryption));
    put("highBusinessImpact", json!(s.high_business_impact));
    put("network", super::network::view(&s.network));
    put("connections", s.connections.iter().map(super::connections::view).collect());
    put("access", super::access::view(&s.access));
    put("projects", s.projects.iter().map(super::projects::view).collect());
    json!({
        "apiVersion": API_VERSION,
        "kind": "Hub",
        "metadata": {
            "name": m.name,
            "subscription": m.subscription.as_str(),
            "resourceGroup": m.resource_group,
            "location": m.location,
            "tags": m.tags,
        },
        "spec": spec,
    })
}
