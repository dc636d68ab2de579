//! # hubctl-policy: organisation guardrails in Rego, checked in the plan
//!
//! Platform teams have rules beyond what Azure refuses (production hubs private and with
//! customer-managed keys, no Owner granted through a manifest, only approved outbound
//! destinations). This crate evaluates such rules, written in Rego with conftest's
//! conventions, in-process with regorus (Microsoft's Rego interpreter; docs/decisions.md):
//!
//! - policies are `.rego` files (a file, or every `.rego` under a folder); Rego v1 syntax, and
//!   v0 (`deny[msg] { … }`) for files that only parse as v0, so conftest policies are reused
//!   as they are;
//! - in each namespace (package `main` and the packages under it, `main.access`, unless
//!   `--namespace` names others), `deny` and
//!   `violation` (a set of messages, or of objects with `msg`) block the hub, `warn` lands in
//!   the plan's warnings;
//! - one evaluation per hub, on the input document [`input`] builds (its schema is
//!   [`input_schema`], committed as schemas/policy-input.schema.json): `manifest` (the
//!   manifest in its own field names, every default filled in), `changes` (the plan's changes
//!   of that hub, as in the JSON plan) and `live` (what hubctl read; absent for a new hub);
//! - a policy that does not parse is an error naming its file, line and column; one that
//!   fails to evaluate is an error naming the rule — never a silent pass;
//! - [`Policies::run_tests`] runs the policies' own `test_` rules, as `opa test` does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use hubctl_model::{Live, LiveHub};
use hubctl_plan::{Action, Change, Plan, Reason, ResourceKind, Warning, WarningKind};
use hubctl_spec::Desired;
use serde_json::{Value, json};

/// Why policies could not be used. Each says which file or rule.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// A path that cannot be read.
    #[error("policy {path}: {reason}")]
    Read {
        /// The path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// No `.rego` file under a path.
    #[error("policy {path}: no .rego file there")]
    Empty {
        /// The path.
        path: PathBuf,
    },
    /// A policy that does not parse (the message names file:line:col).
    #[error("policy {path} does not parse:\n{message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// regorus's message, with the file, line and column.
        message: String,
    },
    /// A rule that fails to evaluate.
    #[error("policy rule {rule} (in {files}) failed to evaluate: {message}")]
    Evaluate {
        /// `data.<package>.<rule>`.
        rule: String,
        /// The files that define it.
        files: String,
        /// Why.
        message: String,
    },
    /// A result that is not a set of messages.
    #[error(
        "policy rule {rule} (in {files}) gave {found}; expected a set of strings, or of objects with a string `msg`"
    )]
    Shape {
        /// `data.<package>.<rule>`.
        rule: String,
        /// The files that define it.
        files: String,
        /// What it gave.
        found: String,
    },
}

/// What a policy said about a hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Deny (blocks) or warn.
    pub blocks: bool,
    /// The message.
    pub message: String,
    /// `data.<package>.<rule>`.
    pub rule: String,
    /// The file(s) that define the rule.
    pub files: String,
}

/// The outcome of `hubctl policy test`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestReport {
    /// `(rule, file, passed)` for every `test_` rule, by rule.
    pub results: Vec<(String, String, bool)>,
}

impl TestReport {
    /// Whether every test passed (and there was at least one).
    pub fn passed(&self) -> bool {
        !self.results.is_empty() && self.results.iter().all(|(_, _, ok)| *ok)
    }
}

/// Loaded, parsed policies.
#[derive(Debug, Clone)]
pub struct Policies {
    engine: regorus::Engine,
    /// `data.<package>.<rule>` → the files defining it, for the rules hubctl evaluates.
    rules: BTreeMap<String, BTreeSet<String>>,
    /// `data.<package>.test_…` → the file defining it.
    tests: BTreeMap<String, String>,
    namespaces: Vec<String>,
    /// Whether any policy mentions `live` or reaches into `input` by a computed path: the
    /// input's live part (the costliest to build) is made only then.
    reads_live: bool,
}

/// Every `.rego` file under `path` (itself when it is a file), sorted.
fn rego_files(path: &Path) -> Result<Vec<PathBuf>, PolicyError> {
    let read_error =
        |e: std::io::Error| PolicyError::Read { path: path.to_path_buf(), reason: e.to_string() };
    let meta = std::fs::metadata(path).map_err(read_error)?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut folders = vec![path.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).map_err(read_error)? {
            let entry = entry.map_err(read_error)?;
            let p = entry.path();
            if p.is_dir() {
                folders.push(p);
            } else if p.extension().is_some_and(|e| e == "rego") {
                out.push(p);
            }
        }
    }
    out.sort();
    if out.is_empty() {
        return Err(PolicyError::Empty { path: path.to_path_buf() });
    }
    Ok(out)
}

/// The rule names a file defines at the start of a line (`deny contains …`, `deny[msg] {`,
/// `test_x if {`).
fn defined_rules(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|line| {
            let name: String =
                line.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            let rest = line[name.len()..].trim_start();
            let defines = !name.is_empty()
                && (rest.starts_with("contains")
                    || rest.starts_with("if")
                    || rest.starts_with('[')
                    || rest.starts_with('{')
                    || rest.starts_with(":=")
                    || rest.starts_with('='));
            defines.then_some(name)
        })
        .collect()
}

/// The rules evaluated in each namespace (also with conftest's `_name` suffixes:
/// `deny_public`).
const RULES: [(&str, bool); 3] = [("deny", true), ("violation", true), ("warn", false)];

impl Policies {
    /// Load every `.rego` file under `paths`; `namespaces` are the packages whose rules count
    /// (`main` when empty).
    pub fn load(paths: &[PathBuf], namespaces: &[String]) -> Result<Policies, PolicyError> {
        let mut engine = regorus::Engine::new();
        let mut rules: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut tests = BTreeMap::new();
        let mut reads_live = false;
        for path in paths {
            for file in rego_files(path)? {
                let text = std::fs::read_to_string(&file)
                    .map_err(|e| PolicyError::Read { path: file.clone(), reason: e.to_string() })?;
                let name = file.display().to_string();
                // Any mention of `live`, or a way to reach it without naming it.
                reads_live |= ["live", "walk(", "input[", "object.get(input", "json.filter(input"]
                    .iter()
                    .any(|m| text.contains(m));
                // Rego v1 first; a file that only parses as v0 (conftest's older style) is
                // read as v0. The v1 error is the one shown when neither parses.
                let package = match engine.clone().add_policy(name.clone(), text.clone()) {
                    Ok(_) => engine.add_policy(name.clone(), text.clone()),
                    Err(v1) => {
                        let mut v0 = engine.clone();
                        v0.set_rego_v0(true);
                        match v0.add_policy(name.clone(), text.clone()) {
                            Ok(package) => {
                                engine = v0;
                                engine.set_rego_v0(false);
                                Ok(package)
                            }
                            Err(_) => Err(v1),
                        }
                    }
                }
                .map_err(|e| PolicyError::Parse { path: file.clone(), message: e.to_string() })?;
                for rule in defined_rules(&text) {
                    let full = format!("{package}.{rule}");
                    if rule.starts_with("test_") {
                        tests.insert(full, name.clone());
                    } else {
                        rules.entry(full).or_default().insert(name.clone());
                    }
                }
            }
        }
        let namespaces =
            if namespaces.is_empty() { vec!["main".to_string()] } else { namespaces.to_vec() };
        Ok(Policies { engine, rules, tests, namespaces, reads_live })
    }

    /// What the policies say about one input document.
    pub fn evaluate(&mut self, input: Value) -> Result<Vec<Finding>, PolicyError> {
        self.engine.set_input(regorus::Value::from(input));
        let mut out = Vec::new();
        // The rules of every package that is a namespace or under one (`main`, `main.access`).
        let wanted: Vec<(String, bool, String)> = self
            .rules
            .iter()
            .filter_map(|(full, files)| {
                let (package, rule) = full.strip_prefix("data.")?.rsplit_once('.')?;
                // `deny`, and conftest's `deny_<name>` likewise.
                let blocks = RULES
                    .iter()
                    .find(|(r, _)| {
                        rule == *r || rule.strip_prefix(r).is_some_and(|t| t.starts_with('_'))
                    })?
                    .1;
                let under = self
                    .namespaces
                    .iter()
                    .any(|ns| package == ns || package.starts_with(&format!("{ns}.")));
                let files = files.iter().cloned().collect::<Vec<_>>().join(", ");
                under.then(|| (full.clone(), blocks, files))
            })
            .collect();
        for (full, blocks, files) in wanted {
            let failed = |e: &dyn std::fmt::Display| PolicyError::Evaluate {
                rule: full.clone(),
                files: files.clone(),
                message: e.to_string(),
            };
            let result = self.engine.eval_rule(full.clone()).map_err(|e| failed(&e))?;
            let json = result.to_json_str().map_err(|e| failed(&e))?;
            let value: Value = serde_json::from_str(&json).unwrap_or(Value::Null);
            let items = match &value {
                // Undefined: no message.
                Value::String(s) if s == "<undefined>" => continue,
                Value::Array(items) => items.clone(),
                Value::Bool(false) => continue,
                other => {
                    return Err(PolicyError::Shape { rule: full, files, found: other.to_string() });
                }
            };
            for item in items {
                // A string, or an object with a string `msg` (conftest's `violation`).
                let Some(message) = item.as_str().or_else(|| item.get("msg")?.as_str()) else {
                    return Err(PolicyError::Shape { rule: full, files, found: item.to_string() });
                };
                let message = message.to_string();
                out.push(Finding { blocks, message, rule: full.clone(), files: files.clone() });
            }
        }
        Ok(out)
    }

    /// Run every `test_` rule: passed when it is `true`.
    pub fn run_tests(&mut self) -> Result<TestReport, PolicyError> {
        self.engine.set_input(regorus::Value::new_object());
        let mut report = TestReport::default();
        for (rule, file) in &self.tests {
            let result =
                self.engine.eval_rule(rule.clone()).map_err(|e| PolicyError::Evaluate {
                    rule: rule.clone(),
                    files: file.clone(),
                    message: e.to_string(),
                })?;
            let passed = result == regorus::Value::from(true);
            report.results.push((rule.clone(), file.clone(), passed));
        }
        Ok(report)
    }
}

/// The live part of a hub's input: the hub as read, its access and connections, its projects
/// as a list.
fn live_view(live: &LiveHub) -> Value {
    let projects: Vec<Value> = live
        .projects
        .values()
        .map(|p| json!({ "workspace": p.workspace, "assignments": p.assignments }))
        .collect();
    json!({
        "workspace": live.workspace,
        "assignments": live.assignments,
        "connections": live.connections,
        "projects": projects,
    })
}

/// `live` of a Foundry resource's input document: the account, its access and connections,
/// its projects with theirs, its deployments, content filters and capability hosts.
fn foundry_live_view(live: &hubctl_model::LiveFoundry) -> Value {
    let projects: Vec<Value> = live
        .projects
        .values()
        .map(|p| {
            json!({ "project": p.project, "connections": p.connections, "assignments": p.assignments })
        })
        .collect();
    let hosts: Vec<&hubctl_model::CapabilityHost> = live.capability_hosts.values().collect();
    json!({
        "account": live.account,
        "assignments": live.assignments,
        "connections": live.connections,
        "projects": projects,
        "deployments": live.deployments,
        "contentFilters": live.rai_policies,
        "capabilityHosts": hosts,
    })
}

/// The input document for one Foundry resource (see the crate doc and
/// schemas/policy-input.schema.json).
pub fn foundry_input(
    foundry: &hubctl_spec::model::Foundry,
    changes: &[&Change],
    live: Option<&hubctl_model::LiveFoundry>,
) -> Value {
    let mut input = json!({ "manifest": hubctl_spec::view_foundry(foundry), "changes": changes });
    if let Some(live) = live {
        input["live"] = foundry_live_view(live);
    }
    input
}

/// The input document for one hub (see the crate doc and schemas/policy-input.schema.json).
pub fn input(hub: &hubctl_spec::model::Hub, changes: &[&Change], live: Option<&LiveHub>) -> Value {
    let mut input = json!({
        "manifest": hubctl_spec::view(hub),
        "changes": changes,
    });
    if let Some(live) = live {
        input["live"] = live_view(live);
    }
    input
}

/// Evaluate `policies` for every hub of `desired` and put the findings into `plan`: a deny is
/// a blocked change of its hub (nothing of that hub is applied), a warning a plan warning.
pub fn check(
    plan: &mut Plan,
    desired: &Desired,
    live: &Live,
    policies: &mut Policies,
) -> Result<(), PolicyError> {
    let mut by_hub: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    for change in &plan.changes {
        by_hub.entry(change.hub.as_str()).or_default().push(change);
    }
    // One document per hub and per Foundry resource: (key, id, name, input).
    let mut documents: Vec<(String, hubctl_model::ArmId, String, Value)> = Vec::new();
    for hub in &desired.hubs {
        let key = hubctl_model::id_key(&hub.arm_id());
        let changes = by_hub.get(key.as_str()).cloned().unwrap_or_default();
        let live_hub = if policies.reads_live { live.hubs.get(&key) } else { None };
        let mut doc = input(hub, &changes, live_hub);
        if !policies.reads_live && live.hubs.contains_key(&key) {
            // No policy reads it: present (a rule may test that the hub exists), not filled.
            doc["live"] =
                json!({ "workspace": {}, "assignments": [], "connections": null, "projects": [] });
        }
        let id = hubctl_model::ArmId::workspace(
            hub.metadata.subscription.as_str(),
            &hub.metadata.resource_group,
            &hub.metadata.name,
        );
        documents.push((key, id, hub.metadata.name.clone(), doc));
    }
    for foundry in &desired.foundries {
        let key = hubctl_model::id_key(&foundry.arm_id());
        let changes = by_hub.get(key.as_str()).cloned().unwrap_or_default();
        let live_foundry = live.foundries.get(&key);
        let mut doc =
            foundry_input(foundry, &changes, live_foundry.filter(|_| policies.reads_live));
        if !policies.reads_live && live_foundry.is_some() {
            // No policy reads it: present (a rule may test that it exists), not filled.
            doc["live"] =
                json!({ "account": {}, "assignments": [], "connections": [], "projects": [] });
        }
        let Ok(id) = hubctl_model::ArmId::parse(&foundry.arm_id()) else { continue };
        documents.push((key, id, foundry.metadata.name.clone(), doc));
    }
    let mut added = Vec::new();
    let mut warnings = Vec::new();
    for (key, id, name, doc) in documents {
        let kind = if key.contains("/microsoft.cognitiveservices/") {
            ResourceKind::Account
        } else {
            ResourceKind::Hub
        };
        for (n, finding) in policies.evaluate(doc)?.into_iter().enumerate() {
            let source = format!("{} in {}", finding.rule, finding.files);
            if finding.blocks {
                let display = format!("{name}: policy {}", finding.rule);
                added.push(Change {
                    id: format!("{key}#policy/{n}"),
                    hub: key.clone(),
                    kind,
                    resource: id.clone(),
                    display,
                    action: Action::Blocked,
                    reasons: vec![Reason::BlockedBecausePolicyDenied],
                    fields: Vec::new(),
                    before: None,
                    after: None,
                    depends_on: Vec::new(),
                    detail: Some(format!("{} ({source})", finding.message)),
                });
            } else {
                warnings.push(Warning {
                    kind: WarningKind::Policy,
                    resource: id.to_string(),
                    detail: format!("{} ({source})", finding.message),
                });
            }
        }
    }
    plan.warnings.extend(warnings);
    // After the planner's changes (never sorted again: its order is decided with care, e.g.
    // rule deletes before a network change); apply and the reviews group changes by hub.
    plan.changes.extend(added);
    Ok(())
}

/// [`input_schema`] as committed in schemas/policy-input.schema.json.
pub fn input_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&input_schema()).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON Schema of the input document (schemas/policy-input.schema.json): `manifest` as
/// the manifest schema, `changes` as the plan schema's changes, `live` as read from ARM.
pub fn input_schema() -> Value {
    let manifest: Value =
        serde_json::from_str(&hubctl_spec::schema::manifest_schema_text()).unwrap_or(Value::Null);
    let plan: Value = serde_json::from_str(&hubctl_plan::plan_schema_text()).unwrap_or(Value::Null);
    let mut defs = serde_json::Map::new();
    for schema in [&manifest, &plan] {
        if let Some(d) = schema.get("$defs").and_then(Value::as_object) {
            defs.extend(d.clone());
        }
    }
    let mut manifest_root = manifest.clone();
    if let Some(root) = manifest_root.as_object_mut() {
        root.remove("$defs");
        root.remove("$schema");
    }
    let change = plan.pointer("/properties/changes/items").cloned().unwrap_or(json!({}));
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "hubctl policy input",
        "description": "One evaluation per hub or Foundry resource: what is declared (manifest, every default filled in; input.manifest.kind says which), what will change (changes, as in the JSON plan) and what hubctl read (live; absent for one that does not exist yet).",
        "type": "object",
        "required": ["manifest", "changes"],
        "additionalProperties": false,
        "properties": {
            "manifest": manifest_root,
            "changes": { "type": "array", "items": change },
            "live": {
                "type": "object",
                "description": "As read from ARM. A hub: its workspace, role assignments, connections (null when not read) and projects with their assignments. A Foundry resource: its account, role assignments, connections and projects (each with its project, connections and assignments), deployments, content filters (RAI policies, the system ones included) and capability hosts — each list empty when its manifest declares none (then it is not read).",
                "required": ["assignments", "projects"],
                "properties": {
                    "workspace": { "type": "object" },
                    "account": { "type": "object" },
                    "assignments": { "type": "array", "items": { "type": "object" } },
                    "connections": { "type": ["array", "null"], "items": { "type": "object" } },
                    "deployments": { "type": "array", "items": { "type": "object" } },
                    "contentFilters": { "type": "array", "items": { "type": "object" } },
                    "capabilityHosts": { "type": "array", "items": { "type": "object" } },
                    "projects": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["assignments"],
                            "properties": {
                                "workspace": { "type": "object" },
                                "project": { "type": "object" },
                                "connections": { "type": "array", "items": { "type": "object" } },
                                "assignments": { "type": "array", "items": { "type": "object" } }
                            }
                        }
                    }
                }
            }
        },
        "$defs": defs,
    })
}
