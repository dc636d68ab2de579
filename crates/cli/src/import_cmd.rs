//! `hubctl import`: live hubs → manifests that plan to no changes.
//!
//! Reads hubs (with their projects, user-defined outbound rules, connections and access at hub
//! and project scope) through the same inventory as plan, and writes one manifest per hub.
//! Values the service sets itself (ids, states, its own rules, a project's inherited settings)
//! are left out; what a manifest cannot express is written as a comment, so nothing is dropped
//! silently.

use std::fmt::Write as _;
use std::path::PathBuf;

use hubctl_client::inventory::{self, HubTarget, InventoryRequest, Strategy};
use hubctl_model::{
    DatastoresAuthMode, IdentityType, IsolationMode, LiveHub, RoleAssignment, RuleDestination,
    id_key, role_definition_guid,
};

use crate::ExitStatus;
use crate::context::{self, GlobalArgs};
use crate::output::Printer;

/// Flags of `hubctl import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The subscription to read.
    #[arg(long, value_name = "ID")]
    pub subscription: String,
    /// Only hubs in this resource group.
    #[arg(long, value_name = "RG")]
    pub resource_group: Option<String>,
    /// Only this hub.
    #[arg(long, value_name = "HUB")]
    pub name: Option<String>,
    /// Write one `<hub>.yaml` per hub into this folder (default: all to stdout).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// YAML scalar: quoted when YAML would read it as anything but this string.
fn scalar(text: &str) -> String {
    let plain = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || " -_./,()".contains(c))
        && !text.starts_with(['-', ' ', '.'])
        && !text.ends_with(' ')
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "~"
        )
        && text.parse::<f64>().is_err()
        && !text.contains(": ")
        && !text.contains(" #");
    if plain { text.to_string() } else { serde_json::to_string(text).unwrap_or_default() }
}

fn principal_type(assignment: &RoleAssignment) -> &'static str {
    match assignment.properties.principal_type.as_ref().map(|p| p.as_str()) {
        Some("Group") => "group",
        Some("ServicePrincipal") => "servicePrincipal",
        _ => "user",
    }
}

fn access(out: &mut String, indent: &str, assignments: &[RoleAssignment]) {
    if assignments.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}access:\n{indent}  assignments:");
    for a in assignments {
        let guid = role_definition_guid(&a.properties.role_definition_id);
        let role = hubctl_plan::roles::name_of(&guid).map(str::to_string).unwrap_or(guid);
        let _ = writeln!(
            out,
            "{indent}    - {{ principal: {}, principalType: {}, role: {} }}",
            a.properties.principal_id,
            principal_type(a),
            scalar(&role)
        );
    }
}

/// One hub's manifest text.
pub fn manifest(subscription: &str, hub: &LiveHub) -> String {
    let w = &hub.workspace;
    let p = &w.properties;
    let rg = w.id.split('/').nth(4).unwrap_or_default();
    let mut out = String::from(
        "# Editor completion: `hubctl schema > hub.schema.json` beside this file.\n# yaml-language-server: $schema=hub.schema.json\n",
    );
    let _ = writeln!(out, "# Imported by hubctl import from {}", w.id);
    out.push_str("apiVersion: hubctl/v1\nkind: Hub\nmetadata:\n");
    let _ = writeln!(
        out,
        "  name: {}\n  subscription: {subscription}\n  resourceGroup: {}\n  location: {}",
        w.name,
        scalar(rg),
        w.location.replace(' ', "").to_ascii_lowercase()
    );
    let tags: Vec<(&String, &String)> = w
        .tags
        .iter()
        .flatten()
        .filter(|(k, _)| !k.to_ascii_lowercase().starts_with("hubctl-"))
        .collect();
    if !tags.is_empty() {
        out.push_str("  tags:\n");
        for (k, v) in tags {
            let _ = writeln!(
                out,
                "    {}: {}",
                scalar(k),
                serde_json::to_string(v).unwrap_or_default()
            );
        }
    }
    out.push_str("spec:\n");
    if let Some(v) = &p.friendly_name {
        let _ = writeln!(out, "  displayName: {}", scalar(v));
    }
    if let Some(v) = &p.description {
        let _ = writeln!(out, "  description: {}", scalar(v));
    }
    if let Some(v) = &p.storage_account {
        let _ = writeln!(out, "  storageAccount: {v}");
    }
    match &p.key_vault {
        Some(kv) => {
            let _ = writeln!(out, "  credentialStore:\n    keyVault: {kv}");
        }
        None => out.push_str("  credentialStore: microsoftManaged\n"),
    }
    if let Some(v) = &p.application_insights {
        let _ = writeln!(out, "  applicationInsights: {v}");
    }
    if let Some(v) = &p.container_registry {
        let _ = writeln!(out, "  containerRegistry: {v}");
    }
    if let Some(identity) = &w.identity {
        let kind = match identity.identity_type {
            IdentityType::SystemAssigned => Some("systemAssigned"),
            IdentityType::UserAssigned => Some("userAssigned"),
            IdentityType::SystemAndUserAssigned => Some("\"systemAssigned,userAssigned\""),
            _ => None,
        };
        match kind {
            Some(kind) => {
                let _ = writeln!(out, "  identity:\n    type: {kind}");
                if let Some(uais) = &identity.user_assigned_identities
                    && !uais.is_empty()
                {
                    out.push_str("    userAssigned:\n");
                    for id in uais.keys() {
                        let _ = writeln!(out, "      - {id}");
                    }
                }
                if let Some(primary) = &p.primary_user_assigned_identity {
                    let _ = writeln!(out, "    primary: {primary}");
                }
            }
            None => {
                let _ = writeln!(
                    out,
                    "  # identity type {} cannot be expressed; the default (systemAssigned) applies",
                    identity.identity_type
                );
            }
        }
    }
    match &p.system_datastores_auth_mode {
        Some(DatastoresAuthMode::Identity) => out.push_str("  storageAccess: identity\n"),
        Some(DatastoresAuthMode::AccessKey) | None => out.push_str("  storageAccess: credential\n"),
        Some(other) => {
            let _ = writeln!(out, "  # systemDatastoresAuthMode {other} cannot be expressed");
        }
    }
    match p.encryption.as_ref().filter(|e| e.is_customer_managed()) {
        Some(e) => {
            let _ = writeln!(
                out,
                "  encryption:\n    type: customerManaged\n    keyVault: {}\n    keyUri: {}",
                e.key_vault_properties.key_vault_arm_id, e.key_vault_properties.key_identifier
            );
            if let Some(id) = e.identity.as_ref().and_then(|i| i.user_assigned_identity.as_ref()) {
                let _ = writeln!(out, "    identity: {id}");
            }
        }
        None => out.push_str("  encryption:\n    type: microsoftManaged\n"),
    }
    let _ = writeln!(out, "  highBusinessImpact: {}", p.hbi_workspace.unwrap_or(false));
    let network = p.managed_network.as_ref();
    let mode = network.and_then(|n| n.isolation_mode.clone()).unwrap_or(IsolationMode::Disabled);
    let isolation = match mode {
        IsolationMode::AllowInternetOutbound => "privateWithInternetOutbound",
        IsolationMode::AllowOnlyApprovedOutbound => "privateWithApprovedOutbound",
        _ => "public",
    };
    let public = p
        .public_network_access
        .as_ref()
        .map(|a| a.as_str().to_ascii_lowercase())
        .unwrap_or_else(|| "enabled".into());
    let _ =
        writeln!(out, "  network:\n    publicNetworkAccess: {public}\n    isolation: {isolation}");
    if mode == IsolationMode::AllowOnlyApprovedOutbound {
        let sku = network
            .and_then(|n| n.firewall_sku.as_ref())
            .map(|s| s.as_str().to_ascii_lowercase())
            .unwrap_or_else(|| "standard".into());
        let _ = writeln!(out, "    firewallSku: {sku}");
    }
    let rules: Vec<(&String, &hubctl_model::OutboundRule)> = network
        .and_then(|n| n.outbound_rules.as_ref())
        .map(|r| r.iter().filter(|(_, r)| r.is_user_defined()).collect())
        .unwrap_or_default();
    if !rules.is_empty() {
        out.push_str("    outboundRules:\n");
        for (name, rule) in rules {
            match &rule.destination {
                RuleDestination::Fqdn(host) => {
                    let _ = writeln!(
                        out,
                        "      - {{ name: {name}, fqdn: {} }}",
                        serde_json::to_string(host).unwrap_or_default()
                    );
                }
                RuleDestination::PrivateEndpoint(d) => {
                    let _ = writeln!(
                        out,
                        "      - name: {name}\n        privateEndpoint: {{ resource: {}, subresource: {}, sparkEnabled: {} }}",
                        d.service_resource_id, d.subresource_target, d.spark_enabled
                    );
                }
                RuleDestination::ServiceTag(d) => {
                    let protocol = if d.protocol == "*" {
                        "\"*\"".to_string()
                    } else {
                        d.protocol.to_ascii_uppercase()
                    };
                    let _ = writeln!(
                        out,
                        "      - name: {name}\n        serviceTag: {{ tag: {}, protocol: {protocol}, ports: {} }}",
                        d.service_tag,
                        serde_json::to_string(&d.port_ranges).unwrap_or_default()
                    );
                }
                RuleDestination::Unknown { rule_type, .. } => {
                    let _ = writeln!(
                        out,
                        "      # rule {name} of type {rule_type} cannot be expressed"
                    );
                }
            }
        }
    }
    if let Some(connections) = &hub.connections
        && !connections.is_empty()
    {
        out.push_str("  connections:\n");
        for c in connections {
            let category = match c.properties.category.to_ascii_lowercase().as_str() {
                "aiservices" => Some("aiServices"),
                "azureopenai" => Some("azureOpenAI"),
                "cognitivesearch" => Some("aiSearch"),
                "azureblob" => Some("storage"),
                _ => None,
            };
            let resource = c.properties.metadata.as_ref().and_then(|m| m.get("ResourceId"));
            // hubctl cannot manage an API key yet (validation refuses `auth: apiKey`): the
            // connection is named in a comment, not written as an entry that would not load.
            if c.properties.auth_type.eq_ignore_ascii_case("ApiKey") {
                let _ = writeln!(
                    out,
                    "    # connection {} ({}) uses an API key, which hubctl cannot manage yet; left as it is",
                    c.name, c.properties.category
                );
                continue;
            }
            let auth = "entraId";
            match (category, resource) {
                (Some(category), Some(resource)) => {
                    let container =
                        c.properties.metadata.as_ref().and_then(|m| m.get("ContainerName"));
                    let container = match (category, container) {
                        ("storage", Some(container)) => format!(", container: {container}"),
                        ("storage", None) => {
                            let _ = writeln!(
                                out,
                                "    # connection {} (storage) names no container, which hubctl needs; left as it is",
                                c.name
                            );
                            continue;
                        }
                        _ => String::new(),
                    };
                    let _ = writeln!(
                        out,
                        "    - {{ name: {}, category: {category}, resource: {resource}, auth: {auth}{container} }}",
                        c.name
                    );
                }
                _ => {
                    let _ = writeln!(
                        out,
                        "    # connection {} ({}) cannot be expressed",
                        c.name, c.properties.category
                    );
                }
            }
        }
    }
    access(&mut out, "  ", &hub.assignments);
    if !hub.projects.is_empty() {
        out.push_str("  projects:\n");
        for project in hub.projects.values() {
            let _ = writeln!(out, "    - name: {}", project.workspace.name);
            if let Some(v) = &project.workspace.properties.friendly_name {
                let _ = writeln!(out, "      displayName: {}", scalar(v));
            }
            if let Some(v) = &project.workspace.properties.description {
                let _ = writeln!(out, "      description: {}", scalar(v));
            }
            access(&mut out, "      ", &project.assignments);
        }
    }
    out
}

/// `hubctl import`.
pub fn import(printer: &mut Printer, global: &GlobalArgs, args: ImportArgs) -> ExitStatus {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            printer.err(&format!("error: cannot start the async runtime: {e}\n"));
            return ExitStatus::Error;
        }
    };
    let result = runtime.block_on(async {
        let target = context::connect(global).await.map_err(|e| e.to_string())?;
        let workspaces = match &args.resource_group {
            Some(rg) => {
                target
                    .client
                    .workspaces()
                    .list_by_resource_group(&args.subscription, rg, Some("Hub"))
                    .await
            }
            None => target.client.workspaces().list_by_subscription(&args.subscription).await,
        };
        // A thin list item (no kind) is read again by GET before it is judged a hub.
        let workspaces = match workspaces {
            Ok(list) => inventory::complete(&target.client, list).await.map(|(all, _)| all),
            Err(e) => Err(e),
        };
        let hubs: Vec<HubTarget> = match workspaces {
            Ok(list) => list
                .into_iter()
                .filter(|w| {
                    w.is_hub() && args.name.as_ref().is_none_or(|n| n.eq_ignore_ascii_case(&w.name))
                })
                .map(|w| HubTarget {
                    subscription: args.subscription.clone(),
                    resource_group: w.id.split('/').nth(4).unwrap_or_default().to_string(),
                    name: w.name.clone(),
                    projects: Vec::new(),
                    rules: Vec::new(),
                    read_connections: true,
                })
                .collect(),
            Err(e) => {
                target.close().await;
                return Err(e.to_string());
            }
        };
        let read = inventory::read(
            &target.client,
            &InventoryRequest {
                hubs: hubs.clone(),
                role_names: Vec::new(),
                strategy: Strategy::Auto,
            },
        )
        .await;
        target.close().await;
        let (live, _) = read.map_err(|e| e.to_string())?;
        let wanted: Vec<String> = hubs
            .iter()
            .map(|h| {
                id_key(&hubctl_model::workspace_id(&h.subscription, &h.resource_group, &h.name))
            })
            .collect();
        Ok::<_, String>(
            wanted
                .iter()
                .filter_map(|k| {
                    live.hubs
                        .get(k)
                        .map(|h| (h.workspace.name.clone(), manifest(&args.subscription, h)))
                })
                .collect::<Vec<_>>(),
        )
    });
    let manifests = match result {
        Ok(m) => m,
        Err(e) => {
            printer.err(&format!("error: {e}\n"));
            return ExitStatus::Error;
        }
    };
    if manifests.is_empty() {
        printer.err("error: no hub matched\n");
        return ExitStatus::Error;
    }
    match &args.out {
        Some(dir) => {
            if let Err(e) = std::fs::create_dir_all(dir) {
                printer.err(&format!("error: cannot create {}: {e}\n", dir.display()));
                return ExitStatus::Error;
            }
            for (name, text) in &manifests {
                let path = dir.join(format!("{name}.yaml"));
                if let Err(e) = std::fs::write(&path, text) {
                    printer.err(&format!("error: cannot write {}: {e}\n", path.display()));
                    return ExitStatus::Error;
                }
                printer.err(&format!("wrote {}\n", path.display()));
            }
        }
        None => {
            let texts: Vec<&str> = manifests.iter().map(|(_, t)| t.as_str()).collect();
            printer.out(&texts.join("---\n"));
        }
    }
    ExitStatus::Success
}
