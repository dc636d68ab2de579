//! Bad input, one test per mistake: each asserts the exact `file:line:col: path: message`.
//!
//! Manifests are built from [`support::hub`], whose spec continues at line 10, so the
//! positions below can be read off the text.

use std::path::Path;

use crate::support::{SUB, hub, hub_named, id, problems};

/// `bad!(name, text, ["expected diagnostic", …])`: the manifest gives exactly these problems.
macro_rules! bad {
    ($name:ident, $text:expr, [$($expected:expr),+ $(,)?]) => {
        #[test]
        fn $name() {
            let text: String = $text;
            let expected: Vec<String> = vec![$($expected.to_string()),+];
            assert_eq!(problems(&text), expected, "manifest:\n{text}");
        }
    };
}

fn kv(name: &str) -> String {
    id("Microsoft.KeyVault/vaults", name)
}
fn uai(name: &str) -> String {
    id("Microsoft.ManagedIdentity/userAssignedIdentities", name)
}
fn sa(name: &str) -> String {
    id("Microsoft.Storage/storageAccounts", name)
}
const VERSION: &str = "4a1c2f0e9b8d4c7a8e6f5d4c3b2a1908";

#[test]
fn the_base_manifest_is_valid() {
    assert_eq!(problems(&hub("")), Vec::<String>::new());
}

// ---- the file and the document ----

bad!(
    empty_file,
    String::new(),
    [
        "hub.yaml:1:1: the file is empty; expected at least one manifest (apiVersion: hubctl/v1, kind: Hub)"
    ]
);

bad!(
    comments_only_file,
    "# nothing here yet\n\n".to_string(),
    [
        "hub.yaml:1:1: the file is empty; expected at least one manifest (apiVersion: hubctl/v1, kind: Hub)"
    ]
);

bad!(
    wrong_api_version,
    hub("").replace("hubctl/v1", "hubctl/v2"),
    ["hub.yaml:1:13: apiVersion: unsupported apiVersion \"hubctl/v2\", expected \"hubctl/v1\""]
);

bad!(
    wrong_kind,
    hub("").replace("kind: Hub", "kind: Project"),
    [
        "hub.yaml:2:7: kind: unsupported kind \"Project\", expected \"Hub\" or \"Foundry\" (projects are listed under the spec.projects of their hub or Foundry resource)"
    ]
);

bad!(
    missing_api_version,
    hub("").replace("apiVersion: hubctl/v1\n", ""),
    ["hub.yaml:1:1: missing required field `apiVersion`"]
);

bad!(
    document_is_a_list,
    "- apiVersion: hubctl/v1\n".to_string(),
    ["hub.yaml:1:1: expected a mapping, found a list"]
);

bad!(
    unknown_top_level_field,
    hub("").replace("spec:", "specs:"),
    [
        "hub.yaml:1:1: missing required field `spec`",
        "hub.yaml:8:1: specs: unknown field `specs` (did you mean `spec`?), expected one of `apiVersion`, `kind`, `metadata`, `spec`",
    ]
);

bad!(
    yaml_syntax_error,
    hub("  description: [unclosed\n"),
    ["hub.yaml:10:16: invalid YAML: unclosed bracket '['"]
);

bad!(
    duplicate_key,
    hub("  storageAccess: identity\n  storageAccess: credential\n"),
    ["hub.yaml:11:3: invalid YAML: duplicate mapping key: storageAccess"]
);

// ---- metadata ----

bad!(
    hub_name_too_short,
    hub("").replace("name: contoso-hub", "name: x"),
    [
        "hub.yaml:4:9: metadata.name: \"x\" is not a valid workspace name: 3 to 33 characters, letters, digits, '-' and '_', starting with a letter or digit (^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$)"
    ]
);

bad!(
    subscription_not_a_guid,
    hub("").replace(&format!("subscription: {SUB}"), "subscription: contoso-prod"),
    [
        "hub.yaml:5:17: metadata.subscription: \"contoso-prod\" is not a GUID; expected the form 00000000-0000-0000-0000-000000000000"
    ]
);

bad!(
    subscription_unquoted_number,
    hub("").replace(&format!("subscription: {SUB}"), "subscription: 1234"),
    [
        "hub.yaml:5:17: metadata.subscription: \"1234\" is not a GUID; expected the form 00000000-0000-0000-0000-000000000000"
    ]
);

bad!(
    resource_group_ends_with_period,
    hub("").replace("resourceGroup: rg-ai", "resourceGroup: rg-ai."),
    [
        "hub.yaml:6:18: metadata.resourceGroup: \"rg-ai.\" is not a valid resource group name: 1 to 90 characters: letters, digits, '_', '-', '.', '(' and ')', not ending with '.'"
    ]
);

bad!(
    location_display_name,
    hub("").replace("location: eastus2", "location: East US 2"),
    [
        "hub.yaml:7:13: metadata.location: \"East US 2\" is not an Azure region name; expected the short form, lower case without spaces (e.g. eastus2)"
    ]
);

bad!(
    reserved_tag,
    hub("")
        .replace("  location: eastus2\n", "  location: eastus2\n  tags:\n    hubctl-owner: me\n"),
    [
        "hub.yaml:9:5: metadata.tags.hubctl-owner: tag names starting with \"hubctl-\" are written by hubctl itself; remove this tag"
    ]
);

bad!(
    tag_value_not_a_string,
    hub("")
        .replace("  location: eastus2\n", "  location: eastus2\n  tags:\n    costCenter: 4711\n"),
    [
        "hub.yaml:9:17: metadata.tags.costCenter: expected a string, found an integer (put the value in quotes to make it a string)"
    ]
);

bad!(
    tag_name_with_slash,
    hub("")
        .replace("  location: eastus2\n", "  location: eastus2\n  tags:\n    team/owner: data\n"),
    [
        "hub.yaml:9:5: metadata.tags.team/owner: invalid tag: tag names cannot contain '/' (ARM refuses < > % & \\ ? /)"
    ]
);

bad!(
    too_many_tags,
    {
        let tags: String = (0..49).map(|i| format!("    t{i}: v\n")).collect();
        hub("").replace("  location: eastus2\n", &format!("  location: eastus2\n  tags:\n{tags}"))
    },
    [
        "hub.yaml:9:5: metadata.tags: 49 tags; ARM allows at most 50 on a resource, and hubctl adds 2 of its own"
    ]
);

// ---- spec: dependent resources ----

bad!(
    unknown_spec_field_snake_case,
    hub("  display_name: Contoso\n"),
    [
        "hub.yaml:10:3: spec.display_name: unknown field `display_name` (did you mean `displayName`?), expected one of `displayName`, `description`, `storageAccount`, `credentialStore`, `applicationInsights`, `containerRegistry`, `imageBuildCompute`, `identity`, `storageAccess`, `encryption`, `highBusinessImpact`, `network`, `connections`, `access`, `projects`"
    ]
);

bad!(
    storage_account_is_a_key_vault,
    hub("").replace(&sa("contosohubsa"), &kv("contoso-kv")),
    [
        "hub.yaml:9:19: spec.storageAccount: expected the id of a storage account (Microsoft.Storage/storageAccounts), found the id of a Microsoft.KeyVault/vaults"
    ]
);

bad!(
    storage_account_is_a_bare_name,
    hub("").replace(&sa("contosohubsa"), "contosohubsa"),
    [
        "hub.yaml:9:19: spec.storageAccount: \"contosohubsa\" is not an ARM resource id: it must start with /subscriptions/; expected /subscriptions/<guid>/resourceGroups/<group>/providers/<Namespace>/<type>/<name>"
    ]
);

bad!(
    storage_account_missing,
    hub("  description: no storage\n")
        .replace(&format!("  storageAccount: {}\n", sa("contosohubsa")), ""),
    ["hub.yaml:9:3: spec: missing required field `storageAccount`"]
);

bad!(
    credential_store_typo,
    hub("  credentialStore: microsoftmanaged\n"),
    [
        "hub.yaml:10:20: spec.credentialStore: unknown value \"microsoftmanaged\" (did you mean `microsoftManaged`?), expected one of `microsoftManaged`"
    ]
);

bad!(
    credential_store_vault_is_storage,
    hub(&format!("  credentialStore:\n    keyVault: {}\n", sa("other"))),
    [
        "hub.yaml:11:15: spec.credentialStore.keyVault: expected the id of a key vault (Microsoft.KeyVault/vaults), found the id of a Microsoft.Storage/storageAccounts"
    ]
);

bad!(
    app_insights_is_a_registry,
    hub(&format!(
        "  applicationInsights: {}\n",
        id("Microsoft.ContainerRegistry/registries", "acr1")
    )),
    [
        "hub.yaml:10:24: spec.applicationInsights: expected the id of an Application Insights component (Microsoft.Insights/components), found the id of a Microsoft.ContainerRegistry/registries"
    ]
);

bad!(
    container_registry_id_without_name,
    hub(&format!(
        "  containerRegistry: /subscriptions/{SUB}/resourceGroups/rg-ai/providers/Microsoft.ContainerRegistry/registries\n"
    )),
    [format!(
        "hub.yaml:10:22: spec.containerRegistry: \"/subscriptions/{SUB}/resourceGroups/rg-ai/providers/Microsoft.ContainerRegistry/registries\" is not an ARM resource id: the resource type has no name after it; expected /subscriptions/<guid>/resourceGroups/<group>/providers/<Namespace>/<type>/<name>"
    )]
);

// ---- identity ----

bad!(
    user_assigned_without_primary,
    hub(&format!("  identity:\n    type: userAssigned\n    userAssigned: [{}]\n", uai("id1"))),
    [
        "hub.yaml:11:5: spec.identity: `primary` is required when the identity type is userAssigned; name one of the userAssigned identities"
    ]
);

#[test]
fn system_and_user_assigned_without_primary_is_valid() {
    // The public GET example is such a hub: the user-assigned identity may be there only for
    // the customer-managed key, and the system-assigned one stays the hub's own (issue 11).
    let text = hub(&format!(
        "  identity:\n    type: systemAssigned,userAssigned\n    userAssigned: [{}]\n",
        uai("id1")
    ));
    assert_eq!(problems(&text), Vec::<String>::new());
}

bad!(
    primary_not_listed,
    hub(&format!(
        "  identity:\n    type: systemAssigned,userAssigned\n    userAssigned: [{}]\n    primary: {}\n",
        uai("id1"),
        uai("id2")
    )),
    [
        "hub.yaml:13:14: spec.identity.primary: the primary identity is not listed in spec.identity.userAssigned"
    ]
);

bad!(
    system_assigned_with_user_identities,
    hub(&format!("  identity:\n    type: systemAssigned\n    userAssigned: [{}]\n", uai("id1"))),
    [
        "hub.yaml:12:5: spec.identity.userAssigned: `userAssigned` is only allowed when the identity type includes userAssigned"
    ]
);

bad!(
    user_assigned_entry_is_a_vault,
    hub(&format!(
        "  identity:\n    type: userAssigned\n    userAssigned:\n      - {}\n    primary: {}\n",
        kv("kv1"),
        uai("id1")
    )),
    [
        "hub.yaml:13:9: spec.identity.userAssigned[0]: expected the id of a user-assigned managed identity (Microsoft.ManagedIdentity/userAssignedIdentities), found the id of a Microsoft.KeyVault/vaults"
    ]
);

bad!(
    user_assigned_listed_twice,
    hub(&format!(
        "  identity:\n    type: userAssigned\n    userAssigned:\n      - {}\n      - {}\n    primary: {}\n",
        uai("id1"),
        uai("ID1"),
        uai("id1")
    )),
    ["hub.yaml:14:9: spec.identity.userAssigned[1]: this identity is already listed"]
);

bad!(
    identity_type_typo,
    hub("  identity:\n    type: SystemAssigned\n"),
    [
        "hub.yaml:11:11: spec.identity.type: unknown value \"SystemAssigned\" (did you mean `systemAssigned`?), expected one of `systemAssigned`, `userAssigned`, `systemAssigned,userAssigned`"
    ]
);

bad!(
    storage_access_unknown,
    hub("  storageAccess: accessKey\n"),
    [
        "hub.yaml:10:18: spec.storageAccess: unknown value \"accessKey\", expected one of `identity`, `credential`"
    ]
);

// ---- encryption ----

bad!(
    cmk_without_key_vault,
    hub(&format!(
        "  encryption:\n    type: customerManaged\n    keyUri: https://cmk.vault.azure.net/keys/k/{VERSION}\n"
    )),
    ["hub.yaml:11:5: spec.encryption: missing required field `keyVault`"]
);

bad!(
    cmk_key_without_version,
    hub(&format!(
        "  encryption:\n    type: customerManaged\n    keyVault: {}\n    keyUri: https://cmk.vault.azure.net/keys/hub-key\n",
        kv("cmk")
    )),
    [
        "hub.yaml:13:13: spec.encryption.keyUri: \"https://cmk.vault.azure.net/keys/hub-key\" is not a versioned key URI: it has no key version (rotation needs a versioned key); expected https://<vault>.vault.azure.net/keys/<key>/<32-hex-digit version>"
    ]
);

bad!(
    cmk_key_in_another_vault,
    hub(&format!(
        "  encryption:\n    type: customerManaged\n    keyVault: {}\n    keyUri: https://other.vault.azure.net/keys/k/{VERSION}\n",
        kv("cmk")
    )),
    [
        "hub.yaml:13:13: spec.encryption.keyUri: the key is in vault \"other\" but encryption.keyVault names vault \"cmk\"; the key must live in that vault"
    ]
);

bad!(
    microsoft_managed_with_key,
    hub(&format!(
        "  encryption:\n    type: microsoftManaged\n    keyUri: https://cmk.vault.azure.net/keys/k/{VERSION}\n"
    )),
    [
        "hub.yaml:12:5: spec.encryption.keyUri: `keyUri` is only allowed with encryption type customerManaged"
    ]
);

bad!(
    cmk_identity_not_on_hub,
    hub(&format!(
        "  encryption:\n    type: customerManaged\n    keyVault: {}\n    keyUri: https://cmk.vault.azure.net/keys/k/{VERSION}\n    identity: {}\n",
        kv("cmk"),
        uai("cmk-id")
    )),
    [
        "hub.yaml:14:15: spec.encryption.identity: the encryption identity must be one of the hub's user-assigned identities (spec.identity.userAssigned)"
    ]
);

bad!(
    high_business_impact_yes,
    hub("  highBusinessImpact: yes\n"),
    ["hub.yaml:10:23: spec.highBusinessImpact: expected a boolean (true or false), found a string"]
);

// ---- network ----

bad!(
    isolation_unknown,
    hub("  network:\n    isolation: private\n"),
    [
        "hub.yaml:11:16: spec.network.isolation: unknown value \"private\", expected one of `public`, `privateWithInternetOutbound`, `privateWithApprovedOutbound`"
    ]
);

bad!(
    firewall_sku_with_internet_outbound,
    hub("  network:\n    isolation: privateWithInternetOutbound\n    firewallSku: basic\n"),
    [
        "hub.yaml:12:18: spec.network.firewallSku: firewallSku is only allowed with isolation privateWithApprovedOutbound (the firewall exists only there)"
    ]
);

bad!(
    network_monitor_on_public_hub,
    hub("  network:\n    isolation: public\n    networkMonitor: true\n"),
    [
        "hub.yaml:12:21: spec.network.networkMonitor: networkMonitor needs a managed network; set isolation to privateWithInternetOutbound or privateWithApprovedOutbound"
    ]
);

bad!(
    outbound_rules_on_public_hub,
    hub(
        "  network:\n    isolation: public\n    outboundRules:\n      - name: pypi\n        fqdn: pypi.org\n"
    ),
    [
        "hub.yaml:13:7: spec.network.outboundRules: outbound rules need a managed network; set isolation to privateWithInternetOutbound or privateWithApprovedOutbound"
    ]
);

bad!(
    fqdn_rule_with_internet_outbound,
    hub(
        "  network:\n    isolation: privateWithInternetOutbound\n    outboundRules:\n      - name: pypi\n        fqdn: pypi.org\n"
    ),
    [
        "hub.yaml:14:9: spec.network.outboundRules[0].fqdn: fqdn rules are only accepted with isolation privateWithApprovedOutbound; with privateWithInternetOutbound the service takes only privateEndpoint rules"
    ]
);

bad!(
    service_tag_rule_with_internet_outbound,
    hub(
        "  network:\n    isolation: privateWithInternetOutbound\n    outboundRules:\n      - name: adf\n        serviceTag: { tag: DataFactory, protocol: TCP, ports: \"443\" }\n"
    ),
    [
        "hub.yaml:14:9: spec.network.outboundRules[0].serviceTag: serviceTag rules are only accepted with isolation privateWithApprovedOutbound; with privateWithInternetOutbound the service takes only privateEndpoint rules"
    ]
);

/// `spec.network` with approved outbound and the given rules (rules start at line 13).
fn approved(rules: &str) -> String {
    hub(&format!(
        "  network:\n    isolation: privateWithApprovedOutbound\n    outboundRules:\n{rules}"
    ))
}

bad!(
    rule_without_kind,
    approved("      - name: pypi\n"),
    [
        "hub.yaml:13:9: spec.network.outboundRules[0]: an outbound rule needs exactly one of `fqdn`, `privateEndpoint` or `serviceTag`"
    ]
);

bad!(
    rule_with_two_kinds,
    approved(
        "      - name: pypi\n        fqdn: pypi.org\n        serviceTag: { tag: Storage, ports: \"443\" }\n"
    ),
    [
        "hub.yaml:15:9: spec.network.outboundRules[0]: an outbound rule takes exactly one of `fqdn`, `privateEndpoint` or `serviceTag`, found `fqdn` and `serviceTag`"
    ]
);

bad!(
    fqdn_is_a_url,
    approved("      - name: pypi\n        fqdn: https://pypi.org/simple\n"),
    [
        "hub.yaml:14:15: spec.network.outboundRules[0].fqdn: \"https://pypi.org/simple\" is not a host name: write the host name alone, not a URL"
    ]
);

bad!(
    fqdn_on_another_port,
    approved("      - name: pypi\n        fqdn: pypi.org:8080\n"),
    [
        "hub.yaml:14:15: spec.network.outboundRules[0].fqdn: \"pypi.org:8080\" is not a host name: FQDN rules can only open ports 80 and 443; use a private-endpoint or service-tag rule for other ports"
    ]
);

bad!(
    a_storage_connection_needs_its_container,
    hub(&format!(
        "  connections:\n    - name: data\n      category: storage\n      resource: {}\n",
        id("Microsoft.Storage/storageAccounts", "contosodata")
    )),
    [
        "hub.yaml:11:7: spec.connections[0]: a storage connection needs `container`: the blob container it connects to (the service's blob connections name an account and a container)"
    ]
);

bad!(
    a_container_only_goes_with_storage,
    hub(&format!(
        "  connections:\n    - name: search\n      category: aiSearch\n      resource: {}\n      container: data\n",
        id("Microsoft.Search/searchServices", "contoso-search")
    )),
    ["hub.yaml:14:18: spec.connections[0].container: `container` is only for storage connections"]
);

bad!(
    a_container_name_azure_refuses,
    hub(&format!(
        "  connections:\n    - name: data\n      category: storage\n      resource: {}\n      container: Data_Set\n",
        id("Microsoft.Storage/storageAccounts", "contosodata")
    )),
    [
        "hub.yaml:14:18: spec.connections[0].container: \"Data_Set\" is not a blob container name: 3 to 63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit"
    ]
);

bad!(
    api_key_connections_are_refused,
    hub(&format!(
        "  connections:\n    - name: search\n      category: aiSearch\n      resource: {}\n      auth: apiKey\n",
        id("Microsoft.Search/searchServices", "contoso-search")
    )),
    [
        "hub.yaml:14:13: spec.connections[0].auth: API-key connections are not supported yet: the service needs the key in the request and a key never goes in a manifest; use `auth: entraId` (the hub's identity needs a data-plane role on the target)"
    ]
);

bad!(
    private_endpoint_to_the_hubs_own_storage,
    approved(&format!(
        "      - name: own\n        privateEndpoint:\n          resource: {}\n          subresource: blob\n",
        sa("contosohubsa")
    )),
    [
        "hub.yaml:14:9: spec.network.outboundRules[0].privateEndpoint: a private endpoint to the hub's own spec.storageAccount duplicates the one the service adds itself (a Required rule); remove this rule"
    ]
);

bad!(
    private_endpoint_storage_vault_subresource,
    approved(&format!(
        "      - name: lake\n        privateEndpoint:\n          resource: {}\n          subresource: vault\n",
        sa("lake")
    )),
    [
        "hub.yaml:16:24: spec.network.outboundRules[0].privateEndpoint.subresource: \"vault\" is not a private-endpoint subresource of a Microsoft.Storage/storageAccounts; expected one of `blob`, `blob_secondary`, `dfs`, `dfs_secondary`, `file`, `queue`, `queue_secondary`, `table`, `table_secondary`, `web`, `web_secondary`"
    ]
);

bad!(
    private_endpoint_key_vault_blob_subresource,
    approved(&format!(
        "      - name: secrets\n        privateEndpoint: {{ resource: {}, subresource: blob }}\n",
        kv("kv1")
    )),
    [format!(
        "hub.yaml:14:{}: spec.network.outboundRules[0].privateEndpoint.subresource: \"blob\" is not a private-endpoint subresource of a Microsoft.KeyVault/vaults; expected one of `vault`",
        53 + kv("kv1").len()
    )]
);

bad!(
    service_tag_port_out_of_range,
    approved(
        "      - name: adf\n        serviceTag:\n          tag: DataFactory\n          ports: \"443, 70000\"\n"
    ),
    [
        "hub.yaml:16:18: spec.network.outboundRules[0].serviceTag.ports: \"443, 70000\" is not a port list: port 70000 is outside 1-65535; expected ports and ranges such as \"443\" or \"80, 8080-8089\", or \"*\""
    ]
);

bad!(
    duplicate_rule_names_any_case,
    approved(
        "      - name: pypi\n        fqdn: pypi.org\n      - name: PyPI\n        fqdn: files.pythonhosted.org\n"
    ),
    [
        "hub.yaml:15:15: spec.network.outboundRules[1].name: outbound rule \"PyPI\" is already declared at hub.yaml:13:15"
    ]
);

bad!(
    rule_name_with_dot,
    approved("      - name: pypi.org\n        fqdn: pypi.org\n"),
    [
        "hub.yaml:13:15: spec.network.outboundRules[0].name: \"pypi.org\" is not a valid outbound rule name: 3 to 33 characters, letters, digits, '-' and '_', starting with a letter or digit (^[a-zA-Z0-9][a-zA-Z0-9_-]{2,32}$)"
    ]
);

// ---- connections ----

bad!(
    connection_category_unknown,
    hub(&format!(
        "  connections:\n    - name: ais\n      category: openai\n      resource: {}\n",
        id("Microsoft.CognitiveServices/accounts", "ais")
    )),
    [
        "hub.yaml:12:17: spec.connections[0].category: unknown value \"openai\", expected one of `aiServices`, `aiSearch`, `azureOpenAI`, `storage`, `cosmosDb`"
    ]
);

bad!(
    connection_search_points_at_ai_services,
    hub(&format!(
        "  connections:\n    - name: search\n      category: aiSearch\n      resource: {}\n",
        id("Microsoft.CognitiveServices/accounts", "ais")
    )),
    [
        "hub.yaml:13:17: spec.connections[0].resource: expected the id of an AI Search service (Microsoft.Search/searchServices), found the id of a Microsoft.CognitiveServices/accounts"
    ]
);

bad!(
    duplicate_connection_names,
    hub(&format!(
        "  connections:\n    - {{ name: ais, category: aiServices, resource: {r} }}\n    - {{ name: ais, category: aiServices, resource: {r} }}\n",
        r = id("Microsoft.CognitiveServices/accounts", "ais")
    )),
    [
        "hub.yaml:12:15: spec.connections[1].name: connection \"ais\" is already declared at hub.yaml:11:15"
    ]
);

// ---- access ----

bad!(
    principal_not_a_guid,
    hub(
        "  access:\n    assignments:\n      - principal: alice@contoso.com\n        principalType: user\n        role: Reader\n"
    ),
    [
        "hub.yaml:12:20: spec.access.assignments[0].principal: \"alice@contoso.com\" is not a principal; expected an Entra object id (00000000-0000-0000-0000-000000000000) or a name: user:<user principal name>, group:<display name>, app:<display name or appId>"
    ]
);

bad!(
    principal_name_empty,
    hub("  access:\n    assignments:\n      - { principal: \"group: \", role: Reader }\n"),
    [
        "hub.yaml:12:22: spec.access.assignments[0].principal: \"group: \" names no one; write the name after the prefix (e.g. group:Data Scientists)"
    ]
);

bad!(
    principal_type_disagrees_with_the_name,
    hub(
        "  access:\n    assignments:\n      - principal: \"user:alice@contoso.com\"\n        principalType: group\n        role: Reader\n"
    ),
    [
        "hub.yaml:13:24: spec.access.assignments[0].principalType: principalType group disagrees with principal user:alice@contoso.com, which names a user; leave principalType out (the name says it) or write user"
    ]
);

bad!(
    principal_type_missing,
    hub(
        "  access:\n    assignments:\n      - principal: 7d2f6a0e-0000-0000-0000-000000000010\n        role: Reader\n"
    ),
    ["hub.yaml:12:9: spec.access.assignments[0]: missing required field `principalType`"]
);

bad!(
    duplicate_assignment,
    hub(
        "  access:\n    assignments:\n      - { principal: 7d2f6a0e-0000-0000-0000-000000000010, principalType: group, role: Reader }\n      - { principal: 7D2F6A0E-0000-0000-0000-000000000010, principalType: group, role: reader }\n"
    ),
    [
        "hub.yaml:13:9: spec.access.assignments[1]: the same principal already has role \"reader\" at this scope, at hub.yaml:12:9"
    ]
);

bad!(
    role_definition_id_with_bad_guid,
    hub(&format!(
        "  access:\n    assignments:\n      - principal: 7d2f6a0e-0000-0000-0000-000000000010\n        principalType: group\n        role: /subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/not-a-guid\n"
    )),
    [
        "hub.yaml:14:15: spec.access.assignments[0].role: \"not-a-guid\" is not a GUID; expected the form 00000000-0000-0000-0000-000000000000"
    ]
);

bad!(
    exclusive_not_boolean,
    hub("  access:\n    exclusive: \"true\"\n"),
    ["hub.yaml:11:16: spec.access.exclusive: expected a boolean (true or false), found a string"]
);

// ---- projects ----

bad!(
    duplicate_project_names,
    hub("  projects:\n    - name: fraud\n    - name: FRAUD\n"),
    [
        "hub.yaml:12:13: spec.projects[1].name: project \"FRAUD\" is already declared at hub.yaml:11:13"
    ]
);

bad!(
    project_named_like_its_hub,
    hub("  projects:\n    - name: Contoso-Hub\n"),
    [
        "hub.yaml:11:13: spec.projects[0].name: workspace name \"Contoso-Hub\" is already used in resource group rg-ai at hub.yaml:4:9; hubs and projects are workspaces and share one namespace there"
    ]
);

bad!(
    project_unknown_field,
    hub("  projects:\n    - name: fraud\n      hub: contoso-hub\n"),
    [
        "hub.yaml:12:7: spec.projects[0].hub: unknown field `hub`, expected one of `name`, `displayName`, `description`, `access`"
    ]
);

// ---- several documents and files ----

bad!(
    every_problem_at_once_in_order,
    hub("  storageAccess: key\n  network:\n    isolation: private\n")
        .replace("location: eastus2", "location: East US"),
    [
        "hub.yaml:7:13: metadata.location: \"East US\" is not an Azure region name; expected the short form, lower case without spaces (e.g. eastus)",
        "hub.yaml:10:18: spec.storageAccess: unknown value \"key\", expected one of `identity`, `credential`",
        "hub.yaml:12:16: spec.network.isolation: unknown value \"private\", expected one of `public`, `privateWithInternetOutbound`, `privateWithApprovedOutbound`",
    ]
);

bad!(
    second_document_is_checked_too,
    format!("{}---\n{}", hub(""), hub_named("second-hub", "  storageAccess: key\n")),
    [
        "hub.yaml:20:18: spec.storageAccess: unknown value \"key\", expected one of `identity`, `credential`"
    ]
);

bad!(
    same_hub_twice_in_one_file,
    format!("{}---\n{}", hub(""), hub("")),
    [
        "hub.yaml:14:9: metadata.name: hub 00000000-0000-0000-0000-000000000001/rg-ai/contoso-hub is already declared at hub.yaml:4:9"
    ]
);

#[test]
fn same_hub_in_two_files() {
    let a = hub("");
    let b = hub("").replace("name: contoso-hub", "name: CONTOSO-HUB");
    let invalid = hubctl_spec::load_many([
        (Path::new("a.yaml"), a.as_str()),
        (Path::new("b.yaml"), b.as_str()),
    ])
    .unwrap_err();
    let printed: Vec<String> = invalid.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        printed,
        vec![
            "b.yaml:4:9: metadata.name: hub 00000000-0000-0000-0000-000000000001/rg-ai/CONTOSO-HUB is already declared at a.yaml:4:9"
        ]
    );
}

#[test]
fn projects_of_two_hubs_clash_in_one_resource_group() {
    let a = hub("  projects:\n    - name: shared-name\n");
    let b = hub_named("other-hub", "  projects:\n    - name: shared-name\n");
    let invalid = hubctl_spec::load_many([
        (Path::new("a.yaml"), a.as_str()),
        (Path::new("b.yaml"), b.as_str()),
    ])
    .unwrap_err();
    let printed: Vec<String> = invalid.diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        printed,
        vec![
            "b.yaml:11:13: spec.projects[0].name: workspace name \"shared-name\" is already used in resource group rg-ai at a.yaml:11:13; hubs and projects are workspaces and share one namespace there"
        ]
    );
}

#[test]
fn seed_documents_are_not_manifests() {
    let text =
        format!("apiVersion: hubctl/v1\nkind: LocalCloudSeed\nanything: goes\n---\n{}", hub(""));
    let desired = hubctl_spec::load_str(Path::new("hub.yaml"), &text).expect("the seed is skipped");
    assert_eq!(desired.hubs.len(), 1);
}

#[test]
fn alias_bomb_is_an_error_not_a_hang() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..15 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let found = problems(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("hub.yaml:") && found[0].contains("invalid YAML"), "{found:?}");
    assert!(found[0].contains("alias"), "{found:?}");
}
