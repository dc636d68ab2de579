//! Properties over generated manifests and live states:
//! - idempotence: plan, apply the plan in memory, plan again — nothing left to do (a hub the
//!   first plan blocked stays blocked, and only that);
//! - safety: no plan ever writes a field Azure refuses to change on a live hub.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use hubctl_model::Live;
use hubctl_plan::{Action, PlanOptions, ResourceKind, plan};
use hubctl_test::simulate;
use proptest::prelude::*;

const SUB: &str = "00000000-0000-0000-0000-000000000001";

fn id(kind: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg/providers/{kind}/{name}")
}

/// The choices a generated manifest makes.
#[derive(Debug, Clone)]
struct Choices {
    location: u8,
    storage: u8,
    vault: Option<u8>,
    cmk: Option<(u8, u8)>,
    app_insights: Option<u8>,
    registry: Option<u8>,
    user_identity: bool,
    identity_access: bool,
    hbi: bool,
    public: bool,
    isolation: u8,
    rules: Vec<bool>,
    description: u8,
    tags: Vec<bool>,
    projects: Vec<bool>,
    hub_access: Vec<bool>,
    exclusive: bool,
}

fn choices() -> impl Strategy<Value = Choices> {
    (
        (
            0..2u8,
            0..2u8,
            proptest::option::of(0..2u8),
            proptest::option::of((0..2u8, 0..2u8)),
            proptest::option::of(0..2u8),
            proptest::option::of(0..2u8),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            0..3u8,
            proptest::collection::vec(any::<bool>(), 3),
        ),
        (
            0..3u8,
            proptest::collection::vec(any::<bool>(), 2),
            proptest::collection::vec(any::<bool>(), 3),
            proptest::collection::vec(any::<bool>(), 3),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (location, storage, vault, cmk, app_insights, registry),
                (user_identity, identity_access, hbi, public, isolation, rules),
                (description, tags, projects, hub_access, exclusive),
            )| Choices {
                location,
                storage,
                vault,
                cmk,
                app_insights,
                registry,
                user_identity,
                identity_access,
                hbi,
                public,
                isolation,
                rules,
                description,
                tags,
                projects,
                hub_access,
                exclusive,
            },
        )
}

fn manifest(c: &Choices) -> String {
    let mut spec = String::new();
    spec.push_str(&format!("  description: d{}\n", c.description));
    spec.push_str(&format!(
        "  storageAccount: {}\n",
        id("Microsoft.Storage/storageAccounts", &format!("sa{}", c.storage))
    ));
    if let Some(v) = c.vault {
        spec.push_str(&format!(
            "  credentialStore: {{ keyVault: {} }}\n",
            id("Microsoft.KeyVault/vaults", &format!("kv{v}"))
        ));
    }
    if let Some(a) = c.app_insights {
        spec.push_str(&format!(
            "  applicationInsights: {}\n",
            id("Microsoft.Insights/components", &format!("ai{a}"))
        ));
    }
    if let Some(r) = c.registry {
        spec.push_str(&format!(
            "  containerRegistry: {}\n",
            id("Microsoft.ContainerRegistry/registries", &format!("acr{r}"))
        ));
    }
    let uai = id("Microsoft.ManagedIdentity/userAssignedIdentities", "uai");
    if c.user_identity {
        spec.push_str(&format!("  identity: {{ type: \"systemAssigned,userAssigned\", userAssigned: [{uai}], primary: {uai} }}\n"));
    }
    spec.push_str(&format!(
        "  storageAccess: {}\n",
        if c.identity_access { "identity" } else { "credential" }
    ));
    if let Some((vault, version)) = c.cmk {
        spec.push_str(&format!(
            "  encryption: {{ type: customerManaged, keyVault: {}, keyUri: \"https://cmk{vault}.vault.azure.net/keys/k/{}\" }}\n",
            id("Microsoft.KeyVault/vaults", &format!("cmk{vault}")),
            format!("{version}").repeat(32)
        ));
    }
    spec.push_str(&format!("  highBusinessImpact: {}\n", c.hbi));
    let isolation = ["public", "privateWithInternetOutbound", "privateWithApprovedOutbound"]
        [c.isolation as usize];
    spec.push_str(&format!(
        "  network:\n    publicNetworkAccess: {}\n    isolation: {isolation}\n",
        if c.public { "enabled" } else { "disabled" }
    ));
    let rules = [
        format!(
            "{{ name: lake, privateEndpoint: {{ resource: {}, subresource: dfs }} }}",
            id("Microsoft.Storage/storageAccounts", "lake")
        ),
        "{ name: pypi, fqdn: pypi.org }".to_string(),
        "{ name: adf, serviceTag: { tag: DataFactory, protocol: TCP, ports: \"443\" } }"
            .to_string(),
    ];
    let chosen: Vec<&String> = rules
        .iter()
        .zip(&c.rules)
        .filter(|(r, on)| {
            **on && (c.isolation == 2 || (c.isolation == 1 && r.contains("privateEndpoint")))
        })
        .map(|(r, _)| r)
        .collect();
    if !chosen.is_empty() {
        spec.push_str("    outboundRules:\n");
        for rule in chosen {
            spec.push_str(&format!("      - {rule}\n"));
        }
    }
    let principals = [
        "7d2f6a0e-0000-0000-0000-000000000010",
        "7d2f6a0e-0000-0000-0000-000000000011",
        "7d2f6a0e-0000-0000-0000-000000000012",
    ];
    spec.push_str(&format!("  access:\n    exclusive: {}\n    assignments:\n", c.exclusive));
    for (principal, on) in principals.iter().zip(&c.hub_access) {
        if *on {
            spec.push_str(&format!("      - {{ principal: {principal}, principalType: group, role: Azure AI Developer }}\n"));
        }
    }
    let projects: Vec<String> = ["p-one", "p-two"]
        .iter()
        .zip(&c.projects)
        .filter(|(_, on)| **on)
        .map(|(p, _)| format!("    - {{ name: {p}, displayName: {p} }}\n"))
        .collect();
    if !projects.is_empty() {
        spec.push_str("  projects:\n");
        spec.push_str(&projects.concat());
    }
    let tags: Vec<String> = ["team: ai", "cost: \"1\""]
        .iter()
        .zip(&c.tags)
        .filter(|(_, on)| **on)
        .map(|(t, _)| t.to_string())
        .collect();
    format!(
        "apiVersion: hubctl/v1\nkind: Hub\nmetadata:\n  name: gen-hub\n  subscription: {SUB}\n  resourceGroup: rg\n  location: {}\n  tags: {{ {} }}\nspec:\n{spec}",
        ["eastus2", "westeurope"][c.location as usize],
        tags.join(", ")
    )
}

fn options(prune: bool) -> PlanOptions {
    PlanOptions {
        prune,
        target: "https://arm".into(),
        tool_version: "test".into(),
        ..PlanOptions::default()
    }
}

/// Manifest fields that a live hub cannot change: an Update must never carry them.
const FIXED: &[&str] = &[
    "metadata.location",
    "spec.storageAccount",
    "spec.credentialStore",
    "spec.encryption.type",
    "spec.encryption.keyVault",
    "spec.encryption.identity",
    "spec.highBusinessImpact",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn plans_are_idempotent_and_never_write_a_fixed_field(before in choices(), after in choices(), prune in any::<bool>()) {
        let first = hubctl_spec::load_str(Path::new("a.yaml"), &manifest(&before)).unwrap();
        let live = simulate::apply(&Live::default(), &plan(&first, &Live::default(), &options(prune)));
        let desired = hubctl_spec::load_str(Path::new("b.yaml"), &manifest(&after)).unwrap();
        let planned = plan(&desired, &live, &options(prune));
        for change in &planned.changes {
            if change.action == Action::Update {
                for field in &change.fields {
                    prop_assert!(!FIXED.contains(&field.field.as_str()), "an update writes fixed field {}: {:#?}", field.field, change);
                    prop_assert!(!(field.after.is_none() && (field.field == "spec.applicationInsights" || field.field == "spec.containerRegistry")), "an update removes {}", field.field);
                }
                if change.kind == ResourceKind::ManagedNetwork {
                    prop_assert_ne!(change.after.as_ref().unwrap()["properties"]["managedNetwork"]["isolationMode"].as_str(), Some("Disabled"));
                }
            }
        }
        let blocked: Vec<String> = planned.changes.iter().filter(|c| c.action == Action::Blocked).map(|c| c.hub.clone()).collect();
        let settled = simulate::apply(&live, &planned);
        let again = plan(&desired, &settled, &options(prune));
        for change in &again.changes {
            if blocked.contains(&change.hub) {
                continue;
            }
            prop_assert_eq!(change.action, Action::NoOp, "left to do after apply: {:#?}", change);
        }
        for hub in &blocked {
            prop_assert!(again.changes.iter().any(|c| &c.hub == hub && c.action == Action::Blocked), "a blocked hub stays blocked until its manifest changes");
        }
    }
}
