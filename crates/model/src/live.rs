//! What exists: the live state of the hubs the manifests name, as the inventory read it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{
    Account, AccountDeployment, AccountProject, CapabilityHost, Connection, RaiPolicy,
    RoleAssignment, Usage, Workspace,
};

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
    /// Foundry resources (accounts of kind `AIServices`) found, by id key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub foundries: BTreeMap<String, LiveFoundry>,
    /// Accounts of other kinds (OpenAI, …) in the subscriptions read, by id key: their names
    /// are taken.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub other_accounts: BTreeMap<String, Account>,
    /// Soft-deleted accounts, by the id key the account had (`…/accounts/{name}`): their names
    /// and subdomains stay taken until purged.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub deleted_accounts: BTreeMap<String, Account>,
    /// Client ids of the user-assigned identities that customer-managed keys of Foundry
    /// resources name, by id key (ARM's key settings name an identity by client id).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub identity_client_ids: BTreeMap<String, String>,
    /// Model quota by `{subscription}/{region}` (lower case), read where manifests deploy
    /// models: one list per subscription and region.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub usages: BTreeMap<String, Vec<Usage>>,
    /// Custom subdomains of accounts to create that the service says are taken (by an account
    /// anywhere in Azure, or a soft-deleted one), lower case, with its reason.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub taken_subdomains: BTreeMap<String, String>,
    /// Why the subdomains of accounts to create could not be checked (the service refused the
    /// check), if so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdomains_unchecked: Option<String>,
}

/// A Foundry resource with what hangs off it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveFoundry {
    /// The account.
    pub account: Account,
    /// Role assignments at exactly the account's scope.
    pub assignments: Vec<RoleAssignment>,
    /// Account-level connections.
    pub connections: Vec<Connection>,
    /// Projects by id key.
    pub projects: BTreeMap<String, LiveFoundryProject>,
    /// Model deployments, when read (the manifest declares some).
    #[serde(default)]
    pub deployments: Vec<AccountDeployment>,
    /// Content filters (RAI policies, system ones included), when read.
    #[serde(default)]
    pub rai_policies: Vec<RaiPolicy>,
    /// Capability hosts of the account and its projects that were read (by the names the
    /// manifest gives and the conventional `agents`: there is no list), by id key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub capability_hosts: BTreeMap<String, CapabilityHost>,
}

/// A Foundry project with its connections and access.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveFoundryProject {
    /// The project.
    pub project: AccountProject,
    /// Project-level connections.
    pub connections: Vec<Connection>,
    /// Role assignments at exactly the project's scope.
    pub assignments: Vec<RoleAssignment>,
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
