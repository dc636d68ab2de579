//! A plan a reviewer can read at fleet scale: the same field change on many hubs shown once,
//! a summary first, and pull-request comments that fit their host's size limit.
//!
//! Why: when a platform team changes one setting across its fleet, a plan lists the same row
//! once per hub — 300 hubs made a 90,760-character markdown comment, and GitHub refuses a
//! comment body over 65,536 characters (the Terraform plan actions truncate for the same
//! reason, e.g. cds-snc/terraform-plan PR #61). So identical changes (same action, resource
//! kind, field, before and after) are grouped with their hubs folded under them; blocked
//! changes and deletes are always shown in full right after the summary; and markdown keeps a
//! budget (`--max-chars`): what still does not fit is cut per hub, in a stable order, with a
//! last line saying how much was left out and where to see it. The JSON plan is never grouped.

use std::collections::BTreeMap;

use hubctl_plan::{Action, Change, FieldChange, Plan};

use crate::render::{noun, symbol, value, verb};

/// GitHub refuses comment bodies over 65,536 characters; the default leaves headroom for the
/// recipes' own lines around the plan.
pub const DEFAULT_MAX_CHARS: usize = 60_000;

/// In text, a change is shown once for all hubs when more than this many share it.
pub const TEXT_GROUP_MIN: usize = 5;

/// One field change shared by several resources.
pub struct Group<'a> {
    /// What is done.
    pub action: Action,
    /// `hub`, `project`, …
    pub noun: &'static str,
    /// The field, before and after.
    pub field: &'a FieldChange,
    /// The resources it happens on (their display names), in plan order.
    pub members: Vec<&'a str>,
}

impl Group<'_> {
    /// `~ update hub spec.description: "old" → "new"`.
    pub fn headline(&self) -> String {
        format!(
            "{} {} {} {}: {} → {}",
            symbol(self.action),
            verb(self.action),
            self.noun,
            self.field.field,
            value(&self.field.before),
            value(&self.field.after)
        )
    }
}

/// Whether a change may be grouped: blocked changes and deletes are always shown in full.
fn groupable(change: &Change) -> bool {
    matches!(change.action, Action::Create | Action::Update)
}

/// Field changes shared by at least `min` resources, largest first (ties by headline).
pub fn groups(plan: &Plan, min: usize) -> Vec<Group<'_>> {
    let mut by_key: BTreeMap<String, Group<'_>> = BTreeMap::new();
    for change in plan.changes.iter().filter(|c| groupable(c)) {
        for field in &change.fields {
            let group = Group {
                action: change.action,
                noun: noun(change.kind),
                field,
                members: Vec::new(),
            };
            by_key.entry(group.headline()).or_insert(group).members.push(&change.display);
        }
    }
    let mut shared: Vec<Group<'_>> =
        by_key.into_values().filter(|g| g.members.len() >= min.max(2)).collect();
    shared.sort_by(|a, b| {
        b.members.len().cmp(&a.members.len()).then(a.headline().cmp(&b.headline()))
    });
    shared
}

/// The headlines of the shared groups, to leave their fields out of per-hub listings.
pub fn shared_headlines(groups: &[Group<'_>]) -> std::collections::BTreeSet<String> {
    groups.iter().map(Group::headline).collect()
}

/// Whether a field of `change` is shown in a shared group rather than under its hub.
pub fn in_group(
    change: &Change,
    field: &FieldChange,
    shared: &std::collections::BTreeSet<String>,
) -> bool {
    groupable(change)
        && shared.contains(
            &Group { action: change.action, noun: noun(change.kind), field, members: Vec::new() }
                .headline(),
        )
}

/// Counts by reason, for the summary: `UpdateBecauseFieldsChanged ×997, …`.
pub fn reason_counts(plan: &Plan) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for change in plan.changes.iter().filter(|c| c.action != Action::NoOp) {
        for reason in &change.reasons {
            *counts.entry(format!("{reason:?}")).or_default() += 1;
        }
    }
    counts.iter().map(|(r, n)| format!("`{r}` ×{n}")).collect::<Vec<_>>().join(", ")
}

/// Markdown text built section by section against a budget of characters.
pub struct Budget {
    out: String,
    /// Characters in `out` (kept, not recounted).
    chars: usize,
    max: usize,
    /// Room kept for the closing line.
    reserve: usize,
}

impl Budget {
    /// An empty text with room for `max` characters.
    pub fn new(max: usize) -> Budget {
        Budget { out: String::new(), chars: 0, max, reserve: 400 }
    }
    /// Add text that must be shown whatever its size.
    pub fn always(&mut self, text: &str) {
        self.out.push_str(text);
        self.chars += text.chars().count();
    }
    /// Add text if it fits; whether it did.
    pub fn fits(&mut self, text: &str) -> bool {
        let count = text.chars().count();
        if self.chars + count + self.reserve > self.max {
            return false;
        }
        self.out.push_str(text);
        self.chars += count;
        true
    }
    /// Characters left before the reserve.
    pub fn left(&self) -> usize {
        self.max.saturating_sub(self.chars + self.reserve)
    }
    /// The text.
    pub fn finish(self) -> String {
        self.out
    }
}

/// A group as a folded markdown block listing every member; when the members do not fit in
/// `room` characters, as many as fit and a count of the rest.
pub fn group_markdown(group: &Group<'_>, room: usize) -> String {
    let head = format!(
        "<details><summary><code>{}</code> on <b>{}</b></summary>\n\n",
        crate::render::cell(&group.headline()),
        plural(group.members.len(), &format!("{} ", group.noun))
    );
    let tail = "\n\n</details>\n";
    let mut names = String::new();
    for (shown, member) in group.members.iter().enumerate() {
        let item = if shown == 0 { format!("`{member}`") } else { format!(", `{member}`") };
        let rest = group.members.len() - shown - 1;
        let more = if rest > 0 { format!(" … and {rest} more") } else { String::new() };
        if head.len() + names.len() + item.len() + more.len() + tail.len() > room && shown > 0 {
            names.push_str(&format!(" … and {} more", group.members.len() - shown));
            break;
        }
        names.push_str(&item);
    }
    format!("{head}{names}{tail}")
}

/// `1 hub`, `997 hubs`.
pub fn plural(count: usize, noun: &str) -> String {
    let noun = noun.trim_end();
    if count == 1 { format!("1 {noun}") } else { format!("{count} {noun}s") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_refuses_what_does_not_fit_and_keeps_what_must_be_shown() {
        let mut budget = Budget::new(500);
        budget.always(&"x".repeat(50));
        assert!(budget.fits("short"));
        assert!(!budget.fits(&"y".repeat(100)), "400 are kept for the closing line");
        budget.always(&"z".repeat(1000));
        assert_eq!(budget.left(), 0);
        assert!(budget.finish().len() > 1000, "what must be shown is never cut");
    }

    #[test]
    fn plurals() {
        assert_eq!(plural(1, "hub "), "1 hub");
        assert_eq!(plural(3, "hub "), "3 hubs");
    }
}
