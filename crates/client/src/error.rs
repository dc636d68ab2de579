//! What can go wrong talking to ARM, each error saying where and, where it can, what to do.

use std::time::Duration;

/// An error of the ARM client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// An endpoint that is not https (or http on loopback).
    #[error("endpoint {url} is refused: {reason}")]
    InvalidEndpoint {
        /// The endpoint.
        url: String,
        /// Why.
        reason: String,
    },
    /// The CA file for `--ca-cert` could not be used.
    #[error("cannot use CA certificate {path}: {reason}")]
    CaCertificate {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// No credential could sign in.
    #[error(transparent)]
    Credential(#[from] crate::credential::CredentialError),
    /// ARM answered with an error.
    #[error("{method} {url}: {status} {code}: {message}{}", request_id.as_deref().map(|r| format!(" (request id {r})")).unwrap_or_default())]
    Service {
        /// Method.
        method: String,
        /// URL (no secrets: ARM URLs carry none).
        url: String,
        /// HTTP status.
        status: u16,
        /// ARM's error code.
        code: String,
        /// ARM's message.
        message: String,
        /// `x-ms-request-id`.
        request_id: Option<String>,
    },
    /// The request could not be sent or its answer not read.
    #[error("{method} {url}: {reason}")]
    Transport {
        /// Method.
        method: String,
        /// URL.
        url: String,
        /// The transport's reason.
        reason: String,
        /// Whether the request surely never reached the server (safe to retry a write).
        not_sent: bool,
    },
    /// Retries ran out.
    #[error("{method} {url}: gave up after {attempts} attempts in {elapsed:?}; last error: {last}")]
    RetriesExhausted {
        /// Method.
        method: String,
        /// URL.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// Time spent.
        elapsed: Duration,
        /// The last failure.
        last: Box<ClientError>,
    },
    /// Throttling or a running operation was still being waited out when the run's deadline
    /// came.
    #[error(
        "{method} {url}: still waiting when the run's deadline ({deadline:?}, hubctl --deadline) passed; last answer: {last}"
    )]
    RunDeadline {
        /// Method.
        method: String,
        /// URL.
        url: String,
        /// The run's deadline.
        deadline: Duration,
        /// The last answer (429 or 409).
        last: Box<ClientError>,
    },
    /// A long-running operation did not finish in time.
    #[error("operation {operation} on {url} did not finish within {after:?}")]
    Deadline {
        /// What was running.
        operation: String,
        /// The resource.
        url: String,
        /// The deadline.
        after: Duration,
    },
    /// A long-running operation ended Failed or Canceled.
    #[error("operation {operation} on {url} failed: {code}: {message}")]
    OperationFailed {
        /// What was running.
        operation: String,
        /// The resource.
        url: String,
        /// The service's code.
        code: String,
        /// The service's message.
        message: String,
    },
    /// An answer did not have the expected shape.
    #[error("{url}: cannot read the answer: {reason}")]
    Decode {
        /// URL.
        url: String,
        /// Why.
        reason: String,
    },
}

impl ClientError {
    /// The service's error code, when the service answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ClientError::Service { code, .. } | ClientError::OperationFailed { code, .. } => {
                Some(code)
            }
            ClientError::RetriesExhausted { last, .. } | ClientError::RunDeadline { last, .. } => {
                last.code()
            }
            _ => None,
        }
    }
    /// The HTTP status, when the service answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Service { status, .. } => Some(*status),
            ClientError::RetriesExhausted { last, .. } | ClientError::RunDeadline { last, .. } => {
                last.status()
            }
            _ => None,
        }
    }
}
