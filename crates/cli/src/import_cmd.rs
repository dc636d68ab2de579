//! `hubctl import`: live hubs → manifests that plan to no changes.
//!
//! Reads hubs (with their projects, user-defined outbound rules, connections and access at hub
//! and project scope) through the same inventory as plan, and writes one manifest per hub; the
//! mapping from ARM to the manifest is hubctl-plan's (`hubctl_plan::import`, each section's
//! reading beside its diff).

use std::path::PathBuf;

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
        let (rg, name) = (args.resource_group.as_deref(), args.name.as_deref());
        let read =
            hubctl_apply::read::for_import(&target.client, &args.subscription, rg, name).await;
        target.close().await;
        let hubs = read.map_err(|e| e.to_string())?;
        Ok::<_, String>(
            hubs.iter()
                .map(|h| {
                    let text = hubctl_plan::import::manifest(&args.subscription, h);
                    (h.workspace.name.clone(), text)
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
