//! Every public Cognitive Services example in tests/fixtures/arm-reference/cognitiveservices-*
//! (copies from Azure/azure-rest-api-specs, sources in that folder's SOURCES.md) replayed
//! against the emulator: the example's request is sent (its method, path, api-version and
//! body), and the answer must have one of the example's statuses and its shape (every field
//! the example shows, with the same JSON type). A long-running answer is followed to its end.
//! The seed and the setup steps create what each example needs first (accounts with a
//! subdomain, project management and an identity; projects; the resource a GET reads).
//!
//! Deviations, each deliberate:
//! - `PurgeDeletedAccount.json` and `2024-10-01/ListAccountsByResourceGroup.json` name the
//!   subscription `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, which is not a GUID; they are sent
//!   to the examples' other subscription.
//! - `2025-09-01/CreateAccount.json` creates an account with a customer-managed key reached
//!   through the system-assigned identity, which does not exist before the account: the
//!   emulator refuses it (400, inferred, docs/emulator.md); the replay asserts the refusal.
//! - Capability-host answers in the examples carry `description` and `tags` inside
//!   `properties` that the requests do not send; the replay sends them (the emulator echoes
//!   what is written).
//! - `2025-12-01/AccountCapabilityHost/get.json` shows `enablePublicHostingEnvironment`, a
//!   field of that version which the 2025-06-01 create did not send: not required.
//! - `ProjectCapabilityHost/list.json` has no path in the API description (no list operation
//!   for capability hosts): the emulator answers 404 and the replay asserts that.
//! - `ListAccountModels.json` shows a fine-tuned model (`baseModel`); the emulator's catalog
//!   has none, so `baseModel` is not required.
//! - Tag names in the examples' answers are their writers' data: not required.
//! - Examples with kinds such as `Emotion` or `Bing.Search` are served as any other kind (the
//!   emulator keeps the kind written); their endpoints are the emulator's.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hubctl_emulator::{Clock, Options, Seed};
use reqwest::Method;
use serde_json::{Value, json};
use support::*;

const A: &str = "00000000-1111-2222-3333-444444444444";
const B: &str = "00000000-0000-0000-0000-000000000000";
const LRO: Duration = Duration::from_secs(1);

fn seed() -> Seed {
    let groups = [
        "myResourceGroup",
        "test-rg",
        "resourceGroupName",
        "res6977",
        "bvttest",
        "resourceGroup-1",
    ]
    .iter()
    .map(|g| format!("      - {{ name: {g}, location: westus }}"))
    .collect::<Vec<_>>()
    .join("\n");
    Seed::from_text(&format!(
        r#"
apiVersion: hubctl/v1
kind: LocalCloudSeed
subscriptions:
  - id: {A}
    resourceGroups:
{groups}
  - id: {B}
    resourceGroups:
      - {{ name: resourceGroupName, location: westus }}
servicePrincipals:
  - {{ clientId: {CLIENT_ID}, objectId: 11111111-0000-0000-0000-0000000000a1, secret: {CLIENT_SECRET} }}
"#
    ))
    .unwrap()
}

fn load(relative: &str) -> Value {
    let path = arm_reference().join(relative);
    serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

/// Fields the example shows that `ours` lacks or types differently (`null` matches anything).
fn shape_differences(example: &Value, ours: &Value, path: &str, out: &mut Vec<String>) {
    match (example, ours) {
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(e), Value::Object(o)) => {
            for (key, value) in e {
                match o.get(key) {
                    Some(mine) => shape_differences(value, mine, &format!("{path}.{key}"), out),
                    None => out.push(format!("{path}.{key} is missing")),
                }
            }
        }
        (Value::Array(e), Value::Array(o)) => {
            for (i, item) in e.iter().enumerate() {
                let mut best: Option<Vec<String>> = None;
                for mine in o {
                    let mut found = Vec::new();
                    shape_differences(item, mine, &format!("{path}[{i}]"), &mut found);
                    if best.as_ref().is_none_or(|b| found.len() < b.len()) {
                        best = Some(found);
                    }
                }
                out.extend(best.unwrap_or_default());
            }
        }
        (Value::String(_), Value::String(_))
        | (Value::Bool(_), Value::Bool(_))
        | (Value::Number(_), Value::Number(_)) => {}
        (e, o) => out.push(format!("{path}: example has {e}, we have {o}")),
    }
}

struct Lab {
    cloud: Cloud,
    clock: Clock,
    replayed: Vec<String>,
}

static SUBDOMAINS: AtomicUsize = AtomicUsize::new(0);

fn url(p: &Value, tail: &str) -> String {
    let sub =
        p["subscriptionId"].as_str().unwrap().replace("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", A);
    format!(
        "/subscriptions/{sub}/resourceGroups/{}/providers/Microsoft.CognitiveServices/{tail}api-version={}",
        p["resourceGroupName"].as_str().unwrap(),
        p["api-version"].as_str().unwrap()
    )
}

/// `~/accounts/{accountName}{tail}?` for an example's parameters.
fn account_url(p: &Value, tail: &str) -> String {
    let tail = format!("accounts/{}{tail}", p["accountName"].as_str().unwrap());
    url(p, &format!("{tail}{}", if tail.contains('?') { "&" } else { "?" }))
}

fn sub_url(p: &Value, tail: &str) -> String {
    let sub =
        p["subscriptionId"].as_str().unwrap().replace("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", A);
    let sep = if tail.contains('?') { "&" } else { "?" };
    format!(
        "/subscriptions/{sub}/providers/Microsoft.CognitiveServices/{tail}{sep}api-version={}",
        p["api-version"].as_str().unwrap()
    )
}

impl Lab {
    fn pass(&self) {
        self.clock.advance(LRO + Duration::from_millis(10));
    }

    /// A setup write: must be accepted; then its operation ends.
    async fn setup(&self, method: Method, url: &str, body: Option<&Value>) {
        let (status, _, answer) = self.cloud.send(method.clone(), url, body).await;
        assert!([200, 201, 202].contains(&status), "setup {method} {url}: {status} {answer}");
        self.pass();
    }

    async fn account(&self, sub: &str, rg: &str, name: &str, location: &str, kind: &str) {
        let u = format!(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.CognitiveServices/accounts/{name}?api-version=2025-06-01"
        );
        if self.cloud.get(&u).await.0 == 200 {
            return;
        }
        let n = SUBDOMAINS.fetch_add(1, Ordering::SeqCst);
        let body = json!({
            "location": location, "kind": kind, "sku": { "name": "S0" },
            "identity": { "type": "SystemAssigned" },
            "tags": { "Owner": "felixwa", "ExpiredDate": "2017/09/01" },
            "properties": { "customSubDomainName": format!("example-{n}"), "allowProjectManagement": true },
        });
        self.setup(Method::PUT, &u, Some(&body)).await;
    }

    async fn project(&self, sub: &str, rg: &str, account: &str, name: &str, location: &str) {
        let u = format!(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.CognitiveServices/accounts/{account}/projects/{name}?api-version=2025-06-01"
        );
        let body = json!({ "location": location, "identity": { "type": "SystemAssigned" },
            "tags": { "Owner": "felixwa", "ExpiredDate": "2017/09/01" },
            "properties": { "displayName": name, "description": "This is my project" } });
        self.setup(Method::PUT, &u, Some(&body)).await;
    }

    /// Replay one example: its statuses and its shape; a long-running answer followed to its end.
    async fn replay(
        &mut self,
        file: &str,
        method: Method,
        url: &str,
        body: Option<&Value>,
        optional: &[&str],
    ) -> Value {
        let example = load(file);
        let allowed: Vec<u16> =
            example["responses"].as_object().unwrap().keys().map(|k| k.parse().unwrap()).collect();
        let (status, headers, answer) = self.cloud.send(method.clone(), url, body).await;
        assert!(
            allowed.contains(&status),
            "{file}: {method} {url}: status {status} not among {allowed:?}: {answer}"
        );
        if let Some(expected) = example["responses"][status.to_string()].get("body") {
            let mut out = Vec::new();
            shape_differences(expected, &answer, "", &mut out);
            // Tag names are the writer's data, not the API's shape.
            out.retain(|d| !d.contains(".tags.") && !optional.iter().any(|o| d.contains(o)));
            assert!(out.is_empty(), "{file}: {out:#?}\nours: {answer:#}");
        }
        if let Some(status_url) = headers.get("azure-asyncoperation") {
            self.pass();
            let (code, op) = self.cloud.get(status_url.to_str().unwrap()).await;
            assert_eq!((code, op["status"].as_str()), (200, Some("Succeeded")), "{file}: {op}");
        } else if let Some(location) = headers.get("location") {
            self.pass();
            let (code, _) = self.cloud.get(location.to_str().unwrap()).await;
            assert!([200, 204].contains(&code), "{file}: the Location answered {code}");
        }
        self.replayed.push(file.to_string());
        answer
    }
}

#[tokio::test]
async fn cognitive_services_examples_replay() {
    let clock = Clock::manual();
    let cloud = Cloud::start(Options {
        seed: Some(seed()),
        lro: LRO,
        clock: clock.clone(),
        ..Options::default()
    })
    .await;
    let mut lab = Lab { cloud, clock, replayed: Vec::new() };
    let v6 = "cognitiveservices-2025-06-01";
    let v9 = "cognitiveservices-2025-09-01";

    // Accounts and projects.
    let f = format!("{v6}/CreateAccountMin.json");
    let p = load(&f)["parameters"].clone();
    let created = lab.replay(&f, Method::PUT, &account_url(&p, ""), Some(&p["account"]), &[]).await;
    assert_eq!(created["name"], "testCreate1");
    let ready = json!({ "properties": { "customSubDomainName": "testcreate1-example", "allowProjectManagement": true } });
    lab.setup(Method::PATCH, &account_url(&p, ""), Some(&ready)).await;

    let f = format!("{v9}/CreateAccount.json");
    let p = load(&f)["parameters"].clone();
    let other = account_url(&p, "").replace("testCreate1", "testCreate2");
    let (status, _, refused) = lab.cloud.put(&other, &p["account"]).await;
    assert_eq!(status, 400, "a system-identity CMK on create is refused (inferred): {refused}");
    lab.replayed.push(f);

    for file in ["CreateProject.json", "CreateProjectMin.json"] {
        let f = format!("{v6}/{file}");
        let p = load(&f)["parameters"].clone();
        let project = lab
            .replay(
                &f,
                Method::PUT,
                &account_url(&p, &format!("/projects/{}", p["projectName"].as_str().unwrap())),
                Some(&p["project"]),
                &[],
            )
            .await;
        assert_eq!(project["properties"]["isDefault"], true);
    }

    lab.account(A, "myResourceGroup", "myAccount", "westus", "AIServices").await;
    lab.project(A, "myResourceGroup", "myAccount", "myProject", "westus").await;
    let f = format!("{v6}/GetProject.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(&f, Method::GET, &account_url(&p, "/projects/myProject"), None, &[]).await;
    let f = format!("{v9}/ListProjects.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(&f, Method::GET, &account_url(&p, "/projects"), None, &[]).await;
    let f = format!("{v9}/GetAccount.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(&f, Method::GET, &account_url(&p, ""), None, &[]).await;
    let f = format!("{v6}/ListKeys.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(&f, Method::POST, &account_url(&p, "/listKeys"), None, &[]).await;
    let f = format!("{v6}/ListSkus.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(&f, Method::GET, &account_url(&p, "/skus"), None, &[]).await;

    lab.account(A, "bvttest", "bingSearch", "global", "Bing.Search").await;
    lab.project(A, "bvttest", "bingSearch", "projectName", "global").await;
    let f = format!("{v6}/UpdateAccount.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(&f, Method::PATCH, &account_url(&p, ""), Some(&p["account"]), &[]).await;
    let f = format!("{v9}/UpdateProjects.json");
    let p = load(&f)["parameters"].clone();
    let updated = lab
        .replay(
            &f,
            Method::PATCH,
            &account_url(&p, "/projects/projectName"),
            Some(&p["project"]),
            &[],
        )
        .await;
    assert_eq!(updated["properties"]["description"], "new description.");

    let f = format!("{v6}/ListAccountsBySubscription.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(&f, Method::GET, &sub_url(&p, "accounts"), None, &[]).await;
    let f = "cognitiveservices-2024-10-01/ListAccountsByResourceGroup.json".to_string();
    let p = load(&f)["parameters"].clone();
    lab.replay(&f, Method::GET, &url(&p, "accounts?"), None, &[]).await;

    // Subscription-level reads.
    let f = format!("{v6}/CheckDomainAvailability.json");
    let p = load(&f)["parameters"].clone();
    lab.account(A, "myResourceGroup", "contoso", "westus", "AIServices").await;
    lab.setup(
        Method::PATCH,
        &format!("/subscriptions/{A}/resourceGroups/myResourceGroup/providers/Microsoft.CognitiveServices/accounts/contoso?api-version=2025-06-01"),
        Some(&json!({ "tags": {} })),
    )
    .await;
    // The example's name, taken by an account so the answer carries a reason.
    let mut taken = json!({ "location": "westus", "kind": "AIServices", "sku": { "name": "S0" }, "properties": { "customSubDomainName": "contosodemoapp1" } });
    taken["identity"] = json!({ "type": "SystemAssigned" });
    lab.setup(Method::PUT, &format!("/subscriptions/{A}/resourceGroups/myResourceGroup/providers/Microsoft.CognitiveServices/accounts/demoapp?api-version=2025-06-01"), Some(&taken)).await;
    let answer = lab
        .replay(
            &f,
            Method::POST,
            &sub_url(&p, "checkDomainAvailability"),
            Some(&p["parameters"]),
            &[],
        )
        .await;
    assert_eq!(answer["isSubdomainAvailable"], false);
    let f = format!("{v6}/ListUsages.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(&f, Method::GET, &sub_url(&p, "locations/WestUS/usages"), None, &[]).await;
    let f = format!("{v6}/ListRaiContentFilters.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(&f, Method::GET, &sub_url(&p, "locations/WestUS/raiContentFilters"), None, &[])
        .await;
    let query = "modelFormat=OpenAI&modelName=ada&modelVersion=1";
    let f = format!("{v6}/ListLocationBasedModelCapacities.json");
    let p = load(&f)["parameters"].clone();
    let listed = lab
        .replay(
            &f,
            Method::GET,
            &sub_url(&p, &format!("locations/WestUS/modelCapacities?{query}")),
            None,
            &[],
        )
        .await;
    assert!(!listed["value"].as_array().unwrap().is_empty());
    let f = format!("{v9}/ListModelCapacities.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(&f, Method::GET, &sub_url(&p, &format!("modelCapacities?{query}")), None, &[]).await;

    // Deployments, content filters and blocklists on `accountName` (in both subscriptions).
    lab.account(A, "resourceGroupName", "accountName", "westus", "AIServices").await;
    lab.account(B, "resourceGroupName", "accountName", "westus", "AIServices").await;
    let f = format!("{v6}/ListAccountModels.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(&f, Method::GET, &account_url(&p, "/models"), None, &["baseModel"]).await;
    let f = format!("{v6}/PutDeployment.json");
    let p = load(&f)["parameters"].clone();
    let d = account_url(&p, "/deployments/deploymentName");
    lab.replay(&f, Method::PUT, &d, Some(&p["deployment"]), &[]).await;
    let f = format!("{v6}/GetDeployment.json");
    lab.replay(&f, Method::GET, &d, None, &[]).await;
    let f = format!("{v9}/ListDeployments.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(&f, Method::GET, &account_url(&p, "/deployments"), None, &[]).await;
    let f = format!("{v6}/UpdateDeployment.json");
    let p = load(&f)["parameters"].clone();
    let d_b = account_url(&p, "/deployments/deploymentName");
    let put = load(&format!("{v6}/PutDeployment.json"))["parameters"]["deployment"].clone();
    lab.setup(Method::PUT, &d_b, Some(&put)).await;
    lab.replay(&f, Method::PATCH, &d_b, Some(&p["deployment"]), &[]).await;
    let f = format!("{v9}/ListDeploymentSkus.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(&f, Method::GET, &account_url(&p, "/deployments/deploymentName/skus"), None, &[])
        .await;
    let f = format!("{v9}/DeleteDeployment.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(&f, Method::DELETE, &account_url(&p, "/deployments/deploymentName"), None, &[])
        .await;
    assert_eq!(lab.cloud.get(&d).await.0, 404);

    let f = format!("{v6}/PutRaiPolicy.json");
    let p = load(&f)["parameters"].clone();
    let policy = account_url(&p, "/raiPolicies/raiPolicyName");
    lab.replay(&f, Method::PUT, &policy, Some(&p["raiPolicy"]), &[]).await;
    let f = format!("{v6}/GetRaiPolicy.json");
    lab.replay(&f, Method::GET, &policy, None, &[]).await;
    let f = format!("{v6}/ListRaiPolicies.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(&f, Method::GET, &account_url(&p, "/raiPolicies"), None, &[]).await;
    let f = format!("{v9}/DeleteRaiPolicy.json");
    lab.replay(&f, Method::DELETE, &policy, None, &[]).await;

    let f = format!("{v6}/PutRaiBlocklist.json");
    let p = load(&f)["parameters"].clone();
    let list = account_url(&p, "/raiBlocklists/raiBlocklistName");
    lab.replay(&f, Method::PUT, &list, Some(&p["raiBlocklist"]), &[]).await;
    let f = format!("{v6}/GetRaiBlocklist.json");
    lab.replay(&f, Method::GET, &list, None, &[]).await;
    let f = format!("{v6}/ListBlocklists.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(&f, Method::GET, &account_url(&p, "/raiBlocklists"), None, &[]).await;
    let f = format!("{v6}/PutRaiBlocklistItem.json");
    let p = load(&f)["parameters"].clone();
    let item =
        account_url(&p, "/raiBlocklists/raiBlocklistName/raiBlocklistItems/raiBlocklistItemName");
    lab.replay(&f, Method::PUT, &item, Some(&p["raiBlocklistItem"]), &[]).await;
    let f = format!("{v6}/GetRaiBlocklistItem.json");
    lab.replay(&f, Method::GET, &item, None, &[]).await;
    let f = format!("{v6}/ListBlocklistItems.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(
        &f,
        Method::GET,
        &account_url(&p, "/raiBlocklists/raiBlocklistName/raiBlocklistItems"),
        None,
        &[],
    )
    .await;
    let f = format!("{v9}/DeleteRaiBlocklistItem.json");
    lab.replay(&f, Method::DELETE, &item, None, &[]).await;
    let f = format!("{v6}/DeleteRaiBlocklist.json");
    lab.replay(&f, Method::DELETE, &list, None, &[]).await;

    // Private endpoint connections and link resources on `sto2527`.
    lab.account(A, "res6977", "sto2527", "westus", "AIServices").await;
    let f = format!("{v6}/GetPrivateEndpointConnection.json");
    let example = load(&f);
    let p = example["parameters"].clone();
    let pec = account_url(&p, "/privateEndpointConnections/%7BprivateEndpointConnectionName%7D");
    let properties = json!({ "properties": example["responses"]["200"]["body"]["properties"] });
    lab.setup(Method::PUT, &pec, Some(&properties)).await;
    lab.replay(&f, Method::GET, &pec, None, &[]).await;
    let f = format!("{v6}/ListPrivateEndpointConnections.json");
    lab.replay(&f, Method::GET, &account_url(&p, "/privateEndpointConnections"), None, &[]).await;
    let f = format!("{v6}/ListPrivateLinkResources.json");
    lab.replay(&f, Method::GET, &account_url(&p, "/privateLinkResources"), None, &[]).await;
    let f = format!("{v6}/DeletePrivateEndpointConnection.json");
    lab.replay(&f, Method::DELETE, &pec, None, &[]).await;

    // Connections on `account-1` and `project-1` (the create and get examples name
    // resourceGroup-1, the update examples test-rg).
    for rg in ["resourceGroup-1", "test-rg"] {
        lab.account(A, rg, "account-1", "westus", "AIServices").await;
        lab.project(A, rg, "account-1", "project-1", "westus").await;
    }
    for (kind, tail) in [("AccountConnection", ""), ("ProjectConnection", "/projects/project-1")] {
        let f = format!("{v6}/{kind}/create.json");
        let p = load(&f)["parameters"].clone();
        let body = p.get("body").or_else(|| p.get("connection")).unwrap().clone();
        let c = account_url(&p, &format!("{tail}/connections/connection-1"));
        lab.replay(&f, Method::PUT, &c, Some(&body), &[]).await;
        let get = if kind == "AccountConnection" {
            format!("{v9}/{kind}/get.json")
        } else {
            format!("{v6}/{kind}/get.json")
        };
        lab.replay(&get, Method::GET, &c, None, &[]).await;
        let f = format!("{v6}/{kind}/list.json");
        let p = load(&f)["parameters"].clone();
        lab.replay(&f, Method::GET, &account_url(&p, &format!("{tail}/connections")), None, &[])
            .await;
        let f = format!("{v6}/{kind}/update.json");
        let p = load(&f)["parameters"].clone();
        let c_update = account_url(&p, &format!("{tail}/connections/connection-1"));
        lab.setup(Method::PUT, &c_update, Some(&body)).await;
        let patched = lab.replay(&f, Method::PATCH, &c_update, Some(&p["connection"]), &[]).await;
        assert!(!patched.to_string().contains("secretAccessKey"), "no secrets: {patched}");
        assert!(patched["properties"].get("credentials").is_none());
        let f = format!("{v9}/{kind}/delete.json");
        let p = load(&f)["parameters"].clone();
        lab.replay(
            &f,
            Method::DELETE,
            &account_url(&p, &format!("{tail}/connections/connection-1")),
            None,
            &[],
        )
        .await;
    }

    // Capability hosts on `account-1` in test-rg and its project.
    for (kind, tail, get) in [
        (
            "AccountCapabilityHost",
            "",
            "cognitiveservices-2025-12-01/AccountCapabilityHost/get.json",
        ),
        (
            "ProjectCapabilityHost",
            "/projects/project-1",
            "cognitiveservices-2025-06-01/ProjectCapabilityHost/get.json",
        ),
    ] {
        let f = format!("{v6}/{kind}/createOrUpdate.json");
        let p = load(&f)["parameters"].clone();
        let mut body = p.get("body").or_else(|| p.get("capabilityHost")).unwrap().clone();
        body["properties"]["description"] = json!("string");
        body["properties"]["tags"] = json!({ "string": "string" });
        let host = account_url(&p, &format!("{tail}/capabilityHosts/capabilityHostName"));
        lab.replay(&f, Method::PUT, &host, Some(&body), &[]).await;
        let g = load(get);
        let gp = g["parameters"].clone();
        lab.replay(
            get,
            Method::GET,
            &account_url(&gp, &format!("{tail}/capabilityHosts/capabilityHostName")),
            None,
            // A 2025-12-01 field the 2025-06-01 create did not send.
            &["enablePublicHostingEnvironment"],
        )
        .await;
        if kind == "ProjectCapabilityHost" {
            let f = format!("{v6}/{kind}/list.json");
            let p = load(&f)["parameters"].clone();
            let (status, _, _) = lab
                .cloud
                .send(Method::GET, &account_url(&p, &format!("{tail}/capabilityHosts")), None)
                .await;
            assert_eq!(status, 404, "the description has no list of capability hosts");
            lab.replayed.push(f);
        }
        let f = format!("{v9}/{kind}/delete.json");
        let p = load(&f)["parameters"].clone();
        lab.replay(
            &f,
            Method::DELETE,
            &account_url(&p, &format!("{tail}/capabilityHosts/capabilityHostName")),
            None,
            &[],
        )
        .await;
        assert_eq!(lab.cloud.get(&host).await.0, 404);
    }

    // Deletes: a project, its account, the purge; a deleted account read back.
    lab.account(A, "myResourceGroup", "PropTest01", "westus", "AIServices").await;
    lab.project(A, "myResourceGroup", "PropTest01", "myProject", "westus").await;
    let f = format!("{v6}/DeleteProject.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(&f, Method::DELETE, &account_url(&p, "/projects/myProject"), None, &[]).await;
    let f = format!("{v6}/DeleteAccount.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(&f, Method::DELETE, &account_url(&p, ""), None, &[]).await;
    let f = format!("{v6}/PurgeDeletedAccount.json");
    let p = load(&f)["parameters"].clone();
    lab.replay(
        &f,
        Method::DELETE,
        &sub_url(&p, "locations/westus/resourceGroups/myResourceGroup/deletedAccounts/PropTest01"),
        None,
        &[],
    )
    .await;
    let f = format!("{v9}/GetDeletedAccount.json");
    let p = load(&f)["parameters"].clone();
    lab.setup(Method::DELETE, &account_url(&p, ""), None).await;
    let deleted = lab
        .replay(
            &f,
            Method::GET,
            &sub_url(
                &p,
                "locations/westus/resourceGroups/myResourceGroup/deletedAccounts/myAccount",
            ),
            None,
            &[],
        )
        .await;
    assert_eq!(deleted["id"], load(&f)["responses"]["200"]["body"]["id"]);

    // Every example in the cognitiveservices folders was replayed.
    let root = arm_reference();
    let mut found = Vec::new();
    collect(&root, &root, &mut found);
    found.sort();
    let mut replayed = lab.replayed.clone();
    replayed.sort();
    replayed.dedup();
    assert_eq!(
        found, replayed,
        "an example in tests/fixtures/arm-reference/cognitiveservices-* has no replay"
    );
    lab.cloud.emulator.shutdown().await;
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let relative = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            collect(root, &path, out);
        } else if relative.starts_with("cognitiveservices-") && relative.ends_with(".json") {
            out.push(relative);
        }
    }
}
