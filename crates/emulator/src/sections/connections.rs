//! Connections: `workspaces/{ws}/connections/{name}`, served without their credentials.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::hub::parent;
use super::hub::write::body_id;
use super::*;
use crate::app::{Call, method_not_allowed};
use crate::error::{ArmError, ArmResult, Reply};
use crate::state::State;

pub(crate) fn connection_view(stored: &Value) -> Value {
    let mut view = stored.clone();
    if let Some(p) = view["properties"].as_object_mut() {
        // Secrets are never read back (the service has a separate listsecrets action).
        p.remove("credentials");
    }
    view
}

pub(crate) fn connection(state: &mut State, call: &Call, ws: Ws<'_>, name: &str) -> ArmResult {
    let Ws { rg, .. } = ws;
    let (key, workspace) = parent(state, ws)?;
    let workspace_id = body_id(workspace);
    let connection_key = format!("{key}/connections/{}", name.to_ascii_lowercase());
    match call.method {
        Method::GET => {
            state.resources.get(&connection_key).map(connection_view).map(Reply::ok).ok_or_else(
                || ArmError::resource_not_found(&format!("{WORKSPACE_TYPE}/connections"), name, rg),
            )
        }
        Method::PUT => {
            if !is_service_name(name) {
                return Err(invalid_name("connection", name));
            }
            let request = call.json()?;
            let properties = request.get("properties").cloned().unwrap_or(Value::Null);
            if properties["category"].as_str().is_none_or(str::is_empty)
                || properties["authType"].as_str().is_none_or(str::is_empty)
            {
                return Err(ArmError::bad_request(
                    "BadRequest",
                    "A connection needs properties.category and properties.authType.",
                ));
            }
            // A blob connection names its account and container; azure-ai-ml requires both
            // (connection_subtypes.py). The service's own refusal is not public (**inferred**:
            // refused, the stricter reading).
            if eq(properties["category"].as_str().unwrap_or_default(), "AzureBlob") {
                for required in ["AccountName", "ContainerName"] {
                    if properties["metadata"][required].as_str().is_none_or(str::is_empty) {
                        return Err(ArmError::bad_request(
                            "BadRequest",
                            format!("An AzureBlob connection needs metadata.{required}."),
                        ));
                    }
                }
            }
            let mut properties = properties;
            properties["createdByWorkspaceArmId"] = json!(workspace_id);
            let stored = json!({
                "id": format!("{workspace_id}/connections/{name}"),
                "name": name,
                "type": "Microsoft.MachineLearningServices/workspaces/connections",
                "properties": properties,
            });
            state.resources.insert(connection_key, stored.clone());
            Ok(Reply::ok(connection_view(&stored)))
        }
        Method::DELETE => match state.resources.remove(&connection_key) {
            Some(_) => Ok(Reply::empty(StatusCode::OK)),
            None => Ok(Reply::empty(StatusCode::NO_CONTENT)),
        },
        _ => Err(method_not_allowed(call)),
    }
}
