//! Built-in role names to their GUIDs, old names included, resolved without asking ARM.
//!
//! Names drift (Azure AI User is now displayed as Foundry User), so a lookup by name at ARM can
//! come back empty for a manifest written last year. Source: MicrosoftDocs/azure-docs
//! `articles/role-based-access-control/built-in-roles.md` (NOTES.md §9).

/// (name as people write it, GUID). Several names may share a GUID.
pub const WELL_KNOWN: &[(&str, &str)] = &[
    ("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
    ("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c"),
    ("Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7"),
    ("User Access Administrator", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"),
    ("Azure AI Administrator", "b78c5d69-af96-48a3-bf8d-a8b4d589de94"),
    ("Azure AI Developer", "64702f94-c441-49e6-a78b-ef80e0188fee"),
    ("Azure AI Inference Deployment Operator", "3afb7f49-54cb-416e-8c09-6dc049efa503"),
    ("Azure AI User", "53ca6127-db72-4b80-b1b0-d745d6d5456d"),
    ("Foundry User", "53ca6127-db72-4b80-b1b0-d745d6d5456d"),
    ("Azure AI Project Manager", "eadc314b-1a2d-4efa-be10-5d325db5065e"),
    ("Foundry Project Manager", "eadc314b-1a2d-4efa-be10-5d325db5065e"),
    ("Azure AI Owner", "c883944f-8b7b-4483-af10-35834be79c4a"),
    ("Foundry Owner", "c883944f-8b7b-4483-af10-35834be79c4a"),
    ("Azure AI Account Owner", "e47c6f54-e4a2-4754-9501-8e0985b135e1"),
    ("Foundry Account Owner", "e47c6f54-e4a2-4754-9501-8e0985b135e1"),
    ("Cognitive Services Contributor", "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68"),
    ("Cognitive Services OpenAI User", "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"),
    ("Azure AI Enterprise Network Connection Approver", "b556d68e-0be0-4f35-a333-ad7ee1ce17ea"),
    ("AzureML Data Scientist", "f6c7c914-8db3-469d-8ca1-694a8f32e121"),
];

/// Owner and User Access Administrator: the caller's own assignments of these are never removed.
pub const ACCESS_ADMIN: [&str; 2] =
    ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"];

/// The GUID of a built-in role name (case-insensitive), old or current.
pub fn built_in(name: &str) -> Option<&'static str> {
    WELL_KNOWN.iter().find(|(n, _)| n.eq_ignore_ascii_case(name.trim())).map(|(_, g)| *g)
}

/// A display name for a GUID (the current one).
pub fn name_of(guid: &str) -> Option<&'static str> {
    WELL_KNOWN.iter().rev().find(|(_, g)| g.eq_ignore_ascii_case(guid)).map(|(n, _)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_and_new_names_resolve_to_one_role() {
        assert_eq!(built_in("Azure AI User"), built_in("foundry user"));
        assert_eq!(built_in("Azure AI User"), Some("53ca6127-db72-4b80-b1b0-d745d6d5456d"));
        assert_eq!(name_of("53ca6127-db72-4b80-b1b0-d745d6d5456d"), Some("Foundry User"));
        assert_eq!(built_in("Azure AI Janitor"), None);
    }
}
