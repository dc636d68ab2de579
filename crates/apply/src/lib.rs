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
//! Before anything is sent: a plan with a blocked change is refused whole (or, with
//! `skip_blocked`, its hubs are skipped whole — except a hub whose only refusals are access
//! changes the identity lacks permission for: those are skipped and the rest of it applied),
//! and deletes of hubs or projects need `allow_delete`.
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

pub mod read;
mod saved;
mod steps;
mod verify;

pub use saved::check_saved;

/// Adopt a hub (`hubctl adopt`): hubctl's mark on the equal role assignments found there,
/// then one PATCH of its `tags`, nothing else; each tried again like any step while it fails
/// for a passing reason.
pub async fn adopt(
    client: &ArmClient,
    adoption: &hubctl_plan::adopt::Adoption,
) -> Result<(), ClientError> {
    let hubctl_plan::adopt::Adoption::Ready { id, tags, marks, .. } = adoption else {
        return Ok(());
    };
    // The marks first: the tags say the hub is adopted, so they go last.
    for mark in marks {
        execute_with_retry(mark, client, &ApplyOptions::default()).await?;
    }
    let (sub, rg, name) = parts(id);
    let body = json!({ "tags": tags });
    retry_passing(&format!("adopt {name}"), || async {
        client.workspaces().update(&sub, &rg, &name, &body).await?.wait().await.map(|_| ())
    })
    .await
}

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hubctl_client::{ArmClient, ClientError};
use hubctl_plan::saved::SavedPlanError;
use hubctl_plan::{Action, Change, DIGEST_TAG, OWNER_TAG, Origin, Plan, ResourceKind};
use serde_json::{Value, json};

use crate::steps::{execute_with_retry, parts, retry_passing};

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
    /// How often a change still running is reported to the observer ([`WAIT_NOTICE`]).
    pub wait_notice: Duration,
}

impl Default for ApplyOptions {
    fn default() -> ApplyOptions {
        ApplyOptions {
            skip_blocked: false,
            allow_delete: false,
            concurrency: 4,
            principal_wait: Duration::from_secs(60),
            wait_notice: WAIT_NOTICE,
        }
    }
}

/// Why nothing was applied.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The plan has refused changes.
    #[error("{} change(s) are blocked; nothing was applied (the reasons and remedies are in the plan; --skip-blocked applies the other hubs)", .0)]
    Blocked(usize),
    /// A plan read from a file that was not checked against live state ([`check_saved`]).
    #[error(
        "this plan was read from a file and not checked against live state; nothing was applied (a saved plan is applied only through check_saved, which refuses a stale one)"
    )]
    UncheckedSavedPlan,
    /// A saved plan made for another target, or stale.
    #[error("{0}")]
    Saved(#[from] SavedPlanError),
    /// Reading live state to check a saved plan failed.
    #[error("reading live state to check the saved plan: {0}")]
    Read(#[from] ClientError),
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
    /// A change still running after `elapsed` (every `wait_notice`, [`WAIT_NOTICE`] by default): a capability host can
    /// take many minutes, and a pipeline's log should show it is waited for, not hung.
    fn waiting(&self, _change: &Change, _elapsed: std::time::Duration) {}
}

/// How often a long-running change is reported as still running.
pub const WAIT_NOTICE: std::time::Duration = std::time::Duration::from_secs(30);

/// An observer that says nothing.
pub struct Silent;

impl ApplyObserver for Silent {
    fn before(&self, _: &Change) -> Flow {
        Flow::Continue
    }
    fn after(&self, _: &Change, _: &StepStatus) {}
}

/// The one refusal of a plan with blocked changes (the binary asks it before confirmation,
/// [`preflight`] again before anything is sent).
pub fn refuse_blocked(plan: &Plan, skip_blocked: bool) -> Result<(), ApplyError> {
    let blocked = plan.changes.iter().filter(|c| c.action == Action::Blocked).count();
    if blocked > 0 && !skip_blocked {
        return Err(ApplyError::Blocked(blocked));
    }
    Ok(())
}

/// Check the plan can be applied at all, before anything is sent: made by this run or a saved
/// plan checked against live state ([`check_saved`]), nothing blocked (unless skipped), deletes
/// of hubs, Foundry resources and projects allowed. A purge of a soft-deleted Foundry resource
/// needs no `--allow-delete`: only `--purge-deleted` plans one, and that is the consent.
pub fn preflight(plan: &Plan, options: &ApplyOptions) -> Result<(), ApplyError> {
    if plan.origin() == Origin::Read {
        return Err(ApplyError::UncheckedSavedPlan);
    }
    refuse_blocked(plan, options.skip_blocked)?;
    let deletes: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| {
            c.action == Action::Delete
                && matches!(
                    c.kind,
                    ResourceKind::Hub
                        | ResourceKind::Project
                        | ResourceKind::Account
                        | ResourceKind::AccountProject
                )
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
    // Refused for want of permission and only in access: the rest of the hub can be made (its
    // access is last), so with skip_blocked just those changes are skipped. Any other refusal
    // skips the whole hub.
    let only_access_refused = changes.iter().filter(|c| c.action == Action::Blocked).all(|c| {
        c.kind == ResourceKind::RoleAssignment
            && c.reasons == [hubctl_plan::Reason::BlockedBecauseCallerLacksPermission]
    });
    let actionable: Vec<&Change> =
        changes.iter().copied().filter(|c| !matches!(c.action, Action::NoOp)).collect();
    if blocked && !only_access_refused {
        return actionable.iter().map(|c| step(c, StepStatus::Skipped)).collect();
    }
    let skipped_some = blocked;
    let mut steps = Vec::new();
    let mut failed = false;
    // The applied-manifest digest is written last, when every change of the hub succeeded.
    let mut final_tags: Option<Value> = None;
    for change in &actionable {
        if change.action == Action::Blocked {
            observer.after(change, &StepStatus::Skipped);
            steps.push(step(change, StepStatus::Skipped));
            continue;
        }
        if failed || observer.before(change) == Flow::Halt {
            failed = true;
            let status = StepStatus::NotStarted;
            observer.after(change, &status);
            steps.push(step(change, status));
            continue;
        }
        let started = Instant::now();
        let mut change = (*change).clone();
        // A live hub without hubctl's ownership tag (being adopted) gets it last too, with the
        // digest: a run stopped half-way leaves it not adopted (nothing is pruned). Decided on
        // the plan's data (the live tags it read), not on its reasons.
        let adopting = change.action == Action::Update
            && change.before.as_ref().is_some_and(|live| live["tags"][OWNER_TAG].is_null());
        if matches!(change.kind, ResourceKind::Hub | ResourceKind::Account)
            && matches!(change.action, Action::Create | Action::Update)
            && let Some(tags) =
                change.after.as_mut().and_then(|a| a.get_mut("tags")).and_then(Value::as_object_mut)
            && tags.contains_key(DIGEST_TAG)
        {
            final_tags = Some(Value::Object(tags.clone()));
            tags.remove(DIGEST_TAG);
            if adopting {
                tags.remove(OWNER_TAG);
            }
        }
        let sent = execute_with_retry(&change, client, options);
        tokio::pin!(sent);
        let every = options.wait_notice.max(Duration::from_millis(10));
        let mut notice = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        let result = loop {
            tokio::select! {
                result = &mut sent => break result,
                _ = notice.tick() => observer.waiting(&change, started.elapsed()),
            }
        };
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
    // Skipped changes leave the hub short of its manifest: neither checked as planned nor
    // recorded as applied (the next plan shows what is left).
    if skipped_some {
        return steps;
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
        && let Some(hub_change) =
            actionable.iter().find(|c| matches!(c.kind, ResourceKind::Hub | ResourceKind::Account))
    {
        let (sub, rg, name) = parts(&hub_change.resource);
        let body = json!({ "tags": tags });
        let account = hub_change.kind == ResourceKind::Account;
        let id = hub_change.resource.as_str();
        // Written like any step: a passing failure of its operation is tried again.
        let result = retry_passing("the applied-manifest digest", || async {
            if account {
                return client.foundry().patch(id, &body).await?.wait().await.map(|_| ());
            }
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hubs_are_interleaved_across_subscriptions() {
        let hub = |sub: &str, name: &str| hubctl_model::ArmId::workspace(sub, "rg", name);
        let ids = [hub("a", "h1"), hub("a", "h2"), hub("a", "h3"), hub("b", "h4"), hub("b", "h5")];
        let changes: Vec<Change> = ids
            .iter()
            .map(|id| Change {
                id: id.key().into(),
                hub: id.key().into(),
                kind: ResourceKind::Hub,
                resource: id.clone(),
                display: id.name().into(),
                action: Action::Create,
                reasons: Vec::new(),
                fields: Vec::new(),
                before: None,
                after: None,
                depends_on: Vec::new(),
                detail: None,
            })
            .collect();
        let hubs: BTreeMap<&str, Vec<&Change>> =
            changes.iter().map(|c| (c.hub.as_str(), vec![c])).collect();
        let order: Vec<&str> = interleave_subscriptions(hubs)
            .into_iter()
            .map(|(_, changes)| changes[0].display.as_str())
            .collect();
        assert_eq!(order, ["h1", "h4", "h2", "h5", "h3"]);
    }
}
