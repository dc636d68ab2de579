//! Stage two of parsing: one document's [`Node`] tree to a typed [`Hub`], with every
//! field-level and cross-field check of a single manifest — one module per manifest section,
//! with the same names as in hubctl-plan and the emulator:
//!
//! | module | fields |
//! |---|---|
//! | [`hub`] | the document, `metadata` (tags included), `spec` itself and its plain fields |
//! | [`identity`] | `identity`, `credentialStore`, `encryption` |
//! | [`network`] | `network` (isolation, firewall, outbound rules) |
//! | [`connections`] | `connections` |
//! | [`access`] | `access` (hub and project level) |
//! | [`projects`] | `projects` |
//!
//! Checks that span documents (two manifests for one hub, workspace names shared in a resource
//! group) live in [`crate::check`]. Each section's field lists are also the manifest's field
//! lists in the JSON Schema; a test in [`crate::schema`] keeps the two equal.

use crate::ids::{ArmId, ResourceType};
use crate::read::{Choice, Cx, Fields};

pub(crate) mod access;
pub(crate) mod connections;
pub(crate) mod hub;
pub(crate) mod identity;
pub(crate) mod network;
pub(crate) mod projects;

pub use hub::{API_VERSION, NON_MANIFEST_KINDS, RESERVED_TAG_COUNT, RESERVED_TAG_PREFIX};
pub(crate) use hub::{DocumentOutcome, document};

/// `impl Choice` for an enum: its names as written and its values.
macro_rules! choice {
    ($t:ty { $($name:literal => $value:expr),+ $(,)? }) => {
        impl Choice for $t {
            const NAMES: &'static [&'static str] = &[$($name),+];
            const VALUES: &'static [Self] = &[$($value),+];
        }
    };
}

pub(crate) use choice;

pub(crate) fn optional_string(
    cx: &mut Cx<'_>,
    fields: &Fields<'_>,
    name: &str,
) -> Result<Option<String>, ()> {
    match fields.get(cx, name) {
        Some((f, p)) => cx.string(f, &p).map(Some).ok_or(()),
        None => Ok(None),
    }
}

pub(crate) fn optional_id(
    cx: &mut Cx<'_>,
    fields: &Fields<'_>,
    name: &str,
    expected: ResourceType,
) -> Result<Option<ArmId>, ()> {
    match fields.get(cx, name) {
        Some((f, p)) => cx.arm_id(f, &p, Some(expected)).map(Some).ok_or(()),
        None => Ok(None),
    }
}

pub(crate) fn choice_or<T: Choice>(
    cx: &mut Cx<'_>,
    fields: &Fields<'_>,
    name: &str,
    default: T,
) -> Option<T> {
    match fields.get(cx, name) {
        Some((f, p)) => cx.choice(f, &p),
        None => Some(default),
    }
}

pub(crate) fn bool_or(
    cx: &mut Cx<'_>,
    fields: &Fields<'_>,
    name: &str,
    default: bool,
) -> Option<bool> {
    match fields.get(cx, name) {
        Some((f, p)) => cx.boolean(f, &p),
        None => Some(default),
    }
}
