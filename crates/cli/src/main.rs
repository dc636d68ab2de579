//! # hubctl: Microsoft Foundry hubs as code
//!
//! ## Overview
//!
//! The binary is thin: it parses the command line, calls the crates that do the work, prints
//! what they return through one printer ([`output`]) and maps the outcome to an exit status
//! once ([`ExitStatus`], CONTRACT §3). Commands: `validate`, `plan`, `apply`, `drift`, `import`,
//! `schema`, `rules`, `completions` and `emulator`.
//!
//! ## Example
//!
//! ```text
//! hubctl validate examples/hubs
//! hubctl schema > hub.schema.json
//! ```

mod adopt_cmd;
mod apply_cmd;
mod context;
mod emulator;
mod import_cmd;
mod lock;
mod output;
mod plan_cmd;
mod policy_cmd;
mod render;
mod report_cmd;
mod review;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::output::Printer;

/// Microsoft Foundry hubs as code.
#[derive(Debug, Parser)]
#[command(name = "hubctl", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    global: context::GlobalArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse and check manifests offline; every problem is listed as file:line:col: field: message.
    Validate {
        /// Manifest files or folders (read recursively, *.yaml and *.yml). Default: the current folder.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Show what would change in Azure, in order, and what Azure would refuse (exit 0 none, 2 changes, 3 blocked).
    Plan(plan_cmd::PlanArgs),
    /// Make Azure match the manifests (or a saved plan): plan, confirm, apply in a safe order.
    Apply(apply_cmd::ApplyArgs),
    /// Tell what changed in Azure since the last apply (drift) from what the manifests changed (pending); exit 0 in sync, 2 differs.
    Drift(plan_cmd::DriftArgs),
    /// Write manifests for hubs that already exist (they plan to no changes).
    Import(import_cmd::ImportArgs),
    /// Write hubctl's ownership tags on existing hubs that match their manifests, and nothing else.
    Adopt(adopt_cmd::AdoptArgs),
    /// Render a saved plan (from `plan --out`), e.g. to post the exact plan an apply will run.
    Show(plan_cmd::ShowArgs),
    /// Work with the JSON reports of shards.
    #[command(subcommand)]
    Report(report_cmd::ReportCommand),
    /// Work with organisation policies (Rego).
    #[command(subcommand)]
    Policy(policy_cmd::PolicyCommand),
    /// Print shell completions: bash, zsh, fish or powershell.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manifest JSON Schema (for editors: `# yaml-language-server: $schema=...`).
    Schema {
        /// Print the schema of plans and `--format json` output instead.
        #[arg(long, conflicts_with = "policy_input")]
        plan: bool,
        /// Print the schema of the input document policies see instead.
        #[arg(long)]
        policy_input: bool,
    },
    /// Print what hubctl refuses on a live hub, why, and the remedy (docs/rules.md).
    Rules,
    /// Run the local ARM emulator: prints one JSON line with its endpoints, serves until SIGINT/SIGTERM.
    Emulator(emulator::EmulatorArgs),
}

/// The process outcome, mapped to the exit codes of CONTRACT §3 in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExitStatus {
    /// 0: success.
    Success,
    /// 1: error (bad manifest, auth, API failure, stale plan).
    Error,
    /// 2: plan: changes pending · drift: live differs from the manifests.
    Changes,
    /// 3: at least one change is refused.
    Blocked,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Error => ExitCode::from(1),
            ExitStatus::Changes => ExitCode::from(2),
            ExitStatus::Blocked => ExitCode::from(3),
        }
    }
}

/// Global flags that mean nothing to `hubctl emulator` (it serves a cloud, it does not sign in
/// to one): hidden from its help, still accepted.
const NOT_FOR_THE_EMULATOR: &[&str] = &[
    "cloud",
    "arm_endpoint",
    "authority_host",
    "ca_cert",
    "auth",
    "concurrency",
    "skip_provider_registration",
    "shard",
    "deadline",
    "color",
];

/// The command line as parsed: the derived one, with the emulator's help trimmed. A
/// subcommand's own argument of a global's id is not replaced by the global when clap
/// propagates globals, so hidden copies keep them out of the emulator's help.
fn command() -> clap::Command {
    let command = Cli::command();
    let hidden: Vec<clap::Arg> = command
        .get_arguments()
        .filter(|arg| NOT_FOR_THE_EMULATOR.contains(&arg.get_id().as_str()))
        .map(|arg| arg.clone().global(false).hide(true))
        .collect();
    command.mut_subcommand("emulator", |emulator| emulator.args(hidden))
}

fn main() -> ExitCode {
    // A usage error is an error (exit 1, CONTRACT §3), not clap's 2, which for plan and drift
    // means "changes pending": a pipeline must never read a typo as a diff. --help and
    // --version print and succeed.
    let cli = match command().try_get_matches().and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { ExitStatus::Error } else { ExitStatus::Success }.into();
        }
    };
    context::init_logging(cli.global.verbose);
    let mut printer = Printer::new();
    // Applies, and every command on the local cloud (they share its state file), take the lock.
    let local = cli.global.is_local();
    let needs_lock = matches!(cli.command, Command::Apply(_) | Command::Adopt(_))
        || (local
            && matches!(cli.command, Command::Plan(_) | Command::Drift(_) | Command::Import(_)));
    let _lock = if needs_lock {
        match lock::acquire() {
            Ok(lock) => Some(lock),
            Err(e) => {
                printer.err(&format!("error: {e}\n"));
                return ExitStatus::Error.into();
            }
        }
    } else {
        None
    };
    let status = match cli.command {
        Command::Plan(args) => plan_cmd::plan(&mut printer, &cli.global, args),
        Command::Drift(args) => plan_cmd::drift(&mut printer, &cli.global, args),
        Command::Adopt(args) => adopt_cmd::adopt(&mut printer, &cli.global, args),
        Command::Apply(args) => apply_cmd::apply(&mut printer, &cli.global, args),
        Command::Import(args) => import_cmd::import(&mut printer, &cli.global, args),
        Command::Show(args) => plan_cmd::show_saved(&mut printer, &cli.global, args),
        Command::Report(command) => report_cmd::run(&mut printer, &cli.global, command),
        Command::Policy(command) => policy_cmd::run(&mut printer, command),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut buffer = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "hubctl", &mut buffer);
            printer.out(&String::from_utf8_lossy(&buffer));
            ExitStatus::Success
        }
        Command::Validate { paths } => validate(&mut printer, paths),
        Command::Schema { plan, policy_input } => {
            let text = if plan {
                hubctl_plan::plan_schema_text()
            } else if policy_input {
                hubctl_policy::input_schema_text()
            } else {
                hubctl_spec::schema::manifest_schema_text()
            };
            printer.out(&text);
            ExitStatus::Success
        }
        Command::Emulator(args) => emulator::run(&mut printer, args),
        Command::Rules => {
            printer.out(&hubctl_plan::reasons::rules_markdown());
            ExitStatus::Success
        }
    };
    // A closed stdout (`hubctl schema | head`) is not a failure of ours.
    if printer.failed() { ExitStatus::Error.into() } else { status.into() }
}

/// How many different values.
fn distinct<T: Ord>(values: impl Iterator<Item = T>) -> usize {
    values.collect::<std::collections::BTreeSet<T>>().len()
}

fn validate(printer: &mut Printer, paths: Vec<PathBuf>) -> ExitStatus {
    let paths = if paths.is_empty() { vec![PathBuf::from(".")] } else { paths };
    match hubctl_spec::load(&paths) {
        Ok(desired) => {
            let projects: usize = desired.hubs.iter().map(|h| h.spec.projects.len()).sum::<usize>()
                + desired.foundries.iter().map(|f| f.spec.projects.len()).sum::<usize>();
            let files = distinct(
                desired
                    .hubs
                    .iter()
                    .map(|h| &h.source.file)
                    .chain(desired.foundries.iter().map(|f| &f.source.file)),
            );
            let hubs = desired.hubs.len();
            let foundries = match desired.foundries.len() {
                0 => String::new(),
                n => format!(", {n} Foundry resource(s)"),
            };
            printer.out(&format!(
                "valid: {hubs} hub(s){foundries} with {projects} project(s) in {files} file(s)\n"
            ));
            ExitStatus::Success
        }
        Err(invalid) => {
            for diagnostic in &invalid.diagnostics {
                printer.err(&format!("{diagnostic}\n"));
            }
            let files = distinct(invalid.diagnostics.iter().map(|d| &d.location.file));
            let problems = invalid.diagnostics.len();
            printer.err(&format!("invalid: {problems} problem(s) in {files} file(s)\n"));
            ExitStatus::Error
        }
    }
}
