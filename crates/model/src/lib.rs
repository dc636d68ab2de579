//! # hubctl-model: ARM's wire format for what hubctl manages
//!
//! ## Overview
//!
//! Typed models of the ARM resources hubctl reads and writes, at one api-version each
//! ([`WORKSPACES_API_VERSION`], [`AUTHORIZATION_API_VERSION`]; docs/arm-mapping.md), and the
//! [`Live`] snapshot the inventory fills and the planner compares with. Serde only: no I/O, no
//! async, no HTTP (as kube-core is to kube-client) — a check in the test suite keeps it so.
//!
//! Two rules shape every type here:
//! - Nothing the service sends is dropped. Each object keeps the fields it does not model in
//!   `other`, so a read-modify-write sends them back untouched.
//! - Enums the service may grow take unknown strings as `Unknown(String)`, never a panic or a
//!   failed read; known values compare case-insensitively (ARM echoes `hub` and `Hub`).
//!
//! ## Example
//!
//! ```
//! use hubctl_model::{IsolationMode, Workspace};
//!
//! let json = r#"{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/h",
//!   "name": "h", "kind": "hub", "location": "eastus2", "futureField": 1,
//!   "properties": {"managedNetwork": {"isolationMode": "AllowOnlyApprovedOutbound"}}}"#;
//! let ws: Workspace = serde_json::from_str(json).unwrap();
//! assert!(ws.is_hub());
//! assert_eq!(ws.properties.managed_network.unwrap().isolation_mode, Some(IsolationMode::AllowOnlyApprovedOutbound));
//! assert_eq!(ws.other["futureField"], 1);
//! ```

mod arm;
mod enums;
mod id;
mod live;
pub mod sections;

pub use arm::*;
pub use enums::*;
pub use id::*;
pub use live::*;
pub use sections::*;

use serde_json::{Map, Value};

/// Fields a type does not model, kept for the round trip.
pub type Other = Map<String, Value>;

/// The api-version hubctl uses for `Microsoft.MachineLearningServices` (newest stable; NOTES.md §1).
pub const WORKSPACES_API_VERSION: &str = "2026-05-01";
/// The api-version hubctl uses for `Microsoft.CognitiveServices` (the first stable version with
/// projects, account and project connections; NOTES-foundry.md §1).
pub const COGNITIVE_SERVICES_API_VERSION: &str = "2025-06-01";
/// The api-version hubctl uses for `Microsoft.Authorization` (conditions need 2022-04-01 or later).
pub const AUTHORIZATION_API_VERSION: &str = "2022-04-01";
