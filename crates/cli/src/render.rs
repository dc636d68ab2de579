//! How a plan looks to a person (text, with colour on a terminal), to a pull request
//! (markdown: summary table first, blocked changes explained, details folded) and to a
//! program (JSON, `formatVersion: 1`, schemas/plan.schema.json). Meaning never depends on
//! colour: every line also carries its symbol.

use std::collections::BTreeMap;

use hubctl_plan::{Action, Change, Classification, FieldChange, Plan, ResourceKind};
use serde_json::Value;

/// Output formats of plan and drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For programs (formatVersion 1).
    Json,
    /// For pull-request comments.
    Markdown,
}

/// What is being rendered: a plan, or a drift report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `hubctl plan`.
    Plan,
    /// `hubctl drift`.
    Drift,
}

struct Style {
    color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
}

fn symbol(action: Action) -> &'static str {
    match action {
        Action::Create => "+",
        Action::Update => "~",
        Action::Delete => "-",
        Action::NoOp => "=",
        Action::Blocked => "!",
    }
}

fn color_of(action: Action) -> &'static str {
    match action {
        Action::Create => "32",
        Action::Update => "33",
        Action::Delete => "31",
        Action::NoOp => "2",
        Action::Blocked => "1;31",
    }
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "delete",
        Action::NoOp => "keep",
        Action::Blocked => "blocked",
    }
}

fn noun(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Hub => "hub",
        ResourceKind::ManagedNetwork => "managed network",
        ResourceKind::OutboundRule => "outbound rule",
        ResourceKind::Connection => "connection",
        ResourceKind::Project => "project",
        ResourceKind::RoleAssignment => "role assignment",
    }
}

fn value(value: &Option<Value>) -> String {
    match value {
        None => "(none)".into(),
        Some(Value::String(s)) => format!("\"{s}\""),
        Some(other) => other.to_string(),
    }
}

fn classification(c: Classification) -> &'static str {
    match c {
        Classification::InSync => "in sync",
        Classification::Drift => "drift",
        Classification::Pending => "pending",
        Classification::Orphaned => "manifest removed",
    }
}

fn summary_line(plan: &Plan) -> String {
    let c = plan.counts();
    format!(
        "Plan: {} to add, {} to change, {} to destroy, {} blocked.",
        c.add, c.change, c.destroy, c.blocked
    )
}

fn field_lines(field: &FieldChange) -> String {
    let (before, after) = (value(&field.before), value(&field.after));
    // One line when short, or when there is only one side (a create or a delete).
    if before.len() + after.len() < 100 || field.before.is_none() || field.after.is_none() {
        return format!("{}: {before} → {after}", field.field);
    }
    // Long values: a line diff of their pretty forms.
    let pretty = |v: &Option<Value>| {
        v.as_ref().map(|v| serde_json::to_string_pretty(v).unwrap_or_default()).unwrap_or_default()
    };
    let (b, a) = (pretty(&field.before), pretty(&field.after));
    let diff = similar::TextDiff::from_lines(&b, &a);
    let mut out = format!("{}:", field.field);
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => "-",
            similar::ChangeTag::Insert => "+",
            similar::ChangeTag::Equal => " ",
        };
        out.push_str(&format!("\n  {sign} {}", change.value().trim_end()));
    }
    out
}

fn by_hub(plan: &Plan) -> BTreeMap<&str, Vec<&Change>> {
    let mut hubs: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
    for key in plan.hubs.keys() {
        hubs.entry(key).or_default();
    }
    for change in &plan.changes {
        hubs.entry(change.hub.as_str()).or_default().push(change);
    }
    hubs
}

fn hub_name<'a>(plan: &'a Plan, key: &'a str) -> &'a str {
    plan.hubs
        .get(key)
        .map(|h| h.name.as_str())
        .unwrap_or_else(|| key.rsplit('/').next().unwrap_or(key))
}

/// The text form.
pub fn text(plan: &Plan, mode: Mode, color: bool, target: &str) -> String {
    let style = Style { color };
    let mut out = String::new();
    let title = if mode == Mode::Plan { "Plan" } else { "Drift report" };
    out.push_str(&format!("{title} for {} hub(s) against {target}\n", plan.hubs.len()));
    for (key, changes) in by_hub(plan) {
        let status =
            plan.hubs.get(key).map(|h| classification(h.classification)).unwrap_or("pending");
        out.push_str(&format!("\n{} ({status})\n", style.paint("1", hub_name(plan, key))));
        let actionable: Vec<&&Change> =
            changes.iter().filter(|c| c.action != Action::NoOp).collect();
        if actionable.is_empty() {
            out.push_str("  no changes\n");
        }
        for change in actionable {
            let head = format!(
                "{} {} {} {}",
                symbol(change.action),
                verb(change.action),
                noun(change.kind),
                change.display
            );
            out.push_str(&format!("  {}\n", style.paint(color_of(change.action), &head)));
            for field in &change.fields {
                for line in field_lines(field).lines() {
                    out.push_str(&format!("      {line}\n"));
                }
            }
            if change.action == Action::Blocked {
                for reason in &change.reasons {
                    out.push_str(&format!("      why: {}\n", reason.why()));
                    if let Some(remedy) = reason.remedy() {
                        out.push_str(&format!("      remedy: {remedy}\n"));
                    }
                }
            } else if change.action == Action::Update
                && change.reasons.contains(&hubctl_plan::Reason::UpdateBecauseKeyVersionChanged)
            {
                out.push_str("      in place: the key rotates within its vault\n");
            }
        }
    }
    if !plan.warnings.is_empty() {
        out.push_str("\nWarnings:\n");
        for warning in &plan.warnings {
            let detail = if warning.detail.is_empty() {
                String::new()
            } else {
                format!(" ({})", warning.detail)
            };
            out.push_str(&format!(
                "  {} {}: {}{detail}\n",
                style.paint("33", "!"),
                short(&warning.resource),
                warning.kind.text()
            ));
        }
    }
    out.push('\n');
    if !plan.has_changes() {
        out.push_str("No changes: live state matches the manifests.\n");
    }
    out.push_str(&summary_line(plan));
    out.push('\n');
    out
}

fn short(resource: &str) -> String {
    let parts: Vec<&str> = resource.split('/').collect();
    match parts.iter().position(|p| p.eq_ignore_ascii_case("workspaces")) {
        Some(i) => parts[i + 1..].join("/"),
        None => resource.to_string(),
    }
}

/// The markdown form, for pull-request comments.
pub fn markdown(plan: &Plan, mode: Mode) -> String {
    let mut out = String::new();
    out.push_str(if mode == Mode::Plan { "### hubctl plan\n\n" } else { "### hubctl drift\n\n" });
    out.push_str(
        "| Hub | Status | Add | Change | Destroy | Blocked |\n|---|---|---:|---:|---:|---:|\n",
    );
    let hubs = by_hub(plan);
    for (key, changes) in &hubs {
        let count = |a: Action| changes.iter().filter(|c| c.action == a).count();
        let status =
            plan.hubs.get(*key).map(|h| classification(h.classification)).unwrap_or("pending");
        out.push_str(&format!(
            "| `{}` | {status} | {} | {} | {} | {} |\n",
            hub_name(plan, key),
            count(Action::Create),
            count(Action::Update),
            count(Action::Delete),
            count(Action::Blocked)
        ));
    }
    out.push_str(&format!("\n**{}**\n", summary_line(plan)));
    let blocked: Vec<&Change> =
        plan.changes.iter().filter(|c| c.action == Action::Blocked).collect();
    if !blocked.is_empty() {
        out.push_str("\n#### Blocked: nothing of these hubs will be applied\n\n");
        for change in blocked {
            for reason in &change.reasons {
                let fields: Vec<String> =
                    change.fields.iter().map(|f| format!("`{}`", f.field)).collect();
                out.push_str(&format!(
                    "- **{}** {}: {}.",
                    change.display,
                    fields.join(", "),
                    reason.why()
                ));
                if let Some(remedy) = reason.remedy() {
                    out.push_str(&format!(" **Remedy:** {remedy}."));
                }
                out.push('\n');
            }
        }
    }
    for (key, changes) in &hubs {
        let actionable: Vec<&&Change> =
            changes.iter().filter(|c| c.action != Action::NoOp).collect();
        if actionable.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n<details><summary><code>{}</code>: {} change(s)</summary>\n\n",
            hub_name(plan, key),
            actionable.len()
        ));
        out.push_str("| | Resource | Field | Before | After |\n|---|---|---|---|---|\n");
        for change in actionable {
            let resource = format!("{} {}", noun(change.kind), change.display);
            if change.fields.is_empty() {
                out.push_str(&format!(
                    "| {} | {} | | | |\n",
                    symbol(change.action),
                    cell(&resource)
                ));
            }
            for field in &change.fields {
                out.push_str(&format!(
                    "| {} | {} | `{}` | {} | {} |\n",
                    symbol(change.action),
                    cell(&resource),
                    field.field,
                    cell(&value(&field.before)),
                    cell(&value(&field.after))
                ));
            }
        }
        out.push_str("\n</details>\n");
    }
    if !plan.warnings.is_empty() {
        out.push_str("\n#### Warnings\n\n");
        for warning in &plan.warnings {
            let detail = if warning.detail.is_empty() {
                String::new()
            } else {
                format!(" ({})", cell(&warning.detail))
            };
            out.push_str(&format!(
                "- `{}`: {}{detail}\n",
                short(&warning.resource),
                warning.kind.text()
            ));
        }
    }
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The JSON form: the plan itself.
pub fn json(plan: &Plan) -> String {
    hubctl_plan::saved::to_text(plan)
}

#[cfg(test)]
mod tests {
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
        let live = hubctl_plan::simulate::apply(
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
        insta::assert_snapshot!(markdown(&every_action(), Mode::Plan));
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
}
