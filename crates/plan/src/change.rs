//! A plan is data: the same value is shown to a person, written to a plan file and executed.
//!
//! A [`Change`] says what happens to one resource. Its [`Action`] decides what apply does;
//! its [`Reason`]s only explain (Terraform: "ActionReason is not for decisions during apply").
//! `before` and `after` mean, per action:
//!
//! | action | `before` | `after` |
//! |---|---|---|
//! | Create | `None` | the ARM body to PUT |
//! | Update | the live ARM resource (as read) | the ARM body to write: a PATCH body for hubs and projects, a full PUT body for rules, connections and assignments |
//! | Delete | the live ARM resource | `None`; for a hub or project, `{"forceToPurge": true}` when the delete purges (the service deletes workspaces softly otherwise) |
//! | NoOp | `None` (the plan's fingerprints record what was read) | `None`; for an outbound rule of a hub whose managed network is updated, the rule's PUT body (apply writes it again if the network update cleared it); for an equal role assignment made outside hubctl under a hub hubctl has not adopted, the PUT body that marks it (`hubctl adopt` writes it) |
//! | Blocked | the live ARM resource | `None` — nothing of this hub is applied |

use std::collections::BTreeMap;

use hubctl_model::ArmId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::reasons::{Reason, WarningKind};

/// The plan-file and JSON-output format version.
pub const FORMAT_VERSION: u32 = 1;

/// Everything a run would do, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Plan {
    /// Always [`FORMAT_VERSION`].
    pub format_version: u32,
    /// What the plan was made from, checked before a saved plan is applied.
    pub provenance: Provenance,
    /// The changes, in execution order (per hub; hubs are independent).
    pub changes: Vec<Change>,
    /// Things to know that do not stop the plan.
    pub warnings: Vec<Warning>,
    /// Per hub: whether its differences are drift or pending (see [`Classification`]).
    pub hubs: BTreeMap<String, HubSummary>,
    /// A digest of the live state of every resource read, by id key: `apply --plan` re-reads
    /// and refuses the plan if any differs.
    pub fingerprints: BTreeMap<String, String>,
    /// Where this value came from — not part of the plan's data (never written, and plans
    /// compare equal whatever it is). See [`Origin`].
    #[serde(skip)]
    #[schemars(skip)]
    pub(crate) origin: OriginMark,
}

/// Where a plan value came from. hubctl-apply applies a plan [`Origin::Made`] by this run or
/// [`Origin::Checked`] against live state; one only [`Origin::Read`] from a file is refused, so
/// a stale saved plan cannot be applied by mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Origin {
    /// Made by [`crate::plan`] in this process.
    Made,
    /// Read from a file ([`crate::saved::from_text`]) and not checked yet.
    #[default]
    Read,
    /// Read from a file and checked against live state ([`crate::saved::check`]).
    Checked,
}

/// [`Origin`] as a field that does not take part in a plan's equality.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct OriginMark(pub(crate) Origin);

impl PartialEq for OriginMark {
    fn eq(&self, _: &OriginMark) -> bool {
        true
    }
}

/// Where a plan came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Provenance {
    /// The hubctl version that made it.
    pub tool_version: String,
    /// The ARM endpoint it was made against.
    pub target: String,
    /// A digest of all the manifests it was made from.
    pub manifest_digest: String,
    /// Whether it was made with `--prune`.
    pub prune: bool,
}

/// One hub's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HubSummary {
    /// The hub's name.
    pub name: String,
    /// Drift, pending, both in sync, … (for `hubctl drift`).
    pub classification: Classification,
    /// The digest of its manifest (what apply records on the hub).
    pub manifest_digest: Option<String>,
}

/// How a hub's differences came about, from the digest of the last applied manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Classification {
    /// Live matches the manifest.
    InSync,
    /// The manifest is what was last applied; live changed since (someone edited it by hand).
    Drift,
    /// The manifest changed since it was last applied (or was never applied).
    Pending,
    /// The manifest is gone; the hub would be deleted with `--prune`.
    Orphaned,
    /// Live differs from the manifest on a hub hubctl has not adopted (no ownership tag, as
    /// after `hubctl import`): drift and pending cannot be told apart.
    NotAdopted,
}

/// What kind of resource a change is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "camelCase")]
pub enum ResourceKind {
    /// The hub workspace.
    Hub,
    /// The hub's managed network settings (isolation, firewall).
    ManagedNetwork,
    /// A user-defined outbound rule.
    OutboundRule,
    /// A hub connection.
    Connection,
    /// A project workspace.
    Project,
    /// A role assignment at a hub, a Foundry resource or a project.
    RoleAssignment,
    /// A Foundry resource (`Microsoft.CognitiveServices/accounts`, kind `AIServices`).
    Account,
    /// A soft-deleted Foundry resource (`…/deletedAccounts/{name}`): purged before its name is
    /// used again (`--purge-deleted`).
    DeletedAccount,
    /// A project of a Foundry resource (`accounts/projects`).
    AccountProject,
    /// A connection of a Foundry resource (`accounts/connections`).
    AccountConnection,
    /// A connection of a Foundry resource's project (`accounts/projects/connections`).
    ProjectConnection,
    /// A custom content filter of a Foundry resource (`accounts/raiPolicies`).
    ContentFilter,
    /// A model deployment of a Foundry resource (`accounts/deployments`).
    Deployment,
    /// An agents capability host of a Foundry resource or one of its projects.
    CapabilityHost,
}

/// What happens to the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// It does not exist; it will be created.
    Create,
    /// It exists and will be changed in place.
    Update,
    /// It exists and will be deleted.
    Delete,
    /// Nothing to do.
    NoOp,
    /// The change is refused: Azure cannot make it on a live resource.
    Blocked,
}

/// One field's before and after, as the manifest names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldChange {
    /// The manifest field (`spec.network.isolation`).
    pub field: String,
    /// Live value.
    pub before: Option<Value>,
    /// Desired value.
    pub after: Option<Value>,
}

/// A change to one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Change {
    /// A stable id within the plan (`<hub id>#<kind>/<name>`).
    pub id: String,
    /// The id key of the hub it belongs to (changes of one hub run in order; hubs in parallel).
    pub hub: String,
    /// The resource kind.
    pub kind: ResourceKind,
    /// The ARM id of the resource (for a role assignment: its full id).
    #[schemars(with = "String")]
    pub resource: ArmId,
    /// A short name for people (`contoso-hub`, `contoso-hub/pypi`, `fraud-detection: Azure AI Developer → 7d2f…`).
    pub display: String,
    /// What happens.
    pub action: Action,
    /// Why.
    pub reasons: Vec<Reason>,
    /// Field by field.
    pub fields: Vec<FieldChange>,
    /// See the module doc.
    pub before: Option<Value>,
    /// See the module doc.
    pub after: Option<Value>,
    /// Changes that must finish first.
    pub depends_on: Vec<String>,
    /// What a reason alone cannot say about this change (for a permission refusal: the
    /// identity, the action and the scope).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A warning that does not stop the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Warning {
    /// What kind.
    pub kind: WarningKind,
    /// The resource it is about.
    pub resource: String,
    /// Details (names, values).
    pub detail: String,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Creates.
    pub add: usize,
    /// Updates.
    pub change: usize,
    /// Deletes.
    pub destroy: usize,
    /// Refusals.
    pub blocked: usize,
    /// Updates of nothing but hubctl's own records (a hub's applied-manifest digest, the mark
    /// on an adopted role assignment): written, not counted as a change.
    pub record: usize,
}

impl Change {
    /// Whether this change writes nothing but hubctl's own records: the tags of an adopted hub
    /// whose manifest changed in a way Azure does not see, or hubctl's mark on an equal role
    /// assignment it adopts.
    pub fn is_record_only(&self) -> bool {
        self.action == Action::Update
            && matches!(
                self.reasons.as_slice(),
                [crate::Reason::UpdateBecauseOwnershipTagsStale]
                    | [crate::Reason::UpdateBecauseAssignmentAdopted]
            )
    }
}

impl Change {
    /// For a record-only update ([`Change::is_record_only`]), what it writes, in words.
    pub fn record_note(&self) -> Option<&'static str> {
        if !self.is_record_only() {
            return None;
        }
        Some(if self.reasons == [crate::Reason::UpdateBecauseAssignmentAdopted] {
            "only hubctl's mark in its description (adopted), no access changes"
        } else {
            "only hubctl's record of the applied manifest, no setting changes"
        })
    }
}

impl Plan {
    /// Where this plan came from.
    pub fn origin(&self) -> Origin {
        self.origin.0
    }
    /// How many changes of each action.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for change in &self.changes {
            match change.action {
                Action::Create => counts.add += 1,
                Action::Update if change.is_record_only() => counts.record += 1,
                Action::Update => counts.change += 1,
                Action::Delete => counts.destroy += 1,
                Action::Blocked => counts.blocked += 1,
                Action::NoOp => {}
            }
        }
        counts
    }
    /// Whether anything would change or is refused.
    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| c.action != Action::NoOp)
    }
    /// Whether any change is refused.
    pub fn is_blocked(&self) -> bool {
        self.changes.iter().any(|c| c.action == Action::Blocked)
    }
}
