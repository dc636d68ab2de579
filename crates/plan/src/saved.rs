//! The saved-plan format, in one module: format version, provenance, strict decoding, and the
//! two refusals apply makes before anything else — "made for another target" and "stale: X
//! changed" (Terraform's `backend_local.go` checks, house rule 4).

use std::collections::BTreeMap;

use crate::change::{FORMAT_VERSION, Origin, OriginMark, Plan};

/// Why a saved plan cannot be applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SavedPlanError {
    /// Not a plan file of ours.
    #[error("not a hubctl plan file: {reason}")]
    Unreadable {
        /// Why.
        reason: String,
    },
    /// Another format version.
    #[error(
        "plan file format {found} is not {FORMAT_VERSION}; make the plan again with this hubctl"
    )]
    WrongVersion {
        /// The version found.
        found: u32,
    },
    /// Made against another ARM endpoint.
    #[error(
        "the plan was made for {planned} but this run targets {current}; make the plan again against this target"
    )]
    OtherTarget {
        /// The plan's target.
        planned: String,
        /// This run's.
        current: String,
    },
    /// Live state changed since the plan was made.
    #[error("the plan is stale: {} changed since it was made ({}); run `hubctl plan` again", .changed.len(), .changed.join(", "))]
    Stale {
        /// The resources whose live state differs.
        changed: Vec<String>,
    },
}

/// The plan file's text: pretty JSON with a final newline (the same inputs, the same bytes).
pub fn to_text(plan: &Plan) -> String {
    let mut text = serde_json::to_string_pretty(plan).unwrap_or_default();
    text.push('\n');
    text
}

/// Read a plan file, strictly: unknown fields and other versions are refused.
pub fn from_text(text: &str) -> Result<Plan, SavedPlanError> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| SavedPlanError::Unreadable { reason: e.to_string() })?;
    let version = value
        .get("formatVersion")
        .and_then(|v| v.as_u64())
        .ok_or_else(|| SavedPlanError::Unreadable { reason: "no formatVersion".into() })?;
    if version != u64::from(FORMAT_VERSION) {
        return Err(SavedPlanError::WrongVersion {
            found: u32::try_from(version).unwrap_or(u32::MAX),
        });
    }
    serde_json::from_value(value).map_err(|e| SavedPlanError::Unreadable { reason: e.to_string() })
}

/// Check a saved plan against this run's target and freshly read fingerprints; the plan comes
/// back [`Origin::Checked`], which hubctl-apply requires of a plan read from a file.
pub fn check(
    mut saved: Plan,
    target: &str,
    fresh: &BTreeMap<String, String>,
) -> Result<Plan, SavedPlanError> {
    if !saved.provenance.target.eq_ignore_ascii_case(target) {
        return Err(SavedPlanError::OtherTarget {
            planned: saved.provenance.target.clone(),
            current: target.to_string(),
        });
    }
    let mut changed: Vec<String> = saved
        .fingerprints
        .iter()
        .filter(|(key, digest)| fresh.get(*key) != Some(*digest))
        .map(|(key, _)| key.clone())
        .collect();
    // A planned hub that did not exist when the plan was made, but does now. Other resources
    // that appeared meanwhile (another shard's hubs, hubs the plan does not touch) are not
    // the plan's business.
    changed.extend(
        saved
            .hubs
            .keys()
            .filter(|k| !saved.fingerprints.contains_key(*k) && fresh.contains_key(*k))
            .cloned(),
    );
    changed.sort();
    changed.dedup();
    if !changed.is_empty() {
        return Err(SavedPlanError::Stale { changed });
    }
    saved.origin = OriginMark(Origin::Checked);
    Ok(saved)
}
