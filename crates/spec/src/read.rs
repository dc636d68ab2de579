//! Helpers that read the stage-one [`Node`] tree into typed values, reporting every problem
//! instead of stopping at the first.
//!
//! Each helper returns `Option`: `None` means "a problem was reported here, go on with the next
//! field". A mapping is checked for unknown fields as soon as it is opened, against the list of
//! fields it may hold, with a "did you mean" for near misses (`displayname`, `display_name`,
//! `dispalyName` all suggest `displayName`).

use std::collections::BTreeMap;
use std::path::Path;

use crate::ids::{ArmId, Guid, ResourceType};
use crate::problem::Problem;
use crate::raw::{Key, Node, Value};
use crate::source::{Diagnostic, FieldPath, Location, Pos};

/// The reading context of one document: where problems go, and where fields were found.
pub(crate) struct Cx<'a> {
    file: &'a Path,
    pub(crate) diagnostics: &'a mut Vec<Diagnostic>,
    pub(crate) positions: BTreeMap<String, Pos>,
}

/// An opened mapping whose keys were checked against its known fields.
pub(crate) struct Fields<'n> {
    entries: &'n [(Key, Node)],
    /// The mapping's own path.
    pub(crate) path: FieldPath,
    /// Where the mapping starts.
    pub(crate) at: Pos,
}

/// A value read from a field, with its path and position.
#[derive(Clone, Copy)]
pub(crate) struct Field<'n> {
    pub(crate) node: &'n Node,
}

/// A closed set of names in the manifest mapped to a typed value.
pub(crate) trait Choice: Sized + Copy + 'static {
    /// The names as written in manifests.
    const NAMES: &'static [&'static str];
    /// The values, in the order of `NAMES`.
    const VALUES: &'static [Self];
}

impl<'a> Cx<'a> {
    pub(crate) fn new(file: &'a Path, diagnostics: &'a mut Vec<Diagnostic>) -> Cx<'a> {
        Cx { file, diagnostics, positions: BTreeMap::new() }
    }

    pub(crate) fn file(&self) -> &Path {
        self.file
    }

    pub(crate) fn location(&self, at: Pos) -> Location {
        Location::new(self.file, at)
    }

    /// Record a problem at `at` on `path`.
    pub(crate) fn report(&mut self, at: Pos, path: &FieldPath, problem: Problem) {
        self.diagnostics.push(Diagnostic {
            location: self.location(at),
            path: path.clone(),
            problem,
        });
    }

    /// Open a mapping and report its unknown fields.
    pub(crate) fn mapping<'n>(
        &mut self,
        node: &'n Node,
        path: &FieldPath,
        known: &'static [&'static str],
    ) -> Option<Fields<'n>> {
        let Value::Map(entries) = &node.value else {
            self.wrong_type(node, path, "a mapping");
            return None;
        };
        self.positions.insert(path.as_str().to_string(), node.at);
        for (key, _) in entries {
            if !known.contains(&key.name.as_str()) {
                let suggestion = closest(&key.name, known);
                self.report(
                    key.at,
                    &path.field(&key.name),
                    Problem::UnknownField { name: key.name.clone(), expected: known, suggestion },
                );
            }
        }
        Some(Fields { entries, path: path.clone(), at: node.at })
    }

    pub(crate) fn wrong_type(&mut self, node: &Node, path: &FieldPath, expected: &'static str) {
        self.report(node.at, path, Problem::WrongType { expected, found: node.value.kind() });
    }

    /// A string value; `None` (reported) for anything else.
    pub(crate) fn string(&mut self, field: Field<'_>, path: &FieldPath) -> Option<String> {
        match &field.node.value {
            Value::Str(s) => Some(s.clone()),
            _ => {
                self.wrong_type(field.node, path, "a string");
                None
            }
        }
    }

    /// A non-empty string.
    pub(crate) fn nonempty_string(&mut self, field: Field<'_>, path: &FieldPath) -> Option<String> {
        let text = self.string(field, path)?;
        if text.trim().is_empty() {
            self.report(field.node.at, path, Problem::Empty);
            return None;
        }
        Some(text)
    }

    /// A boolean.
    pub(crate) fn boolean(&mut self, field: Field<'_>, path: &FieldPath) -> Option<bool> {
        match field.node.value {
            Value::Bool(b) => Some(b),
            _ => {
                self.wrong_type(field.node, path, "a boolean (true or false)");
                None
            }
        }
    }

    /// One of a closed set of names.
    pub(crate) fn choice<T: Choice>(&mut self, field: Field<'_>, path: &FieldPath) -> Option<T> {
        let text = self.string(field, path)?;
        match T::NAMES.iter().position(|n| *n == text) {
            Some(i) => T::VALUES.get(i).copied(),
            None => {
                let suggestion = closest(&text, T::NAMES);
                self.report(
                    field.node.at,
                    path,
                    Problem::UnknownVariant { value: text, expected: T::NAMES, suggestion },
                );
                None
            }
        }
    }

    /// A list; null reads as an empty list.
    pub(crate) fn list<'n>(&mut self, field: Field<'n>, path: &FieldPath) -> Option<&'n [Node]> {
        match &field.node.value {
            Value::Seq(items) => Some(items),
            Value::Null => Some(&[]),
            _ => {
                self.wrong_type(field.node, path, "a list");
                None
            }
        }
    }

    /// A GUID.
    pub(crate) fn guid(&mut self, field: Field<'_>, path: &FieldPath) -> Option<Guid> {
        // An unquoted number is a GUID typed wrong, not a string typed wrong: say so.
        let text = match &field.node.value {
            Value::Int(n) => n.to_string(),
            Value::Float(n) => n.to_string(),
            _ => self.string(field, path)?,
        };
        let guid = Guid::parse(&text);
        if guid.is_none() {
            self.report(field.node.at, path, Problem::InvalidGuid { value: text });
        }
        guid
    }

    /// An ARM id, of `expected` type when given.
    pub(crate) fn arm_id(
        &mut self,
        field: Field<'_>,
        path: &FieldPath,
        expected: Option<ResourceType>,
    ) -> Option<ArmId> {
        let text = self.string(field, path)?;
        let id = match ArmId::parse(&text) {
            Ok(id) => id,
            Err(reason) => {
                self.report(field.node.at, path, Problem::InvalidArmId { value: text, reason });
                return None;
            }
        };
        if let Some(expected) = expected
            && id.resource_type() != Some(expected)
        {
            let problem = Problem::WrongResourceType {
                expected_type: expected.arm_type(),
                expected_what: expected.what(),
                found_type: id.arm_type(),
            };
            self.report(field.node.at, path, problem);
            return None;
        }
        Some(id)
    }
}

/// An optional field read: `Ok(None)` when not written, `Err` when written wrong (reported).
pub(crate) type Optional<T> = Result<Option<T>, ()>;

impl<'n> Fields<'n> {
    /// The field `name`, if written; null counts as not written. Records its position.
    pub(crate) fn get(&self, cx: &mut Cx<'_>, name: &str) -> Option<(Field<'n>, FieldPath)> {
        let (_, node) = self.entries.iter().find(|(k, _)| k.name == name)?;
        let path = self.path.field(name);
        cx.positions.insert(path.as_str().to_string(), node.at);
        if node.value == Value::Null {
            return None;
        }
        Some((Field { node }, path))
    }

    /// What `read` makes of field `name`, or `missing` when it is absent or null.
    pub(crate) fn read_or<T>(
        &self,
        cx: &mut Cx<'_>,
        name: &str,
        missing: T,
        read: impl FnOnce(&mut Cx<'_>, Field<'n>, &FieldPath) -> T,
    ) -> T {
        match self.get(cx, name) {
            Some((f, p)) => read(cx, f, &p),
            None => missing,
        }
    }

    /// An optional string: `Err` when written but not a string (reported).
    pub(crate) fn optional_string(&self, cx: &mut Cx<'_>, name: &str) -> Optional<String> {
        self.read_or(cx, name, Ok(None), |cx, f, p| cx.string(f, p).map(Some).ok_or(()))
    }

    /// An optional ARM id of type `expected`: `Err` when written but wrong (reported).
    pub(crate) fn optional_id(
        &self,
        cx: &mut Cx<'_>,
        name: &str,
        of: ResourceType,
    ) -> Optional<ArmId> {
        self.read_or(cx, name, Ok(None), |cx, f, p| cx.arm_id(f, p, Some(of)).map(Some).ok_or(()))
    }

    /// One of `T`'s names, `default` when not written.
    pub(crate) fn choice_or<T: Choice>(
        &self,
        cx: &mut Cx<'_>,
        name: &str,
        default: T,
    ) -> Option<T> {
        self.read_or(cx, name, Some(default), |cx, f, p| cx.choice(f, p))
    }

    /// A boolean, `default` when not written.
    pub(crate) fn bool_or(&self, cx: &mut Cx<'_>, name: &str, default: bool) -> Option<bool> {
        self.read_or(cx, name, Some(default), |cx, f, p| cx.boolean(f, p))
    }

    /// The field `name`, reporting it missing when absent or null.
    pub(crate) fn required(
        &self,
        cx: &mut Cx<'_>,
        name: &'static str,
    ) -> Option<(Field<'n>, FieldPath)> {
        let found = self.get(cx, name);
        if found.is_none() {
            let at = self
                .entries
                .iter()
                .find(|(k, _)| k.name == name)
                .map(|(k, _)| k.at)
                .unwrap_or(self.at);
            cx.report(at, &self.path, Problem::MissingField { name });
        }
        found
    }

    /// Where field `name` (its value) is, or the mapping's start.
    pub(crate) fn position(&self, name: &str) -> Pos {
        self.entries.iter().find(|(k, _)| k.name == name).map(|(_, v)| v.at).unwrap_or(self.at)
    }

    /// Where key `name` is, if written.
    pub(crate) fn key_position(&self, name: &str) -> Option<Pos> {
        self.entries.iter().find(|(k, _)| k.name == name).map(|(k, _)| k.at)
    }

    /// Whether field `name` is written with a non-null value.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.entries.iter().any(|(k, v)| k.name == name && v.value != Value::Null)
    }
}

/// The known name closest to `input`, if one is close enough to be a likely typo.
pub(crate) fn closest(input: &str, known: &[&'static str]) -> Option<&'static str> {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| *c != '_' && *c != '-' && *c != ' ')
            .flat_map(char::to_lowercase)
            .collect()
    };
    let wanted = norm(input);
    if wanted.is_empty() {
        return None;
    }
    let mut best: Option<(usize, &'static str)> = None;
    for candidate in known {
        let distance = strsim::damerau_levenshtein(&wanted, &norm(candidate));
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    let (distance, candidate) = best?;
    let allowed = (wanted.chars().count() / 4).max(1);
    (distance <= allowed).then_some(candidate)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggestions_catch_case_separators_and_typos() {
        let known = &["displayName", "description", "storageAccount"];
        assert_eq!(closest("displayname", known), Some("displayName"));
        assert_eq!(closest("display_name", known), Some("displayName"));
        assert_eq!(closest("dispalyName", known), Some("displayName"));
        assert_eq!(closest("storageAcount", known), Some("storageAccount"));
        assert_eq!(closest("network", known), None);
        assert_eq!(closest("", known), None);
    }
}
