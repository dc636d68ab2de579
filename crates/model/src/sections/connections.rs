//! Connections: `workspaces/{ws}/connections/{name}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Other;

/// `workspaces/{ws}/connections/{name}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// Id (read-only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Name (read-only).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Properties.
    #[serde(default)]
    pub properties: ConnectionProperties,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// A connection's properties.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionProperties {
    /// `AIServices`, `CognitiveSearch`, `AzureOpenAI`, `AzureBlob`, …
    #[serde(default)]
    pub category: String,
    /// The target's endpoint.
    #[serde(default)]
    pub target: String,
    /// `AAD`, `ApiKey`, …
    #[serde(default)]
    pub auth_type: String,
    /// Metadata (ApiType, ResourceId).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// Everything else. Credentials are never read back by the service.
    #[serde(flatten)]
    pub other: Other,
}
