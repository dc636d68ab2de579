//! Access: `Microsoft.Authorization` role assignments and role definitions (2022-04-01).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Other;
use crate::enums::*;

/// What hubctl writes at the end of the description of every role assignment it grants or
/// adopts, so that it knows later which access is its own to revoke. ARM keeps an
/// assignment's description as written (it is the one free-text property the authorization API
/// stores; tags are not supported on role assignments). hubctl also knows the assignments it
/// created before the mark existed by their names, which it derives from scope, principal and
/// role (hubctl-plan's `assignment_name`).
pub const MARK: &str = "[managed by hubctl]";

/// The description hubctl writes: the manifest's own, if any, then [`MARK`].
pub fn marked_description(own: Option<&str>) -> String {
    match own.map(str::trim).filter(|d| !d.is_empty()) {
        Some(own) => format!("{own} {MARK}"),
        None => MARK.to_string(),
    }
}

/// `Microsoft.Authorization/roleAssignments`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    /// Id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Name (a GUID).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Properties.
    #[serde(default)]
    pub properties: RoleAssignmentProperties,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

impl RoleAssignment {
    /// Whether it grants the role `role_guid` (lower case, as [`crate::role_definition_guid`]
    /// gives it) to `principal`: principals compared without case, roles by GUID whatever the
    /// role definition id's scope.
    pub fn grants(&self, principal: &str, role_guid: &str) -> bool {
        self.properties.principal_id.eq_ignore_ascii_case(principal)
            && crate::role_definition_guid(&self.properties.role_definition_id) == role_guid
    }
    /// Its description as a person wrote it, hubctl's [`MARK`] taken off; `None` when there
    /// is none (absent, null, empty, or only the mark).
    pub fn description(&self) -> Option<&str> {
        let text = self.properties.other.get("description").and_then(Value::as_str)?;
        let own = text.strip_suffix(MARK).map_or(text, str::trim_end);
        (!own.is_empty()).then_some(own)
    }
    /// Whether its description carries hubctl's [`MARK`]: hubctl granted or adopted it.
    pub fn is_marked(&self) -> bool {
        self.properties
            .other
            .get("description")
            .and_then(Value::as_str)
            .is_some_and(|d| d.ends_with(MARK))
    }
    /// Its ABAC condition, trimmed; `None` when there is none (absent, null or empty).
    pub fn condition(&self) -> Option<&str> {
        self.properties
            .other
            .get("condition")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|c| !c.is_empty())
    }
}

/// A role assignment's properties.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignmentProperties {
    /// Scope (read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// Role definition id (tenant or subscription form; compare by GUID).
    #[serde(default)]
    pub role_definition_id: String,
    /// Principal object id.
    #[serde(default)]
    pub principal_id: String,
    /// Principal type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_type: Option<PrincipalType>,
    /// Everything else (description, condition, createdOn, …).
    #[serde(flatten)]
    pub other: Other,
}

/// `Microsoft.Authorization/roleDefinitions`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleDefinition {
    /// Id.
    #[serde(default)]
    pub id: String,
    /// GUID.
    #[serde(default)]
    pub name: String,
    /// Properties.
    #[serde(default)]
    pub properties: RoleDefinitionProperties,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}

/// A role definition's properties.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleDefinitionProperties {
    /// Display name.
    #[serde(default)]
    pub role_name: String,
    /// `BuiltInRole` or `CustomRole`.
    #[serde(rename = "type", default)]
    pub role_type: String,
    /// Everything else.
    #[serde(flatten)]
    pub other: Other,
}
