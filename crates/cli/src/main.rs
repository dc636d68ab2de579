//! # hubctl: Microsoft Foundry hubs as code
//!
//! ## Overview
//!
//! The binary is thin: it parses the command line, calls the crates that do the work, prints
//! what they return through one printer ([`output`]) and maps the outcome to an exit status
//! once ([`ExitStatus`], CONTRACT §3). Commands so far: `validate`, `schema` and `emulator`.
//!
//! ## Example
//!
//! ```text
//! hubctl validate examples/hubs
//! hubctl schema > hub.schema.json
//! ```

mod emulator;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::output::Printer;

/// Microsoft Foundry hubs as code.
#[derive(Debug, Parser)]
#[command(name = "hubctl", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse and check manifests offline; every problem is listed as file:line:col: field: message.
    Validate {
        /// Manifest files or folders (read recursively, *.yaml and *.yml). Default: the current folder.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Print the manifest JSON Schema (for editors: `# yaml-language-server: $schema=...`).
    Schema,
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
    /// 1: error (bad manifest, I/O, …).
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Error => ExitCode::from(1),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut printer = Printer::new();
    let status = match cli.command {
        Command::Validate { paths } => validate(&mut printer, paths),
        Command::Schema => {
            printer.out(&hubctl_spec::schema::manifest_schema_text());
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

fn validate(printer: &mut Printer, paths: Vec<PathBuf>) -> ExitStatus {
    let paths = if paths.is_empty() { vec![PathBuf::from(".")] } else { paths };
    match hubctl_spec::load(&paths) {
        Ok(desired) => {
            let projects: usize = desired.hubs.iter().map(|h| h.spec.projects.len()).sum();
            let mut files: Vec<_> = desired.hubs.iter().map(|h| &h.source.file).collect();
            files.sort();
            files.dedup();
            printer.out(&format!(
                "valid: {} hub(s) with {} project(s) in {} file(s)\n",
                desired.hubs.len(),
                projects,
                files.len()
            ));
            ExitStatus::Success
        }
        Err(invalid) => {
            for diagnostic in &invalid.diagnostics {
                printer.err(&format!("{diagnostic}\n"));
            }
            let mut files: Vec<_> = invalid.diagnostics.iter().map(|d| &d.location.file).collect();
            files.sort();
            files.dedup();
            printer.err(&format!(
                "invalid: {} problem(s) in {} file(s)\n",
                invalid.diagnostics.len(),
                files.len()
            ));
            ExitStatus::Error
        }
    }
}
