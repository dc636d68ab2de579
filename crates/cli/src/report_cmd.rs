//! `hubctl report merge`: one report from the JSON outputs of shards (`--shard K/N`), so a CI
//! matrix or several CronJobs that split a fleet still produce one plan or drift report.

use std::path::PathBuf;

use hubctl_plan::Plan;

use crate::ExitStatus;
use crate::context::GlobalArgs;
use crate::output::Printer;
use crate::plan_cmd;
use crate::render::{Format, Mode};

/// `hubctl report …`.
#[derive(Debug, clap::Subcommand)]
pub enum ReportCommand {
    /// Merge the `--format json` outputs (or saved plans) of shards into one report.
    Merge {
        /// The shards' JSON files.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
        /// text, json or markdown.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Render as a drift report.
        #[arg(long)]
        drift: bool,
        /// Markdown only: the most characters to print.
        #[arg(long, value_name = "N", default_value_t = crate::review::DEFAULT_MAX_CHARS)]
        max_chars: usize,
    },
}

/// Merge plans made from disjoint shards of one fleet.
pub fn merge(plans: Vec<Plan>) -> Result<Plan, String> {
    let mut plans = plans.into_iter();
    let mut merged = plans.next().ok_or("nothing to merge")?;
    let mut digests = vec![merged.provenance.manifest_digest.clone()];
    for plan in plans {
        if plan.provenance.target != merged.provenance.target {
            return Err(format!(
                "the shards were made against different targets: {} and {}",
                merged.provenance.target, plan.provenance.target
            ));
        }
        if let Some(hub) = plan.hubs.keys().find(|k| merged.hubs.contains_key(*k)) {
            return Err(format!(
                "hub {hub} is in two shards; merge the outputs of one run of --shard 1/N … N/N"
            ));
        }
        digests.push(plan.provenance.manifest_digest.clone());
        merged.provenance.prune |= plan.provenance.prune;
        merged.changes.extend(plan.changes);
        merged.warnings.extend(plan.warnings);
        merged.hubs.extend(plan.hubs);
        merged.fingerprints.extend(plan.fingerprints);
    }
    digests.sort();
    merged.provenance.manifest_digest = digests.join(",");
    merged.changes = hubctl_plan::order::order(merged.changes);
    Ok(merged)
}

/// `hubctl report`.
pub fn run(printer: &mut Printer, global: &GlobalArgs, command: ReportCommand) -> ExitStatus {
    let ReportCommand::Merge { files, format, drift, max_chars } = command;
    let mut plans = Vec::new();
    for file in &files {
        let parsed = std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|text| hubctl_plan::saved::from_text(&text).map_err(|e| e.to_string()));
        match parsed {
            Ok(plan) => plans.push(plan),
            Err(e) => {
                printer.err(&format!("error: {}: {e}\n", file.display()));
                return ExitStatus::Error;
            }
        }
    }
    let merged = match merge(plans) {
        Ok(plan) => plan,
        Err(e) => {
            printer.err(&format!("error: {e}\n"));
            return ExitStatus::Error;
        }
    };
    let mode = if drift { Mode::Drift } else { Mode::Plan };
    let target = merged.provenance.target.clone();
    plan_cmd::show(printer, &merged, format, mode, global, &target, max_chars);
    if merged.is_blocked() && !drift {
        ExitStatus::Blocked
    } else if merged.has_changes() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    }
}
