//! What to read before planning or applying: the inventory request for a set of manifests
//! (their hubs, the projects and rules they name, connections where they declare some, custom
//! role names) and for a saved plan (the hubs it was made from, with connections where it read
//! them). Reads grow with subscriptions and resource groups, not with resources
//! (hubctl_client::inventory).

use hubctl_client::inventory::{self, FoundryTarget, HubTarget, InventoryRequest, Strategy};
use hubctl_client::{ArmClient, ClientError};
use hubctl_model::{ArmId, LiveHub};
use hubctl_plan::Plan;
use hubctl_spec::Desired;
use hubctl_spec::model::RoleRef;

/// Every role assignment the manifests declare, at hubs, Foundry resources and their projects.
fn assignments(desired: &Desired) -> impl Iterator<Item = &hubctl_spec::model::Assignment> {
    let hubs = desired.hubs.iter().flat_map(|h| {
        h.spec
            .access
            .assignments
            .iter()
            .chain(h.spec.projects.iter().flat_map(|p| p.access.assignments.iter()))
    });
    let foundries = desired.foundries.iter().flat_map(|f| {
        f.spec
            .access
            .assignments
            .iter()
            .chain(f.spec.projects.iter().flat_map(|p| p.access.assignments.iter()))
    });
    hubs.chain(foundries)
}

/// The capability hosts to read for a Foundry manifest, below its account: each declared one
/// and, beside it, the conventional `agents` (a second host is refused by the service, and
/// there is no list to find it).
fn capability_host_paths(foundry: &hubctl_spec::model::Foundry) -> Vec<String> {
    let mut paths = Vec::new();
    let mut add = |prefix: String, name: &str| {
        for name in [name, "agents"] {
            let path = format!("{prefix}capabilityHosts/{name}");
            if !paths.iter().any(|p: &String| p.eq_ignore_ascii_case(&path)) {
                paths.push(path);
            }
        }
    };
    if let Some(agents) = &foundry.spec.agents {
        add(String::new(), &agents.name);
    }
    for project in &foundry.spec.projects {
        if let Some(agents) = &project.agents {
            add(format!("projects/{}/", project.name), &agents.name);
        }
    }
    paths
}

/// The inventory's view of one Foundry manifest.
fn foundry_target(foundry: &hubctl_spec::model::Foundry) -> FoundryTarget {
    use hubctl_spec::model::FoundryEncryption;
    let spec = &foundry.spec;
    let key_identities = match &spec.encryption {
        FoundryEncryption::CustomerManaged(key) => {
            key.identity.iter().map(|id| id.as_str().to_string()).collect()
        }
        FoundryEncryption::MicrosoftManaged => Vec::new(),
    };
    FoundryTarget {
        subscription: foundry.metadata.subscription.to_string(),
        resource_group: foundry.metadata.resource_group.clone(),
        name: foundry.metadata.name.clone(),
        read_connections: !spec.connections.is_empty()
            || spec.projects.iter().any(|p| !p.connections.is_empty()),
        key_identities,
        location: foundry.metadata.location.clone(),
        read_deployments: !spec.deployments.is_empty() || !spec.content_filters.is_empty(),
        capability_hosts: capability_host_paths(foundry),
        subdomain: spec.custom_sub_domain_name.clone(),
    }
}

/// What the inventory must read for these manifests.
pub fn for_manifests(desired: &Desired) -> InventoryRequest {
    let hubs = desired
        .hubs
        .iter()
        .map(|hub| HubTarget {
            subscription: hub.metadata.subscription.to_string(),
            resource_group: hub.metadata.resource_group.clone(),
            name: hub.metadata.name.clone(),
            projects: hub.spec.projects.iter().map(|p| p.name.clone()).collect(),
            rules: hub.spec.network.isolation.rules().into_iter().map(|r| r.name).collect(),
            read_connections: !hub.spec.connections.is_empty(),
        })
        .collect();
    let mut role_names: Vec<String> = assignments(desired)
        .filter_map(|a| match &a.role {
            RoleRef::Name(name) if hubctl_plan::roles::built_in(name).is_none() => {
                Some(name.clone())
            }
            _ => None,
        })
        .collect();
    role_names.sort();
    role_names.dedup();
    let foundries = desired.foundries.iter().map(foundry_target).collect();
    InventoryRequest { hubs, foundries, role_names, strategy: Strategy::Auto }
}

/// The inventory a saved plan was made from: its hubs and Foundry resources, with connections
/// where it read them.
pub fn for_saved_plan(plan: &Plan) -> InventoryRequest {
    let is_account = |key: &str| key.contains("/microsoft.cognitiveservices/accounts/");
    let foundries = plan
        .hubs
        .keys()
        .filter(|key| is_account(key))
        .filter_map(|key| {
            let id = ArmId::parse(key).ok()?;
            Some(FoundryTarget {
                subscription: id.subscription()?.to_string(),
                resource_group: id.resource_group()?.to_string(),
                name: id.name().to_string(),
                read_connections: plan.fingerprints.contains_key(&format!("{key}#connections")),
                key_identities: Vec::new(),
                location: String::new(),
                read_deployments: plan.fingerprints.contains_key(&format!("{key}#deployments")),
                // The hosts the plan read are in its fingerprints.
                capability_hosts: plan
                    .fingerprints
                    .keys()
                    .filter_map(|k| k.strip_prefix(&format!("{key}/")))
                    .filter(|rest| rest.contains("capabilityhosts/"))
                    .map(str::to_string)
                    .collect(),
                subdomain: String::new(),
            })
        })
        .collect();
    let hubs = plan
        .hubs
        .keys()
        .filter(|key| !is_account(key))
        .filter_map(|key| {
            let id = ArmId::parse(key).ok()?;
            Some(HubTarget {
                subscription: id.subscription()?.to_string(),
                resource_group: id.resource_group()?.to_string(),
                name: id.name().to_string(),
                projects: Vec::new(),
                rules: Vec::new(),
                read_connections: plan.fingerprints.contains_key(&format!("{key}#connections")),
            })
        })
        .collect();
    InventoryRequest { hubs, foundries, role_names: Vec::new(), strategy: Strategy::Auto }
}

/// What `hubctl import` reads: the hubs of a subscription (or of one resource group, or the one
/// named), each with its projects, rules, connections and access — in list order. A thin list
/// item (no kind) is read again by GET before it is judged a hub.
pub async fn for_import(
    client: &ArmClient,
    subscription: &str,
    resource_group: Option<&str>,
    name: Option<&str>,
) -> Result<Vec<LiveHub>, ClientError> {
    let workspaces = client.workspaces();
    let listed = match resource_group {
        Some(rg) => workspaces.list_by_resource_group(subscription, rg, Some("Hub")).await?,
        None => workspaces.list_by_subscription(subscription).await?,
    };
    let (listed, _) = inventory::complete(client, listed).await?;
    let hubs: Vec<HubTarget> = listed
        .into_iter()
        .filter(|w| w.is_hub() && name.is_none_or(|n| n.eq_ignore_ascii_case(&w.name)))
        .filter_map(|w| {
            let id = ArmId::parse(&w.id).ok()?;
            Some(HubTarget {
                subscription: subscription.to_string(),
                resource_group: id.resource_group()?.to_string(),
                name: w.name.clone(),
                projects: Vec::new(),
                rules: Vec::new(),
                read_connections: true,
            })
        })
        .collect();
    let request = InventoryRequest {
        hubs: hubs.clone(),
        foundries: Vec::new(),
        role_names: Vec::new(),
        strategy: Strategy::Auto,
    };
    let (mut live, _) = inventory::read(client, &request).await?;
    Ok(hubs
        .iter()
        .filter_map(|h| {
            let id = ArmId::workspace(&h.subscription, &h.resource_group, &h.name);
            live.hubs.remove(id.key())
        })
        .collect())
}

/// What `hubctl import` reads of Foundry resources: the accounts of kind `AIServices` with
/// project management on (an AI Services account without it is not a Foundry resource: a
/// hub's connection target, say) of a subscription (or of one resource group, or the one
/// named), each with its projects, connections and access.
pub async fn for_import_foundries(
    client: &ArmClient,
    subscription: &str,
    resource_group: Option<&str>,
    name: Option<&str>,
) -> Result<Vec<hubctl_model::LiveFoundry>, ClientError> {
    let accounts = client.foundry().accounts_in_subscription(subscription).await?;
    let targets: Vec<FoundryTarget> = accounts
        .iter()
        .filter(|a| a.is_ai_services() && a.properties.allow_project_management == Some(true))
        .filter(|a| name.is_none_or(|n| n.eq_ignore_ascii_case(&a.name)))
        .filter_map(|a| {
            let id = ArmId::parse(&a.id).ok()?;
            let rg = id.resource_group()?.to_string();
            resource_group.is_none_or(|r| r.eq_ignore_ascii_case(&rg)).then(|| FoundryTarget {
                subscription: subscription.to_string(),
                resource_group: rg,
                name: a.name.clone(),
                read_connections: true,
                key_identities: Vec::new(),
                location: a.location.clone(),
                read_deployments: true,
                capability_hosts: vec!["capabilityHosts/agents".to_string()],
                subdomain: String::new(),
            })
        })
        .collect();
    if targets.is_empty() {
        return Ok(Vec::new());
    }
    // Capability hosts have no list: each project's conventional `agents` is read by name,
    // so its projects are listed first (import only).
    let mut targets = targets;
    for target in &mut targets {
        let id = format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.CognitiveServices/accounts/{}",
            target.subscription, target.resource_group, target.name
        );
        for project in client.foundry().projects(&id).await? {
            let path = format!("projects/{}/capabilityHosts/agents", project.short_name());
            target.capability_hosts.push(path);
        }
    }
    let request = InventoryRequest {
        hubs: Vec::new(),
        foundries: targets.clone(),
        role_names: Vec::new(),
        strategy: Strategy::Auto,
    };
    let (mut live, _) = inventory::read(client, &request).await?;
    Ok(targets
        .iter()
        .filter_map(|t| {
            let id = format!(
                "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.CognitiveServices/accounts/{}",
                t.subscription, t.resource_group, t.name
            );
            live.foundries.remove(&hubctl_model::id_key(&id))
        })
        .collect())
}

/// A principal name in a manifest that Microsoft Graph could not turn into one object id.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// Nothing by that name.
    #[error(
        "{at}: principal {name}: no {kind} by that name in the directory; check the spelling (a user by user principal name, a group by display name, an app by display name or appId), or write the object id"
    )]
    Unknown {
        /// file:line:col and field path.
        at: String,
        /// As written.
        name: String,
        /// user, group or app.
        kind: &'static str,
    },
    /// Several by that name.
    #[error(
        "{at}: principal {name} matches {} objects in the directory: {}; write the object id of the one you mean", candidates.len(), candidates.join("; ")
    )]
    Ambiguous {
        /// file:line:col and field path.
        at: String,
        /// As written.
        name: String,
        /// Each candidate: display name, object id and user principal name or app id.
        candidates: Vec<String>,
    },
    /// One grant written twice, by name and by object id.
    #[error(
        "{at}: {first} and {second} are the same principal, each granted {role}; keep one of the two entries"
    )]
    Twice {
        /// file:line:col and field path of the list.
        at: String,
        /// The first entry's principal as written.
        first: String,
        /// The second's.
        second: String,
        /// The role.
        role: String,
    },
    /// Graph could not be asked.
    #[error("{at}: principal {name}: {error}")]
    Directory {
        /// file:line:col and field path.
        at: String,
        /// As written.
        name: String,
        /// Why.
        error: std::sync::Arc<hubctl_client::directory::DirectoryError>,
    },
}

/// Resolve every principal the manifests give by name (`user:`, `group:`, `app:`) to its
/// object id through Microsoft Graph, each name asked once per run. Every name that is not
/// exactly one object is reported (all of them, with where they are written); nothing is
/// planned then.
pub async fn resolve_principals(
    client: &ArmClient,
    desired: &mut Desired,
) -> Result<(), Vec<ResolveError>> {
    use hubctl_client::directory::{DirectoryError, Lookup};
    use hubctl_spec::model::PrincipalName;
    use std::collections::BTreeMap;
    use std::sync::Arc;

    let mut names: Vec<PrincipalName> =
        assignments(desired).filter_map(|a| a.principal.name().cloned()).collect();
    names.sort();
    names.dedup();
    if names.is_empty() {
        return Ok(());
    }
    let lookups = futures_util::future::join_all(names.iter().map(|name| async move {
        let answer = match name {
            PrincipalName::User(upn) => client.find_user(upn).await,
            PrincipalName::Group(n) => client.find_group(n).await,
            PrincipalName::App(n) => client.find_app(n).await,
        };
        (name.clone(), answer.map_err(Arc::new))
    }))
    .await;
    let answers: BTreeMap<PrincipalName, Result<Lookup, Arc<DirectoryError>>> =
        lookups.into_iter().collect();
    tracing::info!(names = answers.len(), "resolved principal names through Microsoft Graph");
    let mut problems = Vec::new();
    for hub in &mut desired.hubs {
        let mut scopes: Vec<(String, &mut Vec<hubctl_spec::model::Assignment>)> =
            vec![("spec.access.assignments".into(), &mut hub.spec.access.assignments)];
        for (j, project) in hub.spec.projects.iter_mut().enumerate() {
            scopes.push((
                format!("spec.projects[{j}].access.assignments"),
                &mut project.access.assignments,
            ));
        }
        let document = (&hub.source, &hub.positions);
        resolve_scopes(document, scopes, &answers, &mut problems);
    }
    for foundry in &mut desired.foundries {
        let mut scopes: Vec<(String, &mut Vec<hubctl_spec::model::Assignment>)> =
            vec![("spec.access.assignments".into(), &mut foundry.spec.access.assignments)];
        for (j, project) in foundry.spec.projects.iter_mut().enumerate() {
            scopes.push((
                format!("spec.projects[{j}].access.assignments"),
                &mut project.access.assignments,
            ));
        }
        let document = (&foundry.source, &foundry.positions);
        resolve_scopes(document, scopes, &answers, &mut problems);
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

type Answers = std::collections::BTreeMap<
    hubctl_spec::model::PrincipalName,
    Result<
        hubctl_client::directory::Lookup,
        std::sync::Arc<hubctl_client::directory::DirectoryError>,
    >,
>;

/// Set the object ids of one manifest's named principals from Graph's answers; what is not
/// exactly one object goes to `problems` with where it is written.
fn resolve_scopes(
    (source, positions): (
        &hubctl_spec::Location,
        &std::collections::BTreeMap<String, hubctl_spec::Pos>,
    ),
    scopes: Vec<(String, &mut Vec<hubctl_spec::model::Assignment>)>,
    answers: &Answers,
    problems: &mut Vec<ResolveError>,
) {
    use hubctl_client::directory::Lookup;
    use hubctl_spec::model::Principal;
    use std::collections::BTreeMap;
    let at = |path: &str| {
        let location = match positions.get(path) {
            Some(pos) => hubctl_spec::Location::new(&source.file, *pos),
            None => source.clone(),
        };
        format!("{location}: {path}")
    };
    for (base, assignments) in scopes {
        for (i, assignment) in assignments.iter_mut().enumerate() {
            let Principal::Named { name, id } = &mut assignment.principal else { continue };
            let at = at(&format!("{base}[{i}].principal"));
            let kind = name.prefix();
            match answers.get(name) {
                Some(Ok(Lookup::One(found))) => {
                    *id = hubctl_spec::ids::Guid::parse(&found.id);
                    if id.is_none() {
                        problems.push(ResolveError::Unknown { at, name: name.text(), kind });
                    }
                }
                Some(Ok(Lookup::Several(candidates))) => {
                    let candidates = candidates
                        .iter()
                        .map(|c| match &c.detail {
                            Some(d) => format!("\"{}\" {} ({d})", c.display_name, c.id),
                            None => format!("\"{}\" {}", c.display_name, c.id),
                        })
                        .collect();
                    problems.push(ResolveError::Ambiguous { at, name: name.text(), candidates });
                }
                Some(Ok(Lookup::None)) | None => {
                    problems.push(ResolveError::Unknown { at, name: name.text(), kind });
                }
                Some(Err(error)) => problems.push(ResolveError::Directory {
                    at,
                    name: name.text(),
                    error: error.clone(),
                }),
            }
        }
        // A name and the object id it resolves to, with the same role at one scope, are
        // one grant written twice.
        let mut seen: BTreeMap<(String, String), String> = BTreeMap::new();
        for assignment in assignments.iter() {
            let Some(id) = assignment.principal.id() else { continue };
            let key = (id.to_string(), assignment.role.text().to_ascii_lowercase());
            let written = assignment.principal.text();
            if let Some(first) = seen.get(&key)
                && *first != written
            {
                problems.push(ResolveError::Twice {
                    at: at(&base),
                    first: first.clone(),
                    second: written.clone(),
                    role: assignment.role.text().to_string(),
                });
            }
            seen.entry(key).or_insert(written);
        }
    }
}

/// The signed-in identity's permissions at every resource group the plan writes to (one
/// `Permissions_ListForResourceGroup` per group), then at each existing hub whose change the
/// group's answer refuses (`Permissions_ListForResource`: a role held on the hub alone), and
/// whether an ABAC-conditioned role assignment of its own applies there (one list of its
/// assignments per subscription). A plan that writes nothing reads nothing.
pub async fn permissions(
    client: &ArmClient,
    plan: &Plan,
    caller: Option<&str>,
) -> hubctl_plan::permissions::CallerPermissions {
    use hubctl_plan::permissions::{CallerPermissions, Deny, Grant, ScopeAccess};
    let groups = hubctl_plan::permissions::resource_groups(plan);
    let subscriptions: std::collections::BTreeSet<&String> =
        groups.iter().map(|(s, _)| s).collect();
    // The identity's own assignments, for their conditions; why they could not be read.
    let (conditioned, unread): (Vec<String>, Option<String>) =
        match caller {
            _ if groups.is_empty() => (Vec::new(), None),
            None => (Vec::new(), Some("the signed-in identity's object id is unknown".into())),
            Some(oid) => {
                let filter = format!("assignedTo('{oid}')");
                let lists =
                    futures_util::future::join_all(subscriptions.iter().map(|sub| {
                        let scope = format!("/subscriptions/{sub}");
                        let filter = filter.clone();
                        async move {
                            client.role_assignments().list_for_scope(&scope, Some(&filter)).await
                        }
                    }))
                    .await;
                let mut scopes = Vec::new();
                let mut unread = None;
                for list in lists {
                    match list {
                        Ok(list) => scopes.extend(
                            list.into_iter()
                                .filter(|a| a.condition().is_some())
                                .filter_map(|a| a.properties.scope.clone())
                                .map(|s| s.trim_end_matches('/').to_ascii_lowercase()),
                        ),
                        Err(e) => unread = Some(e.to_string()),
                    }
                }
                (scopes, unread)
            }
        };
    // Deny assignments at or above each group (one list per group).
    let deny_reads = futures_util::future::join_all(groups.iter().map(|(sub, rg)| async move {
        let key = format!("/subscriptions/{sub}/resourcegroups/{rg}");
        (key, client.deny_assignments_at(sub, rg).await)
    }))
    .await;
    let mut denies: std::collections::BTreeMap<String, Vec<Deny>> =
        std::collections::BTreeMap::new();
    for (key, read) in deny_reads {
        // An unreadable list leaves the group's permissions as the answer (whether those
        // could be read is said on their own).
        let ids = |list: &[hubctl_client::DenyPrincipal]| -> Vec<String> {
            list.iter().map(|p| p.id.clone()).collect()
        };
        let mut found = Vec::new();
        for d in read.unwrap_or_default() {
            let p = d.properties;
            let has_groups = p.principals.iter().any(|x| x.principal_type == "Group");
            for perm in p.permissions {
                found.push(Deny {
                    name: p.deny_assignment_name.clone(),
                    grant: Grant { actions: perm.actions, not_actions: perm.not_actions },
                    principals: ids(&p.principals),
                    excluded: ids(&p.exclude_principals),
                    has_groups,
                });
            }
        }
        denies.insert(key, found);
    }
    // Whether `key` (a group or hub key) is `scope` or under it.
    let under = |key: &str, scope: &str| key == scope || key.starts_with(&format!("{scope}/"));
    let access = |list: Result<Vec<hubctl_client::Permission>, ClientError>, key: &str| match list {
        Ok(list) => ScopeAccess::Read {
            grants: list
                .into_iter()
                .map(|p| Grant { actions: p.actions, not_actions: p.not_actions })
                .collect(),
            conditioned: conditioned.iter().any(|s| under(key, s)),
            conditions_unread: unread.clone(),
            // A hub's answer keeps its group's deny assignments (they apply below).
            denies: denies
                .iter()
                .filter(|(g, _)| under(key, g))
                .flat_map(|(_, d)| d.clone())
                .collect(),
        },
        Err(e) => ScopeAccess::Unreadable(match e.code() {
            Some(code) => format!("{code}: {e}"),
            None => e.to_string(),
        }),
    };
    let reads = futures_util::future::join_all(
        groups
            .iter()
            .map(|(sub, rg)| async move { (sub, rg, client.permissions_at(sub, rg).await) }),
    )
    .await;
    let mut scopes = std::collections::BTreeMap::new();
    for (sub, rg, read) in reads {
        let key = format!("/subscriptions/{sub}/resourcegroups/{rg}");
        let value = access(read, &key);
        scopes.insert(key, value);
    }
    let mut permissions =
        CallerPermissions { caller: caller.unwrap_or("(unknown object id)").to_string(), scopes };
    let hubs = hubctl_plan::permissions::hubs_to_read(plan, &permissions);
    let reads = futures_util::future::join_all(
        hubs.iter().map(|hub| async move { (hub, client.permissions_at_resource(hub).await) }),
    )
    .await;
    for (hub, read) in reads {
        // Only a readable answer replaces the group's.
        if read.is_ok() {
            let value = access(read, hub);
            permissions.scopes.insert(hub.clone(), value);
        }
    }
    tracing::info!(scopes = permissions.scopes.len(), "read the signed-in identity's permissions");
    permissions
}
