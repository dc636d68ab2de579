//! Every hubctl command and flag the CI recipes in examples/ci use exists (`hubctl <cmd> --help`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::{examples, hubctl};

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yml" | "yaml")) {
            out.push(path);
        }
    }
}

/// (command, flags) for each hubctl call in a recipe: shell lines (`hubctl plan … --out x`)
/// and container args (`args: ["drift", "/hubs", "--auth", …]`).
fn calls(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let words: Vec<String> = if let Some(rest) = line.trim().strip_prefix("args: [") {
            std::iter::once("hubctl".to_string())
                .chain(
                    rest.trim_end_matches(']')
                        .split(',')
                        .map(|w| w.trim().trim_matches('"').to_string()),
                )
                .collect()
        } else {
            line.split_whitespace().map(str::to_string).collect()
        };
        if let Some(at) = words.iter().position(|w| w == "hubctl") {
            let Some(command) =
                words.get(at + 1).filter(|c| c.chars().all(|ch| ch.is_ascii_lowercase()))
            else {
                continue;
            };
            let flags = words[at + 2..]
                .iter()
                .filter(|w| w.starts_with("--"))
                .map(|w| w.split('=').next().unwrap_or(w).to_string())
                .collect();
            out.push((command.clone(), flags));
        }
    }
    out
}

#[test]
fn every_command_and_flag_the_recipes_use_exists() {
    let mut paths = Vec::new();
    files(&examples().join("ci"), &mut paths);
    assert!(
        paths.len() >= 7,
        "three GitHub workflows, three Azure DevOps pipelines, one CronJob: {paths:?}"
    );
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in &paths {
        for (command, flags) in calls(&std::fs::read_to_string(path).unwrap()) {
            used.entry(command).or_default().extend(flags);
        }
    }
    for command in ["plan", "apply", "drift", "validate"] {
        assert!(used.contains_key(command), "the recipes run hubctl {command}: {used:?}");
    }
    for (command, flags) in &used {
        let output = hubctl().args([command.as_str(), "--help"]).output().unwrap();
        assert!(output.status.success(), "hubctl {command} does not exist");
        let help = String::from_utf8(output.stdout).unwrap();
        for flag in flags {
            assert!(
                help.contains(&format!("{flag} "))
                    || help.contains(&format!("{flag}\n"))
                    || help.contains(&format!("{flag} <")),
                "hubctl {command} has no {flag}:\n{help}"
            );
        }
    }
}

#[test]
fn completions_are_printed_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let output = hubctl().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}");
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.contains("hubctl") && text.contains("drift"), "{shell}: {text}");
    }
}
