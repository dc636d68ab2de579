//! Why a change is what it is: one enum, one table, rendered in one place.
//!
//! Every reason follows `<Verb>Because<Cause>`. The [`RULES`] table holds, for each refusal
//! Azure makes on a live hub, the reason, what it is about, why, the remedy and the public
//! source — as data, so docs/rules.md is generated from it (a test fails when it is stale)
//! and the docs cannot drift from the code.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Why a change has its action.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum Reason {
    /// The resource does not exist.
    CreateBecauseMissing,
    /// Fields differ and the service changes them in place.
    UpdateBecauseFieldsChanged,
    /// A new key or key version in the same vault: rotated in place, never replaced.
    UpdateBecauseKeyVersionChanged,
    /// The service reports the outbound rule `Failed`: egress through it does not work, so it
    /// is written again.
    UpdateBecauseRuleFailed,
    /// Tags hubctl writes (ownership, applied-manifest digest) are missing or stale.
    UpdateBecauseOwnershipTagsStale,
    /// The hub has no hubctl ownership tag yet: the apply that makes this plan's changes also
    /// writes hubctl's tags (adopts it).
    AdoptWithTheseChanges,
    /// An equal role assignment made outside hubctl, adopted: hubctl's mark is written into its
    /// description (no access changes), so that removing it from the manifest later revokes it.
    UpdateBecauseAssignmentAdopted,
    /// An outbound rule, connection or assignment no manifest declares, at a scope the manifest owns.
    DeleteBecauseNotDeclared,
    /// A role assignment hubctl granted (its mark or its name says so) that the manifest no
    /// longer declares: revoked, whatever `exclusive` says.
    DeleteBecauseRemovedFromManifest,
    /// The hub's manifest is gone, `--prune` was given and hubctl owns the hub.
    DeleteBecauseManifestRemoved,
    /// A soft-deleted Foundry resource holds the manifest's name and `--purge-deleted` was
    /// given: purged, then created anew.
    DeleteBecausePurgeRequested,
    /// A soft-deleted Foundry resource holds the manifest's name and `--recover-deleted` was
    /// given: restored as it was.
    CreateBecauseRecoveringDeleted,
    /// A deployment's model name or format changed and its manifest says `onModelChange:
    /// replace`: deleted (traffic stops) …
    DeleteBecauseModelReplaced,
    /// … and created again with the new model.
    CreateBecauseModelReplaced,
    /// A capability host's settings changed and `--replace-capability-hosts` was given: deleted …
    DeleteBecauseCapabilityHostReplaced,
    /// … and created again with the manifest's settings.
    CreateBecauseCapabilityHostReplaced,
    /// An equivalent role assignment exists under another name: adopted, not duplicated.
    NoOpBecauseEquivalentExists,
    /// Live matches the manifest.
    NoOpBecauseInSync,
    /// Encryption mode is fixed at creation.
    BlockedBecauseEncryptionModeImmutable,
    /// The customer-managed key's vault is fixed.
    BlockedBecauseCmkVaultImmutable,
    /// The identity that reads the customer-managed key is fixed.
    BlockedBecauseCmkIdentityImmutable,
    /// The credential store is fixed at creation.
    BlockedBecauseCredentialStoreImmutable,
    /// The storage account is fixed at creation.
    BlockedBecauseStorageAccountImmutable,
    /// The location is fixed.
    BlockedBecauseLocationImmutable,
    /// High business impact is fixed at creation.
    BlockedBecauseHbiImmutable,
    /// A project's hub is fixed.
    BlockedBecauseProjectHubImmutable,
    /// A managed network cannot be disabled once enabled.
    BlockedBecauseManagedNetworkCannotBeDisabled,
    /// Application Insights cannot be removed once set.
    BlockedBecauseAppInsightsCannotBeRemoved,
    /// The container registry cannot be removed once set.
    BlockedBecauseRegistryCannotBeRemoved,
    /// SystemAssigned,UserAssigned cannot go back to SystemAssigned.
    BlockedBecauseIdentityCannotDropUserAssigned,
    /// A workspace of that name exists but is not a hub (or not a project of this hub).
    BlockedBecauseWorkspaceKindMismatch,
    /// A role name that no built-in role or role definition has.
    BlockedBecauseRoleNotFound,
    /// Shared private links are set when a hub is created.
    BlockedBecauseSharedPrivateLinksFixed,
    /// A principal given by name that was not resolved to an object id before planning.
    BlockedBecausePrincipalNotResolved,
    /// The signed-in identity lacks the ARM action this change needs at its scope.
    BlockedBecauseCallerLacksPermission,
    /// An organisation policy (`--policy`) denies the hub (the detail has its message).
    BlockedBecausePolicyDenied,
    /// An account of that name exists and is not a Foundry resource (kind `AIServices`).
    BlockedBecauseAccountKindMismatch,
    /// A Foundry resource's custom subdomain is fixed once set.
    BlockedBecauseSubdomainImmutable,
    /// The custom subdomain is held by another account (live or soft-deleted).
    BlockedBecauseSubdomainTaken,
    /// A soft-deleted Foundry resource holds the name.
    BlockedBecauseAccountSoftDeleted,
    /// A deployment's model name or format cannot change in place.
    BlockedBecauseDeploymentModelFixed,
    /// The deployments of the run would hold more capacity than the subscription's quota.
    BlockedBecauseQuotaExceeded,
    /// A capability host cannot be updated (or it failed and must be created again).
    BlockedBecauseCapabilityHostFixed,
    /// A capability host of another name already exists there: the service allows one.
    BlockedBecauseSecondCapabilityHost,
    /// The identity a customer-managed key names could not be read (its client id is what
    /// the service takes).
    BlockedBecauseKeyIdentityNotFound,
}

/// A refusal Azure makes on a live hub, as data.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The reason the plan carries.
    pub reason: Reason,
    /// The manifest field it is about.
    pub field: &'static str,
    /// Why Azure refuses it.
    pub why: &'static str,
    /// What to do instead.
    pub remedy: &'static str,
    /// The public source of the rule.
    pub source: &'static str,
}

/// Every refusal, one row each. Sources are in shared/arm-reference/NOTES.md §5.
pub const RULES: &[Rule] = &[
    Rule {
        reason: Reason::BlockedBecauseSharedPrivateLinksFixed,
        field: "spec.network.sharedPrivateLinks",
        why: "shared private links are taken when a hub is created: a workspace PATCH does not carry them, and a PUT may change only a link's requestMessage",
        remedy: "keep the links the hub has (write them as they are, or leave `sharedPrivateLinks` out to leave them alone); for other links, create a new hub with them",
        source: "Azure/azure-rest-api-specs machinelearningservices 2026-05-01 WorkspaceUpdateParameters (no sharedPrivateLinkResources); service error 'When updating a shared private link resource, only requestMessage property is allowed to be modified' (NOTES.md §5)",
    },
    Rule {
        reason: Reason::BlockedBecauseEncryptionModeImmutable,
        field: "spec.encryption.type",
        why: "encryption mode is fixed when a hub or Foundry resource is created; Azure cannot switch a live one between Microsoft-managed and customer-managed keys",
        remedy: "create a new hub (or Foundry resource) with the encryption you want, move the projects' work to it, then delete the old one",
        source: "MicrosoftDocs/azure-ai-docs articles/ai-foundry/how-to/create-azure-ai-resource.md; concepts/encryption-keys-portal.md (NOTES-foundry.md §4)",
    },
    Rule {
        reason: Reason::BlockedBecauseCmkVaultImmutable,
        field: "spec.encryption.keyVault (hub), spec.encryption.keyVaultUri (Foundry)",
        why: "a customer-managed key can only be rotated to keys in the same key vault",
        remedy: "keep the vault and rotate to a new key or key version in it; to use another vault, create a new hub or Foundry resource",
        source: "MicrosoftDocs/azure-ai-docs concepts/encryption-keys-portal.md",
    },
    Rule {
        reason: Reason::BlockedBecauseCmkIdentityImmutable,
        field: "spec.encryption.identity",
        why: "the identity that reads the customer-managed key is set at creation and cannot be updated",
        remedy: "keep the identity; grant it access to new keys in the same vault",
        source: "Azure/azure-rest-api-specs machinelearningservices 2026-05-01 EncryptionUpdateProperties (only keyIdentifier is updatable)",
    },
    Rule {
        reason: Reason::BlockedBecauseCredentialStoreImmutable,
        field: "spec.credentialStore",
        why: "after a hub is created it cannot switch between your key vault and the Microsoft-managed credential store, or to another vault",
        remedy: "keep the credential store; to change it, create a new hub and recreate its connections there",
        source: "MicrosoftDocs/azure-ai-docs articles/ai-foundry/how-to/create-azure-ai-resource.md",
    },
    Rule {
        reason: Reason::BlockedBecauseStorageAccountImmutable,
        field: "spec.storageAccount",
        why: "the storage account cannot be changed once the hub exists (the service answers \"Storage Account update is not supported yet\")",
        remedy: "keep the storage account; to move data, create a new hub on the new account and migrate",
        source: "Azure/azure-rest-api-specs workspaceRP.json (storageAccount); Azure-Samples/get-started-with-ai-chat#65",
    },
    Rule {
        reason: Reason::BlockedBecauseLocationImmutable,
        field: "metadata.location",
        why: "a resource cannot move region (ARM answers 409 InvalidResourceLocation)",
        remedy: "create a hub (or Foundry resource) with another name in the new region and migrate",
        source: "Azure Resource Manager: InvalidResourceLocation (MicrosoftDocs/azure-docs common-deployment-errors.md)",
    },
    Rule {
        reason: Reason::BlockedBecauseHbiImmutable,
        field: "spec.highBusinessImpact",
        why: "the high-business-impact flag can only be set when a workspace is created",
        remedy: "create a new hub with the flag you need",
        source: "MicrosoftDocs/azure-ai-docs articles/machine-learning/concept-data-encryption.md",
    },
    Rule {
        reason: Reason::BlockedBecauseProjectHubImmutable,
        field: "spec.projects[].name",
        why: "a project belongs to the hub it was created in; hubResourceId cannot be updated",
        remedy: "create the project under the new hub with another name, or move this manifest entry back to its hub",
        source: "Azure/azure-rest-api-specs machinelearningservices WorkspacePropertiesUpdateParameters (no hubResourceId)",
    },
    Rule {
        reason: Reason::BlockedBecauseManagedNetworkCannotBeDisabled,
        field: "spec.network.isolation",
        why: "once managed network isolation is enabled it cannot be disabled (\"Managed network cannot be disabled once enabled.\")",
        remedy: "keep privateWithInternetOutbound or privateWithApprovedOutbound; a public hub needs a new hub",
        source: "MicrosoftDocs/azure-ai-docs articles/ai-foundry/how-to/configure-managed-network.md (Limitations)",
    },
    Rule {
        reason: Reason::BlockedBecauseAppInsightsCannotBeRemoved,
        field: "spec.applicationInsights",
        why: "once associated, Application Insights cannot be disassociated (set to null)",
        remedy: "keep an Application Insights component in the manifest; you may point it at another one",
        source: "MicrosoftDocs/azure-ai-docs articles/ai-foundry/how-to/create-azure-ai-resource.md",
    },
    Rule {
        reason: Reason::BlockedBecauseRegistryCannotBeRemoved,
        field: "spec.containerRegistry",
        why: "once associated, the container registry cannot be disassociated (set to null)",
        remedy: "keep a container registry in the manifest; you may point it at another one",
        source: "MicrosoftDocs/azure-ai-docs articles/ai-foundry/how-to/create-azure-ai-resource.md",
    },
    Rule {
        reason: Reason::BlockedBecauseIdentityCannotDropUserAssigned,
        field: "spec.identity.type",
        why: "a workspace can go from SystemAssigned to SystemAssigned,UserAssigned but not back",
        remedy: "keep systemAssigned,userAssigned; you may change which user-assigned identities it has",
        source: "MicrosoftDocs/azure-docs articles/machine-learning/how-to-identity-based-service-authentication.md",
    },
    Rule {
        reason: Reason::BlockedBecauseWorkspaceKindMismatch,
        field: "metadata.name",
        why: "a workspace with this name already exists and is not this hub (another kind, or a project of another hub)",
        remedy: "choose another name, or delete the other workspace first",
        source: "Azure/azure-rest-api-specs machinelearningservices: kind is not updatable",
    },
    Rule {
        reason: Reason::BlockedBecauseRoleNotFound,
        field: "access.assignments[].role",
        why: "no built-in role or role definition visible to the subscription has this name",
        remedy: "check the spelling, or use the role definition's GUID",
        source: "MicrosoftDocs/azure-docs articles/role-based-access-control/built-in-roles.md",
    },
    Rule {
        reason: Reason::BlockedBecausePrincipalNotResolved,
        field: "access.assignments[].principal",
        why: "a principal given by name (user:, group:, app:) was not resolved to an Entra object id through Microsoft Graph before planning; role assignments take object ids only",
        remedy: "plan through hubctl (which resolves names first), or write the object id",
        source: "AUTH/stable/2022-04-01 RoleAssignmentProperties.principalId",
    },
    Rule {
        reason: Reason::BlockedBecauseAccountKindMismatch,
        field: "kind",
        why: "a Cognitive Services account of this name exists with another kind (OpenAI, a single service, …); an account's kind cannot be changed by a write (the one upgrade, Azure OpenAI to AI Services, is a separate operation)",
        remedy: "choose another name; or upgrade an Azure OpenAI resource to a Foundry resource in the portal, then plan again",
        source: "NOTES-foundry.md §4 (Terraform azurerm PR #31063: kind fixed except the OpenAI → AIServices upgrade)",
    },
    Rule {
        reason: Reason::BlockedBecauseSubdomainImmutable,
        field: "spec.customSubDomainName",
        why: "a Foundry resource's custom subdomain is its DNS name and is fixed once set",
        remedy: "keep the subdomain; for another one, create a new Foundry resource with another name and move the work",
        source: "Learn \"custom subdomain names for Azure AI services\" (NOTES-foundry.md §4)",
    },
    Rule {
        reason: Reason::BlockedBecauseSubdomainTaken,
        field: "spec.customSubDomainName",
        why: "custom subdomains are unique across Azure, and a soft-deleted account keeps its subdomain until purged; the service would answer 409 CustomDomainInUse",
        remedy: "choose another customSubDomainName, or purge the soft-deleted account that holds it (with --purge-deleted when it is this manifest's own name)",
        source: "microsoft-foundry-for-vscode issues #52 and #107 (CustomDomainInUse; NOTES-foundry.md §4)",
    },
    Rule {
        reason: Reason::BlockedBecauseAccountSoftDeleted,
        field: "metadata.name",
        why: "a Foundry resource of this name was deleted and is kept, soft-deleted, for 48 hours, holding the name (and its subdomain); a create would be refused with 409 FlagMustBeSetForRestore",
        remedy: "recover it with `hubctl apply --recover-deleted` (it comes back as it was, with its projects; plan again after to converge), or purge it with `hubctl apply --purge-deleted` (permanent) and create it anew; or choose another name",
        source: "Learn \"recover or purge deleted Azure AI services resources\"; Azure/azure-cli #18146 (FlagMustBeSetForRestore; NOTES-foundry.md §6)",
    },
    Rule {
        reason: Reason::BlockedBecauseDeploymentModelFixed,
        field: "spec.deployments[].model.name, .format",
        why: "a deployment serves one model: the service changes its version and capacity in place, not which model it is",
        remedy: "add a deployment with a new name and the new model, move your clients to it, then remove the old one; or write `onModelChange: replace` on the deployment to have hubctl delete and create it (traffic stops in between)",
        source: "NOTES-foundry.md §5 (Deployments_CreateOrUpdate; Terraform azurerm #23226/#23251 on what changes in place)",
    },
    Rule {
        reason: Reason::BlockedBecauseQuotaExceeded,
        field: "spec.deployments[].sku.capacity",
        why: "the deployments this run creates or grows would hold more of the model's quota (per subscription, region, SKU and model) than is free; the service would refuse them with 400 InsufficientQuota half-way through the apply",
        remedy: "lower the capacity, free capacity elsewhere in the subscription and region, deploy in another region or SKU, or request more quota (Azure AI Foundry portal: Quotas)",
        source: "Usages_List (`…/locations/{location}/usages`); InsufficientQuota (Azure/business-process-automation #276; NOTES-foundry.md §4, §8)",
    },
    Rule {
        reason: Reason::BlockedBecauseCapabilityHostFixed,
        field: "spec.agents, spec.projects[].agents",
        why: "a capability host has no update (no PATCH; a changed PUT is refused): its connections and subnet are set when it is created; a host that failed stays failed",
        remedy: "keep the host as it is, or plan with --replace-capability-hosts to delete it and create it again (agents on it stop until the new one is ready, which can take many minutes)",
        source: "cognitiveservices 2025-06-01 CapabilityHosts (no PATCH); MicrosoftDocs/azure-ai-docs agents/concepts/capability-hosts.md (NOTES-foundry.md §4, §5)",
    },
    Rule {
        reason: Reason::BlockedBecauseSecondCapabilityHost,
        field: "spec.agents.name, spec.projects[].agents.name",
        why: "an account or project has at most one capability host; the service refuses a second (\"There is an existing Capability Host with name: …\")",
        remedy: "use the existing host's name in the manifest, or delete that host first",
        source: "azure-ai-foundry/foundry-samples #312; microsoft-foundry-for-vscode #493 (NOTES-foundry.md §4)",
    },
    Rule {
        reason: Reason::BlockedBecauseKeyIdentityNotFound,
        field: "spec.encryption.identity",
        why: "a Foundry resource's customer-managed key names the identity that reads it by client id, and hubctl could not read this user-assigned identity (it does not exist, or the signed-in identity cannot read it); sending the key without it would have the system identity read it",
        remedy: "check the identity's id, create it first, or give the signed-in identity Reader on it",
        source: "cognitiveservices 2025-06-01 KeyVaultProperties.identityClientId",
    },
    Rule {
        reason: Reason::BlockedBecauseCallerLacksPermission,
        field: "(the change's ARM action)",
        why: "the signed-in identity's permissions at the resource group (Permissions_ListForResourceGroup, actions minus notActions of each of its roles) do not include the action this change needs; ARM would refuse it with AuthorizationFailed half-way through the apply",
        remedy: "grant the identity a role that has the action at that scope (access: User Access Administrator or Role Based Access Control Administrator; workspaces, rules and connections: Contributor or Azure AI Administrator; Foundry resources and what is under them: Contributor, Cognitive Services Contributor or Azure AI Account Owner; a purge: a role with deletedAccounts/delete at the subscription), or apply with --skip-blocked to make the other changes (a hub's access changes alone are skipped, the rest of it applied)",
        source: "AUTH/stable/2022-04-01 authorization-RoleDefinitionsCalls.json Permissions_ListForResourceGroup",
    },
];

impl Reason {
    /// The table row of a refusal.
    pub fn rule(self) -> Option<&'static Rule> {
        RULES.iter().find(|r| r.reason == self)
    }
    /// Why, in words.
    pub fn why(self) -> &'static str {
        match self {
            Reason::CreateBecauseMissing => "it does not exist yet",
            Reason::UpdateBecauseFieldsChanged => "fields differ and Azure changes them in place",
            Reason::UpdateBecauseKeyVersionChanged => {
                "a new key or key version in the same vault is rotated in place"
            }
            Reason::UpdateBecauseOwnershipTagsStale => {
                "hubctl's ownership and applied-manifest tags are missing or out of date"
            }
            Reason::AdoptWithTheseChanges => {
                "hubctl has not managed this hub yet: the apply that makes these changes also writes its ownership and applied-manifest tags (`hubctl adopt` writes only the tags)"
            }
            Reason::UpdateBecauseAssignmentAdopted => {
                "an equal assignment made outside hubctl is adopted: hubctl's mark is added to its description, no access changes"
            }
            Reason::DeleteBecauseNotDeclared => {
                "no manifest declares it at a scope the manifest owns"
            }
            Reason::DeleteBecauseRemovedFromManifest => {
                "hubctl granted it and the manifest no longer declares it"
            }
            Reason::DeleteBecauseManifestRemoved => {
                "its manifest is gone, --prune was given and hubctl owns it"
            }
            Reason::DeleteBecausePurgeRequested => {
                "a soft-deleted Foundry resource holds the name and --purge-deleted was given: it is purged for good, then created anew"
            }
            Reason::CreateBecauseRecoveringDeleted => {
                "a soft-deleted Foundry resource holds the name and --recover-deleted was given: it is restored as it was"
            }
            Reason::DeleteBecauseModelReplaced => {
                "its model changes and the manifest says onModelChange: replace: it is deleted first, and traffic to it stops until it is created again"
            }
            Reason::CreateBecauseModelReplaced => {
                "created again with the new model (onModelChange: replace)"
            }
            Reason::DeleteBecauseCapabilityHostReplaced => {
                "its settings changed and --replace-capability-hosts was given: it is deleted first, and agents on it stop until it is created again"
            }
            Reason::CreateBecauseCapabilityHostReplaced => {
                "created again with the manifest's settings (--replace-capability-hosts)"
            }
            Reason::NoOpBecauseEquivalentExists => {
                "an equal assignment made outside hubctl exists: it is adopted, not duplicated (hubctl's mark is written with the hub's next changes or by `hubctl adopt`)"
            }
            Reason::NoOpBecauseInSync => "live matches the manifest",
            Reason::BlockedBecausePolicyDenied => {
                "an organisation policy (--policy) denies this hub; nothing of it is applied"
            }
            blocked => blocked.rule().map(|r| r.why).unwrap_or("refused"),
        }
    }
    /// What to do, for refusals.
    pub fn remedy(self) -> Option<&'static str> {
        if self == Reason::BlockedBecausePolicyDenied {
            return Some(
                "change the manifest so the policy allows it, or have the policy's owners change the policy",
            );
        }
        self.rule().map(|r| r.remedy)
    }
}

/// Warnings that do not stop a plan.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum WarningKind {
    /// Changing App Insights or the registry may break the lineage of earlier jobs and deployments.
    LineageMayBreak,
    /// A user-assigned identity needs the Cognitive Services Contributor role.
    UserAssignedIdentityNeedsRole,
    /// A new private-endpoint rule needs approval on its target.
    PrivateEndpointNeedsApproval,
    /// Moving from approved outbound to internet outbound opens egress.
    TowardsInternetOutbound,
    /// Tags another tool added; reported, not removed.
    ForeignTags,
    /// A hub without hubctl's ownership tag is not deleted even with --prune.
    NotOwned,
    /// A connection no manifest declares and hubctl did not create; left alone.
    ForeignConnection,
    /// The caller's own Owner or User Access Administrator assignment is never removed.
    CallerAccessKept,
    /// A live resource is still being created, updated or deleted.
    ResourceBusy,
    /// A project no manifest declares, under a hub a manifest declares: left alone.
    UndeclaredProject,
    /// The service reports an outbound rule `Failed` (its error information follows).
    RuleFailed,
    /// The service reports an outbound rule not active yet (inactive, provisioning, deleting).
    RuleNotActive,
    /// The service keeps its own value for a setting the manifest declares otherwise.
    ServiceOverrides,
    /// The permission check could not decide for a change (the detail says why).
    PermissionUndecided,
    /// `--skip-permission-check`: the identity's permissions were not checked.
    PermissionCheckSkipped,
    /// An organisation policy's `warn` (the detail has its message, rule and file).
    Policy,
    /// The subscription's quota for a model could not be found: the check could not decide.
    QuotaUnknown,
    /// A deployment no manifest declares, on a Foundry resource a manifest declares: left
    /// alone (deleted only with `--prune`).
    UndeclaredDeployment,
    /// A deployment is replaced: traffic to it stops until it is created again.
    TrafficStops,
    /// A content filter no manifest declares, on a Foundry resource a manifest declares: left
    /// alone (deleted only with `--prune`, when no deployment uses it).
    UndeclaredContentFilter,
    /// A new Foundry resource's subdomain could not be checked across Azure.
    SubdomainUnchecked,
}

impl WarningKind {
    /// The warning in words.
    pub fn text(self) -> &'static str {
        match self {
            WarningKind::LineageMayBreak => {
                "changing Application Insights or the container registry can break the lineage of earlier jobs, deployed endpoints and reruns"
            }
            WarningKind::UserAssignedIdentityNeedsRole => {
                "a user-assigned identity needs the Cognitive Services Contributor role (and access to the resources it reaches) for the hub or Foundry resource to work"
            }
            WarningKind::PrivateEndpointNeedsApproval => {
                "a new private-endpoint rule must be approved on its target; the hub's identity needs Azure AI Enterprise Network Connection Approver there"
            }
            WarningKind::TowardsInternetOutbound => {
                "moving to internet outbound lets the managed network reach the internet; FQDN and service-tag rules must go first"
            }
            WarningKind::ForeignTags => {
                "tags other tools added are reported, not removed; name them in the manifest to manage them"
            }
            WarningKind::NotOwned => {
                "this hub has no hubctl ownership tag (it is not adopted), so --prune deletes neither it nor its undeclared projects; `hubctl adopt` adopts it"
            }
            WarningKind::ForeignConnection => "a connection hubctl did not create is left alone",
            WarningKind::CallerAccessKept => {
                "exclusive access never removes the caller's own Owner or User Access Administrator assignment"
            }
            WarningKind::ResourceBusy => {
                "the resource is in the middle of an operation; apply waits for it"
            }
            WarningKind::UndeclaredProject => {
                "a project no manifest declares is left alone; plan and apply with --prune to delete it"
            }
            WarningKind::RuleFailed => {
                "the service reports this outbound rule as Failed, so egress through it does not work; apply writes it again"
            }
            WarningKind::ServiceOverrides => {
                "the service keeps its own value for this setting, so the manifest's is not applied and not shown as a change"
            }
            WarningKind::PermissionUndecided => {
                "the permission check could not decide whether the signed-in identity may make this change; apply may still be refused"
            }
            WarningKind::PermissionCheckSkipped => {
                "--skip-permission-check: the signed-in identity's permissions were not checked, so a missing one shows only when apply is refused"
            }
            WarningKind::Policy => "an organisation policy (--policy) warns",
            WarningKind::UndeclaredDeployment => {
                "a deployment no manifest declares: left alone (deleted only with --prune)"
            }
            WarningKind::SubdomainUnchecked => {
                "the custom subdomain's availability across Azure could not be checked (checkDomainAvailability was refused): if another account holds it, the create fails with CustomDomainInUse"
            }
            WarningKind::UndeclaredContentFilter => {
                "a content filter no manifest declares: left alone (deleted only with --prune, when no deployment uses it)"
            }
            WarningKind::TrafficStops => {
                "the deployment is deleted and created again (onModelChange: replace): requests to it fail in between"
            }
            WarningKind::QuotaUnknown => {
                "the subscription's quota for this model and SKU is not among the region's usages: the quota check could not decide, and the service may refuse the deployment at apply time (InsufficientQuota)"
            }
            WarningKind::RuleNotActive => {
                "the service reports this outbound rule as not active yet, so egress through it does not work until the managed network is provisioned (on first use, or with the provision action)"
            }
        }
    }
}

/// docs/rules.md, generated from [`RULES`].
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "# What hubctl refuses, and why\n\n\
         Generated from `crates/plan/src/reasons.rs` (a test fails when this file is stale).\n\
         A refused change marks its hub **blocked**: nothing of that hub is applied, and\n\
         `hubctl plan`/`apply` exit 3 with the reason and the remedy.\n\n\
         | reason | field | why | remedy | source |\n|---|---|---|---|---|\n",
    );
    for rule in RULES {
        out.push_str(&format!(
            "| `{:?}` | `{}` | {} | {} | {} |\n",
            rule.reason, rule.field, rule.why, rule.remedy, rule.source
        ));
    }
    out.push_str("\n## Changes made in place (never a replacement)\n\n");
    for reason in [Reason::UpdateBecauseKeyVersionChanged, Reason::UpdateBecauseFieldsChanged] {
        out.push_str(&format!("- `{reason:?}`: {}\n", reason.why()));
    }
    out.push_str(&format!(
        "\n## Access that follows the manifest\n\n\
         Every role assignment hubctl writes ends its description with `{}`; hubctl also knows the\n\
         ones it created earlier by their names (derived from scope, principal and role).\n\n",
        hubctl_model::MARK
    ));
    for reason in [
        Reason::NoOpBecauseEquivalentExists,
        Reason::UpdateBecauseAssignmentAdopted,
        Reason::DeleteBecauseRemovedFromManifest,
        Reason::DeleteBecauseNotDeclared,
    ] {
        out.push_str(&format!("- `{reason:?}`: {}\n", reason.why()));
    }
    out.push_str("\n## Warnings (the plan goes on)\n\n");
    for kind in [
        WarningKind::LineageMayBreak,
        WarningKind::UserAssignedIdentityNeedsRole,
        WarningKind::PrivateEndpointNeedsApproval,
        WarningKind::TowardsInternetOutbound,
        WarningKind::ForeignTags,
        WarningKind::NotOwned,
        WarningKind::ForeignConnection,
        WarningKind::CallerAccessKept,
        WarningKind::ResourceBusy,
        WarningKind::UndeclaredProject,
        WarningKind::RuleFailed,
        WarningKind::RuleNotActive,
        WarningKind::PermissionUndecided,
        WarningKind::PermissionCheckSkipped,
        WarningKind::Policy,
    ] {
        out.push_str(&format!("- `{kind:?}`: {}\n", kind.text()));
    }
    out
}
