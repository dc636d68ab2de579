//! The planner's rules and normalisations, one test each, on manifests read by the real loader
//! and live state made by simulating earlier plans.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use hubctl_model::{Live, id_key};
use serde_json::json;

use hubctl_plan::reasons::{RULES, Reason, WarningKind};
use hubctl_plan::*;
use hubctl_test::simulate;

const SUB: &str = "00000000-0000-0000-0000-000000000001";

fn id(kind: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg/providers/{kind}/{name}")
}

/// A manifest with every feature; `edit` replaces text in it.
fn manifest(edits: &[(&str, &str)]) -> String {
    let mut text = format!(
        r#"apiVersion: hubctl/v1
kind: Hub
metadata:
  name: hub-one
  subscription: {SUB}
  resourceGroup: rg
  location: eastus2
  tags: {{ team: ai }}
spec:
  displayName: Hub one
  description: first
  storageAccount: {sa}
  credentialStore: {{ keyVault: {kv} }}
  applicationInsights: {ai}
  containerRegistry: {acr}
  identity: {{ type: "systemAssigned,userAssigned", userAssigned: [{uai}], primary: {uai} }}
  storageAccess: identity
  encryption: {{ type: customerManaged, keyVault: {cmk}, keyUri: "https://cmk.vault.azure.net/keys/k/{v1}", identity: {uai} }}
  highBusinessImpact: false
  network:
    publicNetworkAccess: disabled
    isolation: privateWithApprovedOutbound
    outboundRules:
      - {{ name: pypi, fqdn: pypi.org }}
      - {{ name: lake, privateEndpoint: {{ resource: {lake}, subresource: dfs }} }}
      - {{ name: adf, serviceTag: {{ tag: DataFactory, protocol: TCP, ports: "443" }} }}
  connections:
    - {{ name: ais, category: aiServices, resource: {ais} }}
  access:
    exclusive: true
    assignments:
      - {{ principal: 7d2f6a0e-0000-0000-0000-000000000010, principalType: group, role: Azure AI Developer }}
  projects:
    - name: proj-one
      displayName: Project one
      access:
        assignments:
          - {{ principal: 7d2f6a0e-0000-0000-0000-000000000011, principalType: group, role: Azure AI User }}
"#,
        sa = id("Microsoft.Storage/storageAccounts", "sa"),
        kv = id("Microsoft.KeyVault/vaults", "kv"),
        ai = id("Microsoft.Insights/components", "ai"),
        acr = id("Microsoft.ContainerRegistry/registries", "acr"),
        uai = id("Microsoft.ManagedIdentity/userAssignedIdentities", "uai"),
        cmk = id("Microsoft.KeyVault/vaults", "cmk"),
        v1 = "0123456789abcdef0123456789abcdef",
        lake = id("Microsoft.Storage/storageAccounts", "lake"),
        ais = id("Microsoft.CognitiveServices/accounts", "ais"),
    );
    for (from, to) in edits {
        assert!(text.contains(from), "edit {from:?} does not apply");
        text = text.replacen(from, to, 1);
    }
    text
}

fn desired(text: &str) -> hubctl_spec::Desired {
    hubctl_spec::load_str(Path::new("hub.yaml"), text).unwrap_or_else(|e| {
        panic!("{:?}", e.diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>())
    })
}

fn options() -> PlanOptions {
    PlanOptions {
        caller: Some("11111111-0000-0000-0000-0000000000a1".into()),
        target: "https://arm".into(),
        tool_version: "test".into(),
        ..PlanOptions::default()
    }
}

/// Live state after the base manifest was applied.
fn applied(text: &str) -> Live {
    let desired = desired(text);
    let first = plan(&desired, &Live::default(), &options());
    let mut live = simulate::apply(&Live::default(), &first);
    // Connections are read for hubs that declare them.
    for hub in live.hubs.values_mut() {
        hub.connections.get_or_insert_with(Vec::new);
    }
    live
}

/// The base manifest applied, live edited by `edit` (as the service or a person would), then
/// planned again with the same manifest: the plan, which the caller expects to be quiet.
/// The plan of the base manifest over its own applied state, edited by `edit`.
fn planned_after(edit: impl FnOnce(&mut hubctl_model::LiveHub)) -> Plan {
    let text = manifest(&[]);
    let mut live = applied(&text);
    edit(live.hubs.values_mut().next().unwrap());
    plan(&desired(&text), &live, &options())
}

fn replanned(edit: impl FnOnce(&mut hubctl_model::LiveHub)) -> Plan {
    let plan = planned_after(edit);
    assert!(actionable(&plan).is_empty(), "{:#?}", actionable(&plan));
    plan
}

fn hub_change(plan: &Plan) -> &Change {
    plan.changes.iter().find(|c| c.kind == ResourceKind::Hub).expect("a hub change")
}

fn actionable(plan: &Plan) -> Vec<&Change> {
    plan.changes.iter().filter(|c| c.action != Action::NoOp).collect()
}

#[test]
fn from_nothing_everything_is_created_in_order() {
    let plan = plan(&desired(&manifest(&[])), &Live::default(), &options());
    let kinds: Vec<(ResourceKind, Action)> =
        plan.changes.iter().map(|c| (c.kind, c.action)).collect();
    assert_eq!(
        kinds,
        vec![
            (ResourceKind::Hub, Action::Create),
            (ResourceKind::OutboundRule, Action::Create),
            (ResourceKind::OutboundRule, Action::Create),
            (ResourceKind::OutboundRule, Action::Create),
            (ResourceKind::Connection, Action::Create),
            (ResourceKind::Project, Action::Create),
            (ResourceKind::RoleAssignment, Action::Create),
            (ResourceKind::RoleAssignment, Action::Create),
        ]
    );
    // Each change waits for the one before it in its hub.
    for pair in plan.changes.windows(2) {
        assert_eq!(pair[1].depends_on, vec![pair[0].id.clone()]);
    }
    assert_eq!(plan.counts().add, 8);
    assert!(plan.warnings.iter().any(|w| w.kind == WarningKind::PrivateEndpointNeedsApproval));
    assert!(plan.warnings.iter().any(|w| w.kind == WarningKind::UserAssignedIdentityNeedsRole));
}

#[test]
fn applying_a_plan_and_planning_again_changes_nothing() {
    let text = manifest(&[]);
    let live = applied(&text);
    let again = plan(&desired(&text), &live, &options());
    assert!(actionable(&again).is_empty(), "{:#?}", actionable(&again));
    assert_eq!(again.hubs.values().next().unwrap().classification, Classification::InSync);
}

#[test]
fn the_same_inputs_give_byte_identical_plans() {
    let text = manifest(&[]);
    let a = crate::saved::to_text(&plan(&desired(&text), &Live::default(), &options()));
    let b = crate::saved::to_text(&plan(&desired(&text), &Live::default(), &options()));
    assert_eq!(a, b);
}

/// One test per rule: the edit makes the hub's change Blocked with that reason.
fn blocked_by(edits: &[(&str, &str)], reason: Reason) {
    let live = applied(&manifest(&[]));
    let plan = plan(&desired(&manifest(edits)), &live, &options());
    let blocked: Vec<&Change> =
        plan.changes.iter().filter(|c| c.action == Action::Blocked).collect();
    assert!(
        blocked.iter().any(|c| c.reasons.contains(&reason)),
        "{reason:?} expected, got {blocked:#?}"
    );
    assert!(plan.is_blocked());
    assert!(reason.remedy().is_some_and(|r| !r.is_empty()));
}

#[test]
fn rule_encryption_mode_is_fixed() {
    blocked_by(
        &[(
            r#"encryption: { type: customerManaged, keyVault: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/cmk, keyUri: "https://cmk.vault.azure.net/keys/k/0123456789abcdef0123456789abcdef", identity: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai }"#,
            "encryption: { type: microsoftManaged }",
        )],
        Reason::BlockedBecauseEncryptionModeImmutable,
    );
}

#[test]
fn rule_cmk_vault_is_fixed() {
    blocked_by(
        &[("vaults/cmk, keyUri: \"https://cmk.", "vaults/cmk2, keyUri: \"https://cmk2.")],
        Reason::BlockedBecauseCmkVaultImmutable,
    );
}

#[test]
fn rule_cmk_identity_is_fixed() {
    let uai2 = id("Microsoft.ManagedIdentity/userAssignedIdentities", "uai2");
    blocked_by(
        &[
            (
                "userAssigned: [/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai]",
                &format!(
                    "userAssigned: [/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai, {uai2}]"
                ),
            ),
            (
                "0123456789abcdef0123456789abcdef\", identity: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai",
                &format!("0123456789abcdef0123456789abcdef\", identity: {uai2}"),
            ),
        ],
        Reason::BlockedBecauseCmkIdentityImmutable,
    );
}

#[test]
fn rule_credential_store_is_fixed() {
    blocked_by(
        &[(
            "credentialStore: { keyVault: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv }",
            "credentialStore: microsoftManaged",
        )],
        Reason::BlockedBecauseCredentialStoreImmutable,
    );
}

#[test]
fn rule_storage_account_is_fixed() {
    blocked_by(
        &[("storageAccounts/sa\n", "storageAccounts/sa2\n")],
        Reason::BlockedBecauseStorageAccountImmutable,
    );
}

#[test]
fn rule_location_is_fixed() {
    blocked_by(
        &[("location: eastus2", "location: westeurope")],
        Reason::BlockedBecauseLocationImmutable,
    );
}

#[test]
fn rule_hbi_is_fixed() {
    blocked_by(
        &[("highBusinessImpact: false", "highBusinessImpact: true")],
        Reason::BlockedBecauseHbiImmutable,
    );
}

#[test]
fn rule_managed_network_cannot_be_disabled() {
    let edits = [(
        "isolation: privateWithApprovedOutbound\n    outboundRules:\n      - { name: pypi, fqdn: pypi.org }\n      - { name: lake, privateEndpoint: { resource: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/lake, subresource: dfs } }\n      - { name: adf, serviceTag: { tag: DataFactory, protocol: TCP, ports: \"443\" } }",
        "isolation: public",
    )];
    blocked_by(&edits, Reason::BlockedBecauseManagedNetworkCannotBeDisabled);
}

#[test]
fn rule_app_insights_cannot_be_removed() {
    blocked_by(
        &[(
            "  applicationInsights: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Insights/components/ai\n",
            "",
        )],
        Reason::BlockedBecauseAppInsightsCannotBeRemoved,
    );
}

#[test]
fn rule_registry_cannot_be_removed() {
    blocked_by(
        &[(
            "  containerRegistry: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/acr\n",
            "",
        )],
        Reason::BlockedBecauseRegistryCannotBeRemoved,
    );
}

#[test]
fn rule_identity_cannot_drop_user_assigned() {
    // A hub without CMK, so the identity can be written alone.
    let base = manifest(&[(
        r#"encryption: { type: customerManaged, keyVault: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/cmk, keyUri: "https://cmk.vault.azure.net/keys/k/0123456789abcdef0123456789abcdef", identity: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai }"#,
        "encryption: { type: microsoftManaged }",
    )]);
    let live = applied(&base);
    let edited = base.replace(r#"identity: { type: "systemAssigned,userAssigned", userAssigned: [/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai], primary: /subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai }"#, "identity: { type: systemAssigned }");
    assert_ne!(edited, base);
    let plan = plan(&desired(&edited), &live, &options());
    assert!(
        hub_change(&plan).reasons.contains(&Reason::BlockedBecauseIdentityCannotDropUserAssigned),
        "{:#?}",
        hub_change(&plan)
    );
}

#[test]
fn rule_project_hub_is_fixed() {
    // proj-one exists under hub-one; a second manifest claims it for hub-two.
    let base = manifest(&[]);
    let two = manifest(&[("name: hub-one", "name: hub-two"), ("name: proj-one", "name: proj-two")]);
    let live = {
        let desired = hubctl_spec::load_many([
            (Path::new("a.yaml"), base.as_str()),
            (Path::new("b.yaml"), two.as_str()),
        ])
        .unwrap();
        simulate::apply(&Live::default(), &plan(&desired, &Live::default(), &options()))
    };
    let moved_base = base.replace("  projects:\n    - name: proj-one\n      displayName: Project one\n      access:\n        assignments:\n          - { principal: 7d2f6a0e-0000-0000-0000-000000000011, principalType: group, role: Azure AI User }\n", "");
    let moved_two = two.replace("name: proj-two", "name: proj-one");
    let desired = hubctl_spec::load_many([
        (Path::new("a.yaml"), moved_base.as_str()),
        (Path::new("b.yaml"), moved_two.as_str()),
    ])
    .unwrap();
    let plan = plan(&desired, &live, &options());
    assert!(
        plan.changes.iter().any(|c| c.kind == ResourceKind::Project
            && c.action == Action::Blocked
            && c.reasons.contains(&Reason::BlockedBecauseProjectHubImmutable)),
        "{:#?}",
        actionable(&plan)
    );
}

#[test]
fn an_undeclared_project_is_warned_about_as_such_not_as_an_unowned_hub() {
    // Issue 18: the warning said "this hub has no hubctl ownership tag" for a hub that has it.
    let live = applied(&manifest(&[]));
    let without = manifest(&[]).replace("    - name: proj-one\n", "    - name: proj-two\n");
    let plan = plan(&desired(&without), &live, &options());
    let warning = plan
        .warnings
        .iter()
        .find(|w| w.resource.to_ascii_lowercase().ends_with("/proj-one"))
        .expect("a warning about the undeclared project");
    assert_eq!(warning.kind, WarningKind::UndeclaredProject);
    assert_eq!(warning.detail, "hub-one/proj-one");
    assert!(warning.kind.text().contains("--prune"));
    assert!(plan.warnings.iter().all(|w| w.kind != WarningKind::NotOwned));
}

#[test]
fn workspaces_of_other_kinds_take_the_names_of_hubs_and_projects() {
    // A Default workspace with the hub's name, a FeatureStore with the project's (issue 11).
    let other = |name: &str, kind: &str| hubctl_model::Workspace {
        id: id("Microsoft.MachineLearningServices/workspaces", name),
        name: name.into(),
        location: "eastus2".into(),
        kind: Some(kind.into()),
        ..hubctl_model::Workspace::default()
    };
    for (name, kind, refused) in [
        ("hub-one", "Default", ResourceKind::Hub),
        ("proj-one", "FeatureStore", ResourceKind::Project),
    ] {
        let workspace = other(name, kind);
        let mut live = Live::default();
        live.other_workspaces.insert(id_key(&workspace.id), workspace);
        let plan = plan(&desired(&manifest(&[])), &live, &options());
        let change = plan.changes.iter().find(|c| c.kind == refused).unwrap();
        assert_eq!(change.action, Action::Blocked, "{kind}: {change:#?}");
        assert_eq!(change.reasons, vec![Reason::BlockedBecauseWorkspaceKindMismatch]);
    }
}

#[test]
fn rule_workspace_kind_mismatch() {
    // A project named like the hub a new manifest declares.
    let live = applied(&manifest(&[]));
    let other =
        manifest(&[("name: proj-one", "name: proj-zzz"), ("name: hub-one", "name: proj-one")]);
    let plan = plan(&desired(&other), &live, &options());
    assert!(
        plan.changes
            .iter()
            .any(|c| c.reasons.contains(&Reason::BlockedBecauseWorkspaceKindMismatch)),
        "{:#?}",
        actionable(&plan)
    );
}

#[test]
fn rule_role_not_found() {
    blocked_by(
        &[("role: Azure AI Developer", "role: Azure AI Janitor")],
        Reason::BlockedBecauseRoleNotFound,
    );
}

#[test]
fn rule_principal_not_resolved() {
    // A name reaches the planner only resolved (hubctl_apply::read::resolve_principals); one
    // that is not is refused, never sent as an empty principal id.
    blocked_by(
        &[(
            "principal: 7d2f6a0e-0000-0000-0000-000000000010, principalType: group",
            "principal: \"group:AI developers\"",
        )],
        Reason::BlockedBecausePrincipalNotResolved,
    );
}

#[test]
fn rule_caller_lacks_permission() {
    use hubctl_plan::permissions::{CallerPermissions, Grant, ScopeAccess, check, resource_groups};
    let text = manifest(&[]);
    let fresh = || plan(&desired(&text), &Live::default(), &options());
    let groups = resource_groups(&fresh());
    assert_eq!(groups.len(), 1, "one resource group to read: {groups:?}");
    let (sub, rg) = groups.into_iter().next().unwrap();
    let at = |grants: Vec<Grant>, conditioned: bool| CallerPermissions {
        caller: "the-pipeline".into(),
        scopes: [(
            format!("/subscriptions/{sub}/resourcegroups/{rg}"),
            ScopeAccess::Read { grants, conditioned, conditions_unread: None, denies: Vec::new() },
        )]
        .into(),
    };
    let grant = |actions: &[&str], not: &[&str]| Grant {
        actions: actions.iter().map(|a| a.to_string()).collect(),
        not_actions: not.iter().map(|a| a.to_string()).collect(),
    };
    // A Contributor: everything but access.
    let mut contributor = fresh();
    check(&mut contributor, &at(vec![grant(&["*"], &["Microsoft.Authorization/*/Write"])], false));
    for change in &contributor.changes {
        let refused = change.action == Action::Blocked;
        assert_eq!(refused, change.kind == ResourceKind::RoleAssignment, "{change:#?}");
        if refused {
            assert_eq!(change.reasons, [Reason::BlockedBecauseCallerLacksPermission]);
            let detail = change.detail.as_deref().unwrap();
            assert!(
                detail
                    .contains("the-pipeline lacks `Microsoft.Authorization/roleAssignments/write`"),
                "{detail}"
            );
        }
    }
    // Workspace writes without joining hubs: the hub is made, its projects are refused.
    let mut no_join = fresh();
    let writes = [
        "Microsoft.MachineLearningServices/workspaces/*/write",
        "Microsoft.MachineLearningServices/workspaces/write",
        "Microsoft.Authorization/*",
    ];
    check(&mut no_join, &at(vec![grant(&writes, &[])], false));
    for change in &no_join.changes {
        let refused = change.action == Action::Blocked;
        assert_eq!(refused, change.kind == ResourceKind::Project, "{change:#?}");
        if refused {
            assert!(change.detail.as_deref().unwrap().contains("workspaces/hubs/join/action"));
        }
    }
    // An Owner: nothing refused; under an ABAC condition, a warning instead.
    let mut owner = fresh();
    check(&mut owner, &at(vec![grant(&["*"], &[])], false));
    assert_eq!(owner, fresh());
    let mut conditioned = fresh();
    check(&mut conditioned, &at(vec![grant(&["*"], &[])], true));
    assert!(conditioned.changes.iter().all(|c| c.action != Action::Blocked));
    assert!(conditioned.warnings.iter().any(|w| w.kind == WarningKind::PermissionUndecided));
}

#[test]
fn every_rule_has_a_test_and_docs_rules_md_is_current() {
    // The tests above (and the Foundry ones beside them) name every reason in RULES.
    let source = [include_str!("rules.rs"), include_str!("foundry.rs")].concat();
    for rule in RULES {
        assert!(
            source.contains(&format!("Reason::{:?}", rule.reason)),
            "{:?} has no test",
            rule.reason
        );
    }
    let committed = include_str!("../../../docs/rules.md");
    assert!(
        committed == crate::reasons::rules_markdown(),
        "docs/rules.md is stale: run `cargo run -p hubctl -- rules > docs/rules.md`"
    );
}

#[test]
fn a_new_key_version_in_the_same_vault_rotates_in_place() {
    let live = applied(&manifest(&[]));
    let plan = plan(
        &desired(&manifest(&[(
            "keys/k/0123456789abcdef0123456789abcdef",
            "keys/k2/fedcba9876543210fedcba9876543210",
        )])),
        &live,
        &options(),
    );
    let hub = hub_change(&plan);
    assert_eq!(hub.action, Action::Update);
    assert_eq!(hub.reasons, vec![Reason::UpdateBecauseKeyVersionChanged]);
    assert_eq!(
        hub.after.as_ref().unwrap()["properties"]["encryption"],
        json!({"keyVaultProperties": {"keyIdentifier": "https://cmk.vault.azure.net/keys/k2/fedcba9876543210fedcba9876543210"}})
    );
}

#[test]
fn ids_differing_in_case_or_a_trailing_slash_are_not_drift() {
    replanned(|hub| {
        let p = &mut hub.workspace.properties;
        p.storage_account = p.storage_account.as_ref().map(|s| format!("{}/", s.to_uppercase()));
        p.application_insights = p
            .application_insights
            .as_ref()
            .map(|s| s.replace("Microsoft.Insights", "microsoft.insights"));
    });
}

#[test]
fn role_definition_ids_compare_by_guid_whatever_their_scope() {
    replanned(|hub| {
        let assignment = &mut hub.assignments[0];
        let guid = hubctl_model::role_definition_guid(&assignment.properties.role_definition_id);
        assignment.properties.role_definition_id =
            format!("/providers/Microsoft.Authorization/roleDefinitions/{}", guid.to_uppercase());
    });
}

#[test]
fn the_services_own_rules_are_ignored() {
    replanned(|hub| {
        let rules = hub
            .workspace
            .properties
            .managed_network
            .as_mut()
            .unwrap()
            .outbound_rules
            .as_mut()
            .unwrap();
        let required: hubctl_model::OutboundRule = serde_json::from_value(json!({"type": "ServiceTag", "category": "Required", "destination": {"serviceTag": "AzureActiveDirectory"}})).unwrap();
        rules.insert("__SYS_ST_AzureActiveDirectory".into(), required);
    });
}

#[test]
fn hbi_turned_on_by_the_service_with_cmk_is_not_drift() {
    let plan = replanned(|hub| hub.workspace.properties.hbi_workspace = Some(true));
    // Shown as a note with the reason, not silently.
    let note = plan.warnings.iter().find(|w| w.kind == WarningKind::ServiceOverrides);
    assert!(
        note.is_some_and(|n| n.detail.starts_with("highBusinessImpact: true, set by the service"))
    );
}

#[test]
fn an_update_of_nothing_but_hubctls_record_says_so_and_is_not_counted_as_a_change() {
    // `exclusive` changes the manifest's digest but nothing in Azure (no assignment to remove).
    let live = applied(&manifest(&[]));
    let plan =
        plan(&desired(&manifest(&[("exclusive: true", "exclusive: false")])), &live, &options());
    let hub = hub_change(&plan);
    assert!(hub.is_record_only(), "{hub:#?}");
    let counts = plan.counts();
    assert_eq!((counts.change, counts.record), (0, 1));
}

#[test]
fn app_insights_read_back_null_after_a_project_update_is_not_drift() {
    let text = manifest(&[]);
    let mut live = applied(&text);
    live.hubs.values_mut().next().unwrap().workspace.properties.application_insights = None;
    let quiet = plan(&desired(&text), &live, &options());
    assert!(
        actionable(&quiet).is_empty(),
        "the manifest is the one applied: {:#?}",
        actionable(&quiet)
    );
    // With another manifest than the one applied, it is set again.
    let changed = plan(
        &desired(&manifest(&[("description: first", "description: second")])),
        &live,
        &options(),
    );
    let hub = hub_change(&changed);
    assert!(hub.fields.iter().any(|f| f.field == "spec.applicationInsights"), "{hub:#?}");
}

#[test]
fn tags_other_tools_add_are_reported_not_fought() {
    let plan = replanned(|hub| {
        hub.workspace.tags.as_mut().unwrap().insert("createdByToolkit".into(), "x".into());
    });
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.kind == WarningKind::ForeignTags && w.detail.contains("createdByToolkit"))
    );
}

#[test]
fn a_projects_inherited_settings_are_never_compared() {
    replanned(|hub| {
        let storage = hub.workspace.properties.storage_account.clone();
        let project = hub.projects.values_mut().next().unwrap();
        project.workspace.properties.storage_account = storage;
        project.workspace.properties.managed_network = Some(Default::default());
    });
}

#[test]
fn an_equivalent_assignment_under_another_name_is_adopted() {
    let plan = replanned(|hub| {
        let assignment = &mut hub.assignments[0];
        assignment.name = "99999999-9999-4999-8999-999999999999".into();
        assignment.id = format!(
            "{}/providers/Microsoft.Authorization/roleAssignments/{}",
            hub.workspace.id, assignment.name
        );
    });
    // Still hubctl's mark in its description: hubctl's own, kept as it is.
    assert!(actionable(&plan).is_empty(), "{:#?}", actionable(&plan));
    // Made by someone else (no mark, another name): adopted under an adopted hub — hubctl's
    // mark written, nothing else, counted as bookkeeping.
    let stranger = |hub: &mut hubctl_model::LiveHub| {
        let assignment = &mut hub.assignments[0];
        assignment.name = "99999999-9999-4999-8999-999999999999".into();
        assignment.id = format!(
            "{}/providers/Microsoft.Authorization/roleAssignments/{}",
            hub.workspace.id, assignment.name
        );
        assignment.properties.other.remove("description");
    };
    let plan = planned_after(stranger);
    let adopt = plan.changes.iter().find(|c| c.kind == ResourceKind::RoleAssignment).unwrap();
    assert_eq!(adopt.action, Action::Update);
    assert_eq!(adopt.reasons, [Reason::UpdateBecauseAssignmentAdopted]);
    assert!(adopt.is_record_only() && adopt.fields.is_empty());
    assert_eq!(adopt.after.as_ref().unwrap()["properties"]["description"], hubctl_model::MARK);
    assert!(adopt.resource.as_str().ends_with("99999999-9999-4999-8999-999999999999"));
    assert_eq!(plan.counts().record, 1);
    // Under a hub hubctl has not adopted, with nothing else to do: kept, the mark left for
    // `hubctl adopt` (import → plan stays clean).
    let plan = replanned(|hub| {
        stranger(hub);
        hub.workspace.tags.as_mut().unwrap().retain(|k, _| !k.starts_with("hubctl-"));
    });
    let kept = plan.changes.iter().find(|c| c.kind == ResourceKind::RoleAssignment).unwrap();
    assert_eq!(kept.action, Action::NoOp);
    assert_eq!(kept.reasons, [Reason::NoOpBecauseEquivalentExists]);
    assert!(kept.after.is_some());
    assert!(actionable(&plan).is_empty(), "{:#?}", actionable(&plan));
}

#[test]
fn exclusive_access_removes_undeclared_assignments_but_never_the_callers_own() {
    let text = manifest(&[]);
    let mut live = applied(&text);
    let hub = live.hubs.values_mut().next().unwrap();
    let scope = hub.workspace.id.clone();
    let extra = |name: &str, principal: &str, role: &str| hubctl_model::RoleAssignment {
        id: format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
        name: name.into(),
        properties: hubctl_model::RoleAssignmentProperties {
            scope: Some(scope.clone()),
            role_definition_id: format!(
                "/providers/Microsoft.Authorization/roleDefinitions/{role}"
            ),
            principal_id: principal.into(),
            ..Default::default()
        },
        ..Default::default()
    };
    hub.assignments.push(extra(
        "aaaaaaaa-0000-4000-8000-000000000001",
        "5e5e5e5e-0000-0000-0000-000000000001",
        "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    ));
    hub.assignments.push(extra(
        "aaaaaaaa-0000-4000-8000-000000000002",
        "11111111-0000-0000-0000-0000000000a1",
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    ));
    let plan = plan(&desired(&text), &live, &options());
    let deletes: Vec<&Change> =
        plan.changes.iter().filter(|c| c.action == Action::Delete).collect();
    assert_eq!(deletes.len(), 1, "{deletes:#?}");
    assert!(deletes[0].resource.as_str().ends_with("aaaaaaaa-0000-4000-8000-000000000001"));
    assert!(plan.warnings.iter().any(|w| w.kind == WarningKind::CallerAccessKept));
    // Role-assignment creates come before deletes.
    let without = manifest(&[("role: Azure AI Developer", "role: Reader")]);
    let plan = crate::plan(&desired(&without), &live, &options());
    let order: Vec<Action> = plan
        .changes
        .iter()
        .filter(|c| c.kind == ResourceKind::RoleAssignment && c.action != Action::NoOp)
        .map(|c| c.action)
        .collect();
    assert_eq!(order.first(), Some(&Action::Create));
    assert_eq!(order.last(), Some(&Action::Delete));
}

#[test]
fn moving_to_internet_outbound_deletes_fqdn_and_service_tag_rules_first() {
    let live = applied(&manifest(&[]));
    let internet = manifest(&[
        (
            "isolation: privateWithApprovedOutbound\n    outboundRules:\n      - { name: pypi, fqdn: pypi.org }\n",
            "isolation: privateWithInternetOutbound\n    outboundRules:\n",
        ),
        (
            "      - { name: adf, serviceTag: { tag: DataFactory, protocol: TCP, ports: \"443\" } }\n",
            "",
        ),
    ]);
    let plan = plan(&desired(&internet), &live, &options());
    let sequence: Vec<(ResourceKind, Action)> =
        actionable(&plan).iter().map(|c| (c.kind, c.action)).collect();
    let network = sequence
        .iter()
        .position(|s| s.0 == ResourceKind::ManagedNetwork)
        .expect("a network change");
    let deletes: Vec<usize> = sequence
        .iter()
        .enumerate()
        .filter(|(_, s)| *s == &(ResourceKind::OutboundRule, Action::Delete))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(deletes.len(), 2);
    assert!(deletes.iter().all(|d| *d < network), "{sequence:?}");
    assert!(plan.warnings.iter().any(|w| w.kind == WarningKind::TowardsInternetOutbound));
    // The permission check keeps the planner's order (it once sorted again and lost it).
    let mut checked = plan.clone();
    let (sub, rg) = hubctl_plan::permissions::resource_groups(&plan).into_iter().next().unwrap();
    let owner = hubctl_plan::permissions::CallerPermissions {
        caller: "owner".into(),
        scopes: [(
            format!("/subscriptions/{sub}/resourcegroups/{rg}"),
            hubctl_plan::permissions::ScopeAccess::Read {
                grants: vec![hubctl_plan::permissions::Grant {
                    actions: vec!["*".into()],
                    not_actions: vec![],
                }],
                conditioned: false,
                conditions_unread: None,
                denies: Vec::new(),
            },
        )]
        .into(),
    };
    hubctl_plan::permissions::check(&mut checked, &owner);
    assert_eq!(checked, plan);
}

#[test]
fn drift_is_told_from_pending_by_the_applied_digest() {
    let text = manifest(&[]);
    let mut live = applied(&text);
    live.hubs.values_mut().next().unwrap().workspace.properties.description =
        Some("changed in the portal".into());
    let drifted = plan(&desired(&text), &live, &options());
    assert_eq!(drifted.hubs.values().next().unwrap().classification, Classification::Drift);
    assert!(hub_change(&drifted).fields.iter().any(|f| f.field == "spec.description"));
    let pending = plan(
        &desired(&manifest(&[("description: first", "description: second")])),
        &applied(&text),
        &options(),
    );
    assert_eq!(pending.hubs.values().next().unwrap().classification, Classification::Pending);
}

#[test]
fn a_removed_manifest_deletes_an_owned_hub_with_its_projects_only_with_prune() {
    let live = applied(&manifest(&[]));
    let empty = hubctl_spec::Desired::default();
    let quiet = plan(&empty, &live, &options());
    assert!(actionable(&quiet).is_empty());
    assert_eq!(quiet.hubs.values().next().unwrap().classification, Classification::Orphaned);
    let pruned = plan(&empty, &live, &PlanOptions { prune: true, ..options() });
    let sequence: Vec<(ResourceKind, Action)> =
        actionable(&pruned).iter().map(|c| (c.kind, c.action)).collect();
    assert_eq!(
        sequence,
        vec![(ResourceKind::Project, Action::Delete), (ResourceKind::Hub, Action::Delete)]
    );
    assert_eq!(hub_change(&pruned).fields[0].before, Some(json!(["proj-one"])));
    // Without the ownership tag, never.
    let mut foreign = live.clone();
    foreign
        .hubs
        .values_mut()
        .next()
        .unwrap()
        .workspace
        .tags
        .as_mut()
        .unwrap()
        .remove(hubctl_plan::OWNER_TAG);
    let untouched = plan(&empty, &foreign, &PlanOptions { prune: true, ..options() });
    assert!(actionable(&untouched).is_empty());
}

#[test]
fn saved_plans_refuse_another_target_and_stale_state() {
    let text = manifest(&[]);
    let live = applied(&text);
    let saved = plan(&desired(&text), &live, &options());
    let read = crate::saved::from_text(&crate::saved::to_text(&saved)).unwrap();
    assert_eq!(read, saved);
    assert_eq!((saved.origin(), read.origin()), (Origin::Made, Origin::Read));
    let checked =
        crate::saved::check(read.clone(), "https://arm", &crate::digest::fingerprints(&live));
    assert_eq!(checked.unwrap().origin(), Origin::Checked);
    let other =
        crate::saved::check(read.clone(), "https://elsewhere", &crate::digest::fingerprints(&live))
            .unwrap_err();
    assert!(other.to_string().contains("made for https://arm"));
    let mut edited = live.clone();
    edited.hubs.values_mut().next().unwrap().workspace.properties.description = Some("x".into());
    let stale = crate::saved::check(read, "https://arm", &crate::digest::fingerprints(&edited))
        .unwrap_err()
        .to_string();
    let hub_key = id_key(&edited.hubs.values().next().unwrap().workspace.id);
    assert!(stale.contains("stale") && stale.contains(&hub_key), "{stale}");
    let tampered =
        crate::saved::to_text(&saved).replace("\"formatVersion\": 1", "\"formatVersion\": 9");
    assert!(matches!(
        crate::saved::from_text(&tampered),
        Err(crate::saved::SavedPlanError::WrongVersion { found: 9 })
    ));
    let unknown =
        crate::saved::to_text(&saved).replacen("\"changes\"", "\"surprise\": 1, \"changes\"", 1);
    assert!(crate::saved::from_text(&unknown).is_err());
}

/// Live as `hubctl import` finds it: the base manifest's hub, without hubctl's tags.
fn imported() -> (String, Live) {
    let text = manifest(&[]);
    let mut live = applied(&text);
    let tags = live.hubs.values_mut().next().unwrap().workspace.tags.as_mut().unwrap();
    tags.retain(|k, _| !k.starts_with("hubctl-"));
    (text, live)
}

#[test]
fn a_hub_hubctl_has_not_adopted_plans_no_change_for_its_tags_alone() {
    let (text, live) = imported();
    let plan = plan(&desired(&text), &live, &options());
    assert!(actionable(&plan).is_empty(), "{:#?}", actionable(&plan));
    assert_eq!(plan.hubs.values().next().unwrap().classification, Classification::InSync);
}

#[test]
fn the_first_apply_with_a_change_adopts_the_hub_and_says_so() {
    let (_, live) = imported();
    // A change to the hub itself: its PATCH carries hubctl's tags too.
    let changed =
        plan(&desired(&manifest(&[("description: first", "description: x")])), &live, &options());
    let hub = hub_change(&changed);
    assert_eq!(
        hub.reasons,
        vec![Reason::UpdateBecauseFieldsChanged, Reason::AdoptWithTheseChanges]
    );
    assert_eq!(hub.display, "hub-one and adopt it");
    assert_eq!(hub.after.as_ref().unwrap()["tags"][OWNER_TAG], OWNER_VALUE);
    let summary = changed.hubs.values().next().unwrap();
    assert_eq!(summary.classification, Classification::NotAdopted);
    // A change elsewhere (a rule): the hub's only write is its tags.
    let rule = plan(&desired(&manifest(&[("pypi.org", "pypi.python.org")])), &live, &options());
    let hub = hub_change(&rule);
    assert_eq!(
        (hub.action, hub.reasons.clone()),
        (Action::Update, vec![Reason::AdoptWithTheseChanges])
    );
    assert_eq!(
        hub.after.as_ref().unwrap().as_object().unwrap().keys().collect::<Vec<_>>(),
        ["tags"]
    );
    assert!(hub.fields.is_empty(), "no field of the hub changes: {:?}", hub.fields);
    // In memory, the adopted hub then plans clean.
    let adopted = simulate::apply(&live, &rule);
    let again = plan(&desired(&manifest(&[("pypi.org", "pypi.python.org")])), &adopted, &options());
    assert!(actionable(&again).is_empty(), "{:#?}", actionable(&again));
}

#[test]
fn nothing_is_pruned_under_a_hub_hubctl_has_not_adopted() {
    let (_, live) = imported();
    let without = manifest(&[]).replace("    - name: proj-one\n", "    - name: proj-two\n");
    let plan = plan(&desired(&without), &live, &PlanOptions { prune: true, ..options() });
    assert!(plan.changes.iter().all(|c| c.action != Action::Delete), "{:#?}", actionable(&plan));
    // The warning says why --prune did not delete it (not "plan with --prune").
    let warning = plan.warnings.iter().find(|w| w.detail == "hub-one/proj-one").unwrap();
    assert_eq!(warning.kind, WarningKind::NotOwned);
    assert!(warning.kind.text().contains("not adopted"));
}

#[test]
fn an_assignments_description_is_kept_unless_the_manifest_sets_one() {
    let text = manifest(&[]);
    let mut live = applied(&text);
    let grant = &mut live.hubs.values_mut().next().unwrap().assignments[0];
    grant.properties.other.insert("description".into(), json!("set in the portal"));
    // Left out of the manifest: not a change.
    assert!(actionable(&plan(&desired(&text), &live, &options())).is_empty());
    // Set in the manifest: written in place. With a condition change and no description in
    // the manifest, the live one is sent back, not dropped.
    let described =
        text.replace("role: Azure AI Developer }", "role: Azure AI Developer, description: why }");
    let changed = plan(&desired(&described), &live, &options());
    let grant_update = |plan: &Plan| {
        let found = plan
            .changes
            .iter()
            .find(|c| c.kind == ResourceKind::RoleAssignment && c.action == Action::Update);
        found.cloned().expect("the assignment is updated")
    };
    let update = grant_update(&changed);
    assert_eq!(
        update.fields[0].field,
        "spec.access.assignments[7d2f6a0e-0000-0000-0000-000000000010].description"
    );
    assert_eq!(
        update.after.as_ref().unwrap()["properties"]["description"],
        "why [managed by hubctl]"
    );
    let conditioned = text.replace(
        "role: Azure AI Developer }",
        "role: Azure AI Developer, condition: \"@Request[x] StringEquals 'y'\" }",
    );
    let update = grant_update(&plan(&desired(&conditioned), &live, &options()));
    assert_eq!(
        update.after.as_ref().unwrap()["properties"]["description"],
        "set in the portal [managed by hubctl]"
    );
}

#[test]
fn the_network_monitor_and_the_image_build_compute_change_in_place_when_the_manifest_sets_them() {
    let text = manifest(&[]);
    let live = applied(&text);
    let set = manifest(&[
        (
            "isolation: privateWithApprovedOutbound",
            "isolation: privateWithApprovedOutbound\n    networkMonitor: true",
        ),
        ("storageAccess: identity", "storageAccess: identity\n  imageBuildCompute: builder"),
    ]);
    let plan = plan(&desired(&set), &live, &options());
    let network = plan.changes.iter().find(|c| c.kind == ResourceKind::ManagedNetwork).unwrap();
    assert_eq!(network.action, Action::Update);
    assert_eq!(network.fields[0].field, "spec.network.networkMonitor");
    assert_eq!(
        network.after.as_ref().unwrap()["properties"]["managedNetwork"]["enableNetworkMonitor"],
        true
    );
    let hub = hub_change(&plan);
    assert!(hub.fields.iter().any(|f| f.field == "spec.imageBuildCompute"), "{:?}", hub.fields);
    assert_eq!(hub.after.as_ref().unwrap()["properties"]["imageBuildCompute"], "builder");
    // Applied, nothing is left; left out of the manifest again, nothing is undone.
    let settled = simulate::apply(&live, &plan);
    assert!(actionable(&plan_of(&set, &settled)).is_empty());
    let left_out = plan_of(&text, &settled);
    assert!(
        left_out.changes.iter().all(|c| {
            c.fields.iter().all(|f| {
                !f.field.contains("imageBuildCompute") && !f.field.contains("networkMonitor")
            })
        }),
        "{:#?}",
        actionable(&left_out)
    );
}

fn plan_of(text: &str, live: &Live) -> Plan {
    plan(&desired(text), live, &options())
}

const LINK: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.DocumentDB/databaseAccounts/cosmos/privateLinkResources/Sql";

#[test]
fn rule_shared_private_links_are_fixed_once_the_hub_exists() {
    let links = format!(
        "isolation: privateWithApprovedOutbound\n    sharedPrivateLinks:\n      - {{ name: cosmos, resource: {LINK}, groupId: Sql, requestMessage: please }}"
    );
    // Declared on a live hub without them: refused, nothing of the hub applied.
    blocked_by(
        &[("isolation: privateWithApprovedOutbound", &links)],
        Reason::BlockedBecauseSharedPrivateLinksFixed,
    );
    // Declared at creation: in the create body.
    let text = manifest(&[("isolation: privateWithApprovedOutbound", &links)]);
    let created = plan(&desired(&text), &Live::default(), &options());
    let body = hub_change(&created).after.clone().unwrap();
    assert_eq!(body["properties"]["sharedPrivateLinkResources"][0]["properties"]["groupId"], "Sql");
    // Then kept: the same links (ids in another case, the message left out) are no change.
    let live = simulate::apply(&Live::default(), &created);
    let relaxed = text.replace(LINK, &LINK.to_uppercase()).replace(", requestMessage: please", "");
    let kept = plan(&desired(&relaxed), &live, &options());
    // (Only hubctl's digest of the manifest, which changed, is written.)
    let changes: Vec<_> =
        actionable(&kept).iter().map(|c| (c.kind, c.action, c.fields.len())).collect();
    assert_eq!(changes, [(ResourceKind::Hub, Action::Update, 0)]);
    // And left out of the manifest, they are left alone.
    assert!(
        actionable(&plan(&desired(&manifest(&[])), &live, &options()))
            .iter()
            .all(|c| c.action != Action::Blocked)
    );
}

#[test]
fn every_field_value_is_in_the_manifests_words_never_arms() {
    let live = applied(&manifest(&[]));
    let edited = manifest(&[
        ("isolation: privateWithApprovedOutbound", "isolation: privateWithInternetOutbound"),
        ("publicNetworkAccess: disabled", "publicNetworkAccess: enabled"),
        ("storageAccess: identity", "storageAccess: credential"),
    ]);
    let edited = edited.replace("      - { name: pypi, fqdn: pypi.org }\n", "").replace(
        "      - { name: adf, serviceTag: { tag: DataFactory, protocol: TCP, ports: \"443\" } }\n",
        "",
    );
    let plan = plan(&desired(&edited), &live, &options());
    let value = |name: &str| {
        let found = plan.changes.iter().flat_map(|c| &c.fields).find(|f| f.field == name);
        found.map(|f| (f.before.clone(), f.after.clone())).unwrap_or_else(|| panic!("no {name}"))
    };
    assert_eq!(
        value("spec.network.isolation"),
        (Some(json!("privateWithApprovedOutbound")), Some(json!("privateWithInternetOutbound")))
    );
    assert_eq!(
        value("spec.network.publicNetworkAccess"),
        (Some(json!("disabled")), Some(json!("enabled")))
    );
    assert_eq!(value("spec.storageAccess"), (Some(json!("identity")), Some(json!("credential"))));
    // A rule leaf by leaf, not a JSON blob.
    assert_eq!(value("spec.network.outboundRules.pypi.fqdn"), (Some(json!("pypi.org")), None));
    assert_eq!(
        value("spec.network.outboundRules.adf.serviceTag.ports"),
        (Some(json!("443")), None)
    );
}
