//! Quota at plan time: the deployments a run creates or grows, summed per subscription,
//! region, SKU and model, against what the subscription's usages say is free (one list per
//! subscription and region, read by the inventory). What would not fit is blocked with the
//! figures — never an apply that fails half-way on `InsufficientQuota`.
//!
//! The quota's name is `OpenAI.<SKU>.<model>` ([`hubctl_model::quota_name`], inferred from the
//! service's message; NOTES-foundry.md §8); a model whose quota is not listed is a warning
//! ("quota unknown"), never taken as free. Creates and increases are counted in plan order, so
//! the first ones that fit go through and the rest are blocked; decreases and deletes are not
//! counted (the free capacity they leave is not taken for granted).

use std::collections::BTreeMap;

use hubctl_model::{Live, quota_name};
use hubctl_spec::Desired;
use serde_json::json;

use crate::change::{Action, Change, FieldChange, ResourceKind, Warning};
use crate::reasons::{Reason, WarningKind};

/// What a deployment change asks of a quota: (quota key, its name, capacity asked). A
/// deployment planned as two changes (its capacity, then its other settings) asks once: what
/// the first already took is its `old` for the second. A move to another SKU asks the whole
/// capacity of the new SKU's quota.
fn asked(
    change: &Change,
    regions: &BTreeMap<String, String>,
    held: &mut BTreeMap<String, u64>,
) -> Option<(String, String, u64)> {
    if change.kind != ResourceKind::Deployment
        || !matches!(change.action, Action::Create | Action::Update)
    {
        return None;
    }
    let after = change.after.as_ref()?;
    let new = after["sku"]["capacity"].as_u64()?;
    let before = change.before.as_ref();
    let sku =
        after["sku"]["name"].as_str().or_else(|| before.and_then(|b| b["sku"]["name"].as_str()))?;
    let same_sku =
        before.and_then(|b| b["sku"]["name"].as_str()).is_some_and(|s| s.eq_ignore_ascii_case(sku));
    let live = before.filter(|_| same_sku).and_then(|b| b["sku"]["capacity"].as_u64()).unwrap_or(0);
    let old = held.get(change.resource.key()).copied().unwrap_or(live);
    held.insert(change.resource.key().to_string(), new.max(old));
    let model = after["properties"]["model"]["name"]
        .as_str()
        .or_else(|| before.and_then(|b| b["properties"]["model"]["name"].as_str()))?;
    let region = regions.get(change.hub.as_str())?;
    let sub = change.resource.subscription()?.to_ascii_lowercase();
    let name = quota_name(sku, model);
    (new > old).then(|| (format!("{sub}/{region}"), name, new - old))
}

/// Block the deployment changes that would exceed their quota; warn where it is unknown.
pub(crate) fn check(
    changes: &mut [Change],
    warnings: &mut Vec<Warning>,
    desired: &Desired,
    live: &Live,
) {
    // The account's region, by its id key.
    let regions: BTreeMap<String, String> = desired
        .foundries
        .iter()
        .filter(|f| !f.spec.deployments.is_empty())
        .map(|f| {
            let region = f.metadata.location.replace(' ', "").to_ascii_lowercase();
            (hubctl_model::id_key(&f.arm_id()), region)
        })
        .collect();
    let mut taken: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut held: BTreeMap<String, u64> = BTreeMap::new();
    for change in changes.iter_mut() {
        let Some((at, name, more)) = asked(change, &regions, &mut held) else { continue };
        let usage = live
            .usages
            .get(&at)
            .and_then(|list| list.iter().find(|u| u.name.value.eq_ignore_ascii_case(&name)));
        let Some(usage) = usage else {
            warnings.push(Warning {
                kind: WarningKind::QuotaUnknown,
                resource: change.resource.to_string(),
                detail: format!("{name} in {at}"),
            });
            continue;
        };
        let (limit, used) = (usage.limit.max(0.0) as u64, usage.current_value.max(0.0) as u64);
        let before = taken.get(&(at.clone(), name.clone())).copied().unwrap_or(0);
        let free = limit.saturating_sub(used).saturating_sub(before);
        if more <= free {
            taken.insert((at, name), before + more);
            continue;
        }
        let region = at.split('/').nth(1).unwrap_or_default().to_string();
        change.action = Action::Blocked;
        change.reasons = vec![Reason::BlockedBecauseQuotaExceeded];
        change.detail = Some(format!(
            "{name} in {region}: this asks {more} more, {free} free (limit {limit}, in use {used}{})",
            if before > 0 {
                format!(", {before} taken by earlier deployments of this run")
            } else {
                String::new()
            }
        ));
        change.fields.push(FieldChange {
            field: "quota".into(),
            before: Some(json!({ "name": name, "region": region, "limit": limit, "used": used, "free": free })),
            after: Some(json!({ "asked": more })),
        });
        change.after = None;
    }
}
