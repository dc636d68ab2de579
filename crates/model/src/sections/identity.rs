//! Identity: the managed identity block, and the workspace's customer-managed-key encryption.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Other;
use crate::enums::*;

/// `encryption`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Encryption {
    /// `Enabled` (customer-managed) or `Disabled`.
    #[serde(default)]
    pub status: String,
    /// The key.
    #[serde(default)]
    pub key_vault_properties: KeyVaultProperties,
    /// The identity that reads the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<CmkIdentity>,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

impl Encryption {
    /// Whether a customer-managed key is on.
    pub fn is_customer_managed(&self) -> bool {
        self.status.eq_ignore_ascii_case("Enabled")
    }
}

/// `encryption.keyVaultProperties`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyVaultProperties {
    /// The vault's ARM id.
    #[serde(default)]
    pub key_vault_arm_id: String,
    /// The versioned key URI.
    #[serde(default)]
    pub key_identifier: String,
    /// Everything else (identityClientId).
    #[serde(flatten)]
    pub other: Other,
}

/// `encryption.identity`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CmkIdentity {
    /// A user-assigned identity's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_assigned_identity: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// `identity` (common-types v3 ManagedServiceIdentity).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagedIdentity {
    /// Type.
    #[serde(rename = "type", default = "identity_none")]
    pub identity_type: IdentityType,
    /// System identity's principal (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    /// Tenant (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    /// User-assigned identities by id (values read-only; send `{}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_assigned_identities: Option<BTreeMap<String, Value>>,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

fn identity_none() -> IdentityType {
    IdentityType::None
}

#[allow(clippy::derivable_impls)] // the enum is made by `service_enum!`, which derives no Default
impl Default for IdentityType {
    fn default() -> IdentityType {
        IdentityType::None
    }
}
