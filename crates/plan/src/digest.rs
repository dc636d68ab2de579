//! Digests: of a manifest (recorded on the hub by apply, to tell drift from pending), of all
//! manifests (a saved plan's provenance), and of live resources (a saved plan's fingerprints).

use std::collections::BTreeMap;

use hubctl_model::Live;
use hubctl_spec::Desired;
use hubctl_spec::model::{Foundry, Hub};
use sha2::{Digest, Sha256};

fn sha256(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

fn of<T: serde::Serialize>(value: &T) -> String {
    sha256(serde_json::to_string(value).unwrap_or_default().as_bytes())
}

/// The digest of one hub's manifest: its typed form, so comments, order of keys and spelling
/// of defaults do not change it; nor do the order of list items, the case of ARM ids, or
/// writing a built-in role by its old or current name (ARM treats them all as the same).
pub fn hub(hub: &Hub) -> String {
    let mut value = serde_json::to_value(hub).unwrap_or_default();
    canonical(&mut value);
    of(&value)
}

/// The digest of one Foundry resource's manifest, as [`hub`]'s.
pub fn foundry(foundry: &Foundry) -> String {
    let mut value = serde_json::to_value(foundry).unwrap_or_default();
    canonical(&mut value);
    of(&value)
}

fn canonical(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s)
            if s.starts_with("/subscriptions/") || s.starts_with("/SUBSCRIPTIONS/") =>
        {
            *s = hubctl_model::id_key(s);
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                canonical(item);
            }
            items.sort_by_cached_key(|item| item.to_string());
        }
        Value::Object(map) => {
            if let Some(Value::String(name)) = map.get("name")
                && map.len() == 1
                && let Some(guid) = crate::roles::built_in(name)
            {
                // A RoleRef by built-in name: the same role as its GUID.
                *map = [("id".to_string(), Value::String(guid.to_string()))].into_iter().collect();
                return;
            }
            for item in map.values_mut() {
                canonical(item);
            }
        }
        _ => {}
    }
}

/// The shard (0-based, of `count`) a hub belongs to: stable across runs and machines, from its
/// id key, so a CI matrix or several CronJobs split a fleet the same way every time.
pub fn shard_of(hub_key: &str, count: u32) -> u32 {
    let hash = Sha256::digest(hubctl_model::id_key(hub_key).as_bytes());
    let first = u32::from_be_bytes([hash[0], hash[1], hash[2], hash[3]]);
    first % count.max(1)
}

/// The digest of all manifests.
pub fn desired(desired: &Desired) -> String {
    of(desired)
}

/// A fingerprint of every live resource read, by id key.
pub fn fingerprints(live: &Live) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (key, hub) in &live.hubs {
        out.insert(key.clone(), of(&hub.workspace));
        out.insert(format!("{key}#access"), of(&hub.assignments));
        if let Some(connections) = &hub.connections {
            out.insert(format!("{key}#connections"), of(connections));
        }
        for (project_key, project) in &hub.projects {
            out.insert(project_key.clone(), of(&project.workspace));
            out.insert(format!("{project_key}#access"), of(&project.assignments));
        }
    }
    for (key, foundry) in &live.foundries {
        out.insert(key.clone(), of(&foundry.account));
        out.insert(format!("{key}#access"), of(&foundry.assignments));
        out.insert(format!("{key}#connections"), of(&foundry.connections));
        for (host_key, host) in &foundry.capability_hosts {
            out.insert(host_key.clone(), of(host));
        }
        // Read with the content filters (the system ones are always there): so a saved plan's
        // check reads them again exactly when the plan did.
        if !foundry.rai_policies.is_empty() {
            out.insert(
                format!("{key}#deployments"),
                of(&(&foundry.deployments, &foundry.rai_policies)),
            );
        }
        for (project_key, project) in &foundry.projects {
            out.insert(project_key.clone(), of(&project.project));
            out.insert(format!("{project_key}#access"), of(&project.assignments));
            out.insert(format!("{project_key}#connections"), of(&project.connections));
        }
    }
    for (key, deleted) in &live.deleted_accounts {
        out.insert(format!("{key}#deleted"), of(deleted));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn digest(text: &str) -> String {
        super::hub(&hubctl_spec::load_str(Path::new("h.yaml"), text).unwrap().hubs[0])
    }

    #[test]
    fn shards_are_stable_and_spread() {
        let keys: Vec<String> = (0..400).map(|i| format!("/subscriptions/s/resourcegroups/rg/providers/microsoft.machinelearningservices/workspaces/hub-{i}")).collect();
        let mut counts = [0u32; 4];
        for key in &keys {
            let shard = super::shard_of(key, 4);
            assert_eq!(shard, super::shard_of(&key.to_uppercase(), 4), "case does not move a hub");
            counts[shard as usize] += 1;
        }
        assert!(counts.iter().all(|c| (60..=140).contains(c)), "{counts:?}");
    }

    #[test]
    fn order_id_case_and_role_spelling_do_not_change_the_digest() {
        let base = "apiVersion: hubctl/v1\nkind: Hub\nmetadata: { name: hub, subscription: 00000000-0000-0000-0000-000000000001, resourceGroup: rg, location: eastus2 }\nspec:\n  storageAccount: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa\n  access:\n    assignments:\n      - { principal: 7d2f6a0e-0000-0000-0000-000000000010, principalType: group, role: Azure AI User }\n      - { principal: 7d2f6a0e-0000-0000-0000-000000000011, principalType: group, role: Reader }\n";
        let reordered = base
            .replace("      - { principal: 7d2f6a0e-0000-0000-0000-000000000010, principalType: group, role: Azure AI User }\n", "")
            .replace("role: Reader }\n", "role: Reader }\n      - { principal: 7d2f6a0e-0000-0000-0000-000000000010, principalType: group, role: Foundry User }\n")
            .replace("Microsoft.Storage/storageAccounts/sa", "microsoft.storage/storageaccounts/SA");
        assert_ne!(base, reordered);
        assert_eq!(digest(base), digest(&reordered));
        assert_ne!(digest(base), digest(&base.replace("role: Reader", "role: Contributor")));
    }
}
