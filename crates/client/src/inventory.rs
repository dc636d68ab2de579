//! The live state of a fleet, read in requests that grow with subscriptions and pages, not
//! with resources.
//!
//! ARM throttles per subscription, and reading resource by resource (as Terraform and ASO do)
//! spends that budget per hub, per project, per rule. Three strategies, chosen per subscription:
//!
//! - [`Strategy::List`]: list every workspace of the subscription (hubs, their projects and
//!   their outbound rules come in the workspace bodies) and every role assignment of the
//!   subscription (at, above and below it), then sort them to hubs and projects by scope.
//!   Two paged lists, however many hubs.
//! - [`Strategy::ResourceGroup`]: per resource group, list its workspaces and its role
//!   assignments. Two requests for a lone hub, however big its subscription.
//! - [`Strategy::PerResource`]: what resource-by-resource tools do — GET the hub, each declared
//!   project and rule, list access at each scope. Kept to measure against, never chosen.
//!
//! [`Strategy::Auto`] takes `List` for a subscription holding two or more of the desired hubs
//! (it pays off from the second hub on) and `ResourceGroup` for a lone hub (bounded cost in a
//! large shared subscription). Both see projects the manifests no longer declare.

use std::collections::{BTreeMap, BTreeSet};

use hubctl_model::{
    Account, Live, LiveFoundry, LiveFoundryProject, LiveHub, LiveProject, RoleAssignment,
    Workspace, id_key, role_definition_guid, workspace_id,
};

use crate::ArmClient;
use crate::error::ClientError;
use crate::pipeline::RequestStats;

/// A hub the manifests declare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubTarget {
    /// Subscription.
    pub subscription: String,
    /// Resource group.
    pub resource_group: String,
    /// Name.
    pub name: String,
    /// Its declared projects (only the per-resource strategy needs them).
    pub projects: Vec<String>,
    /// Its declared outbound rules (only the per-resource strategy reads them one by one).
    pub rules: Vec<String>,
    /// Whether to read its connections (its manifest declares some).
    pub read_connections: bool,
}

/// A Foundry resource the manifests declare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundryTarget {
    /// Subscription.
    pub subscription: String,
    /// Resource group.
    pub resource_group: String,
    /// Name.
    pub name: String,
    /// Whether to read its connections and its projects' (its manifest declares some).
    pub read_connections: bool,
    /// User-assigned identities whose client ids a customer-managed key needs.
    pub key_identities: Vec<String>,
    /// Its region; with `read_deployments`, the subscription's quota there is read.
    pub location: String,
    /// Whether to read its deployments and content filters (its manifest declares some).
    pub read_deployments: bool,
    /// Capability hosts to read, as paths below the account (`capabilityHosts/agents`,
    /// `projects/p/capabilityHosts/agents`): the service has no list of them.
    pub capability_hosts: Vec<String>,
    /// Its custom subdomain: asked of the service (`checkDomainAvailability`) when the account
    /// does not exist yet, since subdomains are unique across all of Azure.
    pub subdomain: String,
}

/// How to read a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Choose per subscription (see the module doc).
    Auto,
    /// Subscription-wide lists.
    List,
    /// Resource-group-wide lists.
    ResourceGroup,
    /// One request per resource (for comparison).
    PerResource,
}

/// What to read.
#[derive(Debug, Clone)]
pub struct InventoryRequest {
    /// The desired hubs.
    pub hubs: Vec<HubTarget>,
    /// The desired Foundry resources.
    pub foundries: Vec<FoundryTarget>,
    /// Role names the manifests use that are not built in, to resolve to GUIDs.
    pub role_names: Vec<String>,
    /// How.
    pub strategy: Strategy,
}

/// How the read went.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InventoryReport {
    /// The strategy used per subscription.
    pub strategies: BTreeMap<String, String>,
    /// Requests sent for this read.
    pub requests: RequestStats,
    /// Workspaces read again by GET because their list item was thin.
    pub reread: usize,
}

/// Read the live state of `request.hubs`.
pub async fn read(
    client: &ArmClient,
    request: &InventoryRequest,
) -> Result<(Live, InventoryReport), ClientError> {
    let before = client.stats();
    let mut by_subscription: BTreeMap<String, Vec<&HubTarget>> = BTreeMap::new();
    for hub in &request.hubs {
        by_subscription.entry(hub.subscription.to_ascii_lowercase()).or_default().push(hub);
    }
    let mut report = InventoryReport::default();
    let mut jobs = Vec::new();
    for (subscription, hubs) in &by_subscription {
        let strategy = match request.strategy {
            Strategy::Auto if hubs.len() >= 2 => Strategy::List,
            Strategy::Auto => Strategy::ResourceGroup,
            other => other,
        };
        report.strategies.insert(subscription.clone(), format!("{strategy:?}"));
        jobs.push(read_subscription(client, subscription, hubs, strategy));
    }
    let mut workspaces = Vec::new();
    let mut assignments = Vec::new();
    for result in futures_util::future::join_all(jobs).await {
        let (w, a) = result?;
        workspaces.extend(w);
        assignments.extend(a);
    }
    let (workspaces, reread) = complete(client, workspaces).await?;
    report.reread = reread;
    let foundry_assignments =
        read_foundry_access(client, request, &report.strategies, &by_subscription).await?;
    let mut live = assemble(workspaces, assignments.clone());
    read_foundries(client, request, &mut live, assignments.into_iter().chain(foundry_assignments))
        .await?;
    let mut subscriptions: BTreeSet<String> = by_subscription.keys().cloned().collect();
    subscriptions.extend(request.foundries.iter().map(|f| f.subscription.to_ascii_lowercase()));
    live.subscriptions = subscriptions.into_iter().collect();

    // Connections, only for hubs whose manifests declare some.
    let wanted: Vec<&HubTarget> = request.hubs.iter().filter(|h| h.read_connections).collect();
    let reads = wanted.iter().map(|h| async move {
        let key = id_key(&workspace_id(&h.subscription, &h.resource_group, &h.name));
        (key, client.connections().list(&h.subscription, &h.resource_group, &h.name).await)
    });
    for (key, result) in futures_util::future::join_all(reads).await {
        if let Some(hub) = live.hubs.get_mut(&key) {
            hub.connections = Some(result?);
        }
    }

    if let Some(first) = live.subscriptions.first() {
        let scope = format!("/subscriptions/{first}");
        for name in &request.role_names {
            if let Some(definition) =
                client.role_definitions().find_by_name(&scope, name).await?.into_iter().next()
            {
                live.role_definitions
                    .insert(name.to_ascii_lowercase(), role_definition_guid(&definition.name));
            }
        }
    }
    report.requests = difference(&client.stats(), &before);
    tracing::info!(requests = report.requests.total, hubs = live.hubs.len(), "inventory read");
    Ok((live, report))
}

type Read = (Vec<Workspace>, Vec<RoleAssignment>);

/// Lists may be thinner than GETs: the published list examples carry no `kind`, `identity`,
/// `encryption` or `managedNetwork` (Azure/azure-rest-api-specs machinelearningservices
/// `Workspace/listBySubscription.json`), and what the live list returns is not documented. A
/// list item without `kind` or `identity` — which every hub and project has on GET — is read
/// again by GET, so complete lists cost nothing more and thin ones one GET per workspace.
pub async fn complete(
    client: &ArmClient,
    workspaces: Vec<Workspace>,
) -> Result<(Vec<Workspace>, usize), ClientError> {
    let (mut done, thin): (Vec<Workspace>, Vec<Workspace>) =
        workspaces.into_iter().partition(|w| w.kind.is_some() && w.identity.is_some());
    let reread = thin.len();
    let gets = thin.into_iter().map(|w| async move {
        let id = hubctl_model::ArmId::parse(&w.id).ok();
        match id.as_ref().and_then(|id| Some((id.subscription()?, id.resource_group()?))) {
            Some((sub, rg)) => client.workspaces().get(sub, rg, &w.name).await,
            None => Ok(Some(w)),
        }
    });
    for result in futures_util::future::join_all(gets).await {
        // Gone between the list and the GET: it is gone.
        if let Some(workspace) = result? {
            done.push(workspace);
        }
    }
    Ok((done, reread))
}

async fn read_subscription(
    client: &ArmClient,
    subscription: &str,
    hubs: &[&HubTarget],
    strategy: Strategy,
) -> Result<Read, ClientError> {
    match strategy {
        Strategy::List | Strategy::Auto => {
            let (workspaces, assignments) = futures_util::future::join(
                client.workspaces().list_by_subscription(subscription),
                client
                    .role_assignments()
                    .list_for_scope(&format!("/subscriptions/{subscription}"), None),
            )
            .await;
            Ok((workspaces?, assignments?))
        }
        Strategy::ResourceGroup => {
            let mut workspaces = Vec::new();
            let mut assignments = Vec::new();
            let groups: BTreeSet<String> =
                hubs.iter().map(|h| h.resource_group.to_ascii_lowercase()).collect();
            for group in &groups {
                // Every workspace of the group: the hub, its projects, and hubs no manifest
                // names any more (for --prune).
                workspaces.extend(
                    client.workspaces().list_by_resource_group(subscription, group, None).await?,
                );
                assignments.extend(
                    client
                        .role_assignments()
                        .list_for_scope(
                            &format!("/subscriptions/{subscription}/resourceGroups/{group}"),
                            None,
                        )
                        .await?,
                );
            }
            Ok((workspaces, assignments))
        }
        Strategy::PerResource => {
            let mut workspaces = Vec::new();
            let mut assignments = Vec::new();
            for hub in hubs {
                let Some(w) = client
                    .workspaces()
                    .get(&hub.subscription, &hub.resource_group, &hub.name)
                    .await?
                else {
                    continue;
                };
                workspaces.push(w);
                let scope = workspace_id(&hub.subscription, &hub.resource_group, &hub.name);
                assignments.extend(
                    client.role_assignments().list_for_scope(&scope, Some("atScope()")).await?,
                );
                for rule in &hub.rules {
                    client
                        .outbound_rules()
                        .get(&hub.subscription, &hub.resource_group, &hub.name, rule)
                        .await?;
                }
                for project in &hub.projects {
                    if let Some(p) = client
                        .workspaces()
                        .get(&hub.subscription, &hub.resource_group, project)
                        .await?
                    {
                        workspaces.push(p);
                        let scope = workspace_id(&hub.subscription, &hub.resource_group, project);
                        assignments.extend(
                            client
                                .role_assignments()
                                .list_for_scope(&scope, Some("atScope()"))
                                .await?,
                        );
                    }
                }
            }
            Ok((workspaces, assignments))
        }
    }
}

/// Sort workspaces and assignments into hubs with their projects and their access at exactly
/// their scope (inherited assignments are left out: they are never hubctl's to change).
fn assemble(workspaces: Vec<Workspace>, assignments: Vec<RoleAssignment>) -> Live {
    let mut live = Live::default();
    let mut projects = Vec::new();
    for workspace in workspaces {
        if workspace.is_hub() {
            let key = id_key(&workspace.id);
            live.hubs.entry(key).or_insert(LiveHub {
                workspace,
                assignments: Vec::new(),
                connections: None,
                projects: BTreeMap::new(),
            });
        } else if workspace.is_project() {
            projects.push(workspace);
        } else {
            live.other_workspaces.insert(id_key(&workspace.id), workspace);
        }
    }
    let mut project_hub: BTreeMap<String, String> = BTreeMap::new();
    for project in projects {
        let Some(hub_key) = project.properties.hub_resource_id.as_deref().map(id_key) else {
            continue;
        };
        if let Some(hub) = live.hubs.get_mut(&hub_key) {
            let key = id_key(&project.id);
            project_hub.insert(key.clone(), hub_key);
            hub.projects
                .entry(key)
                .or_insert(LiveProject { workspace: project, assignments: Vec::new() });
        }
    }
    let mut seen = BTreeSet::new();
    for assignment in assignments {
        if !seen.insert(id_key(&assignment.id)) {
            continue;
        }
        let Some(scope) = assignment.properties.scope.as_deref().map(id_key) else { continue };
        if let Some(hub) = live.hubs.get_mut(&scope) {
            hub.assignments.push(assignment);
        } else if let Some(hub_key) = project_hub.get(&scope)
            && let Some(project) =
                live.hubs.get_mut(hub_key).and_then(|h| h.projects.get_mut(&scope))
        {
            project.assignments.push(assignment);
        }
    }
    for hub in live.hubs.values_mut() {
        hub.assignments.sort_by_key(|a| id_key(&a.id));
        for project in hub.projects.values_mut() {
            project.assignments.sort_by_key(|a| id_key(&a.id));
        }
    }
    live
}

/// Role assignments for the Foundry resources' scopes that the hubs' reads did not cover: none
/// in a subscription read whole (the `List` strategy), else one list per resource group that
/// holds a Foundry resource and was not read for a hub.
async fn read_foundry_access(
    client: &ArmClient,
    request: &InventoryRequest,
    strategies: &BTreeMap<String, String>,
    hubs: &BTreeMap<String, Vec<&HubTarget>>,
) -> Result<Vec<RoleAssignment>, ClientError> {
    let read_whole = |sub: &str| strategies.get(sub).is_some_and(|s| s == "List");
    let hub_groups: BTreeSet<(String, String)> = hubs
        .iter()
        .flat_map(|(sub, hubs)| {
            hubs.iter().map(move |h| (sub.clone(), h.resource_group.to_ascii_lowercase()))
        })
        .collect();
    let groups: BTreeSet<(String, String)> = request
        .foundries
        .iter()
        .map(|f| (f.subscription.to_ascii_lowercase(), f.resource_group.to_ascii_lowercase()))
        .filter(|(sub, rg)| !read_whole(sub) && !hub_groups.contains(&(sub.clone(), rg.clone())))
        .collect();
    let reads = groups.iter().map(|(sub, rg)| async move {
        let scope = format!("/subscriptions/{sub}/resourceGroups/{rg}");
        client.role_assignments().list_for_scope(&scope, None).await
    });
    let mut out = Vec::new();
    for result in futures_util::future::join_all(reads).await {
        out.extend(result?);
    }
    Ok(out)
}

/// The Foundry resources: per subscription, one list of its accounts and one of its deleted
/// accounts; per declared account that exists, one list of its projects, and (when its
/// manifest declares connections) one of its connections and one per project. Then the
/// client ids of the identities customer-managed keys name, where the account does not carry
/// them.
async fn read_foundries(
    client: &ArmClient,
    request: &InventoryRequest,
    live: &mut Live,
    assignments: impl Iterator<Item = RoleAssignment>,
) -> Result<(), ClientError> {
    if request.foundries.is_empty() {
        return Ok(());
    }
    let subscriptions: BTreeSet<String> =
        request.foundries.iter().map(|f| f.subscription.to_ascii_lowercase()).collect();
    let lists = subscriptions.iter().map(|sub| async move {
        let (accounts, deleted) = futures_util::future::join(
            client.foundry().accounts_in_subscription(sub),
            client.foundry().deleted_accounts(sub),
        )
        .await;
        Ok::<_, ClientError>((accounts?, deleted?))
    });
    for result in futures_util::future::join_all(lists).await {
        let (accounts, deleted) = result?;
        for account in accounts {
            let key = id_key(&account.id);
            if account.is_ai_services() {
                live.foundries.insert(
                    key,
                    LiveFoundry {
                        account,
                        assignments: Vec::new(),
                        connections: Vec::new(),
                        projects: BTreeMap::new(),
                        deployments: Vec::new(),
                        rai_policies: Vec::new(),
                        capability_hosts: BTreeMap::new(),
                    },
                );
            } else {
                live.other_accounts.insert(key, account);
            }
        }
        for account in deleted {
            if let Some(key) = deleted_account_key(&account) {
                live.deleted_accounts.insert(key, account);
            }
        }
    }
    let declared: Vec<(&FoundryTarget, String)> = request
        .foundries
        .iter()
        .map(|f| (f, id_key(&account_id(&f.subscription, &f.resource_group, &f.name))))
        .filter(|(_, key)| live.foundries.contains_key(key))
        .collect();
    let reads = declared.iter().map(|(target, key)| async move {
        let id = account_id(&target.subscription, &target.resource_group, &target.name);
        let projects = client.foundry().projects(&id).await?;
        let mut connections = Vec::new();
        let mut project_connections = BTreeMap::new();
        if target.read_connections {
            let project_ids: Vec<String> =
                projects.iter().map(|p| format!("{id}/projects/{}", p.short_name())).collect();
            let (own, theirs) = futures_util::future::join(
                client.foundry().connections(&id),
                futures_util::future::join_all(
                    project_ids
                        .iter()
                        .map(|p| async move { client.foundry().connections(p).await }),
                ),
            )
            .await;
            connections = own?;
            for (project, result) in project_ids.iter().zip(theirs) {
                project_connections.insert(id_key(project), result?);
            }
        }
        let (mut deployments, mut rai_policies) = (Vec::new(), Vec::new());
        if target.read_deployments {
            let (d, r) = futures_util::future::join(
                client.foundry().deployments(&id),
                client.foundry().rai_policies(&id),
            )
            .await;
            (deployments, rai_policies) = (d?, r?);
        }
        let hosts = futures_util::future::join_all(target.capability_hosts.iter().map(|path| {
            let host = format!("{id}/{path}");
            async move { (id_key(&host), client.foundry().get(&host).await) }
        }))
        .await;
        let mut capability_hosts = BTreeMap::new();
        for (host_key, found) in hosts {
            if let Some(body) = found? {
                let host = serde_json::from_value(body).map_err(|e| ClientError::Decode {
                    url: host_key.clone(),
                    reason: format!("a capability host of an unexpected shape: {e}"),
                })?;
                capability_hosts.insert(host_key, host);
            }
        }
        let read = (projects, connections, project_connections, deployments, rai_policies);
        Ok::<_, ClientError>((key.clone(), id, read, capability_hosts))
    });
    for result in futures_util::future::join_all(reads).await {
        let (key, id, read, capability_hosts) = result?;
        let (projects, connections, mut project_connections, deployments, rai_policies) = read;
        let Some(foundry) = live.foundries.get_mut(&key) else { continue };
        foundry.capability_hosts = capability_hosts;
        foundry.connections = connections;
        foundry.deployments = deployments;
        foundry.rai_policies = rai_policies;
        for project in projects {
            let project_key = id_key(&format!("{id}/projects/{}", project.short_name()));
            let connections = project_connections.remove(&project_key).unwrap_or_default();
            foundry.projects.insert(
                project_key,
                LiveFoundryProject { project, connections, assignments: Vec::new() },
            );
        }
    }
    let mut seen = BTreeSet::new();
    for assignment in assignments {
        let Some(scope) = assignment.properties.scope.as_deref().map(id_key) else { continue };
        let account_key = match scope.find("/projects/") {
            Some(i) => scope[..i].to_string(),
            None => scope.clone(),
        };
        let Some(foundry) = live.foundries.get_mut(&account_key) else { continue };
        if !seen.insert(id_key(&assignment.id)) {
            continue;
        }
        if scope == account_key {
            foundry.assignments.push(assignment);
        } else if let Some(project) = foundry.projects.get_mut(&scope) {
            project.assignments.push(assignment);
        }
    }
    for foundry in live.foundries.values_mut() {
        foundry.assignments.sort_by_key(|a| id_key(&a.id));
        for project in foundry.projects.values_mut() {
            project.assignments.sort_by_key(|a| id_key(&a.id));
        }
    }
    // Subdomains of accounts to create: unique across Azure, so asked of the service (one
    // request per account to create; none for a plan without creates).
    let to_create: Vec<&FoundryTarget> = request
        .foundries
        .iter()
        .filter(|t| !t.subdomain.is_empty())
        .filter(|t| {
            let key = id_key(&account_id(&t.subscription, &t.resource_group, &t.name));
            !live.foundries.contains_key(&key)
                && !live.other_accounts.contains_key(&key)
                && !live.deleted_accounts.contains_key(&key)
        })
        .collect();
    let checks = to_create.iter().map(|t| async move {
        (
            t.subdomain.to_ascii_lowercase(),
            client.foundry().subdomain_taken(&t.subscription, &t.subdomain).await,
        )
    });
    for (subdomain, result) in futures_util::future::join_all(checks).await {
        match result {
            Ok(Some(reason)) => {
                live.taken_subdomains.insert(subdomain, reason);
            }
            Ok(None) => {}
            // The check is an action a Reader may lack: the plan says it could not be made.
            Err(ClientError::Service { status: 403, message, .. }) => {
                live.subdomains_unchecked.get_or_insert(message);
            }
            Err(e) => return Err(e),
        }
    }
    // Model quota: one list per subscription and region where manifests deploy models.
    let regions: BTreeSet<String> = request
        .foundries
        .iter()
        .filter(|f| f.read_deployments && !f.location.is_empty())
        .map(|f| {
            let region = f.location.replace(' ', "").to_ascii_lowercase();
            format!("{}/{region}", f.subscription.to_ascii_lowercase())
        })
        .collect();
    let quota = regions.iter().map(|key| async move {
        let (sub, region) = key.split_once('/').unwrap_or_default();
        (key.clone(), client.foundry().usages(sub, region).await)
    });
    for (key, result) in futures_util::future::join_all(quota).await {
        live.usages.insert(key, result?);
    }
    // Client ids of key identities the live accounts do not already show.
    let known: BTreeMap<String, String> = live
        .foundries
        .values()
        .filter_map(|f| f.account.identity.as_ref()?.user_assigned_identities.as_ref())
        .flat_map(|map| map.iter())
        .filter_map(|(id, v)| Some((id_key(id), v["clientId"].as_str()?.to_string())))
        .collect();
    let wanted: BTreeSet<String> =
        request.foundries.iter().flat_map(|f| f.key_identities.iter().map(|i| id_key(i))).collect();
    live.identity_client_ids.extend(known.into_iter().filter(|(k, _)| wanted.contains(k)));
    let missing: Vec<&String> =
        wanted.iter().filter(|k| !live.identity_client_ids.contains_key(*k)).collect();
    let gets =
        missing.iter().map(|id| async move { client.foundry().identity_client_id(id).await });
    for (id, result) in missing.iter().zip(futures_util::future::join_all(gets).await) {
        if let Some(client_id) = result? {
            live.identity_client_ids.insert((*id).clone(), client_id);
        }
    }
    Ok(())
}

/// The id key of the account a deleted account was: its `deletedAccounts` id
/// (`…/locations/{l}/resourceGroups/{rg}/deletedAccounts/{name}`) turned back into
/// `…/resourceGroups/{rg}/providers/Microsoft.CognitiveServices/accounts/{name}`.
fn deleted_account_key(account: &Account) -> Option<String> {
    let segments: Vec<&str> = account.id.trim_matches('/').split('/').collect();
    let find = |word: &str| {
        segments.iter().position(|s| s.eq_ignore_ascii_case(word)).and_then(|i| segments.get(i + 1))
    };
    let sub = find("subscriptions")?;
    let rg = find("resourceGroups")?;
    let name = find("deletedAccounts").copied().unwrap_or(account.name.as_str());
    Some(id_key(&account_id(sub, rg, name)))
}

fn account_id(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.CognitiveServices/accounts/{name}"
    )
}

fn difference(after: &RequestStats, before: &RequestStats) -> RequestStats {
    let mut by_kind = BTreeMap::new();
    for (kind, count) in &after.by_kind {
        let delta = count - before.by_kind.get(kind).copied().unwrap_or(0);
        if delta > 0 {
            by_kind.insert(kind.clone(), delta);
        }
    }
    RequestStats {
        by_kind,
        total: after.total - before.total,
        throttled: after.throttled - before.throttled,
        retries: after.retries - before.retries,
        throttle_waits: after
            .throttle_waits
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.saturating_sub(before.throttle_waits.get(k).copied().unwrap_or_default()),
                )
            })
            .filter(|(_, v)| !v.is_zero())
            .collect(),
    }
}
