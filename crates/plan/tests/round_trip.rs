//! The mapping both ways, one property per manifest section: a manifest → the ARM bodies the
//! plan sends (applied in memory, as the service would store them) → the manifest `hubctl
//! import` writes from them → the same section, read by the real loader.
//!
//! Orders ARM does not keep (rules and projects are maps by name) are compared sorted; roles
//! by GUID (import writes a role's current name); `exclusive` is hubctl's own policy with no
//! ARM counterpart, so it is not part of a round trip.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use hubctl_model::Live;
use hubctl_plan::{PlanOptions, plan};
use hubctl_spec::model as spec;
use hubctl_test::simulate;
use proptest::prelude::*;

const SUB: &str = "00000000-0000-0000-0000-000000000001";

fn id(arm_type: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg/providers/{arm_type}/{name}")
}

/// The manifest with `spec_tail` after the storage account, tags `tags`.
fn manifest(tags: &str, spec_tail: &str) -> String {
    format!(
        "apiVersion: hubctl/v1\nkind: Hub\nmetadata:\n  name: hub-one\n  subscription: {SUB}\n  resourceGroup: rg\n  location: eastus2\n{tags}spec:\n  storageAccount: {}\n{spec_tail}",
        id("Microsoft.Storage/storageAccounts", "sa")
    )
}

fn load(text: &str) -> spec::Hub {
    let desired = hubctl_spec::load_str(Path::new("hub.yaml"), text).unwrap_or_else(|e| {
        panic!("{text}\n{:?}", e.diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>())
    });
    desired.hubs.into_iter().next().unwrap()
}

/// Manifest → ARM (the plan's bodies, applied in memory) → manifest (import) → hub.
fn round_trip(text: &str) -> (spec::Hub, spec::Hub) {
    let before = load(text);
    let desired = hubctl_spec::load_str(Path::new("hub.yaml"), text).unwrap();
    let options =
        PlanOptions { target: "t".into(), tool_version: "t".into(), ..PlanOptions::default() };
    let live = simulate::apply(&Live::default(), &plan(&desired, &Live::default(), &options));
    let hub = live.hubs.values().next().expect("the hub was created");
    let imported = hubctl_plan::import::manifest(SUB, hub);
    assert!(imported.not_expressed.is_empty(), "{:?}", imported.not_expressed);
    (before, load(&imported.text))
}

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{1,10}[a-z0-9]"
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z][A-Za-z0-9 ,.()_-]{0,30}[A-Za-z0-9]",
        Just("true".to_string()),
        Just("4711".to_string()),
        Just("a: b #c".to_string()),
    ]
}

type Grant = (String, String, String, Option<spec::Condition>, Option<String>);

fn roles(access: &spec::Access) -> Vec<Grant> {
    let mut out: Vec<_> = access
        .assignments
        .iter()
        .map(|a| {
            let role = match &a.role {
                spec::RoleRef::Id(guid) => guid.as_str().to_string(),
                spec::RoleRef::Name(name) => {
                    hubctl_plan::roles::built_in(name).unwrap().to_string()
                }
            };
            (
                a.principal.text(),
                format!("{:?}", a.principal_type),
                role,
                a.condition.clone(),
                a.description.clone(),
            )
        })
        .collect();
    out.sort_by(|a, b| (&a.0, &a.2).cmp(&(&b.0, &b.2)));
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// metadata (tags, location), displayName, description, applicationInsights,
    /// containerRegistry, storageAccess.
    #[test]
    fn hub_core(
        // Lower-case names: ARM's tag names are case-insensitive, so `I` and `i` together are
        // one tag written twice, which the loader rightly refuses.
        tags in proptest::collection::btree_map("[a-z][a-z0-9]{0,8}", text(), 0..4),
        display in proptest::option::of(text()),
        description in proptest::option::of(text()),
        insights in any::<bool>(),
        registry in any::<bool>(),
        identity_access in any::<bool>(),
        image_build in proptest::option::of(name()),
    ) {
        let tags = if tags.is_empty() { String::new() } else {
            let lines: Vec<String> = tags.iter().map(|(k, v)| format!("    {k}: {}", serde_json::to_string(v).unwrap())).collect();
            format!("  tags:\n{}\n", lines.join("\n"))
        };
        let mut tail = String::new();
        if let Some(d) = &display { tail += &format!("  displayName: {}\n", serde_json::to_string(d).unwrap()); }
        if let Some(d) = &description { tail += &format!("  description: {}\n", serde_json::to_string(d).unwrap()); }
        if insights { tail += &format!("  applicationInsights: {}\n", id("Microsoft.Insights/components", "ai")); }
        if registry { tail += &format!("  containerRegistry: {}\n", id("Microsoft.ContainerRegistry/registries", "acr")); }
        tail += if identity_access { "  storageAccess: identity\n" } else { "  storageAccess: credential\n" };
        if let Some(compute) = &image_build { tail += &format!("  imageBuildCompute: {compute}\n"); }
        let (a, b) = round_trip(&manifest(&tags, &tail));
        prop_assert_eq!(&a.metadata.tags, &b.metadata.tags);
        prop_assert_eq!(&a.metadata.location, &b.metadata.location);
        prop_assert_eq!(&a.metadata.resource_group, &b.metadata.resource_group);
        prop_assert_eq!(&a.spec.display_name, &b.spec.display_name);
        prop_assert_eq!(&a.spec.description, &b.spec.description);
        prop_assert_eq!(&a.spec.storage_account, &b.spec.storage_account);
        prop_assert_eq!(&a.spec.application_insights, &b.spec.application_insights);
        prop_assert_eq!(&a.spec.container_registry, &b.spec.container_registry);
        prop_assert_eq!(a.spec.storage_access, b.spec.storage_access);
        prop_assert_eq!(&a.spec.image_build_compute, &b.spec.image_build_compute);
    }

    /// identity, credentialStore, encryption, highBusinessImpact.
    #[test]
    fn identity(kind in 0u8..3, uais in 1usize..3, primary in any::<bool>(), vault in any::<bool>(), cmk in any::<bool>(), cmk_identity in any::<bool>(), hbi in any::<bool>()) {
        let uai = |i: usize| id("Microsoft.ManagedIdentity/userAssignedIdentities", &format!("uai{i}"));
        let mut tail = String::new();
        if vault { tail += &format!("  credentialStore: {{ keyVault: {} }}\n", id("Microsoft.KeyVault/vaults", "kv")); }
        let with_user = kind > 0;
        tail += &match kind {
            0 => "  identity: { type: systemAssigned }\n".to_string(),
            _ => {
                let list: Vec<String> = (0..uais).map(uai).collect();
                let kind = if kind == 1 { "userAssigned" } else { "\"systemAssigned,userAssigned\"" };
                let primary = if primary || kind == "userAssigned" { format!(", primary: {}", uai(0)) } else { String::new() };
                format!("  identity: {{ type: {kind}, userAssigned: [{}]{primary} }}\n", list.join(", "))
            }
        };
        if cmk {
            let identity = if cmk_identity && with_user { format!(", identity: {}", uai(0)) } else { String::new() };
            tail += &format!("  encryption: {{ type: customerManaged, keyVault: {}, keyUri: \"https://cmk.vault.azure.net/keys/k/0123456789abcdef0123456789abcdef\"{identity} }}\n", id("Microsoft.KeyVault/vaults", "cmk"));
        }
        tail += &format!("  highBusinessImpact: {hbi}\n");
        let (a, b) = round_trip(&manifest("", &tail));
        prop_assert_eq!(&a.spec.identity, &b.spec.identity);
        prop_assert_eq!(&a.spec.credential_store, &b.spec.credential_store);
        prop_assert_eq!(&a.spec.encryption, &b.spec.encryption);
        prop_assert_eq!(a.spec.high_business_impact, b.spec.high_business_impact);
    }

    /// network: public access, isolation, firewall, outbound rules of every kind.
    #[test]
    fn network(public in any::<bool>(), mode in 0u8..3, basic in any::<bool>(), monitor in any::<bool>(), links in proptest::option::of(proptest::collection::btree_map(name(), proptest::option::of(text()), 1..3)), rules in proptest::collection::btree_map(name(), 0u8..4, 0..4)) {
        let mut tail = format!("  network:\n    publicNetworkAccess: {}\n", if public { "enabled" } else { "disabled" });
        tail += match mode { 0 => "    isolation: public\n", 1 => "    isolation: privateWithInternetOutbound\n", _ => "    isolation: privateWithApprovedOutbound\n" };
        if mode == 2 { tail += if basic { "    firewallSku: basic\n" } else { "    firewallSku: standard\n" }; }
        // Only `true` is written by import (false is the service's default).
        if mode > 0 && monitor { tail += "    networkMonitor: true\n"; }
        if let Some(links) = &links {
            tail += "    sharedPrivateLinks:\n";
            for (name, message) in links {
                let resource = format!("{}/privateLinkResources/Sql", id("Microsoft.DocumentDB/databaseAccounts", name));
                let message = message.as_ref().map(|m| format!(", requestMessage: {}", serde_json::to_string(m).unwrap())).unwrap_or_default();
                tail += &format!("      - {{ name: {name}, resource: {resource}, groupId: Sql{message} }}\n");
            }
        }
        let rules: Vec<(String, u8)> = if mode == 0 { Vec::new() } else { rules.into_iter().map(|(n, k)| (n, if mode == 1 { 1 } else { k })).collect() };
        if !rules.is_empty() {
            tail += "    outboundRules:\n";
            for (name, kind) in &rules {
                tail += &match kind {
                    0 => format!("      - {{ name: {name}, fqdn: \"*.{name}.example.org\" }}\n"),
                    1 | 3 => format!("      - {{ name: {name}, privateEndpoint: {{ resource: {}, subresource: blob, sparkEnabled: {} }} }}\n", id("Microsoft.Storage/storageAccounts", &name.replace('-', "")), *kind == 3),
                    _ => format!("      - {{ name: {name}, serviceTag: {{ tag: DataFactory, protocol: TCP, ports: \"443,8080-8090\" }} }}\n"),
                };
            }
        }
        let (a, b) = round_trip(&manifest("", &tail));
        let sorted = |n: &spec::Network| { let mut r = n.isolation.rules(); r.sort_by(|x, y| x.name.cmp(&y.name)); (n.public_network_access, std::mem::discriminant(&n.isolation), r, n.network_monitor, n.shared_private_links.clone()) };
        prop_assert_eq!(sorted(&a.spec.network), sorted(&b.spec.network));
        if let (spec::Isolation::PrivateWithApprovedOutbound { firewall_sku: x, .. }, spec::Isolation::PrivateWithApprovedOutbound { firewall_sku: y, .. }) = (&a.spec.network.isolation, &b.spec.network.isolation) {
            prop_assert_eq!(x, y);
        }
    }

    /// connections of every category.
    #[test]
    fn connections(list in proptest::collection::btree_map(name(), 0u8..4, 0..4)) {
        let mut tail = String::new();
        if !list.is_empty() {
            tail += "  connections:\n";
            for (name, category) in &list {
                let plain = name.replace('-', "");
                tail += &match category {
                    0 => format!("    - {{ name: {name}, category: aiServices, resource: {} }}\n", id("Microsoft.CognitiveServices/accounts", &plain)),
                    1 => format!("    - {{ name: {name}, category: azureOpenAI, resource: {} }}\n", id("Microsoft.CognitiveServices/accounts", &plain)),
                    2 => format!("    - {{ name: {name}, category: aiSearch, resource: {} }}\n", id("Microsoft.Search/searchServices", &plain)),
                    _ => format!("    - {{ name: {name}, category: storage, resource: {}, container: data }}\n", id("Microsoft.Storage/storageAccounts", &plain)),
                };
            }
        }
        let (a, b) = round_trip(&manifest("", &tail));
        prop_assert_eq!(&a.spec.connections, &b.spec.connections);
    }

    /// access at the hub: principals of every type, roles by name or GUID, ABAC conditions.
    #[test]
    fn access(grants in proptest::collection::vec((0u8..3, 0u8..4, any::<bool>(), proptest::option::of(text())), 0..4)) {
        let role_names = ["Azure AI Developer", "Azure AI User", "Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7"];
        let kinds = ["user", "group", "servicePrincipal"];
        let mut tail = String::new();
        if !grants.is_empty() {
            tail += "  access:\n    assignments:\n";
            for (i, (kind, role, conditioned, description)) in grants.iter().enumerate() {
                tail += &format!("      - principal: 7d2f6a0e-0000-0000-0000-0000000000{i:02}\n        principalType: {}\n        role: {}\n", kinds[*kind as usize], role_names[*role as usize]);
                if let Some(d) = description {
                    tail += &format!("        description: {}\n", serde_json::to_string(d).unwrap());
                }
                if *conditioned {
                    tail += "        condition: \"((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {64702f94-c441-49e6-a78b-ef80e0188fee}))\"\n";
                }
            }
        }
        let (a, b) = round_trip(&manifest("", &tail));
        prop_assert_eq!(roles(&a.spec.access), roles(&b.spec.access));
    }

    /// projects: names, display names, descriptions and their access.
    #[test]
    fn projects(list in proptest::collection::btree_map(name(), (proptest::option::of(text()), proptest::option::of(text()), any::<bool>()), 0..4)) {
        let mut tail = String::new();
        if !list.is_empty() {
            tail += "  projects:\n";
            for (i, (name, (display, description, access))) in list.iter().enumerate() {
                tail += &format!("    - name: p-{name}\n");
                if let Some(d) = display { tail += &format!("      displayName: {}\n", serde_json::to_string(d).unwrap()); }
                if let Some(d) = description { tail += &format!("      description: {}\n", serde_json::to_string(d).unwrap()); }
                if *access {
                    tail += &format!("      access:\n        assignments:\n          - {{ principal: 7d2f6a0e-0000-0000-0000-0000000001{i:02}, principalType: group, role: Azure AI Developer }}\n");
                }
            }
        }
        let (a, b) = round_trip(&manifest("", &tail));
        let view = |h: &spec::Hub| {
            let mut p: Vec<_> = h.spec.projects.iter().map(|p| (p.name.clone(), p.display_name.clone(), p.description.clone(), roles(&p.access))).collect();
            p.sort_by(|x, y| x.0.cmp(&y.0));
            p
        };
        prop_assert_eq!(view(&a), view(&b));
    }
}

/// One manifest of the update property: what an update can change in place, in every section.
#[derive(Debug, Clone)]
struct InPlace {
    display: Option<String>,
    description: Option<String>,
    identity_access: bool,
    image_build: Option<String>,
    public: bool,
    approved: bool,
    basic: bool,
    monitor: bool,
    grants: Vec<(u8, bool, Option<String>)>,
    projects: Vec<(String, Option<String>)>,
}

fn in_place() -> impl Strategy<Value = InPlace> {
    (
        (
            proptest::option::of(text()),
            proptest::option::of(text()),
            any::<bool>(),
            proptest::option::of(name()),
        ),
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
        proptest::collection::vec((0u8..3, any::<bool>(), proptest::option::of(text())), 0..3),
        proptest::collection::vec((name(), proptest::option::of(text())), 0..2),
    )
        .prop_map(
            |(
                (display, description, identity_access, image_build),
                (public, approved, basic, monitor),
                grants,
                projects,
            )| {
                InPlace {
                    display,
                    description,
                    identity_access,
                    image_build,
                    public,
                    approved,
                    basic,
                    monitor,
                    grants,
                    projects,
                }
            },
        )
}

fn in_place_text(m: &InPlace) -> String {
    let q = |t: &str| serde_json::to_string(t).unwrap();
    let mut tail = String::new();
    if let Some(d) = &m.display {
        tail += &format!("  displayName: {}\n", q(d));
    }
    if let Some(d) = &m.description {
        tail += &format!("  description: {}\n", q(d));
    }
    tail += if m.identity_access {
        "  storageAccess: identity\n"
    } else {
        "  storageAccess: credential\n"
    };
    if let Some(c) = &m.image_build {
        tail += &format!("  imageBuildCompute: {c}\n");
    }
    tail += &format!(
        "  network:\n    publicNetworkAccess: {}\n",
        if m.public { "enabled" } else { "disabled" }
    );
    // Always private: a managed network cannot go back to public, so updates stay in place.
    if m.approved {
        tail += &format!(
            "    isolation: privateWithApprovedOutbound\n    firewallSku: {}\n",
            if m.basic { "basic" } else { "standard" }
        );
    } else {
        tail += "    isolation: privateWithInternetOutbound\n";
    }
    tail += &format!("    networkMonitor: {}\n", m.monitor);
    let roles = ["Azure AI Developer", "Reader", "Azure AI User"];
    if !m.grants.is_empty() {
        tail += "  access:\n    assignments:\n";
        for (i, (role, conditioned, description)) in m.grants.iter().enumerate() {
            tail += &format!(
                "      - principal: 7d2f6a0e-0000-0000-0000-0000000002{i:02}\n        principalType: group\n        role: {}\n",
                roles[*role as usize]
            );
            if *conditioned {
                tail += "        condition: \"@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'x'\"\n";
            }
            if let Some(d) = description {
                tail += &format!("        description: {}\n", q(d));
            }
        }
    }
    if !m.projects.is_empty() {
        tail += "  projects:\n";
        for (name, display) in &m.projects {
            tail += &format!("    - name: p-{name}\n");
            if let Some(d) = display {
                tail += &format!("      displayName: {}\n", q(d));
            }
        }
    }
    manifest("", &tail)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The update mapping (PATCH bodies, rewritten assignments): manifest A applied, then B
    /// planned over it and applied, then imported — B's sections come back (what B leaves out
    /// of an optional field keeps A's value, as the service keeps it).
    #[test]
    fn every_section_after_an_update(a in in_place(), b in in_place()) {
        let options = PlanOptions { target: "t".into(), tool_version: "t".into(), ..PlanOptions::default() };
        let (text_a, text_b) = (in_place_text(&a), in_place_text(&b));
        let desired_a = hubctl_spec::load_str(Path::new("hub.yaml"), &text_a).unwrap();
        let desired_b = hubctl_spec::load_str(Path::new("hub.yaml"), &text_b).unwrap();
        let live_a = simulate::apply(&Live::default(), &plan(&desired_a, &Live::default(), &options));
        let update = plan(&desired_b, &live_a, &options);
        prop_assert!(!update.is_blocked(), "{:#?}", update.changes);
        let live_b = simulate::apply(&live_a, &update);
        let hub = live_b.hubs.values().next().unwrap();
        let imported = load(&hubctl_plan::import::manifest(SUB, hub).text);
        let (want, got) = (load(&text_b), imported);
        // Optional fields B leaves out keep what A set.
        let keep = |b: &Option<String>, a: &Option<String>| b.clone().or_else(|| a.clone());
        prop_assert_eq!(&keep(&b.display, &a.display), &got.spec.display_name);
        prop_assert_eq!(&keep(&b.description, &a.description), &got.spec.description);
        prop_assert_eq!(&keep(&b.image_build, &a.image_build), &got.spec.image_build_compute);
        prop_assert_eq!(want.spec.storage_access, got.spec.storage_access);
        prop_assert_eq!(want.spec.network.public_network_access, got.spec.network.public_network_access);
        prop_assert_eq!(std::mem::discriminant(&want.spec.network.isolation), std::mem::discriminant(&got.spec.network.isolation));
        if let (spec::Isolation::PrivateWithApprovedOutbound { firewall_sku: x, .. }, spec::Isolation::PrivateWithApprovedOutbound { firewall_sku: y, .. }) = (&want.spec.network.isolation, &got.spec.network.isolation) {
            prop_assert_eq!(x, y);
        }
        prop_assert_eq!(want.spec.network.network_monitor.unwrap_or(false), got.spec.network.network_monitor.unwrap_or(false));
        // Access is not exclusive here: A's grants B leaves out stay; B's are all there, each
        // with its condition and description (one B leaves out keeps A's).
        let got_grants = roles(&got.spec.access);
        let before = roles(&load(&text_a).spec.access);
        for grant in roles(&want.spec.access) {
            let same = |g: &&Grant| (&g.0, &g.2) == (&grant.0, &grant.2);
            let found = got_grants.iter().find(same).expect("a grant of B");
            prop_assert_eq!(&found.3, &grant.3);
            let kept = before.iter().find(same).and_then(|g| g.4.clone());
            prop_assert_eq!(&found.4, &grant.4.clone().or(kept));
        }
        for (name, display) in &b.projects {
            let project = got.spec.projects.iter().find(|p| p.name == format!("p-{name}")).expect("B's project");
            let before = a.projects.iter().find(|(n, _)| n == name).and_then(|(_, d)| d.clone());
            prop_assert_eq!(&keep(display, &before), &project.display_name);
        }
    }
}
