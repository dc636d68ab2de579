//! Where things are: positions in a file, field paths, and the diagnostics that carry both.
//!
//! Every problem the loader finds becomes a [`Diagnostic`] that prints as
//! `file:line:col: field.path: message` — the shape compilers use, so editors and CI logs turn
//! it into a link.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::problem::Problem;

/// A 1-based line and column in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub column: u32,
}

impl Pos {
    /// The first character of a file: used when nothing better is known.
    pub const START: Pos = Pos { line: 1, column: 1 };

    pub(crate) fn from_saphyr(location: &serde_saphyr::Location) -> Option<Pos> {
        let line = u32::try_from(location.line()).ok()?;
        let column = u32::try_from(location.column()).ok()?;
        (line > 0 && column > 0).then_some(Pos { line, column })
    }
}

/// A field path in a manifest, as a person reads it: `spec.network.outboundRules[2].fqdn`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldPath(String);

impl FieldPath {
    /// The document root (an empty path).
    pub fn root() -> FieldPath {
        FieldPath(String::new())
    }
    /// This path with a field appended.
    pub fn field(&self, name: &str) -> FieldPath {
        if self.0.is_empty() {
            FieldPath(name.to_string())
        } else {
            FieldPath(format!("{}.{name}", self.0))
        }
    }
    /// This path with a list index appended.
    pub fn index(&self, index: usize) -> FieldPath {
        FieldPath(format!("{}[{index}]", self.0))
    }
    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A place in a manifest: file, line and column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// The file as the user named it (relative paths stay relative).
    pub file: PathBuf,
    /// Line and column.
    pub pos: Pos,
}

impl Location {
    /// A location in `file` at `pos`.
    pub fn new(file: &Path, pos: Pos) -> Location {
        Location { file: file.to_path_buf(), pos }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.pos.line, self.pos.column)
    }
}

/// One problem in a manifest, with where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// File, line and column.
    pub location: Location,
    /// The field the problem is about; empty for file-level problems.
    pub path: FieldPath,
    /// What is wrong, and what was expected.
    pub problem: Problem,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.as_str().is_empty() {
            write!(f, "{}: {}", self.location, self.problem)
        } else {
            write!(f, "{}: {}: {}", self.location, self.path, self.problem)
        }
    }
}
