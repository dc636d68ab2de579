//! Resource ids as ARM compares them: case-insensitively, without a trailing slash.
//!
//! [`ArmId`] is the one parser of ids in hubctl's client side (plan, apply, the client and the
//! binary): parsed once, its parts read by accessors, compared by its lower-case key
//! (azurerm carries `suppress.CaseDifference` for exactly this). The emulator parses request
//! paths itself on purpose: it shares no model types, so a wrong model cannot hide on both sides.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An ARM resource id: `/subscriptions/{s}[/resourceGroups/{rg}][/providers/{ns}/{type}/{name}…]`,
/// possibly with an extension resource after it (`…/providers/Microsoft.Authorization/
/// roleAssignments/{name}`), or a tenant-level `/providers/…` id.
///
/// Kept as written (for display and requests) with its lower-case key (for equality, hashing
/// and order), so two spellings of one resource are one id.
#[derive(Clone)]
pub struct ArmId {
    text: String,
    key: String,
}

/// Why a text is not an ARM id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArmIdError {
    /// The text.
    pub text: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for ArmIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not an ARM resource id: {}", self.text, self.reason)
    }
}

impl std::error::Error for ArmIdError {}

impl ArmId {
    /// Parse an id. A trailing slash is dropped; every segment must be non-empty; a
    /// `subscriptions`, `resourceGroups` or `providers` segment must be followed by a value,
    /// and the types and names after a provider come in pairs.
    pub fn parse(text: &str) -> Result<ArmId, ArmIdError> {
        let error = |reason| ArmIdError { text: text.to_string(), reason };
        let trimmed = text.trim_end_matches('/');
        let Some(rest) = trimmed.strip_prefix('/') else {
            return Err(error("it does not start with '/'"));
        };
        let segments: Vec<&str> = rest.split('/').collect();
        if segments.iter().any(|s| s.is_empty()) {
            return Err(error("it has an empty segment"));
        }
        let mut i = 0;
        if segments[0].eq_ignore_ascii_case("subscriptions") {
            if segments.len() < 2 {
                return Err(error("`subscriptions` names no subscription"));
            }
            i = 2;
            if segments.get(2).is_some_and(|s| s.eq_ignore_ascii_case("resourceGroups")) {
                if segments.len() < 4 {
                    return Err(error("`resourceGroups` names no resource group"));
                }
                i = 4;
            }
        }
        while i < segments.len() {
            if !segments[i].eq_ignore_ascii_case("providers") {
                return Err(error("expected `providers` after the scope"));
            }
            // namespace, then type/name pairs up to the next `providers`
            let end = segments[i + 1..]
                .iter()
                .position(|s| s.eq_ignore_ascii_case("providers"))
                .map(|p| i + 1 + p)
                .unwrap_or(segments.len());
            let pairs = end.saturating_sub(i + 2);
            if end < i + 4 || pairs % 2 != 0 {
                return Err(error("a provider's types and names must come in pairs"));
            }
            i = end;
        }
        Ok(ArmId { text: trimmed.to_string(), key: trimmed.to_ascii_lowercase() })
    }

    /// The id of a workspace (hub or project).
    pub fn workspace(subscription: &str, resource_group: &str, name: &str) -> ArmId {
        ArmId::known(workspace_id(subscription, resource_group, name))
    }

    /// A child of this resource (`{self}/{child_type}/{name}`).
    pub fn child(&self, child_type: &str, name: &str) -> ArmId {
        ArmId::known(format!("{}/{child_type}/{name}", self.text))
    }

    /// An extension resource at this scope (`{self}/providers/{namespace}/{ext_type}/{name}`).
    pub fn extension(&self, namespace: &str, ext_type: &str, name: &str) -> ArmId {
        ArmId::known(format!("{}/providers/{namespace}/{ext_type}/{name}", self.text))
    }

    /// An id built from valid parts (no parse needed).
    fn known(text: String) -> ArmId {
        let key = text.to_ascii_lowercase();
        ArmId { text, key }
    }

    /// The id as written (no trailing slash).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The canonical key: lower case (see [`id_key`]).
    pub fn key(&self) -> &str {
        &self.key
    }

    fn segments(&self) -> impl Iterator<Item = &str> {
        self.text.split('/').skip(1)
    }

    /// The value after a scope keyword (`subscriptions`, `resourceGroups`) at the id's start.
    fn scope_part(&self, at: usize, keyword: &str) -> Option<&str> {
        let mut segments = self.segments().skip(at);
        match (segments.next(), segments.next()) {
            (Some(k), Some(v)) if k.eq_ignore_ascii_case(keyword) => Some(v),
            _ => None,
        }
    }

    /// The subscription, as written.
    pub fn subscription(&self) -> Option<&str> {
        self.scope_part(0, "subscriptions")
    }

    /// The resource group, as written.
    pub fn resource_group(&self) -> Option<&str> {
        self.subscription()?;
        self.scope_part(2, "resourceGroups")
    }

    /// Where the last `providers` segment is, as a segment index.
    fn last_provider(&self) -> Option<usize> {
        let segments: Vec<&str> = self.segments().collect();
        segments.iter().rposition(|s| s.eq_ignore_ascii_case("providers"))
    }

    /// The resource provider namespace of the resource itself (`Microsoft.Authorization` for
    /// a role assignment at a workspace), as written.
    pub fn provider(&self) -> Option<&str> {
        let at = self.last_provider()?;
        self.segments().nth(at + 1)
    }

    /// The resource type after its provider, types of nested resources joined by `/`
    /// (`workspaces`, `workspaces/outboundRules`, `roleAssignments`), as written.
    pub fn resource_type(&self) -> Option<String> {
        let at = self.last_provider()?;
        let types: Vec<&str> = self.segments().skip(at + 2).step_by(2).collect();
        Some(types.join("/"))
    }

    /// The last segment: the resource's name (for a subscription or resource group, its id).
    pub fn name(&self) -> &str {
        self.text.rsplit('/').next().unwrap_or_default()
    }

    /// The id from the name of its nearest resource of type `resource_type` on (itself or an
    /// ancestor): `contoso-hub/outboundRules/pypi` for a rule under `workspaces`, for people.
    pub fn from_type(&self, resource_type: &str) -> Option<&str> {
        let segments: Vec<&str> = self.segments().collect();
        let at = segments.iter().rposition(|s| s.eq_ignore_ascii_case(resource_type))?;
        segments.get(at + 1)?;
        let skip: usize = segments[..=at].iter().map(|s| s.len() + 1).sum();
        self.text.get(skip + 1..)
    }

    /// The resource this one is nested in: a workspace for an outbound rule; for a top-level
    /// resource, its scope (the resource group); none for a subscription or tenant id.
    pub fn parent(&self) -> Option<ArmId> {
        let at = self.last_provider()?;
        let count = self.segments().count();
        let keep = if count - at > 4 { count - 2 } else { at };
        if keep == 0 {
            return None;
        }
        let text: Vec<&str> = self.segments().take(keep).collect();
        Some(ArmId::known(format!("/{}", text.join("/"))))
    }

    /// The scope an extension resource sits at (a role assignment's hub or project), or for
    /// any other resource the resource group (or subscription) it is in.
    pub fn scope(&self) -> Option<ArmId> {
        let at = self.last_provider()?;
        if at == 0 {
            return None;
        }
        let text: Vec<&str> = self.segments().take(at).collect();
        Some(ArmId::known(format!("/{}", text.join("/"))))
    }
}

impl PartialEq for ArmId {
    fn eq(&self, other: &ArmId) -> bool {
        self.key == other.key
    }
}

impl Eq for ArmId {}

impl Hash for ArmId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl PartialOrd for ArmId {
    fn partial_cmp(&self, other: &ArmId) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ArmId {
    fn cmp(&self, other: &ArmId) -> Ordering {
        self.key.cmp(&other.key)
    }
}

impl fmt::Display for ArmId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for ArmId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ArmId({})", self.text)
    }
}

impl std::str::FromStr for ArmId {
    type Err = ArmIdError;
    fn from_str(text: &str) -> Result<ArmId, ArmIdError> {
        ArmId::parse(text)
    }
}

impl Serialize for ArmId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for ArmId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ArmId, D::Error> {
        let text = String::deserialize(deserializer)?;
        ArmId::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The canonical key of an ARM id: lower case, no trailing slash. Two spellings of one
/// resource have the same key.
pub fn id_key(id: &str) -> String {
    id.trim_end_matches('/').to_ascii_lowercase()
}

/// Whether two ARM ids name the same resource.
pub fn same_id(a: &str, b: &str) -> bool {
    a.trim_end_matches('/').eq_ignore_ascii_case(b.trim_end_matches('/'))
}

/// The subscription GUID of an id or of any ARM request path under a subscription (list and
/// action paths included, which are not resource ids), lower case.
pub fn subscription_of(id: &str) -> Option<String> {
    let mut parts = id.split('/').filter(|s| !s.is_empty());
    match (parts.next(), parts.next()) {
        (Some(s), Some(sub)) if s.eq_ignore_ascii_case("subscriptions") => {
            Some(sub.to_ascii_lowercase())
        }
        _ => None,
    }
}

/// The trailing GUID of a role definition id, at any scope, lower case
/// (`/subscriptions/…/providers/Microsoft.Authorization/roleDefinitions/{guid}` or `/providers/…`).
pub fn role_definition_guid(id: &str) -> String {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_ascii_lowercase()
}

/// The ARM id of a workspace.
pub fn workspace_id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.MachineLearningServices/workspaces/{name}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const HUB: &str = "/subscriptions/S1/resourceGroups/RG/providers/Microsoft.MachineLearningServices/workspaces/Hub";

    #[test]
    fn ids() {
        assert!(same_id(
            "/subscriptions/A/resourceGroups/RG/",
            "/subscriptions/a/resourcegroups/rg"
        ));
        assert_eq!(subscription_of("/subscriptions/ABC/resourceGroups/x"), Some("abc".into()));
        assert_eq!(subscription_of("/providers/x/y/z"), None);
        // Paths that are not resource ids still name their subscription (throttling buckets).
        let list = "/subscriptions/S1/providers/Microsoft.MachineLearningServices/workspaces";
        assert_eq!(subscription_of(list), Some("s1".into()));
        let register = "/subscriptions/S1/providers/Microsoft.MachineLearningServices/register";
        assert_eq!(subscription_of(register), Some("s1".into()));
        assert_eq!(
            role_definition_guid(
                "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/ABC/"
            ),
            "abc"
        );
    }

    #[test]
    fn parts_of_a_workspace_a_rule_and_an_assignment() {
        let hub = ArmId::parse(&format!("{HUB}/")).unwrap();
        assert_eq!(hub.as_str(), HUB);
        assert_eq!(hub.subscription(), Some("S1"));
        assert_eq!(hub.resource_group(), Some("RG"));
        assert_eq!(hub.provider(), Some("Microsoft.MachineLearningServices"));
        assert_eq!(hub.resource_type().as_deref(), Some("workspaces"));
        assert_eq!(hub.name(), "Hub");
        assert_eq!(hub.parent().unwrap().as_str(), "/subscriptions/S1/resourceGroups/RG");
        assert_eq!(hub.scope(), hub.parent());

        let rule = hub.child("outboundRules", "pypi");
        assert_eq!(rule.resource_type().as_deref(), Some("workspaces/outboundRules"));
        assert_eq!(rule.name(), "pypi");
        assert_eq!(rule.parent(), Some(hub.clone()));

        assert_eq!(rule.from_type("workspaces"), Some("Hub/outboundRules/pypi"));
        assert_eq!(hub.from_type("workspaces"), Some("Hub"));
        assert_eq!(hub.from_type("vaults"), None);
        let grant = hub.extension("Microsoft.Authorization", "roleAssignments", "g1");
        assert_eq!(grant.provider(), Some("Microsoft.Authorization"));
        assert_eq!(grant.resource_type().as_deref(), Some("roleAssignments"));
        assert_eq!(grant.scope(), Some(hub.clone()));
        assert_eq!(grant.parent(), Some(hub.clone()));
        assert_eq!(grant.subscription(), Some("S1"));
    }

    #[test]
    fn equality_ignores_case_and_trailing_slashes() {
        let a = ArmId::parse(HUB).unwrap();
        let b = ArmId::parse(&format!("{}/", HUB.to_ascii_lowercase())).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.key(), b.key());
        let set: std::collections::HashSet<ArmId> = [a.clone(), b].into_iter().collect();
        assert_eq!(set.len(), 1);
        assert_ne!(a, a.child("outboundRules", "x"));
    }

    #[test]
    fn serde_keeps_the_spelling_and_refuses_non_ids() {
        let id: ArmId = serde_json::from_str(&format!("{HUB:?}")).unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("{HUB:?}"));
        for bad in [
            "",
            "subscriptions/s",
            "/subscriptions",
            "/subscriptions/s//x",
            "/subscriptions/s/resourceGroups",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.X/workspaces",
            "/subscriptions/s/things/x",
        ] {
            assert!(ArmId::parse(bad).is_err(), "{bad:?} parsed");
            assert!(serde_json::from_str::<ArmId>(&format!("{bad:?}")).is_err());
        }
        for good in ["/subscriptions/s", "/subscriptions/s/resourceGroups/rg", "/providers/a/b/c"] {
            assert!(ArmId::parse(good).is_ok(), "{good:?} refused");
        }
        assert_eq!(ArmId::parse("/subscriptions/s").unwrap().parent(), None);
    }
}
