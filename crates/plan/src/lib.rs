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
//! Modules: [`planner`] compares and normalises, [`mapping`] is the one place manifest names
//! meet ARM's, [`order`] sequences, [`digest`] fingerprints, [`saved`] owns the plan-file
//! format, [`simulate`] applies a plan in memory.
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

pub mod change;
pub mod digest;
pub mod mapping;
pub mod order;
pub mod planner;
pub mod reasons;
pub mod roles;
pub mod saved;
pub mod simulate;

pub use change::*;
pub use planner::{PlanOptions, assignment_name, plan};
pub use reasons::{Reason, WarningKind};

/// The JSON Schema of a plan (`--format json` and plan files), as in schemas/plan.schema.json.
pub fn plan_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&schemars::schema_for!(Plan)).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests;
