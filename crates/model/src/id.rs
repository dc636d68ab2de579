//! Resource ids as ARM compares them: case-insensitively, without a trailing slash.

/// The canonical key of an ARM id: lower case, no trailing slash. Two spellings of one
/// resource have the same key (azurerm carries `suppress.CaseDifference` for exactly this).
pub fn id_key(id: &str) -> String {
    id.trim_end_matches('/').to_ascii_lowercase()
}

/// Whether two ARM ids name the same resource.
pub fn same_id(a: &str, b: &str) -> bool {
    a.trim_end_matches('/').eq_ignore_ascii_case(b.trim_end_matches('/'))
}

/// The subscription GUID of an id, lower case.
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

    #[test]
    fn ids() {
        assert!(same_id(
            "/subscriptions/A/resourceGroups/RG/",
            "/subscriptions/a/resourcegroups/rg"
        ));
        assert_eq!(subscription_of("/subscriptions/ABC/resourceGroups/x"), Some("abc".into()));
        assert_eq!(subscription_of("/providers/x"), None);
        assert_eq!(
            role_definition_guid(
                "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/ABC/"
            ),
            "abc"
        );
    }
}
