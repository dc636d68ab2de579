//! What to read before planning or applying: the inventory request for a set of manifests
//! (their hubs, the projects and rules they name, connections where they declare some, custom
//! role names) and for a saved plan (the hubs it was made from, with connections where it read
//! them). Reads grow with subscriptions and resource groups, not with resources
//! (hubctl_client::inventory).

use hubctl_client::inventory::{self, HubTarget, InventoryRequest, Strategy};
use hubctl_client::{ArmClient, ClientError};
use hubctl_model::{ArmId, LiveHub};
use hubctl_plan::Plan;
use hubctl_spec::Desired;
use hubctl_spec::model::RoleRef;

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
    let mut role_names: Vec<String> = desired
        .hubs
        .iter()
        .flat_map(|h| {
            h.spec
                .access
                .assignments
                .iter()
                .chain(h.spec.projects.iter().flat_map(|p| p.access.assignments.iter()))
        })
        .filter_map(|a| match &a.role {
            RoleRef::Name(name) if hubctl_plan::roles::built_in(name).is_none() => {
                Some(name.clone())
            }
            _ => None,
        })
        .collect();
    role_names.sort();
    role_names.dedup();
    InventoryRequest { hubs, role_names, strategy: Strategy::Auto }
}

/// The inventory a saved plan was made from: its hubs, with connections where it read them.
pub fn for_saved_plan(plan: &Plan) -> InventoryRequest {
    let hubs = plan
        .hubs
        .keys()
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
    InventoryRequest { hubs, role_names: Vec::new(), strategy: Strategy::Auto }
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
    let request =
        InventoryRequest { hubs: hubs.clone(), role_names: Vec::new(), strategy: Strategy::Auto };
    let (mut live, _) = inventory::read(client, &request).await?;
    Ok(hubs
        .iter()
        .filter_map(|h| {
            let id = ArmId::workspace(&h.subscription, &h.resource_group, &h.name);
            live.hubs.remove(id.key())
        })
        .collect())
}
