//! api-versions per cloud, and what to do when ARM says one is not supported.
//!
//! Sovereign clouds often lag the public one in what a resource provider supports, so each
//! cloud has its own versions ([`ApiVersions::for_cloud`]). And when ARM still answers that a
//! version is not supported — `NoRegisteredProviderFound` (Learn
//! `azure-resource-manager/troubleshooting/error-register-resource-provider`), `InvalidResourceType`
//! or `InvalidApiVersionParameter`, each with "The supported api-versions are '…'" in its message
//! (quoted in Azure/azure-sdk-for-js #4097 for `workspaces`) — the client retries once with the
//! newest stable version the message lists, says so in the logs, and keeps to it for the run,
//! for that resource type (a provider supports versions per type).

/// The api-versions a client sends, per resource provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiVersions {
    /// `Microsoft.MachineLearningServices`.
    pub workspaces: String,
    /// `Microsoft.Authorization`.
    pub authorization: String,
}

impl ApiVersions {
    /// The versions for a cloud by its short name (`public`, `china`, `usgov`, `custom`,
    /// `local`). The sovereign clouds get the stable version before the newest, as they
    /// often lag; the fallback covers a cloud that lags further.
    pub fn for_cloud(name: &str) -> ApiVersions {
        let workspaces = match name {
            "china" | "usgov" => "2025-12-01",
            _ => hubctl_model::WORKSPACES_API_VERSION,
        };
        ApiVersions {
            workspaces: workspaces.to_string(),
            authorization: hubctl_model::AUTHORIZATION_API_VERSION.to_string(),
        }
    }
}

/// When ARM refuses an api-version, the versions it says it supports.
pub fn supported_versions(code: &str, message: &str) -> Option<Vec<String>> {
    if !matches!(
        code,
        "NoRegisteredProviderFound" | "InvalidResourceType" | "InvalidApiVersionParameter"
    ) {
        return None;
    }
    let lower = message.to_ascii_lowercase();
    let start = ["supported api-versions are '", "supported versions are '"]
        .iter()
        .find_map(|marker| lower.find(marker).map(|at| at + marker.len()))?;
    let end = start + message[start..].find('\'')?;
    let list: Vec<String> = message[start..end]
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    (!list.is_empty()).then_some(list)
}

/// The newest stable (not preview) version of a list; versions are dates, so text order is
/// time order.
pub fn newest_stable(versions: &[String]) -> Option<String> {
    versions.iter().filter(|v| !v.to_ascii_lowercase().contains("preview")).max().cloned()
}

/// The resource type a URL addresses, as `provider/type[/child type]` in lower case (the
/// segments after the last `providers`, names left out); supported versions are per type.
pub fn resource_type_of(url: &str) -> String {
    let path = url.split('?').next().unwrap_or(url);
    let segments: Vec<&str> = path.split('/').collect();
    let Some(at) = segments.iter().rposition(|s| s.eq_ignore_ascii_case("providers")) else {
        return String::new();
    };
    let rest = &segments[at + 1..];
    let mut out = rest.first().map(|p| p.to_ascii_lowercase()).unwrap_or_default();
    // provider, type, name, child type, name, …: the types are at odd positions.
    for (i, segment) in rest.iter().enumerate().skip(1) {
        if i % 2 == 1 {
            out.push('/');
            out.push_str(&segment.to_ascii_lowercase());
        }
    }
    out
}

/// The `api-version` a URL carries.
pub fn version_of(url: &str) -> Option<&str> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| pair.strip_prefix("api-version="))
}

/// `url` with its `api-version` replaced.
pub fn with_version(url: &str, version: &str) -> String {
    let Some((base, query)) = url.split_once('?') else { return url.to_string() };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| {
            if pair.starts_with("api-version=") {
                format!("api-version={version}")
            } else {
                pair.to_string()
            }
        })
        .collect();
    format!("{base}?{}", pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_supported_versions_are_read_from_each_refusal() {
        // The shape users quote for workspaces (Azure/azure-sdk-for-js #4097).
        let message = "No registered resource provider found for location 'eastus2' and API version '2026-05-01' for type 'workspaces'. The supported api-versions are '2024-10-01, 2025-06-01, 2025-12-01, 2026-01-01-preview'. The supported locations are 'eastus2, westeurope'.";
        let list = supported_versions("NoRegisteredProviderFound", message).unwrap();
        assert_eq!(list, ["2024-10-01", "2025-06-01", "2025-12-01", "2026-01-01-preview"]);
        assert_eq!(newest_stable(&list).as_deref(), Some("2025-12-01"));
        let older = "The api-version '2030-01-01' is invalid. The supported versions are '2021-04-01,2022-09-01'.";
        let list = supported_versions("InvalidApiVersionParameter", older).unwrap();
        assert_eq!(newest_stable(&list).as_deref(), Some("2022-09-01"));
        assert_eq!(supported_versions("BadRequest", message), None, "other refusals are answers");
        assert_eq!(supported_versions("InvalidResourceType", "no list here"), None);
    }

    #[test]
    fn urls_change_version_and_nothing_else() {
        let url = "https://arm/sub/x?api-version=2026-05-01&$skip=2";
        assert_eq!(version_of(url), Some("2026-05-01"));
        let nested = "https://arm/subscriptions/s/resourceGroups/r/providers/Microsoft.MachineLearningServices/workspaces/w/providers/Microsoft.Authorization/roleAssignments/a?api-version=2022-04-01";
        assert_eq!(resource_type_of(nested), "microsoft.authorization/roleassignments");
        let rule = "https://arm/subscriptions/s/resourceGroups/r/providers/Microsoft.MachineLearningServices/workspaces/w/outboundRules/x?api-version=1";
        assert_eq!(
            resource_type_of(rule),
            "microsoft.machinelearningservices/workspaces/outboundrules"
        );
        assert_eq!(
            with_version(url, "2025-12-01"),
            "https://arm/sub/x?api-version=2025-12-01&$skip=2"
        );
        assert_eq!(
            ApiVersions::for_cloud("public").workspaces,
            hubctl_model::WORKSPACES_API_VERSION
        );
        assert_ne!(
            ApiVersions::for_cloud("usgov").workspaces,
            hubctl_model::WORKSPACES_API_VERSION
        );
    }
}
