//! ARM's error envelope and the responses the emulator sends.
//!
//! Every failure, from a bad path to a refused change, leaves as
//! `{"error": {"code", "message", "target"?, "details"?}}` with an HTTP status, as
//! `Azure/azure-resource-manager-rpc` `v1.0/common-api-details.md` ("Error Response Content")
//! specifies. Codes and messages are the service's where they are public
//! (shared/arm-reference/NOTES.md §5, §8, §10); where we had to choose one, a comment says so.

use axum::http::StatusCode;
use serde_json::{Value, json};

/// An ARM error: status, code, message.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmError {
    /// HTTP status.
    pub status: StatusCode,
    /// ARM's PascalCase code.
    pub code: String,
    /// The human message.
    pub message: String,
    /// Optional `target`.
    pub target: Option<String>,
}

impl ArmError {
    /// An error with status, code and message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ArmError {
        ArmError { status, code: code.to_string(), message: message.into(), target: None }
    }
    /// 400 with a code.
    pub fn bad_request(code: &str, message: impl Into<String>) -> ArmError {
        ArmError::new(StatusCode::BAD_REQUEST, code, message)
    }
    /// 409 with a code.
    pub fn conflict(code: &str, message: impl Into<String>) -> ArmError {
        ArmError::new(StatusCode::CONFLICT, code, message)
    }
    /// 404 ResourceNotFound in ARM's wording.
    pub fn resource_not_found(arm_type: &str, name: &str, resource_group: &str) -> ArmError {
        ArmError::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!(
                "The Resource '{arm_type}/{name}' under resource group '{resource_group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
            ),
        )
    }
    /// 404 ResourceGroupNotFound in ARM's wording.
    pub fn resource_group_not_found(resource_group: &str) -> ArmError {
        ArmError::new(
            StatusCode::NOT_FOUND,
            "ResourceGroupNotFound",
            format!("Resource group '{resource_group}' could not be found."),
        )
    }
    /// 404 ParentResourceNotFound.
    pub fn parent_not_found(parent: &str) -> ArmError {
        ArmError::new(
            StatusCode::NOT_FOUND,
            "ParentResourceNotFound",
            format!(
                "Can not perform requested operation on nested resource. Parent resource '{parent}' not found."
            ),
        )
    }
    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(target) = &self.target {
            error["target"] = Value::String(target.clone());
        }
        json!({ "error": error })
    }
}

/// A response before the common ARM headers are added.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status.
    pub status: StatusCode,
    /// Extra headers (`Location`, `Retry-After`, …).
    pub headers: Vec<(String, String)>,
    /// JSON body, if any.
    pub body: Option<Value>,
}

impl Reply {
    /// 200 with a body.
    pub fn ok(body: Value) -> Reply {
        Reply { status: StatusCode::OK, headers: Vec::new(), body: Some(body) }
    }
    /// A status with a body.
    pub fn with_status(status: StatusCode, body: Value) -> Reply {
        Reply { status, headers: Vec::new(), body: Some(body) }
    }
    /// A status without a body.
    pub fn empty(status: StatusCode) -> Reply {
        Reply { status, headers: Vec::new(), body: None }
    }
    /// Add a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

impl From<ArmError> for Reply {
    fn from(error: ArmError) -> Reply {
        Reply { status: error.status, headers: Vec::new(), body: Some(error.body()) }
    }
}

/// What handlers return.
pub type ArmResult = Result<Reply, ArmError>;
