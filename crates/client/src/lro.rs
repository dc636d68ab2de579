//! Long-running operations as ARM defines them (`Azure/azure-resource-manager-rpc`
//! `v1.0/async-api-reference.md`; NOTES.md §6): follow `Azure-AsyncOperation` when present,
//! else `Location`; wait `Retry-After`; stop at a terminal state; surface the service's error
//! with its code; give up at a deadline.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::error::ClientError;
use crate::pipeline::{ArmResponse, Pipeline};

/// What the operation does, which decides what its end looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LroKind {
    /// PUT or PATCH: ends with the resource.
    Write,
    /// DELETE: ends with nothing.
    Delete,
}

/// A started operation; [`Poller::wait`] follows it to its end.
pub struct Poller<'a> {
    pub(crate) pipeline: &'a Pipeline,
    pub(crate) operation: String,
    pub(crate) resource_url: String,
    pub(crate) kind: LroKind,
    pub(crate) first: ArmResponse,
    pub(crate) deadline: Duration,
    pub(crate) default_delay: Duration,
}

impl Poller<'_> {
    /// Wait for the end: the final resource body for writes (`None` for deletes).
    pub async fn wait(self) -> Result<Option<Value>, ClientError> {
        let started = Instant::now();
        let first = &self.first;
        let async_url = first.header("azure-asyncoperation").map(str::to_string);
        let location = first.header("location").map(str::to_string);
        if first.status != 202 && async_url.is_none() {
            // ARM RPC: a 200/201 whose body is not in a terminal provisioning state yet is
            // still running; with no header to follow, the resource itself is polled.
            if self.kind == LroKind::Write && location.is_none() && !is_terminal(first) {
                return self.poll_resource(started).await;
            }
            return Ok(self.body_of(first));
        }
        let (url, via_async) = match (async_url, location) {
            (Some(url), _) => (url, true),
            (None, Some(url)) => (url, false),
            (None, None) => {
                return Err(ClientError::Decode {
                    url: self.resource_url.clone(),
                    reason: "202 without Location or Azure-AsyncOperation".into(),
                });
            }
        };
        crate::cloud::check_endpoint(&url)?;
        // A `Retry-After: 0` is read as "soon", not "now": poll at the default interval.
        let mut delay = first.retry_after().filter(|d| !d.is_zero()).unwrap_or(self.default_delay);
        loop {
            if started.elapsed() + delay > self.deadline {
                return Err(ClientError::Deadline {
                    operation: self.operation.clone(),
                    url: self.resource_url.clone(),
                    after: self.deadline,
                });
            }
            tokio::time::sleep(delay).await;
            let poll = self
                .pipeline
                .send(reqwest::Method::GET, &url, None, &[200, 201, 202, 204])
                .await
                .map_err(|e| {
                    // After completion, an error from the Location URL is the operation's failure. A
                    // 5xx may also be a passing fault, so it was retried first; once retries are
                    // spent it is the operation's answer too.
                    let service = match e {
                        ClientError::RetriesExhausted { last, .. }
                            if matches!(*last, ClientError::Service { .. }) =>
                        {
                            *last
                        }
                        other => other,
                    };
                    match service {
                        ClientError::Service { code, message, .. } if !via_async => {
                            ClientError::OperationFailed {
                                operation: self.operation.clone(),
                                url: self.resource_url.clone(),
                                code,
                                message,
                            }
                        }
                        other => other,
                    }
                })?;
            delay = poll.retry_after().filter(|d| !d.is_zero()).unwrap_or(self.default_delay);
            if via_async {
                let status: Value = poll.json(&url)?;
                match status["status"].as_str().unwrap_or("InProgress") {
                    "Succeeded" => return self.final_get().await,
                    "Failed" | "Canceled" => {
                        return Err(ClientError::OperationFailed {
                            operation: self.operation.clone(),
                            url: self.resource_url.clone(),
                            code: status["error"]["code"]
                                .as_str()
                                .unwrap_or("OperationFailed")
                                .to_string(),
                            message: status["error"]["message"]
                                .as_str()
                                .unwrap_or_default()
                                .to_string(),
                        });
                    }
                    _ => continue,
                }
            }
            if poll.status == 202 {
                continue;
            }
            return Ok(self.body_of(&poll));
        }
    }

    /// Poll the resource's own URL until its `provisioningState` is terminal.
    async fn poll_resource(&self, started: Instant) -> Result<Option<Value>, ClientError> {
        let mut delay =
            self.first.retry_after().filter(|d| !d.is_zero()).unwrap_or(self.default_delay);
        loop {
            if started.elapsed() + delay > self.deadline {
                return Err(ClientError::Deadline {
                    operation: self.operation.clone(),
                    url: self.resource_url.clone(),
                    after: self.deadline,
                });
            }
            tokio::time::sleep(delay).await;
            let poll =
                self.pipeline.send(reqwest::Method::GET, &self.resource_url, None, &[200]).await?;
            delay = poll.retry_after().filter(|d| !d.is_zero()).unwrap_or(self.default_delay);
            let body: Value = poll.json(&self.resource_url)?;
            match state_of(&body) {
                Some(s)
                    if s.eq_ignore_ascii_case("Failed") || s.eq_ignore_ascii_case("Canceled") =>
                {
                    return Err(ClientError::OperationFailed {
                        operation: self.operation.clone(),
                        url: self.resource_url.clone(),
                        code: format!("ProvisioningState{s}"),
                        message: format!("the resource ended in provisioning state {s}"),
                    });
                }
                Some(s) if !s.eq_ignore_ascii_case("Succeeded") => continue,
                _ => return Ok(Some(body)),
            }
        }
    }

    fn body_of(&self, response: &ArmResponse) -> Option<Value> {
        if self.kind == LroKind::Delete || response.body.is_empty() {
            return None;
        }
        serde_json::from_slice(&response.body).ok()
    }

    async fn final_get(&self) -> Result<Option<Value>, ClientError> {
        if self.kind == LroKind::Delete {
            return Ok(None);
        }
        let response =
            self.pipeline.send(reqwest::Method::GET, &self.resource_url, None, &[200]).await?;
        Ok(Some(response.json(&self.resource_url)?))
    }
}

fn state_of(body: &Value) -> Option<&str> {
    body["properties"]["provisioningState"].as_str()
}

/// Whether a write's first answer is final: no body, or no provisioning state, or a terminal one.
fn is_terminal(response: &ArmResponse) -> bool {
    let Ok(body) = serde_json::from_slice::<Value>(&response.body) else { return true };
    match state_of(&body) {
        None => true,
        Some(s) => ["Succeeded", "Failed", "Canceled"].iter().any(|t| t.eq_ignore_ascii_case(s)),
    }
}
