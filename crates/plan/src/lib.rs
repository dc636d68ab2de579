//! # hubctl-plan: what would change, in what order, and what Azure refuses
//!
//! ## Overview
//!
//! The heart of hubctl, and pure: `plan(&Desired, &Live, &PlanOptions) -> Plan` does no I/O
//! (the dependency graph enforces it: no network, async or file-system crate here; CI checks).
//! A [`Plan`] is plain data — the same value is rendered for a person, saved with `--out` and
//! executed by apply. Its changes carry an [`Action`] that decides and [`Reason`]s that only
//! explain; refusals come from one table ([`reasons::RULES`], also docs/rules.md).
//!
//! Modules: [`planner`] walks the fleet; [`sections`] has one module per manifest section
//! (hub, identity, network, connections, access, projects), each with its diff and its
//! mapping to ARM both ways; [`import`] writes a live hub as a manifest; [`order`] sequences,
//! [`digest`] fingerprints, [`saved`] owns the plan-file format and refuses a stale one.
//!
//! Not here: reading Azure (hubctl-client), executing (hubctl-apply), printing (the binary).
//!
//! ## Example
//!
//! ```
//! use hubctl_plan::{plan, Action, PlanOptions};
//!
//! let manifest = r#"
//! apiVersion: hubctl/v1
//! kind: Hub
//! metadata: { name: contoso-hub, subscription: 00000000-0000-0000-0000-000000000001, resourceGroup: rg, location: eastus2 }
//! spec:
//!   storageAccount: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa
//! "#;
//! let desired = hubctl_spec::load_str(std::path::Path::new("hub.yaml"), manifest).unwrap();
//! let plan = plan(&desired, &hubctl_model::Live::default(), &PlanOptions::default());
//! assert_eq!(plan.changes[0].action, Action::Create);
//! ```

pub mod adopt;
pub mod change;
pub mod digest;
pub mod import;
pub mod order;
pub mod permissions;
pub mod planner;
mod quota;
pub mod reasons;
pub mod roles;
pub mod saved;
pub mod sections;

pub use change::*;
pub use planner::{PlanOptions, plan};
pub use reasons::{Reason, WarningKind};
pub use sections::access::assignment_name;
pub use sections::hub::{DIGEST_TAG, OWNER_TAG, OWNER_VALUE, is_adopted};

/// The JSON Schema of a plan (`--format json` and plan files), as in schemas/plan.schema.json.
pub fn plan_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&schemars::schema_for!(Plan)).unwrap_or_default();
    text.push('\n');
    text
}
