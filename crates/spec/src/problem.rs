//! Everything that can be wrong with a manifest, one variant per mistake.
//!
//! A variant is data, so tests can match on it and the CLI can count kinds; its `Display` is the
//! message a person reads after `file:line:col: field.path:`. Every message says what was found
//! and what was expected, and where we can guess what the user meant, says that too.

use crate::source::Location;

/// One mistake in a manifest. See [`crate::Diagnostic`] for where it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    // ---- the file itself ----
    /// The file could not be read.
    #[error("cannot read the file: {reason}")]
    Unreadable {
        /// The operating system's reason.
        reason: String,
    },
    /// The file is not UTF-8.
    #[error("the file is not valid UTF-8 (byte {byte} of this line); manifests must be UTF-8 text")]
    NotUtf8 {
        /// 1-based byte offset within the line.
        byte: usize,
    },
    /// The file holds no YAML document.
    #[error("the file is empty; expected at least one manifest (apiVersion: hubctl/v1, kind: Hub)")]
    EmptyFile,
    /// A `---` separated document with nothing in it.
    #[error("this YAML document is empty; remove the extra `---` or write a manifest here")]
    EmptyDocument,
    /// The YAML could not be parsed (or used a refused construct: duplicate key, alias bomb, …).
    #[error("invalid YAML: {message}")]
    Yaml {
        /// The parser's message.
        message: String,
    },
    /// A folder given on the command line holds no manifest file.
    #[error("no *.yaml or *.yml file in this folder")]
    NoManifestFiles,

    // ---- shape ----
    /// A value of the wrong YAML type.
    #[error("expected {expected}, found {found}{}", quote_hint(.expected, .found))]
    WrongType {
        /// What the field takes.
        expected: &'static str,
        /// What was written.
        found: &'static str,
    },
    /// A field this format does not have.
    #[error("unknown field `{name}`{}, expected one of {}", suggest(.suggestion), list(.expected))]
    UnknownField {
        /// The field as written.
        name: String,
        /// The fields allowed here.
        expected: &'static [&'static str],
        /// A close known field, if any.
        suggestion: Option<&'static str>,
    },
    /// A required field is absent.
    #[error("missing required field `{name}`")]
    MissingField {
        /// The field's name.
        name: &'static str,
    },
    /// A value outside a fixed set.
    #[error("unknown value \"{value}\"{}, expected one of {}", suggest(.suggestion), list(.expected))]
    UnknownVariant {
        /// The value as written.
        value: String,
        /// The values allowed.
        expected: &'static [&'static str],
        /// A close allowed value, if any.
        suggestion: Option<&'static str>,
    },
    /// `apiVersion` is not one this hubctl reads.
    #[error("unsupported apiVersion \"{found}\", expected \"hubctl/v1\"")]
    WrongApiVersion {
        /// The value as written.
        found: String,
    },
    /// `kind` is not `Hub` or `Foundry`.
    #[error(
        "unsupported kind \"{found}\", expected \"Hub\" or \"Foundry\" (projects are listed under the spec.projects of their hub or Foundry resource)"
    )]
    WrongKind {
        /// The value as written.
        found: String,
    },
    /// A string that must not be empty is.
    #[error("must not be empty")]
    Empty,
    /// A string longer than the service takes.
    #[error("is {length} characters long; at most {max} are allowed")]
    TooLong {
        /// Its length in characters.
        length: usize,
        /// The limit.
        max: usize,
    },

    // ---- values ----
    /// A name that does not match the service's pattern.
    #[error("\"{value}\" is not a valid {what}: {rule}")]
    InvalidName {
        /// The name as written.
        value: String,
        /// What kind of name (workspace name, outbound rule name, …).
        what: &'static str,
        /// The rule it breaks, in words and pattern.
        rule: &'static str,
    },
    /// Not a GUID.
    #[error("\"{value}\" is not a GUID; expected the form 00000000-0000-0000-0000-000000000000")]
    InvalidGuid {
        /// The value as written.
        value: String,
    },
    /// A principal that is neither an object id nor a name with a known prefix.
    #[error(
        "\"{value}\" is not a principal; expected an Entra object id (00000000-0000-0000-0000-000000000000) or a name: user:<user principal name>, group:<display name>, app:<display name or appId>"
    )]
    InvalidPrincipal {
        /// The value as written.
        value: String,
    },
    /// `user:`, `group:` or `app:` with nothing after it.
    #[error(
        "\"{value}\" names no one; write the name after the prefix (e.g. group:Data Scientists)"
    )]
    EmptyPrincipalName {
        /// The value as written.
        value: String,
    },
    /// A `principalType` that is not the kind the principal's name says.
    #[error(
        "principalType {written} disagrees with principal {name}, which names a {kind}; leave principalType out (the name says it) or write {kind}"
    )]
    PrincipalTypeDisagrees {
        /// The principalType written.
        written: &'static str,
        /// The principal as written.
        name: String,
        /// The kind its prefix says.
        kind: &'static str,
    },
    /// Not an Azure region name.
    #[error(
        "\"{value}\" is not an Azure region name; expected the short form, lower case without spaces (e.g. {hint})"
    )]
    InvalidRegion {
        /// The value as written.
        value: String,
        /// The short form we would guess.
        hint: String,
    },
    /// Not an ARM resource id.
    #[error(
        "\"{value}\" is not an ARM resource id: {reason}; expected /subscriptions/<guid>/resourceGroups/<group>/providers/<Namespace>/<type>/<name>"
    )]
    InvalidArmId {
        /// The value as written.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An ARM id of the wrong resource type for this field.
    #[error("expected the id of {expected_what} ({expected_type}), found the id of a {found_type}")]
    WrongResourceType {
        /// The type the field takes, e.g. `Microsoft.Storage/storageAccounts`.
        expected_type: &'static str,
        /// The same in words.
        expected_what: &'static str,
        /// The type of the id that was written.
        found_type: String,
    },
    /// A customer-managed key URI that is not a versioned Key Vault key URI.
    #[error(
        "\"{value}\" is not a versioned key URI: {reason}; expected https://<vault>.vault.azure.net/keys/<key>/<32-hex-digit version>"
    )]
    InvalidKeyUri {
        /// The value as written.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The key URI's vault is not `encryption.keyVault`.
    #[error(
        "the key is in vault \"{uri_vault}\" but encryption.keyVault names vault \"{key_vault}\"; the key must live in that vault"
    )]
    KeyUriVaultMismatch {
        /// The vault named by the key URI's host.
        uri_vault: String,
        /// The vault named by keyVault.
        key_vault: String,
    },
    /// A field that only makes sense with customer-managed keys.
    #[error("`{field}` is only allowed with encryption type customerManaged")]
    OnlyWithCustomerManaged {
        /// The field.
        field: &'static str,
    },
    /// A deployment's capacity that is not a whole number of at least 1.
    #[error("expected a whole number of capacity units, at least 1 (e.g. 50), found {found}")]
    InvalidCapacity {
        /// What was written.
        found: String,
    },
    /// A deployment's content filter that is neither declared nor a system one.
    #[error(
        "content filter \"{name}\" is not declared in spec.contentFilters and is not a system one (Microsoft.Default, Microsoft.DefaultV2)"
    )]
    UnknownContentFilter {
        /// The name as written.
        name: String,
    },
    /// A capability host naming a connection its scope does not declare.
    #[error(
        "connection \"{name}\" is not declared in the connections of {scope}; a capability host uses connections of its own scope"
    )]
    UnknownAgentsConnection {
        /// The name as written.
        name: String,
        /// `spec` or `spec.projects[i]`.
        scope: String,
    },
    /// A severity on a filter without one, or none where one is needed.
    #[error("{reason}")]
    FilterSeverity {
        /// What is wrong.
        reason: &'static str,
    },
    /// Not an IPv4 address or CIDR range.
    #[error(
        "\"{value}\" is not an IPv4 address or CIDR range; expected e.g. 203.0.113.7 or 203.0.113.0/24"
    )]
    InvalidIpRule {
        /// The value as written.
        value: String,
    },
    /// Not a key vault URI.
    #[error(
        "\"{value}\" is not a key vault URI; expected https://<vault>.vault.azure.net/ (the vault only, without /keys/…)"
    )]
    InvalidKeyVaultUri {
        /// The value as written.
        value: String,
    },
    /// The CMK identity is not one of the hub's user-assigned identities.
    #[error(
        "the encryption identity must be one of the hub's user-assigned identities (spec.identity.userAssigned)"
    )]
    CmkIdentityNotAssigned,
    /// `identity.primary` missing with a user-assigned identity alone.
    #[error(
        "`primary` is required when the identity type is userAssigned; name one of the userAssigned identities"
    )]
    PrimaryIdentityMissing,
    /// `identity.primary` is not in the list.
    #[error("the primary identity is not listed in spec.identity.userAssigned")]
    PrimaryIdentityNotListed,
    /// user-assigned type with no identities.
    #[error(
        "identity type {identity_type} needs at least one user-assigned identity in `userAssigned`"
    )]
    UserAssignedIdentitiesMissing {
        /// The type as written.
        identity_type: &'static str,
    },
    /// Identities listed but the type does not include userAssigned.
    #[error("`{field}` is only allowed when the identity type includes userAssigned")]
    OnlyWithUserAssigned {
        /// The field.
        field: &'static str,
    },
    /// The same identity listed twice.
    #[error("this identity is already listed")]
    DuplicateIdentity,
    /// firewallSku without approved outbound.
    #[error(
        "firewallSku is only allowed with isolation privateWithApprovedOutbound (the firewall exists only there)"
    )]
    FirewallSkuWithoutApprovedOutbound,
    /// networkMonitor with isolation public.
    #[error(
        "networkMonitor needs a managed network; set isolation to privateWithInternetOutbound or privateWithApprovedOutbound"
    )]
    NetworkMonitorWithoutManagedNetwork,
    /// Outbound rules with isolation public.
    #[error(
        "outbound rules need a managed network; set isolation to privateWithInternetOutbound or privateWithApprovedOutbound"
    )]
    OutboundRulesWithoutManagedNetwork,
    /// An FQDN or service-tag rule with internet outbound.
    #[error(
        "{kind} rules are only accepted with isolation privateWithApprovedOutbound; with privateWithInternetOutbound the service takes only privateEndpoint rules"
    )]
    RuleNeedsApprovedOutbound {
        /// `fqdn` or `serviceTag`.
        kind: &'static str,
    },
    /// A `conditionVersion` other than 2.0.
    #[error("{value:?} is not a condition version; the only one is \"2.0\" (the default)")]
    ConditionVersion {
        /// What was written.
        value: String,
    },
    /// A `conditionVersion` without a `condition`.
    #[error("conditionVersion is only meaningful with a condition; remove it or add the condition")]
    ConditionVersionWithoutCondition,
    /// A storage connection without `container`.
    #[error(
        "a storage connection needs `container`: the blob container it connects to (the service's blob connections name an account and a container)"
    )]
    ContainerRequired,
    /// `container` on a connection that is not to storage.
    #[error("`container` is only for storage connections")]
    ContainerOnlyForStorage,
    /// A container name Azure would refuse.
    #[error(
        "{value:?} is not a blob container name: 3 to 63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit"
    )]
    ContainerName {
        /// What was written.
        value: String,
    },
    /// A connection with `auth: apiKey`.
    #[error(
        "API-key connections are not supported yet: the service needs the key in the request and a key never goes in a manifest; use `auth: entraId` (the hub's identity needs a data-plane role on the target)"
    )]
    ApiKeyConnection,
    /// A private-endpoint rule to the hub's own storage, key vault or registry.
    #[error(
        "a private endpoint to the hub's own spec.{field} duplicates the one the service adds itself (a Required rule); remove this rule"
    )]
    PrivateEndpointToOwnResource {
        /// The hub field naming that resource.
        field: &'static str,
    },
    /// A rule with none of the three kinds.
    #[error("an outbound rule needs exactly one of `fqdn`, `privateEndpoint` or `serviceTag`")]
    RuleKindMissing,
    /// A rule with more than one kind.
    #[error(
        "an outbound rule takes exactly one of `fqdn`, `privateEndpoint` or `serviceTag`, found {found}"
    )]
    RuleKindAmbiguous {
        /// The kinds written, e.g. "`fqdn` and `serviceTag`".
        found: String,
    },
    /// An FQDN that is not a host name.
    #[error("\"{value}\" is not a host name: {reason}")]
    InvalidFqdn {
        /// The value as written.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A private-endpoint subresource the target type does not have.
    #[error("\"{value}\" is not a private-endpoint subresource of a {resource_type}; expected one of {}", list(.expected))]
    InvalidSubresource {
        /// The value as written.
        value: String,
        /// The target's resource type.
        resource_type: String,
        /// The subresources it has.
        expected: &'static [&'static str],
    },
    /// A service-tag rule's port list that does not parse.
    #[error(
        "\"{value}\" is not a port list: {reason}; expected ports and ranges such as \"443\" or \"80, 8080-8089\", or \"*\""
    )]
    InvalidPorts {
        /// The value as written.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Two manifests for the same hub (or Foundry resource).
    #[error("{hub} is already declared at {first}")]
    DuplicateHub {
        /// What it is and where: `hub subscription/resourceGroup/name`.
        hub: String,
        /// Where it was first declared.
        first: Location,
    },
    /// Two Foundry manifests with one custom subdomain.
    #[error(
        "custom subdomain \"{name}\" is already used by the Foundry resource declared at {first}; subdomains are unique across Azure, pick another"
    )]
    DuplicateSubdomain {
        /// The subdomain.
        name: String,
        /// Where it was first used.
        first: Location,
    },
    /// Two items of one kind with the same name.
    #[error("{what} \"{name}\" is already declared at {first}")]
    DuplicateName {
        /// What is named twice.
        what: &'static str,
        /// The name.
        name: String,
        /// The first declaration.
        first: Location,
    },
    /// The same assignment twice at one scope.
    #[error("the same principal already has role \"{role}\" at this scope, at {first}")]
    DuplicateAssignment {
        /// The role as written.
        role: String,
        /// The first declaration.
        first: Location,
    },
    /// A project named like a workspace already in the resource group.
    #[error(
        "workspace name \"{name}\" is already used in resource group {resource_group} at {first}; hubs and projects are workspaces and share one namespace there"
    )]
    WorkspaceNameTaken {
        /// The name.
        name: String,
        /// The resource group.
        resource_group: String,
        /// The first use.
        first: Location,
    },
    /// A tag that breaks ARM's tag rules.
    #[error("invalid tag: {reason}")]
    InvalidTag {
        /// What is wrong with it.
        reason: String,
    },
    /// A tag whose name hubctl keeps for itself.
    #[error("tag names starting with \"{prefix}\" are written by hubctl itself; remove this tag")]
    ReservedTag {
        /// The reserved prefix.
        prefix: &'static str,
    },
    /// Too many tags.
    #[error(
        "{count} tags; ARM allows at most {max} on a resource, and hubctl adds {reserved} of its own"
    )]
    TooManyTags {
        /// How many were given.
        count: usize,
        /// ARM's limit.
        max: usize,
        /// How many hubctl adds.
        reserved: usize,
    },
}

fn suggest(suggestion: &Option<&'static str>) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    }
}

fn list(items: &[&str]) -> String {
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

fn quote_hint(expected: &str, found: &str) -> &'static str {
    let scalar = matches!(found, "an integer" | "a number" | "a boolean");
    if scalar && expected.contains("string") {
        " (put the value in quotes to make it a string)"
    } else {
        ""
    }
}
