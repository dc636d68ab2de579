//! Identity: `identity` (type, user-assigned identities, primary), `credentialStore`,
//! `encryption` and `highBusinessImpact`.
//!
//! The credential store, the encryption mode, its vault and identity, and the HBI flag are
//! fixed when a hub is created; the key version rotates in place; the identity changes in place
//! except that system+user cannot drop its user-assigned half. The service merges the
//! user-assigned map, so an identity to remove is sent as `null`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use hubctl_model::{
    ArmId, CmkIdentity, Encryption, IdentityType, KeyVaultProperties, ManagedIdentity, Workspace,
    WorkspaceProperties, id_key, same_id,
};
use hubctl_spec::model as spec;
use serde_json::{Value, json};

use super::{HubUpdate, field, opt_str, same_opt_id, to_value};
use crate::import::Manifest;
use crate::planner::Planner;
use crate::reasons::{Reason, WarningKind};

/// ARM's identity type.
pub fn identity_type(identity: &spec::Identity) -> IdentityType {
    match identity {
        spec::Identity::SystemAssigned => IdentityType::SystemAssigned,
        spec::Identity::UserAssigned(_) => IdentityType::UserAssigned,
        spec::Identity::SystemAndUserAssigned(_) => IdentityType::SystemAndUserAssigned,
    }
}

/// ARM's identity block (user-assigned values are `{}` in requests).
pub fn identity(identity: &spec::Identity) -> ManagedIdentity {
    let user_assigned_identities = identity.user_assigned().map(|u| {
        u.identities
            .iter()
            .map(|id| (id.as_str().to_string(), json!({})))
            .collect::<BTreeMap<_, _>>()
    });
    ManagedIdentity {
        identity_type: identity_type(identity),
        user_assigned_identities,
        ..ManagedIdentity::default()
    }
}

/// ARM's `keyVault` (the credential store) for the manifest's: none when Microsoft-managed.
pub fn credential_store(store: &spec::CredentialStore) -> Option<&str> {
    match store {
        spec::CredentialStore::MicrosoftManaged => None,
        spec::CredentialStore::KeyVault(id) => Some(id.as_str()),
    }
}

/// ARM's encryption block, customer-managed only.
pub fn encryption(encryption: &spec::Encryption) -> Option<Encryption> {
    match encryption {
        spec::Encryption::MicrosoftManaged => None,
        spec::Encryption::CustomerManaged(cmk) => Some(Encryption {
            status: "Enabled".into(),
            key_vault_properties: KeyVaultProperties {
                key_vault_arm_id: cmk.key_vault.as_str().to_string(),
                key_identifier: cmk.key_uri.as_str().to_string(),
                other: Default::default(),
            },
            identity: cmk.identity.as_ref().map(|id| CmkIdentity {
                user_assigned_identity: Some(id.as_str().to_string()),
                other: Default::default(),
            }),
            other: Default::default(),
        }),
    }
}

/// The credential store, the encryption (mode, vault, identity fixed; the key rotates in
/// place) and HBI (fixed; the service may turn it on itself with a customer-managed key).
pub(crate) fn fixed(hub: &spec::Hub, live: &Workspace, update: &mut HubUpdate) {
    let (lp, spec) = (&live.properties, &hub.spec);
    let desired_vault = credential_store(&spec.credential_store);
    if !same_opt_id(lp.key_vault.as_deref(), desired_vault) {
        update.block(
            Reason::BlockedBecauseCredentialStoreImmutable,
            "spec.credentialStore",
            Some(json!(lp.key_vault.as_deref().unwrap_or("microsoftManaged"))),
            Some(json!(desired_vault.unwrap_or("microsoftManaged"))),
        );
    }
    let live_cmk = lp.encryption.as_ref().filter(|e| e.is_customer_managed());
    let desired_cmk = match &spec.encryption {
        spec::Encryption::CustomerManaged(cmk) => Some(cmk),
        spec::Encryption::MicrosoftManaged => None,
    };
    match (live_cmk, desired_cmk) {
        (None, None) => {}
        (Some(_), None) | (None, Some(_)) => {
            let mode = |cmk: bool| json!(if cmk { "customerManaged" } else { "microsoftManaged" });
            update.block(
                Reason::BlockedBecauseEncryptionModeImmutable,
                "spec.encryption.type",
                Some(mode(live_cmk.is_some())),
                Some(mode(desired_cmk.is_some())),
            );
        }
        (Some(l), Some(d)) => {
            if !same_id(&l.key_vault_properties.key_vault_arm_id, d.key_vault.as_str()) {
                update.block(
                    Reason::BlockedBecauseCmkVaultImmutable,
                    "spec.encryption.keyVault",
                    Some(json!(l.key_vault_properties.key_vault_arm_id)),
                    Some(json!(d.key_vault.as_str())),
                );
            }
            let live_identity =
                l.identity.as_ref().and_then(|i| i.user_assigned_identity.as_deref());
            if !same_opt_id(live_identity, d.identity.as_ref().map(|i| i.as_str())) {
                update.block(
                    Reason::BlockedBecauseCmkIdentityImmutable,
                    "spec.encryption.identity",
                    opt_str(live_identity),
                    d.identity.as_ref().map(|i| json!(i.as_str())),
                );
            }
            if !l.key_vault_properties.key_identifier.eq_ignore_ascii_case(d.key_uri.as_str()) {
                update.fields.push(field(
                    "spec.encryption.keyUri",
                    Some(json!(l.key_vault_properties.key_identifier)),
                    Some(json!(d.key_uri.as_str())),
                ));
                update.patch["properties"]["encryption"] =
                    json!({ "keyVaultProperties": { "keyIdentifier": d.key_uri.as_str() } });
            }
        }
    }
    let live_hbi = lp.hbi_workspace.unwrap_or(false);
    let service_set = live_hbi && !spec.high_business_impact && desired_cmk.is_some();
    if service_set {
        update.overridden.push(
            "highBusinessImpact: true, set by the service for the customer-managed key; the manifest says false (fixed on a live hub either way)".into(),
        );
    }
    if live_hbi != spec.high_business_impact && !service_set {
        update.block(
            Reason::BlockedBecauseHbiImmutable,
            "spec.highBusinessImpact",
            Some(json!(live_hbi)),
            Some(json!(spec.high_business_impact)),
        );
    }
}

impl Planner<'_> {
    /// The identity block and the primary user-assigned identity.
    pub(crate) fn identity(
        &mut self,
        hub: &spec::Hub,
        live: &Workspace,
        id: &ArmId,
        update: &mut HubUpdate,
    ) {
        let spec = &hub.spec;
        let live_identity = live.identity.as_ref();
        let live_type =
            live_identity.map(|i| i.identity_type.clone()).unwrap_or(IdentityType::None);
        let desired_type = identity_type(&spec.identity);
        let live_uais: BTreeSet<String> = live_identity
            .and_then(|i| i.user_assigned_identities.as_ref())
            .map(|m| m.keys().map(|k| id_key(k)).collect())
            .unwrap_or_default();
        let desired_uais: BTreeSet<String> = spec
            .identity
            .user_assigned()
            .map(|u| u.identities.iter().map(|i| id_key(i.as_str())).collect())
            .unwrap_or_default();
        let type_field = |update: &mut HubUpdate| {
            update.fields.push(field(
                "spec.identity.type",
                Some(json!(super::camel(live_type.as_str()))),
                Some(json!(super::camel(desired_type.as_str()))),
            ));
        };
        if live_type == IdentityType::SystemAndUserAssigned
            && desired_type == IdentityType::SystemAssigned
        {
            update.blocked.push(Reason::BlockedBecauseIdentityCannotDropUserAssigned);
            type_field(update);
        } else if live_type != desired_type || live_uais != desired_uais {
            type_field(update);
            if live_uais != desired_uais {
                update.fields.push(field(
                    "spec.identity.userAssigned",
                    Some(json!(live_uais)),
                    Some(json!(desired_uais)),
                ));
                if desired_uais.difference(&live_uais).next().is_some() {
                    self.warn(WarningKind::UserAssignedIdentityNeedsRole, id.as_str(), "");
                }
            }
            let mut identity = identity(&spec.identity);
            // The service merges the user-assigned map: an identity left out stays, so each one
            // to remove is sent as null (as azure-ai-ml's workspace update does).
            // (Only with a type that keeps user-assigned identities: a map beside a type
            // without them is refused, and the type change drops them all anyway.)
            let keeps_user = spec.identity.user_assigned().is_some();
            let live_map = live_identity
                .and_then(|i| i.user_assigned_identities.as_ref())
                .filter(|_| keeps_user);
            for id in live_map.into_iter().flat_map(|m| m.keys()) {
                if !desired_uais.contains(&id_key(id)) {
                    identity
                        .user_assigned_identities
                        .get_or_insert_with(BTreeMap::new)
                        .insert(id.clone(), Value::Null);
                }
            }
            update.patch["identity"] = to_value(&identity);
        }
        let desired_primary =
            spec.identity.user_assigned().and_then(|u| u.primary.as_ref()).map(|p| p.as_str());
        let live_primary = live.properties.primary_user_assigned_identity.as_deref();
        if let Some(primary) = desired_primary
            && !same_opt_id(live_primary, desired_primary)
        {
            let name = "spec.identity.primary";
            update.set(name, opt_str(live_primary), "primaryUserAssignedIdentity", json!(primary));
        }
    }
}

// ---- ARM → manifest (hubctl import) ----

/// `credentialStore`.
pub(crate) fn read_credential_store(out: &mut Manifest, p: &WorkspaceProperties) {
    match &p.key_vault {
        Some(kv) => {
            let _ = writeln!(out, "  credentialStore:\n    keyVault: {kv}");
        }
        None => out.push_str("  credentialStore: microsoftManaged\n"),
    }
}

/// `identity`.
pub(crate) fn read_identity(out: &mut Manifest, w: &Workspace) {
    let Some(identity) = &w.identity else { return };
    let kind = match identity.identity_type {
        IdentityType::SystemAssigned => Some("systemAssigned"),
        IdentityType::UserAssigned => Some("userAssigned"),
        IdentityType::SystemAndUserAssigned => Some("\"systemAssigned,userAssigned\""),
        _ => None,
    };
    let Some(kind) = kind else {
        out.not_expressed(
            "  ",
            format!(
                "identity type {} cannot be expressed; the default (systemAssigned) applies",
                identity.identity_type
            ),
        );
        return;
    };
    let _ = writeln!(out, "  identity:\n    type: {kind}");
    if let Some(uais) = &identity.user_assigned_identities
        && !uais.is_empty()
    {
        out.push_str("    userAssigned:\n");
        for id in uais.keys() {
            let _ = writeln!(out, "      - {id}");
        }
    }
    if let Some(primary) = &w.properties.primary_user_assigned_identity {
        let _ = writeln!(out, "    primary: {primary}");
    }
}

/// `encryption` and `highBusinessImpact`.
pub(crate) fn read_encryption(out: &mut Manifest, p: &WorkspaceProperties) {
    match p.encryption.as_ref().filter(|e| e.is_customer_managed()) {
        Some(e) => {
            let _ = writeln!(
                out,
                "  encryption:\n    type: customerManaged\n    keyVault: {}\n    keyUri: {}",
                e.key_vault_properties.key_vault_arm_id, e.key_vault_properties.key_identifier
            );
            if let Some(id) = e.identity.as_ref().and_then(|i| i.user_assigned_identity.as_ref()) {
                let _ = writeln!(out, "    identity: {id}");
            }
        }
        None => out.push_str("  encryption:\n    type: microsoftManaged\n"),
    }
    let _ = writeln!(out, "  highBusinessImpact: {}", p.hbi_workspace.unwrap_or(false));
}
