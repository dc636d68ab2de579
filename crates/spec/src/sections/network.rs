//! Network: `network` — public access, isolation with its firewall SKU, and the outbound
//! rules (FQDN, private endpoint, service tag) with their own checks.

use super::choice;
use super::{Item, NamedList, named_list};
use crate::ids::ArmId;
use crate::model::*;
use crate::problem::Problem;
use crate::raw::Value;
use crate::read::{Choice, Cx, Field};
use crate::source::{FieldPath, Pos};

pub(crate) const NETWORK_FIELDS: &[&str] = &[
    "publicNetworkAccess",
    "isolation",
    "firewallSku",
    "outboundRules",
    "networkMonitor",
    "sharedPrivateLinks",
];
pub(crate) const SHARED_PRIVATE_LINK_FIELDS: &[&str] =
    &["name", "resource", "groupId", "requestMessage"];

/// `network.sharedPrivateLinks`: a list of named items.
pub(crate) const SHARED_PRIVATE_LINKS: NamedList<SharedPrivateLink> = NamedList {
    allowed: SHARED_PRIVATE_LINK_FIELDS,
    what: "shared private link",
    name: "shared private link name",
    names: super::hub::SERVICE_NAMES,
    read: read_link,
};

/// One item of [`SHARED_PRIVATE_LINKS`].
fn read_link(cx: &mut Cx<'_>, item: Item<'_, '_>) -> Option<SharedPrivateLink> {
    let Item { fields, name, .. } = item;
    let resource = fields.required(cx, "resource").and_then(|(f, p)| cx.arm_id(f, &p, None));
    let group_id = fields.required(cx, "groupId").and_then(|(f, p)| cx.nonempty_string(f, &p));
    let request_message = fields.optional_string(cx, "requestMessage");
    let (name, resource, group_id) = (name?, resource?, group_id?);
    Some(SharedPrivateLink { name, resource, group_id, request_message: request_message.ok()? })
}
pub(crate) const RULE_FIELDS: &[&str] = &["name", "fqdn", "privateEndpoint", "serviceTag"];
pub(crate) const PRIVATE_ENDPOINT_FIELDS: &[&str] = &["resource", "subresource", "sparkEnabled"];
pub(crate) const SERVICE_TAG_FIELDS: &[&str] = &["tag", "protocol", "ports"];

#[derive(Clone, Copy, PartialEq)]
enum IsolationMode {
    Public,
    InternetOutbound,
    ApprovedOutbound,
}
choice!(IsolationMode { "public" => IsolationMode::Public, "privateWithInternetOutbound" => IsolationMode::InternetOutbound, "privateWithApprovedOutbound" => IsolationMode::ApprovedOutbound });

choice!(PublicNetworkAccess { "enabled" => PublicNetworkAccess::Enabled, "disabled" => PublicNetworkAccess::Disabled });
choice!(FirewallSku { "standard" => FirewallSku::Standard, "basic" => FirewallSku::Basic });
choice!(Protocol { "TCP" => Protocol::Tcp, "UDP" => Protocol::Udp, "ICMP" => Protocol::Icmp, "*" => Protocol::Any });

/// The hub's own resources the service gives private endpoints itself: `(field, id)`.
pub(crate) type OwnResources<'a> = [(&'static str, Option<&'a ArmId>)];

pub(crate) fn network(
    cx: &mut Cx<'_>,
    field: Field<'_>,
    path: &FieldPath,
    own: &OwnResources<'_>,
) -> Option<Network> {
    let fields = cx.mapping(field.node, path, NETWORK_FIELDS)?;
    let public_network_access =
        fields.choice_or(cx, "publicNetworkAccess", PublicNetworkAccess::Enabled);
    let mode = fields.choice_or(cx, "isolation", IsolationMode::Public);
    let firewall_sku = match fields.get(cx, "firewallSku") {
        Some((f, p)) => cx.choice::<FirewallSku>(f, &p).map(Some),
        None => Some(None),
    };
    let rules = match fields.get(cx, "outboundRules") {
        Some((f, p)) => named_list(cx, f, &p, &OUTBOUND_RULES),
        None => Some(Vec::new()),
    };
    let network_monitor =
        fields.read_or(cx, "networkMonitor", Some(None), |cx, f, p| cx.boolean(f, p).map(Some));
    let shared_private_links = fields.read_or(cx, "sharedPrivateLinks", Some(None), |cx, f, p| {
        named_list(cx, f, p, &SHARED_PRIVATE_LINKS).map(Some)
    });
    let (public_network_access, mode, firewall_sku, rules, network_monitor) =
        (public_network_access?, mode?, firewall_sku?, rules?, network_monitor?);
    let shared_private_links = shared_private_links?;
    let mut ok = true;
    if network_monitor.is_some() && mode == IsolationMode::Public {
        cx.report(
            fields.position("networkMonitor"),
            &path.field("networkMonitor"),
            Problem::NetworkMonitorWithoutManagedNetwork,
        );
        ok = false;
    }
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
                    other => {
                        let kind = match other {
                            Destination::Fqdn(_) => "fqdn",
                            _ => "serviceTag",
                        };
                        cx.report(at, &rule_path, Problem::RuleNeedsApprovedOutbound { kind });
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
    ok.then_some(Network {
        public_network_access,
        isolation,
        network_monitor,
        shared_private_links,
    })
}

/// Each rule with the position and path of its kind key (where a wrong-kind error points).
pub(crate) type ReadRule = (Named<Destination>, Pos, FieldPath);

/// `outbound_rules`: a list of named items.
pub(crate) const OUTBOUND_RULES: NamedList<ReadRule> = NamedList {
    allowed: RULE_FIELDS,
    what: "outbound rule",
    name: "outbound rule name",
    names: super::hub::SERVICE_NAMES,
    read,
};

/// One item of [`OUTBOUND_RULES`].
fn read(cx: &mut Cx<'_>, item: Item<'_, '_>) -> Option<ReadRule> {
    let Item { fields, path: rule_path, name } = item;
    let kinds: Vec<&str> =
        ["fqdn", "privateEndpoint", "serviceTag"].into_iter().filter(|k| fields.has(k)).collect();
    let destination = match kinds.as_slice() {
        [] => {
            cx.report(fields.at, rule_path, Problem::RuleKindMissing);
            None
        }
        [kind] => {
            let (f, p) = fields.get(cx, kind)?;
            match *kind {
                "fqdn" => fqdn(cx, f, &p).map(Destination::Fqdn),
                "privateEndpoint" => private_endpoint(cx, f, &p).map(Destination::PrivateEndpoint),
                _ => service_tag(cx, f, &p).map(Destination::ServiceTag),
            }
        }
        many => {
            let found = many.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(" and ");
            let at = fields.key_position(many[1]).unwrap_or(fields.at);
            cx.report(at, rule_path, Problem::RuleKindAmbiguous { found });
            None
        }
    };
    let (name, item) = (name?, destination?);
    let kind = kinds.first().copied().unwrap_or("name");
    let at = fields.key_position(kind).unwrap_or(fields.at);
    Some((Named { name, item }, at, rule_path.field(kind)))
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
    let spark_enabled = fields.bool_or(cx, "sparkEnabled", false);
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
    let protocol = fields.choice_or(cx, "protocol", Protocol::Tcp);
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

// ---- the manifest as JSON (see [`super::view`]) ----

pub(crate) fn view(network: &Network) -> serde_json::Value {
    use serde_json::json;
    let (mode, firewall) = match &network.isolation {
        Isolation::Public => (IsolationMode::Public, None),
        Isolation::PrivateWithInternetOutbound { .. } => (IsolationMode::InternetOutbound, None),
        Isolation::PrivateWithApprovedOutbound { firewall_sku, .. } => {
            (IsolationMode::ApprovedOutbound, Some(*firewall_sku))
        }
    };
    let mut out = json!({
        "publicNetworkAccess": super::word(network.public_network_access),
        "isolation": super::word(mode),
    });
    if let Some(sku) = firewall {
        out["firewallSku"] = json!(super::word(sku));
    }
    let rules: Vec<serde_json::Value> = network.isolation.rules().iter().map(view_rule).collect();
    out["outboundRules"] = json!(rules);
    if let Some(monitor) = network.network_monitor {
        out["networkMonitor"] = json!(monitor);
    }
    if let Some(links) = &network.shared_private_links {
        let links: Vec<serde_json::Value> = links
            .iter()
            .map(|l| {
                let mut link = json!({ "name": l.name, "resource": l.resource.as_str(), "groupId": l.group_id });
                if let Some(message) = &l.request_message {
                    link["requestMessage"] = json!(message);
                }
                link
            })
            .collect();
        out["sharedPrivateLinks"] = json!(links);
    }
    out
}

/// One outbound rule as the manifest writes it (`{name, fqdn}`, `{name, privateEndpoint}`,
/// `{name, serviceTag}`).
pub(crate) fn view_rule(rule: &Named<Destination>) -> serde_json::Value {
    use serde_json::json;
    let destination = match &rule.item {
        Destination::Fqdn(fqdn) => return json!({ "name": rule.name, "fqdn": fqdn }),
        Destination::PrivateEndpoint(pe) => json!({ "privateEndpoint": {
            "resource": pe.resource.as_str(),
            "subresource": pe.subresource,
            "sparkEnabled": pe.spark_enabled,
        }}),
        Destination::ServiceTag(tag) => json!({ "serviceTag": {
            "tag": tag.tag,
            "protocol": super::word(tag.protocol),
            "ports": tag.ports,
        }}),
    };
    let mut out = json!({ "name": rule.name });
    if let (Some(out), Some(d)) = (out.as_object_mut(), destination.as_object()) {
        out.extend(d.clone());
    }
    out
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
