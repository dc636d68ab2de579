//! The emulator's memory: every resource as ARM JSON, the operations in flight, the directory.
//!
//! Resources are kept as `serde_json::Value` exactly as ARM would return them, keyed by their
//! id in lower case (ARM ids are case-insensitive; the stored body keeps the case the creator
//! used). Children (outbound rules, connections, key vault keys) are resources of their own
//! under their parent's id, so a prefix scan of the ordered map lists them.
//!
//! Long-running operations complete lazily: each request first settles every operation whose
//! time has come ([`State::settle`]), so there is no background task and no lock held across a
//! sleep. With `--state`, the whole state is written after each mutation to a temporary file
//! that is then renamed over the real one, so a crash leaves either the old or the new state.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How long a soft-deleted workspace keeps its name (the default and longest retention).
pub const SOFT_DELETE_RETENTION_MS: u64 = 14 * 24 * 60 * 60 * 1000;

/// The current state-file format.
const FORMAT: u32 = 1;

/// The whole emulated cloud.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// State-file format.
    pub format: u32,
    /// The directory's tenant.
    pub tenant_id: String,
    /// HMAC key that signs tokens (base64), kept so tokens survive a restart.
    pub signing_key: String,
    /// Subscriptions by lower-case id.
    pub subscriptions: BTreeMap<String, Subscription>,
    /// Every resource by lower-case id.
    pub resources: BTreeMap<String, Value>,
    /// Long-running operations by id.
    pub operations: BTreeMap<String, Operation>,
    /// The directory: principals by lower-case object id.
    pub principals: BTreeMap<String, Principal>,
    /// Service principals that may sign in under strict auth.
    pub service_principals: Vec<ServicePrincipal>,
    /// Role definitions by lower-case GUID.
    pub role_definitions: BTreeMap<String, Value>,
    /// Soft-deleted workspaces by lower-case id, as they were, with `deletedAtMs`: their
    /// names stay taken until purged or the retention (14 days) passes.
    #[serde(default)]
    pub soft_deleted: BTreeMap<String, Value>,
    /// Soft-deleted Cognitive Services accounts by the lower-case key they had, each with
    /// everything that was under it (projects, connections, deployments, role assignments at
    /// their scopes): restored whole, or purged (foundry/deleted.rs).
    #[serde(default)]
    pub deleted_accounts: BTreeMap<String, DeletedAccount>,
    /// How many of the next long-running operations end Failed (`POST /_emulator/faults`).
    #[serde(skip)]
    pub fail_next_operations: u32,
    /// How many of the next capability-host creations end Failed with the service's
    /// provisioning timeout (`POST /_emulator/faults {"capabilityHostTimeouts": N}`).
    #[serde(skip)]
    pub capability_host_timeouts: u32,
}

/// A subscription.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// Its id as seeded.
    pub id: String,
    /// Providers not registered, lower case.
    pub unregistered_providers: Vec<String>,
    /// Model quotas (the seed's `quotas`), as seeded.
    #[serde(default)]
    pub quotas: Vec<Quota>,
}

/// A model quota of a subscription in a region (`Microsoft.CognitiveServices` usages).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quota {
    /// Region, as seeded.
    pub location: String,
    /// Usage name, `OpenAI.<SkuName>.<modelName>`.
    pub name: String,
    /// The limit.
    pub limit: u64,
}

/// A directory principal.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Principal {
    /// Object id.
    pub id: String,
    /// `User`, `Group` or `ServicePrincipal`.
    pub principal_type: String,
    /// Until this time (ms) the directory does not know it yet (replication lag).
    pub visible_from_ms: u64,
    /// Display name (Graph `displayName`).
    #[serde(default)]
    pub display_name: Option<String>,
    /// A user's user principal name.
    #[serde(default)]
    pub user_principal_name: Option<String>,
    /// A service principal's application id.
    #[serde(default)]
    pub app_id: Option<String>,
}

/// A service principal that can get tokens under strict auth.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePrincipal {
    /// Client id.
    pub client_id: String,
    /// Object id.
    pub object_id: String,
    /// Secret, if secret sign-in is allowed.
    pub secret: Option<String>,
    /// Whether client assertions are accepted.
    pub federated: bool,
    /// Microsoft Graph application permissions granted (e.g. `Directory.Read.All`); under
    /// strict auth Graph refuses what they do not cover.
    #[serde(default)]
    pub graph_permissions: Vec<String>,
}

/// What a long-running operation does when it completes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum OperationKind {
    /// A workspace PUT (created: it did not exist before).
    WorkspacePut {
        /// Whether the PUT created the workspace.
        created: bool,
    },
    /// A workspace PATCH.
    WorkspacePatch,
    /// A workspace DELETE.
    WorkspaceDelete,
    /// A workspace delete with `forceToPurge=true`: gone at once, its name free.
    WorkspacePurge,
    /// An outbound rule PUT.
    RulePut,
    /// An outbound rule DELETE.
    RuleDelete,
    /// An operation on a `Microsoft.CognitiveServices` resource (foundry/operations.rs).
    Foundry(crate::foundry::FoundryOp),
}

/// A soft-deleted Cognitive Services account and everything that was under it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletedAccount {
    /// When the delete completed (ms since the epoch).
    pub deleted_at_ms: u64,
    /// The account and its subtree, by lower-case key, as they were.
    pub resources: BTreeMap<String, Value>,
}

/// An operation in flight or done.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// Operation id (GUID).
    pub id: String,
    /// The resource it acts on (lower-case key).
    pub resource_key: String,
    /// What it does.
    pub kind: OperationKind,
    /// When it completes (ms since epoch).
    pub done_at_ms: u64,
    /// Whether completion has been applied to the state.
    pub settled: bool,
    /// Set when the operation ends Failed: status, code, message.
    pub failure: Option<(u16, String, String)>,
    /// The resource before an update, to restore when the update fails.
    pub previous: Option<Value>,
    /// A rule write overtaken by a parallel write on the same workspace: on completion the
    /// rule is silently dropped, as parallel rule writes lose rules on the real service
    /// (`Azure/terraform-provider-azapi` #453; shared/design/PEERS.md).
    #[serde(default)]
    pub lost: bool,
}

/// Why a state file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Reading failed.
    #[error("cannot read state file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a state file of ours (it is never silently reset).
    #[error("state file {path} is corrupt ({message}); move it away to start from the seed again")]
    Corrupt {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Writing failed.
    #[error("cannot write state file {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl State {
    /// An empty cloud.
    pub fn new(tenant_id: String, signing_key: String) -> State {
        State {
            format: FORMAT,
            tenant_id,
            signing_key,
            subscriptions: BTreeMap::new(),
            resources: BTreeMap::new(),
            operations: BTreeMap::new(),
            principals: BTreeMap::new(),
            service_principals: Vec::new(),
            role_definitions: BTreeMap::new(),
            soft_deleted: BTreeMap::new(),
            deleted_accounts: BTreeMap::new(),
            fail_next_operations: 0,
            capability_host_timeouts: 0,
        }
    }

    /// Load a state file; `Ok(None)` when it does not exist.
    pub fn load(path: &Path) -> Result<Option<State>, StateError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StateError::Read { path: path.display().to_string(), source });
            }
        };
        let state: State = serde_json::from_str(&text).map_err(|e| StateError::Corrupt {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        if state.format != FORMAT {
            return Err(StateError::Corrupt {
                path: path.display().to_string(),
                message: format!("format {} where {FORMAT} was expected", state.format),
            });
        }
        Ok(Some(state))
    }

    /// Write the state atomically: a temporary file beside it, then a rename.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let write_error = |source| StateError::Write { path: path.display().to_string(), source };
        let text = serde_json::to_vec(self).map_err(|e| write_error(std::io::Error::other(e)))?;
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        std::fs::write(&tmp, text).map_err(write_error)?;
        std::fs::rename(&tmp, path).map_err(write_error)
    }

    /// Resources whose key starts with `prefix` (lower case) and has no further `/`.
    pub fn children(&self, prefix: &str) -> Vec<&Value> {
        self.resources
            .range(prefix.to_string()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .filter(|(k, _)| !k[prefix.len()..].contains('/'))
            .map(|(_, v)| v)
            .collect()
    }

    /// Remove a resource and everything under it (children, and role assignments at or
    /// below its scope).
    pub fn remove_tree(&mut self, key: &str) {
        let below = format!("{key}/");
        let doomed: Vec<String> =
            self.resources.keys().filter(|k| *k == key || k.starts_with(&below)).cloned().collect();
        for k in doomed {
            self.resources.remove(&k);
        }
    }

    /// Apply every operation whose time has come. Returns whether anything changed.
    pub fn settle(&mut self, now: u64) -> bool {
        let due: Vec<String> = self
            .operations
            .values()
            .filter(|op| !op.settled && op.done_at_ms <= now)
            .map(|op| op.id.clone())
            .collect();
        for id in &due {
            let Some(op) = self.operations.get(id).cloned() else { continue };
            match (&op.kind, &op.failure) {
                (OperationKind::WorkspacePut { created: true }, Some(_)) => {
                    set_state(self.resources.get_mut(&op.resource_key), "Failed");
                }
                (OperationKind::WorkspacePut { .. } | OperationKind::WorkspacePatch, Some(_)) => {
                    if let Some(previous) = op.previous.clone() {
                        self.resources.insert(op.resource_key.clone(), previous);
                    }
                }
                (OperationKind::WorkspacePut { .. } | OperationKind::WorkspacePatch, None) => {
                    set_state(self.resources.get_mut(&op.resource_key), "Succeeded");
                }
                (OperationKind::WorkspaceDelete, None) => {
                    self.delete_workspace(&op.resource_key, Some(op.done_at_ms))
                }
                (OperationKind::WorkspacePurge, None) => {
                    self.delete_workspace(&op.resource_key, None)
                }
                (OperationKind::WorkspaceDelete | OperationKind::WorkspacePurge, Some(_)) => {
                    set_state(self.resources.get_mut(&op.resource_key), "Succeeded");
                }
                (OperationKind::RulePut, None) if op.lost => {
                    self.resources.remove(&op.resource_key);
                }
                (OperationKind::RulePut, None) => {
                    if let Some(rule) = self.resources.get_mut(&op.resource_key) {
                        rule["properties"]["status"] = Value::String("Active".into());
                    }
                }
                (OperationKind::RulePut, Some(_)) => match op.previous.clone() {
                    Some(previous) => {
                        self.resources.insert(op.resource_key.clone(), previous);
                    }
                    None => {
                        self.resources.remove(&op.resource_key);
                    }
                },
                (OperationKind::RuleDelete, None) => {
                    self.resources.remove(&op.resource_key);
                }
                (OperationKind::RuleDelete, Some(_)) => {}
                (OperationKind::Foundry(kind), _) => {
                    crate::foundry::settle(self, kind.clone(), &op);
                }
            }
            if let Some(op) = self.operations.get_mut(id) {
                op.settled = true;
            }
        }
        // Soft-deleted workspaces are purged when the retention has passed.
        let soft_before = self.soft_deleted.len();
        self.soft_deleted.retain(|_, w| {
            w["deletedAtMs"]
                .as_u64()
                .is_none_or(|at| at.saturating_add(SOFT_DELETE_RETENTION_MS) > now)
        });
        let purged =
            crate::foundry::purge_expired(self, now) | (soft_before != self.soft_deleted.len());
        // Forget operations settled more than an hour ago: nobody polls them any more.
        let before = self.operations.len();
        self.operations.retain(|_, op| !op.settled || op.done_at_ms + 3_600_000 > now);
        !due.is_empty() || before != self.operations.len() || purged
    }

    /// Delete a workspace: its children, the role assignments at or below it, and, for a hub,
    /// its projects ("Deleting a hub deletes all associated projects", AIDOCS
    /// create-azure-ai-resource.md).
    /// Soft by default (`soft_at`: when): the workspace is kept, hidden, for the retention
    /// (Learn "Workspace soft deletion", MicrosoftDocs/azure-ai-docs
    /// `articles/machine-learning/concept-soft-delete.md`); `None` purges.
    fn delete_workspace(&mut self, key: &str, soft_at: Option<u64>) {
        let mut doomed = vec![key.to_string()];
        let is_hub = self
            .resources
            .get(key)
            .and_then(|w| w["kind"].as_str())
            .is_some_and(|k| k.eq_ignore_ascii_case("hub"));
        if is_hub {
            let projects: Vec<String> = self
                .resources
                .iter()
                .filter(|(_, w)| {
                    w["kind"].as_str().is_some_and(|k| k.eq_ignore_ascii_case("project"))
                        && w["properties"]["hubResourceId"]
                            .as_str()
                            .is_some_and(|h| h.eq_ignore_ascii_case(key))
                })
                .map(|(k, _)| k.clone())
                .collect();
            doomed.extend(projects);
        }
        for workspace in doomed {
            if let Some(at) = soft_at
                && let Some(mut kept) = self.resources.get(&workspace).cloned()
            {
                kept["deletedAtMs"] = Value::from(at);
                self.soft_deleted.insert(workspace.clone(), kept);
            }
            self.remove_tree(&workspace);
        }
    }

    /// The operation in flight on a resource, if any.
    pub fn running_operation(&self, key: &str) -> Option<&Operation> {
        self.operations.values().find(|op| !op.settled && op.resource_key == key)
    }
}

fn set_state(resource: Option<&mut Value>, state: &str) {
    if let Some(resource) = resource {
        resource["properties"]["provisioningState"] = Value::String(state.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn children_lists_only_direct_children() {
        let mut state = State::new("t".into(), "k".into());
        state.resources.insert("/a/w/x".into(), json!(1));
        state.resources.insert("/a/w/y".into(), json!(2));
        state.resources.insert("/a/w/y/z".into(), json!(3));
        state.resources.insert("/a/wz".into(), json!(4));
        assert_eq!(state.children("/a/w/"), vec![&json!(1), &json!(2)]);
    }

    #[test]
    fn remove_tree_keeps_siblings_with_a_common_prefix() {
        let mut state = State::new("t".into(), "k".into());
        state.resources.insert("/a/w".into(), json!(1));
        state.resources.insert("/a/w/rule".into(), json!(2));
        state.resources.insert("/a/w2".into(), json!(3));
        state.remove_tree("/a/w");
        assert_eq!(state.resources.len(), 1);
        assert!(state.resources.contains_key("/a/w2"));
    }

    #[test]
    fn a_corrupt_state_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, "{not json").unwrap();
        let error = State::load(&path).unwrap_err().to_string();
        assert!(error.contains("state.json") && error.contains("corrupt"), "{error}");
    }

    #[test]
    fn save_then_load_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let mut state = State::new("tenant".into(), "key".into());
        state.resources.insert("/x".into(), json!({"a": 1}));
        state.save(&path).unwrap();
        let loaded = State::load(&path).unwrap().unwrap();
        assert_eq!(loaded.resources, state.resources);
        assert!(!dir.path().join("state.json.tmp").exists());
    }
}
