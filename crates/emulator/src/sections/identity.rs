//! Identity: the identity block (merged as the service merges it) and the customer-managed
//! key, and what a live workspace's identity and encryption refuse to become.

use serde_json::Value;

use super::*;
use crate::error::ArmError;
use crate::state::State;

/// The identities a workspace names must exist; the primary must be one of them; a
/// customer-managed key must be a key version in an existing vault, used through one of them.
pub(crate) fn check_references(
    state: &State,
    properties: &Value,
    identity: &Value,
) -> Result<(), ArmError> {
    let identities: Vec<String> = identity["userAssignedIdentities"]
        .as_object()
        .map(|m| m.keys().map(|k| k.to_ascii_lowercase()).collect())
        .unwrap_or_default();
    for id in &identities {
        if !exists_as(state, id, "Microsoft.ManagedIdentity/userAssignedIdentities") {
            return Err(missing(id, "user-assigned identity"));
        }
    }
    if let Some(primary) = str_of(properties, "primaryUserAssignedIdentity")
        && !identities.contains(&primary.to_ascii_lowercase())
    {
        return Err(ArmError::bad_request(
            "BadRequest",
            format!(
                "The primary user assigned identity '{primary}' must be one of the workspace's user assigned identities."
            ),
        ));
    }
    let encryption = &properties["encryption"];
    if eq(encryption["status"].as_str().unwrap_or("Disabled"), "Enabled") {
        let vault = encryption["keyVaultProperties"]["keyVaultArmId"].as_str().unwrap_or_default();
        if !exists_as(state, vault, "Microsoft.KeyVault/vaults") {
            return Err(missing(vault, "key vault"));
        }
        let key_id = encryption["keyVaultProperties"]["keyIdentifier"].as_str().unwrap_or_default();
        check_key(state, vault, key_id)?;
        if let Some(cmk_identity) = encryption["identity"]["userAssignedIdentity"].as_str()
            && !identities.contains(&cmk_identity.to_ascii_lowercase())
        {
            return Err(ArmError::bad_request(
                "BadRequest",
                format!(
                    "The identity '{cmk_identity}' used for encryption must be assigned to the workspace."
                ),
            ));
        }
    }
    Ok(())
}

/// A CMK key identifier must name a key version that exists in `vault`.
pub(crate) fn check_key(state: &State, vault: &str, key_id: &str) -> Result<(), ArmError> {
    let vault_name =
        vault.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
    let rest = key_id.strip_prefix("https://").unwrap_or_default();
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host_vault = host.split('.').next().unwrap_or_default().to_ascii_lowercase();
    let parts: Vec<&str> = path.split('/').collect();
    let bad = || {
        ArmError::bad_request(
            "BadRequest",
            format!(
                "The key '{key_id}' was not found in key vault '{vault_name}'. Customer-managed keys must be a key version in the workspace's key vault."
            ),
        )
    };
    if host_vault != vault_name || parts.len() != 3 || !eq(parts[0], "keys") {
        return Err(bad());
    }
    let key = state.resources.get(&format!(
        "{}/keys/{}",
        vault.trim_end_matches('/').to_ascii_lowercase(),
        parts[1].to_ascii_lowercase()
    ));
    let versions: Vec<String> = key
        .and_then(|k| serde_json::from_value(k["properties"]["versions"].clone()).ok())
        .unwrap_or_default();
    if !versions.iter().any(|v| eq(v, parts[2])) {
        return Err(bad());
    }
    Ok(())
}

/// What a live workspace's identity and encryption refuse to become (NOTES.md §5): the
/// credential store, system+user back to system, a project's identity type, the encryption
/// mode, its vault and identity, and the HBI flag.
pub(crate) fn check_transition(old: &Value, new: &Value) -> Result<(), ArmError> {
    let (op, np) = (&old["properties"], &new["properties"]);
    if !same_link(op, np, "keyVault") {
        return refuse(
            "After your hub is created, it isn't possible to switch between your Azure Key Vault and a Microsoft-managed credential store, or to another key vault.",
        );
    }
    let identity_type = |w: &Value| {
        w["identity"]["type"].as_str().unwrap_or("None").replace(' ', "").to_ascii_lowercase()
    };
    let (old_identity, new_identity) = (identity_type(old), identity_type(new));
    if old_identity == "systemassigned,userassigned" && new_identity == "systemassigned" {
        return refuse(
            "Once a workspace is created with SAI identity type, it can be updated to SAI+UAI, but not back from SAI+UAI to SAI.",
        );
    }
    if is_kind(old, "Project") && old_identity != new_identity {
        return refuse("The identity type of a project cannot be changed after creation.");
    }
    let status =
        |p: &Value| p["encryption"]["status"].as_str().unwrap_or("Disabled").to_ascii_lowercase();
    if status(op) != status(np) {
        return refuse(
            "Encryption mode can be set only at the time of hub creation between Microsoft-managed keys and Customer-managed keys (CMK).",
        );
    }
    if status(np) == "enabled" {
        let vault = |p: &Value| {
            p["encryption"]["keyVaultProperties"]["keyVaultArmId"]
                .as_str()
                .unwrap_or_default()
                .trim_end_matches('/')
                .to_ascii_lowercase()
        };
        if vault(op) != vault(np) {
            return refuse(
                "The customer-managed key for encryption can only be updated to keys in the same Azure Key Vault instance.",
            );
        }
        let cmk_identity = |p: &Value| {
            p["encryption"]["identity"]["userAssignedIdentity"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase()
        };
        if cmk_identity(op) != cmk_identity(np) {
            return refuse(
                "The identity used to access the customer-managed key cannot be changed.",
            );
        }
    }
    if op["hbiWorkspace"].as_bool().unwrap_or(false)
        != np["hbiWorkspace"].as_bool().unwrap_or(false)
    {
        return refuse(
            "The hbi_workspace flag can only be set when a workspace is created. It can't be changed for an existing workspace.",
        );
    }
    Ok(())
}

/// A PATCH's identity over the stored one. The service merges the user-assigned map: an
/// identity the request does not name stays, one sent as `null` is removed (azure-ai-ml's
/// workspace update sends `None` for each identity it removes: Azure/azure-sdk-for-python
/// `sdk/ml/azure-ai-ml/azure/ai/ml/operations/_workspace_operations_base.py`; ARM's managed
/// identity docs remove a user-assigned identity the same way). A type without userAssigned
/// drops the map.
pub(crate) fn merge_identity(old: &Value, requested: &Value) -> Value {
    let mut merged = requested.clone();
    let mut map = old["userAssignedIdentities"].as_object().cloned().unwrap_or_default();
    if let Some(named) = requested["userAssignedIdentities"].as_object() {
        for (id, value) in named {
            map.retain(|k, _| !k.eq_ignore_ascii_case(id));
            if !value.is_null() {
                map.insert(id.clone(), value.clone());
            }
        }
    }
    let with_user = requested["type"]
        .as_str()
        .or_else(|| old["type"].as_str())
        .is_some_and(|t| t.to_ascii_lowercase().contains("userassigned"));
    if let Some(object) = merged.as_object_mut() {
        if with_user && !map.is_empty() {
            object.insert("userAssignedIdentities".into(), Value::Object(map));
        } else {
            object.remove("userAssignedIdentities");
        }
        if object.get("type").is_none_or(Value::is_null)
            && let Some(kind) = old.get("type")
        {
            object.insert("type".into(), kind.clone());
        }
    }
    merged
}
