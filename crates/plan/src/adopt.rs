//! Adoption: hubctl's ownership and applied-manifest tags written on a hub it did not create,
//! and its mark on the equal role assignments found there, and nothing else. It is its own, explicit step (`hubctl adopt`), never a change a plan
//! counts: a hub hubctl has not adopted plans no change for its tags alone, and is never
//! deleted or pruned by hubctl. The first apply with real changes for such a hub adopts it too
//! (its plan line says "and adopt it").
//!
//! A hub whose live state differs from its manifest is not adopted here: its applied-manifest
//! digest would then call those differences drift when they are pending. Apply them (which
//! adopts it), or make the manifest match.

use std::collections::BTreeMap;

use hubctl_model::{ArmId, Live};
use hubctl_spec::Desired;

use crate::change::{Action, Change, Plan, ResourceKind};
use crate::digest;
use crate::reasons::Reason;
use crate::sections::hub::{is_adopted, tags};

/// What adoption does with one hub of the manifests.
#[derive(Debug, Clone, PartialEq)]
pub enum Adoption {
    /// Live matches the manifest: write these tags (the hub's, other tools' and hubctl's).
    Ready {
        /// The hub.
        id: ArmId,
        /// Its name.
        name: String,
        /// The whole tag map to write (ARM replaces a hub's tags as a whole).
        tags: BTreeMap<String, String>,
        /// Equal role assignments made outside hubctl at the hub's and its projects' scopes:
        /// each an update that writes hubctl's mark into its description (no access changes),
        /// written before the tags.
        marks: Vec<Change>,
    },
    /// hubctl's ownership tag is already there.
    AlreadyAdopted {
        /// Its name.
        name: String,
    },
    /// No such hub in Azure: `hubctl apply` creates it (adopted from the start).
    NotFound {
        /// Its name.
        name: String,
    },
    /// Live differs from the manifest (`changes` changes, or refusals): refused.
    Differs {
        /// Its name.
        name: String,
        /// How many changes its plan has.
        changes: usize,
    },
}

impl Adoption {
    /// Whether this hub keeps adoption from going ahead (nothing is written then).
    pub fn refused(&self) -> bool {
        matches!(self, Adoption::Differs { .. })
    }
}

/// What adopting the hubs of `desired` means, given what was read and the plan made from it.
pub fn adoptions(desired: &Desired, live: &Live, plan: &Plan) -> Vec<Adoption> {
    desired
        .hubs
        .iter()
        .map(|hub| {
            let m = &hub.metadata;
            let id = ArmId::workspace(m.subscription.as_str(), &m.resource_group, &m.name);
            let name = m.name.clone();
            let Some(live_hub) = live.hubs.get(id.key()) else {
                return Adoption::NotFound { name };
            };
            if is_adopted(&live_hub.workspace) {
                return Adoption::AlreadyAdopted { name };
            }
            let changes = plan
                .changes
                .iter()
                .filter(|c| c.hub == id.key() && c.action != Action::NoOp)
                .count();
            if changes > 0 {
                return Adoption::Differs { name, changes };
            }
            let tags = tags(hub, &digest::hub(hub), live_hub.workspace.tags.as_ref());
            let marks = plan
                .changes
                .iter()
                .filter(|c| {
                    c.hub == id.key()
                        && c.kind == ResourceKind::RoleAssignment
                        && c.reasons == [Reason::NoOpBecauseEquivalentExists]
                        && c.after.is_some()
                })
                .map(|c| Change {
                    action: Action::Update,
                    reasons: vec![Reason::UpdateBecauseAssignmentAdopted],
                    ..c.clone()
                })
                .collect();
            Adoption::Ready { id, name, tags, marks }
        })
        .collect()
}
