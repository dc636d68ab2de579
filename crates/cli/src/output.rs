//! The one place that writes to stdout and stderr.
//!
//! Results go to stdout, diagnostics and progress to stderr (house rule 9). A broken pipe on
//! stdout is treated as the reader having seen enough, not as an error.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{self, Write};

/// Writes results and diagnostics.
pub struct Printer {
    failed: bool,
}

impl Printer {
    /// A printer on the process's stdout and stderr.
    pub fn new() -> Printer {
        Printer { failed: false }
    }

    /// Write a result to stdout.
    pub fn out(&mut self, text: &str) {
        let mut stdout = io::stdout().lock();
        match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
            Err(_) => self.failed = true,
        }
    }

    /// Write a diagnostic to stderr.
    pub fn err(&mut self, text: &str) {
        let _ = io::stderr().lock().write_all(text.as_bytes());
    }

    /// Whether writing a result failed for a reason other than a closed pipe.
    pub fn failed(&self) -> bool {
        self.failed
    }
}
