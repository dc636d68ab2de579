//! `hubctl adopt`: write hubctl's ownership and applied-manifest tags on hubs it did not
//! create (after `hubctl import`), and nothing else — shown first, then confirmed. A hub whose
//! live state differs from its manifest is refused (exit 3, nothing written): `hubctl apply`
//! adopts it with its changes. The decision is hubctl-plan's (`hubctl_plan::adopt`).

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use hubctl_plan::adopt::{self, Adoption};
use hubctl_plan::{DIGEST_TAG, OWNER_TAG};

use crate::ExitStatus;
use crate::context::GlobalArgs;
use crate::output::Printer;
use crate::plan_cmd;

/// Flags of `hubctl adopt`.
#[derive(Debug, clap::Args)]
pub struct AdoptArgs {
    /// Manifest files or folders (e.g. what `hubctl import --out` wrote). Default: the current folder.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Do not ask; write the tags shown.
    #[arg(long)]
    pub auto_approve: bool,
}

fn line(adoption: &Adoption) -> String {
    match adoption {
        Adoption::Ready { name, tags, marks, .. } => {
            let mut out = format!(
                "  + adopt hub {name}: write tags {OWNER_TAG}={}, {DIGEST_TAG}={} (other tags and settings are left as they are)\n",
                tags.get(OWNER_TAG).map_or("", String::as_str),
                tags.get(DIGEST_TAG).map_or("", String::as_str),
            );
            for mark in marks {
                out.push_str(&format!(
                    "      ~ role assignment {}: add hubctl's mark to its description (no access changes)\n",
                    mark.display
                ));
            }
            out
        }
        Adoption::AlreadyAdopted { name } => format!("  · {name}: already adopted\n"),
        Adoption::NotFound { name } => {
            format!("  · {name}: not in Azure; `hubctl apply` creates it, adopted from the start\n")
        }
        Adoption::Differs { name, changes } => format!(
            "  ! {name}: refused, live differs from the manifest ({changes} change(s) in `hubctl plan`); adopting now would call those differences drift. Apply them (`hubctl apply` adopts the hub with them) or make the manifest match\n"
        ),
    }
}

/// Whether to go ahead: `--auto-approve`, or "yes" at a terminal. `Err` is what to print.
fn approved(printer: &mut Printer, auto_approve: bool) -> Result<(), String> {
    if auto_approve {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(
            "error: adopt needs confirmation but stdin is not a terminal; pass --auto-approve\n"
                .into(),
        );
    }
    printer.err("Write these tags? Only 'yes' is accepted: ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).map_err(|e| format!("error: {e}\n"))?;
    if answer.trim() == "yes" { Ok(()) } else { Err("Not adopted.\n".into()) }
}

/// `hubctl adopt`.
pub fn adopt(printer: &mut Printer, global: &GlobalArgs, args: AdoptArgs) -> ExitStatus {
    let Some(mut desired) = plan_cmd::load(printer, &args.paths, global.shard) else {
        return ExitStatus::Error;
    };
    let Some(runtime) = plan_cmd::start(printer) else { return ExitStatus::Error };
    runtime.block_on(async {
        let (plan, live, target) =
            match plan_cmd::read_and_plan(global, &mut desired, plan_cmd::Deletes::default()).await
            {
                Ok(read) => read,
                Err(e) => {
                    printer.err(&format!("error: {e}\n"));
                    return ExitStatus::Error;
                }
            };
        let adoptions = adopt::adoptions(&desired, &live, &plan);
        printer.out(&format!("Adopt against {}:\n", target.description));
        for adoption in &adoptions {
            printer.out(&line(adoption));
        }
        let ready: Vec<&Adoption> =
            adoptions.iter().filter(|a| matches!(a, Adoption::Ready { .. })).collect();
        let status = if adoptions.iter().any(Adoption::refused) {
            printer.err("error: a hub is refused; nothing was written\n");
            ExitStatus::Blocked
        } else if ready.is_empty() {
            printer.out("Nothing to adopt.\n");
            ExitStatus::Success
        } else if let Err(refusal) = approved(printer, args.auto_approve) {
            printer.err(&refusal);
            ExitStatus::Error
        } else {
            let mut status = ExitStatus::Success;
            for adoption in &ready {
                if let Err(e) = hubctl_apply::adopt(&target.client, adoption).await {
                    printer.err(&format!("error: {e}\n"));
                    status = ExitStatus::Error;
                }
            }
            if status == ExitStatus::Success {
                printer.out(&format!("Adopted {} hub(s).\n", ready.len()));
            }
            status
        };
        target.close().await;
        status
    })
}
