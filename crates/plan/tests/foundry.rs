//! The planner on `kind: Foundry` manifests: what a create writes and in what order, that an
//! applied manifest plans clean whatever shape the service answers in, and each refusal the
//! service makes on a live Foundry resource (one test per rule, named by its reason).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use hubctl_model::{Account, Live, id_key};
use serde_json::json;

use hubctl_plan::reasons::Reason;
use hubctl_plan::*;
use hubctl_test::simulate;

const SUB: &str = "00000000-0000-0000-0000-000000000001";
const UAI_CLIENT: &str = "0f0f0f0f-0000-0000-0000-00000000c1d0";

fn id(kind: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg/providers/{kind}/{name}")
}

fn account_key() -> String {
    id_key(&id("Microsoft.CognitiveServices/accounts", "contoso-foundry"))
}

/// A Foundry manifest with every feature; `edits` replace text in it.
fn manifest(edits: &[(&str, &str)]) -> String {
    let uai = id("Microsoft.ManagedIdentity/userAssignedIdentities", "foundry-id");
    let subnet = |name: &str| {
        format!(
            "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/{name}"
        )
    };
    let mut text = format!(
        r#"apiVersion: hubctl/v1
kind: Foundry
metadata:
  name: contoso-foundry
  subscription: {SUB}
  resourceGroup: rg
  location: eastus2
  tags: {{ team: ai }}
spec:
  customSubDomainName: contoso-foundry
  identity: {{ type: "systemAssigned,userAssigned", userAssigned: [{uai}] }}
  localAuth: disabled
  network:
    publicNetworkAccess: disabled
    defaultAction: deny
    bypass: azureServices
    ipRules: [203.0.113.0/24]
    virtualNetworkRules: [{apps}]
    agentSubnet: {agents}
  encryption:
    type: customerManaged
    keyVaultUri: https://contoso-cmk.vault.azure.net/
    keyName: foundry-key
    keyVersion: 4a1c2f0e9b8d4c7a8e6f5d4c3b2a1908
    identity: {uai}
  connections:
    - {{ name: search, category: aiSearch, resource: {search} }}
  access:
    assignments:
      - {{ principal: 7d2f6a0e-0000-0000-0000-000000000020, principalType: group, role: Azure AI Account Owner }}
  projects:
    - name: fraud
      displayName: Fraud detection
      connections:
        - {{ name: lake, category: storage, resource: {lake}, container: data }}
      access:
        assignments:
          - {{ principal: 7d2f6a0e-0000-0000-0000-000000000011, principalType: group, role: Azure AI User }}
    - name: support
      description: Support copilot
      connections:
        - {{ name: files, category: storage, resource: {lake}, container: agents }}
        - {{ name: threads, category: cosmosDb, resource: {cosmos} }}
      agents:
        storage: [files]
        threadStorage: [threads]
  contentFilters:
    - name: strict
      filters:
        - {{ category: hate, source: prompt, severity: low }}
        - {{ category: jailbreak, source: prompt }}
  deployments:
    - {{ name: chat, model: {{ name: gpt-4o, version: "2024-11-20" }}, sku: {{ name: GlobalStandard, capacity: 50 }}, contentFilter: strict }}
    - {{ name: embed, model: {{ name: text-embedding-3-large }}, sku: {{ name: Standard, capacity: 20 }} }}
"#,
        apps = subnet("apps"),
        agents = subnet("agents"),
        search = id("Microsoft.Search/searchServices", "search"),
        lake = id("Microsoft.Storage/storageAccounts", "lake"),
        cosmos = id("Microsoft.DocumentDB/databaseAccounts", "cosmos"),
    );
    for (from, to) in edits {
        assert!(text.contains(from), "edit {from:?} does not apply");
        text = text.replacen(from, to, 1);
    }
    text
}

fn desired(text: &str) -> hubctl_spec::Desired {
    hubctl_spec::load_str(Path::new("foundry.yaml"), text).unwrap_or_else(|e| {
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

/// Live state knowing the key identity's client id (as the inventory reads it).
fn empty() -> Live {
    let mut live = Live::default();
    let uai = id("Microsoft.ManagedIdentity/userAssignedIdentities", "foundry-id");
    live.identity_client_ids.insert(id_key(&uai), UAI_CLIENT.into());
    live
}

fn applied(text: &str) -> Live {
    let first = plan(&desired(text), &empty(), &options());
    assert!(!first.is_blocked(), "{:#?}", first.changes);
    simulate::apply(&empty(), &first)
}

fn actionable(plan: &Plan) -> Vec<&Change> {
    plan.changes.iter().filter(|c| c.action != Action::NoOp).collect()
}

fn account_change(plan: &Plan) -> &Change {
    plan.changes.iter().find(|c| c.kind == ResourceKind::Account).expect("an account change")
}

/// The base manifest applied, live edited, then `text` planned against it.
fn planned(text: &str, edit: impl FnOnce(&mut Live)) -> Plan {
    let mut live = applied(&manifest(&[]));
    edit(&mut live);
    plan(&desired(text), &live, &options())
}

fn account(live: &mut Live) -> &mut Account {
    &mut live.foundries.get_mut(&account_key()).unwrap().account
}

fn blocked_by(plan: &Plan, reason: Reason) {
    let change = account_change(plan);
    assert_eq!(change.action, Action::Blocked, "{change:#?}");
    assert!(change.reasons.contains(&reason), "{:?}", change.reasons);
    assert!(
        plan.changes.iter().all(|c| c.action != Action::Create || c.hub != change.hub)
            || reason == Reason::BlockedBecauseAccountSoftDeleted
    );
    assert!(reason.remedy().is_some(), "every refusal has a remedy");
}

#[test]
fn from_nothing_the_account_comes_first_then_connections_projects_and_access() {
    let plan = plan(&desired(&manifest(&[])), &empty(), &options());
    let kinds: Vec<(ResourceKind, Action)> =
        plan.changes.iter().map(|c| (c.kind, c.action)).collect();
    assert_eq!(
        kinds,
        vec![
            (ResourceKind::Account, Action::Create),
            (ResourceKind::AccountConnection, Action::Create),
            (ResourceKind::ContentFilter, Action::Create),
            (ResourceKind::Deployment, Action::Create),
            (ResourceKind::Deployment, Action::Create),
            (ResourceKind::AccountProject, Action::Create),
            (ResourceKind::AccountProject, Action::Create),
            (ResourceKind::ProjectConnection, Action::Create),
            (ResourceKind::ProjectConnection, Action::Create),
            (ResourceKind::ProjectConnection, Action::Create),
            (ResourceKind::RoleAssignment, Action::Create),
            (ResourceKind::RoleAssignment, Action::Create),
            (ResourceKind::CapabilityHost, Action::Create),
        ]
    );
    let body = account_change(&plan).after.clone().unwrap();
    assert_eq!(body["kind"], "AIServices");
    assert_eq!(body["sku"]["name"], "S0", "the default SKU");
    assert_eq!(body["identity"]["type"], "SystemAssigned, UserAssigned", "as CS spells it");
    let p = &body["properties"];
    assert_eq!(p["allowProjectManagement"], true);
    assert_eq!(p["customSubDomainName"], "contoso-foundry");
    assert_eq!(p["disableLocalAuth"], true);
    assert_eq!(p["publicNetworkAccess"], "Disabled");
    assert_eq!(p["networkAcls"]["defaultAction"], "Deny");
    assert_eq!(p["networkAcls"]["bypass"], "AzureServices");
    assert_eq!(p["networkAcls"]["ipRules"], json!([{ "value": "203.0.113.0/24" }]));
    assert_eq!(p["networkInjections"]["scenario"], "agent");
    assert_eq!(p["encryption"]["keySource"], "Microsoft.KeyVault");
    assert_eq!(p["encryption"]["keyVaultProperties"]["identityClientId"], UAI_CLIENT);
    assert_eq!(body["tags"]["hubctl-managed-by"], "hubctl");
    // The project is in the account's region, with a managed identity.
    let project = plan.changes.iter().find(|c| c.kind == ResourceKind::AccountProject).unwrap();
    let project_body = project.after.as_ref().unwrap();
    assert_eq!(project_body["location"], "eastus2");
    assert_eq!(project_body["identity"]["type"], "SystemAssigned");
    // A create lists what it sets in the manifest's words.
    let fields: Vec<&str> = account_change(&plan).fields.iter().map(|f| f.field.as_str()).collect();
    assert!(fields.contains(&"spec.network.defaultAction"), "{fields:?}");
    assert!(fields.contains(&"spec.encryption.keyVersion"), "{fields:?}");
    // Project connections come after their project.
    let order: Vec<&str> = plan.changes.iter().map(|c| c.display.as_str()).collect();
    let project_at = order.iter().position(|d| *d == "contoso-foundry/fraud").unwrap();
    let connection_at = order.iter().position(|d| *d == "contoso-foundry/fraud/lake").unwrap();
    assert!(project_at < connection_at, "{order:?}");
}

#[test]
fn applying_and_planning_again_changes_nothing() {
    let text = manifest(&[]);
    let live = applied(&text);
    let again = plan(&desired(&text), &live, &options());
    assert!(actionable(&again).is_empty(), "{:#?}", actionable(&again));
    assert_eq!(again.hubs[&account_key()].classification, Classification::InSync);
}

#[test]
fn the_services_answer_shapes_are_not_drift() {
    // A minimal manifest over an account the service answers without the defaults: no
    // publicNetworkAccess, networkAcls, disableLocalAuth or encryption, the identity type
    // spelled without its space, ids and IPs in other case, server-set fields added.
    let minimal = "apiVersion: hubctl/v1\nkind: Foundry\nmetadata: { name: contoso-foundry, subscription: 00000000-0000-0000-0000-000000000001, resourceGroup: rg, location: eastus2 }\nspec:\n  customSubDomainName: contoso-foundry\n";
    let first = plan(&desired(minimal), &empty(), &options());
    let mut live = simulate::apply(&empty(), &first);
    let a = account(&mut live);
    a.location = "East US 2".into();
    a.properties.public_network_access = None;
    a.properties.network_acls = None;
    a.properties.disable_local_auth = None;
    a.properties.encryption =
        Some(serde_json::from_value(json!({"keySource": "Microsoft.CognitiveServices"})).unwrap());
    a.properties
        .other
        .insert("endpoint".into(), json!("https://contoso-foundry.cognitiveservices.azure.com/"));
    a.properties.other.insert("internalId".into(), json!("abc"));
    a.properties.provisioning_state = Some(hubctl_model::ProvisioningState::Succeeded);
    let again = plan(&desired(minimal), &live, &options());
    assert!(actionable(&again).is_empty(), "{:#?}", actionable(&again));
    // And the full manifest with the identity type as workspaces spell it.
    let text = manifest(&[]);
    let mut live = applied(&text);
    let a = account(&mut live);
    a.identity.as_mut().unwrap().identity_type =
        hubctl_model::IdentityType::parse("SystemAssigned,UserAssigned");
    let acls = a.properties.network_acls.as_mut().unwrap();
    acls.ip_rules.as_mut().unwrap()[0].value = "203.0.113.0/24".into();
    let again = plan(&desired(&text), &live, &options());
    assert!(actionable(&again).is_empty(), "{:#?}", actionable(&again));
}

#[test]
fn an_out_of_band_network_edit_is_drift_and_the_patch_restores_the_rules() {
    let plan = planned(&manifest(&[]), |live| {
        let acls = account(live).properties.network_acls.as_mut().unwrap();
        acls.ip_rules =
            Some(vec![serde_json::from_value(json!({"value": "198.51.100.7"})).unwrap()]);
        acls.default_action = Some("Allow".into());
    });
    let change = account_change(&plan);
    assert_eq!(change.action, Action::Update);
    let fields: Vec<&str> = change.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["spec.network.defaultAction", "spec.network.ipRules"]);
    let acls = &change.after.as_ref().unwrap()["properties"]["networkAcls"];
    assert_eq!(acls["defaultAction"], "Deny");
    assert_eq!(acls["ipRules"], json!([{ "value": "203.0.113.0/24" }]));
    assert_eq!(plan.hubs[&account_key()].classification, Classification::Drift);
}

#[test]
fn rule_foundry_location_is_fixed() {
    let plan = planned(&manifest(&[("location: eastus2", "location: westeurope")]), |_| {});
    blocked_by(&plan, Reason::BlockedBecauseLocationImmutable);
}

#[test]
fn rule_subdomain_is_fixed_once_set() {
    let text =
        manifest(&[("customSubDomainName: contoso-foundry", "customSubDomainName: contoso-ai")]);
    blocked_by(&planned(&text, |_| {}), Reason::BlockedBecauseSubdomainImmutable);
    // Never set: it is set in place.
    let plan =
        planned(&manifest(&[]), |live| account(live).properties.custom_sub_domain_name = None);
    assert_eq!(account_change(&plan).action, Action::Update);
}

#[test]
fn rule_subdomain_taken_by_another_account() {
    let mut live = empty();
    let other: Account = serde_json::from_value(json!({
        "id": id("Microsoft.CognitiveServices/accounts", "someone-else"), "name": "someone-else",
        "kind": "OpenAI", "location": "eastus2", "properties": {"customSubDomainName": "contoso-foundry"}
    }))
    .unwrap();
    live.other_accounts.insert(id_key(&other.id), other);
    let plan = plan(&desired(&manifest(&[])), &live, &options());
    blocked_by(&plan, Reason::BlockedBecauseSubdomainTaken);
    assert!(account_change(&plan).detail.as_deref().unwrap().contains("someone-else"));
}

#[test]
fn rule_account_kind_mismatch() {
    let mut live = empty();
    let other: Account = serde_json::from_value(json!({
        "id": id("Microsoft.CognitiveServices/accounts", "contoso-foundry"), "name": "contoso-foundry",
        "kind": "OpenAI", "location": "eastus2", "properties": {}
    }))
    .unwrap();
    live.other_accounts.insert(account_key(), other);
    let plan = plan(&desired(&manifest(&[])), &live, &options());
    blocked_by(&plan, Reason::BlockedBecauseAccountKindMismatch);
}

#[test]
fn rule_foundry_encryption_mode_and_vault_are_fixed_the_key_rotates_in_place() {
    let microsoft = manifest(&[(
        "    type: customerManaged\n    keyVaultUri: https://contoso-cmk.vault.azure.net/\n    keyName: foundry-key\n    keyVersion: 4a1c2f0e9b8d4c7a8e6f5d4c3b2a1908\n",
        "    type: microsoftManaged\n",
    )]);
    let microsoft =
        microsoft.replace("    identity: /subscriptions", "    # identity: /subscriptions");
    let microsoft = microsoft
        .lines()
        .filter(|l| !l.starts_with("    # identity"))
        .collect::<Vec<_>>()
        .join("\n");
    blocked_by(&planned(&microsoft, |_| {}), Reason::BlockedBecauseEncryptionModeImmutable);
    let other_vault = manifest(&[("https://contoso-cmk.vault", "https://other-cmk.vault")]);
    blocked_by(&planned(&other_vault, |_| {}), Reason::BlockedBecauseCmkVaultImmutable);
    let rotated =
        manifest(&[("4a1c2f0e9b8d4c7a8e6f5d4c3b2a1908", "7e2b9c1d0f3a4b5c6d7e8f9012345678")]);
    let plan = planned(&rotated, |_| {});
    let change = account_change(&plan);
    assert_eq!(change.action, Action::Update);
    assert_eq!(change.reasons, [Reason::UpdateBecauseKeyVersionChanged]);
    assert_eq!(
        change.after.as_ref().unwrap()["properties"]["encryption"]["keyVaultProperties"]["keyVersion"],
        "7e2b9c1d0f3a4b5c6d7e8f9012345678"
    );
}

fn soft_deleted() -> Live {
    let mut live = applied(&manifest(&[]));
    let mut gone = live.foundries.remove(&account_key()).unwrap().account;
    gone.id = format!(
        "/subscriptions/{SUB}/providers/Microsoft.CognitiveServices/locations/eastus2/resourceGroups/rg/deletedAccounts/contoso-foundry"
    );
    gone.properties.deletion_date = Some("2026-12-01T10:00:00Z".into());
    gone.properties.scheduled_purge_date = Some("2026-12-03T10:00:00Z".into());
    live.deleted_accounts.insert(account_key(), gone);
    live
}

#[test]
fn rule_a_soft_deleted_account_holds_its_name_until_recovered_or_purged() {
    let live = soft_deleted();
    let refused = plan(&desired(&manifest(&[])), &live, &options());
    blocked_by(&refused, Reason::BlockedBecauseAccountSoftDeleted);
    let remedy = Reason::BlockedBecauseAccountSoftDeleted.remedy().unwrap();
    assert!(remedy.contains("--recover-deleted") && remedy.contains("--purge-deleted"));
    assert_eq!(refused.changes.len(), 1, "nothing else is planned");

    let recover = PlanOptions { recover_deleted: true, ..options() };
    let recovered = plan(&desired(&manifest(&[])), &live, &recover);
    let change = account_change(&recovered);
    assert_eq!(change.after.as_ref().unwrap()["tags"]["team"], "ai", "its tags go with it");
    assert_eq!(
        (change.action, change.reasons.as_slice()),
        (Action::Create, &[Reason::CreateBecauseRecoveringDeleted][..])
    );
    assert_eq!(change.after.as_ref().unwrap()["properties"]["restore"], true);
    let back = simulate::apply(&live, &recovered);
    assert!(back.deleted_accounts.is_empty() && back.foundries.contains_key(&account_key()));

    let purge = PlanOptions { purge_deleted: true, ..options() };
    let purged = plan(&desired(&manifest(&[])), &live, &purge);
    let kinds: Vec<(ResourceKind, Action)> =
        purged.changes.iter().take(2).map(|c| (c.kind, c.action)).collect();
    assert_eq!(
        kinds,
        [(ResourceKind::DeletedAccount, Action::Delete), (ResourceKind::Account, Action::Create)],
        "the purge goes first"
    );
    assert_eq!(purged.changes[0].reasons, [Reason::DeleteBecausePurgeRequested]);
    assert_eq!(purged.changes[0].after.as_ref().unwrap()["location"], "eastus2");
}

#[test]
fn a_removed_manifest_deletes_softly_with_prune_and_purges_with_purge() {
    let live = applied(&manifest(&[]));
    let nothing = hubctl_spec::Desired::default();
    let kept = plan(&nothing, &live, &options());
    assert!(actionable(&kept).is_empty(), "without --prune nothing is deleted");
    assert_eq!(kept.hubs[&account_key()].classification, Classification::Orphaned);
    let soft = plan(&nothing, &live, &PlanOptions { prune: true, ..options() });
    let change = account_change(&soft);
    assert_eq!(change.action, Action::Delete);
    assert_eq!(change.after.as_ref().unwrap()["purge"], false);
    let gone = simulate::apply(&live, &soft);
    assert!(gone.deleted_accounts.contains_key(&account_key()), "kept soft-deleted");
    let hard = plan(&nothing, &live, &PlanOptions { prune: true, purge: true, ..options() });
    assert_eq!(account_change(&hard).after.as_ref().unwrap()["purge"], true);
    assert!(simulate::apply(&live, &hard).deleted_accounts.is_empty());
}

#[test]
fn an_undeclared_project_is_reported_and_deleted_only_with_prune() {
    let full = manifest(&[]);
    let (start, end) =
        (full.find("    - name: support").unwrap(), full.find("  contentFilters:").unwrap());
    let without = format!("{}{}", &full[..start], &full[end..]);
    let plan_without = planned(&without, |_| {});
    // The manifest changed, so its digest is written again: bookkeeping, no change.
    assert!(
        actionable(&plan_without).iter().all(|c| c.is_record_only()),
        "{:#?}",
        actionable(&plan_without)
    );
    assert!(
        plan_without.warnings.iter().any(|w| w.kind == reasons::WarningKind::UndeclaredProject)
    );
    let mut live = applied(&manifest(&[]));
    let pruned = plan(&desired(&without), &live, &PlanOptions { prune: true, ..options() });
    let deletes: Vec<&str> = actionable(&pruned)
        .iter()
        .filter(|c| c.action == Action::Delete)
        .map(|c| c.display.as_str())
        .collect();
    assert_eq!(deletes, ["contoso-foundry/support"]);
    live = simulate::apply(&live, &pruned);
    assert_eq!(live.foundries[&account_key()].projects.len(), 1);
}

#[test]
fn project_settings_change_in_place() {
    let text = manifest(&[("displayName: Fraud detection", "displayName: Fraud")]);
    let plan = planned(&text, |_| {});
    let changes = actionable(&plan);
    assert_eq!(changes.len(), 2, "the project and the account's digest: {changes:#?}");
    let project = changes.iter().find(|c| c.kind == ResourceKind::AccountProject).unwrap();
    assert_eq!(project.action, Action::Update);
    assert_eq!(project.after.as_ref().unwrap()["properties"]["displayName"], "Fraud");
    assert_eq!(plan.hubs[&account_key()].classification, Classification::Pending);
}

fn deployment_changes(plan: &Plan) -> Vec<&Change> {
    plan.changes
        .iter()
        .filter(|c| c.kind == ResourceKind::Deployment && c.action != Action::NoOp)
        .collect()
}

fn deployment<'a>(live: &'a mut Live, name: &str) -> &'a mut hubctl_model::AccountDeployment {
    let f = live.foundries.get_mut(&account_key()).unwrap();
    f.deployments.iter_mut().find(|d| d.name == name).unwrap()
}

#[test]
fn a_deployment_is_created_after_the_content_filter_it_names() {
    let plan = plan(&desired(&manifest(&[])), &empty(), &options());
    let order: Vec<&str> = plan.changes.iter().map(|c| c.display.as_str()).collect();
    let filter = order.iter().position(|d| *d == "contoso-foundry/strict").unwrap();
    let chat = order.iter().position(|d| *d == "contoso-foundry/chat").unwrap();
    assert!(filter < chat, "{order:?}");
    let body = plan.changes[chat].after.as_ref().unwrap();
    assert_eq!(body["properties"]["raiPolicyName"], "strict");
    assert_eq!(body["properties"]["versionUpgradeOption"], "OnceNewDefaultVersionAvailable");
    assert_eq!(body["sku"], json!({ "name": "GlobalStandard", "capacity": 50 }));
    let filter_body = plan.changes[filter].after.as_ref().unwrap();
    assert_eq!(filter_body["properties"]["basePolicyName"], "Microsoft.DefaultV2");
    assert_eq!(filter_body["properties"]["contentFilters"][0]["severityThreshold"], "Low");
}

#[test]
fn capacity_changes_in_place_by_its_sku_alone() {
    let text = manifest(&[("capacity: 50", "capacity: 80")]);
    let plan = planned(&text, |_| {});
    let changes = deployment_changes(&plan);
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0].display, "contoso-foundry/chat: capacity");
    assert_eq!(
        changes[0].after,
        Some(json!({ "sku": { "name": "GlobalStandard", "capacity": 80 } }))
    );
}

#[test]
fn capacity_and_version_are_two_requests_capacity_first() {
    let text = manifest(&[("capacity: 50", "capacity: 80"), ("2024-11-20", "2025-01-01")]);
    let plan = planned(&text, |_| {});
    let changes = deployment_changes(&plan);
    let shown: Vec<&str> = changes.iter().map(|c| c.display.as_str()).collect();
    assert_eq!(shown, ["contoso-foundry/chat: capacity", "contoso-foundry/chat: settings"]);
    assert!(changes[0].after.as_ref().unwrap().get("properties").is_none(), "a PATCH of the SKU");
    let put = changes[1].after.as_ref().unwrap();
    assert_eq!(put["properties"]["model"]["version"], "2025-01-01");
    let live = simulate::apply(&applied(&manifest(&[])), &plan);
    let again = hubctl_plan::plan(&desired(&text), &live, &options());
    assert!(deployment_changes(&again).is_empty(), "{:#?}", deployment_changes(&again));
}

#[test]
fn rule_a_deployments_model_is_fixed_unless_it_may_be_replaced() {
    let text = manifest(&[("name: gpt-4o, version: \"2024-11-20\"", "name: gpt-4.1")]);
    let plan = planned(&text, |_| {});
    let changes = deployment_changes(&plan);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].action, Action::Blocked);
    assert_eq!(changes[0].reasons, [Reason::BlockedBecauseDeploymentModelFixed]);
    assert!(Reason::BlockedBecauseDeploymentModelFixed.remedy().unwrap().contains("new name"));
    let replace =
        text.replace("contentFilter: strict }", "contentFilter: strict, onModelChange: replace }");
    let plan = planned(&replace, |_| {});
    let kinds: Vec<(Action, &str)> =
        deployment_changes(&plan).iter().map(|c| (c.action, c.display.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (Action::Delete, "contoso-foundry/chat (replace: delete)"),
            (Action::Create, "contoso-foundry/chat (replace: create)")
        ]
    );
    assert!(plan.warnings.iter().any(|w| w.kind == reasons::WarningKind::TrafficStops));
}

#[test]
fn an_auto_upgraded_version_the_manifest_leaves_out_is_not_drift() {
    let plan = planned(&manifest(&[]), |live| {
        let embed = deployment(live, "embed");
        embed.properties.model.as_mut().unwrap().version = Some("2".to_string());
        embed.properties.provisioning_state = Some(hubctl_model::ProvisioningState::Succeeded);
    });
    assert!(actionable(&plan).is_empty(), "{:#?}", actionable(&plan));
    // A pinned one is.
    let plan = planned(&manifest(&[]), |live| {
        deployment(live, "chat").properties.model.as_mut().unwrap().version =
            Some("2025-01-01".into());
    });
    assert_eq!(deployment_changes(&plan).len(), 1);
}

fn with_quota(live: &mut Live, limit: f64, used: f64) {
    let usage: hubctl_model::Usage = serde_json::from_value(json!({
        "name": { "value": "OpenAI.GlobalStandard.gpt-4o", "localizedValue": "Tokens Per Minute (thousands) - gpt-4o" },
        "currentValue": used, "limit": limit, "unit": "Count"
    }))
    .unwrap();
    live.usages.insert(format!("{SUB}/eastus2"), vec![usage]);
}

#[test]
fn rule_a_deployment_over_quota_is_blocked_at_plan_time_with_the_figures() {
    let mut live = empty();
    with_quota(&mut live, 100.0, 70.0);
    let plan = hubctl_plan::plan(&desired(&manifest(&[])), &live, &options());
    let chat = plan.changes.iter().find(|c| c.display == "contoso-foundry/chat").unwrap();
    assert_eq!(chat.action, Action::Blocked);
    assert_eq!(chat.reasons, [Reason::BlockedBecauseQuotaExceeded]);
    let detail = chat.detail.as_deref().unwrap();
    assert!(
        detail.contains("OpenAI.GlobalStandard.gpt-4o") && detail.contains("asks 50 more, 30 free"),
        "{detail}"
    );
    let quota = chat.fields.iter().find(|f| f.field == "quota").unwrap();
    assert_eq!(quota.before.as_ref().unwrap()["limit"], 100);
    assert_eq!(quota.after.as_ref().unwrap()["asked"], 50);
    // The model without a listed quota is a warning, not free capacity.
    assert!(plan.warnings.iter().any(|w| w.kind == reasons::WarningKind::QuotaUnknown
        && w.detail.contains("text-embedding-3-large")));
    // Within the quota: planned.
    let mut live = empty();
    with_quota(&mut live, 100.0, 50.0);
    let plan = hubctl_plan::plan(&desired(&manifest(&[])), &live, &options());
    assert!(!plan.is_blocked());
}

#[test]
fn a_content_filter_edited_by_hand_is_rewritten_and_the_system_ones_are_never_planned() {
    let plan = planned(&manifest(&[]), |live| {
        let f = live.foundries.get_mut(&account_key()).unwrap();
        let system: hubctl_model::RaiPolicy = serde_json::from_value(json!({
            "name": "Microsoft.DefaultV2", "properties": {"type": "SystemManaged", "basePolicyName": "Microsoft.DefaultV2"}
        }))
        .unwrap();
        f.rai_policies.push(system);
        let strict = f.rai_policies.iter_mut().find(|p| p.name == "strict").unwrap();
        strict.properties.content_filters.as_mut().unwrap()[0].severity_threshold =
            Some("High".into());
    });
    let changes = actionable(&plan);
    let filter = changes.iter().find(|c| c.kind == ResourceKind::ContentFilter).unwrap();
    assert_eq!(filter.action, Action::Update);
    assert_eq!(filter.fields[0].field, "spec.contentFilters.strict.filters");
    assert!(changes.iter().all(|c| !c.display.contains("Microsoft.DefaultV2")));
}

#[test]
fn import_writes_a_manifest_that_plans_clean() {
    let mut live = applied(&manifest(&[]));
    // The service answers each user-assigned identity with its client id.
    for value in account(&mut live)
        .identity
        .as_mut()
        .unwrap()
        .user_assigned_identities
        .as_mut()
        .unwrap()
        .values_mut()
    {
        *value = json!({ "clientId": UAI_CLIENT, "principalId": "p" });
    }
    let f = &live.foundries[&account_key()];
    let text = hubctl_plan::import::foundry_manifest(SUB, f, &Default::default());
    assert!(text.not_expressed.is_empty(), "{:?}", text.not_expressed);
    for part in [
        "kind: Foundry",
        "contentFilters:",
        "category: hate",
        "severity: low",
        "deployments:",
        "capacity: 50",
    ] {
        assert!(text.text.contains(part), "{part}:\n{}", text.text);
    }
    // The version is pinned only where the service does not upgrade it.
    assert!(!text.text.contains("2024-11-20"), "{}", text.text);
    let imported = desired(&text.text);
    let again = plan(&imported, &live, &options());
    // At most hubctl's record of the (now imported) manifest: no change.
    assert!(actionable(&again).iter().all(|c| c.is_record_only()), "{:#?}", actionable(&again));
}

fn host_key() -> String {
    format!("{}/projects/support/capabilityhosts/agents", account_key())
}

#[test]
fn a_capability_host_comes_after_its_connections_and_cannot_be_updated() {
    let plan = plan(&desired(&manifest(&[])), &empty(), &options());
    let host = plan.changes.iter().find(|c| c.kind == ResourceKind::CapabilityHost).unwrap();
    assert_eq!(host.display, "contoso-foundry/support/agents");
    let body = host.after.as_ref().unwrap();
    assert_eq!(body["properties"]["capabilityHostKind"], "Agents");
    assert_eq!(body["properties"]["threadStorageConnections"], json!(["threads"]));
    let text = manifest(&[(
        "threadStorage: [threads]",
        "threadStorage: [threads]\n        vectorStore: [files]",
    )]);
    let refused = planned(&text, |_| {});
    let change = refused.changes.iter().find(|c| c.kind == ResourceKind::CapabilityHost).unwrap();
    assert_eq!(change.action, Action::Blocked);
    assert_eq!(change.reasons, [Reason::BlockedBecauseCapabilityHostFixed]);
    assert_eq!(change.fields[0].field, "agents.vectorStore");
    // With --replace-capability-hosts: deleted, then created.
    let mut live = applied(&manifest(&[]));
    let replace = PlanOptions { replace_capability_hosts: true, ..options() };
    let replaced = hubctl_plan::plan(&desired(&text), &live, &replace);
    let hosts: Vec<(Action, &str)> = replaced
        .changes
        .iter()
        .filter(|c| c.kind == ResourceKind::CapabilityHost)
        .map(|c| (c.action, c.display.as_str()))
        .collect();
    assert_eq!(
        hosts,
        [
            (Action::Delete, "contoso-foundry/support/agents (replace: delete)"),
            (Action::Create, "contoso-foundry/support/agents (replace: create)"),
        ]
    );
    // A failed host is not left as it is.
    let f = live.foundries.get_mut(&account_key()).unwrap();
    f.capability_hosts.get_mut(&host_key()).unwrap().properties.provisioning_state =
        Some(hubctl_model::ProvisioningState::Failed);
    let failed = hubctl_plan::plan(&desired(&manifest(&[])), &live, &options());
    let change = failed.changes.iter().find(|c| c.kind == ResourceKind::CapabilityHost).unwrap();
    assert_eq!(change.reasons, [Reason::BlockedBecauseCapabilityHostFixed]);
}

#[test]
fn rule_a_second_capability_host_is_refused() {
    let text = manifest(&[(
        "threadStorage: [threads]",
        "threadStorage: [threads]\n        name: agents-v2",
    )]);
    let plan = planned(&text, |_| {});
    let change = plan.changes.iter().find(|c| c.kind == ResourceKind::CapabilityHost).unwrap();
    assert_eq!(change.action, Action::Blocked);
    assert_eq!(change.reasons, [Reason::BlockedBecauseSecondCapabilityHost]);
    assert!(change.detail.as_deref().unwrap().contains("\"agents\""));
}

#[test]
fn a_capacity_and_version_change_asks_its_quota_once() {
    // chat holds 50 of 150; the region uses 90: raising chat to 100 (and moving its version)
    // asks 50 more, which fits in the 60 free.
    let text = manifest(&[("capacity: 50", "capacity: 100"), ("2024-11-20", "2025-01-01")]);
    let mut live = applied(&manifest(&[]));
    with_quota(&mut live, 150.0, 90.0);
    let plan = hubctl_plan::plan(&desired(&text), &live, &options());
    let changes = deployment_changes(&plan);
    assert_eq!(changes.len(), 2);
    assert!(changes.iter().all(|c| c.action == Action::Update), "{changes:#?}");
    // Over by one: the capacity change is blocked, with the figures.
    with_quota(&mut live, 150.0, 101.0);
    let plan = hubctl_plan::plan(&desired(&text), &live, &options());
    let blocked: Vec<&str> = deployment_changes(&plan)
        .iter()
        .filter(|c| c.action == Action::Blocked)
        .map(|c| c.detail.as_deref().unwrap())
        .collect();
    assert_eq!(blocked.len(), 1, "{blocked:?}");
    assert!(blocked[0].contains("asks 50 more, 49 free"), "{blocked:?}");
}

#[test]
fn purging_needs_its_subscription_permission_checked() {
    use hubctl_plan::permissions::{CallerPermissions, Grant, ScopeAccess, check};
    let live = applied(&manifest(&[]));
    let nothing = hubctl_spec::Desired::default();
    let purge = PlanOptions { prune: true, purge: true, ..options() };
    let at = |actions: &[&str]| CallerPermissions {
        caller: "the-pipeline".into(),
        scopes: [(
            format!("/subscriptions/{SUB}/resourcegroups/rg"),
            ScopeAccess::Read {
                grants: vec![Grant {
                    actions: actions.iter().map(|a| a.to_string()).collect(),
                    not_actions: Vec::new(),
                }],
                conditioned: false,
                conditions_unread: None,
                denies: Vec::new(),
            },
        )]
        .into(),
    };
    // Cognitive Services Contributor at the group: the delete, but not the purge.
    let mut refused = plan(&nothing, &live, &purge);
    check(&mut refused, &at(&["Microsoft.CognitiveServices/accounts/*"]));
    let change = account_change(&refused);
    assert_eq!(change.action, Action::Blocked);
    assert!(change.detail.as_deref().unwrap().contains("deletedAccounts/delete"), "{change:#?}");
    // With it at the group: not refused, but the group's answer cannot say it is held at the
    // subscription, so a warning.
    let mut undecided = plan(&nothing, &live, &purge);
    check(&mut undecided, &at(&["Microsoft.CognitiveServices/*"]));
    assert_eq!(account_change(&undecided).action, Action::Delete);
    assert!(undecided.warnings.iter().any(|w| w.kind == reasons::WarningKind::PermissionUndecided
        && w.detail.contains("at the subscription")));
}

#[test]
fn rule_a_key_identity_that_cannot_be_read_blocks_the_account() {
    // The inventory found no client id for the key's identity.
    let plan = plan(&desired(&manifest(&[])), &Live::default(), &options());
    blocked_by(&plan, Reason::BlockedBecauseKeyIdentityNotFound);
    let change = account_change(&plan);
    assert_eq!(change.fields[0].field, "spec.encryption.identity");
}

#[test]
fn undeclared_content_filters_and_deployments_go_only_with_prune() {
    let without = manifest(&[(
        "      filters:\n        - { category: hate, source: prompt, severity: low }\n        - { category: jailbreak, source: prompt }\n",
        "",
    )]);
    let without = without
        .replace("  contentFilters:\n    - name: strict\n", "")
        .replace(", contentFilter: strict", "");
    let live = applied(&manifest(&[]));
    let kept = plan(&desired(&without), &live, &options());
    assert!(
        kept.changes
            .iter()
            .all(|c| c.kind != ResourceKind::ContentFilter || c.action != Action::Delete)
    );
    assert!(kept.warnings.iter().any(|w| w.kind == reasons::WarningKind::UndeclaredContentFilter));
    let pruned = plan(&desired(&without), &live, &PlanOptions { prune: true, ..options() });
    // Still used by the live chat deployment: not deleted, reported.
    assert!(pruned.changes.iter().all(|c| c.kind != ResourceKind::ContentFilter));
    // Without the deployment that uses it, it goes.
    let mut unused = live.clone();
    unused
        .foundries
        .get_mut(&account_key())
        .unwrap()
        .deployments
        .iter_mut()
        .for_each(|d| d.properties.rai_policy_name = None);
    let pruned = plan(&desired(&without), &unused, &PlanOptions { prune: true, ..options() });
    let deletes: Vec<&str> = pruned
        .changes
        .iter()
        .filter(|c| c.kind == ResourceKind::ContentFilter)
        .map(|c| c.display.as_str())
        .collect();
    assert_eq!(deletes, ["contoso-foundry/strict"]);
}
