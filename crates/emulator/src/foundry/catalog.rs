//! Read-only subscription-level answers of `Microsoft.CognitiveServices`: skus, usages per
//! region (quota), models and model capacities, content-filter categories, and the subdomain
//! check, which answers from the emulator's own registry of subdomains — soft-deleted accounts
//! included (NOTES §4, §6, §8). Shapes as the 2025-06-01 examples show them; the numbers are
//! the emulator's.

use axum::http::Method;
use serde_json::{Value, json};

use super::account::{is_account_key, subdomain_taken, valid_subdomain};
use super::*;
use crate::app::{method_not_allowed, page};
use crate::error::Reply;
use crate::routes::unknown_path;

/// The models the local cloud offers, with the version a deployment gets when it names none
/// (DESC `DeploymentModel.version`: "If version is not specified, a default version will be
/// assigned"; which one is the emulator's choice, inferred) and what they do. One table, as
/// hubctl's quota check expects (NOTES §8).
pub(crate) const MODELS: &[(&str, &str, &str, Kind)] = &[
    ("OpenAI", "ada", "1", Kind::Embeddings),
    ("OpenAI", "gpt-35-turbo", "0125", Kind::Chat),
    ("OpenAI", "gpt-4", "turbo-2024-04-09", Kind::Chat),
    ("OpenAI", "gpt-4o", "2024-11-20", Kind::Chat),
    ("OpenAI", "gpt-4o-mini", "2024-07-18", Kind::Chat),
    ("OpenAI", "gpt-4.1", "2025-04-14", Kind::Chat),
    ("OpenAI", "gpt-4.1-mini", "2025-04-14", Kind::Chat),
    ("OpenAI", "gpt-4.1-nano", "2025-04-14", Kind::Chat),
    ("OpenAI", "gpt-5", "2025-08-07", Kind::Chat),
    ("OpenAI", "gpt-5-mini", "2025-08-07", Kind::Chat),
    ("OpenAI", "o1", "2024-12-17", Kind::Chat),
    ("OpenAI", "o3-mini", "2025-01-31", Kind::Chat),
    ("OpenAI", "o4-mini", "2025-04-16", Kind::Chat),
    ("OpenAI", "text-embedding-ada-002", "2", Kind::Embeddings),
    ("OpenAI", "text-embedding-3-small", "1", Kind::Embeddings),
    ("OpenAI", "text-embedding-3-large", "1", Kind::Embeddings),
    ("DeepSeek", "DeepSeek-R1", "1", Kind::Chat),
    ("Microsoft", "Phi-4", "7", Kind::Chat),
];

/// What a model does (its `capabilities`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Chat,
    Embeddings,
}

/// A model's capabilities, as the models list and a deployment's GET show them.
pub(crate) fn capabilities(kind: Kind) -> Value {
    match kind {
        Kind::Chat => {
            json!({ "chatCompletion": "true", "completion": "false", "fineTune": "false" })
        }
        Kind::Embeddings => json!({ "embeddings": "true", "fineTune": "false" }),
    }
}

/// The catalog's entry for a model, by format and name (case-insensitive).
pub(crate) fn model(format: &str, name: &str) -> Option<(&'static str, Kind)> {
    MODELS
        .iter()
        .find(|(f, n, _, _)| eq(f, format) && eq(n, name))
        .map(|(_, _, version, kind)| (*version, *kind))
}

/// The model list of an account or a region.
pub(crate) fn models() -> Vec<Value> {
    MODELS
        .iter()
        .map(|(format, name, version, kind)| {
            json!({
                "format": format, "name": name, "version": version, "maxCapacity": 1000,
                "capabilities": capabilities(*kind),
                "deprecation": { "fineTune": "2027-01-01T00:00:00Z", "inference": "2027-01-01T00:00:00Z" },
                "skus": [{ "name": "GlobalStandard", "usageName": format!("OpenAI.GlobalStandard.{name}"), "capacity": { "default": 10, "maximum": 1000 } }],
            })
        })
        .collect()
}

/// Dispatch `~sub/{rest}` for what is not an account, a deleted account or an operation.
pub(crate) fn route(
    state: &State,
    settings: &Settings,
    call: &Call,
    sub: &str,
    rest: &[String],
) -> ArmResult {
    match rest {
        [t] if eq(t, "checkDomainAvailability") => check_domain(state, call),
        _ if call.method != Method::GET => Err(method_not_allowed(call)),
        [t] if eq(t, "skus") => {
            let items = ["F0", "S0"]
                .iter()
                .map(|sku| {
                    json!({
                        "resourceType": "accounts", "name": sku, "tier": if *sku == "F0" { "Free" } else { "Standard" },
                        "kind": "AIServices", "locations": ["WESTUS"], "restrictions": [],
                    })
                })
                .collect();
            Ok(Reply::ok(page(items, settings, call, "$skipToken")))
        }
        [l, loc, u] if eq(l, "locations") && eq(u, "usages") => {
            let prefix = format!("/subscriptions/{}/", sub.to_ascii_lowercase());
            let accounts = state
                .resources
                .iter()
                .filter(|(k, v)| {
                    k.starts_with(&prefix)
                        && is_account_key(k)
                        && region(v["location"].as_str().unwrap_or_default()) == region(loc)
                })
                .count();
            let mut items = vec![json!({
                "name": { "value": "AccountCount", "localizedValue": "Cognitive Services total account limit" },
                "currentValue": accounts, "limit": 200, "unit": "Count",
            })];
            // Model quota: only what the seed sets (quota.rs).
            items.extend(super::quota::usages(state, sub, loc));
            Ok(Reply::ok(page(items, settings, call, "$skipToken")))
        }
        [l, _loc, m] if eq(l, "locations") && eq(m, "models") => {
            let items = models()
                .into_iter()
                .map(|m| json!({ "kind": "AIServices", "skuName": "S0", "model": m }))
                .collect();
            Ok(Reply::ok(page(items, settings, call, "$skipToken")))
        }
        [l, loc, m] if eq(l, "locations") && eq(m, "modelCapacities") => {
            capacities(state, settings, call, sub, Some(loc))
        }
        [m] if eq(m, "modelCapacities") => capacities(state, settings, call, sub, None),
        [l, loc, f] if eq(l, "locations") && eq(f, "raiContentFilters") => {
            let items = ["Hate", "Sexual", "Violence", "Selfharm", "Jailbreak", "Profanity"]
                .iter()
                .map(|f| content_filter(sub, loc, f))
                .collect();
            Ok(Reply::ok(page(items, settings, call, "$skipToken")))
        }
        [l, loc, f, name] if eq(l, "locations") && eq(f, "raiContentFilters") => {
            Ok(Reply::ok(content_filter(sub, loc, name)))
        }
        _ => Err(unknown_path(call)),
    }
}

fn content_filter(sub: &str, loc: &str, name: &str) -> Value {
    json!({
        "id": format!("/subscriptions/{sub}/providers/{PROVIDER}/locations/{loc}/raiContentFilters/{name}"),
        "type": "Microsoft.CognitiveServices/locations/raiContentFilters",
        "name": name,
        "properties": { "name": name, "isMultiLevelFilter": !eq(name, "Jailbreak") && !eq(name, "Profanity"), "source": "Prompt" },
    })
}

/// Model capacities (EX/ListLocationBasedModelCapacities.json): `availableCapacity` is what a
/// seeded quota leaves (limit minus usage, quota.rs), else the emulator's 1000.
fn capacities(
    state: &State,
    settings: &Settings,
    call: &Call,
    sub: &str,
    location: Option<&String>,
) -> ArmResult {
    let q = |k: &str| call.query.get(k).cloned().unwrap_or_default();
    let (format, name, version) = (q("modelFormat"), q("modelName"), q("modelVersion"));
    let location = location.cloned().unwrap_or_else(|| "westus".to_string());
    let items: Vec<Value> = MODELS
        .iter()
        .filter(|(f, n, v, _)| {
            (format.is_empty() || eq(f, &format)) && (name.is_empty() || eq(n, &name)) && (version.is_empty() || eq(v, &version))
        })
        .map(|(f, n, v, _)| {
            let available =
                super::quota::available(state, sub, &location, "GlobalStandard", n).unwrap_or(1000);
            json!({
                "id": format!("/subscriptions/{sub}/providers/{PROVIDER}/locations/{location}/models/{f}.{n}.{v}/skuCapacities/GlobalStandard"),
                "type": "Microsoft.CognitiveServices/locations/models/skuCapacities",
                "name": "GlobalStandard",
                "location": location,
                "properties": { "model": { "format": f, "name": n, "version": v }, "skuName": "GlobalStandard", "availableCapacity": available, "availableFinetuneCapacity": 0 },
            })
        })
        .collect();
    Ok(Reply::ok(page(items, settings, call, "$skipToken")))
}

/// `POST ~sub/checkDomainAvailability` with `{subdomainName, type, kind?}`.
fn check_domain(state: &State, call: &Call) -> ArmResult {
    if call.method != Method::POST {
        return Err(method_not_allowed(call));
    }
    let request = Value::Object(call.json()?);
    let Some(subdomain) = str_of(&request, "subdomainName") else {
        return Err(bad("subdomainName is required."));
    };
    let valid = valid_subdomain(subdomain);
    let taken = subdomain_taken(state, subdomain, "");
    let mut answer = json!({
        "isSubdomainAvailable": valid && !taken,
        "subdomainName": subdomain,
        "type": request["type"].as_str().unwrap_or(ACCOUNT_TYPE),
    });
    if let Some(kind) = str_of(&request, "kind") {
        answer["kind"] = json!(kind);
    }
    if !valid {
        answer["reason"] = json!(format!("Sub domain name '{subdomain}' is not valid"));
    } else if taken {
        // Wording ours.
        answer["reason"] = json!(format!(
            "Sub domain name '{subdomain}' is already used by a resource (soft-deleted resources included)."
        ));
    }
    Ok(Reply::ok(answer))
}
