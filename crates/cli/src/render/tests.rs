//! Snapshot and budget tests of the rendered plan (text, markdown), on plans from the real
//! planner.

use super::*;

/// A plan with every action kind, from the real planner: an existing hub whose description
/// changes, a new rule, a removed rule, a refused storage move, a new project.
fn every_action() -> Plan {
    let sub = "00000000-0000-0000-0000-000000000001";
    let sa = |n: &str| {
        format!(
            "/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/{n}"
        )
    };
    let manifest = |description: &str, rules: &str, storage: &str, projects: &str| {
        format!(
            "apiVersion: hubctl/v1\nkind: Hub\nmetadata: {{ name: hub-a, subscription: {sub}, resourceGroup: rg, location: eastus2 }}\nspec:\n  description: {description}\n  storageAccount: {storage}\n  network:\n    isolation: privateWithApprovedOutbound\n    outboundRules:\n{rules}  access:\n    exclusive: true\n    assignments:\n      - {{ principal: 7d2f6a0e-0000-0000-0000-000000000010, principalType: group, role: Reader }}\n{projects}"
        )
    };
    let other = |description: &str| {
        format!(
            "apiVersion: hubctl/v1\nkind: Hub\nmetadata: {{ name: hub-b, subscription: {sub}, resourceGroup: rg, location: eastus2 }}\nspec:\n  description: {description}\n  storageAccount: {}\n",
            sa("sb")
        )
    };
    let first = hubctl_spec::load_many([
        (std::path::Path::new("a.yaml"), manifest("old", "      - { name: keep, fqdn: keep.example.com }\n      - { name: gone, fqdn: gone.example.com }\n", &sa("sa"), "").as_str()),
        (std::path::Path::new("b.yaml"), other("one").as_str()),
    ])
    .unwrap();
    let options = hubctl_plan::PlanOptions {
        target: "https://arm.example".into(),
        tool_version: "test".into(),
        ..Default::default()
    };
    let live = hubctl_test::simulate::apply(
        &hubctl_model::Live::default(),
        &hubctl_plan::plan(&first, &hubctl_model::Live::default(), &options),
    );
    let second = hubctl_spec::load_many([
        (std::path::Path::new("a.yaml"), manifest("new", "      - { name: keep, fqdn: keep.example.com }\n      - { name: added, fqdn: new.example.com }\n", &sa("sa"), "  projects:\n    - { name: proj-new, displayName: New }\n").as_str()),
        (std::path::Path::new("b.yaml"), other("two").replace(&sa("sb"), &sa("sc")).as_str()),
    ])
    .unwrap();
    hubctl_plan::plan(&second, &live, &options)
}

#[test]
fn text_output_snapshot() {
    insta::assert_snapshot!(text(&every_action(), Mode::Plan, false, "https://arm.example"));
}

#[test]
fn markdown_output_snapshot() {
    insta::assert_snapshot!(markdown(&every_action(), Mode::Plan, review::DEFAULT_MAX_CHARS));
}

#[test]
fn colour_is_only_emphasis() {
    let plan = every_action();
    let plain = text(&plan, Mode::Plan, false, "x");
    let coloured = text(&plan, Mode::Plan, true, "x");
    let stripped: String = {
        let mut out = String::new();
        let mut chars = coloured.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for d in chars.by_ref() {
                    if d == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    };
    assert_eq!(stripped, plain);
    assert_ne!(coloured, plain);
}

/// `n` hubs applied, then planned again with each description changed (to the same text,
/// or with `unique`, to each its own); hubs listed in `blocked` also move their storage
/// account, those in `deletes` drop their rule.
fn fleet(n: usize, blocked: &[usize], deletes: &[usize]) -> Plan {
    fleet_with(n, blocked, deletes, false)
}

fn fleet_with(n: usize, blocked: &[usize], deletes: &[usize], unique: bool) -> Plan {
    let sub = "00000000-0000-0000-0000-000000000001";
    let manifest = |i: usize, description: &str, storage: &str, rules: &str| {
        format!(
            "apiVersion: hubctl/v1\nkind: Hub\nmetadata: {{ name: fleet-{i:04}, subscription: {sub}, resourceGroup: rg, location: eastus2 }}\nspec:\n  description: {description}\n  storageAccount: /subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/{storage}\n  network:\n    isolation: privateWithApprovedOutbound\n    outboundRules:\n      - {{ name: pypi, fqdn: pypi.org }}\n{rules}"
        )
    };
    let load = |texts: Vec<String>| {
        let named: Vec<(String, String)> =
            texts.into_iter().enumerate().map(|(i, t)| (format!("f{i}.yaml"), t)).collect();
        hubctl_spec::load_many(named.iter().map(|(p, t)| (std::path::Path::new(p), t.as_str())))
            .unwrap()
    };
    let gone = "      - { name: gone, fqdn: gone.example.com }\n";
    let options = hubctl_plan::PlanOptions {
        target: "https://arm.example".into(),
        tool_version: "test".into(),
        ..Default::default()
    };
    let first = load((0..n).map(|i| manifest(i, "Fleet hub", "sa", gone)).collect());
    let empty = hubctl_model::Live::default();
    let live = hubctl_test::simulate::apply(&empty, &hubctl_plan::plan(&first, &empty, &options));
    let second = load(
        (0..n)
            .map(|i| {
                let storage = if blocked.contains(&i) { "moved" } else { "sa" };
                let rules = if deletes.contains(&i) { "" } else { gone };
                let description = if unique {
                    format!("Fleet hub {i}, owned by the platform team")
                } else {
                    "Fleet hub, owned by the platform team".to_string()
                };
                manifest(i, &description, storage, rules)
            })
            .collect(),
    );
    hubctl_plan::plan(&second, &live, &options)
}

#[test]
fn text_groups_a_change_shared_by_more_than_a_handful_of_hubs() {
    insta::assert_snapshot!(text(&fleet(8, &[], &[]), Mode::Plan, false, "https://arm.example"));
}

#[test]
fn markdown_groups_identical_changes_snapshot() {
    insta::assert_snapshot!(markdown(&fleet(8, &[3], &[5]), Mode::Plan, review::DEFAULT_MAX_CHARS));
}

#[test]
fn markdown_cut_to_a_budget_snapshot() {
    // A budget too small for the table and the hubs' details: they are cut and the last
    // line says what was left out; the blocked change and the delete stay in full.
    let plan = fleet_with(8, &[3], &[5], true);
    let md = markdown(&plan, Mode::Plan, 2_300);
    assert!(md.chars().count() <= 2_300);
    insta::assert_snapshot!(md);
}

#[test]
fn a_thousand_hubs_with_one_change_fit_a_github_comment_with_every_name() {
    let plan = fleet(1000, &[], &[]);
    let md = markdown(&plan, Mode::Plan, review::DEFAULT_MAX_CHARS);
    assert!(md.chars().count() <= review::DEFAULT_MAX_CHARS, "{} chars", md.chars().count());
    assert_eq!(md.matches("on <b>1000 hubs</b>").count(), 1, "the change is shown once");
    for i in 0..1000 {
        assert!(md.contains(&format!("`fleet-{i:04}`")), "fleet-{i:04} is named");
    }
}

#[test]
fn blocked_changes_and_deletes_survive_any_budget() {
    let plan = fleet(1000, &[17], &[100, 900]);
    for budget in [review::DEFAULT_MAX_CHARS, 5_000] {
        let md = markdown(&plan, Mode::Plan, budget);
        assert!(md.chars().count() <= review::DEFAULT_MAX_CHARS);
        assert!(md.contains("- **fleet-0017** `spec.storageAccount`"), "{md}");
        assert!(md.contains("**Remedy:**"));
        assert!(md.contains("delete outbound rule **fleet-0100/gone**"));
        assert!(md.contains("delete outbound rule **fleet-0900/gone**"));
        assert!(md.contains("**Plan: 0 to add, 999 to change, 2 to destroy, 1 blocked.**"), "{md}");
    }
    let tight = markdown(&plan, Mode::Plan, 5_000);
    assert!(tight.contains("_Left out to stay under 5000 characters:"), "{tight}");
    assert!(tight.contains("… and "), "the group's names are cut with a count");
}

/// The locked-down example applied, then the service turns HBI on (as it does with a
/// customer-managed key) and the manifest changes in a way Azure does not see: a record-only
/// update and the HBI note.
fn service_and_record() -> Plan {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/hubs/locked-down.yaml"),
    )
    .unwrap()
    .replace("highBusinessImpact: true", "highBusinessImpact: false");
    let desired = hubctl_spec::load_str(std::path::Path::new("locked-down.yaml"), &text).unwrap();
    let options = hubctl_plan::PlanOptions {
        target: "https://arm.example".into(),
        tool_version: "test".into(),
        ..Default::default()
    };
    let empty = hubctl_model::Live::default();
    let mut live =
        hubctl_test::simulate::apply(&empty, &hubctl_plan::plan(&desired, &empty, &options));
    for hub in live.hubs.values_mut() {
        hub.workspace.properties.hbi_workspace = Some(true);
    }
    let edited = text.replace("exclusive: false", "exclusive: true");
    let desired = hubctl_spec::load_str(std::path::Path::new("locked-down.yaml"), &edited).unwrap();
    hubctl_plan::plan(&desired, &live, &options)
}

#[test]
fn a_record_only_update_and_a_service_override_read_as_such() {
    let plan = service_and_record();
    insta::assert_snapshot!(text(&plan, Mode::Plan, false, "https://arm.example"));
    insta::assert_snapshot!(markdown(&plan, Mode::Plan, review::DEFAULT_MAX_CHARS));
}

#[test]
fn ids_are_shortened_for_people_unless_that_hides_the_difference() {
    let id = |rg: &str, name: &str| {
        format!(
            "/subscriptions/s/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{name}"
        )
    };
    let change = |before: String, after: String| FieldChange {
        field: "spec.storageAccount".into(),
        before: Some(serde_json::json!(before)),
        after: Some(serde_json::json!(after)),
    };
    let short = values(&change(id("rg", "a"), id("rg", "b")));
    assert_eq!(
        short,
        ("\"…/storageAccounts/a\"".to_string(), "\"…/storageAccounts/b\"".to_string())
    );
    // Same name in another resource group: shown whole, or the line would read "a → a".
    let (before, after) = values(&change(id("rg1", "a"), id("rg2", "a")));
    assert!(before.contains("rg1") && after.contains("rg2"), "{before} {after}");
}

/// The locked-down example planned on an empty cloud: every create lists every setting its
/// manifest sets (defaults included), nested as in the manifest.
fn locked_down_create() -> Plan {
    let text = include_str!("../../../../examples/hubs/locked-down.yaml");
    let desired = hubctl_spec::load_str(std::path::Path::new("locked-down.yaml"), text).unwrap();
    let options = hubctl_plan::PlanOptions {
        target: "https://arm.example".into(),
        tool_version: "test".into(),
        ..Default::default()
    };
    hubctl_plan::plan(&desired, &hubctl_model::Live::default(), &options)
}

#[test]
fn a_create_shows_every_setting_in_text_markdown_and_json() {
    let plan = locked_down_create();
    insta::assert_snapshot!(
        "locked_down_create_text",
        text(&plan, Mode::Plan, false, "https://arm.example")
    );
    insta::assert_snapshot!("locked_down_create_markdown", markdown(&plan, Mode::Plan, 100_000));
    let hub = plan.changes.iter().find(|c| c.kind == ResourceKind::Hub).unwrap();
    let fields: Vec<String> =
        hub.fields.iter().map(|f| format!("{} = {}", f.field, f.after.as_ref().unwrap())).collect();
    insta::assert_snapshot!("locked_down_create_json_fields", fields.join("\n"));
    // The JSON plan keeps ids whole.
    let json = json(&plan);
    assert!(json.contains("\"spec.storageAccount\""), "{json}");
    assert!(json.contains("/providers/Microsoft.Storage/storageAccounts/contosohubsa\""));
}
