//! How a plan looks to a person (text, with colour on a terminal), to a pull request
//! (markdown: summary table first, blocked changes explained, details folded) and to a
//! program (JSON, `formatVersion: 1`, schemas/plan.schema.json). Meaning never depends on
//! colour: every line also carries its symbol.

use std::collections::BTreeMap;

use hubctl_model::ArmId;
use hubctl_plan::{Action, Change, Classification, FieldChange, Plan, ResourceKind};

use crate::review;
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

pub(crate) fn symbol(action: Action) -> &'static str {
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

pub(crate) fn verb(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "delete",
        Action::NoOp => "keep",
        Action::Blocked => "blocked",
    }
}

pub(crate) fn noun(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::Hub => "hub",
        ResourceKind::ManagedNetwork => "managed network",
        ResourceKind::OutboundRule => "outbound rule",
        ResourceKind::Connection => "connection",
        ResourceKind::Project => "project",
        ResourceKind::RoleAssignment => "role assignment",
        ResourceKind::Account => "Foundry resource",
        ResourceKind::DeletedAccount => "deleted Foundry resource",
        ResourceKind::AccountProject => "project",
        ResourceKind::AccountConnection | ResourceKind::ProjectConnection => "connection",
        ResourceKind::ContentFilter => "content filter",
        ResourceKind::Deployment => "deployment",
        ResourceKind::CapabilityHost => "capability host",
    }
}

pub(crate) fn value(value: &Option<Value>) -> String {
    match value {
        None => "(none)".into(),
        Some(Value::String(s)) => format!("\"{s}\""),
        Some(other) => other.to_string(),
    }
}

/// A field's two values for people: ARM ids shortened the way reviewers read them
/// (`…/storageAccounts/contosohubsa`), unless the short forms would look the same while the
/// ids differ; JSON output keeps them whole.
pub(crate) fn values(field: &FieldChange) -> (String, String) {
    let short_id = |s: &str| {
        ArmId::parse(s).ok().filter(|id| id.provider().is_some()).map(|id| {
            format!(
                "\"…/{}/{}\"",
                id.resource_type().unwrap_or_default().rsplit('/').next().unwrap_or_default(),
                id.name()
            )
        })
    };
    let short = |v: &Option<Value>| match v {
        Some(Value::String(s)) => short_id(s),
        // A list of ids (user-assigned identities): each shortened.
        Some(Value::Array(items))
            if items.iter().any(|i| i.as_str().and_then(short_id).is_some()) =>
        {
            let each: Vec<String> = items
                .iter()
                .map(|i| i.as_str().and_then(short_id).unwrap_or_else(|| i.to_string()))
                .collect();
            Some(format!("[{}]", each.join(", ")))
        }
        _ => None,
    };
    let (b, a) = (short(&field.before), short(&field.after));
    let full = (value(&field.before), value(&field.after));
    if b.is_some() && b == a {
        return full;
    }
    (b.unwrap_or(full.0), a.unwrap_or(full.1))
}

fn classification(c: Classification) -> &'static str {
    match c {
        Classification::InSync => "in sync",
        Classification::Drift => "drift",
        Classification::Pending => "pending",
        Classification::Orphaned => "manifest removed",
        Classification::NotAdopted => "not adopted: drift and pending cannot be told apart",
    }
}

fn summary_line(plan: &Plan) -> String {
    let c = plan.counts();
    let record = match c.record {
        0 => String::new(),
        n => format!(" {n} update(s) of hubctl's own records only, no setting changes."),
    };
    format!(
        "Plan: {} to add, {} to change, {} to destroy, {} blocked.{record}",
        c.add, c.change, c.destroy, c.blocked
    )
}

fn field_lines(field: &FieldChange) -> String {
    let (before, after) = values(field);
    // One line when short, or when there is only one side: `+ value` set, `- value` unset.
    match (&field.before, &field.after) {
        (None, Some(_)) => return format!("{}: + {after}", field.field),
        (Some(_), None) => return format!("{}: - {before}", field.field),
        _ if before.len() + after.len() < 100 => {
            return format!("{}: {before} → {after}", field.field);
        }
        _ => {}
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

/// A field path's segments: split at dots, except inside `[…]` (a principal such as
/// `user:alice@contoso.com`) and after `tags` (a tag key may hold dots).
fn segments(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    for c in path.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '.' if depth == 0 && out.last().is_none_or(|l: &String| l != "tags") => {
                out.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    out.push(current);
    out
}

/// The settings of a create, nested as in the manifest: the path all its fields share is the
/// headline's, so only what is below it is written.
fn created_block(change: &Change, fields: &[&FieldChange]) -> String {
    let paths: Vec<Vec<String>> = fields.iter().map(|f| segments(&f.field)).collect();
    let shortest = paths.iter().map(Vec::len).min().unwrap_or(0);
    let mut common = 0;
    while common + 1 < shortest && paths.iter().all(|p| p[common] == paths[0][common]) {
        common += 1;
    }
    // …but only down to the resource itself (`outboundRules.x`, `assignments[p]`): what is
    // below it (`serviceTag:`) is part of its settings.
    let name = change.resource.name();
    if let Some(at) =
        paths[0][..common].iter().rposition(|s| s.eq_ignore_ascii_case(name) || s.ends_with(']'))
    {
        common = at + 1;
    }
    let mut out = String::new();
    let mut open: Vec<String> = Vec::new();
    for (field, path) in fields.iter().zip(&paths) {
        let path = &path[common..];
        let (parents, leaf) = path.split_at(path.len() - 1);
        let same = open.iter().zip(parents).take_while(|(a, b)| a == b).count();
        open.truncate(same);
        for parent in &parents[same..] {
            out.push_str(&format!("      {}{parent}:\n", "  ".repeat(open.len())));
            open.push(parent.clone());
        }
        let (_, after) = values(field);
        out.push_str(&format!("      {}{}: {after}\n", "  ".repeat(open.len()), leaf[0]));
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

/// "2 hub(s)", or with Foundry resources "2 hub(s) and 1 Foundry resource(s)" (told apart by
/// their ids' provider).
fn what_is_planned(plan: &Plan) -> String {
    let foundries =
        plan.hubs.keys().filter(|k| k.contains("/microsoft.cognitiveservices/accounts/")).count();
    let hubs = plan.hubs.len() - foundries;
    match foundries {
        0 => format!("{hubs} hub(s)"),
        n => format!("{hubs} hub(s) and {n} Foundry resource(s)"),
    }
}

fn hub_name<'a>(plan: &'a Plan, key: &'a str) -> &'a str {
    // Every hub a change or warning names has a summary; a key is shown as it is otherwise.
    plan.hubs.get(key).map_or(key, |h| h.name.as_str())
}

/// The text form.
pub fn text(plan: &Plan, mode: Mode, color: bool, target: &str) -> String {
    let style = Style { color };
    let mut out = String::new();
    let title = if mode == Mode::Plan { "Plan" } else { "Drift report" };
    out.push_str(&format!("{title} for {} against {target}\n", what_is_planned(plan)));
    if plan.has_changes() {
        out.push_str(&format!("{}\n", summary_line(plan)));
    }
    let groups = review::groups(plan, review::TEXT_GROUP_MIN + 1);
    let shared = review::shared_headlines(&groups);
    if !groups.is_empty() {
        out.push_str(&format!("\n{}\n", style.paint("1", "Shared by several hubs")));
        for group in &groups {
            out.push_str(&format!(
                "  {}\n      on {}: {}\n",
                style.paint(color_of(group.action), &group.headline()),
                review::plural(group.members.len(), group.noun),
                group.members.join(", ")
            ));
        }
    }
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
                "{} {} {} {}{}",
                symbol(change.action),
                verb(change.action),
                noun(change.kind),
                change.display,
                change.record_note().map(|n| format!(": {n}")).unwrap_or_default()
            );
            let own: Vec<&FieldChange> =
                change.fields.iter().filter(|f| !review::in_group(change, f, &shared)).collect();
            let note = if own.len() < change.fields.len() { " (shared changes above)" } else { "" };
            if change.action == Action::Create && !own.is_empty() {
                // A create reads as the manifest would: its settings nested, `{ … }` around.
                let head = format!("{head} {{");
                out.push_str(&format!("  {}{note}\n", style.paint(color_of(change.action), &head)));
                out.push_str(&created_block(change, &own));
                out.push_str("    }\n");
                continue;
            }
            out.push_str(&format!("  {}{note}\n", style.paint(color_of(change.action), &head)));
            for field in own {
                for line in field_lines(field).lines() {
                    out.push_str(&format!("      {line}\n"));
                }
            }
            if let Some(mode) = delete_mode(change) {
                out.push_str(&format!("      {mode}\n"));
            }
            if change.action == Action::Blocked {
                if let Some(detail) = &change.detail {
                    out.push_str(&format!("      {detail}\n"));
                }
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
    let id = ArmId::parse(resource).ok();
    id.as_ref().and_then(|id| id.from_type("workspaces")).unwrap_or(resource).to_string()
}

/// The markdown form, for pull-request comments, within `max_chars` characters (what must be
/// shown — the summary, blocked changes and deletes — is never cut).
pub fn markdown(plan: &Plan, mode: Mode, max_chars: usize) -> String {
    let mut out = review::Budget::new(max_chars);
    out.always(if mode == Mode::Plan { "### hubctl plan\n\n" } else { "### hubctl drift\n\n" });
    // The summary table first (CONTRACT §3), then the same in words and by reason.
    let c = plan.counts();
    out.always(&format!(
        "| Add | Change | Destroy | Blocked |\n|---:|---:|---:|---:|\n| {} | {} | {} | {} |\n\n",
        c.add, c.change, c.destroy, c.blocked
    ));
    out.always(&format!("**{}**\n", summary_line(plan)));
    let reasons = review::reason_counts(plan);
    if !reasons.is_empty() {
        out.always(&format!("\nBy reason: {reasons}\n"));
    }
    in_full(
        plan,
        Action::Blocked,
        "Blocked: nothing of these hubs will be applied",
        &mut out,
        |change| {
            let fields: Vec<String> =
                change.fields.iter().map(|f| format!("`{}`", f.field)).collect();
            change
                .reasons
                .iter()
                .map(|reason| {
                    let mut line = format!(
                        "- **{}** {}: {}.",
                        change.display,
                        fields.join(", "),
                        reason.why()
                    );
                    if let Some(detail) = &change.detail {
                        line.push_str(&format!(" {}.", cell(detail)));
                    }
                    if let Some(remedy) = reason.remedy() {
                        line.push_str(&format!(" **Remedy:** {remedy}."));
                    }
                    line
                })
                .collect()
        },
    );
    in_full(plan, Action::Delete, "Deletes", &mut out, |change| {
        let why: Vec<&str> = change.reasons.iter().map(|r| r.why()).collect();
        let mode = delete_mode(change).map(|m| format!(" — {m}")).unwrap_or_default();
        vec![format!(
            "- `-` delete {} **{}**: {}{mode}",
            noun(change.kind),
            cell(&change.display),
            cell(&why.join("; "))
        )]
    });
    let groups = review::groups(plan, 2);
    let shared = review::shared_headlines(&groups);
    let mut cut_groups = 0;
    if !groups.is_empty() && out.fits("\n#### Changes shared by several hubs\n\n") {
        for group in &groups {
            let block = review::group_markdown(group, out.left());
            if !out.fits(&block) {
                cut_groups += 1;
            }
        }
    } else {
        cut_groups = groups.len();
    }
    let hubs = by_hub(plan);
    let mut table = String::from(
        "| Hub | Status | Add | Change | Destroy | Blocked |\n|---|---|---:|---:|---:|---:|\n",
    );
    for (key, changes) in &hubs {
        // A record-only update is hubctl's bookkeeping, not a change of the hub.
        let count =
            |a: Action| changes.iter().filter(|c| c.action == a && !c.is_record_only()).count();
        let status =
            plan.hubs.get(*key).map(|h| classification(h.classification)).unwrap_or("pending");
        table.push_str(&format!(
            "| `{}` | {status} | {} | {} | {} | {} |\n",
            hub_name(plan, key),
            count(Action::Create),
            count(Action::Update),
            count(Action::Delete),
            count(Action::Blocked)
        ));
    }
    let table = if hubs.len() > 20 {
        format!("\n<details><summary>All {} hubs</summary>\n\n{table}\n</details>\n", hubs.len())
    } else {
        format!("\n{table}")
    };
    let table_cut = !out.fits(&table);
    let mut cut_hubs = 0;
    for (key, changes) in &hubs {
        let block = hub_details(plan, key, changes, &shared);
        if block.is_empty() {
            continue;
        }
        if cut_hubs > 0 || !out.fits(&block) {
            cut_hubs += 1;
        }
    }
    let mut cut_warnings = 0;
    if !plan.warnings.is_empty() && out.fits("\n#### Warnings\n\n") {
        for warning in &plan.warnings {
            let detail = if warning.detail.is_empty() {
                String::new()
            } else {
                format!(" ({})", cell(&warning.detail))
            };
            let line =
                format!("- `{}`: {}{detail}\n", short(&warning.resource), warning.kind.text());
            if cut_warnings > 0 || !out.fits(&line) {
                cut_warnings += 1;
            }
        }
    } else {
        cut_warnings = plan.warnings.len();
    }
    let mut left_out = Vec::new();
    if cut_groups > 0 {
        left_out.push(review::plural(cut_groups, "shared change"));
    }
    if table_cut {
        left_out.push("the table of hubs".to_string());
    }
    if cut_hubs > 0 {
        left_out.push(format!("{}' details", review::plural(cut_hubs, "hub")));
    }
    if cut_warnings > 0 {
        left_out.push(review::plural(cut_warnings, "warning"));
    }
    if !left_out.is_empty() {
        out.always(&format!(
            "\n_Left out to stay under {max_chars} characters: {}. The JSON plan has every change (`hubctl plan --format json`; the CI recipes upload it as an artifact and link it)._\n",
            left_out.join(", ")
        ));
    }
    out.finish()
}

/// For a workspace or Foundry resource delete: whether it is the service's soft delete or a
/// purge.
fn delete_mode(change: &Change) -> Option<&'static str> {
    if change.action != Action::Delete {
        return None;
    }
    match change.kind {
        ResourceKind::Hub | ResourceKind::Project => {}
        ResourceKind::Account => {
            let purge = change.after.as_ref().is_some_and(|a| a["purge"] == true);
            return Some(if purge {
                "deleted, then purged: permanent, the name and subdomain free at once"
            } else {
                "soft delete: recoverable for 48 hours (--recover-deleted), the name and subdomain taken until then (--purge deletes for good)"
            });
        }
        ResourceKind::DeletedAccount => {
            return Some("purge of the soft-deleted one: permanent, then created anew");
        }
        _ => return None,
    }
    let purge = change.after.as_ref().is_some_and(|a| a["forceToPurge"] == true);
    Some(if purge {
        "purge: permanent, and the name is free at once"
    } else {
        "soft delete: recoverable for up to 14 days, and the name stays taken until then (--purge deletes for good)"
    })
}

/// A section of every change with `action`, never cut (blocked changes and deletes).
fn in_full(
    plan: &Plan,
    action: Action,
    heading: &str,
    out: &mut review::Budget,
    lines: impl Fn(&Change) -> Vec<String>,
) {
    let mut changes = plan.changes.iter().filter(|c| c.action == action).peekable();
    if changes.peek().is_none() {
        return;
    }
    out.always(&format!("\n#### {heading}\n\n"));
    for change in changes {
        for line in lines(change) {
            out.always(&format!("{line}\n"));
        }
    }
}

/// One hub's changes that are not shown elsewhere (blocked, deletes and shared field changes
/// are), folded; empty when there are none.
fn hub_details(
    plan: &Plan,
    key: &str,
    changes: &[&Change],
    shared: &std::collections::BTreeSet<String>,
) -> String {
    let mut rows = String::new();
    let mut count = 0;
    for change in changes.iter().filter(|c| matches!(c.action, Action::Create | Action::Update)) {
        let resource = format!("{} {}", noun(change.kind), change.display);
        let own: Vec<&FieldChange> =
            change.fields.iter().filter(|f| !review::in_group(change, f, shared)).collect();
        if own.is_empty() && !change.fields.is_empty() {
            continue;
        }
        count += 1;
        if own.is_empty() {
            let note = change.record_note().map(|n| format!(" {n} ")).unwrap_or(" ".into());
            let (symbol, resource) = (symbol(change.action), cell(&resource));
            rows.push_str(&format!("| {symbol} | {resource} |{note}| | |\n"));
        }
        for field in own {
            rows.push_str(&format!(
                "| {} | {} | `{}` | {} | {} |\n",
                symbol(change.action),
                cell(&resource),
                field.field,
                cell(&values(field).0),
                cell(&values(field).1)
            ));
        }
    }
    if count == 0 {
        return String::new();
    }
    format!(
        "\n<details><summary><code>{}</code>: {count} change(s)</summary>\n\n| | Resource | Field | Before | After |\n|---|---|---|---|---|\n{rows}\n</details>\n",
        hub_name(plan, key)
    )
}

pub(crate) fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The JSON form: the plan itself.
pub fn json(plan: &Plan) -> String {
    hubctl_plan::saved::to_text(plan)
}

#[cfg(test)]
mod tests;
