//! Network: `network.publicNetworkAccess`, `network.isolation` (with `firewallSku`) and
//! `network.outboundRules`.
//!
//! Public access changes in place on the hub; the managed network is its own change (a PATCH
//! of `managedNetwork`), which cannot go back to disabled; user-defined rules are resources of
//! their own, the service's rules are never compared. Moving to internet outbound deletes FQDN
//! and service-tag rules first (Azure refuses the move while they exist).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use hubctl_model::{
    self as model, FirewallSku, IsolationMode, OutboundRule, PrivateEndpointDestination,
    PublicNetworkAccess, RuleCategory, RuleDestination, ServiceTagDestination, Workspace,
    WorkspaceProperties, id_key, same_id,
};
use hubctl_spec::model as spec;
use serde_json::{Value, json};

use super::{HubAt, HubUpdate, field, leaf_fields, to_value};
use crate::change::*;
use crate::import::{Manifest, flow_scalar};
use crate::planner::Planner;
use crate::reasons::{Reason, WarningKind};

/// The manifest's word for ARM's isolation mode.
/// (None for a mode of a later api-version the manifest has no word for.)
fn isolation_word(mode: &IsolationMode) -> Option<&'static str> {
    match mode {
        IsolationMode::Disabled => Some("public"),
        IsolationMode::AllowInternetOutbound => Some("privateWithInternetOutbound"),
        IsolationMode::AllowOnlyApprovedOutbound => Some("privateWithApprovedOutbound"),
        _ => None,
    }
}

/// ARM's isolation mode for the manifest's.
pub fn isolation(isolation: &spec::Isolation) -> IsolationMode {
    match isolation {
        spec::Isolation::Public => IsolationMode::Disabled,
        spec::Isolation::PrivateWithInternetOutbound { .. } => IsolationMode::AllowInternetOutbound,
        spec::Isolation::PrivateWithApprovedOutbound { .. } => {
            IsolationMode::AllowOnlyApprovedOutbound
        }
    }
}

/// The firewall SKU, approved outbound only.
pub fn firewall(isolation: &spec::Isolation) -> Option<FirewallSku> {
    match isolation {
        spec::Isolation::PrivateWithApprovedOutbound { firewall_sku, .. } => {
            Some(match firewall_sku {
                spec::FirewallSku::Standard => FirewallSku::Standard,
                spec::FirewallSku::Basic => FirewallSku::Basic,
            })
        }
        _ => None,
    }
}

/// ARM's public network access.
pub fn public_access(access: spec::PublicNetworkAccess) -> PublicNetworkAccess {
    match access {
        spec::PublicNetworkAccess::Enabled => PublicNetworkAccess::Enabled,
        spec::PublicNetworkAccess::Disabled => PublicNetworkAccess::Disabled,
    }
}

/// ARM's outbound rule for a manifest rule.
pub fn rule(destination: &spec::Destination) -> OutboundRule {
    let destination = match destination {
        spec::Destination::Fqdn(host) => RuleDestination::Fqdn(host.clone()),
        spec::Destination::PrivateEndpoint(pe) => {
            RuleDestination::PrivateEndpoint(PrivateEndpointDestination {
                service_resource_id: pe.resource.as_str().to_string(),
                subresource_target: pe.subresource.clone(),
                spark_enabled: pe.spark_enabled,
                other: Default::default(),
            })
        }
        spec::Destination::ServiceTag(tag) => RuleDestination::ServiceTag(ServiceTagDestination {
            service_tag: tag.tag.clone(),
            protocol: serde_json::to_value(tag.protocol)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            port_ranges: tag.ports.clone(),
            other: [("action".to_string(), json!("Allow"))].into_iter().collect(),
        }),
    };
    OutboundRule {
        destination,
        category: Some(RuleCategory::UserDefined),
        status: None,
        other: Default::default(),
    }
}

/// Whether a live user rule already is the wanted one (hosts and ids compared as ARM does).
fn same_rule(live: &OutboundRule, wanted: &OutboundRule) -> bool {
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

/// A rule leaf by leaf, as the manifest spells it.
fn rule_leaves(rule: &OutboundRule) -> Vec<(&str, Value)> {
    match &rule.destination {
        RuleDestination::Fqdn(host) => vec![("fqdn", json!(host))],
        RuleDestination::PrivateEndpoint(d) => vec![
            ("privateEndpoint.resource", json!(d.service_resource_id)),
            ("privateEndpoint.subresource", json!(d.subresource_target)),
            ("privateEndpoint.sparkEnabled", json!(d.spark_enabled)),
        ],
        RuleDestination::ServiceTag(d) => vec![
            ("serviceTag.tag", json!(d.service_tag)),
            ("serviceTag.protocol", json!(d.protocol)),
            ("serviceTag.ports", json!(d.port_ranges)),
        ],
        RuleDestination::Unknown { rule_type, destination } => {
            vec![(rule_type.as_str(), destination.clone())]
        }
    }
}

/// ARM's `sharedPrivateLinkResources` for the manifest's links.
pub fn shared_private_links(links: &[spec::SharedPrivateLink]) -> Value {
    let links: Vec<Value> = links
        .iter()
        .map(|l| {
            let mut properties = json!({
                "privateLinkResourceId": l.resource.as_str(),
                "groupId": l.group_id,
            });
            if let Some(message) = &l.request_message {
                properties["requestMessage"] = json!(message);
            }
            json!({ "name": l.name, "properties": properties })
        })
        .collect();
    Value::Array(links)
}

/// A link as people compare it: (name, resource, group, request message), ids and names
/// compared as ARM does.
fn link_view(link: &Value) -> (String, String, String, Option<String>) {
    let p = &link["properties"];
    let text = |v: &Value| id_key(v.as_str().unwrap_or_default());
    let message = p["requestMessage"].as_str().map(str::to_string);
    (text(&link["name"]), text(&p["privateLinkResourceId"]), text(&p["groupId"]), message)
}

/// Shared private links, when the manifest declares them: fixed once the hub exists, so any
/// difference refuses the hub (a request message the manifest leaves out is not compared).
pub(crate) fn fixed_links(hub: &spec::Hub, live: &Workspace, update: &mut HubUpdate) {
    let Some(wanted) = &hub.spec.network.shared_private_links else { return };
    let live_links = live.properties.other.get("sharedPrivateLinkResources");
    let live_links = live_links.and_then(Value::as_array).cloned().unwrap_or_default();
    let body = shared_private_links(wanted);
    let mut have: Vec<_> = live_links.iter().map(link_view).collect();
    // A message the manifest leaves out is None in its view: not compared.
    let mut want: Vec<_> = body.as_array().into_iter().flatten().map(link_view).collect();
    have.sort();
    want.sort();
    let same = have.len() == want.len()
        && have.iter().zip(&want).all(|(h, w)| {
            (&h.0, &h.1, &h.2) == (&w.0, &w.1, &w.2) && (w.3.is_none() || h.3 == w.3)
        });
    if !same {
        update.block(
            Reason::BlockedBecauseSharedPrivateLinksFixed,
            "spec.network.sharedPrivateLinks",
            Some(Value::Array(live_links)),
            Some(body),
        );
    }
}

/// Public network access: in place, on the hub's own change.
pub(crate) fn public_network_access(hub: &spec::Hub, live: &Workspace, update: &mut HubUpdate) {
    let live_public = live.properties.public_network_access.as_ref();
    let live_public = live_public.unwrap_or(&model::PublicNetworkAccess::Enabled).as_str();
    let desired = public_access(hub.spec.network.public_network_access);
    let names = ("spec.network.publicNetworkAccess", "publicNetworkAccess");
    update.enum_field(names, (live_public, desired.as_str()), super::camel);
}

impl Planner<'_> {
    /// The managed network of a live hub; returns whether it moves towards internet outbound.
    pub(crate) fn managed_network(&mut self, at: &HubAt<'_>, live: &Workspace) -> bool {
        let HubAt { hub, key, id, .. } = *at;
        let spec = &hub.spec;
        let network = live.properties.managed_network.as_ref();
        let live_mode =
            network.and_then(|n| n.isolation_mode.clone()).unwrap_or(IsolationMode::Disabled);
        let desired_mode = isolation(&spec.network.isolation);
        let live_fw = network.and_then(|n| n.firewall_sku.clone()).or_else(|| {
            (live_mode == IsolationMode::AllowOnlyApprovedOutbound).then_some(FirewallSku::Standard)
        });
        let desired_fw = firewall(&spec.network.isolation);
        let mut fields = Vec::new();
        let mut reasons = Vec::new();
        if live_mode != desired_mode {
            fields.push(field(
                "spec.network.isolation",
                Some(json!(isolation_word(&live_mode).unwrap_or(live_mode.as_str()))),
                Some(json!(isolation_word(&desired_mode).unwrap_or(desired_mode.as_str()))),
            ));
            if live_mode != IsolationMode::Disabled && desired_mode == IsolationMode::Disabled {
                reasons.push(Reason::BlockedBecauseManagedNetworkCannotBeDisabled);
            }
        }
        if desired_fw.is_some() && live_fw != desired_fw {
            fields.push(field(
                "spec.network.firewallSku",
                live_fw.as_ref().map(|f| json!(super::camel(f.as_str()))),
                desired_fw.as_ref().map(|f| json!(super::camel(f.as_str()))),
            ));
        }
        let live_monitor = network
            .and_then(|n| n.other.get("enableNetworkMonitor"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let desired_monitor = spec.network.network_monitor;
        if let Some(wanted) = desired_monitor
            && wanted != live_monitor
        {
            let name = "spec.network.networkMonitor";
            fields.push(field(name, Some(json!(live_monitor)), Some(json!(wanted))));
        }
        let towards_internet = live_mode == IsolationMode::AllowOnlyApprovedOutbound
            && desired_mode == IsolationMode::AllowInternetOutbound;
        if towards_internet {
            self.warn(WarningKind::TowardsInternetOutbound, id.as_str(), "");
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
        if let Some(monitor) = desired_monitor {
            network_patch["enableNetworkMonitor"] = json!(monitor);
        }
        let display = format!("{} network", hub.metadata.name);
        let change = self.change(key, ResourceKind::ManagedNetwork, id, display, action, reasons);
        change.fields = fields;
        change.before = network.map(to_value);
        if action == Action::Update {
            change.after = Some(json!({ "properties": { "managedNetwork": network_patch } }));
        }
        towards_internet
    }

    /// The user-defined outbound rules.
    pub(crate) fn rules(&mut self, at: &HubAt<'_>, towards_internet: bool) {
        let HubAt { hub, key, id, live } = *at;
        let desired = hub.spec.network.isolation.rules();
        let live_rules: BTreeMap<String, (String, OutboundRule)> = live
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
            let wanted = self::rule(&rule.item);
            let resource = id.child("outboundRules", &rule.name);
            let display = format!("{}/{}", hub.metadata.name, rule.name);
            let current = live_rules.get(&rule.name.to_ascii_lowercase()).map(|(_, c)| c);
            let rule_field = format!("spec.network.outboundRules.{}", rule.name);
            // A rule the service reports Failed does not let traffic through: never "in sync".
            // Other states short of Active pass with time (a warning).
            let status = current.and_then(|c| c.status.as_deref()).unwrap_or("Active");
            let (action, reason, fields) = match current {
                None => {
                    if matches!(rule.item, spec::Destination::PrivateEndpoint(_)) {
                        self.warn(WarningKind::PrivateEndpointNeedsApproval, resource.as_str(), "");
                    }
                    let fields = leaf_fields(&rule_field, &[], &rule_leaves(&wanted));
                    (Action::Create, Reason::CreateBecauseMissing, fields)
                }
                Some(current) if !same_rule(current, &wanted) => {
                    let fields =
                        leaf_fields(&rule_field, &rule_leaves(current), &rule_leaves(&wanted));
                    (Action::Update, Reason::UpdateBecauseFieldsChanged, fields)
                }
                Some(current) if status.eq_ignore_ascii_case("Failed") => {
                    let error = current
                        .other
                        .get("errorInformation")
                        .and_then(Value::as_str)
                        .unwrap_or("the service gave no error information");
                    self.warn(WarningKind::RuleFailed, resource.as_str(), error);
                    let status_field = format!("{rule_field}.status");
                    let fields =
                        vec![field(&status_field, Some(json!("Failed")), Some(json!("Active")))];
                    (Action::Update, Reason::UpdateBecauseRuleFailed, fields)
                }
                Some(_) => {
                    if !status.eq_ignore_ascii_case("Active") {
                        self.warn(WarningKind::RuleNotActive, resource.as_str(), status);
                    }
                    (Action::NoOp, Reason::NoOpBecauseInSync, Vec::new())
                }
            };
            let kind = ResourceKind::OutboundRule;
            let change = self.change(key, kind, &resource, display, action, vec![reason]);
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
            let resource = id.child("outboundRules", name);
            let display = format!("{}/{name}", hub.metadata.name);
            let reasons = vec![Reason::DeleteBecauseNotDeclared];
            let kind = ResourceKind::OutboundRule;
            let change = self.change(key, kind, &resource, display, Action::Delete, reasons);
            let rule_field = format!("spec.network.outboundRules.{name}");
            change.fields = leaf_fields(&rule_field, &rule_leaves(current), &[]);
            change.before = Some(to_value(current));
            if towards_internet {
                // Azure refuses internet outbound while FQDN or service-tag rules exist: these
                // deletes run before the network change (see `order`).
                change.depends_on.push("before-network".into());
            }
        }
    }
}

// ---- ARM → manifest (hubctl import) ----

/// `network`: public access, isolation, firewall and the user-defined rules.
pub(crate) fn read_network(out: &mut Manifest, p: &WorkspaceProperties) {
    let network = p.managed_network.as_ref();
    let mode = network.and_then(|n| n.isolation_mode.clone()).unwrap_or(IsolationMode::Disabled);
    let isolation = isolation_word(&mode).unwrap_or("public");
    let public = p
        .public_network_access
        .as_ref()
        .map(|a| a.as_str().to_ascii_lowercase())
        .unwrap_or_else(|| "enabled".into());
    let _ =
        writeln!(out, "  network:\n    publicNetworkAccess: {public}\n    isolation: {isolation}");
    if mode == IsolationMode::AllowOnlyApprovedOutbound {
        let sku = network
            .and_then(|n| n.firewall_sku.as_ref())
            .map(|s| s.as_str().to_ascii_lowercase())
            .unwrap_or_else(|| "standard".into());
        let _ = writeln!(out, "    firewallSku: {sku}");
    }
    let monitor = network.and_then(|n| n.other.get("enableNetworkMonitor"));
    let monitor = monitor.and_then(Value::as_bool);
    if mode != IsolationMode::Disabled && monitor == Some(true) {
        out.push_str("    networkMonitor: true\n");
    }
    // The service's own parts of the network, and what is read into fields above.
    let known = ["status", "networkId", "firewallPublicIpAddress", "changeableIsolationModes"];
    let others = network.into_iter().flat_map(|n| n.other.iter());
    for (name, value) in others.filter(|(name, _)| !known.contains(&name.as_str())) {
        let readable = name == "enableNetworkMonitor" && mode != IsolationMode::Disabled;
        // V1 is the default kind.
        let value = crate::import::set_value(value).filter(|v| v != "\"V1\"");
        if let (Some(value), false) = (value, readable) {
            let what = format!("network.{name}: {value} — not managed by hubctl, left as it is");
            out.not_expressed("    ", what);
        }
    }
    read_links(out, p);
    let rules: Vec<(&String, &OutboundRule)> = network
        .and_then(|n| n.outbound_rules.as_ref())
        .map(|r| r.iter().filter(|(_, r)| r.is_user_defined()).collect())
        .unwrap_or_default();
    if rules.is_empty() {
        return;
    }
    out.push_str("    outboundRules:\n");
    for (name, rule) in rules {
        let _ = match &rule.destination {
            RuleDestination::Fqdn(host) => writeln!(
                out,
                "      - {{ name: {name}, fqdn: {} }}",
                serde_json::to_string(host).unwrap_or_default()
            ),
            RuleDestination::PrivateEndpoint(d) => writeln!(
                out,
                "      - name: {name}\n        privateEndpoint: {{ resource: {}, subresource: {}, sparkEnabled: {} }}",
                d.service_resource_id, d.subresource_target, d.spark_enabled
            ),
            RuleDestination::ServiceTag(d) => {
                let protocol = if d.protocol == "*" {
                    "\"*\"".to_string()
                } else {
                    d.protocol.to_ascii_uppercase()
                };
                writeln!(
                    out,
                    "      - name: {name}\n        serviceTag: {{ tag: {}, protocol: {protocol}, ports: {} }}",
                    d.service_tag,
                    serde_json::to_string(&d.port_ranges).unwrap_or_default()
                )
            }
            RuleDestination::Unknown { rule_type, .. } => {
                out.not_expressed(
                    "      ",
                    format!("rule {name} of type {rule_type} cannot be expressed"),
                );
                Ok(())
            }
        };
    }
}

/// `network.sharedPrivateLinks`, when the hub has any.
fn read_links(out: &mut Manifest, p: &WorkspaceProperties) {
    let links = p.other.get("sharedPrivateLinkResources").and_then(Value::as_array);
    let Some(links) = links.filter(|l| !l.is_empty()) else { return };
    out.push_str("    sharedPrivateLinks:\n");
    for link in links {
        let props = &link["properties"];
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        let message = props["requestMessage"]
            .as_str()
            .map(|m| format!(", requestMessage: {}", flow_scalar(m)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "      - {{ name: {}, resource: {}, groupId: {}{message} }}",
            flow_scalar(&text(&link["name"])),
            text(&props["privateLinkResourceId"]),
            flow_scalar(&text(&props["groupId"])),
        );
    }
}
