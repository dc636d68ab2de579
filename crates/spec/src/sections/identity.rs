//! Identity: `identity` (type, user-assigned identities, primary), `credentialStore` and
//! `encryption` (Microsoft- or customer-managed keys).

use super::choice;
use crate::ids::{ArmId, KeyUri, ResourceType};
use crate::model::*;
use crate::problem::Problem;
use crate::raw::Value;
use crate::read::{Choice, Cx, Field};
use crate::source::FieldPath;

pub(crate) const CREDENTIAL_STORE_FIELDS: &[&str] = &["keyVault"];
pub(crate) const IDENTITY_FIELDS: &[&str] = &["type", "userAssigned", "primary"];
/// A Foundry resource's or project's identity: Cognitive Services has no primary identity.
pub(crate) const ACCOUNT_IDENTITY_FIELDS: &[&str] = &["type", "userAssigned"];
pub(crate) const ENCRYPTION_FIELDS: &[&str] = &["type", "keyVault", "keyUri", "identity"];

/// `spec.identity.type` as written, before the identities are attached.
#[derive(Clone, Copy, PartialEq)]
enum IdentityType {
    System,
    User,
    SystemAndUser,
}
choice!(IdentityType { "systemAssigned" => IdentityType::System, "userAssigned" => IdentityType::User, "systemAssigned,userAssigned" => IdentityType::SystemAndUser });

#[derive(Clone, Copy, PartialEq)]
enum EncryptionType {
    MicrosoftManaged,
    CustomerManaged,
}
choice!(EncryptionType { "microsoftManaged" => EncryptionType::MicrosoftManaged, "customerManaged" => EncryptionType::CustomerManaged });

pub(crate) fn credential_store(
    cx: &mut Cx<'_>,
    field: Field<'_>,
    path: &FieldPath,
) -> Option<CredentialStore> {
    match &field.node.value {
        Value::Str(s) if s == "microsoftManaged" => Some(CredentialStore::MicrosoftManaged),
        Value::Str(s) => {
            const NAMES: &[&str] = &["microsoftManaged"];
            let suggestion = crate::read::closest(s, NAMES);
            cx.report(
                field.node.at,
                path,
                Problem::UnknownVariant { value: s.clone(), expected: NAMES, suggestion },
            );
            None
        }
        Value::Map(_) => {
            let fields = cx.mapping(field.node, path, CREDENTIAL_STORE_FIELDS)?;
            let (f, p) = fields.required(cx, "keyVault")?;
            cx.arm_id(f, &p, Some(ResourceType::KeyVault)).map(CredentialStore::KeyVault)
        }
        _ => {
            cx.wrong_type(field.node, path, "\"microsoftManaged\" or a mapping with `keyVault`");
            None
        }
    }
}

pub(crate) fn identity(cx: &mut Cx<'_>, field: Field<'_>, path: &FieldPath) -> Option<Identity> {
    identity_of(cx, field, path, IDENTITY_FIELDS)
}

/// A Foundry resource's or project's `identity`: as a hub's, without `primary`.
pub(crate) fn account_identity(
    cx: &mut Cx<'_>,
    field: Field<'_>,
    path: &FieldPath,
) -> Option<Identity> {
    identity_of(cx, field, path, ACCOUNT_IDENTITY_FIELDS)
}

fn identity_of(
    cx: &mut Cx<'_>,
    field: Field<'_>,
    path: &FieldPath,
    allowed: &'static [&'static str],
) -> Option<Identity> {
    let with_primary = allowed.contains(&"primary");
    let fields = cx.mapping(field.node, path, allowed)?;
    let kind = fields.choice_or(cx, "type", IdentityType::System);
    let mut listed: Vec<ArmId> = Vec::new();
    let mut ok = true;
    if let Some((f, p)) = fields.get(cx, "userAssigned") {
        match cx.list(f, &p) {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    let item_path = p.index(i);
                    match cx.arm_id(
                        Field { node: item },
                        &item_path,
                        Some(ResourceType::UserAssignedIdentity),
                    ) {
                        Some(id) if listed.contains(&id) => {
                            cx.report(item.at, &item_path, Problem::DuplicateIdentity);
                            ok = false;
                        }
                        Some(id) => listed.push(id),
                        None => ok = false,
                    }
                }
            }
            None => ok = false,
        }
    }
    let primary = match fields.get(cx, "primary").filter(|_| with_primary) {
        Some((f, p)) => match cx.arm_id(f, &p, Some(ResourceType::UserAssignedIdentity)) {
            Some(id) => Some(id),
            None => {
                ok = false;
                None
            }
        },
        None => None,
    };
    let kind = kind?;
    if kind == IdentityType::System {
        for name in ["userAssigned", "primary"] {
            if fields.has(name) {
                let at = fields.key_position(name).unwrap_or(fields.at);
                cx.report(at, &path.field(name), Problem::OnlyWithUserAssigned { field: name });
                ok = false;
            }
        }
        return ok.then_some(Identity::SystemAssigned);
    }
    let type_name =
        if kind == IdentityType::User { "userAssigned" } else { "systemAssigned,userAssigned" };
    if listed.is_empty() && ok {
        cx.report(
            fields.position("type"),
            &path.field("type"),
            Problem::UserAssignedIdentitiesMissing { identity_type: type_name },
        );
        return None;
    }
    // Only a user-assigned identity alone needs a primary: with a system-assigned one too, the
    // public GET example (Workspace/get.json) has none, and the service accepts that.
    if with_primary && primary.is_none() && kind == IdentityType::User {
        if ok {
            cx.report(fields.at, path, Problem::PrimaryIdentityMissing);
        }
        return None;
    }
    // With a bad entry in the list, "not listed" would only repeat that problem.
    if !ok {
        return None;
    }
    if primary.as_ref().is_some_and(|primary| !listed.contains(primary)) {
        cx.report(
            fields.position("primary"),
            &path.field("primary"),
            Problem::PrimaryIdentityNotListed,
        );
        return None;
    }
    let user = UserAssigned { identities: listed, primary };
    Some(match kind {
        IdentityType::User => Identity::UserAssigned(user),
        _ => Identity::SystemAndUserAssigned(user),
    })
}

pub(crate) fn encryption(
    cx: &mut Cx<'_>,
    field: Field<'_>,
    path: &FieldPath,
    identity: Option<&Identity>,
) -> Option<Encryption> {
    let fields = cx.mapping(field.node, path, ENCRYPTION_FIELDS)?;
    let kind = fields.choice_or(cx, "type", EncryptionType::MicrosoftManaged)?;
    if kind == EncryptionType::MicrosoftManaged {
        let mut ok = true;
        for name in ["keyVault", "keyUri", "identity"] {
            if fields.has(name) {
                let at = fields.key_position(name).unwrap_or(fields.at);
                cx.report(at, &path.field(name), Problem::OnlyWithCustomerManaged { field: name });
                ok = false;
            }
        }
        return ok.then_some(Encryption::MicrosoftManaged);
    }
    let key_vault = fields
        .required(cx, "keyVault")
        .and_then(|(f, p)| cx.arm_id(f, &p, Some(ResourceType::KeyVault)));
    let key_uri = fields.required(cx, "keyUri").and_then(|(f, p)| {
        let text = cx.string(f, &p)?;
        match KeyUri::parse(&text) {
            Ok(uri) => Some(uri),
            Err(reason) => {
                cx.report(f.node.at, &p, Problem::InvalidKeyUri { value: text, reason });
                None
            }
        }
    });
    let cmk_identity = fields.optional_id(cx, "identity", ResourceType::UserAssignedIdentity);
    let (key_vault, key_uri, cmk_identity) = (key_vault?, key_uri?, cmk_identity.ok()?);
    if !key_uri.vault().eq_ignore_ascii_case(key_vault.name()) {
        cx.report(
            fields.position("keyUri"),
            &path.field("keyUri"),
            Problem::KeyUriVaultMismatch {
                uri_vault: key_uri.vault().to_string(),
                key_vault: key_vault.name().to_string(),
            },
        );
        return None;
    }
    if let (Some(id), Some(identity)) = (&cmk_identity, identity) {
        let assigned = identity.user_assigned().is_some_and(|u| u.identities.contains(id));
        if !assigned {
            cx.report(
                fields.position("identity"),
                &path.field("identity"),
                Problem::CmkIdentityNotAssigned,
            );
            return None;
        }
    }
    Some(Encryption::CustomerManaged(Box::new(CustomerManagedKey {
        key_vault,
        key_uri,
        identity: cmk_identity,
    })))
}

// ---- the manifest as JSON (see [`super::view`]) ----

pub(crate) fn view_credential_store(store: &CredentialStore) -> serde_json::Value {
    match store {
        CredentialStore::MicrosoftManaged => serde_json::json!("microsoftManaged"),
        CredentialStore::KeyVault(id) => serde_json::json!({ "keyVault": id.as_str() }),
    }
}

pub(crate) fn view_identity(identity: &Identity) -> serde_json::Value {
    let kind = match identity {
        Identity::SystemAssigned => IdentityType::System,
        Identity::UserAssigned(_) => IdentityType::User,
        Identity::SystemAndUserAssigned(_) => IdentityType::SystemAndUser,
    };
    let mut out = serde_json::json!({ "type": super::word(kind) });
    if let Some(user) = identity.user_assigned() {
        let ids: Vec<&str> = user.identities.iter().map(ArmId::as_str).collect();
        out["userAssigned"] = serde_json::json!(ids);
        if let Some(primary) = &user.primary {
            out["primary"] = serde_json::json!(primary.as_str());
        }
    }
    out
}

pub(crate) fn view_encryption(encryption: &Encryption) -> serde_json::Value {
    match encryption {
        Encryption::MicrosoftManaged => {
            serde_json::json!({ "type": super::word(EncryptionType::MicrosoftManaged) })
        }
        Encryption::CustomerManaged(key) => {
            let mut out = serde_json::json!({
                "type": super::word(EncryptionType::CustomerManaged),
                "keyVault": key.key_vault.as_str(),
                "keyUri": key.key_uri.as_str(),
            });
            if let Some(identity) = &key.identity {
                out["identity"] = serde_json::json!(identity.as_str());
            }
            out
        }
    }
}
