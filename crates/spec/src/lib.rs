//! # hubctl-spec: the hub manifest
//!
//! ## Overview
//!
//! This crate is the manifest a platform engineer writes (CONTRACT §1): its typed model, its
//! loading from files and folders, and every check that can be made without Azure. It knows
//! nothing of ARM's wire format, of HTTP or of the planner: it turns YAML into a [`Desired`]
//! whose values are known good, or into a list of [`Diagnostic`]s, each
//! `file:line:col: field.path: message`, all of them at once.
//!
//! Parsing has two stages (as ripgrep's `LowArgs` → `HiArgs`): [`raw`] turns YAML into a tree
//! that keeps every node's position, then one reader per manifest section (`sections`) reads that tree into the typed model,
//! reporting every problem it meets rather than stopping at the first. The JSON Schema for
//! editors comes from [`schema`].
//!
//! Not here: comparing with live state (hubctl-plan), ARM models (hubctl-model), output
//! formatting (the `hubctl` binary).
//!
//! ## Example
//!
//! ```
//! use std::path::Path;
//!
//! let text = r#"
//! apiVersion: hubctl/v1
//! kind: Hub
//! metadata:
//!   name: contoso-hub
//!   subscription: 00000000-0000-0000-0000-000000000001
//!   resourceGroup: rg-ai
//!   location: eastus2
//! spec:
//!   storageAccount: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ai/providers/Microsoft.Storage/storageAccounts/contosohubsa
//! "#;
//! let desired = hubctl_spec::load_str(Path::new("hub.yaml"), text).expect("valid");
//! assert_eq!(desired.hubs[0].metadata.name, "contoso-hub");
//!
//! let broken = text.replace("eastus2", "East US 2");
//! let invalid = hubctl_spec::load_str(Path::new("hub.yaml"), &broken).unwrap_err();
//! assert_eq!(
//!     invalid.diagnostics[0].to_string(),
//!     "hub.yaml:8:13: metadata.location: \"East US 2\" is not an Azure region name; \
//!      expected the short form, lower case without spaces (e.g. eastus2)"
//! );
//! ```

mod check;
pub mod ids;
mod load;
pub mod model;
mod problem;
pub mod raw;
mod read;
pub mod schema;
mod sections;
mod source;

pub use load::{Invalid, MAX_FILE_BYTES, load, load_many, load_str};
pub use model::Desired;
pub use problem::Problem;
pub use sections::{
    API_VERSION, NON_MANIFEST_KINDS, RESERVED_TAG_COUNT, RESERVED_TAG_PREFIX, view, view_foundry,
};
pub use source::{Diagnostic, FieldPath, Location, Pos};
