//! Loading manifests: files and folders to [`Desired`], or every problem found on the way.
//!
//! A path may be a file (read whatever its extension) or a folder (read recursively, only
//! `*.yaml` and `*.yml`, hidden entries skipped, in sorted order so output is stable across
//! machines). Each file may hold several documents. Nothing stops at the first problem: every
//! file is read and every document checked, and all problems come back together, sorted by
//! file, line and column.

use std::fs;
use std::path::{Path, PathBuf};

use crate::model::Desired;
use crate::problem::Problem;
use crate::raw;
use crate::read::Cx;
use crate::sections::{self, DocumentOutcome};
use crate::source::{Diagnostic, FieldPath, Location, Pos};

/// The largest manifest file read. A real manifest is a few KiB; this bounds memory on a
/// mistaken path (a log file, a binary) before the YAML parser sees it.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Every problem found in a set of manifests, sorted by file, line and column.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{} problem(s) in the manifests", .diagnostics.len())]
pub struct Invalid {
    /// The problems.
    pub diagnostics: Vec<Diagnostic>,
}

/// Load manifests from files and folders. With no error, hubs and Foundry resources come back sorted by
/// subscription, resource group and name.
pub fn load(paths: &[PathBuf]) -> Result<Desired, Invalid> {
    let mut diagnostics = Vec::new();
    let mut desired = Desired::default();
    for path in paths {
        for file in manifest_files(path, &mut diagnostics) {
            match read_text(&file) {
                Ok(text) => parse_into(&file, &text, &mut desired, &mut diagnostics),
                Err(diagnostic) => diagnostics.push(*diagnostic),
            }
        }
    }
    finish(desired, diagnostics)
}

/// Load manifests from text, as if read from `file`. No file-system access: for tests,
/// benchmarks, fuzzing and editors.
pub fn load_str(file: &Path, text: &str) -> Result<Desired, Invalid> {
    let mut diagnostics = Vec::new();
    let mut desired = Desired::default();
    parse_into(file, text, &mut desired, &mut diagnostics);
    finish(desired, diagnostics)
}

/// Load several in-memory files at once (cross-file checks included).
pub fn load_many<'a>(
    files: impl IntoIterator<Item = (&'a Path, &'a str)>,
) -> Result<Desired, Invalid> {
    let mut diagnostics = Vec::new();
    let mut desired = Desired::default();
    for (file, text) in files {
        parse_into(file, text, &mut desired, &mut diagnostics);
    }
    finish(desired, diagnostics)
}

fn finish(desired: Desired, mut diagnostics: Vec<Diagnostic>) -> Result<Desired, Invalid> {
    let mut hubs = crate::check::across(desired.hubs, &mut diagnostics);
    let mut foundries = crate::check::across_foundries(desired.foundries, &mut diagnostics);
    if !diagnostics.is_empty() {
        diagnostics.sort_by(|a, b| a.location.cmp(&b.location).then_with(|| a.path.cmp(&b.path)));
        return Err(Invalid { diagnostics });
    }
    let order = |m: &crate::model::Metadata| {
        (m.subscription.clone(), m.resource_group.to_lowercase(), m.name.to_lowercase())
    };
    hubs.sort_by_key(|h| order(&h.metadata));
    foundries.sort_by_key(|f| order(&f.metadata));
    Ok(Desired { hubs, foundries })
}

fn file_problem(file: &Path, pos: Pos, problem: Problem) -> Diagnostic {
    Diagnostic { location: Location::new(file, pos), path: FieldPath::root(), problem }
}

/// The manifest files under `path`, sorted. Problems (missing path, empty folder) are reported.
fn manifest_files(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let metadata = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            diagnostics.push(file_problem(
                path,
                Pos::START,
                Problem::Unreadable { reason: e.to_string() },
            ));
            return Vec::new();
        }
    };
    if !metadata.is_dir() {
        return vec![path.to_path_buf()];
    }
    let mut files = Vec::new();
    let mut visited = Vec::new();
    walk(path, &mut files, &mut visited, diagnostics);
    files.sort();
    if files.is_empty() {
        diagnostics.push(file_problem(path, Pos::START, Problem::NoManifestFiles));
    }
    files
}

fn walk(
    dir: &Path,
    files: &mut Vec<PathBuf>,
    visited: &mut Vec<PathBuf>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // A symlink cycle would otherwise walk forever.
    if let Ok(canonical) = fs::canonicalize(dir) {
        if visited.contains(&canonical) {
            return;
        }
        visited.push(canonical);
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            diagnostics.push(file_problem(
                dir,
                Pos::START,
                Problem::Unreadable { reason: e.to_string() },
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, files, visited, diagnostics);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
            files.push(path);
        }
    }
}

fn read_text(file: &Path) -> Result<String, Box<Diagnostic>> {
    let unreadable = |e: std::io::Error| {
        Box::new(file_problem(file, Pos::START, Problem::Unreadable { reason: e.to_string() }))
    };
    let size = fs::metadata(file).map_err(unreadable)?.len();
    if size > MAX_FILE_BYTES {
        let reason =
            format!("it is {size} bytes; manifest files are limited to {MAX_FILE_BYTES} bytes");
        return Err(Box::new(file_problem(file, Pos::START, Problem::Unreadable { reason })));
    }
    let bytes = fs::read(file).map_err(unreadable)?;
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let valid = e.utf8_error().valid_up_to();
        let prefix = &bytes[..valid];
        let line = prefix.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = prefix.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&prefix[line_start..]).chars().count() + 1;
        let pos = Pos { line: to_u32(line), column: to_u32(column) };
        Box::new(file_problem(file, pos, Problem::NotUtf8 { byte: valid - line_start + 1 }))
    })
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Parse one file's text; good manifests go to `desired`, problems to `diagnostics`.
fn parse_into(file: &Path, text: &str, desired: &mut Desired, diagnostics: &mut Vec<Diagnostic>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.len() as u64 > MAX_FILE_BYTES {
        let reason = format!(
            "it is {} bytes; manifest files are limited to {MAX_FILE_BYTES} bytes",
            text.len()
        );
        diagnostics.push(file_problem(file, Pos::START, Problem::Unreadable { reason }));
        return;
    }
    let documents = match raw::parse_documents(text) {
        Ok(documents) => documents,
        Err(error) => {
            let pos = error.at.unwrap_or(Pos::START);
            diagnostics.push(file_problem(file, pos, Problem::Yaml { message: error.message }));
            return;
        }
    };
    if documents.iter().all(|d| d.value == raw::Value::Null) && documents.len() <= 1 {
        diagnostics.push(file_problem(file, Pos::START, Problem::EmptyFile));
        return;
    }
    for document in &documents {
        let mut cx = Cx::new(file, diagnostics);
        match sections::document(&mut cx, document) {
            DocumentOutcome::Hub(hub) => desired.hubs.push(*hub),
            DocumentOutcome::Foundry(foundry) => desired.foundries.push(*foundry),
            DocumentOutcome::Skipped | DocumentOutcome::Invalid => {}
        }
    }
}
