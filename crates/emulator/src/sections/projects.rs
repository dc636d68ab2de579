//! Projects: workspaces of kind `Project`; their hub is fixed when they are created (the rest
//! of a project is served as a workspace, in [`super::hub`]).

use serde_json::Value;

use super::*;
use crate::error::ArmError;

/// A project's hub is fixed (hubResourceId is set at creation).
pub(crate) fn check_transition(old: &Value, new: &Value) -> Result<(), ArmError> {
    let (op, np) = (&old["properties"], &new["properties"]);
    let refuse = |message: &str| Err(ArmError::bad_request("BadRequest", message.to_string()));
    let same_id = |field: &str| -> bool {
        match (str_of(op, field), str_of(np, field)) {
            (None, None) => true,
            (Some(a), Some(b)) => eq(a.trim_end_matches('/'), b.trim_end_matches('/')),
            _ => false,
        }
    };
    if !same_id("hubResourceId") {
        return refuse(
            "The hub of a project cannot be changed (hubResourceId is set at creation).",
        );
    }
    Ok(())
}
