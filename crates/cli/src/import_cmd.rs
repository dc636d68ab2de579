//! `hubctl import`: live hubs → manifests that plan to no changes.
//!
//! Reads hubs (with their projects, user-defined outbound rules, connections and access at hub
//! and project scope) through the same inventory as plan, and writes one manifest per hub; the
//! mapping from ARM to the manifest is hubctl-plan's (`hubctl_plan::import`, each section's
//! reading beside its diff).

use std::path::PathBuf;

use hubctl_client::inventory::{self, HubTarget, InventoryRequest, Strategy};
use hubctl_model::{ArmId, id_key};

use crate::ExitStatus;
use crate::context::{self, GlobalArgs};
use crate::output::Printer;
use crate::plan_cmd;

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

/// `hubctl import`.
pub fn import(printer: &mut Printer, global: &GlobalArgs, args: ImportArgs) -> ExitStatus {
    let Some(runtime) = plan_cmd::start(printer) else { return ExitStatus::Error };
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
                    resource_group: ArmId::parse(&w.id)
                        .ok()
                        .and_then(|id| id.resource_group().map(str::to_string))
                        .unwrap_or_default(),
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
                    live.hubs.get(k).map(|h| {
                        let text = hubctl_plan::import::manifest(&args.subscription, h);
                        (h.workspace.name.clone(), text)
                    })
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
                if let Err(e) = std::fs::write(&path, &text.text) {
                    printer.err(&format!("error: cannot write {}: {e}\n", path.display()));
                    return ExitStatus::Error;
                }
                printer.err(&format!("wrote {}\n", path.display()));
            }
        }
        None => {
            let texts: Vec<&str> = manifests.iter().map(|(_, m)| m.text.as_str()).collect();
            printer.out(&texts.join("---\n"));
        }
    }
    // Nothing dropped without a word: what no manifest field holds is named here, as well as
    // in a comment in the file. It is left as it is by every later apply.
    for (name, manifest) in &manifests {
        if manifest.not_expressed.is_empty() {
            continue;
        }
        printer.err(&format!(
            "warning: {name}: {} setting(s) no manifest field holds, left as they are (also comments in its manifest):\n",
            manifest.not_expressed.len()
        ));
        for what in &manifest.not_expressed {
            printer.err(&format!("  - {what}\n"));
        }
    }
    ExitStatus::Success
}
