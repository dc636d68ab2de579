//! The emulator's tests use the shared fixture (hubctl-test) and the replay fixtures kept here.

#![allow(dead_code, unused_imports)]

use std::path::PathBuf;

pub use hubctl_test::cloud::*;
pub use hubctl_test::{AUTH_API, RG, SUB, WS_API, example_seed, id, workspace_root};

/// The public examples the emulator replays, kept in the repository (`tests/fixtures/arm-reference`,
/// with their source and licence in its SOURCES.md) so a clone with nothing beside it tests the same.
pub fn arm_reference() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/arm-reference")
}
