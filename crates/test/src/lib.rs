//! # hubctl-test: what hubctl's tests share (dev-only)
//!
//! - [`cloud`]: a running emulator with an HTTPS client that trusts its CA and a token from
//!   azure_identity, as hubctl signs in — the fixture of the emulator's, the client's and the
//!   end-to-end tests.
//! - [`arm`]: an `ArmClient` signed in to an emulator as hubctl signs in.
//! - [`simulate`]: a plan applied to live state in memory, what a successful apply would leave
//!   (the planner's rule tests and its idempotence property).
//! - The constants and paths every suite uses.
//!
//! Nothing here is shipped: only `[dev-dependencies]` name this crate.

use std::path::PathBuf;

use hubctl_emulator::Seed;

pub mod arm;
pub mod cloud;
pub mod simulate;

pub use cloud::Cloud;

/// The subscription of the example seed and the test manifests.
pub const SUB: &str = "00000000-0000-0000-0000-000000000001";
/// The example seed's resource group.
pub const RG: &str = "rg-ai-platform";
/// The workspaces api-version.
pub const WS_API: &str = "2026-05-01";
/// The authorization api-version.
pub const AUTH_API: &str = "2022-04-01";

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The examples folder.
pub fn examples() -> PathBuf {
    workspace_root().join("examples")
}

/// The local cloud's example seed.
#[allow(clippy::expect_used)]
pub fn example_seed() -> Seed {
    Seed::from_file(&examples().join("local-cloud-seed.yaml")).expect("the example seed parses")
}

/// An ARM id in the example resource group: `id("Microsoft.Storage/storageAccounts", "sa")`.
pub fn id(arm_type: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{RG}/providers/{arm_type}/{name}")
}
