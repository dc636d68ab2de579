//! The built-in role definitions the emulator serves, with their real GUIDs and current names.
//!
//! Source: MicrosoftDocs/azure-docs `articles/role-based-access-control/built-in-roles.md`
//! (see shared/arm-reference/NOTES.md §9). "Azure AI User" is now displayed as "Foundry User",
//! and "Azure AI Project Manager" as "Foundry Project Manager": the emulator answers with the
//! current names, as ARM does, so a client must not rely on the old ones.

use serde_json::{Value, json};

/// (GUID, current display name, description).
pub const BUILT_IN: &[(&str, &str, &str)] = &[
    (
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        "Owner",
        "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    ),
    (
        "b24988ac-6180-42a0-ab88-20f7382dd24c",
        "Contributor",
        "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.",
    ),
    (
        "acdd72a7-3385-48ef-bd42-f606fba81ae7",
        "Reader",
        "View all resources, but does not allow you to make any changes.",
    ),
    (
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        "User Access Administrator",
        "Lets you manage user access to Azure resources.",
    ),
    (
        "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
        "Role Based Access Control Administrator",
        "Manage access to Azure resources by assigning roles using Azure RBAC. This role does not allow you to manage access using other ways, such as Azure Policy.",
    ),
    (
        "b78c5d69-af96-48a3-bf8d-a8b4d589de94",
        "Azure AI Administrator",
        "A Built-In Role that has all control plane permissions to work with Azure AI and its dependencies.",
    ),
    (
        "64702f94-c441-49e6-a78b-ef80e0188fee",
        "Azure AI Developer",
        "Can perform all actions within an Azure AI resource besides managing the resource itself.",
    ),
    (
        "3afb7f49-54cb-416e-8c09-6dc049efa503",
        "Azure AI Inference Deployment Operator",
        "Can perform all actions required to create a resource deployment within a resource group.",
    ),
    (
        "53ca6127-db72-4b80-b1b0-d745d6d5456d",
        "Foundry User",
        "Grants reader access to AI projects, reader access to AI accounts, and data actions for an AI project.",
    ),
    (
        "eadc314b-1a2d-4efa-be10-5d325db5065e",
        "Foundry Project Manager",
        "Grants permission to manage AI projects and assign the Foundry User role.",
    ),
    (
        "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68",
        "Cognitive Services Contributor",
        "Lets you create, read, update, delete and manage keys of Cognitive Services.",
    ),
    (
        "a97b65f3-24c7-4388-baec-2e87135dc908",
        "Cognitive Services User",
        "Lets you read and list keys of Cognitive Services.",
    ),
    (
        "a001fd3d-188f-4b5d-821b-7da978bf7442",
        "Cognitive Services OpenAI Contributor",
        "Full access including the ability to fine-tune, deploy and generate text",
    ),
    (
        "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
        "Cognitive Services OpenAI User",
        "Read access to view files, models, deployments. The ability to create completion and embedding calls.",
    ),
    (
        "b556d68e-0be0-4f35-a333-ad7ee1ce17ea",
        "Azure AI Enterprise Network Connection Approver",
        "Can approve private endpoint connections to Azure AI common dependency resources.",
    ),
    (
        "c883944f-8b7b-4483-af10-35834be79c4a",
        "Foundry Owner",
        "Grants full access to manage AI projects and accounts.",
    ),
    (
        "e47c6f54-e4a2-4754-9501-8e0985b135e1",
        "Foundry Account Owner",
        "Grants full access to manage AI accounts.",
    ),
    (
        "f6c7c914-8db3-469d-8ca1-694a8f32e121",
        "AzureML Data Scientist",
        "Can perform all actions within an Azure Machine Learning workspace, except for creating or deleting compute resources and modifying the workspace itself.",
    ),
];

/// The role definition resource for a built-in or custom role.
pub fn definition(guid: &str, name: &str, description: &str, built_in: bool) -> Value {
    json!({
        "id": format!("/providers/Microsoft.Authorization/roleDefinitions/{guid}"),
        "name": guid,
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {
            "roleName": name,
            "type": if built_in { "BuiltInRole" } else { "CustomRole" },
            "description": description,
            "assignableScopes": ["/"],
            "permissions": [permission(guid)],
            "createdOn": "2023-01-01T00:00:00.0000000Z",
            "updatedOn": "2025-01-01T00:00:00.0000000Z",
        }
    })
}

/// A role's control-plane actions and notActions, as built-in-roles.md lists them
/// (MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles/*.md): in full
/// for Owner, Contributor, Reader, User Access Administrator and Role Based Access Control
/// Administrator; the workspace and access part for Azure AI Administrator; the control-plane
/// actions of the Foundry and Cognitive Services roles; none for the other roles and for
/// custom roles (the stricter reading: they grant nothing the emulator
/// checks). See docs/emulator.md.
pub fn actions(guid: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match guid {
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635" => (&["*"], &[]),
        "b24988ac-6180-42a0-ab88-20f7382dd24c" => (
            &["*"],
            &[
                "Microsoft.Authorization/*/Delete",
                "Microsoft.Authorization/*/Write",
                "Microsoft.Authorization/elevateAccess/Action",
                "Microsoft.Blueprint/blueprintAssignments/write",
                "Microsoft.Blueprint/blueprintAssignments/delete",
                "Microsoft.Compute/galleries/share/action",
                "Microsoft.Purview/consents/write",
                "Microsoft.Purview/consents/delete",
                "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
                "Microsoft.Subscription/cancel/action",
                "Microsoft.Subscription/enable/action",
            ],
        ),
        "acdd72a7-3385-48ef-bd42-f606fba81ae7" => (&["*/read"], &[]),
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9" => {
            (&["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"], &[])
        }
        "f58310d9-a9f6-439a-9e8d-f62e7b41a168" => (
            &[
                "Microsoft.Authorization/roleAssignments/write",
                "Microsoft.Authorization/roleAssignments/delete",
                "*/read",
                "Microsoft.Support/*",
            ],
            &[],
        ),
        "b78c5d69-af96-48a3-bf8d-a8b4d589de94" => (
            &[
                "Microsoft.Authorization/*/read",
                "Microsoft.MachineLearningServices/*",
                "Microsoft.CognitiveServices/*",
                "Microsoft.Resources/deployments/*",
                "Microsoft.Resources/subscriptions/resourceGroups/read",
            ],
            &[],
        ),
        // The Foundry roles, as MicrosoftDocs/azure-ai-docs
        // `articles/ai-foundry/concepts/rbac-azure-ai-foundry.md` lists them. Project Manager
        // and Account Owner also hold `roleAssignments/write|delete` under a condition (only
        // for the Foundry User role); the emulator does not evaluate role-definition
        // conditions, so it leaves those two out (the stricter reading, docs/emulator.md).
        // Foundry User (Azure AI User).
        "53ca6127-db72-4b80-b1b0-d745d6d5456d" => (
            &[
                "Microsoft.CognitiveServices/*/read",
                "Microsoft.CognitiveServices/accounts/listkeys/action",
                "Microsoft.Insights/alertRules/read",
                "Microsoft.Insights/diagnosticSettings/read",
                "Microsoft.Insights/logDefinitions/read",
                "Microsoft.Insights/metricdefinitions/read",
                "Microsoft.Insights/metrics/read",
                "Microsoft.ResourceHealth/availabilityStatuses/read",
                "Microsoft.Resources/deployments/*",
                "Microsoft.Resources/subscriptions/operationresults/read",
                "Microsoft.Resources/subscriptions/read",
                "Microsoft.Resources/subscriptions/resourceGroups/read",
                "Microsoft.Support/*",
            ],
            &[],
        ),
        // Foundry Project Manager (Azure AI Project Manager).
        "eadc314b-1a2d-4efa-be10-5d325db5065e" => (
            &[
                "Microsoft.CognitiveServices/accounts/*/read",
                "Microsoft.CognitiveServices/accounts/projects/*",
                "Microsoft.CognitiveServices/locations/*/read",
                "Microsoft.Authorization/*/read",
                "Microsoft.Insights/alertRules/*",
                "Microsoft.Resources/deployments/*",
                "Microsoft.Resources/subscriptions/resourceGroups/read",
            ],
            &[],
        ),
        // Foundry Account Owner (Azure AI Account Owner).
        "e47c6f54-e4a2-4754-9501-8e0985b135e1" => (
            &[
                "Microsoft.Authorization/*/read",
                "Microsoft.CognitiveServices/*",
                "Microsoft.Features/features/read",
                "Microsoft.Features/providers/features/read",
                "Microsoft.Features/providers/features/register/action",
                "Microsoft.Insights/alertRules/*",
                "Microsoft.Insights/diagnosticSettings/*",
                "Microsoft.Insights/logDefinitions/read",
                "Microsoft.Insights/metricdefinitions/read",
                "Microsoft.Insights/metrics/read",
                "Microsoft.ResourceHealth/availabilityStatuses/read",
                "Microsoft.Resources/deployments/*",
                "Microsoft.Resources/deployments/operations/read",
                "Microsoft.Resources/subscriptions/operationresults/read",
                "Microsoft.Resources/subscriptions/read",
                "Microsoft.Resources/subscriptions/resourcegroups/deployments/*",
                "Microsoft.Resources/subscriptions/resourceGroups/read",
                "Microsoft.Support/*",
            ],
            &[],
        ),
        // The Cognitive Services roles, from MicrosoftDocs/azure-docs
        // `articles/role-based-access-control/built-in-roles/ai-machine-learning.md`.
        // Cognitive Services Contributor.
        "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68" => (
            &[
                "Microsoft.Authorization/*/read",
                "Microsoft.CognitiveServices/*",
                "Microsoft.Features/features/read",
                "Microsoft.Features/providers/features/read",
                "Microsoft.Insights/alertRules/*",
                "Microsoft.Insights/diagnosticSettings/*",
                "Microsoft.Insights/logDefinitions/read",
                "Microsoft.Insights/metricdefinitions/read",
                "Microsoft.Insights/metrics/read",
                "Microsoft.ResourceHealth/availabilityStatuses/read",
                "Microsoft.Resources/deployments/*",
                "Microsoft.Resources/deployments/operations/read",
                "Microsoft.Resources/subscriptions/operationresults/read",
                "Microsoft.Resources/subscriptions/read",
                "Microsoft.Resources/subscriptions/resourcegroups/deployments/*",
                "Microsoft.Resources/subscriptions/resourceGroups/read",
                "Microsoft.Support/*",
            ],
            &[],
        ),
        // Cognitive Services User.
        "a97b65f3-24c7-4388-baec-2e87135dc908" => (
            &[
                "Microsoft.CognitiveServices/*/read",
                "Microsoft.CognitiveServices/accounts/listkeys/action",
                "Microsoft.Insights/alertRules/read",
                "Microsoft.Insights/diagnosticSettings/read",
                "Microsoft.Insights/logDefinitions/read",
                "Microsoft.Insights/metricdefinitions/read",
                "Microsoft.Insights/metrics/read",
                "Microsoft.ResourceHealth/availabilityStatuses/read",
                "Microsoft.Resources/deployments/operations/read",
                "Microsoft.Resources/subscriptions/operationresults/read",
                "Microsoft.Resources/subscriptions/read",
                "Microsoft.Resources/subscriptions/resourceGroups/read",
                "Microsoft.Support/*",
            ],
            &[],
        ),
        // Cognitive Services OpenAI Contributor.
        "a001fd3d-188f-4b5d-821b-7da978bf7442" => (
            &[
                "Microsoft.CognitiveServices/*/read",
                "Microsoft.CognitiveServices/accounts/deployments/write",
                "Microsoft.CognitiveServices/accounts/deployments/delete",
                "Microsoft.CognitiveServices/accounts/raiPolicies/read",
                "Microsoft.CognitiveServices/accounts/raiPolicies/write",
                "Microsoft.CognitiveServices/accounts/raiPolicies/delete",
                "Microsoft.CognitiveServices/accounts/commitmentplans/read",
                "Microsoft.CognitiveServices/accounts/commitmentplans/write",
                "Microsoft.CognitiveServices/accounts/commitmentplans/delete",
                "Microsoft.Authorization/roleAssignments/read",
                "Microsoft.Authorization/roleDefinitions/read",
            ],
            &[],
        ),
        // Cognitive Services OpenAI User.
        "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd" => (
            &[
                "Microsoft.CognitiveServices/*/read",
                "Microsoft.Authorization/roleAssignments/read",
                "Microsoft.Authorization/roleDefinitions/read",
            ],
            &[],
        ),
        _ => (&[], &[]),
    }
}

/// Owner's GUID.
pub const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

/// A role's `permissions` entry.
pub fn permission(guid: &str) -> Value {
    let (actions, not_actions) = actions(guid);
    json!({ "actions": actions, "notActions": not_actions, "dataActions": [], "notDataActions": [] })
}

/// Whether a pattern with `*` wildcards matches an action (case-insensitive).
fn matches(pattern: &str, action: &str) -> bool {
    let (p, a) = (pattern.to_ascii_lowercase(), action.to_ascii_lowercase());
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == a;
    }
    let Some(mut rest) = a.strip_prefix(parts[0]) else { return false };
    for (i, part) in parts.iter().enumerate().skip(1) {
        if i == parts.len() - 1 {
            return rest.ends_with(part);
        }
        let Some(at) = rest.find(part) else { return false };
        rest = &rest[at + part.len()..];
    }
    true
}

/// Whether the role `guid` lets its holder perform `action`.
pub fn allows(guid: &str, action: &str) -> bool {
    let (actions, not_actions) = actions(guid);
    grants(actions, not_actions, action)
}

/// Whether `actions` minus `not_actions` cover `action`.
pub fn grants<S: AsRef<str>>(actions: &[S], not_actions: &[S], action: &str) -> bool {
    actions.iter().any(|p| matches(p.as_ref(), action))
        && !not_actions.iter().any(|p| matches(p.as_ref(), action))
}

/// The GUID of a built-in role by its current display name (case-insensitive).
pub fn built_in_by_name(name: &str) -> Option<&'static str> {
    BUILT_IN.iter().find(|(_, n, _)| n.eq_ignore_ascii_case(name)).map(|(g, _, _)| *g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foundry_roles_carry_their_cognitive_services_actions() {
        let account_owner = built_in_by_name("Foundry Account Owner").unwrap_or_default();
        assert!(allows(account_owner, "Microsoft.CognitiveServices/accounts/write"));
        assert!(allows(
            account_owner,
            "Microsoft.CognitiveServices/accounts/projects/connections/write"
        ));
        // Its role-assignment writes hang on a condition the emulator does not evaluate.
        assert!(!allows(account_owner, "Microsoft.Authorization/roleAssignments/write"));
        let user = built_in_by_name("Foundry User").unwrap_or_default();
        assert!(allows(user, "Microsoft.CognitiveServices/accounts/projects/read"));
        assert!(!allows(user, "Microsoft.CognitiveServices/accounts/projects/write"));
        let manager = built_in_by_name("Foundry Project Manager").unwrap_or_default();
        assert!(allows(manager, "Microsoft.CognitiveServices/accounts/projects/write"));
        assert!(!allows(manager, "Microsoft.CognitiveServices/accounts/write"));
        let openai = built_in_by_name("Cognitive Services OpenAI Contributor").unwrap_or_default();
        assert!(allows(openai, "Microsoft.CognitiveServices/accounts/deployments/write"));
        assert!(!allows(openai, "Microsoft.CognitiveServices/accounts/write"));
        assert!(allows(
            OWNER,
            "Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete"
        ));
        let reader = built_in_by_name("Reader").unwrap_or_default();
        assert!(!allows(reader, "Microsoft.CognitiveServices/accounts/write"));
        assert!(allows(reader, "Microsoft.CognitiveServices/accounts/read"));
    }
}
