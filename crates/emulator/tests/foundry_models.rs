//! Model deployments, quota, content filters and capability hosts of Foundry accounts
//! (`Microsoft.CognitiveServices`) over HTTPS on loopback, as the service behaves
//! (shared/arm-reference/NOTES-foundry.md §4, §5, §8; docs/emulator.md, Foundry section).
//! Time moves only when a test advances the emulator's manual clock.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use hubctl_emulator::{Clock, Options, Seed};
use reqwest::Method;
use serde_json::{Value, json};
use support::*;

const S: &str = "10000000-0000-0000-0000-0000000000f3";
const G: &str = "rg-models";
const API: &str = "2025-06-01";
const LRO: Duration = Duration::from_secs(2);
const HOST_LRO: Duration = Duration::from_secs(600);

fn seed() -> Seed {
    Seed::from_text(&format!(
        r#"
apiVersion: hubctl/v1
kind: LocalCloudSeed
subscriptions:
  - id: {S}
    quotas:
      - {{ location: eastus2, name: OpenAI.GlobalStandard.gpt-4o, limit: 100 }}
      - {{ location: West US, name: OpenAI.GlobalStandard.gpt-4o, limit: 5 }}
      - {{ location: eastus2, name: OpenAI.GlobalStandard.gpt-4.1, limit: 30 }}
    resourceGroups:
      - {{ name: {G}, location: eastus2 }}
servicePrincipals:
  - {{ clientId: {CLIENT_ID}, objectId: 11111111-0000-0000-0000-0000000000a1, secret: {CLIENT_SECRET} }}
"#
    ))
    .unwrap()
}

fn url(tail: &str) -> String {
    format!(
        "/subscriptions/{S}/resourceGroups/{G}/providers/Microsoft.CognitiveServices/{tail}?api-version={API}"
    )
}

fn sub_url(tail: &str) -> String {
    format!("/subscriptions/{S}/providers/Microsoft.CognitiveServices/{tail}?api-version={API}")
}

struct Lab {
    cloud: Cloud,
    clock: Clock,
}

impl Lab {
    async fn start() -> Lab {
        let clock = Clock::manual();
        let cloud = Cloud::start(Options {
            seed: Some(seed()),
            lro: LRO,
            capability_host_lro: Some(HOST_LRO),
            clock: clock.clone(),
            ..Options::default()
        })
        .await;
        Lab { cloud, clock }
    }
    fn pass(&self) {
        self.clock.advance(LRO + Duration::from_millis(10));
    }
    async fn send(&self, method: Method, url: &str, body: Option<&Value>) -> (u16, Value) {
        let (status, _, body) = self.cloud.send(method, url, body).await;
        (status, body)
    }
    async fn get(&self, url: &str) -> (u16, Value) {
        self.cloud.get(url).await
    }
    /// A write that must be accepted; then time passes for it to end.
    async fn done(&self, method: Method, url: &str, body: Option<&Value>) -> Value {
        let (status, answer) = self.send(method.clone(), url, body).await;
        assert!([200, 201, 202].contains(&status), "{method} {url}: {status} {answer}");
        self.pass();
        answer
    }
    async fn control(&self, what: &str, body: &Value) -> u16 {
        let response = self
            .cloud
            .http
            .post(format!("{}/_emulator/{what}", self.cloud.base()))
            .json(body)
            .send()
            .await
            .unwrap();
        response.status().as_u16()
    }
    async fn shutdown(self) {
        self.cloud.emulator.shutdown().await;
    }
}

fn account(subdomain: &str, location: &str) -> Value {
    json!({
        "location": location, "kind": "AIServices", "sku": { "name": "S0" },
        "identity": { "type": "SystemAssigned" },
        "properties": { "customSubDomainName": subdomain, "allowProjectManagement": true },
    })
}

fn deployment(sku: &str, capacity: u64, model: &str, version: Option<&str>) -> Value {
    let mut d = json!({ "sku": { "name": sku, "capacity": capacity }, "properties": { "model": { "format": "OpenAI", "name": model } } });
    if let Some(v) = version {
        d["properties"]["model"]["version"] = json!(v);
    }
    d
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or_default()
}

/// The usage named `name` in `GET ~sub/locations/{loc}/usages`, if listed.
async fn usage(lab: &Lab, location: &str, name: &str) -> Option<Value> {
    let (status, usages) = lab.get(&sub_url(&format!("locations/{location}/usages"))).await;
    assert_eq!(status, 200, "{usages}");
    usages["value"].as_array().unwrap().iter().find(|u| u["name"]["value"] == name).cloned()
}

#[tokio::test]
async fn seeded_quota_limits_deployments_per_region_and_usages_report_it() {
    let lab = Lab::start().await;
    let gpt4o = "OpenAI.GlobalStandard.gpt-4o";
    // Before any deployment: the seeded quota at 0, AccountCount as ListUsages.json shows it,
    // and nothing for a model without a seeded quota.
    let (_, usages) = lab.get(&sub_url("locations/eastus2/usages")).await;
    assert!(
        usages["value"].as_array().unwrap().iter().any(|u| u["name"]["value"] == "AccountCount")
    );
    assert!(usage(&lab, "eastus2", "OpenAI.GlobalStandard.gpt-4o-mini").await.is_none());
    let quota = usage(&lab, "eastus2", gpt4o).await.expect("seeded quota listed");
    assert_eq!(
        (&quota["currentValue"], &quota["limit"], &quota["unit"], &quota["name"]["localizedValue"]),
        (&json!(0), &json!(100), &json!("Count"), &json!("Tokens Per Minute (thousands) - gpt-4o"))
    );

    lab.done(Method::PUT, &url("accounts/acme"), Some(&account("acme-q", "eastus2"))).await;
    let d = |n: &str| url(&format!("accounts/acme/deployments/{n}"));
    lab.done(Method::PUT, &d("d1"), Some(&deployment("GlobalStandard", 60, "gpt-4o", None))).await;
    assert_eq!(usage(&lab, "eastus2", gpt4o).await.unwrap()["currentValue"], 60);

    // Over the limit: the service's 400 and message; nothing created.
    let (status, refused) = lab
        .send(Method::PUT, &d("d2"), Some(&deployment("GlobalStandard", 50, "gpt-4o", None)))
        .await;
    assert_eq!((status, code(&refused)), (400, "InsufficientQuota"));
    assert_eq!(
        message(&refused),
        "This operation require 50 new capacity in quota Tokens Per Minute (thousands) - gpt-4o, which is bigger than the current available capacity 40. The current quota usage is 60 and the quota limit is 100 for quota OpenAI.GlobalStandard.gpt-4o."
    );
    assert_eq!(lab.get(&d("d2")).await.0, 404);
    lab.done(Method::PUT, &d("d2"), Some(&deployment("GlobalStandard", 40, "gpt-4o", None))).await;
    assert_eq!(usage(&lab, "eastus2", gpt4o).await.unwrap()["currentValue"], 100);
    // Model capacities show what the quota leaves.
    let capacities = sub_url("locations/eastus2/modelCapacities")
        .replace("?", "?modelFormat=OpenAI&modelName=gpt-4o&");
    let (_, listed) = lab.get(&capacities).await;
    assert_eq!(listed["value"][0]["properties"]["availableCapacity"], 0, "{listed}");

    // A PATCH that grows past the limit is refused and changes nothing; one that shrinks passes.
    let grow = json!({ "sku": { "capacity": 61 } });
    let (status, refused) = lab.send(Method::PATCH, &d("d1"), Some(&grow)).await;
    assert_eq!((status, code(&refused)), (400, "InsufficientQuota"), "{refused}");
    assert!(message(&refused).starts_with("This operation require 1 new capacity"), "{refused}");
    assert!(message(&refused).contains("available capacity 0. The current quota usage is 100"));
    assert_eq!(lab.get(&d("d1")).await.1["sku"]["capacity"], 60);
    lab.done(Method::PATCH, &d("d1"), Some(&json!({ "sku": { "capacity": 50 } }))).await;
    assert_eq!(usage(&lab, "eastus2", gpt4o).await.unwrap()["currentValue"], 90);

    // Another SKU of the model has no seeded quota: not limited, not listed.
    lab.done(Method::PUT, &d("std"), Some(&deployment("Standard", 500, "gpt-4o", None))).await;
    assert!(usage(&lab, "eastus2", "OpenAI.Standard.gpt-4o").await.is_none());
    // A model name with a dot.
    let (status, refused) = lab
        .send(Method::PUT, &d("g41"), Some(&deployment("GlobalStandard", 31, "gpt-4.1", None)))
        .await;
    assert_eq!((status, code(&refused)), (400, "InsufficientQuota"), "{refused}");
    assert!(message(&refused).ends_with("for quota OpenAI.GlobalStandard.gpt-4.1."));

    // Regions are apart: West US (seeded as "West US") counts its own accounts only.
    let west = usage(&lab, "westus", gpt4o).await.expect("the West US quota");
    assert_eq!((&west["currentValue"], &west["limit"]), (&json!(0), &json!(5)));
    lab.done(Method::PUT, &url("accounts/westy"), Some(&account("westy-q", "westus"))).await;
    let (status, refused) = lab
        .send(
            Method::PUT,
            &url("accounts/westy/deployments/w"),
            Some(&deployment("GlobalStandard", 6, "gpt-4o", None)),
        )
        .await;
    assert_eq!((status, code(&refused)), (400, "InsufficientQuota"));

    // A soft-deleted account keeps holding its quota until it is purged (inferred).
    lab.done(Method::DELETE, &d("std"), None).await;
    lab.done(Method::DELETE, &url("accounts/acme"), None).await;
    assert_eq!(lab.get(&url("accounts/acme")).await.0, 404);
    assert_eq!(usage(&lab, "eastus2", gpt4o).await.unwrap()["currentValue"], 90);
    let purge = sub_url(&format!("locations/eastus2/resourceGroups/{G}/deletedAccounts/acme"));
    lab.done(Method::DELETE, &purge, None).await;
    assert_eq!(usage(&lab, "eastus2", gpt4o).await.unwrap()["currentValue"], 0);
    lab.shutdown().await;
}

#[tokio::test]
async fn seeded_quotas_must_be_named_as_usages_are() {
    let text = format!(
        "apiVersion: hubctl/v1\nkind: LocalCloudSeed\nsubscriptions:\n  - id: {S}\n    quotas: [{{ location: eastus2, name: gpt-4o, limit: 1 }}]\n"
    );
    let seed = Seed::from_text(&text).unwrap();
    let started =
        hubctl_emulator::Emulator::start(Options { seed: Some(seed), ..Options::default() }).await;
    let error =
        started.err().expect("a quota not named OpenAI.<Sku>.<model> is refused").to_string();
    assert!(error.contains("OpenAI.<SkuName>.<modelName>"), "{error}");
    assert!(Seed::from_text(&text.replace("limit: 1", "limit: 1, extra: 2")).is_err());
}

#[tokio::test]
async fn a_live_deployment_changes_its_version_or_its_capacity_never_its_model() {
    let lab = Lab::start().await;
    lab.done(Method::PUT, &url("accounts/acme"), Some(&account("acme-d", "eastus2"))).await;
    let d = url("accounts/acme/deployments/chat");

    // Defaults the service fills: the model's default version, the upgrade option, the
    // content filter; server-set capacity, capabilities and rate limits.
    let (status, created) =
        lab.send(Method::PUT, &d, Some(&deployment("GlobalStandard", 10, "gpt-4o", None))).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["properties"]["provisioningState"], "Creating");
    lab.pass();
    let (_, got) = lab.get(&d).await;
    let p = &got["properties"];
    assert_eq!(p["provisioningState"], "Succeeded");
    assert_eq!(
        p["model"],
        json!({ "format": "OpenAI", "name": "gpt-4o", "version": "2024-11-20" })
    );
    assert_eq!(p["versionUpgradeOption"], "OnceNewDefaultVersionAvailable");
    assert_eq!(p["raiPolicyName"], "Microsoft.DefaultV2");
    assert_eq!(p["currentCapacity"], 10);
    assert_eq!(p["capabilities"]["chatCompletion"], "true");
    assert!(p["rateLimits"].as_array().unwrap().iter().any(|r| r["key"] == "token"));
    assert_eq!(got["sku"], json!({ "name": "GlobalStandard", "capacity": 10 }));

    // Another model or format: refused, whether PUT or PATCH.
    let (status, refused) = lab
        .send(Method::PUT, &d, Some(&deployment("GlobalStandard", 10, "gpt-4o-mini", None)))
        .await;
    assert_eq!(status, 400, "{refused}");
    assert!(message(&refused).contains("cannot be changed"), "{refused}");
    let other_format = json!({ "properties": { "model": { "format": "Microsoft" } } });
    assert_eq!(lab.send(Method::PATCH, &d, Some(&other_format)).await.0, 400);

    // Capacity and version at once: refused (azure-search-openai-demo #1154).
    let (status, refused) = lab
        .send(
            Method::PUT,
            &d,
            Some(&deployment("GlobalStandard", 20, "gpt-4o", Some("2024-08-06"))),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        message(&refused)
            .starts_with("Cannot change capacity and model at the same time for deployment"),
        "{refused}"
    );
    let both = json!({ "sku": { "capacity": 20 }, "properties": { "model": { "version": "2024-08-06" } } });
    assert_eq!(lab.send(Method::PATCH, &d, Some(&both)).await.0, 400);
    assert_eq!(lab.get(&d).await.1["sku"]["capacity"], 10);

    // Each alone, in place.
    assert_eq!(
        lab.send(Method::PATCH, &d, Some(&json!({ "sku": { "capacity": 20 } }))).await.0,
        202
    );
    lab.pass();
    let version = json!({ "properties": { "model": { "version": "2024-08-06" } } });
    assert_eq!(lab.send(Method::PATCH, &d, Some(&version)).await.0, 202);
    lab.pass();
    let (_, got) = lab.get(&d).await;
    assert_eq!(
        (&got["sku"]["capacity"], &got["properties"]["model"]["version"]),
        (&json!(20), &json!("2024-08-06"))
    );
    assert_eq!(got["properties"]["currentCapacity"], 20);

    // Content filters must exist; system ones do. Unknown models and options are refused.
    let mut filtered = deployment("GlobalStandard", 20, "gpt-4o", None);
    filtered["properties"]["raiPolicyName"] = json!("strict");
    let (status, refused) = lab.send(Method::PUT, &d, Some(&filtered)).await;
    assert_eq!(status, 400);
    assert!(message(&refused).contains("'strict' does not exist"), "{refused}");
    filtered["properties"]["raiPolicyName"] = json!("Microsoft.Default");
    assert_eq!(lab.send(Method::PUT, &d, Some(&filtered)).await.0, 200);
    lab.pass();
    let unknown = deployment("GlobalStandard", 1, "no-such-model", None);
    assert_eq!(
        lab.send(Method::PUT, &url("accounts/acme/deployments/x"), Some(&unknown)).await.0,
        400
    );
    let mut option = deployment("GlobalStandard", 1, "gpt-4o", None);
    option["properties"]["versionUpgradeOption"] = json!("Sometimes");
    assert_eq!(
        lab.send(Method::PUT, &url("accounts/acme/deployments/x"), Some(&option)).await.0,
        400
    );
    let no_sku = json!({ "properties": { "model": { "format": "OpenAI", "name": "gpt-4o" } } });
    assert_eq!(
        lab.send(Method::PUT, &url("accounts/acme/deployments/x"), Some(&no_sku)).await.0,
        400
    );
    assert_eq!(lab.get(&url("accounts/acme/deployments/x")).await.0, 404);

    // Auto-upgrade, played through the control endpoint: the version moves, the rest stays
    // consistent; a later request that sends the old version with a new capacity is refused,
    // one that leaves the version out keeps the upgraded one.
    let id = got["id"].as_str().unwrap().to_string();
    let edit =
        json!({ "id": id, "patch": { "properties": { "model": { "version": "2025-01-01" } } } });
    assert_eq!(lab.control("edit", &edit).await, 200);
    let (_, upgraded) = lab.get(&d).await;
    assert_eq!(upgraded["properties"]["model"]["version"], "2025-01-01");
    assert_eq!(upgraded["properties"]["provisioningState"], "Succeeded");
    assert_eq!(upgraded["properties"]["currentCapacity"], 20);
    let stale = deployment("GlobalStandard", 30, "gpt-4o", Some("2024-08-06"));
    assert_eq!(lab.send(Method::PUT, &d, Some(&stale)).await.0, 400);
    let (status, kept) =
        lab.send(Method::PUT, &d, Some(&deployment("GlobalStandard", 30, "gpt-4o", None))).await;
    assert_eq!(status, 200, "{kept}");
    assert_eq!(kept["properties"]["model"]["version"], "2025-01-01");
    lab.pass();
    let capacity_edit = json!({ "id": id, "patch": { "sku": { "capacity": 7 } } });
    assert_eq!(lab.control("edit", &capacity_edit).await, 200);
    assert_eq!(lab.get(&d).await.1["properties"]["currentCapacity"], 7);

    // One operation at a time on the account: a deployment against an account PATCH, both ways.
    let patch = json!({ "tags": { "team": "ai" } });
    assert_eq!(
        lab.send(Method::PATCH, &d, Some(&json!({ "sku": { "capacity": 8 } }))).await.0,
        202
    );
    let (status, busy) = lab.send(Method::PATCH, &url("accounts/acme"), Some(&patch)).await;
    assert_eq!((status, code(&busy)), (409, "RequestConflict"));
    lab.pass();
    assert_eq!(lab.send(Method::PATCH, &url("accounts/acme"), Some(&patch)).await.0, 202);
    let (status, busy) = lab
        .send(
            Method::PUT,
            &url("accounts/acme/deployments/y"),
            Some(&deployment("GlobalStandard", 1, "gpt-4o", None)),
        )
        .await;
    assert_eq!((status, code(&busy)), (409, "RequestConflict"));
    assert!(message(&busy).contains("Another operation is being performed on the parent resource"));
    lab.pass();
    lab.shutdown().await;
}

fn policy(blocklists: &[&str]) -> Value {
    json!({ "properties": {
        "basePolicyName": "Microsoft.DefaultV2",
        "mode": "Asynchronous_filter",
        "contentFilters": [
            { "name": "Hate", "enabled": true, "severityThreshold": "High", "blocking": true, "source": "Prompt" },
            { "name": "Violence", "enabled": false, "severityThreshold": "Low", "blocking": false, "source": "Completion" },
        ],
        "customBlocklists": blocklists.iter().map(|b| json!({ "blocklistName": b, "blocking": true, "source": "Prompt" })).collect::<Vec<_>>(),
    } })
}

#[tokio::test]
async fn content_filters_echo_what_was_written_and_guard_what_uses_them() {
    let lab = Lab::start().await;
    lab.done(Method::PUT, &url("accounts/acme"), Some(&account("acme-r", "eastus2"))).await;
    let policies = url("accounts/acme/raiPolicies");
    let (_, listed) = lab.get(&policies).await;
    let system: Vec<&Value> = listed["value"].as_array().unwrap().iter().collect();
    assert_eq!(system.len(), 2);
    assert!(system.iter().all(|p| p["properties"]["type"] == "SystemManaged"));
    let v2 = system.iter().find(|p| p["name"] == "Microsoft.DefaultV2").unwrap();
    assert!(
        v2["properties"]["contentFilters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "Jailbreak")
    );
    for method in [Method::PUT, Method::DELETE] {
        let (status, refused) = lab
            .send(
                method.clone(),
                &url("accounts/acme/raiPolicies/Microsoft.Default"),
                Some(&policy(&[])),
            )
            .await;
        assert_eq!(status, 400, "{method} on a system policy: {refused}");
    }

    let strict = url("accounts/acme/raiPolicies/strict");
    let (status, refused) = lab.send(Method::PUT, &strict, Some(&policy(&["words"]))).await;
    assert_eq!(status, 400);
    assert!(message(&refused).contains("'words' does not exist"), "{refused}");
    let words = url("accounts/acme/raiBlocklists/words");
    let (status, _) =
        lab.send(Method::PUT, &words, Some(&json!({ "properties": { "description": "d" } }))).await;
    assert_eq!(status, 201);
    let written = policy(&["words"]);
    let (status, created) = lab.send(Method::PUT, &strict, Some(&written)).await;
    assert_eq!(status, 201, "{created}");
    let (_, got) = lab.get(&strict).await;
    assert_eq!(got["properties"]["type"], "UserManaged");
    for field in ["basePolicyName", "mode", "contentFilters", "customBlocklists"] {
        assert_eq!(got["properties"][field], written["properties"][field], "{field}");
    }
    assert_eq!(lab.get(&policies).await.1["value"].as_array().unwrap().len(), 3);

    // The description's enums, and a system base policy.
    for (field, value) in [("severityThreshold", "Extreme"), ("source", "Both")] {
        let mut bad = policy(&[]);
        bad["properties"]["contentFilters"][0][field] = json!(value);
        assert_eq!(lab.send(Method::PUT, &strict, Some(&bad)).await.0, 400, "{field}");
    }
    let mut bad = policy(&[]);
    bad["properties"]["basePolicyName"] = json!("strict");
    assert_eq!(lab.send(Method::PUT, &strict, Some(&bad)).await.0, 400);
    let mut bad = policy(&[]);
    bad["properties"]["mode"] = json!("Loud");
    assert_eq!(lab.send(Method::PUT, &strict, Some(&bad)).await.0, 400);
    assert_eq!(
        lab.get(&strict).await.1["properties"]["customBlocklists"][0]["blocklistName"],
        "words"
    );

    // In use: neither the policy (named by a deployment) nor the blocklist (named by the
    // policy) can be deleted until what names them changes.
    let mut filtered = deployment("GlobalStandard", 1, "gpt-4o-mini", None);
    filtered["properties"]["raiPolicyName"] = json!("strict");
    lab.done(Method::PUT, &url("accounts/acme/deployments/d"), Some(&filtered)).await;
    let (status, refused) = lab.send(Method::DELETE, &strict, None).await;
    assert_eq!(status, 400);
    assert!(message(&refused).contains("used by the deployments d"), "{refused}");
    let (status, refused) = lab.send(Method::DELETE, &words, None).await;
    assert_eq!(status, 400);
    assert!(message(&refused).contains("used by the RAI policies strict"), "{refused}");
    lab.done(Method::DELETE, &url("accounts/acme/deployments/d"), None).await;
    lab.done(Method::DELETE, &strict, None).await;
    lab.done(Method::DELETE, &words, None).await;
    assert_eq!(lab.get(&strict).await.0, 404);
    assert_eq!(lab.get(&words).await.0, 404);
    lab.shutdown().await;
}

fn connection() -> Value {
    json!({ "properties": { "category": "AzureOpenAI", "target": "https://x.openai.azure.com/", "authType": "AAD", "metadata": { "ApiType": "Azure" } } })
}

#[tokio::test]
async fn capability_hosts_take_their_time_name_existing_connections_and_can_time_out() {
    let lab = Lab::start().await;
    lab.done(Method::PUT, &url("accounts/acme"), Some(&account("acme-h", "eastus2"))).await;
    let project = json!({ "location": "eastus2", "identity": { "type": "SystemAssigned" }, "properties": {} });
    lab.done(Method::PUT, &url("accounts/acme/projects/proj"), Some(&project)).await;
    assert_eq!(
        lab.send(Method::PUT, &url("accounts/acme/connections/shared"), Some(&connection()))
            .await
            .0,
        200
    );
    assert_eq!(
        lab.send(
            Method::PUT,
            &url("accounts/acme/projects/proj/connections/store"),
            Some(&connection())
        )
        .await
        .0,
        200
    );

    // Connections a host names must exist on its own parent.
    let host = |field: &str, names: &[&str]| json!({ "properties": { "capabilityHostKind": "Agents", field: names } });
    let account_host = url("accounts/acme/capabilityHosts/agents");
    let project_host = url("accounts/acme/projects/proj/capabilityHosts/agents");
    for (target, body) in [
        (&account_host, host("storageConnections", &["store"])),
        (&account_host, host("aiServicesConnections", &["missing"])),
        (&project_host, host("vectorStoreConnections", &["shared"])),
        (&project_host, host("threadStorageConnections", &["store", "missing"])),
    ] {
        let (status, refused) = lab.send(Method::PUT, target, Some(&body)).await;
        assert_eq!(status, 400, "{body}: {refused}");
        assert!(message(&refused).contains("does not exist on the capability host's"), "{refused}");
    }
    let (status, refused) =
        lab.send(Method::PUT, &project_host, Some(&host("storageConnections", &[]))).await;
    assert_eq!(status, 201, "{refused}");
    lab.clock.advance(HOST_LRO);
    assert_eq!(lab.send(Method::DELETE, &project_host, None).await.0, 202);
    lab.clock.advance(HOST_LRO);
    assert_eq!(lab.get(&project_host).await.0, 404);

    // Provisioning takes Options::capability_host_lro: Creating long after an ordinary LRO.
    let (status, headers, created) = lab
        .cloud
        .send(Method::PUT, &account_host, Some(&host("aiServicesConnections", &["shared"])))
        .await;
    assert_eq!(status, 201, "{created}");
    let status_url = headers.get("azure-asyncoperation").unwrap().to_str().unwrap().to_string();
    lab.pass();
    assert_eq!(lab.get(&account_host).await.1["properties"]["provisioningState"], "Creating");
    assert_eq!(lab.get(&status_url).await.1["status"], "InProgress");
    lab.clock.advance(HOST_LRO);
    assert_eq!(lab.get(&status_url).await.1["status"], "Succeeded");
    assert_eq!(lab.get(&account_host).await.1["properties"]["provisioningState"], "Succeeded");
    // No update: PATCH 405, a changed PUT refused, an identical PUT answered as it stands.
    assert_eq!(
        lab.send(Method::PATCH, &account_host, Some(&host("aiServicesConnections", &["shared"])))
            .await
            .0,
        405
    );
    assert_eq!(
        lab.send(Method::PUT, &account_host, Some(&host("aiServicesConnections", &[]))).await.0,
        400
    );
    assert_eq!(
        lab.send(Method::PUT, &account_host, Some(&host("aiServicesConnections", &["shared"])))
            .await
            .0,
        200
    );

    // The provisioning timeout the service has been seen to end with (foundry-samples #810).
    assert_eq!(lab.control("faults", &json!({ "capabilityHostTimeouts": 1 })).await, 204);
    let (status, headers, _) = lab
        .cloud
        .send(Method::PUT, &project_host, Some(&host("storageConnections", &["store"])))
        .await;
    assert_eq!(status, 201);
    let status_url = headers.get("azure-asyncoperation").unwrap().to_str().unwrap().to_string();
    lab.pass();
    assert_eq!(lab.get(&project_host).await.1["properties"]["provisioningState"], "Creating");
    lab.clock.advance(HOST_LRO);
    let (_, op) = lab.get(&status_url).await;
    assert_eq!(op["status"], "Failed");
    assert_eq!(op["error"]["code"], "CapabilityHostOperationFailed");
    assert_eq!(
        op["error"]["message"],
        "The resource provision operation did not complete within the allowed timeout period."
    );
    assert_eq!(lab.get(&project_host).await.1["properties"]["provisioningState"], "Failed");
    // The failed host stays until deleted: another name is refused with the service's message.
    let (status, refused) = lab
        .send(
            Method::PUT,
            &url("accounts/acme/projects/proj/capabilityHosts/other"),
            Some(&host("storageConnections", &[])),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        message(&refused).contains(
            "There is an existing Capability Host with name: agents, provisioning state: Failed"
        ),
        "{refused}"
    );
    // Only one creation was made to fail.
    assert_eq!(lab.send(Method::DELETE, &project_host, None).await.0, 202);
    lab.clock.advance(HOST_LRO);
    let (status, headers, _) = lab
        .cloud
        .send(Method::PUT, &project_host, Some(&host("storageConnections", &["store"])))
        .await;
    assert_eq!(status, 201);
    lab.clock.advance(HOST_LRO);
    let (_, op) = lab.get(headers.get("azure-asyncoperation").unwrap().to_str().unwrap()).await;
    assert_eq!(op["status"], "Succeeded");
    lab.shutdown().await;
}
