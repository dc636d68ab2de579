//! The account, `Microsoft.CognitiveServices/accounts/{name}`: long-running PUT (201 create,
//! 200 replace), PATCH (202) and DELETE (202, soft), GET and the two lists; the server-set
//! fields of its body; the refusals of a change to a live account (NOTES §4); customer-managed
//! encryption's references; the global subdomain registry.
//!
//! The body is kept as written (unknown fields too) with the read-only fields the API
//! description's `AccountProperties` marks server-set filled in: `provisioningState`,
//! `endpoint`, `endpoints`, `internalId`, `dateCreated`, `capabilities`, `isMigrated`.

use axum::http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::operations::{FoundryOp, Start, account_idle, runs, start};
use super::*;
use crate::app::{merge_patch, method_not_allowed, page};
use crate::error::Reply;
use crate::resources::group_exists;
use crate::sections::{exists_as, timestamp};

/// The four identity types the description allows (`ResourceIdentityType`).
const IDENTITY_TYPES: &[&str] =
    &["None", "SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned"];

/// Whether a key is an account's (`…/providers/microsoft.cognitiveservices/accounts/{name}`).
pub(crate) fn is_account_key(key: &str) -> bool {
    let parts: Vec<&str> = key.split('/').filter(|s| !s.is_empty()).collect();
    parts.len() == 8
        && parts[0] == "subscriptions"
        && parts[2] == "resourcegroups"
        && parts[4] == "providers"
        && parts[5] == "microsoft.cognitiveservices"
        && parts[6] == "accounts"
}

/// The account's subdomain, or its name when it has none (the endpoint's host).
pub(crate) fn host_name(account: &Value) -> String {
    str_of(&account["properties"], "customSubDomainName")
        .or_else(|| str_of(account, "name"))
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Whether `subdomain` is taken by another account, live or soft-deleted, in any
/// subscription: subdomains are global, and a deleted account keeps its own until purged
/// (NOTES §4, §6: `CustomDomainInUse`).
pub(crate) fn subdomain_taken(state: &State, subdomain: &str, except_key: &str) -> bool {
    let named = |(k, v): (&String, &Value)| {
        k != except_key
            && is_account_key(k)
            && str_of(&v["properties"], "customSubDomainName").is_some_and(|s| eq(s, subdomain))
    };
    state.resources.iter().any(named)
        || state.deleted_accounts.values().any(|d| d.resources.iter().any(named))
}

/// A subdomain as DNS and the domain check take it: 2 to 64 letters, digits and hyphens, not
/// starting or ending with a hyphen (Learn "custom subdomain names"; the check's own "is not
/// valid" answer, EX/CheckDomainAvailability.json).
pub(crate) fn valid_subdomain(subdomain: &str) -> bool {
    let b = subdomain.as_bytes();
    (2..=64).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

/// The service's 409 for a taken subdomain (microsoft-foundry-for-vscode #52, #107).
pub(crate) fn domain_in_use(subdomain: &str) -> ArmError {
    ArmError::conflict(
        "CustomDomainInUse",
        format!(
            "Please pick a different name. The subdomain name '{subdomain}' is not available as it's already used by a resource. If the resource using the name was deleted in the last 48 hours, you may need to purge the deleted resource."
        ),
    )
}

/// `GET|PUT|PATCH|DELETE ~/accounts/{name}`.
pub(crate) fn route(state: &mut State, settings: &Settings, call: &Call, at: At<'_>) -> ArmResult {
    let key = at.key();
    match call.method {
        Method::GET | Method::HEAD => state
            .resources
            .get(&key)
            .map(|a| Reply::ok(a.clone()))
            .ok_or_else(|| ArmError::resource_not_found(ACCOUNT_TYPE, at.account, at.rg)),
        Method::PUT => put(state, settings, call, at),
        Method::PATCH => patch(state, settings, call, at),
        Method::DELETE => delete(state, settings, call, at),
        _ => Err(method_not_allowed(call)),
    }
}

/// `GET ~/accounts` in a resource group.
pub(crate) fn list_group(
    state: &State,
    settings: &Settings,
    call: &Call,
    sub: &str,
    rg: &str,
) -> ArmResult {
    if call.method != Method::GET {
        return Err(method_not_allowed(call));
    }
    if !group_exists(state, sub, rg) {
        return Err(ArmError::resource_group_not_found(rg));
    }
    let prefix = format!("/subscriptions/{sub}/resourcegroups/{rg}/providers/{ACCOUNT_TYPE}/")
        .to_ascii_lowercase();
    let items: Vec<Value> = state.children(&prefix).into_iter().cloned().collect();
    Ok(Reply::ok(page(items, settings, call, "$skipToken")))
}

/// `GET /subscriptions/{sub}/providers/Microsoft.CognitiveServices/accounts`: every kind.
pub(crate) fn list_subscription(
    state: &State,
    settings: &Settings,
    call: &Call,
    sub: &str,
) -> ArmResult {
    if call.method != Method::GET {
        return Err(method_not_allowed(call));
    }
    let prefix = format!("/subscriptions/{}/", sub.to_ascii_lowercase());
    let items: Vec<Value> = state
        .resources
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter(|(k, _)| is_account_key(k))
        .map(|(_, v)| v.clone())
        .collect();
    Ok(Reply::ok(page(items, settings, call, "$skipToken")))
}

fn put(state: &mut State, settings: &Settings, call: &Call, at: At<'_>) -> ArmResult {
    if !valid_name(at.account) {
        return Err(invalid_name("account", at.account));
    }
    if !group_exists(state, at.sub, at.rg) {
        return Err(ArmError::resource_group_not_found(at.rg));
    }
    let request = call.json()?;
    let key = at.key();
    let restore = request
        .get("properties")
        .and_then(|p| p.get("restore"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if let Some(old) = state.resources.get(&key).cloned() {
        account_idle(state, at)?;
        let new = build(state, call, at, Value::Object(request), Some(&old))?;
        check_transition(state, &key, &old, &new)?;
        check_references(state, &new, false)?;
        state.resources.insert(key.clone(), new.clone());
        let location = new["location"].as_str().unwrap_or_default().to_string();
        let started = start(
            state,
            settings,
            call,
            Start {
                key: &key,
                kind: FoundryOp::Put { created: false },
                location: &location,
                previous: Some(old),
            },
        );
        return Ok(started.async_headers(Reply::ok(new)));
    }
    if state.deleted_accounts.contains_key(&key) {
        return super::deleted::restore(state, settings, call, at, &request, restore);
    }
    if restore {
        // Wording ours: the service's answer to a restore of nothing is not public.
        return Err(ArmError::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!(
                "There is no soft-deleted account '{}' in resource group '{}' to restore.",
                at.account, at.rg
            ),
        ));
    }
    let new = build(state, call, at, Value::Object(request), None)?;
    if let Some(subdomain) = str_of(&new["properties"], "customSubDomainName")
        && subdomain_taken(state, subdomain, &key)
    {
        return Err(domain_in_use(subdomain));
    }
    check_references(state, &new, true)?;
    state.resources.insert(key.clone(), new.clone());
    let location = new["location"].as_str().unwrap_or_default().to_string();
    let started = start(
        state,
        settings,
        call,
        Start {
            key: &key,
            kind: FoundryOp::Put { created: true },
            location: &location,
            previous: None,
        },
    );
    Ok(started.async_headers(Reply::with_status(StatusCode::CREATED, new)))
}

fn patch(state: &mut State, settings: &Settings, call: &Call, at: At<'_>) -> ArmResult {
    let key = at.key();
    let Some(old) = state.resources.get(&key).cloned() else {
        return Err(ArmError::resource_not_found(ACCOUNT_TYPE, at.account, at.rg));
    };
    account_idle(state, at)?;
    let request = call.json()?;
    // Fields present replace; within `properties` each property present replaces the old
    // one (null removes it); `tags` replaces the whole tag set.
    let mut merged = old.clone();
    for (field, value) in &request {
        if field == "properties" && value.is_object() {
            if let (Some(target), Some(fields)) =
                (merged["properties"].as_object_mut(), value.as_object())
            {
                for (name, v) in fields {
                    if v.is_null() {
                        target.remove(name);
                    } else {
                        target.insert(name.clone(), v.clone());
                    }
                }
            }
        } else if field == "identity" {
            merge_patch(&mut merged["identity"], value);
        } else if value.is_null() {
            if let Some(m) = merged.as_object_mut() {
                m.remove(field);
            }
        } else {
            merged[field.as_str()] = value.clone();
        }
    }
    let new = build(state, call, at, merged, Some(&old))?;
    check_transition(state, &key, &old, &new)?;
    check_references(state, &new, false)?;
    state.resources.insert(key.clone(), new.clone());
    let location = new["location"].as_str().unwrap_or_default().to_string();
    let started = start(
        state,
        settings,
        call,
        Start { key: &key, kind: FoundryOp::Patch, location: &location, previous: Some(old) },
    );
    Ok(started
        .location_headers(started.async_headers(Reply::with_status(StatusCode::ACCEPTED, new))))
}

fn delete(state: &mut State, settings: &Settings, call: &Call, at: At<'_>) -> ArmResult {
    let key = at.key();
    let Some(account) = state.resources.get_mut(&key) else {
        return Ok(Reply::empty(StatusCode::NO_CONTENT));
    };
    let location = account["location"].as_str().unwrap_or_default().to_string();
    account_idle(state, at)?;
    if let Some(account) = state.resources.get_mut(&key) {
        account["properties"]["provisioningState"] = json!("Deleting");
    }
    let started = start(
        state,
        settings,
        call,
        Start { key: &key, kind: FoundryOp::AccountDelete, location: &location, previous: None },
    );
    // DeleteAccount.json: the 202 carries `azure-asyncoperation` only.
    Ok(started.async_headers(Reply::empty(StatusCode::ACCEPTED)))
}

/// The account body to store: the request (unknown fields kept) with the server-set fields.
/// `old` is the live account a replace or update starts from.
pub(crate) fn build(
    state: &State,
    call: &Call,
    at: At<'_>,
    request: Value,
    old: Option<&Value>,
) -> Result<Value, ArmError> {
    let Value::Object(mut body) = request else {
        return Err(bad("The request content must be a JSON object."));
    };
    let location = body.get("location").and_then(Value::as_str).filter(|l| !l.is_empty());
    if location.is_none() {
        return Err(ArmError::bad_request(
            "LocationRequired",
            "The location property is required for this definition.",
        ));
    }
    // `kind` and `sku.name` are required by the description (`Account`); the refusal's
    // wording is ours.
    if str_of(&Value::Object(body.clone()), "kind").is_none() {
        return Err(bad("The account's kind is required."));
    }
    if body.get("sku").and_then(|s| s.get("name")).and_then(Value::as_str).is_none_or(str::is_empty)
    {
        return Err(bad("The account's sku.name is required."));
    }
    let mut properties = match body.remove("properties") {
        Some(Value::Object(p)) => p,
        None | Some(Value::Null) => Map::new(),
        Some(_) => return Err(bad("The account's properties must be an object.")),
    };
    // `restore` is an instruction, never part of the account (not echoed on GET).
    properties.remove("restore");
    for read_only in
        ["deletionDate", "scheduledPurgeDate", "provisioningState", "associatedProjects"]
    {
        properties.remove(read_only);
    }
    let id = at.id();
    let name = old.and_then(|o| o["name"].as_str()).unwrap_or(at.account).to_string();
    let kind = body.get("kind").and_then(Value::as_str).unwrap_or_default().to_string();
    let identity = identity(state, &id, body.get("identity"), old.map(|o| &o["identity"]))?;
    let old_properties = old.map(|o| &o["properties"]);
    let keep = |field: &str| old_properties.and_then(|p| p.get(field)).cloned();
    match properties.get("customSubDomainName") {
        None | Some(Value::Null) => {}
        Some(Value::String(sub)) if valid_subdomain(sub) => {}
        // Wording ours.
        Some(other) => {
            return Err(bad(format!(
                "The customSubDomainName {other} is not valid: 2 to 64 letters, digits and hyphens, not starting or ending with a hyphen."
            )));
        }
    }
    properties.entry("publicNetworkAccess").or_insert(json!("Enabled"));
    properties.entry("allowProjectManagement").or_insert(json!(false));
    let host = properties
        .get("customSubDomainName")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or(&name)
        .to_ascii_lowercase();
    properties.insert("provisioningState".into(), json!("Accepted"));
    properties
        .insert("endpoint".into(), json!(format!("https://{host}.cognitiveservices.azure.com/")));
    properties.insert("endpoints".into(), endpoints(&kind, &host));
    properties.insert(
        "internalId".into(),
        keep("internalId").unwrap_or_else(|| json!(uuid::Uuid::new_v4().simple().to_string())),
    );
    properties.insert(
        "dateCreated".into(),
        keep("dateCreated").unwrap_or_else(|| json!(timestamp(call.now))),
    );
    properties.insert("capabilities".into(), capabilities());
    properties.insert("isMigrated".into(), json!(false));
    for kept in ["defaultProject"] {
        if !properties.contains_key(kept)
            && let Some(value) = keep(kept)
        {
            properties.insert(kept.into(), value);
        }
    }
    let created_at = old
        .and_then(|o| o["systemData"]["createdAt"].as_str().map(str::to_string))
        .unwrap_or_else(|| timestamp(call.now));
    let mut account = Value::Object(body);
    account["id"] = json!(id);
    account["name"] = json!(name);
    account["type"] = json!(ACCOUNT_TYPE);
    account["etag"] = json!(format!("W/\"datetime'{}'\"", timestamp(call.now).replace(':', "%3A")));
    account["systemData"] = json!({
        "createdBy": call.caller.oid,
        "createdByType": "Application",
        "createdAt": created_at,
        "lastModifiedBy": call.caller.oid,
        "lastModifiedByType": "Application",
        "lastModifiedAt": timestamp(call.now),
    });
    account["properties"] = Value::Object(properties);
    match identity {
        Some(identity) => account["identity"] = identity,
        None => {
            if let Some(m) = account.as_object_mut() {
                m.remove("identity");
            }
        }
    }
    Ok(account)
}

/// The `endpoints` map: an AI Services account serves Foundry and OpenAI beside its own.
fn endpoints(kind: &str, host: &str) -> Value {
    let own = format!("https://{host}.cognitiveservices.azure.com/");
    if eq(kind, "AIServices") {
        json!({
            "AI Foundry API": format!("https://{host}.services.ai.azure.com/"),
            "OpenAI Language Model Instance API": format!("https://{host}.openai.azure.com/"),
            "Azure AI Model Inference API": format!("https://{host}.services.ai.azure.com/"),
            "Content Safety": own,
        })
    } else if eq(kind, "OpenAI") {
        json!({ "OpenAI Language Model Instance API": format!("https://{host}.openai.azure.com/") })
    } else {
        json!({ kind: own })
    }
}

fn capabilities() -> Value {
    json!([
        { "name": "VirtualNetworks" },
        { "name": "CustomerManagedKey" },
        { "name": "MaxFineTuneCount", "value": "100" },
    ])
}

/// The identity as the service answers it: the type echoed, `principalId` and `tenantId` for
/// the system identity (kept across updates), `principalId` and `clientId` for each
/// user-assigned one, taken from the identity resource (which must exist).
pub(crate) fn identity(
    state: &State,
    id: &str,
    requested: Option<&Value>,
    old: Option<&Value>,
) -> Result<Option<Value>, ArmError> {
    let Some(requested) = requested.filter(|r| !r.is_null()) else { return Ok(None) };
    let kind = requested["type"].as_str().unwrap_or_default();
    let Some(kind) = IDENTITY_TYPES.iter().find(|t| eq(t, kind)) else {
        // Wording ours.
        return Err(bad(format!(
            "The identity type '{kind}' is not one of {}.",
            IDENTITY_TYPES.join(", ")
        )));
    };
    let mut identity = json!({ "type": kind });
    if kind.contains("SystemAssigned") {
        let principal = old
            .and_then(|o| o["principalId"].as_str())
            .map(str::to_string)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        identity["principalId"] = json!(principal);
        identity["tenantId"] = json!(state.tenant_id);
    }
    if kind.contains("UserAssigned") {
        let Some(assigned) =
            requested["userAssignedIdentities"].as_object().filter(|m| !m.is_empty())
        else {
            return Err(bad("A user-assigned identity type needs userAssignedIdentities."));
        };
        let mut filled = Map::new();
        for uai in assigned.keys() {
            let resource = state.resources.get(uai.to_ascii_lowercase().trim_end_matches('/'));
            let found = exists_as(state, uai, "Microsoft.ManagedIdentity/userAssignedIdentities");
            let Some(resource) = resource.filter(|_| found) else {
                // Wording ours.
                return Err(bad(format!(
                    "The user-assigned identity '{uai}' of '{id}' was not found."
                )));
            };
            filled.insert(
                uai.clone(),
                json!({
                    "principalId": resource["properties"]["principalId"],
                    "clientId": resource["properties"]["clientId"],
                }),
            );
        }
        identity["userAssignedIdentities"] = Value::Object(filled);
    }
    Ok(Some(identity))
}

/// `keySource` as the account means it: none sent is Microsoft-managed (CMK is opt-in, Learn
/// "customer-managed keys"); an `encryption` without `keySource` takes the description's
/// default, `Microsoft.KeyVault`.
fn key_source(account: &Value) -> String {
    let encryption = &account["properties"]["encryption"];
    if !encryption.is_object() {
        return "Microsoft.CognitiveServices".into();
    }
    encryption["keySource"].as_str().unwrap_or("Microsoft.KeyVault").to_string()
}

/// What a live account refuses to become (NOTES §4).
fn check_transition(state: &State, key: &str, old: &Value, new: &Value) -> Result<(), ArmError> {
    let (op, np) = (&old["properties"], &new["properties"]);
    let (old_kind, new_kind) =
        (old["kind"].as_str().unwrap_or_default(), new["kind"].as_str().unwrap_or_default());
    // The kind is fixed but for the upgrade OpenAI → AIServices (Terraform azurerm PR #31063).
    let upgrade = eq(old_kind, "OpenAI") && eq(new_kind, "AIServices");
    if !eq(old_kind, new_kind) && !upgrade {
        return Err(bad(format!(
            "The kind of an account cannot be changed from '{old_kind}' to '{new_kind}'; only OpenAI can be upgraded to AIServices."
        )));
    }
    // `location` is `x-ms-mutability: read, create` (DESC).
    let (ol, nl) = (
        old["location"].as_str().unwrap_or_default(),
        new["location"].as_str().unwrap_or_default(),
    );
    if region(ol) != region(nl) {
        return Err(bad(format!(
            "The location of an account cannot be changed from '{ol}' to '{nl}'."
        )));
    }
    match (str_of(op, "customSubDomainName"), str_of(np, "customSubDomainName")) {
        (Some(a), b) if b.is_none_or(|b| !eq(a, b)) => {
            return Err(bad(format!(
                "The customSubDomainName '{a}' of an account cannot be changed once set."
            )));
        }
        (None, Some(b)) if subdomain_taken(state, b, key) => return Err(domain_in_use(b)),
        _ => {}
    }
    // "once enabled, cannot be disabled" (azure-rest-api-specs issue #38678).
    if op["allowProjectManagement"] == json!(true) && np["allowProjectManagement"] != json!(true) {
        return Err(bad("allowProjectManagement, once enabled, cannot be disabled."));
    }
    // Microsoft-managed ⇄ customer-managed is not supported after creation; within
    // customer-managed the vault is fixed, the key name and version may change (AIDOCS
    // ai-foundry/concepts/encryption-keys-portal.md).
    let (os, ns) = (key_source(old), key_source(new));
    if !eq(&os, &ns) {
        return Err(bad(format!(
            "The encryption keySource of an account cannot be changed from '{os}' to '{ns}' after creation."
        )));
    }
    if eq(&ns, "Microsoft.KeyVault") {
        let uri = |a: &Value| {
            a["properties"]["encryption"]["keyVaultProperties"]["keyVaultUri"]
                .as_str()
                .unwrap_or_default()
                .trim_end_matches('/')
                .to_ascii_lowercase()
        };
        if uri(old) != uri(new) {
            return Err(bad(
                "The keyVaultUri of a customer-managed key cannot be changed; only keyName and keyVersion may change.",
            ));
        }
    }
    Ok(())
}

/// Customer-managed encryption must name a key that exists, in a vault the local cloud
/// holds, through an identity the account has. `creating`: the system identity does not
/// exist yet, so a key reached through it is refused (inferred, the stricter reading).
fn check_references(state: &State, account: &Value, creating: bool) -> Result<(), ArmError> {
    if !eq(&key_source(account), "Microsoft.KeyVault") {
        return Ok(());
    }
    let kv = &account["properties"]["encryption"]["keyVaultProperties"];
    let (Some(uri), Some(key_name)) = (str_of(kv, "keyVaultUri"), str_of(kv, "keyName")) else {
        return Err(bad(
            "Customer-managed encryption needs keyVaultProperties.keyVaultUri and keyName.",
        ));
    };
    let wanted = uri.trim_end_matches('/').to_ascii_lowercase();
    let vault = state.resources.iter().find(|(k, v)| {
        k.contains("/providers/microsoft.keyvault/vaults/")
            && !k.contains("/keys/")
            && v["properties"]["vaultUri"]
                .as_str()
                .is_some_and(|u| u.trim_end_matches('/').eq_ignore_ascii_case(&wanted))
    });
    let Some((vault_key, _)) = vault else {
        return Err(bad(format!("The key vault '{uri}' was not found or is not accessible.")));
    };
    let Some(key) =
        state.resources.get(&format!("{vault_key}/keys/{}", key_name.to_ascii_lowercase()))
    else {
        return Err(bad(format!("The key '{key_name}' was not found in the key vault '{uri}'.")));
    };
    if let Some(version) = str_of(kv, "keyVersion") {
        let known = key["properties"]["versions"]
            .as_array()
            .is_some_and(|vs| vs.iter().any(|v| v.as_str().is_some_and(|v| eq(v, version))));
        if !known {
            return Err(bad(format!(
                "The version '{version}' of key '{key_name}' was not found in '{uri}'."
            )));
        }
    }
    let identity = &account["identity"];
    let kind = identity["type"].as_str().unwrap_or("None");
    match str_of(kv, "identityClientId") {
        Some(client) => {
            let attached = identity["userAssignedIdentities"].as_object().is_some_and(|m| {
                m.values().any(|u| u["clientId"].as_str().is_some_and(|c| eq(c, client)))
            });
            if !attached {
                return Err(bad(format!(
                    "The identityClientId '{client}' is not the client id of a user-assigned identity attached to the account."
                )));
            }
        }
        None if creating => {
            return Err(bad(
                "A customer-managed key on a new account must be reached through a user-assigned identity (identityClientId): the system-assigned identity does not exist before the account.",
            ));
        }
        None if !kind.contains("SystemAssigned") => {
            return Err(bad(
                "A customer-managed key without identityClientId needs the account's system-assigned identity.",
            ));
        }
        None => {}
    }
    Ok(())
}

/// A seeded account (the seed's `Microsoft.CognitiveServices/accounts`): a real account,
/// state Succeeded, with the server-set fields.
pub(crate) fn seeded(
    id: &str,
    name: &str,
    location: &str,
    kind: Option<&str>,
    properties: Value,
    tenant: &str,
) -> Value {
    let mut properties = if properties.is_object() { properties } else { json!({}) };
    let kind = kind.unwrap_or("AIServices");
    let host = str_of(&properties, "customSubDomainName").unwrap_or(name).to_ascii_lowercase();
    let defaults =
        [("publicNetworkAccess", json!("Enabled")), ("allowProjectManagement", json!(false))];
    for (field, value) in defaults {
        if properties.get(field).is_none() {
            properties[field] = value;
        }
    }
    properties["provisioningState"] = json!("Succeeded");
    properties["endpoint"] = json!(format!("https://{host}.cognitiveservices.azure.com/"));
    properties["endpoints"] = endpoints(kind, &host);
    properties["internalId"] = json!(
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, id.to_ascii_lowercase().as_bytes())
            .simple()
            .to_string()
    );
    properties["dateCreated"] = json!("2025-01-01T00:00:00Z");
    properties["capabilities"] = capabilities();
    properties["isMigrated"] = json!(false);
    let principal = uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_OID,
        format!("{id}|system").to_ascii_lowercase().as_bytes(),
    );
    json!({
        "id": id,
        "name": name,
        "type": ACCOUNT_TYPE,
        "location": location,
        "kind": kind,
        "sku": { "name": "S0" },
        "tags": {},
        "etag": "W/\"datetime'2025-01-01T00%3A00%3A00Z'\"",
        "identity": { "type": "SystemAssigned", "principalId": principal.to_string(), "tenantId": tenant },
        "properties": properties,
    })
}

/// Whether an account is being deleted (its delete operation still runs).
pub(crate) fn deleting(state: &State, key: &str) -> bool {
    runs(state, key, &FoundryOp::AccountDelete)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_keys_are_recognised_by_depth() {
        assert!(is_account_key(
            "/subscriptions/s/resourcegroups/r/providers/microsoft.cognitiveservices/accounts/a"
        ));
        assert!(!is_account_key(
            "/subscriptions/s/resourcegroups/r/providers/microsoft.cognitiveservices/accounts/a/projects/p"
        ));
        assert!(!is_account_key(
            "/subscriptions/s/resourcegroups/r/providers/microsoft.storage/storageaccounts/a"
        ));
    }

    #[test]
    fn only_openai_may_become_aiservices() {
        let state = State::new("t".into(), "k".into());
        let account = |kind: &str| json!({"kind": kind, "location": "westus", "properties": {}});
        assert!(check_transition(&state, "k", &account("OpenAI"), &account("AIServices")).is_ok());
        assert!(check_transition(&state, "k", &account("AIServices"), &account("OpenAI")).is_err());
        assert!(
            check_transition(&state, "k", &account("AIServices"), &account("AIServices")).is_ok()
        );
    }

    #[test]
    fn subdomains_follow_dns() {
        assert!(valid_subdomain("acme-ai"));
        assert!(!valid_subdomain("-acme"));
        assert!(!valid_subdomain("acme_ai"));
        assert!(!valid_subdomain("a"));
    }

    #[test]
    fn key_source_defaults() {
        assert_eq!(key_source(&json!({"properties": {}})), "Microsoft.CognitiveServices");
        assert_eq!(key_source(&json!({"properties": {"encryption": {}}})), "Microsoft.KeyVault");
    }

    #[test]
    fn subdomain_change_refused_once_set_but_first_set_allowed() {
        let state = State::new("t".into(), "k".into());
        let a = |sub: Option<&str>| json!({"kind": "AIServices", "location": "westus", "properties": {"customSubDomainName": sub}});
        assert!(check_transition(&state, "k", &a(None), &a(Some("x"))).is_ok());
        assert!(check_transition(&state, "k", &a(Some("x")), &a(Some("X"))).is_ok());
        assert!(check_transition(&state, "k", &a(Some("x")), &a(Some("y"))).is_err());
        assert!(check_transition(&state, "k", &a(Some("x")), &a(None)).is_err());
    }
}
