//! # hubctl-apply: make it so
//!
//! ## Overview
//!
//! [`apply`] executes a [`Plan`] through the [`ArmClient`]: the changes of one hub in plan
//! order, one at a time (outbound rules in parallel lose rules on the service), and independent
//! hubs in parallel up to a bound. It branches on each change's action only; reasons are for
//! people. Every step is an idempotent ARM write (PUT, PATCH, DELETE, deterministic role
//! assignment names), so a run stopped anywhere — crash, cancel, exhausted retries — converges
//! when run again.
//!
//! Before anything is sent: a plan with a blocked change is refused whole (or its hubs are
//! skipped whole with `skip_blocked`), and deletes of hubs or projects need `allow_delete`.
//! The digest of the applied manifest is written to the hub last, once all its changes
//! succeeded, so `hubctl drift` can tell drift from pending even after a partial run.
//! Progress goes to an [`ApplyObserver`] (the CLI prints timestamped lines), which may halt a hub.
//!
//! ## Example
//!
//! ```no_run
//! # async fn example(plan: hubctl_plan::Plan, client: hubctl_client::ArmClient) {
//! use hubctl_apply::{apply, ApplyOptions, Silent};
//! let report = apply(&plan, &client, &ApplyOptions::default(), &Silent).await;
//! # }
//! ```

mod verify;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hubctl_client::{ArmClient, ClientError};
use hubctl_model::{Connection, OutboundRule, RoleAssignment, Workspace};
use hubctl_plan::mapping::DIGEST_TAG;
use hubctl_plan::{Action, Change, Plan, ResourceKind};
use serde_json::{Value, json};

/// How to apply.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// Skip hubs with a blocked change instead of refusing the whole plan.
    pub skip_blocked: bool,
    /// Deleting hubs and projects is allowed.
    pub allow_delete: bool,
    /// Hubs applied at once.
    pub concurrency: usize,
    /// How long to wait for a new principal to replicate before an assignment fails.
    pub principal_wait: Duration,
}

impl Default for ApplyOptions {
    fn default() -> ApplyOptions {
        ApplyOptions {
            skip_blocked: false,
            allow_delete: false,
            concurrency: 4,
            principal_wait: Duration::from_secs(60),
        }
    }
}

/// Why nothing was applied.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The plan has refused changes.
    #[error("{} change(s) are blocked; nothing was applied (pass --skip-blocked to apply the other hubs)", .0)]
    Blocked(usize),
    /// The plan deletes hubs or projects and that was not allowed.
    #[error("the plan deletes {}; nothing was applied (pass --allow-delete; at a terminal, deleting a hub can also be confirmed by typing its name)", .0.join(", "))]
    DeleteNotAllowed(Vec<String>),
}

/// What happened to one change.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase", tag = "status")]
pub enum StepStatus {
    /// Done.
    Done {
        /// How long it took (ms).
        ms: u64,
    },
    /// Failed: the service's code and message.
    Failed {
        /// ARM's code (or the transport's kind).
        code: String,
        /// The message.
        message: String,
    },
    /// Not started: an earlier change of its hub failed, or the observer halted.
    NotStarted,
    /// Skipped: its hub is blocked (with `skip_blocked`).
    Skipped,
}

/// One change's outcome.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// The change's id.
    pub change: String,
    /// Its hub.
    pub hub: String,
    /// Its action.
    pub action: Action,
    /// What it was about.
    pub display: String,
    /// What happened.
    pub status: StepStatus,
}

/// Every step, in plan order.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ApplyReport {
    /// The steps.
    pub steps: Vec<Step>,
}

impl ApplyReport {
    /// Whether every step that ran succeeded and none was left.
    pub fn succeeded(&self) -> bool {
        self.steps.iter().all(|s| matches!(s.status, StepStatus::Done { .. } | StepStatus::Skipped))
    }
}

/// Whether to go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Go on.
    Continue,
    /// Stop this hub here.
    Halt,
}

/// Progress of an apply (the CLI prints it; tests record it).
pub trait ApplyObserver: Send + Sync {
    /// Before a change is sent.
    fn before(&self, change: &Change) -> Flow;
    /// After it ended.
    fn after(&self, change: &Change, status: &StepStatus);
}

/// An observer that says nothing.
pub struct Silent;

impl ApplyObserver for Silent {
    fn before(&self, _: &Change) -> Flow {
        Flow::Continue
    }
    fn after(&self, _: &Change, _: &StepStatus) {}
}

/// Check the plan can be applied at all, before anything is sent.
pub fn preflight(plan: &Plan, options: &ApplyOptions) -> Result<(), ApplyError> {
    let blocked = plan.changes.iter().filter(|c| c.action == Action::Blocked).count();
    if blocked > 0 && !options.skip_blocked {
        return Err(ApplyError::Blocked(blocked));
    }
    let deletes: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| {
            c.action == Action::Delete
                && matches!(c.kind, ResourceKind::Hub | ResourceKind::Project)
        })
        .map(|c| c.display.clone())
        .collect();
    if !deletes.is_empty() && !options.allow_delete {
        return Err(ApplyError::DeleteNotAllowed(deletes));
    }
    Ok(())
}

/// Apply `plan`. Hubs are independent; a hub stops at its first failure.
pub async fn apply(
    plan: &Plan,
    client: &ArmClient,
    options: &ApplyOptions,
    observer: &dyn ApplyObserver,
) -> Result<ApplyReport, ApplyError> {
    preflight(plan, options)?;
    let mut hubs: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    for change in &plan.changes {
        hubs.entry(change.hub.as_str()).or_default().push(change);
    }
    let semaphore = Arc::new(tokio::sync::Semaphore::new(options.concurrency.max(1)));
    let runs = interleave_subscriptions(hubs).into_iter().map(|(hub, changes)| {
        let semaphore = semaphore.clone();
        async move {
            let _permit = semaphore.acquire().await;
            apply_hub(hub, &changes, client, options, observer).await
        }
    });
    let mut steps = Vec::new();
    for hub_steps in futures_util::future::join_all(runs).await {
        steps.extend(hub_steps);
    }
    Ok(ApplyReport { steps })
}

/// Hubs in an order that takes one from each subscription in turn: ARM's write budget is per
/// subscription, so hubs in flight spread over every subscription instead of queueing on the
/// first one's throttle.
fn interleave_subscriptions<'a>(
    hubs: BTreeMap<&'a str, Vec<&'a Change>>,
) -> Vec<(&'a str, Vec<&'a Change>)> {
    let mut queues: BTreeMap<String, std::collections::VecDeque<(&'a str, Vec<&'a Change>)>> =
        BTreeMap::new();
    for (hub, changes) in hubs {
        let subscription = hubctl_model::subscription_of(hub).unwrap_or_default();
        queues.entry(subscription).or_default().push_back((hub, changes));
    }
    let mut out = Vec::new();
    while queues.values().any(|q| !q.is_empty()) {
        for queue in queues.values_mut() {
            if let Some(next) = queue.pop_front() {
                out.push(next);
            }
        }
    }
    out
}

async fn apply_hub(
    hub: &str,
    changes: &[&Change],
    client: &ArmClient,
    options: &ApplyOptions,
    observer: &dyn ApplyObserver,
) -> Vec<Step> {
    let step = |change: &Change, status: StepStatus| Step {
        change: change.id.clone(),
        hub: hub.to_string(),
        action: change.action,
        display: change.display.clone(),
        status,
    };
    let blocked = changes.iter().any(|c| c.action == Action::Blocked);
    let actionable: Vec<&Change> =
        changes.iter().copied().filter(|c| !matches!(c.action, Action::NoOp)).collect();
    if blocked {
        return actionable.iter().map(|c| step(c, StepStatus::Skipped)).collect();
    }
    let mut steps = Vec::new();
    let mut failed = false;
    // The applied-manifest digest is written last, when every change of the hub succeeded.
    let mut final_tags: Option<Value> = None;
    for change in &actionable {
        if failed || observer.before(change) == Flow::Halt {
            failed = true;
            let status = StepStatus::NotStarted;
            observer.after(change, &status);
            steps.push(step(change, status));
            continue;
        }
        let started = Instant::now();
        let mut change = (*change).clone();
        if change.kind == ResourceKind::Hub
            && matches!(change.action, Action::Create | Action::Update)
            && let Some(tags) =
                change.after.as_mut().and_then(|a| a.get_mut("tags")).and_then(Value::as_object_mut)
            && tags.contains_key(DIGEST_TAG)
        {
            final_tags = Some(Value::Object(tags.clone()));
            tags.remove(DIGEST_TAG);
        }
        let result = execute_with_retry(&change, client, options).await;
        let status = match result {
            Ok(()) => StepStatus::Done { ms: started.elapsed().as_millis() as u64 },
            Err(e) => {
                failed = true;
                StepStatus::Failed {
                    code: e.code().unwrap_or("Error").to_string(),
                    message: e.to_string(),
                }
            }
        };
        observer.after(&change, &status);
        steps.push(step(&change, status));
    }
    if !failed
        && !actionable.is_empty()
        && let Err(problem) = verify::hub(changes, client, options).await
    {
        tracing::warn!(hub, "{problem}");
        failed = true;
        if let Some(last) = steps.last_mut() {
            last.status = StepStatus::Failed { code: "NotAsPlanned".into(), message: problem };
        }
    }
    if !failed
        && let Some(tags) = final_tags
        && let Some(hub_change) = actionable.iter().find(|c| c.kind == ResourceKind::Hub)
    {
        let (sub, rg, name) = parts(&hub_change.resource);
        let body = json!({ "tags": tags });
        // Written like any step: a passing failure of its operation is tried again.
        let result = retry_passing("the applied-manifest digest", || async {
            client.workspaces().update(&sub, &rg, &name, &body).await?.wait().await.map(|_| ())
        })
        .await;
        if let Err(e) = result {
            tracing::warn!(hub = %name, error = %e, "could not record the applied-manifest digest");
            let last = steps.len() - 1;
            steps[last].status = StepStatus::Failed {
                code: e.code().unwrap_or("Error").to_string(),
                message: format!("recording the applied-manifest digest: {e}"),
            };
        }
    }
    steps
}

/// (subscription, resource group, workspace name) of a workspace or child id.
pub(crate) fn parts(id: &str) -> (String, String, String) {
    let segments: Vec<&str> = id.split('/').filter(|s| !s.is_empty()).collect();
    let find = |word: &str| {
        segments
            .iter()
            .position(|s| s.eq_ignore_ascii_case(word))
            .and_then(|i| segments.get(i + 1))
            .map(|s| s.to_string())
            .unwrap_or_default()
    };
    (find("subscriptions"), find("resourceGroups"), find("workspaces"))
}

/// The scope of a role assignment id (what comes before its `/providers/Microsoft.Authorization/`).
pub(crate) fn assignment_scope(id: &str) -> String {
    id.split("/providers/Microsoft.Authorization/").next().unwrap_or_default().to_string()
}

pub(crate) fn last(id: &str) -> String {
    id.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_string()
}

fn decode<T: serde::de::DeserializeOwned>(change: &Change) -> Result<T, ClientError> {
    serde_json::from_value(change.after.clone().unwrap_or(Value::Null)).map_err(|e| {
        ClientError::Decode {
            url: change.resource.clone(),
            reason: format!("the plan's body: {e}"),
        }
    })
}

/// An operation that failed for the service's own passing reasons (an internal error, an
/// outage) is tried again whole — every step is an idempotent write — a few times before the
/// hub stops. A refusal (4xx) is never retried.
const STEP_ATTEMPTS: u32 = 3;

fn passing(error: &ClientError) -> bool {
    match error {
        ClientError::OperationFailed { code, .. } => {
            matches!(
                code.as_str(),
                "InternalServerError" | "ServiceUnavailable" | "GatewayTimeout" | "TooManyRequests"
            )
        }
        // A write whose answer was lost may be running already: wait for it, then write again.
        ClientError::Service { code, .. } => code == "AnotherOperationInProgress",
        ClientError::RetriesExhausted { .. } | ClientError::Transport { .. } => true,
        _ => false,
    }
}

pub(crate) async fn execute_with_retry(
    change: &Change,
    client: &ArmClient,
    options: &ApplyOptions,
) -> Result<(), ClientError> {
    retry_passing(&change.display, || execute(change, client, options)).await
}

/// Run `step` again, a few times, while it fails for a passing reason.
async fn retry_passing<F, Fut>(what: &str, mut step: F) -> Result<(), ClientError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), ClientError>>,
{
    let mut attempt = 1;
    loop {
        match step().await {
            Err(e) if attempt < STEP_ATTEMPTS && passing(&e) => {
                tracing::info!(step = %what, attempt, error = %e, "trying the step again");
                tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// One change, by kind and action.
async fn execute(
    change: &Change,
    client: &ArmClient,
    options: &ApplyOptions,
) -> Result<(), ClientError> {
    let (sub, rg, ws) = parts(&change.resource);
    let after = change.after.clone().unwrap_or(Value::Null);
    match (change.kind, change.action) {
        (ResourceKind::Hub | ResourceKind::Project, Action::Create) => {
            let body: Workspace = decode(change)?;
            let created = match client.workspaces().create_or_update(&sub, &rg, &ws, &body).await {
                Ok(poller) => poller.wait().await.map(|_| ()),
                Err(e) => Err(e),
            };
            created.map_err(soft_deleted_remedy)
        }
        (
            ResourceKind::Hub | ResourceKind::Project | ResourceKind::ManagedNetwork,
            Action::Update,
        ) => client.workspaces().update(&sub, &rg, &ws, &after).await?.wait().await.map(|_| ()),
        (ResourceKind::Hub | ResourceKind::Project, Action::Delete) => {
            // The plan decided whether this delete purges (hubctl_plan::Change docs).
            let purge = after["forceToPurge"].as_bool().unwrap_or(false);
            client.workspaces().delete(&sub, &rg, &ws, purge).await?.wait().await.map(|_| ())
        }
        (ResourceKind::OutboundRule, Action::Create | Action::Update) => {
            let rule: OutboundRule = decode(change)?;
            client
                .outbound_rules()
                .create_or_update(&sub, &rg, &ws, &last(&change.resource), &rule)
                .await?
                .wait()
                .await
                .map(|_| ())
        }
        (ResourceKind::OutboundRule, Action::Delete) => client
            .outbound_rules()
            .delete(&sub, &rg, &ws, &last(&change.resource))
            .await?
            .wait()
            .await
            .map(|_| ()),
        (ResourceKind::Connection, Action::Create | Action::Update) => {
            let connection: Connection = decode(change)?;
            client
                .connections()
                .create_or_update(&sub, &rg, &ws, &last(&change.resource), &connection)
                .await
                .map(|_| ())
        }
        (ResourceKind::Connection, Action::Delete) => {
            client.connections().delete(&sub, &rg, &ws, &last(&change.resource)).await
        }
        (ResourceKind::RoleAssignment, Action::Create | Action::Update) => {
            let assignment: RoleAssignment = decode(change)?;
            let scope = assignment_scope(&change.resource);
            create_assignment(
                client,
                &scope,
                &last(&change.resource),
                &assignment,
                options.principal_wait,
            )
            .await
        }
        (ResourceKind::RoleAssignment, Action::Delete) => {
            let scope = assignment_scope(&change.resource);
            client.role_assignments().delete(&scope, &last(&change.resource)).await.map(|_| ())
        }
        // No silent success: a (kind, action) pair hubctl's planner never makes is an error
        // naming it (a plan edited by hand, or made by another version).
        (kind, action) => Err(ClientError::Decode {
            url: change.resource.clone(),
            reason: format!(
                "the plan asks to {action:?} a {kind:?}, which this hubctl cannot do; plan again with this version"
            ),
        }),
    }
}

/// A create refused because a soft-deleted workspace holds the name: the service's answer, with
/// the ways out (ARM lists no soft-deleted workspaces, so the plan cannot know beforehand).
fn soft_deleted_remedy(error: ClientError) -> ClientError {
    match error {
        ClientError::Service { method, url, status, code, message, request_id }
            if message.to_ascii_lowercase().contains("soft-deleted workspace exists") =>
        {
            ClientError::Service {
                method,
                url,
                status,
                code,
                message: format!(
                    "{message} — a workspace of this name was deleted in the last 14 days and is kept, soft-deleted, holding the name. Recover it (Azure portal or ML studio: Recently deleted → Recover) and run apply again to bring it back under the manifest; or purge it there (permanent) and run apply again to create it anew; or choose another name. Next time, `hubctl apply --allow-delete --purge` deletes for good."
                ),
                request_id,
            }
        }
        other => other,
    }
}

/// Create (or, for a changed condition, rewrite) an assignment, waiting for a principal still
/// replicating. `RoleAssignmentExists` means one for the same principal and role appeared at the
/// scope after the plan read it: it is read back and adopted when it grants what was planned
/// (same condition), and reported otherwise — never counted as done unseen.
async fn create_assignment(
    client: &ArmClient,
    scope: &str,
    name: &str,
    assignment: &RoleAssignment,
    wait: Duration,
) -> Result<(), ClientError> {
    let started = Instant::now();
    loop {
        match client.role_assignments().create(scope, name, &assignment.properties).await {
            Ok(_) => return Ok(()),
            Err(e) if e.code() == Some("RoleAssignmentExists") => {
                return adopt_existing(client, scope, assignment, e).await;
            }
            Err(e) if e.code() == Some("PrincipalNotFound") && started.elapsed() < wait => {
                tracing::info!(scope, "principal not replicated yet; waiting");
                tokio::time::sleep(Duration::from_secs(5).min(wait)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// The assignment the service says already exists: adopted when it grants the same (role,
/// principal and condition), else the service's error with what differs.
async fn adopt_existing(
    client: &ArmClient,
    scope: &str,
    wanted: &RoleAssignment,
    error: ClientError,
) -> Result<(), ClientError> {
    let condition = |a: &RoleAssignment| a.condition().map(str::to_string);
    let role = hubctl_model::role_definition_guid(&wanted.properties.role_definition_id);
    let existing = client.role_assignments().list_for_scope(scope, Some("atScope()")).await?;
    let twin = existing.iter().find(|a| {
        a.grants(&wanted.properties.principal_id, &role)
            && a.properties.scope.as_deref().is_some_and(|s| hubctl_model::same_id(s, scope))
    });
    match twin {
        Some(twin) if condition(twin) == condition(wanted) => {
            tracing::info!(scope, existing = %twin.name, "an equal role assignment appeared since the plan; adopted");
            Ok(())
        }
        Some(twin) => Err(ClientError::Service {
            method: "PUT".into(),
            url: twin.id.clone(),
            status: 409,
            code: "RoleAssignmentExists".into(),
            message: format!(
                "an assignment of this role to this principal appeared at {scope} since the plan ({}), with a different condition ({:?} where the manifest says {:?}); plan again to see it as a change",
                twin.name,
                condition(twin),
                condition(wanted)
            ),
            request_id: None,
        }),
        None => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hubs_are_interleaved_across_subscriptions() {
        let change = |hub: &str| Change {
            id: hub.into(),
            hub: hub.into(),
            kind: ResourceKind::Hub,
            resource: hub.into(),
            display: hub.into(),
            action: Action::Create,
            reasons: Vec::new(),
            fields: Vec::new(),
            before: None,
            after: None,
            depends_on: Vec::new(),
        };
        let keys = [
            "/subscriptions/a/h1",
            "/subscriptions/a/h2",
            "/subscriptions/a/h3",
            "/subscriptions/b/h4",
            "/subscriptions/b/h5",
        ];
        let changes: Vec<Change> = keys.iter().map(|k| change(k)).collect();
        let hubs: BTreeMap<&str, Vec<&Change>> =
            changes.iter().map(|c| (c.hub.as_str(), vec![c])).collect();
        let order: Vec<&str> = interleave_subscriptions(hubs).into_iter().map(|(h, _)| h).collect();
        assert_eq!(
            order,
            [
                "/subscriptions/a/h1",
                "/subscriptions/b/h4",
                "/subscriptions/a/h2",
                "/subscriptions/b/h5",
                "/subscriptions/a/h3"
            ]
        );
    }
}
