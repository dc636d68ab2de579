//! `hubctl import`: live hubs and Foundry resources → manifests that plan to no changes.
//!
//! Reads hubs (with their projects, user-defined outbound rules, connections and access at hub
//! and project scope) through the same inventory as plan, and writes one manifest per hub; the
//! mapping from ARM to the manifest is hubctl-plan's (`hubctl_plan::import`, each section's
//! reading beside its diff).

use std::collections::BTreeMap;
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
    /// Only hubs and Foundry resources in this resource group.
    #[arg(long, value_name = "RG")]
    pub resource_group: Option<String>,
    /// Only this hub or Foundry resource.
    #[arg(long, value_name = "HUB")]
    pub name: Option<String>,
    /// Write one `<hub>.yaml` per hub into this folder (default: all to stdout).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write principals as object ids, not by name (names need Microsoft Graph read access).
    #[arg(long)]
    pub principal_ids: bool,
}

/// Names for the principals of `hubs` that resolve back to exactly their object id
/// (`user:<upn>`, `group:<display name>`, `app:<display name>`), by lower-case object id; a
/// principal whose name is shared, or that Graph does not know, keeps its id. When Graph
/// cannot be read at all, every id is kept and the reason is returned to be shown.
async fn principal_names(
    client: &hubctl_client::ArmClient,
    hubs: &[hubctl_model::LiveHub],
    foundries: &[hubctl_model::LiveFoundry],
) -> (BTreeMap<String, String>, Option<String>) {
    use hubctl_client::directory::{Kind, Lookup};
    let foundry_assignments = foundries.iter().flat_map(|f| {
        f.assignments.iter().chain(f.projects.values().flat_map(|p| p.assignments.iter()))
    });
    let mut ids: Vec<String> = hubs
        .iter()
        .flat_map(|h| {
            h.assignments.iter().chain(h.projects.values().flat_map(|p| p.assignments.iter()))
        })
        .chain(foundry_assignments)
        .map(|a| a.properties.principal_id.to_ascii_lowercase())
        .collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return (BTreeMap::new(), None);
    }
    let found = match client.names_of(&ids).await {
        Ok(found) => found,
        Err(e) => return (BTreeMap::new(), Some(e.to_string())),
    };
    let mut names = BTreeMap::new();
    for (id, object) in found {
        let plain = |n: &str| !n.is_empty() && n.trim() == n;
        let name = match object.kind {
            Kind::User => object.detail.filter(|upn| plain(upn)).map(|upn| format!("user:{upn}")),
            Kind::Group | Kind::ServicePrincipal if plain(&object.display_name) => {
                // A display name names one object only if Graph finds no other.
                let lookup = if object.kind == Kind::Group {
                    client.find_group(&object.display_name).await
                } else {
                    client.find_app(&object.display_name).await
                };
                let prefix = if object.kind == Kind::Group { "group" } else { "app" };
                match lookup {
                    Ok(Lookup::One(one)) if one.id.eq_ignore_ascii_case(&id) => {
                        Some(format!("{prefix}:{}", object.display_name))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some(name) = name {
            names.insert(id, name);
        }
    }
    (names, None)
}

/// `hubctl import`.
pub fn import(printer: &mut Printer, global: &GlobalArgs, args: ImportArgs) -> ExitStatus {
    let Some(runtime) = plan_cmd::start(printer) else { return ExitStatus::Error };
    let result = runtime.block_on(async {
        let target = context::connect(global).await.map_err(|e| e.to_string())?;
        let (rg, name) = (args.resource_group.as_deref(), args.name.as_deref());
        let read =
            hubctl_apply::read::for_import(&target.client, &args.subscription, rg, name).await;
        let read = match read {
            Ok(hubs) => hubctl_apply::read::for_import_foundries(
                &target.client,
                &args.subscription,
                rg,
                name,
            )
            .await
            .map(|foundries| (hubs, foundries)),
            Err(e) => Err(e),
        };
        let (hubs, foundries) = match read {
            Ok(read) => read,
            Err(e) => {
                target.close().await;
                return Err(e.to_string());
            }
        };
        let (names, unnamed) = if args.principal_ids {
            (BTreeMap::new(), None)
        } else {
            principal_names(&target.client, &hubs, &foundries).await
        };
        target.close().await;
        let sub = &args.subscription;
        let hub_manifests = hubs.iter().map(|h| {
            (h.workspace.name.clone(), hubctl_plan::import::manifest_named(sub, h, &names))
        });
        let foundry_manifests = foundries.iter().map(|f| {
            (f.account.name.clone(), hubctl_plan::import::foundry_manifest(sub, f, &names))
        });
        Ok::<_, String>((hub_manifests.chain(foundry_manifests).collect::<Vec<_>>(), unnamed))
    });
    let manifests = match result {
        Ok((m, unnamed)) => {
            if let Some(why) = unnamed {
                printer.err(&format!(
                    "note: principals are written as object ids: their names could not be read ({why})\n"
                ));
            }
            m
        }
        Err(e) => {
            printer.err(&format!("error: {e}\n"));
            return ExitStatus::Error;
        }
    };
    if manifests.is_empty() {
        printer.err("error: no hub or Foundry resource matched\n");
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
