//! One step: a change sent to ARM by kind and action, tried again while it fails for a
//! passing reason, with the remedies the service's answers call for (a soft-deleted name, a
//! role assignment that appeared since the plan).

use std::time::{Duration, Instant};

use hubctl_client::{ArmClient, ClientError};
use hubctl_model::{ArmId, Connection, OutboundRule, RoleAssignment, Workspace};
use hubctl_plan::{Action, Change, ResourceKind};
use serde_json::Value;

use crate::ApplyOptions;

/// (subscription, resource group, workspace name) of a workspace or of a workspace's child
/// (an outbound rule, a connection).
pub(crate) fn parts(id: &ArmId) -> (String, String, String) {
    let nested = id.resource_type().is_some_and(|t| t.contains('/'));
    let workspace = if nested { id.parent().unwrap_or_else(|| id.clone()) } else { id.clone() };
    let part = |value: Option<&str>| value.unwrap_or_default().to_string();
    (part(id.subscription()), part(id.resource_group()), workspace.name().to_string())
}

/// The scope of a role assignment id (the hub or project it is at).
pub(crate) fn assignment_scope(id: &ArmId) -> String {
    id.scope().map(|s| s.to_string()).unwrap_or_default()
}

fn decode<T: serde::de::DeserializeOwned>(change: &Change) -> Result<T, ClientError> {
    serde_json::from_value(change.after.clone().unwrap_or(Value::Null)).map_err(|e| {
        ClientError::Decode {
            url: change.resource.to_string(),
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

/// One change, tried again while it fails for a passing reason.
pub(crate) async fn execute_with_retry(
    change: &Change,
    client: &ArmClient,
    options: &ApplyOptions,
) -> Result<(), ClientError> {
    retry_passing(&change.display, || execute(change, client, options)).await
}

/// Run `step` again, a few times, while it fails for a passing reason.
pub(crate) async fn retry_passing<F, Fut>(what: &str, mut step: F) -> Result<(), ClientError>
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
                .create_or_update(&sub, &rg, &ws, change.resource.name(), &rule)
                .await?
                .wait()
                .await
                .map(|_| ())
        }
        (ResourceKind::OutboundRule, Action::Delete) => client
            .outbound_rules()
            .delete(&sub, &rg, &ws, change.resource.name())
            .await?
            .wait()
            .await
            .map(|_| ()),
        (ResourceKind::Connection, Action::Create | Action::Update) => {
            let connection: Connection = decode(change)?;
            client
                .connections()
                .create_or_update(&sub, &rg, &ws, change.resource.name(), &connection)
                .await
                .map(|_| ())
        }
        (ResourceKind::Connection, Action::Delete) => {
            client.connections().delete(&sub, &rg, &ws, change.resource.name()).await
        }
        (ResourceKind::RoleAssignment, Action::Create | Action::Update) => {
            let assignment: RoleAssignment = decode(change)?;
            let scope = assignment_scope(&change.resource);
            create_assignment(
                client,
                &scope,
                change.resource.name(),
                &assignment,
                options.principal_wait,
            )
            .await
        }
        (ResourceKind::RoleAssignment, Action::Delete) => {
            let scope = assignment_scope(&change.resource);
            client.role_assignments().delete(&scope, change.resource.name()).await.map(|_| ())
        }
        (ResourceKind::Account | ResourceKind::AccountProject, Action::Create) => {
            let poller = client.foundry().put(change.resource.as_str(), &after).await;
            poller?.wait().await.map(|_| ()).map_err(foundry_conflict_remedy)
        }
        (ResourceKind::Account | ResourceKind::AccountProject, Action::Update) => {
            client.foundry().patch(change.resource.as_str(), &after).await?.wait().await.map(|_| ())
        }
        (ResourceKind::AccountProject, Action::Delete) => {
            client.foundry().delete(change.resource.as_str()).await?.wait().await.map(|_| ())
        }
        (ResourceKind::Account, Action::Delete) => {
            // Soft: the name stays taken; the plan says whether it is purged after
            // (`{"purge": true}`, from `--purge`).
            client.foundry().delete(change.resource.as_str()).await?.wait().await?;
            if after["purge"].as_bool().unwrap_or(false) {
                purge(client, &change.resource, &after).await?;
            }
            Ok(())
        }
        (ResourceKind::DeletedAccount, Action::Delete) => {
            purge(client, &change.resource, &after).await
        }
        (
            ResourceKind::AccountConnection | ResourceKind::ProjectConnection,
            Action::Create | Action::Update,
        ) => client.foundry().put_connection(change.resource.as_str(), &after).await.map(|_| ()),
        (ResourceKind::AccountConnection | ResourceKind::ProjectConnection, Action::Delete) => {
            client.foundry().delete_connection(change.resource.as_str()).await
        }
        (ResourceKind::ContentFilter, Action::Create | Action::Update) => {
            client.foundry().put_connection(change.resource.as_str(), &after).await.map(|_| ())
        }
        (ResourceKind::CapabilityHost, Action::Create) => {
            // Can take many minutes (NOTES-foundry.md §5): waited for within the operation
            // deadline; a failure is the service's (CapabilityHostOperationFailed).
            let id = change.resource.as_str();
            let poller = client.foundry().put_capability_host(id, &after).await?;
            poller.wait().await.map(|_| ())
        }
        (
            ResourceKind::Deployment | ResourceKind::ContentFilter | ResourceKind::CapabilityHost,
            Action::Delete,
        ) => client.foundry().delete(change.resource.as_str()).await?.wait().await.map(|_| ()),
        (ResourceKind::Deployment, Action::Create) => {
            client.foundry().put(change.resource.as_str(), &after).await?.wait().await.map(|_| ())
        }
        (ResourceKind::Deployment, Action::Update) => {
            // A capacity change is a PATCH of the SKU alone; anything else a PUT of the whole
            // deployment (the planner never puts both in one body).
            let id = change.resource.as_str();
            let poller = if after.get("properties").is_some() {
                client.foundry().put(id, &after).await?
            } else {
                client.foundry().patch(id, &after).await?
            };
            poller.wait().await.map(|_| ())
        }
        // No silent success: a (kind, action) pair hubctl's planner never makes is an error
        // naming it (a plan edited by hand, or made by another version).
        (kind, action) => Err(ClientError::Decode {
            url: change.resource.to_string(),
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

/// Purge a soft-deleted account: its location is the account's, named in the plan's body
/// (`{"location": …}`), the rest from the account's id.
async fn purge(client: &ArmClient, account: &ArmId, after: &Value) -> Result<(), ClientError> {
    let (sub, rg) = (account.subscription().unwrap_or_default(), account.resource_group());
    let location = after["location"].as_str().unwrap_or_default();
    let rg = rg.unwrap_or_default();
    client.foundry().purge(sub, location, rg, account.name()).await?.wait().await.map(|_| ())
}

/// A create refused because the name or subdomain is held (a soft-deleted account, or another
/// account anywhere in Azure): the service's answer with the ways out.
fn foundry_conflict_remedy(error: ClientError) -> ClientError {
    match error {
        ClientError::Service { method, url, status, code, message, request_id }
            if code == "FlagMustBeSetForRestore" || code == "CustomDomainInUse" =>
        {
            let remedy = if code == "FlagMustBeSetForRestore" {
                "a Foundry resource of this name was deleted and is kept, soft-deleted, holding the name: plan again — hubctl lists deleted accounts and offers `--recover-deleted` (bring it back) or `--purge-deleted` (free the name, then create)"
            } else {
                "the custom subdomain is held by another account, in a subscription hubctl did not read, or soft-deleted there: choose another customSubDomainName, or purge the deleted account that holds it"
            };
            ClientError::Service {
                method,
                url,
                status,
                code,
                message: format!("{message} — {remedy}"),
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
