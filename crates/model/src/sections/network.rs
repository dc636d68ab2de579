//! Network: the managed network (isolation, firewall) and its outbound rules.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Other;
use crate::enums::*;

/// `managedNetwork`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedNetwork {
    /// Isolation mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isolation_mode: Option<IsolationMode>,
    /// Firewall SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firewall_sku: Option<FirewallSku>,
    /// Rules by name, the service's included (null when there is no managed network).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outbound_rules: Option<BTreeMap<String, OutboundRule>>,
    /// Everything else (status, networkId, …).
    #[serde(flatten)]
    pub other: Other,
}

/// An outbound rule of a managed network (`OutboundRule`, discriminated by `type`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawRule", into = "RawRule")]
pub struct OutboundRule {
    /// Where it lets traffic go.
    pub destination: RuleDestination,
    /// `Required` (the service's) or `UserDefined`, …
    pub category: Option<RuleCategory>,
    /// `Active`, `Inactive`, … (read-only).
    pub status: Option<String>,
    /// Everything else.
    pub other: Other,
}

/// An outbound rule's destination, by rule type.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleDestination {
    /// `FQDN`: a host name.
    Fqdn(String),
    /// `PrivateEndpoint`.
    PrivateEndpoint(PrivateEndpointDestination),
    /// `ServiceTag`.
    ServiceTag(ServiceTagDestination),
    /// A type this hubctl does not know, kept as sent.
    Unknown {
        /// The `type`.
        rule_type: String,
        /// The `destination`.
        destination: Value,
    },
}

/// A private endpoint rule's destination.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivateEndpointDestination {
    /// The target resource.
    #[serde(default)]
    pub service_resource_id: String,
    /// Its group id.
    #[serde(default)]
    pub subresource_target: String,
    /// Whether Spark may use it.
    #[serde(default)]
    pub spark_enabled: bool,
    /// Everything else (sparkStatus).
    #[serde(flatten)]
    pub other: Other,
}

/// A service tag rule's destination.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceTagDestination {
    /// The tag.
    #[serde(default)]
    pub service_tag: String,
    /// Protocol.
    #[serde(default)]
    pub protocol: String,
    /// Port ranges.
    #[serde(default)]
    pub port_ranges: String,
    /// Everything else (action, addressPrefixes).
    #[serde(flatten)]
    pub other: Other,
}

#[derive(Serialize, Deserialize)]
struct RawRule {
    #[serde(rename = "type")]
    rule_type: String,
    #[serde(default)]
    destination: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    category: Option<RuleCategory>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(flatten)]
    other: Other,
}

impl From<RawRule> for OutboundRule {
    fn from(raw: RawRule) -> OutboundRule {
        let t = raw.rule_type.to_ascii_lowercase();
        let typed = match t.as_str() {
            "fqdn" => raw.destination.as_str().map(|d| RuleDestination::Fqdn(d.to_string())),
            "privateendpoint" => serde_json::from_value(raw.destination.clone())
                .ok()
                .map(RuleDestination::PrivateEndpoint),
            "servicetag" => serde_json::from_value(raw.destination.clone())
                .ok()
                .map(RuleDestination::ServiceTag),
            _ => None,
        };
        let destination = typed.unwrap_or(RuleDestination::Unknown {
            rule_type: raw.rule_type,
            destination: raw.destination,
        });
        OutboundRule { destination, category: raw.category, status: raw.status, other: raw.other }
    }
}

impl From<OutboundRule> for RawRule {
    fn from(rule: OutboundRule) -> RawRule {
        let (rule_type, destination) = match rule.destination {
            RuleDestination::Fqdn(host) => ("FQDN".to_string(), Value::String(host)),
            RuleDestination::PrivateEndpoint(d) => {
                ("PrivateEndpoint".to_string(), serde_json::to_value(d).unwrap_or_default())
            }
            RuleDestination::ServiceTag(d) => {
                ("ServiceTag".to_string(), serde_json::to_value(d).unwrap_or_default())
            }
            RuleDestination::Unknown { rule_type, destination } => (rule_type, destination),
        };
        RawRule {
            rule_type,
            destination,
            category: rule.category,
            status: rule.status,
            other: rule.other,
        }
    }
}

impl OutboundRule {
    /// Whether the rule is the user's (the only rules hubctl compares or writes).
    pub fn is_user_defined(&self) -> bool {
        matches!(self.category, Some(RuleCategory::UserDefined) | None)
    }
}

/// `workspaces/{ws}/outboundRules/{name}` (`OutboundRuleBasicResource`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundRuleResource {
    /// Id (read-only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Name (read-only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The rule.
    pub properties: OutboundRule,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}
