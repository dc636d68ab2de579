//! No input makes the loader panic: arbitrary bytes, and the examples mutated at random.
//!
//! The cargo-fuzz target (fuzz/) explores further; this runs in every test run.

use std::path::Path;

use proptest::prelude::*;

use crate::support::examples;

fn example_texts() -> Vec<String> {
    let dir = examples().join("hubs");
    let mut texts: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    texts.sort();
    texts
}

/// One edit of a manifest's text.
#[derive(Debug, Clone)]
enum Edit {
    DeleteLine(usize),
    DuplicateLine(usize),
    InsertText(usize, String),
    ReplaceByte(usize, u8),
    Truncate(usize),
    IndentLine(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::DeleteLine),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (
            any::<usize>(),
            prop_oneof![
                14 => proptest::sample::select(vec![
                    ": ",
                    "- ",
                    "&a ",
                    "*a",
                    "{",
                    "]",
                    "\"",
                    "\t",
                    "!!binary ",
                    "<<: *a\n",
                    "---\n",
                    "~",
                    "0x1F",
                    ".inf"
                ])
                .prop_map(str::to_string),
                1 => "[a-zA-Z0-9 :/._-]{0,12}",
            ]
        )
            .prop_map(|(at, text)| Edit::InsertText(at, text)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Edit::ReplaceByte(at, b)),
        any::<usize>().prop_map(Edit::Truncate),
        any::<usize>().prop_map(Edit::IndentLine),
    ]
}

fn apply(text: &str, edit: &Edit) -> Vec<u8> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len().max(1);
    let mut bytes = text.as_bytes().to_vec();
    match edit {
        Edit::DeleteLine(i) => {
            if !lines.is_empty() {
                lines.remove(i % n);
            }
        }
        Edit::DuplicateLine(i) => {
            if !lines.is_empty() {
                let line = lines[i % n].clone();
                lines.insert(i % n, line);
            }
        }
        Edit::IndentLine(i) => {
            if !lines.is_empty() {
                lines[i % n].insert(0, ' ');
            }
        }
        Edit::InsertText(at, insert) => {
            let at = at % (bytes.len() + 1);
            bytes.splice(at..at, insert.bytes());
            return bytes;
        }
        Edit::ReplaceByte(at, b) => {
            if !bytes.is_empty() {
                let at = at % bytes.len();
                bytes[at] = *b;
            }
            return bytes;
        }
        Edit::Truncate(at) => {
            bytes.truncate(at % (bytes.len() + 1));
            return bytes;
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out.into_bytes()
}

fn load_bytes(bytes: &[u8]) {
    // The binary reads files as bytes and refuses non-UTF-8 before parsing; mirror that.
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = hubctl_spec::load_str(Path::new("fuzz.yaml"), text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let _ = hubctl_spec::load_str(Path::new("fuzz.yaml"), &text);
    }

    #[test]
    fn yaml_ish_text_never_panics(text in "([a-zA-Z]{1,6}: ?|- |  |\\{|\\}|\\[|\\]|&a |\\*a|!!str |---\n|\n|[0-9]{1,3}|\"|'|#|,){0,60}") {
        let _ = hubctl_spec::load_str(Path::new("fuzz.yaml"), &text);
    }

    #[test]
    fn mutated_examples_never_panic(which in 0usize..8, edits in proptest::collection::vec(edit(), 1..6)) {
        let texts = example_texts();
        let mut bytes = texts[which % texts.len()].clone().into_bytes();
        for e in &edits {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            bytes = apply(&text, e);
        }
        load_bytes(&bytes);
    }
}
