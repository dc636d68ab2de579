//! Checks across manifests: one hub declared twice, and workspace names shared in a resource
//! group.
//!
//! Hubs and projects are both `Microsoft.MachineLearningServices/workspaces` in their resource
//! group, so a project named like a hub (or like another hub's project) in the same group would
//! be the same ARM resource. ARM names are case-insensitive, so the comparison is too.

use std::collections::BTreeMap;

use crate::model::{Foundry, Hub};
use crate::problem::Problem;
use crate::source::{Diagnostic, FieldPath, Location};

/// Report duplicates among `hubs`; returns the hubs that are not involved in any.
pub(crate) fn across(hubs: Vec<Hub>, diagnostics: &mut Vec<Diagnostic>) -> Vec<Hub> {
    let mut bad = vec![false; hubs.len()];
    let mut first_hub: BTreeMap<String, usize> = BTreeMap::new();
    for (i, hub) in hubs.iter().enumerate() {
        let key = hub_key(hub);
        match first_hub.get(&key) {
            Some(&first) => {
                diagnostics.push(Diagnostic {
                    location: hub.location_of("metadata.name"),
                    path: FieldPath::root().field("metadata").field("name"),
                    problem: Problem::DuplicateHub {
                        hub: display_key(hub),
                        first: hubs[first].location_of("metadata.name"),
                    },
                });
                bad[i] = true;
                bad[first] = true;
            }
            None => {
                first_hub.insert(key, i);
            }
        }
    }
    // Workspace names per (subscription, resource group): hubs first, then projects.
    let mut names: BTreeMap<(String, String, String), (usize, Location)> = BTreeMap::new();
    for (i, hub) in hubs.iter().enumerate() {
        if bad[i] {
            continue;
        }
        let key = workspace_key(hub, &hub.metadata.name);
        names.insert(key, (i, hub.location_of("metadata.name")));
    }
    for (i, hub) in hubs.iter().enumerate() {
        if bad[i] {
            continue;
        }
        for (p, project) in hub.spec.projects.iter().enumerate() {
            let path = FieldPath::root().field("spec").field("projects").index(p).field("name");
            let here = hub.location_of(path.as_str());
            let key = workspace_key(hub, &project.name);
            match names.get(&key) {
                Some((owner, first)) => {
                    diagnostics.push(Diagnostic {
                        location: here,
                        path,
                        problem: Problem::WorkspaceNameTaken {
                            name: project.name.clone(),
                            resource_group: hub.metadata.resource_group.clone(),
                            first: first.clone(),
                        },
                    });
                    bad[i] = true;
                    bad[*owner] = true;
                }
                None => {
                    names.insert(key, (i, here));
                }
            }
        }
    }
    hubs.into_iter().zip(bad).filter(|(_, bad)| !bad).map(|(hub, _)| hub).collect()
}

fn hub_key(hub: &Hub) -> String {
    let (sub, rg, name) = workspace_key(hub, &hub.metadata.name);
    format!("{sub}/{rg}/{name}")
}

fn workspace_key(hub: &Hub, name: &str) -> (String, String, String) {
    (
        hub.metadata.subscription.to_string(),
        hub.metadata.resource_group.to_lowercase(),
        name.to_lowercase(),
    )
}

fn display_key(hub: &Hub) -> String {
    format!(
        "hub {}/{}/{}",
        hub.metadata.subscription, hub.metadata.resource_group, hub.metadata.name
    )
}

/// Report duplicates among `foundries`: an account declared twice, and a custom subdomain
/// written in two manifests (subdomains are unique across Azure, so two accounts cannot share
/// one). Returns the ones not involved in any.
pub(crate) fn across_foundries(
    foundries: Vec<Foundry>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Foundry> {
    let mut bad = vec![false; foundries.len()];
    let mut first_account: BTreeMap<String, usize> = BTreeMap::new();
    let mut first_subdomain: BTreeMap<String, usize> = BTreeMap::new();
    for (i, foundry) in foundries.iter().enumerate() {
        let m = &foundry.metadata;
        let key = format!("{}/{}/{}", m.subscription, m.resource_group, m.name).to_lowercase();
        if let Some(&first) = first_account.get(&key) {
            diagnostics.push(Diagnostic {
                location: foundry.location_of("metadata.name"),
                path: FieldPath::root().field("metadata").field("name"),
                problem: Problem::DuplicateHub {
                    hub: format!(
                        "Foundry resource {}/{}/{}",
                        m.subscription, m.resource_group, m.name
                    ),
                    first: foundries[first].location_of("metadata.name"),
                },
            });
            bad[i] = true;
            bad[first] = true;
            continue;
        }
        first_account.insert(key, i);
        let subdomain = foundry.spec.custom_sub_domain_name.to_lowercase();
        match first_subdomain.get(&subdomain) {
            Some(&first) => {
                diagnostics.push(Diagnostic {
                    location: foundry.location_of("spec.customSubDomainName"),
                    path: FieldPath::root().field("spec").field("customSubDomainName"),
                    problem: Problem::DuplicateSubdomain {
                        name: subdomain,
                        first: foundries[first].location_of("spec.customSubDomainName"),
                    },
                });
                bad[i] = true;
                bad[first] = true;
            }
            None => {
                first_subdomain.insert(subdomain, i);
            }
        }
    }
    foundries.into_iter().zip(bad).filter(|(_, bad)| !bad).map(|(f, _)| f).collect()
}
