//! The resources, one module per manifest section (the same names as in hubctl-spec,
//! hubctl-plan and the emulator): [`hub`] the workspace itself (hubs and projects),
//! [`identity`] the identity and encryption blocks, [`network`] the managed network and its
//! outbound rules, [`connections`], [`access`] role assignments and definitions; [`foundry`]
//! the Foundry resource (a Cognitive Services account) and its projects.
//! Projects are workspaces, so they have no module of their own here.

pub mod access;
pub mod connections;
pub mod foundry;
pub mod hub;
pub mod identity;
pub mod network;

pub use access::*;
pub use connections::*;
pub use foundry::*;
pub use hub::*;
pub use identity::*;
pub use network::*;
