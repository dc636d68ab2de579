//! `hubctl emulator`: the local ARM as a standalone server for users' own pipeline tests.
//!
//! Prints exactly one line of JSON on stdout once it listens (CONTRACT §3) — endpoints, tenant
//! and the CA file to trust — then serves until SIGINT or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use hubctl_emulator::{Emulator, Options, Seed};

use crate::ExitStatus;
use crate::output::Printer;

/// Flags of `hubctl emulator`.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Keep the cloud's state in this file (written atomically after each change, reloaded on start).
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// The starting point (kind LocalCloudSeed) when there is no state file yet.
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,
    /// Delay added to every ARM request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency: u64,
    /// Random extra delay per request, up to this many milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    jitter: u64,
    /// Duration of long-running operations, in milliseconds.
    #[arg(long = "lro-ms", value_name = "MS", default_value_t = 2000)]
    lro_ms: u64,
    /// Probability of a fault per ARM request (429, 500, 503, reset, operation failed), 0 to 1.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    fault_rate: f64,
    /// Seed of the random faults and jitter, for reproducible runs.
    #[arg(long, value_name = "N", default_value_t = 1)]
    fault_seed: u64,
    /// Only the seed's service principals get tokens, and writes need their role assignments.
    #[arg(long)]
    strict_auth: bool,
    /// Turn ARM's per-subscription throttling off.
    #[arg(long)]
    no_throttling: bool,
    /// Items per list page.
    #[arg(long, value_name = "N", default_value_t = 100)]
    page_size: usize,
    /// Answer workspace lists in the thin shape of the public list examples (no kind,
    /// identity, encryption or managed network).
    #[arg(long)]
    thin_lists: bool,
    /// Folder for the CA certificate (ca.pem); default: beside the state file, else a temporary folder.
    #[arg(long, value_name = "DIR")]
    cert_dir: Option<PathBuf>,
}

/// Run until a signal.
pub fn run(printer: &mut Printer, args: EmulatorArgs) -> ExitStatus {
    if !(0.0..=1.0).contains(&args.fault_rate) {
        printer.err(&format!("error: --fault-rate {} is not between 0 and 1\n", args.fault_rate));
        return ExitStatus::Error;
    }
    let seed = match args.seed.as_deref().map(Seed::from_file).transpose() {
        Ok(seed) => seed,
        Err(e) => {
            printer.err(&format!("error: {e}\n"));
            return ExitStatus::Error;
        }
    };
    let cert_dir = args.cert_dir.clone().or_else(|| {
        args.state.as_ref().and_then(|s| {
            s.parent().map(|p| {
                if p.as_os_str().is_empty() { PathBuf::from(".") } else { p.to_path_buf() }
            })
        })
    });
    let options = Options {
        listen: args.listen,
        state_file: args.state,
        seed,
        cert_dir,
        latency: Duration::from_millis(args.latency),
        jitter: Duration::from_millis(args.jitter),
        lro: Duration::from_millis(args.lro_ms),
        fault_rate: args.fault_rate,
        fault_seed: args.fault_seed,
        strict_auth: args.strict_auth,
        throttling: !args.no_throttling,
        page_size: args.page_size,
        thin_lists: args.thin_lists,
        ..Options::default()
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            printer.err(&format!("error: cannot start the async runtime: {e}\n"));
            return ExitStatus::Error;
        }
    };
    runtime.block_on(async {
        let emulator = match Emulator::start(options).await {
            Ok(emulator) => emulator,
            Err(e) => {
                printer.err(&format!("error: {e}\n"));
                return ExitStatus::Error;
            }
        };
        printer.out(&format!("{}\n", emulator.startup_line()));
        wait_for_signal().await;
        emulator.shutdown().await;
        ExitStatus::Success
    })
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
