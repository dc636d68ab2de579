//! What every ARM answer shares: list pages and the error body.

use serde::{Deserialize, Serialize};

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// Items.
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// The next page, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

/// ARM's error body (`ErrorResponse` of common-types v3).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// The error.
    #[serde(default)]
    pub error: ErrorDetail,
}

/// An error's code, message and details.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// PascalCase code.
    #[serde(default)]
    pub code: String,
    /// Message.
    #[serde(default)]
    pub message: String,
    /// Target, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Inner errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;
    use serde_json::json;

    #[test]
    fn pages_and_errors() {
        let page: Page<RoleAssignment> = serde_json::from_value(json!({"value": [{"name": "a", "properties": {"roleDefinitionId": "/r", "principalId": "p", "principalType": "Group"}}], "nextLink": "https://next"})).unwrap();
        assert_eq!(page.value[0].properties.principal_type, Some(PrincipalType::Group));
        assert_eq!(page.next_link.as_deref(), Some("https://next"));
        let error: ErrorResponse =
            serde_json::from_value(json!({"error": {"code": "X", "message": "m"}})).unwrap();
        assert_eq!(error.error.code, "X");
    }
}
