//! Organisation policies: `--policy` on plan, apply and drift (hubctl_policy), and
//! `hubctl policy test`.

use std::path::PathBuf;

use hubctl_policy::Policies;

use crate::ExitStatus;
use crate::output::Printer;

/// `--policy` and `--namespace`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PolicyArgs {
    /// Rego policies to check each hub against: a file, or every .rego under a folder;
    /// repeatable (default: HUBCTL_POLICY, paths separated as in PATH). A deny blocks the hub.
    #[arg(long = "policy", value_name = "PATH")]
    pub policy: Vec<PathBuf>,
    /// The Rego packages whose deny, violation and warn rules count (default: main); repeatable.
    #[arg(long = "namespace", value_name = "PACKAGE")]
    pub namespace: Vec<String>,
}

impl PolicyArgs {
    /// The paths given, or HUBCTL_POLICY's.
    fn paths(&self) -> Vec<PathBuf> {
        if !self.policy.is_empty() {
            return self.policy.clone();
        }
        match std::env::var_os("HUBCTL_POLICY") {
            Some(value) if !value.is_empty() => std::env::split_paths(&value).collect(),
            _ => Vec::new(),
        }
    }

    /// The policies to check, loaded and parsed before anything is read from Azure; `None`
    /// when there are none. The error names the file and line.
    pub fn load(&self) -> Result<Option<Policies>, String> {
        let paths = self.paths();
        if paths.is_empty() {
            return Ok(None);
        }
        Policies::load(&paths, &self.namespace).map(Some).map_err(|e| e.to_string())
    }
}

/// The policies of `args`, or the error printed (then the command ends, exit 1).
pub fn load_or_print(
    printer: &mut Printer,
    args: &PolicyArgs,
) -> Result<Option<Policies>, ExitStatus> {
    args.load().map_err(|e| {
        printer.err(&format!("error: {e}\n"));
        ExitStatus::Error
    })
}

/// `hubctl policy …`.
#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// Run the policies' own `test_` rules, as `opa test` does (exit 0 all pass, 1 otherwise).
    Test {
        /// Policy files or folders.
        #[arg(value_name = "PATH", required = true)]
        paths: Vec<PathBuf>,
    },
}

/// Run a `hubctl policy` command.
pub fn run(printer: &mut Printer, command: PolicyCommand) -> ExitStatus {
    let PolicyCommand::Test { paths } = command;
    let report = Policies::load(&paths, &[]).and_then(|mut p| p.run_tests());
    let report = match report {
        Ok(report) => report,
        Err(e) => {
            printer.err(&format!("error: {e}\n"));
            return ExitStatus::Error;
        }
    };
    for (rule, file, passed) in &report.results {
        let status = if *passed { "PASS" } else { "FAIL" };
        printer.out(&format!("{status} {rule} ({file})\n"));
    }
    let failed = report.results.iter().filter(|(_, _, ok)| !ok).count();
    printer.out(&format!(
        "{} test(s), {} passed, {failed} failed\n",
        report.results.len(),
        report.results.len() - failed
    ));
    if report.results.is_empty() {
        printer.err("error: no test_ rule found in the policies\n");
        return ExitStatus::Error;
    }
    if report.passed() { ExitStatus::Success } else { ExitStatus::Error }
}
