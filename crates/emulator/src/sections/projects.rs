//! Projects: workspaces of kind `Project`; their hub is fixed when they are created (the rest
//! of a project is served as a workspace, in [`super::hub`]).

use serde_json::Value;

use super::*;
use crate::error::ArmError;

/// A project's hub is fixed (hubResourceId is set at creation).
pub(crate) fn check_transition(old: &Value, new: &Value) -> Result<(), ArmError> {
    let (op, np) = (&old["properties"], &new["properties"]);
    if !same_link(op, np, "hubResourceId") {
        return refuse(
            "The hub of a project cannot be changed (hubResourceId is set at creation).",
        );
    }
    Ok(())
}
