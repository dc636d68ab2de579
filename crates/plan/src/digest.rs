//! Digests: of a manifest (recorded on the hub by apply, to tell drift from pending), of all
//! manifests (a saved plan's provenance), and of live resources (a saved plan's fingerprints).

use std::collections::BTreeMap;

use hubctl_model::Live;
use hubctl_spec::Desired;
use hubctl_spec::model::Hub;
use sha2::{Digest, Sha256};

fn sha256(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

fn of<T: serde::Serialize>(value: &T) -> String {
    sha256(serde_json::to_string(value).unwrap_or_default().as_bytes())
}

/// The digest of one hub's manifest: its typed form, so comments, order of keys and spelling
/// of defaults do not change it.
pub fn hub(hub: &Hub) -> String {
    of(hub)
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
    out
}
