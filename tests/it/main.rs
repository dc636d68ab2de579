//! The integration suite: one binary, a module per topic (ripgrep's `tests/tests.rs` layout).
//!
//! Tests here drive the real `hubctl` binary or the public API of the crates, never private
//! code; rules are unit-tested beside their code.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod adoption;
mod crash;
mod emulator;
mod fidelity;
mod flags;
mod foundry;
mod lab;
mod lifecycle;
mod manifest_errors;
mod no_panic;
mod permissions;
mod policies;
mod principals;
mod recipes;
mod schema;
mod security;
mod support;
mod throttling;
mod validate;
