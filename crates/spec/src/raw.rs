//! Stage one of parsing: YAML text to a generic tree that remembers where every node came from.
//!
//! Why a generic tree and not serde straight into the typed model: serde stops at the first
//! error, and a platform engineer wants every mistake in a manifest at once, each with its line
//! and column. So the YAML library (serde-saphyr, see docs/decisions.md) only builds this tree —
//! with duplicate keys, alias bombs, bad indentation and the like already refused — and
//! [`crate::build`] walks it, collecting every problem it finds.
//!
//! Scalars are resolved by the YAML 1.2 core schema with strict booleans (`no`, `on` stay
//! strings) and leading-zero numbers kept as strings (`0042` is not 42).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Options, Spanned};

use crate::source::Pos;

/// One YAML node with the position of its first character.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What the node holds.
    pub value: Value,
    /// Where it starts in the file (1-based line and column).
    pub at: Pos,
}

/// The value of a YAML node, after the core schema resolved its scalars.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i128),
    /// A floating-point number.
    Float(f64),
    /// A string, quoted or plain.
    Str(String),
    /// A sequence, in order.
    Seq(Vec<Node>),
    /// A mapping, in source order. Keys are unique (the parser refuses duplicates).
    Map(Vec<(Key, Node)>),
}

/// A mapping key: always a string here (other keys are refused when the tree is built).
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key's text.
    pub name: String,
    /// Where the key starts.
    pub at: Pos,
}

impl Value {
    /// What kind of value this is, as a person would say it: used in "expected X, found Y".
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// The largest number of alias expansions a manifest may make. Real manifests use none or a
/// handful; a "billion laughs" document hits this bound and fails fast instead of eating memory.
const MAX_REPLAYED_EVENTS: usize = 10_000;

fn options() -> Options {
    let mut options = Options::default();
    options.strict_booleans = true;
    options.leading_zero_numbers_as_strings = true;
    options.with_snippet = false;
    options.alias_limits.max_total_replayed_events = MAX_REPLAYED_EVENTS;
    options.alias_limits.max_replay_stack_depth = 16;
    options.alias_limits.max_alias_expansions_per_anchor = 1_000;
    options
}

/// A YAML syntax error (or a refused construct) with its position when known.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    /// The YAML library's message, without its own position suffix.
    pub message: String,
    /// Where it happened, when the library knows.
    pub at: Option<Pos>,
}

/// Parse every YAML document in `text` into a [`Node`] tree.
///
/// An empty stream gives an empty list; the caller decides whether that is an error.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, SyntaxError> {
    let docs: Vec<Spanned<RawValue>> = serde_saphyr::from_multiple_with_options(text, options())
        .map_err(|error| {
            let at = error.location().and_then(|l| Pos::from_saphyr(&l));
            SyntaxError { message: clean_message(&error.to_string()), at }
        })?;
    Ok(docs.into_iter().map(node_from).collect())
}

/// serde-saphyr appends " at line X column Y" to some messages; we print positions ourselves.
fn clean_message(message: &str) -> String {
    let mut first = message.lines().next().unwrap_or(message).trim();
    // The library's advice to change its own options is not advice for a manifest's author.
    if let Some(cut) = first.find(", set DuplicateKeyPolicy") {
        first = &first[..cut];
    }
    match first.rfind(" at line ") {
        Some(cut) => first[..cut].to_string(),
        None => first.to_string(),
    }
}

fn node_from(spanned: Spanned<RawValue>) -> Node {
    let at = Pos::from_saphyr(&spanned.referenced).unwrap_or(Pos::START);
    let value = match spanned.value {
        RawValue::Null => Value::Null,
        RawValue::Bool(b) => Value::Bool(b),
        RawValue::Int(i) => Value::Int(i),
        RawValue::Float(f) => Value::Float(f),
        RawValue::Str(s) => Value::Str(s),
        RawValue::Seq(items) => Value::Seq(items.into_iter().map(node_from).collect()),
        RawValue::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(key, value)| {
                    let key_at = Pos::from_saphyr(&key.referenced).unwrap_or(at);
                    (Key { name: key.value, at: key_at }, node_from(value))
                })
                .collect(),
        ),
    };
    Node { value, at }
}

/// The serde-facing twin of [`Value`]: children wrapped in `Spanned` so serde-saphyr records
/// their positions. Kept private; [`node_from`] turns it into the public tree.
enum RawValue {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<RawValue>>),
    Map(Vec<(Spanned<String>, Spanned<RawValue>)>),
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_none<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawValue, D::Error> {
        RawValue::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<RawValue, E> {
        Ok(RawValue::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawValue, E> {
        Ok(RawValue::Int(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<RawValue, E> {
        Ok(RawValue::Int(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<RawValue, E> {
        Ok(RawValue::Int(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<RawValue, E> {
        i128::try_from(v).map(RawValue::Int).map_err(|_| E::custom("integer is too large"))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawValue, E> {
        Ok(RawValue::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawValue, E> {
        Ok(RawValue::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<RawValue, E> {
        Ok(RawValue::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<RawValue, E> {
        Err(E::custom("binary values are not allowed in a manifest"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<RawValue>>()? {
            items.push(item);
        }
        Ok(RawValue::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawValue, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<KeyText>>()? {
            let value = map.next_value::<Spanned<RawValue>>()?;
            let Spanned { value: KeyText(name), referenced, defined } = key;
            entries.push((Spanned { value: name, referenced, defined }, value));
        }
        Ok(RawValue::Map(entries))
    }
}

/// A mapping key. Manifests only have string keys; a number or boolean key is kept as its text
/// so the typed stage can report it as an unknown field at its position.
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = KeyText;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<KeyText, E> {
                Ok(KeyText(v))
            }
            fn visit_bool<E>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<KeyText, E> {
                Ok(KeyText("null".to_string()))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        let mut docs = parse_documents(text).expect("parses");
        assert_eq!(docs.len(), 1);
        docs.remove(0)
    }

    #[test]
    fn positions_are_recorded_for_keys_and_values() {
        let node = one("a: 1\nb:\n  - x\n  - c: no\n");
        let Value::Map(entries) = node.value else { panic!("map expected") };
        assert_eq!(entries[0].0.name, "a");
        assert_eq!(entries[0].0.at, Pos { line: 1, column: 1 });
        assert_eq!(entries[0].1.at, Pos { line: 1, column: 4 });
        assert_eq!(entries[0].1.value, Value::Int(1));
        let Value::Seq(items) = &entries[1].1.value else { panic!("seq expected") };
        assert_eq!(items[0].at, Pos { line: 3, column: 5 });
        let Value::Map(inner) = &items[1].value else { panic!("map expected") };
        assert_eq!(inner[0].0.at, Pos { line: 4, column: 5 });
        // strict booleans: `no` stays a string
        assert_eq!(inner[0].1.value, Value::Str("no".into()));
    }

    #[test]
    fn leading_zero_numbers_stay_strings() {
        let node = one("a: 0042\nb: \"7\"\nc: 7\n");
        let Value::Map(entries) = node.value else { panic!("map expected") };
        assert_eq!(entries[0].1.value, Value::Str("0042".into()));
        assert_eq!(entries[1].1.value, Value::Str("7".into()));
        assert_eq!(entries[2].1.value, Value::Int(7));
    }

    #[test]
    fn duplicate_keys_are_refused_with_a_position() {
        let error = parse_documents("a: 1\nb: 2\na: 3\n").expect_err("duplicate");
        assert!(error.message.contains("duplicate"), "{}", error.message);
        assert_eq!(error.at.map(|p| p.line), Some(3));
    }

    #[test]
    fn several_documents() {
        let docs = parse_documents("a: 1\n---\nb: 2\n").expect("parses");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].at.line, 3);
    }

    #[test]
    fn alias_bomb_fails_fast() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let error = parse_documents(&text).expect_err("bounded");
        assert!(!error.message.is_empty());
    }
}
