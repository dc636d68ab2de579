//! Stage two of parsing: one document's [`Node`] tree to a typed [`Hub`], with every
//! field-level and cross-field check of a single manifest.
//!
//! Checks that span documents (two manifests for one hub, workspace names shared in a resource
//! group) live in [`crate::check`]. The field lists below are also the manifest's field lists
//! in the JSON Schema; a test in [`crate::schema`] keeps the two equal.

use std::collections::BTreeMap;

use crate::ids::{self, ArmId, Guid, KeyUri, ResourceType};
use crate::model::*;
use crate::problem::Problem;
use crate::raw::{Node, Value};
use crate::read::{Choice, Cx, Field, Fields};
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
    "identity",
    "storageAccess",
    "encryption",
    "highBusinessImpact",
    "network",
    "connections",
    "access",
    "projects",
];
pub(crate) const CREDENTIAL_STORE_FIELDS: &[&str] = &["keyVault"];
pub(crate) const IDENTITY_FIELDS: &[&str] = &["type", "userAssigned", "primary"];
pub(crate) const ENCRYPTION_FIELDS: &[&str] = &["type", "keyVault", "keyUri", "identity"];
pub(crate) const NETWORK_FIELDS: &[&str] =
    &["publicNetworkAccess", "isolation", "firewallSku", "outboundRules"];
pub(crate) const RULE_FIELDS: &[&str] = &["name", "fqdn", "privateEndpoint", "serviceTag"];
pub(crate) const PRIVATE_ENDPOINT_FIELDS: &[&str] = &["resource", "subresource", "sparkEnabled"];
pub(crate) const SERVICE_TAG_FIELDS: &[&str] = &["tag", "protocol", "ports"];
pub(crate) const CONNECTION_FIELDS: &[&str] =
    &["name", "category", "resource", "auth", "container"];
pub(crate) const ACCESS_FIELDS: &[&str] = &["exclusive", "assignments"];
pub(crate) const ASSIGNMENT_FIELDS: &[&str] =
    &["principal", "principalType", "role", "condition", "conditionVersion"];
pub(crate) const PROJECT_FIELDS: &[&str] = &["name", "displayName", "description", "access"];

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

macro_rules! choice {
    ($t:ty { $($name:literal => $value:expr),+ $(,)? }) => {
        impl Choice for $t {
            const NAMES: &'static [&'static str] = &[$($name),+];
            const VALUES: &'static [Self] = &[$($value),+];
        }
    };
}

/// `spec.identity.type` as written, before the identities are attached.
#[derive(Clone, Copy, PartialEq)]
enum IdentityType {
    System,
    User,
    SystemAndUser,
}
choice!(IdentityType { "systemAssigned" => IdentityType::System, "userAssigned" => IdentityType::User, "systemAssigned,userAssigned" => IdentityType::SystemAndUser });

#[derive(Clone, Copy, PartialEq)]
enum EncryptionType {
    MicrosoftManaged,
    CustomerManaged,
}
choice!(EncryptionType { "microsoftManaged" => EncryptionType::MicrosoftManaged, "customerManaged" => EncryptionType::CustomerManaged });

#[derive(Clone, Copy, PartialEq)]
enum IsolationMode {
    Public,
    InternetOutbound,
    ApprovedOutbound,
}
choice!(IsolationMode { "public" => IsolationMode::Public, "privateWithInternetOutbound" => IsolationMode::InternetOutbound, "privateWithApprovedOutbound" => IsolationMode::ApprovedOutbound });

choice!(StorageAccess { "identity" => StorageAccess::Identity, "credential" => StorageAccess::Credential });
choice!(PublicNetworkAccess { "enabled" => PublicNetworkAccess::Enabled, "disabled" => PublicNetworkAccess::Disabled });
choice!(FirewallSku { "standard" => FirewallSku::Standard, "basic" => FirewallSku::Basic });
choice!(Protocol { "TCP" => Protocol::Tcp, "UDP" => Protocol::Udp, "ICMP" => Protocol::Icmp, "*" => Protocol::Any });
choice!(ConnectionCategory { "aiServices" => ConnectionCategory::AiServices, "aiSearch" => ConnectionCategory::AiSearch, "azureOpenAI" => ConnectionCategory::AzureOpenAi, "storage" => ConnectionCategory::Storage });
choice!(ConnectionAuth { "entraId" => ConnectionAuth::EntraId, "apiKey" => ConnectionAuth::ApiKey });
choice!(PrincipalType { "user" => PrincipalType::User, "group" => PrincipalType::Group, "servicePrincipal" => PrincipalType::ServicePrincipal });

/// What one document turned out to be.
pub(crate) enum DocumentOutcome {
    /// A hub manifest with no problems.
    Hub(Box<Hub>),
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
    let metadata = fields.required(cx, "metadata").and_then(|(f, p)| metadata(cx, f, &p));
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

fn service_name(
    cx: &mut Cx<'_>,
    field: Field<'_>,
    path: &FieldPath,
    what: &'static str,
) -> Option<String> {
    let name = cx.string(field, path)?;
    if !ids::is_service_name(&name) {
        cx.report(
            field.node.at,
            path,
            Problem::InvalidName { value: name, what, rule: ids::NAME_RULE },
        );
        return None;
    }
    Some(name)
}

fn metadata(cx: &mut Cx<'_>, node: Field<'_>, path: &FieldPath) -> Option<Metadata> {
    let fields = cx.mapping(node.node, path, METADATA_FIELDS)?;
    let name =
        fields.required(cx, "name").and_then(|(f, p)| service_name(cx, f, &p, "workspace name"));
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

fn tags(cx: &mut Cx<'_>, field: Field<'_>, path: &FieldPath) -> Option<BTreeMap<String, String>> {
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

fn optional_string(cx: &mut Cx<'_>, fields: &Fields<'_>, name: &str) -> Result<Option<String>, ()> {
    match fields.get(cx, name) {
        Some((f, p)) => cx.string(f, &p).map(Some).ok_or(()),
        None => Ok(None),
    }
}

fn optional_id(
    cx: &mut Cx<'_>,
    fields: &Fields<'_>,
    name: &str,
    expected: ResourceType,
) -> Result<Option<ArmId>, ()> {
    match fields.get(cx, name) {
        Some((f, p)) => cx.arm_id(f, &p, Some(expected)).map(Some).ok_or(()),
        None => Ok(None),
    }
}

fn choice_or<T: Choice>(cx: &mut Cx<'_>, fields: &Fields<'_>, name: &str, default: T) -> Option<T> {
    match fields.get(cx, name) {
        Some((f, p)) => cx.choice(f, &p),
        None => Some(default),
    }
}

fn bool_or(cx: &mut Cx<'_>, fields: &Fields<'_>, name: &str, default: bool) -> Option<bool> {
    match fields.get(cx, name) {
        Some((f, p)) => cx.boolean(f, &p),
        None => Some(default),
    }
}

fn spec(cx: &mut Cx<'_>, node: Field<'_>, path: &FieldPath) -> Option<HubSpec> {
    let fields = cx.mapping(node.node, path, SPEC_FIELDS)?;
    let display_name = optional_string(cx, &fields, "displayName");
    let description = optional_string(cx, &fields, "description");
    let storage_account = fields
        .required(cx, "storageAccount")
        .and_then(|(f, p)| cx.arm_id(f, &p, Some(ResourceType::StorageAccount)));
    let credential_store = match fields.get(cx, "credentialStore") {
        Some((f, p)) => credential_store(cx, f, &p),
        None => Some(CredentialStore::MicrosoftManaged),
    };
    let application_insights =
        optional_id(cx, &fields, "applicationInsights", ResourceType::ApplicationInsights);
    let container_registry =
        optional_id(cx, &fields, "containerRegistry", ResourceType::ContainerRegistry);
    let identity = match fields.get(cx, "identity") {
        Some((f, p)) => identity(cx, f, &p),
        None => Some(Identity::SystemAssigned),
    };
    let storage_access = choice_or(cx, &fields, "storageAccess", StorageAccess::Credential);
    let encryption = match fields.get(cx, "encryption") {
        Some((f, p)) => encryption(cx, f, &p, identity.as_ref()),
        None => Some(Encryption::MicrosoftManaged),
    };
    let high_business_impact = bool_or(cx, &fields, "highBusinessImpact", false);
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
        }),
    };
    let connections = match fields.get(cx, "connections") {
        Some((f, p)) => connections(cx, f, &p),
        None => Some(Vec::new()),
    };
    let access = match fields.get(cx, "access") {
        Some((f, p)) => access(cx, f, &p),
        None => Some(Access::default()),
    };
    let projects = match fields.get(cx, "projects") {
        Some((f, p)) => projects(cx, f, &p),
        None => Some(Vec::new()),
    };
    Some(HubSpec {
        display_name: display_name.ok()?,
        description: description.ok()?,
        storage_account: storage_account?,
        credential_store: credential_store?,
        application_insights: application_insights.ok()?,
        container_registry: container_registry.ok()?,
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

fn credential_store(
    cx: &mut Cx<'_>,
    field: Field<'_>,
    path: &FieldPath,
) -> Option<CredentialStore> {
    match &field.node.value {
        Value::Str(s) if s == "microsoftManaged" => Some(CredentialStore::MicrosoftManaged),
        Value::Str(s) => {
            const NAMES: &[&str] = &["microsoftManaged"];
            let suggestion = crate::read::closest(s, NAMES);
            cx.report(
                field.node.at,
                path,
                Problem::UnknownVariant { value: s.clone(), expected: NAMES, suggestion },
            );
            None
        }
        Value::Map(_) => {
            let fields = cx.mapping(field.node, path, CREDENTIAL_STORE_FIELDS)?;
            let (f, p) = fields.required(cx, "keyVault")?;
            cx.arm_id(f, &p, Some(ResourceType::KeyVault)).map(CredentialStore::KeyVault)
        }
        _ => {
            cx.wrong_type(field.node, path, "\"microsoftManaged\" or a mapping with `keyVault`");
            None
        }
    }
}

fn identity(cx: &mut Cx<'_>, field: Field<'_>, path: &FieldPath) -> Option<Identity> {
    let fields = cx.mapping(field.node, path, IDENTITY_FIELDS)?;
    let kind = choice_or(cx, &fields, "type", IdentityType::System);
    let mut listed: Vec<ArmId> = Vec::new();
    let mut ok = true;
    if let Some((f, p)) = fields.get(cx, "userAssigned") {
        match cx.list(f, &p) {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    let item_path = p.index(i);
                    match cx.arm_id(
                        Field { node: item },
                        &item_path,
                        Some(ResourceType::UserAssignedIdentity),
                    ) {
                        Some(id) if listed.contains(&id) => {
                            cx.report(item.at, &item_path, Problem::DuplicateIdentity);
                            ok = false;
                        }
                        Some(id) => listed.push(id),
                        None => ok = false,
                    }
                }
            }
            None => ok = false,
        }
    }
    let primary = match fields.get(cx, "primary") {
        Some((f, p)) => match cx.arm_id(f, &p, Some(ResourceType::UserAssignedIdentity)) {
            Some(id) => Some(id),
            None => {
                ok = false;
                None
            }
        },
        None => None,
    };
    let kind = kind?;
    if kind == IdentityType::System {
        for name in ["userAssigned", "primary"] {
            if fields.has(name) {
                let at = fields.key_position(name).unwrap_or(fields.at);
                cx.report(at, &path.field(name), Problem::OnlyWithUserAssigned { field: name });
                ok = false;
            }
        }
        return ok.then_some(Identity::SystemAssigned);
    }
    let type_name =
        if kind == IdentityType::User { "userAssigned" } else { "systemAssigned,userAssigned" };
    if listed.is_empty() && ok {
        cx.report(
            fields.position("type"),
            &path.field("type"),
            Problem::UserAssignedIdentitiesMissing { identity_type: type_name },
        );
        return None;
    }
    // Only a user-assigned identity alone needs a primary: with a system-assigned one too, the
    // public GET example (Workspace/get.json) has none, and the service accepts that.
    if primary.is_none() && kind == IdentityType::User {
        if ok {
            cx.report(fields.at, path, Problem::PrimaryIdentityMissing);
        }
        return None;
    }
    // With a bad entry in the list, "not listed" would only repeat that problem.
    if !ok {
        return None;
    }
    if primary.as_ref().is_some_and(|primary| !listed.contains(primary)) {
        cx.report(
            fields.position("primary"),
            &path.field("primary"),
            Problem::PrimaryIdentityNotListed,
        );
        return None;
    }
    let user = UserAssigned { identities: listed, primary };
    Some(match kind {
        IdentityType::User => Identity::UserAssigned(user),
        _ => Identity::SystemAndUserAssigned(user),
    })
}

fn encryption(
    cx: &mut Cx<'_>,
    field: Field<'_>,
    path: &FieldPath,
    identity: Option<&Identity>,
) -> Option<Encryption> {
    let fields = cx.mapping(field.node, path, ENCRYPTION_FIELDS)?;
    let kind = choice_or(cx, &fields, "type", EncryptionType::MicrosoftManaged)?;
    if kind == EncryptionType::MicrosoftManaged {
        let mut ok = true;
        for name in ["keyVault", "keyUri", "identity"] {
            if fields.has(name) {
                let at = fields.key_position(name).unwrap_or(fields.at);
                cx.report(at, &path.field(name), Problem::OnlyWithCustomerManaged { field: name });
                ok = false;
            }
        }
        return ok.then_some(Encryption::MicrosoftManaged);
    }
    let key_vault = fields
        .required(cx, "keyVault")
        .and_then(|(f, p)| cx.arm_id(f, &p, Some(ResourceType::KeyVault)));
    let key_uri = fields.required(cx, "keyUri").and_then(|(f, p)| {
        let text = cx.string(f, &p)?;
        match KeyUri::parse(&text) {
            Ok(uri) => Some(uri),
            Err(reason) => {
                cx.report(f.node.at, &p, Problem::InvalidKeyUri { value: text, reason });
                None
            }
        }
    });
    let cmk_identity = optional_id(cx, &fields, "identity", ResourceType::UserAssignedIdentity);
    let (key_vault, key_uri, cmk_identity) = (key_vault?, key_uri?, cmk_identity.ok()?);
    if !key_uri.vault().eq_ignore_ascii_case(key_vault.name()) {
        cx.report(
            fields.position("keyUri"),
            &path.field("keyUri"),
            Problem::KeyUriVaultMismatch {
                uri_vault: key_uri.vault().to_string(),
                key_vault: key_vault.name().to_string(),
            },
        );
        return None;
    }
    if let (Some(id), Some(identity)) = (&cmk_identity, identity) {
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
    Some(Encryption::CustomerManaged(Box::new(CustomerManagedKey {
        key_vault,
        key_uri,
        identity: cmk_identity,
    })))
}

/// The hub's own resources the service gives private endpoints itself: `(field, id)`.
type OwnResources<'a> = [(&'static str, Option<&'a ArmId>)];

fn network(
    cx: &mut Cx<'_>,
    field: Field<'_>,
    path: &FieldPath,
    own: &OwnResources<'_>,
) -> Option<Network> {
    let fields = cx.mapping(field.node, path, NETWORK_FIELDS)?;
    let public_network_access =
        choice_or(cx, &fields, "publicNetworkAccess", PublicNetworkAccess::Enabled);
    let mode = choice_or(cx, &fields, "isolation", IsolationMode::Public);
    let firewall_sku = match fields.get(cx, "firewallSku") {
        Some((f, p)) => cx.choice::<FirewallSku>(f, &p).map(Some),
        None => Some(None),
    };
    let rules = match fields.get(cx, "outboundRules") {
        Some((f, p)) => outbound_rules(cx, f, &p),
        None => Some(Vec::new()),
    };
    let (public_network_access, mode, firewall_sku, rules) =
        (public_network_access?, mode?, firewall_sku?, rules?);
    let mut ok = true;
    for (rule, at, rule_path) in &rules {
        let Destination::PrivateEndpoint(pe) = &rule.item else { continue };
        let duplicated = own.iter().find(|(_, id)| {
            id.is_some_and(|id| id.as_str().eq_ignore_ascii_case(pe.resource.as_str()))
        });
        if let Some((field, _)) = duplicated {
            cx.report(*at, rule_path, Problem::PrivateEndpointToOwnResource { field });
            ok = false;
        }
    }
    if firewall_sku.is_some() && mode != IsolationMode::ApprovedOutbound {
        cx.report(
            fields.position("firewallSku"),
            &path.field("firewallSku"),
            Problem::FirewallSkuWithoutApprovedOutbound,
        );
        ok = false;
    }
    let isolation = match mode {
        IsolationMode::Public => {
            if !rules.is_empty() {
                cx.report(
                    fields.position("outboundRules"),
                    &path.field("outboundRules"),
                    Problem::OutboundRulesWithoutManagedNetwork,
                );
                ok = false;
            }
            Isolation::Public
        }
        IsolationMode::InternetOutbound => {
            let mut endpoints = Vec::new();
            for (rule, at, rule_path) in rules {
                match rule.item {
                    Destination::PrivateEndpoint(pe) => {
                        endpoints.push(Named { name: rule.name, item: pe })
                    }
                    Destination::Fqdn(_) => {
                        cx.report(
                            at,
                            &rule_path,
                            Problem::RuleNeedsApprovedOutbound { kind: "fqdn" },
                        );
                        ok = false;
                    }
                    Destination::ServiceTag(_) => {
                        cx.report(
                            at,
                            &rule_path,
                            Problem::RuleNeedsApprovedOutbound { kind: "serviceTag" },
                        );
                        ok = false;
                    }
                }
            }
            Isolation::PrivateWithInternetOutbound { rules: endpoints }
        }
        IsolationMode::ApprovedOutbound => Isolation::PrivateWithApprovedOutbound {
            firewall_sku: firewall_sku.unwrap_or(FirewallSku::Standard),
            rules: rules.into_iter().map(|(rule, _, _)| rule).collect(),
        },
    };
    ok.then_some(Network { public_network_access, isolation })
}

/// Each rule with the position and path of its kind key (where a wrong-kind error points).
type ReadRule = (Named<Destination>, Pos, FieldPath);

fn outbound_rules(cx: &mut Cx<'_>, field: Field<'_>, path: &FieldPath) -> Option<Vec<ReadRule>> {
    let items = cx.list(field, path)?;
    let mut ok = true;
    let mut rules: Vec<ReadRule> = Vec::new();
    let mut seen: BTreeMap<String, Pos> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let rule_path = path.index(i);
        let Some(fields) = cx.mapping(item, &rule_path, RULE_FIELDS) else {
            ok = false;
            continue;
        };
        let name = fields
            .required(cx, "name")
            .and_then(|(f, p)| service_name(cx, f, &p, "outbound rule name"));
        if let Some(name) = &name {
            if let Some(first) = seen.get(&name.to_ascii_lowercase()) {
                let first = cx.location(*first);
                cx.report(
                    fields.position("name"),
                    &rule_path.field("name"),
                    Problem::DuplicateName { what: "outbound rule", name: name.clone(), first },
                );
                ok = false;
            } else {
                seen.insert(name.to_ascii_lowercase(), fields.position("name"));
            }
        }
        let kinds: Vec<&str> = ["fqdn", "privateEndpoint", "serviceTag"]
            .into_iter()
            .filter(|k| fields.has(k))
            .collect();
        let destination = match kinds.as_slice() {
            [] => {
                cx.report(fields.at, &rule_path, Problem::RuleKindMissing);
                None
            }
            [kind] => {
                let (f, p) = fields.get(cx, kind)?;
                match *kind {
                    "fqdn" => fqdn(cx, f, &p).map(Destination::Fqdn),
                    "privateEndpoint" => {
                        private_endpoint(cx, f, &p).map(Destination::PrivateEndpoint)
                    }
                    _ => service_tag(cx, f, &p).map(Destination::ServiceTag),
                }
            }
            many => {
                let found = many.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(" and ");
                let at = fields.key_position(many[1]).unwrap_or(fields.at);
                cx.report(at, &rule_path, Problem::RuleKindAmbiguous { found });
                None
            }
        };
        match (name, destination) {
            (Some(name), Some(item)) => {
                let kind = kinds.first().copied().unwrap_or("name");
                let at = fields.key_position(kind).unwrap_or(fields.at);
                rules.push((Named { name, item }, at, rule_path.field(kind)));
            }
            _ => ok = false,
        }
    }
    ok.then_some(rules)
}

fn fqdn(cx: &mut Cx<'_>, field: Field<'_>, path: &FieldPath) -> Option<String> {
    let text = cx.nonempty_string(field, path)?;
    match fqdn_problem(&text) {
        None => Some(text),
        Some(reason) => {
            cx.report(field.node.at, path, Problem::InvalidFqdn { value: text, reason });
            None
        }
    }
}

/// Why `text` is not an FQDN an outbound rule can take, if it is not.
/// Ports: Azure Firewall application rules of a managed network cover 80 and 443 only.
/// Source: MicrosoftDocs/azure-ai-docs `articles/ai-foundry/how-to/configure-managed-network.md`.
fn fqdn_problem(text: &str) -> Option<&'static str> {
    if text.contains("://") {
        return Some("write the host name alone, not a URL");
    }
    if text.contains('/') {
        return Some("write the host name alone, without a path");
    }
    if let Some((_, port)) = text.rsplit_once(':') {
        return Some(if port == "443" || port == "80" {
            "FQDN rules always cover ports 80 and 443; write the host without a port"
        } else {
            "FQDN rules can only open ports 80 and 443; use a private-endpoint or service-tag rule for other ports"
        });
    }
    let host = text.strip_prefix("*.").unwrap_or(text);
    if host.contains('*') {
        return Some("a wildcard is only allowed as the whole first label (*.example.com)");
    }
    if host.len() > 253 {
        return Some("it is longer than 253 characters");
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return Some("it needs a domain (at least one dot)");
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if !labels.iter().all(|l| label_ok(l)) {
        return Some(
            "each label must be 1 to 63 letters, digits or '-', not starting or ending with '-'",
        );
    }
    None
}

fn private_endpoint(
    cx: &mut Cx<'_>,
    field: Field<'_>,
    path: &FieldPath,
) -> Option<PrivateEndpoint> {
    let fields = cx.mapping(field.node, path, PRIVATE_ENDPOINT_FIELDS)?;
    let resource = fields.required(cx, "resource").and_then(|(f, p)| cx.arm_id(f, &p, None));
    let subresource =
        fields.required(cx, "subresource").and_then(|(f, p)| cx.nonempty_string(f, &p));
    let spark_enabled = bool_or(cx, &fields, "sparkEnabled", false);
    let (resource, subresource, spark_enabled) = (resource?, subresource?, spark_enabled?);
    if let Some(kind) = resource.resource_type() {
        let allowed = kind.private_endpoint_subresources();
        if !allowed.iter().any(|a| a.eq_ignore_ascii_case(&subresource)) {
            cx.report(
                fields.position("subresource"),
                &path.field("subresource"),
                Problem::InvalidSubresource {
                    value: subresource,
                    resource_type: kind.arm_type().into(),
                    expected: allowed,
                },
            );
            return None;
        }
    }
    Some(PrivateEndpoint { resource, subresource, spark_enabled })
}

fn service_tag(cx: &mut Cx<'_>, field: Field<'_>, path: &FieldPath) -> Option<ServiceTag> {
    let fields = cx.mapping(field.node, path, SERVICE_TAG_FIELDS)?;
    let tag = fields.required(cx, "tag").and_then(|(f, p)| {
        let tag = cx.nonempty_string(f, &p)?;
        if !tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.') {
            cx.report(
                f.node.at,
                &p,
                Problem::InvalidName {
                    value: tag,
                    what: "service tag",
                    rule: "letters, digits and '.', e.g. DataFactory or Storage.EastUS",
                },
            );
            return None;
        }
        Some(tag)
    });
    let protocol = choice_or(cx, &fields, "protocol", Protocol::Tcp);
    let ports = fields.required(cx, "ports").and_then(|(f, p)| {
        let text = match &f.node.value {
            Value::Int(n) => n.to_string(),
            _ => cx.string(f, &p)?,
        };
        match ports_problem(&text) {
            None => Some(text),
            Some(reason) => {
                cx.report(f.node.at, &p, Problem::InvalidPorts { value: text, reason });
                None
            }
        }
    });
    Some(ServiceTag { tag: tag?, protocol: protocol?, ports: ports? })
}

fn ports_problem(text: &str) -> Option<String> {
    if text.trim() == "*" {
        return None;
    }
    let port = |s: &str| -> Result<u32, String> {
        let s = s.trim();
        match s.parse::<u32>() {
            Ok(n) if (1..=65535).contains(&n) => Ok(n),
            Ok(n) => Err(format!("port {n} is outside 1-65535")),
            Err(_) => Err(format!("\"{s}\" is not a port number")),
        }
    };
    for item in text.split(',') {
        let result = match item.split_once('-') {
            Some((low, high)) => port(low).and_then(|l| {
                let h = port(high)?;
                if l > h { Err(format!("range {l}-{h} runs backwards")) } else { Ok(()) }
            }),
            None => port(item).map(|_| ()),
        };
        if let Err(reason) = result {
            return Some(reason);
        }
    }
    None
}

fn connections(cx: &mut Cx<'_>, field: Field<'_>, path: &FieldPath) -> Option<Vec<Connection>> {
    let items = cx.list(field, path)?;
    let mut ok = true;
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, Pos> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let item_path = path.index(i);
        let Some(fields) = cx.mapping(item, &item_path, CONNECTION_FIELDS) else {
            ok = false;
            continue;
        };
        let name = fields
            .required(cx, "name")
            .and_then(|(f, p)| service_name(cx, f, &p, "connection name"));
        if let Some(name) = &name {
            if let Some(first) = seen.get(&name.to_ascii_lowercase()) {
                let first = cx.location(*first);
                cx.report(
                    fields.position("name"),
                    &item_path.field("name"),
                    Problem::DuplicateName { what: "connection", name: name.clone(), first },
                );
                ok = false;
            } else {
                seen.insert(name.to_ascii_lowercase(), fields.position("name"));
            }
        }
        let category = fields
            .required(cx, "category")
            .and_then(|(f, p)| cx.choice::<ConnectionCategory>(f, &p));
        let resource = match (fields.required(cx, "resource"), category) {
            (Some((f, p)), Some(category)) => cx.arm_id(f, &p, Some(category.resource_type())),
            (Some((f, p)), None) => cx.arm_id(f, &p, None),
            (None, _) => None,
        };
        let mut auth = choice_or(cx, &fields, "auth", ConnectionAuth::EntraId);
        if auth == Some(ConnectionAuth::ApiKey) {
            // The service needs the key in the body, and a key never goes in a manifest:
            // refused until keys can come from an environment variable or a Key Vault secret.
            cx.report(fields.position("auth"), &item_path.field("auth"), Problem::ApiKeyConnection);
            auth = None;
        }
        let container = match (fields.get(cx, "container"), category) {
            (Some((f, p)), Some(ConnectionCategory::Storage)) => {
                cx.nonempty_string(f, &p).and_then(|c| {
                    // Azure's container names: 3–63 lower-case letters, digits and single
                    // hyphens, starting and ending with a letter or digit.
                    let valid = (3..=63).contains(&c.len())
                        && c.chars()
                            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
                        && !c.starts_with('-')
                        && !c.ends_with('-')
                        && !c.contains("--");
                    if !valid {
                        cx.report(f.node.at, &p, Problem::ContainerName { value: c.clone() });
                    }
                    valid.then_some(Some(c))
                })
            }
            (Some((f, p)), Some(_)) => {
                cx.report(f.node.at, &p, Problem::ContainerOnlyForStorage);
                None
            }
            (None, Some(ConnectionCategory::Storage)) => {
                cx.report(fields.at, &item_path, Problem::ContainerRequired);
                None
            }
            (_, _) => Some(None),
        };
        match (name, category, resource, auth, container) {
            (Some(name), Some(category), Some(resource), Some(auth), Some(container)) => {
                out.push(Connection { name, category, resource, auth, container })
            }
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

fn access(cx: &mut Cx<'_>, field: Field<'_>, path: &FieldPath) -> Option<Access> {
    let fields = cx.mapping(field.node, path, ACCESS_FIELDS)?;
    let exclusive = bool_or(cx, &fields, "exclusive", false);
    let assignments = match fields.get(cx, "assignments") {
        Some((f, p)) => assignments(cx, f, &p),
        None => Some(Vec::new()),
    };
    Some(Access { exclusive: exclusive?, assignments: assignments? })
}

fn assignments(cx: &mut Cx<'_>, field: Field<'_>, path: &FieldPath) -> Option<Vec<Assignment>> {
    let items = cx.list(field, path)?;
    let mut ok = true;
    let mut out: Vec<Assignment> = Vec::new();
    let mut seen: BTreeMap<(Guid, String), Pos> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let item_path = path.index(i);
        let Some(fields) = cx.mapping(item, &item_path, ASSIGNMENT_FIELDS) else {
            ok = false;
            continue;
        };
        let principal = fields.required(cx, "principal").and_then(|(f, p)| cx.guid(f, &p));
        let principal_type = fields
            .required(cx, "principalType")
            .and_then(|(f, p)| cx.choice::<PrincipalType>(f, &p));
        let role = fields.required(cx, "role").and_then(|(f, p)| role(cx, f, &p));
        let condition = condition(cx, &fields);
        let (Some(principal), Some(principal_type), Some(role), Ok(condition)) =
            (principal, principal_type, role, condition)
        else {
            ok = false;
            continue;
        };
        let key = (principal.clone(), role.text().to_ascii_lowercase());
        if let Some(first) = seen.get(&key) {
            let first = cx.location(*first);
            cx.report(
                item.at,
                &item_path,
                Problem::DuplicateAssignment { role: role.text().to_string(), first },
            );
            ok = false;
            continue;
        }
        seen.insert(key, item.at);
        out.push(Assignment { principal, principal_type, role, condition });
    }
    ok.then_some(out)
}

/// An assignment's `condition` and `conditionVersion` (only "2.0" exists; it is the default).
fn condition(cx: &mut Cx<'_>, fields: &Fields<'_>) -> Result<Option<Condition>, ()> {
    let expression = match fields.get(cx, "condition") {
        Some((f, p)) => Some(cx.nonempty_string(f, &p).ok_or(())?),
        None => None,
    };
    let version = match fields.get(cx, "conditionVersion") {
        Some((f, p)) => {
            let version = cx.nonempty_string(f, &p).ok_or(())?;
            if version.trim() != "2.0" {
                cx.report(f.node.at, &p, Problem::ConditionVersion { value: version });
                return Err(());
            }
            if expression.is_none() {
                cx.report(f.node.at, &p, Problem::ConditionVersionWithoutCondition);
                return Err(());
            }
            Some(version.trim().to_string())
        }
        None => None,
    };
    Ok(expression.map(|expression| Condition {
        expression,
        version: version.unwrap_or_else(|| "2.0".into()),
    }))
}

/// A role by GUID, by role-definition id (`…/providers/Microsoft.Authorization/roleDefinitions/<guid>`,
/// at any scope), or by name.
fn role(cx: &mut Cx<'_>, field: Field<'_>, path: &FieldPath) -> Option<RoleRef> {
    let text = cx.nonempty_string(field, path)?;
    if let Some(guid) = Guid::parse(&text) {
        return Some(RoleRef::Id(guid));
    }
    let lower = text.to_ascii_lowercase();
    if let Some(at) = lower.find("/providers/microsoft.authorization/roledefinitions/") {
        let tail = &text[at + "/providers/microsoft.authorization/roledefinitions/".len()..];
        return match Guid::parse(tail.trim_end_matches('/')) {
            Some(guid) => Some(RoleRef::Id(guid)),
            None => {
                cx.report(field.node.at, path, Problem::InvalidGuid { value: tail.to_string() });
                None
            }
        };
    }
    Some(RoleRef::Name(text.trim().to_string()))
}

fn projects(cx: &mut Cx<'_>, field: Field<'_>, path: &FieldPath) -> Option<Vec<Project>> {
    let items = cx.list(field, path)?;
    let mut ok = true;
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, Pos> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let item_path = path.index(i);
        let Some(fields) = cx.mapping(item, &item_path, PROJECT_FIELDS) else {
            ok = false;
            continue;
        };
        let name = fields
            .required(cx, "name")
            .and_then(|(f, p)| service_name(cx, f, &p, "workspace name"));
        if let Some(name) = &name {
            if let Some(first) = seen.get(&name.to_ascii_lowercase()) {
                let first = cx.location(*first);
                cx.report(
                    fields.position("name"),
                    &item_path.field("name"),
                    Problem::DuplicateName { what: "project", name: name.clone(), first },
                );
                ok = false;
            } else {
                seen.insert(name.to_ascii_lowercase(), fields.position("name"));
            }
        }
        let display_name = optional_string(cx, &fields, "displayName");
        let description = optional_string(cx, &fields, "description");
        let access = match fields.get(cx, "access") {
            Some((f, p)) => access(cx, f, &p),
            None => Some(Access::default()),
        };
        match (name, display_name, description, access) {
            (Some(name), Ok(display_name), Ok(description), Some(access)) => {
                out.push(Project { name, display_name, description, access })
            }
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::{fqdn_problem, ports_problem};

    #[test]
    fn fqdns() {
        assert_eq!(fqdn_problem("pypi.org"), None);
        assert_eq!(fqdn_problem("*.anaconda.com"), None);
        assert!(fqdn_problem("https://pypi.org").is_some());
        assert!(fqdn_problem("pypi.org:8080").unwrap().contains("only open ports 80 and 443"));
        assert!(fqdn_problem("pypi.org:443").unwrap().contains("without a port"));
        assert!(fqdn_problem("a.*.com").is_some());
        assert!(fqdn_problem("localhost").is_some());
        assert!(fqdn_problem("-bad.com").is_some());
    }

    #[test]
    fn ports() {
        assert_eq!(ports_problem("443"), None);
        assert_eq!(ports_problem("80, 8080-8089"), None);
        assert_eq!(ports_problem("*"), None);
        assert!(ports_problem("0").is_some());
        assert!(ports_problem("70000").is_some());
        assert!(ports_problem("90-80").is_some());
        assert!(ports_problem("http").is_some());
        assert!(ports_problem("").is_some());
    }
}
