//! Model quota (`Microsoft.CognitiveServices` usages), per subscription and region, from the
//! seed's `quotas`: `{ location, name: OpenAI.<SkuName>.<modelName>, limit }` (NOTES §8: the
//! usage names are inferred from the `InsufficientQuota` message, NOTES §4). A quota's
//! `currentValue` is the sum of `sku.capacity` of every deployment of that SKU and model on
//! the subscription's accounts in that region — soft-deleted accounts' included, since their
//! deployments are only released by a purge (NOTES §6; inferred that they hold quota). A model
//! and SKU without a seeded quota have no usage entry and are not limited (inferred; the
//! emulator cannot know the real limits, and hubctl must treat a missing entry as "quota
//! unknown", NOTES §8).
//!
//! A deployment write that would take a quota's `currentValue` over its `limit` is refused
//! 400 `InsufficientQuota` with the service's message (NOTES §4: Azure/business-process-
//! automation #276; microsoft/PubSec-Info-Assistant #880), nothing changed.

use serde_json::{Value, json};

use super::*;
use crate::seed::SeedQuota;
use crate::state::Quota;

/// The seed's quotas, checked: names `OpenAI.<SkuName>.<modelName>`.
pub(crate) fn seeded_quotas(sub: &str, quotas: &[SeedQuota]) -> Result<Vec<Quota>, String> {
    quotas
        .iter()
        .map(|q| {
            if parts(&q.name).is_none() {
                return Err(format!(
                    "quota '{}' of subscription {sub} is not named OpenAI.<SkuName>.<modelName>",
                    q.name
                ));
            }
            if region(&q.location).is_empty() {
                return Err(format!("quota '{}' of subscription {sub} has no location", q.name));
            }
            Ok(Quota { location: q.location.clone(), name: q.name.clone(), limit: q.limit })
        })
        .collect()
}

/// `(sku, model)` of a usage name `OpenAI.<SkuName>.<modelName>` (a model name may hold
/// dots, e.g. `gpt-4.1`).
fn parts(name: &str) -> Option<(&str, &str)> {
    let mut split = name.splitn(3, '.');
    let (Some(prefix), Some(sku), Some(model)) = (split.next(), split.next(), split.next()) else {
        return None;
    };
    (eq(prefix, "OpenAI") && !sku.is_empty() && !model.is_empty()).then_some((sku, model))
}

/// The capacity a deployment holds: `sku.capacity` (the emulator stores 1 when none was sent).
pub(crate) fn capacity(deployment: &Value) -> u64 {
    deployment["sku"]["capacity"].as_u64().unwrap_or(1)
}

fn sku_and_model(deployment: &Value) -> (&str, &str) {
    (
        deployment["sku"]["name"].as_str().unwrap_or_default(),
        deployment["properties"]["model"]["name"].as_str().unwrap_or_default(),
    )
}

/// Whether a key is a deployment's; then the key of its account.
pub(crate) fn deployment_account(key: &str) -> Option<String> {
    let parts: Vec<&str> = key.split('/').filter(|s| !s.is_empty()).collect();
    let is = parts.len() == 10
        && parts[0] == "subscriptions"
        && parts[2] == "resourcegroups"
        && parts[5] == "microsoft.cognitiveservices"
        && parts[6] == "accounts"
        && parts[8] == "deployments";
    is.then(|| format!("/{}", parts[..8].join("/")))
}

/// The quota's usage: capacity held by the subscription's deployments of `sku` and `model`
/// in `location`, live or on soft-deleted accounts, but for the one at `except`.
fn used(state: &State, sub: &str, location: &str, sku: &str, model: &str, except: &str) -> u64 {
    let prefix = format!("/subscriptions/{}/", sub.to_ascii_lowercase());
    let wanted = region(location);
    let count = |resources: &std::collections::BTreeMap<String, Value>| -> u64 {
        resources
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(k, _)| *k != except)
            .filter_map(|(k, d)| {
                let account = resources.get(&deployment_account(k)?)?;
                let (s, m) = sku_and_model(d);
                (region(account["location"].as_str().unwrap_or_default()) == wanted
                    && eq(s, sku)
                    && eq(m, model))
                .then(|| capacity(d))
            })
            .fold(0, u64::saturating_add)
    };
    state
        .deleted_accounts
        .values()
        .map(|d| count(&d.resources))
        .fold(count(&state.resources), u64::saturating_add)
}

fn quotas_in<'a>(state: &'a State, sub: &str, location: &str) -> Vec<&'a Quota> {
    let wanted = region(location);
    state
        .subscriptions
        .get(&sub.to_ascii_lowercase())
        .map(|s| s.quotas.iter().filter(|q| region(&q.location) == wanted).collect())
        .unwrap_or_default()
}

fn localized(model: &str) -> String {
    format!("Tokens Per Minute (thousands) - {model}")
}

/// The model quota entries of `GET ~sub/locations/{loc}/usages` (DESC `Usage`).
pub(crate) fn usages(state: &State, sub: &str, location: &str) -> Vec<Value> {
    quotas_in(state, sub, location)
        .into_iter()
        .filter_map(|q| {
            let (sku, model) = parts(&q.name)?;
            Some(json!({
                "name": { "value": q.name, "localizedValue": localized(model) },
                "currentValue": used(state, sub, location, sku, model, ""),
                "limit": q.limit,
                "unit": "Count",
            }))
        })
        .collect()
}

/// What the quota of `sku` and `model` in `location` leaves, when one is seeded.
pub(crate) fn available(
    state: &State,
    sub: &str,
    location: &str,
    sku: &str,
    model: &str,
) -> Option<u64> {
    let quota = quotas_in(state, sub, location)
        .into_iter()
        .find(|q| parts(&q.name).is_some_and(|(s, m)| eq(s, sku) && eq(m, model)))?;
    Some(quota.limit.saturating_sub(used(state, sub, location, sku, model, "")))
}

/// Refuse a deployment write (`new`, at `key`, replacing `old`) that would take its quota over
/// the limit. A write that holds no more capacity than before is never refused.
pub(crate) fn check(
    state: &State,
    sub: &str,
    location: &str,
    key: &str,
    old: Option<&Value>,
    new: &Value,
) -> Result<(), ArmError> {
    let (sku, model) = sku_and_model(new);
    let Some(quota) = quotas_in(state, sub, location)
        .into_iter()
        .find(|q| parts(&q.name).is_some_and(|(s, m)| eq(s, sku) && eq(m, model)))
    else {
        return Ok(());
    };
    let held = old.filter(|o| {
        let (s, m) = sku_and_model(o);
        eq(s, sku) && eq(m, model)
    });
    let held = held.map(capacity).unwrap_or(0);
    let usage = used(state, sub, location, sku, model, key).saturating_add(held);
    let wanted = capacity(new);
    if wanted <= held || usage.saturating_add(wanted - held) <= quota.limit {
        return Ok(());
    }
    let needed = wanted - held;
    let available = i128::from(quota.limit) - i128::from(usage);
    let quota_model = parts(&quota.name).map(|(_, m)| m).unwrap_or(model);
    Err(ArmError::bad_request(
        "InsufficientQuota",
        format!(
            "This operation require {needed} new capacity in quota {}, which is bigger than the current available capacity {available}. The current quota usage is {usage} and the quota limit is {} for quota {}.",
            localized(quota_model),
            quota.limit,
            quota.name
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_names_split_at_the_first_two_dots() {
        assert_eq!(parts("OpenAI.GlobalStandard.gpt-4.1"), Some(("GlobalStandard", "gpt-4.1")));
        assert_eq!(parts("openai.Standard.ada"), Some(("Standard", "ada")));
        assert_eq!(parts("OpenAI.Standard"), None);
        assert_eq!(parts("Other.Standard.ada"), None);
        assert_eq!(parts("OpenAI..ada"), None);
    }

    #[test]
    fn deployment_keys_name_their_account() {
        let a =
            "/subscriptions/s/resourcegroups/r/providers/microsoft.cognitiveservices/accounts/a";
        assert_eq!(deployment_account(&format!("{a}/deployments/d")), Some(a.to_string()));
        assert_eq!(deployment_account(&format!("{a}/projects/d")), None);
        assert_eq!(deployment_account(a), None);
    }
}
