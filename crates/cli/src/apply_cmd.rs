//! `hubctl apply`: plan (or read a saved plan and check it is still true), show it, confirm,
//! execute, and sum up every step: done, failed with the service's code, not started.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use hubctl_apply::{ApplyObserver, ApplyOptions, Flow, StepStatus};
use hubctl_plan::{Action, Change, Plan};

use crate::ExitStatus;
use crate::context::{self, GlobalArgs};
use crate::output::Printer;
use crate::plan_cmd;
use crate::render::{Format, Mode, verb};

/// Flags of `hubctl apply`.
#[derive(Debug, clap::Args)]
pub struct ApplyArgs {
    /// Manifest files or folders. Default: the current folder.
    #[arg(value_name = "PATH", conflicts_with = "plan")]
    pub paths: Vec<PathBuf>,
    /// Apply exactly this saved plan (refused if live state changed since).
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Do not ask for confirmation (a saved plan given with --plan never asks: it is the approval).
    #[arg(long)]
    pub auto_approve: bool,
    /// Allow deleting hubs and projects.
    #[arg(long)]
    pub allow_delete: bool,
    /// Delete owned hubs whose manifests are gone, and undeclared projects.
    #[arg(long, conflicts_with = "plan")]
    pub prune: bool,
    /// Workspace deletes purge (permanent, the name free at once) instead of the service's soft
    /// delete (recoverable for up to 14 days, the name taken meanwhile). A saved plan says
    /// which it does.
    #[arg(long, requires = "allow_delete", conflicts_with = "plan")]
    pub purge: bool,
    /// Soft-deleted Foundry resources the manifests name.
    #[command(flatten)]
    pub deleted: plan_cmd::FoundryArgs,
    /// Apply the hubs that are not blocked, skipping the blocked ones whole (a hub whose only
    /// refusals are access changes the identity lacks permission for is applied without them).
    #[arg(long)]
    pub skip_blocked: bool,
    /// Do not check that the signed-in identity may make the planned changes.
    #[arg(long)]
    pub skip_permission_check: bool,
    /// Organisation policies (not with --plan: a saved plan was checked when it was made).
    #[command(flatten)]
    pub policies: crate::policy_cmd::PolicyArgs,
}

/// Progress on stderr: a bar on a terminal (indicatif), plain timestamped lines otherwise
/// (`[   12.3s] ✓ create contoso-hub (1.2s)`). Failures are always printed as lines.
struct Progress {
    started: Instant,
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(steps: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(steps);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} {wide_msg}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.enable_steady_tick(std::time::Duration::from_millis(200));
            bar
        });
        Progress { started: Instant::now(), bar }
    }

    fn line(&self, text: String) {
        let elapsed = self.started.elapsed().as_secs_f64();
        let line = format!("[{elapsed:>7.1}s] {text}");
        match &self.bar {
            Some(bar) => bar.println(line),
            None => {
                #[allow(clippy::print_stderr)] // progress is stderr's job (house rule 9)
                {
                    eprintln!("{line}");
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl ApplyObserver for Progress {
    fn waiting(&self, change: &Change, elapsed: std::time::Duration) {
        if self.bar.is_none() {
            self.line(format!(
                "… still waiting: {} {} ({}s so far; the service's operation is running)",
                verb(change.action),
                change.display,
                elapsed.as_secs()
            ));
        }
    }
    fn before(&self, change: &Change) -> Flow {
        match &self.bar {
            Some(bar) => bar.set_message(format!("{} {}", verb(change.action), change.display)),
            None => self.line(format!("… {} {}", verb(change.action), change.display)),
        }
        Flow::Continue
    }
    fn after(&self, change: &Change, status: &StepStatus) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        match status {
            StepStatus::Done { ms } if self.bar.is_none() => self.line(format!(
                "✓ {} {} ({:.1}s)",
                verb(change.action),
                change.display,
                *ms as f64 / 1000.0
            )),
            StepStatus::Done { .. } => {}
            StepStatus::Failed { code, .. } => {
                self.line(format!("✗ {} {}: {code}", verb(change.action), change.display))
            }
            StepStatus::NotStarted => {
                self.line(format!("· not started: {} {}", verb(change.action), change.display))
            }
            StepStatus::Skipped => {}
        }
    }
}

fn confirm(printer: &mut Printer, plan: &Plan, allow_delete: &mut bool) -> Result<bool, String> {
    if !std::io::stdin().is_terminal() {
        return Err(
            "apply needs confirmation but stdin is not a terminal; pass --auto-approve".into()
        );
    }
    let deletes: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete && c.kind == hubctl_plan::ResourceKind::Hub)
        .collect();
    let stdin = std::io::stdin();
    let read = || {
        let mut answer = String::new();
        stdin
            .lock()
            .read_line(&mut answer)
            .map(|_| answer.trim().to_string())
            .map_err(|e| e.to_string())
    };
    if !deletes.is_empty() && !*allow_delete {
        for change in &deletes {
            printer.err(&format!("Deleting hub {} deletes its projects and cannot be undone. Type the hub's name to confirm: ", change.display));
            let _ = std::io::stderr().flush();
            if read()? != change.display {
                return Ok(false);
            }
        }
        *allow_delete = true;
    }
    printer.err("Apply these changes? Only 'yes' is accepted: ");
    let _ = std::io::stderr().flush();
    Ok(read()? == "yes")
}

/// `hubctl apply`.
pub fn apply(printer: &mut Printer, global: &GlobalArgs, args: ApplyArgs) -> ExitStatus {
    let Some(runtime) = plan_cmd::start(printer) else { return ExitStatus::Error };
    runtime.block_on(run(printer, global, args))
}

async fn run(printer: &mut Printer, global: &GlobalArgs, args: ApplyArgs) -> ExitStatus {
    let (plan, target) = match &args.plan {
        Some(file) => {
            let text = match std::fs::read_to_string(file) {
                Ok(text) => text,
                Err(e) => {
                    printer.err(&format!("error: cannot read plan {}: {e}\n", file.display()));
                    return ExitStatus::Error;
                }
            };
            let plan = match hubctl_plan::saved::from_text(&text) {
                Ok(plan) => plan,
                Err(e) => {
                    printer.err(&format!("error: {}: {e}\n", file.display()));
                    return ExitStatus::Error;
                }
            };
            let target = match context::connect(global).await {
                Ok(t) => t,
                Err(e) => {
                    printer.err(&format!("error: {e}\n"));
                    return ExitStatus::Error;
                }
            };
            if args.policies.policy.is_empty() && std::env::var_os("HUBCTL_POLICY").is_some() {
                printer.err("note: HUBCTL_POLICY is not checked again for a saved plan: it carries the findings of the plan that saved it\n");
            }
            if !args.policies.policy.is_empty() {
                printer.err("error: --policy is checked when a plan is made (`hubctl plan --policy … --out FILE`); a saved plan carries its findings\n");
                target.close().await;
                return ExitStatus::Error;
            }
            let plan = match hubctl_apply::check_saved(plan, &target.client, &target.endpoint).await
            {
                Ok(plan) => plan,
                Err(e) => {
                    printer.err(&format!("error: {e}\n"));
                    target.close().await;
                    return ExitStatus::Error;
                }
            };
            (plan, target)
        }
        None => {
            let Some(mut desired) = plan_cmd::load(printer, &args.paths, global.shard) else {
                return ExitStatus::Error;
            };
            let mut policies = match crate::policy_cmd::load_or_print(printer, &args.policies) {
                Ok(policies) => policies,
                Err(status) => return status,
            };
            let permissions = plan_cmd::Permissions::from_flag(args.skip_permission_check);
            let flags =
                plan_cmd::Deletes { prune: args.prune, purge: args.purge, deleted: args.deleted };
            match plan_cmd::make_plan(global, &mut desired, flags, permissions, policies.as_mut())
                .await
            {
                Ok(done) => done,
                Err(e) => {
                    printer.err(&format!("error: {e}\n"));
                    return ExitStatus::Error;
                }
            }
        }
    };
    plan_cmd::show(
        printer,
        &plan,
        Format::Text,
        Mode::Plan,
        global,
        &target.description,
        crate::review::DEFAULT_MAX_CHARS,
    );
    if let Err(e) = hubctl_apply::refuse_blocked(&plan, args.skip_blocked) {
        printer.err(&format!("error: {e}\n"));
        target.close().await;
        return ExitStatus::Blocked;
    }
    if !plan.has_changes() {
        target.close().await;
        return ExitStatus::Success;
    }
    let mut allow_delete = args.allow_delete;
    // A saved plan is the approval (it was reviewed, and is refused if stale): no question.
    // Its deletes still need --allow-delete.
    if !args.auto_approve && args.plan.is_none() {
        match confirm(printer, &plan, &mut allow_delete) {
            Ok(true) => {}
            Ok(false) => {
                printer.err("Not applied.\n");
                target.close().await;
                return ExitStatus::Error;
            }
            Err(e) => {
                printer.err(&format!("error: {e}\n"));
                target.close().await;
                return ExitStatus::Error;
            }
        }
    }
    // HUBCTL_WAIT_NOTICE_MS: how often a long change is reported as still running (30 s).
    let wait_notice = std::env::var("HUBCTL_WAIT_NOTICE_MS")
        .ok()
        .and_then(|ms| ms.parse::<u64>().ok())
        .map_or(hubctl_apply::WAIT_NOTICE, std::time::Duration::from_millis);
    let options = ApplyOptions {
        skip_blocked: args.skip_blocked,
        allow_delete,
        concurrency: global.concurrency.max(1),
        wait_notice,
        ..ApplyOptions::default()
    };
    let steps =
        plan.changes.iter().filter(|c| !matches!(c.action, Action::NoOp | Action::Blocked)).count()
            as u64;
    let progress = Arc::new(Progress::new(steps));
    let shown = progress.clone();
    target.client.on_throttle(move |notice| {
        shown.line(format!(
            "⏸ subscription {} throttled by ARM ({}): waiting {:.1}s ({})",
            notice.subscription,
            notice.operations,
            notice.wait.as_secs_f64(),
            notice.cause
        ))
    });
    let result = hubctl_apply::apply(&plan, &target.client, &options, progress.as_ref()).await;
    progress.finish();
    let stats = target.client.stats();
    target.close().await;
    let report = match result {
        Ok(report) => report,
        Err(e) => {
            printer.err(&format!("error: {e}\n"));
            return ExitStatus::Error;
        }
    };
    let done = report.steps.iter().filter(|s| matches!(s.status, StepStatus::Done { .. })).count();
    let failed =
        report.steps.iter().filter(|s| matches!(s.status, StepStatus::Failed { .. })).count();
    let not_started = report.steps.iter().filter(|s| s.status == StepStatus::NotStarted).count();
    let mut skipped_hubs: Vec<&str> = report
        .steps
        .iter()
        .filter(|s| s.status == StepStatus::Skipped)
        .map(|s| plan.hubs.get(&s.hub).map_or(s.hub.as_str(), |h| h.name.as_str()))
        .collect();
    skipped_hubs.dedup();
    if !stats.throttle_waits.is_empty() {
        let total = stats.throttle_wait();
        let each: Vec<String> = stats
            .throttle_waits
            .iter()
            .map(|(s, w)| format!("{s} {:.1}s", w.as_secs_f64()))
            .collect();
        printer.err(&format!(
            "Waited for ARM's throttling: {:.1}s in all, added up over requests ({}).\n",
            total.as_secs_f64(),
            each.join(", ")
        ));
    }
    if failed == 0 && not_started == 0 {
        printer.out(&format!("Apply complete: {done} change(s) applied.\n"));
        if skipped_hubs.is_empty() {
            return ExitStatus::Success;
        }
        printer.out(&format!("Skipped because blocked: {}.\n", skipped_hubs.join(", ")));
        for step in report.steps.iter().filter(|s| s.status == StepStatus::Skipped) {
            printer.out(&format!("  - skipped      {} {}\n", verb(step.action), step.display));
        }
        return ExitStatus::Blocked;
    }
    printer
        .out(&format!("Apply failed: {done} done, {failed} failed, {not_started} not started.\n"));
    for step in &report.steps {
        let line = match &step.status {
            StepStatus::Done { .. } => {
                format!("  ✓ done         {} {}", verb(step.action), step.display)
            }
            StepStatus::Failed { code, message } => format!(
                "  ✗ failed       {} {}: {code}: {message}",
                verb(step.action),
                step.display
            ),
            StepStatus::NotStarted => {
                format!("  · not started  {} {}", verb(step.action), step.display)
            }
            StepStatus::Skipped => {
                format!("  - skipped      {} {} (blocked hub)", verb(step.action), step.display)
            }
        };
        printer.out(&format!("{line}\n"));
    }
    printer.out("Other hubs were applied as planned. Run `hubctl apply` again: every step is safe to repeat.\n");
    ExitStatus::Error
}
