//! `hubctl plan` and `hubctl drift`: read the manifests and the live state, plan, show.

use std::path::PathBuf;

use hubctl_client::inventory::{self, Strategy};
use hubctl_plan::{Plan, PlanOptions};
use hubctl_spec::Desired;

use crate::ExitStatus;
use crate::context::{self, GlobalArgs};
use crate::output::Printer;
use crate::render::{self, Format, Mode};

/// Flags of `hubctl plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Manifest files or folders. Default: the current folder.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Save the plan here, for `hubctl apply --plan FILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// text, json or markdown.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Markdown only: the most characters to print (GitHub refuses comments over 65,536);
    /// what does not fit is cut per hub, and the last line says what was left out.
    #[arg(long, value_name = "N", default_value_t = crate::review::DEFAULT_MAX_CHARS)]
    pub max_chars: usize,
    /// Also plan deleting owned hubs whose manifests are gone, and undeclared projects.
    #[arg(long)]
    pub prune: bool,
    /// Plan workspace deletes as purges (permanent, the name free at once) instead of the
    /// service's soft delete (recoverable for up to 14 days, the name taken meanwhile).
    #[arg(long)]
    pub purge: bool,
    /// Do not check that the signed-in identity may make the planned changes (the plan says
    /// it was skipped).
    #[arg(long)]
    pub skip_permission_check: bool,
    /// Soft-deleted Foundry resources.
    #[command(flatten)]
    pub deleted: FoundryArgs,
    /// Organisation policies.
    #[command(flatten)]
    pub policies: crate::policy_cmd::PolicyArgs,
}

/// Choices for Foundry resources: a manifest naming a soft-deleted one (its name and subdomain
/// are held for 48 hours; by default the plan refuses it, naming both ways out), and capability
/// hosts the service cannot update.
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct FoundryArgs {
    /// Recover it: it comes back as it was (with its projects, connections and access), and
    /// the next plan converges the rest.
    #[arg(long)]
    pub recover_deleted: bool,
    /// Purge it (permanent), then create it anew from the manifest.
    #[arg(long, conflicts_with = "recover_deleted")]
    pub purge_deleted: bool,
    /// A capability host whose settings changed (or that failed) is deleted and created again,
    /// instead of refused (the service has no update; agents on it stop meanwhile).
    #[arg(long)]
    pub replace_capability_hosts: bool,
}

/// The plan's choices about deleting: `--prune`, `--purge` and soft-deleted Foundry resources.
#[derive(Debug, Clone, Copy, Default)]
pub struct Deletes {
    /// `--prune`.
    pub prune: bool,
    /// `--purge`.
    pub purge: bool,
    /// `--recover-deleted` / `--purge-deleted`.
    pub deleted: FoundryArgs,
}

/// Flags of `hubctl drift`.
#[derive(Debug, clap::Args)]
pub struct DriftArgs {
    /// Manifest files or folders. Default: the current folder.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// text, json or markdown.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Markdown only: the most characters to print (GitHub refuses comments over 65,536);
    /// what does not fit is cut per hub, and the last line says what was left out.
    #[arg(long, value_name = "N", default_value_t = crate::review::DEFAULT_MAX_CHARS)]
    pub max_chars: usize,
    /// Organisation policies.
    #[command(flatten)]
    pub policies: crate::policy_cmd::PolicyArgs,
}

/// Flags of `hubctl show`.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The saved plan (`hubctl plan --out FILE`).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// text, json or markdown.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Markdown only: the most characters to print.
    #[arg(long, value_name = "N", default_value_t = crate::review::DEFAULT_MAX_CHARS)]
    pub max_chars: usize,
}

/// `hubctl show`: a saved plan rendered as `plan` renders it (no Azure call; the text header
/// names the plan's target endpoint).
pub fn show_saved(printer: &mut Printer, global: &GlobalArgs, args: ShowArgs) -> ExitStatus {
    let plan = std::fs::read_to_string(&args.file)
        .map_err(|e| format!("cannot read plan {}: {e}", args.file.display()))
        .and_then(|text| {
            hubctl_plan::saved::from_text(&text)
                .map_err(|e| format!("{}: {e}", args.file.display()))
        });
    match plan {
        Ok(plan) => {
            let target = plan.provenance.target.clone();
            show(printer, &plan, args.format, Mode::Plan, global, &target, args.max_chars);
            ExitStatus::Success
        }
        Err(e) => {
            printer.err(&format!("error: {e}\n"));
            ExitStatus::Error
        }
    }
}

/// Load manifests or print every problem; with `--shard`, keep that shard's hubs.
pub fn load(
    printer: &mut Printer,
    paths: &[PathBuf],
    shard: Option<(u32, u32)>,
) -> Option<Desired> {
    let paths = if paths.is_empty() { vec![PathBuf::from(".")] } else { paths.to_vec() };
    match hubctl_spec::load(&paths) {
        Ok(mut desired) => {
            desired
                .hubs
                .retain(|hub| context::in_shard(shard, &hubctl_model::id_key(&hub.arm_id())));
            Some(desired)
        }
        Err(invalid) => {
            for diagnostic in &invalid.diagnostics {
                printer.err(&format!("{diagnostic}\n"));
            }
            printer.err(&format!(
                "error: {} problem(s) in the manifests; nothing was read from Azure\n",
                invalid.diagnostics.len()
            ));
            None
        }
    }
}

/// Read live state and plan. The target stays open for the caller (apply goes on with it).
pub async fn make_plan(
    global: &GlobalArgs,
    desired: &mut Desired,
    deletes: Deletes,
    permissions: Permissions,
    policies: Option<&mut hubctl_policy::Policies>,
) -> Result<(Plan, context::Target), String> {
    let (mut plan, live, target) = read_and_plan(global, desired, deletes).await?;
    if let Some(policies) = policies
        && let Err(e) = hubctl_policy::check(&mut plan, desired, &live, policies)
    {
        target.close().await;
        return Err(e.to_string());
    }
    match permissions {
        Permissions::Check if plan.has_changes() => {
            let caller = target.client.caller_object_id().await.ok().flatten();
            let read =
                hubctl_apply::read::permissions(&target.client, &plan, caller.as_deref()).await;
            hubctl_plan::permissions::check(&mut plan, &read);
        }
        Permissions::Skip if plan.has_changes() => plan.warnings.push(hubctl_plan::Warning {
            kind: hubctl_plan::WarningKind::PermissionCheckSkipped,
            resource: String::new(),
            detail: String::new(),
        }),
        _ => {}
    }
    Ok((plan, target))
}

/// Whether a plan checks the signed-in identity's permissions for its changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permissions {
    /// Check (plan, apply).
    Check,
    /// `--skip-permission-check`: say it was skipped.
    Skip,
    /// Not a plan that is applied (drift).
    NotApplicable,
}

impl Permissions {
    /// From `--skip-permission-check`.
    pub fn from_flag(skip: bool) -> Permissions {
        if skip { Permissions::Skip } else { Permissions::Check }
    }
}

/// [`make_plan`], with the live state it read. Principals the manifests give by name are
/// resolved in `desired` first (Microsoft Graph), so what comes after sees their object ids.
pub async fn read_and_plan(
    global: &GlobalArgs,
    desired: &mut Desired,
    deletes: Deletes,
) -> Result<(Plan, hubctl_model::Live, context::Target), String> {
    let Deletes { prune, purge, deleted } = deletes;
    let target = context::connect(global).await.map_err(|e| e.to_string())?;
    // Principals given by name become object ids first (Microsoft Graph); a name that is not
    // exactly one object stops the run before anything is read or written.
    if let Err(problems) = hubctl_apply::read::resolve_principals(&target.client, desired).await {
        target.close().await;
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        return Err(format!(
            "{}\n{} principal name(s) could not be resolved; nothing was planned or written",
            lines.join("\n"),
            problems.len()
        ));
    }
    let mut request = hubctl_apply::read::for_manifests(desired);
    if prune {
        // Hubs whose manifests are gone can be anywhere in the subscriptions: read them whole;
        // and a Foundry resource's deployments and filters too, even when none is declared
        // any more (the last one removed is then deleted).
        request.strategy = Strategy::List;
        for foundry in &mut request.foundries {
            foundry.read_deployments = true;
        }
    }
    let (mut live, report) = match inventory::read(&target.client, &request).await {
        Ok(read) => read,
        Err(e) => {
            target.close().await;
            return Err(e.to_string());
        }
    };
    tracing::info!(requests = report.requests.total, strategies = ?report.strategies, "read live state");
    // Another shard's hubs are not ours to compare, prune or fingerprint.
    live.hubs.retain(|key, _| context::in_shard(global.shard, key));
    let caller = target.client.caller_object_id().await.ok().flatten();
    // Another shard's Foundry resources too.
    live.foundries.retain(|key, _| context::in_shard(global.shard, key));
    let options = PlanOptions {
        prune,
        purge,
        recover_deleted: deleted.recover_deleted,
        purge_deleted: deleted.purge_deleted,
        replace_capability_hosts: deleted.replace_capability_hosts,
        caller,
        target: target.endpoint.clone(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    Ok((hubctl_plan::plan(desired, &live, &options), live, target))
}

/// Whether to colour stdout.
pub fn colour(global: &GlobalArgs) -> bool {
    use std::io::IsTerminal;
    match global.color {
        context::ColorWhen::Always => true,
        context::ColorWhen::Never => false,
        context::ColorWhen::Auto => {
            std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
        }
    }
}

/// Print a plan or drift report in `format`.
pub fn show(
    printer: &mut Printer,
    plan: &Plan,
    format: Format,
    mode: Mode,
    global: &GlobalArgs,
    target: &str,
    max_chars: usize,
) {
    let text = match format {
        Format::Text => render::text(plan, mode, colour(global), target),
        Format::Json => render::json(plan),
        Format::Markdown => render::markdown(plan, mode, max_chars),
    };
    printer.out(&text);
}

/// The async runtime, or the reason it could not start printed (then the command ends, 1).
pub fn start(printer: &mut Printer) -> Option<tokio::runtime::Runtime> {
    runtime().map_err(|e| printer.err(&format!("error: {e}\n"))).ok()
}

/// The async runtime the commands that talk to Azure run on.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

/// `hubctl plan`.
pub fn plan(printer: &mut Printer, global: &GlobalArgs, args: PlanArgs) -> ExitStatus {
    let Some(mut desired) = load(printer, &args.paths, global.shard) else {
        return ExitStatus::Error;
    };
    let mut policies = match crate::policy_cmd::load_or_print(printer, &args.policies) {
        Ok(policies) => policies,
        Err(status) => return status,
    };
    let result = runtime().and_then(|rt| {
        rt.block_on(async {
            let permissions = Permissions::from_flag(args.skip_permission_check);
            let (plan, target) = make_plan(
                global,
                &mut desired,
                Deletes { prune: args.prune, purge: args.purge, deleted: args.deleted },
                permissions,
                policies.as_mut(),
            )
            .await?;
            let description = target.description.clone();
            target.close().await;
            Ok::<_, String>((plan, description))
        })
    });
    let (plan, description) = match result {
        Ok(done) => done,
        Err(e) => {
            printer.err(&format!("error: {e}\n"));
            return ExitStatus::Error;
        }
    };
    show(printer, &plan, args.format, Mode::Plan, global, &description, args.max_chars);
    if let Some(out) = &args.out {
        if let Err(e) = std::fs::write(out, hubctl_plan::saved::to_text(&plan)) {
            printer.err(&format!("error: cannot write the plan to {}: {e}\n", out.display()));
            return ExitStatus::Error;
        }
        printer.err(&format!(
            "saved the plan to {}; apply it with `hubctl apply --plan {}`\n",
            out.display(),
            out.display()
        ));
    }
    exit_status(&plan)
}

/// CONTRACT §3, for plan and drift alike: 3 when anything is refused (a policy's deny
/// included), 2 when something differs, else 0.
fn exit_status(plan: &Plan) -> ExitStatus {
    if plan.is_blocked() {
        ExitStatus::Blocked
    } else if plan.has_changes() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    }
}

/// `hubctl drift`.
pub fn drift(printer: &mut Printer, global: &GlobalArgs, args: DriftArgs) -> ExitStatus {
    let Some(mut desired) = load(printer, &args.paths, global.shard) else {
        return ExitStatus::Error;
    };
    let mut policies = match crate::policy_cmd::load_or_print(printer, &args.policies) {
        Ok(policies) => policies,
        Err(status) => return status,
    };
    let result = runtime().and_then(|rt| {
        rt.block_on(async {
            let (plan, target) = make_plan(
                global,
                &mut desired,
                Deletes::default(),
                Permissions::NotApplicable,
                policies.as_mut(),
            )
            .await?;
            let description = target.description.clone();
            target.close().await;
            Ok::<_, String>((plan, description))
        })
    });
    match result {
        Ok((plan, description)) => {
            show(printer, &plan, args.format, Mode::Drift, global, &description, args.max_chars);
            exit_status(&plan)
        }
        Err(e) => {
            printer.err(&format!("error: {e}\n"));
            ExitStatus::Error
        }
    }
}
