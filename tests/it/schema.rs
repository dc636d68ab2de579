//! The committed JSON Schema is current, and every example validates against it.

use hubctl_spec::raw::{Node, Value, parse_documents};

use crate::support::{examples, hubctl, workspace};

#[test]
fn committed_schema_is_current() {
    let committed = std::fs::read_to_string(workspace().join("schemas/hub.schema.json")).unwrap();
    let generated = hubctl_spec::schema::manifest_schema_text();
    assert!(
        committed == generated,
        "schemas/hub.schema.json is stale: run `cargo run -p hubctl -- schema > schemas/hub.schema.json`"
    );
}

#[test]
fn committed_plan_schema_is_current() {
    let committed = std::fs::read_to_string(workspace().join("schemas/plan.schema.json")).unwrap();
    assert!(
        committed == hubctl_plan::plan_schema_text(),
        "schemas/plan.schema.json is stale: run `cargo run -p hubctl -- schema --plan > schemas/plan.schema.json`"
    );
}

#[test]
fn hubctl_schema_prints_the_committed_schema() {
    let committed = std::fs::read_to_string(workspace().join("schemas/hub.schema.json")).unwrap();
    let output = hubctl().arg("schema").output().unwrap();
    assert!(output.status.success());
    assert!(
        String::from_utf8(output.stdout).unwrap() == committed,
        "hubctl schema differs from schemas/hub.schema.json"
    );
}

fn to_json(node: &Node) -> serde_json::Value {
    match &node.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => (*b).into(),
        Value::Int(i) => serde_json::Value::from(i64::try_from(*i).unwrap()),
        Value::Float(f) => serde_json::Value::from(*f),
        Value::Str(s) => s.clone().into(),
        Value::Seq(items) => items.iter().map(to_json).collect(),
        Value::Map(entries) => entries.iter().map(|(k, v)| (k.name.clone(), to_json(v))).collect(),
    }
}

fn example_documents() -> Vec<(String, serde_json::Value)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(examples().join("hubs")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for doc in parse_documents(&text).unwrap() {
            out.push((path.display().to_string(), to_json(&doc)));
        }
    }
    assert!(out.len() >= 2, "examples/hubs holds at least two manifests");
    out
}

#[test]
fn every_example_validates_against_the_schema() {
    let schema = hubctl_spec::schema::manifest_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    for (file, doc) in example_documents() {
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{file}: {errors:?}");
    }
}

#[test]
fn the_schema_rejects_what_the_loader_rejects_by_shape() {
    let schema = hubctl_spec::schema::manifest_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let (_, good) = example_documents().into_iter().next().unwrap();
    let mut unknown = good.clone();
    unknown["spec"]["displayname"] = "x".into();
    assert!(!validator.is_valid(&unknown), "unknown field");
    let mut variant = good.clone();
    variant["spec"]["storageAccess"] = "accessKey".into();
    assert!(!validator.is_valid(&variant), "unknown value");
    let mut missing = good.clone();
    missing["spec"].as_object_mut().unwrap().remove("storageAccount");
    assert!(!validator.is_valid(&missing), "missing required field");
    let mut name = good;
    name["metadata"]["name"] = "x".into();
    assert!(!validator.is_valid(&name), "name pattern");
}

#[test]
fn every_example_starts_with_the_schema_line() {
    for entry in std::fs::read_dir(examples().join("hubs")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=../../schemas/hub.schema.json\n"),
            "{} must start with the yaml-language-server line",
            path.display()
        );
    }
}
