//! Reading ARM's answers never panics: workspaces, rules, pages, errors, whatever the bytes.
#![no_main]

use hubctl_model::{ErrorResponse, OutboundRuleResource, Page, RoleAssignment, Workspace};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(workspace) = serde_json::from_slice::<Workspace>(data) {
        // What is read is written back unchanged.
        let _ = serde_json::to_vec(&workspace.for_write());
    }
    let _ = serde_json::from_slice::<Page<Workspace>>(data);
    let _ = serde_json::from_slice::<Page<RoleAssignment>>(data);
    let _ = serde_json::from_slice::<OutboundRuleResource>(data);
    let _ = serde_json::from_slice::<ErrorResponse>(data);
});
