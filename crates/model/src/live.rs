//! What exists: the live state of the hubs the manifests name, as the inventory read it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Connection, RoleAssignment, Workspace};

/// The live state of a fleet, keyed by lower-case ARM ids (see [`crate::id_key`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Live {
    /// Every hub found in the subscriptions read, by id key.
    pub hubs: BTreeMap<String, LiveHub>,
    /// Role definition GUIDs by lower-case role name, for the names the manifests use that are
    /// not built in.
    pub role_definitions: BTreeMap<String, String>,
    /// Subscriptions that were read.
    pub subscriptions: Vec<String>,
    /// Workspaces that are neither hubs nor projects (kind Default, FeatureStore, …), by id
    /// key: their names are taken, so a hub or project of the same name is refused at plan time.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub other_workspaces: BTreeMap<String, Workspace>,
}

/// A hub with what hangs off it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveHub {
    /// The hub (its outbound rules are in `properties.managedNetwork.outboundRules`).
    pub workspace: Workspace,
    /// Role assignments at exactly the hub's scope (inherited ones are never included).
    pub assignments: Vec<RoleAssignment>,
    /// Connections, when they were read (only for hubs whose manifests declare connections).
    pub connections: Option<Vec<Connection>>,
    /// Projects by id key.
    pub projects: BTreeMap<String, LiveProject>,
}

/// A project with its access.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveProject {
    /// The project.
    pub workspace: Workspace,
    /// Role assignments at exactly the project's scope.
    pub assignments: Vec<RoleAssignment>,
}
