//! Foundry resources (`Microsoft.CognitiveServices`) over HTTPS on loopback: the account's
//! long-running writes and their operation status, its refusals, soft delete, restore and
//! purge, subdomain uniqueness, projects, connections, role assignments at their scopes, and
//! strict auth. Time moves only when a test advances the emulator's manual clock.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use hubctl_emulator::{Clock, Emulator, Options, Seed};
use reqwest::Method;
use serde_json::{Value, json};
use support::*;

const S: &str = "10000000-0000-0000-0000-0000000000f1";
const UNREGISTERED: &str = "10000000-0000-0000-0000-0000000000f2";
const G: &str = "rg-foundry";
const API: &str = "2025-06-01";
const OID: &str = "11111111-0000-0000-0000-0000000000a1";
const LRO: Duration = Duration::from_secs(2);

fn seed() -> Seed {
    Seed::from_text(&format!(
        r#"
apiVersion: hubctl/v1
kind: LocalCloudSeed
subscriptions:
  - id: {S}
    resourceGroups:
      - name: {G}
        location: eastus2
        resources:
          - {{ type: Microsoft.ManagedIdentity/userAssignedIdentities, name: uai-cmk }}
          - type: Microsoft.KeyVault/vaults
            name: kv-foundry
            keys: [{{ name: cmk, versions: [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb] }}, {{ name: cmk2, versions: [cccccccccccccccccccccccccccccccc] }}]
          - type: Microsoft.KeyVault/vaults
            name: kv-other
            keys: [{{ name: cmk, versions: [dddddddddddddddddddddddddddddddd] }}]
          - {{ type: Microsoft.CognitiveServices/accounts, name: contoso-ais, kind: AIServices }}
  - id: {UNREGISTERED}
    unregisteredProviders: [Microsoft.CognitiveServices]
    resourceGroups:
      - {{ name: {G}, location: eastus2 }}
principals:
  - {{ id: 22222222-0000-0000-0000-0000000000b2, type: User }}
servicePrincipals:
  - {{ clientId: {CLIENT_ID}, objectId: {OID}, secret: {CLIENT_SECRET} }}
roleAssignments:
  - {{ scope: /subscriptions/{S}/resourceGroups/{G}, principal: {OID}, role: Owner }}
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

fn uai_id() -> String {
    format!(
        "/subscriptions/{S}/resourceGroups/{G}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai-cmk"
    )
}

struct Lab {
    cloud: Cloud,
    clock: Clock,
}

impl Lab {
    async fn start() -> Lab {
        Lab::with(false).await
    }
    async fn with(strict_auth: bool) -> Lab {
        let clock = Clock::manual();
        let cloud = Cloud::start(Options {
            seed: Some(seed()),
            lro: LRO,
            clock: clock.clone(),
            strict_auth,
            page_size: 2,
            ..Options::default()
        })
        .await;
        Lab { cloud, clock }
    }
    fn pass(&self) {
        self.clock.advance(LRO + Duration::from_millis(10));
    }
    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        self.cloud.send(method, url, body).await
    }
    async fn get(&self, url: &str) -> (u16, Value) {
        self.cloud.get(url).await
    }
    /// A write that must be accepted; then time passes and its operation must have Succeeded.
    async fn done(&self, method: Method, url: &str, body: Option<&Value>) -> Value {
        let (status, headers, answer) = self.send(method.clone(), url, body).await;
        assert!([200, 201, 202].contains(&status), "{method} {url}: {status} {answer}");
        if let Some(status_url) = headers.get("azure-asyncoperation") {
            self.pass();
            let (code, op) = self.get(status_url.to_str().unwrap()).await;
            assert_eq!((code, op["status"].as_str()), (200, Some("Succeeded")), "{op}");
        }
        answer
    }
    async fn shutdown(self) {
        self.cloud.emulator.shutdown().await;
    }
}

fn account(subdomain: &str) -> Value {
    json!({
        "location": "eastus2",
        "kind": "AIServices",
        "sku": { "name": "S0" },
        "identity": { "type": "SystemAssigned" },
        "tags": { "team": "ai" },
        "properties": { "customSubDomainName": subdomain, "allowProjectManagement": true, "futureField": { "kept": 1 } },
    })
}

fn project() -> Value {
    json!({ "location": "eastus2", "identity": { "type": "SystemAssigned" }, "properties": { "displayName": "P", "description": "d" } })
}

fn connection(key: &str) -> Value {
    json!({ "properties": {
        "category": "AzureOpenAI", "target": "https://x.openai.azure.com/", "authType": "ApiKey",
        "credentials": { "key": key }, "metadata": { "ApiType": "Azure" } } })
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn account_create_runs_then_succeeds_with_server_set_fields() {
    let lab = Lab::start().await;
    let mut body = account("acme-ai");
    body["properties"]["restore"] = json!(false);
    let (status, headers, created) =
        lab.send(Method::PUT, &url("accounts/acme"), Some(&body)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["properties"]["provisioningState"], "Accepted");
    let status_url = headers
        .get("azure-asyncoperation")
        .expect("Azure-AsyncOperation")
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        status_url.contains(&format!("/subscriptions/{S}/providers/Microsoft.CognitiveServices/locations/eastus2/operationStatuses/")),
        "{status_url}"
    );
    assert!(headers.get("retry-after").is_some());
    let (_, live) = lab.get(&url("accounts/acme")).await;
    assert_eq!(live["properties"]["provisioningState"], "Accepted");
    let (code200, headers, op) = lab.send(Method::GET, &status_url, None).await;
    assert_eq!((code200, op["status"].as_str()), (200, Some("InProgress")));
    assert!(headers.get("retry-after").is_some());
    assert!(op["id"].as_str().unwrap().contains("/operationStatuses/"));

    lab.pass();
    let (_, op) = lab.get(&status_url).await;
    assert_eq!(op["status"], "Succeeded");
    assert!(op.get("error").is_none());
    let (status, live) = lab.get(&url("accounts/acme")).await;
    assert_eq!(status, 200);
    let p = &live["properties"];
    assert_eq!(p["provisioningState"], "Succeeded");
    assert_eq!(p["endpoint"], "https://acme-ai.cognitiveservices.azure.com/");
    assert_eq!(p["endpoints"]["AI Foundry API"], "https://acme-ai.services.ai.azure.com/");
    assert_eq!(
        p["endpoints"]["OpenAI Language Model Instance API"],
        "https://acme-ai.openai.azure.com/"
    );
    assert_eq!(p["publicNetworkAccess"], "Enabled");
    assert_eq!(p["isMigrated"], false);
    assert_eq!(p["futureField"]["kept"], 1, "unknown fields are kept");
    assert!(p.get("restore").is_none(), "restore is never echoed");
    assert!(
        p["internalId"].is_string() && p["dateCreated"].is_string() && p["capabilities"].is_array()
    );
    assert!(p.get("networkAcls").is_none() && p.get("encryption").is_none());
    assert_eq!(live["type"], "Microsoft.CognitiveServices/accounts");
    assert!(
        live["identity"]["principalId"].is_string() && live["identity"]["tenantId"].is_string()
    );
    assert!(live["etag"].is_string());

    // A replace answers 200; lists in the group and the subscription page with nextLink.
    let (status, _, replaced) =
        lab.send(Method::PUT, &url("accounts/acme"), Some(&account("acme-ai"))).await;
    assert_eq!(
        (status, replaced["properties"]["provisioningState"].as_str()),
        (200, Some("Accepted"))
    );
    assert_eq!(replaced["properties"]["internalId"], p["internalId"], "internalId is kept");
    lab.pass();
    let mut other = account("acme-ai-2");
    other["kind"] = json!("OpenAI");
    lab.done(Method::PUT, &url("accounts/acme2"), Some(&other)).await;
    let (_, page) = lab.get(&url("accounts")).await;
    assert_eq!(page["value"].as_array().unwrap().len(), 2);
    assert!(page["nextLink"].is_string(), "three accounts, pages of two: {page}");
    let (_, next) = lab.get(page["nextLink"].as_str().unwrap()).await;
    assert_eq!(next["value"].as_array().unwrap().len(), 1);
    let (_, all) = lab.get(&sub_url("accounts")).await;
    assert!(all["nextLink"].is_string());
    lab.shutdown().await;
}

#[tokio::test]
async fn patch_merges_answers_202_with_both_headers_and_replaces_tags() {
    let lab = Lab::start().await;
    lab.done(Method::PUT, &url("accounts/acme"), Some(&account("acme-ai"))).await;
    let patch =
        json!({ "tags": { "cost": "1" }, "properties": { "publicNetworkAccess": "Disabled" } });
    let (status, headers, _) = lab.send(Method::PATCH, &url("accounts/acme"), Some(&patch)).await;
    assert_eq!(status, 202);
    assert!(headers.get("azure-asyncoperation").is_some() && headers.get("location").is_some());
    // While it runs, the account refuses another write.
    let (status, _, busy) = lab.send(Method::PATCH, &url("accounts/acme"), Some(&patch)).await;
    assert_eq!((status, code(&busy)), (409, "RequestConflict"));
    assert!(
        busy["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Another operation is being performed on the parent resource '")
    );
    // The Location answers 202 while running, then the account.
    let location = headers.get("location").unwrap().to_str().unwrap().to_string();
    assert_eq!(lab.get(&location).await.0, 202);
    lab.pass();
    let (status, body) = lab.get(&location).await;
    assert_eq!(status, 200);
    assert_eq!(body["tags"], json!({ "cost": "1" }));
    assert_eq!(body["properties"]["publicNetworkAccess"], "Disabled");
    assert_eq!(body["properties"]["customSubDomainName"], "acme-ai", "untouched fields stay");
    lab.shutdown().await;
}

#[tokio::test]
async fn a_live_account_refuses_what_the_service_refuses() {
    let owned = Lab::start().await;
    let lab = &owned;
    lab.done(Method::PUT, &url("accounts/acme"), Some(&account("acme-ai"))).await;
    let refused = |patch: Value| async move {
        let (status, _, body) = lab.send(Method::PATCH, &url("accounts/acme"), Some(&patch)).await;
        assert_eq!(status, 400, "{patch} was not refused: {body}");
        body["error"]["message"].as_str().unwrap().to_string()
    };
    assert!(refused(json!({ "kind": "OpenAI" })).await.contains("kind"));
    assert!(refused(json!({ "location": "westus" })).await.contains("location"));
    assert!(
        refused(json!({ "properties": { "customSubDomainName": "other-ai" } }))
            .await
            .contains("customSubDomainName")
    );
    assert!(
        refused(json!({ "properties": { "allowProjectManagement": false } }))
            .await
            .contains("cannot be disabled")
    );
    // Microsoft-managed → customer-managed after creation.
    let cmk = json!({ "properties": { "encryption": { "keySource": "Microsoft.KeyVault", "keyVaultProperties": {
        "keyVaultUri": "https://kv-foundry.vault.azure.net/", "keyName": "cmk" } } } });
    assert!(refused(cmk).await.contains("keySource"));
    // The one kind change allowed: OpenAI → AIServices.
    let mut openai = account("acme-oai");
    openai["kind"] = json!("OpenAI");
    openai["properties"]["allowProjectManagement"] = json!(false);
    lab.done(Method::PUT, &url("accounts/oai"), Some(&openai)).await;
    lab.done(Method::PATCH, &url("accounts/oai"), Some(&json!({ "kind": "AIServices" }))).await;
    assert_eq!(lab.get(&url("accounts/oai")).await.1["kind"], "AIServices");
    // Setting a subdomain that was never set is allowed.
    let mut plain = account("x");
    plain["properties"].as_object_mut().unwrap().remove("customSubDomainName");
    lab.done(Method::PUT, &url("accounts/plain"), Some(&plain)).await;
    lab.done(
        Method::PATCH,
        &url("accounts/plain"),
        Some(&json!({ "properties": { "customSubDomainName": "plain-ai" } })),
    )
    .await;
    // Required fields.
    for missing in ["location", "kind", "sku"] {
        let mut body = account("needs-ai");
        body.as_object_mut().unwrap().remove(missing);
        let (status, _, _) = lab.send(Method::PUT, &url("accounts/needs"), Some(&body)).await;
        assert_eq!(status, 400, "{missing}");
    }
    owned.shutdown().await;
}

#[tokio::test]
async fn customer_managed_keys_must_exist_and_be_reached_through_an_attached_identity() {
    let lab = Lab::start().await;
    let (status, _, uai) =
        lab.send(Method::GET, &format!("{}?api-version=2023-01-31", uai_id()), None).await;
    assert_eq!(status, 200);
    let client_id = uai["properties"]["clientId"].as_str().unwrap().to_string();
    let cmk = |key: &str, version: &str, client: Option<&str>| {
        let mut body = account("cmk-ai");
        body["identity"] = json!({ "type": "SystemAssigned, UserAssigned", "userAssignedIdentities": { uai_id(): {} } });
        body["properties"]["encryption"] = json!({ "keySource": "Microsoft.KeyVault", "keyVaultProperties": {
            "keyVaultUri": "https://kv-foundry.vault.azure.net/", "keyName": key, "keyVersion": version } });
        if let Some(client) = client {
            body["properties"]["encryption"]["keyVaultProperties"]["identityClientId"] =
                json!(client);
        }
        body
    };
    let v1 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    for (body, why) in [
        (cmk("missing", v1, Some(&client_id)), "a key the vault lacks"),
        (
            cmk("cmk", "ffffffffffffffffffffffffffffffff", Some(&client_id)),
            "a version the key lacks",
        ),
        (cmk("cmk", v1, Some("99999999-0000-0000-0000-000000000000")), "an identity not attached"),
        (cmk("cmk", v1, None), "the system identity, which does not exist before the account"),
    ] {
        let (status, _, answer) = lab.send(Method::PUT, &url("accounts/cmk"), Some(&body)).await;
        assert_eq!(status, 400, "{why}: {answer}");
    }
    let created =
        lab.done(Method::PUT, &url("accounts/cmk"), Some(&cmk("cmk", v1, Some(&client_id)))).await;
    assert_eq!(
        created["identity"]["userAssignedIdentities"][uai_id()]["clientId"],
        client_id.as_str()
    );
    // Key name and version may change; the vault may not; nor may the key source.
    let key = |kv: Value| json!({ "properties": { "encryption": { "keySource": "Microsoft.KeyVault", "keyVaultProperties": kv } } });
    lab.done(
        Method::PATCH,
        &url("accounts/cmk"),
        Some(&key(json!({ "keyVaultUri": "https://kv-foundry.vault.azure.net/", "keyName": "cmk2", "keyVersion": "cccccccccccccccccccccccccccccccc", "identityClientId": client_id }))),
    )
    .await;
    let other_vault = key(
        json!({ "keyVaultUri": "https://kv-other.vault.azure.net/", "keyName": "cmk", "identityClientId": client_id }),
    );
    let (status, _, body) = lab.send(Method::PATCH, &url("accounts/cmk"), Some(&other_vault)).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("keyVaultUri"));
    let back =
        json!({ "properties": { "encryption": { "keySource": "Microsoft.CognitiveServices" } } });
    assert_eq!(lab.send(Method::PATCH, &url("accounts/cmk"), Some(&back)).await.0, 400);
    lab.shutdown().await;
}

#[tokio::test]
async fn soft_delete_restore_purge_and_the_subdomain_registry() {
    let lab = Lab::start().await;
    lab.done(Method::PUT, &url("accounts/acme"), Some(&account("acme-ai"))).await;
    lab.done(Method::PUT, &url("accounts/acme/projects/proj"), Some(&project())).await;
    lab.done(
        Method::PUT,
        &url("accounts/acme/projects/proj/connections/aoai"),
        Some(&connection("k1")),
    )
    .await;
    lab.done(Method::PUT, &url("accounts/acme/connections/shared"), Some(&connection("k2"))).await;
    let scope = format!(
        "/subscriptions/{S}/resourceGroups/{G}/providers/Microsoft.CognitiveServices/accounts/acme"
    );
    let assignment = format!(
        "{scope}/providers/Microsoft.Authorization/roleAssignments/3a1b2c3d-0000-0000-0000-000000000001?api-version={AUTH_API}"
    );
    let role = json!({ "properties": { "roleDefinitionId": format!("/subscriptions/{S}/providers/Microsoft.Authorization/roleDefinitions/53ca6127-db72-4b80-b1b0-d745d6d5456d"), "principalId": "22222222-0000-0000-0000-0000000000b2" } });
    assert_eq!(lab.send(Method::PUT, &assignment, Some(&role)).await.0, 201);

    // The subdomain is global: another account anywhere cannot take it.
    let (status, _, taken) =
        lab.send(Method::PUT, &url("accounts/copycat"), Some(&account("acme-ai"))).await;
    assert_eq!((status, code(&taken)), (409, "CustomDomainInUse"));
    assert!(taken["error"]["message"].as_str().unwrap().contains("purge the deleted resource"));

    // Delete: 202 with Azure-AsyncOperation only; Deleting while it runs; then gone.
    let (status, headers, _) = lab.send(Method::DELETE, &url("accounts/acme"), None).await;
    assert_eq!(status, 202);
    assert!(headers.get("azure-asyncoperation").is_some());
    assert_eq!(
        lab.get(&url("accounts/acme")).await.1["properties"]["provisioningState"],
        "Deleting"
    );
    // A purge while the delete still runs is refused (inferred).
    let purge = sub_url(&format!("locations/eastus2/resourceGroups/{G}/deletedAccounts/acme"));
    assert_eq!(lab.send(Method::DELETE, &purge, None).await.0, 409);
    lab.pass();
    assert_eq!(lab.get(&url("accounts/acme")).await.0, 404);
    assert_eq!(lab.get(&url("accounts/acme/projects/proj")).await.0, 404);
    assert_eq!(lab.send(Method::DELETE, &url("accounts/acme"), None).await.0, 204);

    // Listed and readable as a deleted account, with its purge date 48 h after deletion.
    let (_, deleted) = lab.get(&sub_url("deletedAccounts")).await;
    let item = &deleted["value"][0];
    assert_eq!(
        item["id"],
        format!(
            "/subscriptions/{S}/providers/Microsoft.CognitiveServices/locations/eastus2/resourceGroups/{G}/deletedAccounts/acme"
        )
    );
    assert_eq!(item["type"], "Microsoft.CognitiveServices/accounts");
    assert!(
        item["properties"]["deletionDate"].is_string()
            && item["properties"]["scheduledPurgeDate"].is_string()
    );
    let (status, one) = lab.get(&purge).await;
    assert_eq!((status, &one["name"]), (200, &json!("acme")));
    let wrong_place = sub_url(&format!("locations/westus/resourceGroups/{G}/deletedAccounts/acme"));
    assert_eq!(lab.get(&wrong_place).await.0, 404);

    // The subdomain stays taken; the name too, unless restored.
    let (status, _, taken) =
        lab.send(Method::PUT, &url("accounts/copycat"), Some(&account("acme-ai"))).await;
    assert_eq!((status, code(&taken)), (409, "CustomDomainInUse"));
    let check =
        json!({ "subdomainName": "acme-ai", "type": "Microsoft.CognitiveServices/accounts" });
    let (_, _, answer) =
        lab.send(Method::POST, &sub_url("checkDomainAvailability"), Some(&check)).await;
    assert_eq!(answer["isSubdomainAvailable"], false);
    let (status, _, refused) =
        lab.send(Method::PUT, &url("accounts/acme"), Some(&account("acme-ai"))).await;
    assert_eq!((status, code(&refused)), (409, "FlagMustBeSetForRestore"));
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("you must specify 'restore' to be 'true'")
    );

    // Restore brings everything back as it was; other fields of the request are ignored.
    let mut restore = account("acme-ai");
    restore["properties"]["restore"] = json!(true);
    restore["tags"] = json!({ "ignored": "yes" });
    let (status, headers, restored) =
        lab.send(Method::PUT, &url("accounts/acme"), Some(&restore)).await;
    assert_eq!(status, 201, "{restored}");
    assert!(headers.get("azure-asyncoperation").is_some());
    lab.pass();
    let (_, live) = lab.get(&url("accounts/acme")).await;
    assert_eq!(live["properties"]["provisioningState"], "Succeeded");
    assert_eq!(live["tags"], json!({ "team": "ai" }));
    assert!(live["properties"].get("restore").is_none());
    assert_eq!(lab.get(&url("accounts/acme/projects/proj")).await.0, 200);
    assert_eq!(lab.get(&url("accounts/acme/projects/proj/connections/aoai")).await.0, 200);
    assert_eq!(lab.get(&url("accounts/acme/connections/shared")).await.0, 200);
    assert_eq!(lab.get(&assignment).await.0, 200, "role assignments at its scope come back");
    assert_eq!(lab.get(&sub_url("deletedAccounts")).await.1["value"], json!([]));

    // Delete again, purge: 202 with Azure-AsyncOperation; then the name and subdomain are free.
    lab.done(Method::DELETE, &url("accounts/acme"), None).await;
    let (status, headers, _) = lab.send(Method::DELETE, &purge, None).await;
    assert_eq!(status, 202);
    let op = headers.get("azure-asyncoperation").unwrap().to_str().unwrap().to_string();
    assert_eq!(lab.get(&op).await.1["status"], "InProgress");
    lab.pass();
    assert_eq!(lab.get(&op).await.1["status"], "Succeeded");
    assert_eq!(lab.get(&purge).await.0, 404);
    assert_eq!(lab.send(Method::DELETE, &purge, None).await.0, 204);
    let created = lab.done(Method::PUT, &url("accounts/acme"), Some(&account("acme-ai"))).await;
    assert_eq!(created["properties"]["provisioningState"], "Accepted");
    assert_eq!(
        lab.get(&url("accounts/acme/projects/proj")).await.0,
        404,
        "a purged account's projects are gone"
    );
    // A restore of nothing is refused.
    let mut nothing = account("ghost-ai");
    nothing["properties"]["restore"] = json!(true);
    assert_eq!(lab.send(Method::PUT, &url("accounts/ghost"), Some(&nothing)).await.0, 404);
    lab.shutdown().await;
}

#[tokio::test]
async fn deleted_accounts_are_purged_when_the_retention_ends() {
    let lab = Lab::start().await;
    lab.done(Method::PUT, &url("accounts/acme"), Some(&account("acme-ai"))).await;
    lab.done(Method::DELETE, &url("accounts/acme"), None).await;
    lab.clock.advance(Duration::from_secs(47 * 3600));
    assert_eq!(lab.get(&sub_url("deletedAccounts")).await.1["value"].as_array().unwrap().len(), 1);
    lab.clock.advance(Duration::from_secs(3600));
    assert_eq!(lab.get(&sub_url("deletedAccounts")).await.1["value"], json!([]));
    lab.done(Method::PUT, &url("accounts/acme"), Some(&account("acme-ai"))).await;
    lab.shutdown().await;
}

#[tokio::test]
async fn projects_need_a_ready_account_and_the_first_is_the_default() {
    let lab = Lab::start().await;
    let mut no_pm = account("nopm-ai");
    no_pm["properties"]["allowProjectManagement"] = json!(false);
    lab.done(Method::PUT, &url("accounts/nopm"), Some(&no_pm)).await;
    let mut no_identity = account("noid-ai");
    no_identity.as_object_mut().unwrap().remove("identity");
    lab.done(Method::PUT, &url("accounts/noid"), Some(&no_identity)).await;
    let mut no_subdomain = account("x");
    no_subdomain["properties"].as_object_mut().unwrap().remove("customSubDomainName");
    lab.done(Method::PUT, &url("accounts/nosub"), Some(&no_subdomain)).await;
    for parent in ["nopm", "noid", "nosub"] {
        let (status, _, body) = lab
            .send(Method::PUT, &url(&format!("accounts/{parent}/projects/p")), Some(&project()))
            .await;
        assert_eq!(status, 400, "{parent}: {body}");
    }
    assert_eq!(
        lab.send(Method::PUT, &url("accounts/none/projects/p"), Some(&project())).await.0,
        404
    );

    lab.done(Method::PUT, &url("accounts/acme"), Some(&account("acme-ai"))).await;
    let mut elsewhere = project();
    elsewhere["location"] = json!("westus");
    assert_eq!(
        lab.send(Method::PUT, &url("accounts/acme/projects/p"), Some(&elsewhere)).await.0,
        400
    );
    let (status, headers, first) =
        lab.send(Method::PUT, &url("accounts/acme/projects/first"), Some(&project())).await;
    assert_eq!(status, 201);
    assert!(headers.get("azure-asyncoperation").is_some());
    assert_eq!(first["properties"]["provisioningState"], "Accepted");
    assert_eq!(first["properties"]["isDefault"], true);
    assert_eq!(
        first["properties"]["endpoints"]["AI Foundry API"],
        "https://acme-ai.services.ai.azure.com/api/projects/first"
    );
    assert!(first["identity"]["principalId"].is_string());
    // While the project's operation runs, the account refuses writes.
    let (status, _, busy) =
        lab.send(Method::PATCH, &url("accounts/acme"), Some(&json!({ "tags": {} }))).await;
    assert_eq!((status, code(&busy)), (409, "RequestConflict"));
    lab.pass();
    let second =
        lab.done(Method::PUT, &url("accounts/acme/projects/second"), Some(&project())).await;
    assert_eq!(second["properties"]["isDefault"], false);
    assert_eq!(
        lab.get(&url("accounts/acme/projects/first")).await.1["properties"]["provisioningState"],
        "Succeeded"
    );
    let (status, headers, _) = lab
        .send(
            Method::PATCH,
            &url("accounts/acme/projects/second"),
            Some(&json!({ "properties": { "displayName": "Two" } })),
        )
        .await;
    assert_eq!(status, 202);
    assert!(headers.get("azure-asyncoperation").is_some());
    lab.pass();
    assert_eq!(
        lab.get(&url("accounts/acme/projects/second")).await.1["properties"]["displayName"],
        "Two"
    );
    let (_, list) = lab.get(&url("accounts/acme/projects")).await;
    assert_eq!(list["value"].as_array().unwrap().len(), 2);
    // Deleting a project deletes its connections.
    lab.done(
        Method::PUT,
        &url("accounts/acme/projects/second/connections/conn1"),
        Some(&connection("k")),
    )
    .await;
    let (status, headers, _) =
        lab.send(Method::DELETE, &url("accounts/acme/projects/second"), None).await;
    assert_eq!(status, 202);
    assert!(headers.get("azure-asyncoperation").is_some());
    lab.pass();
    assert_eq!(lab.get(&url("accounts/acme/projects/second")).await.0, 404);
    assert_eq!(lab.get(&url("accounts/acme/projects/second/connections/conn1")).await.0, 404);
    assert_eq!(lab.send(Method::DELETE, &url("accounts/acme/projects/second"), None).await.0, 204);
    lab.shutdown().await;
}

#[tokio::test]
async fn connections_are_synchronous_and_never_return_secrets() {
    let lab = Lab::start().await;
    lab.done(Method::PUT, &url("accounts/acme"), Some(&account("acme-ai"))).await;
    lab.done(Method::PUT, &url("accounts/acme/projects/proj"), Some(&project())).await;
    for parent in ["accounts/acme", "accounts/acme/projects/proj"] {
        let c = format!("{parent}/connections/aoai");
        let (status, _, put) =
            lab.send(Method::PUT, &url(&c), Some(&connection("TOPSECRET"))).await;
        assert_eq!(status, 200);
        assert!(!put.to_string().contains("TOPSECRET"), "{put}");
        let (_, got) = lab.get(&url(&c)).await;
        assert!(
            !got.to_string().contains("TOPSECRET")
                && got["properties"].get("credentials").is_none()
        );
        assert_eq!(got["properties"]["authType"], "ApiKey");
        let (_, list) = lab.get(&url(&format!("{parent}/connections"))).await;
        assert!(!list.to_string().contains("TOPSECRET"));
        assert_eq!(list["value"].as_array().unwrap().len(), 1);
        let (status, _, patched) = lab
            .send(
                Method::PATCH,
                &url(&c),
                Some(&json!({ "properties": { "target": "https://y.openai.azure.com/" } })),
            )
            .await;
        assert_eq!(
            (status, &patched["properties"]["target"]),
            (200, &json!("https://y.openai.azure.com/"))
        );
        assert_eq!(patched["properties"]["category"], "AzureOpenAI");
        let mut bad = connection("k");
        bad["properties"]["authType"] = json!("Magic");
        assert_eq!(lab.send(Method::PUT, &url(&c), Some(&bad)).await.0, 400);
        assert_eq!(lab.send(Method::DELETE, &url(&c), None).await.0, 200);
        assert_eq!(lab.send(Method::DELETE, &url(&c), None).await.0, 204);
    }
    let types = lab.get(&url("accounts/acme/projects/proj")).await.1;
    assert_eq!(types["type"], "Microsoft.CognitiveServices/accounts/projects");
    lab.shutdown().await;
}

#[tokio::test]
async fn deployments_are_serialised_per_account_and_capability_hosts_are_not_updated() {
    let lab = Lab::start().await;
    lab.done(Method::PUT, &url("accounts/acme"), Some(&account("acme-ai"))).await;
    let deployment = json!({ "sku": { "name": "GlobalStandard", "capacity": 10 }, "properties": { "model": { "format": "OpenAI", "name": "gpt-4o", "version": "2024-11-20" } } });
    let (status, headers, _) =
        lab.send(Method::PUT, &url("accounts/acme/deployments/d1"), Some(&deployment)).await;
    assert_eq!(status, 201);
    assert!(headers.get("azure-asyncoperation").is_some());
    let (status, _, busy) =
        lab.send(Method::PUT, &url("accounts/acme/deployments/d2"), Some(&deployment)).await;
    assert_eq!((status, code(&busy)), (409, "RequestConflict"));
    lab.pass();
    let (status, headers, _) = lab
        .send(
            Method::PATCH,
            &url("accounts/acme/deployments/d1"),
            Some(&json!({ "sku": { "name": "GlobalStandard", "capacity": 20 } })),
        )
        .await;
    assert_eq!(status, 202);
    let location = headers
        .get("location")
        .expect("deployment PATCH polls by Location")
        .to_str()
        .unwrap()
        .to_string();
    lab.pass();
    let (status, body) = lab.get(&location).await;
    assert_eq!((status, &body["sku"]["capacity"]), (200, &json!(20)));
    let mut filtered = deployment.clone();
    filtered["properties"]["raiPolicyName"] = json!("custom");
    assert_eq!(
        lab.send(Method::PUT, &url("accounts/acme/deployments/d3"), Some(&filtered)).await.0,
        400
    );

    let host = json!({ "properties": { "capabilityHostKind": "Agents" } });
    let (status, headers, _) =
        lab.send(Method::PUT, &url("accounts/acme/capabilityHosts/agents"), Some(&host)).await;
    assert_eq!(status, 201);
    assert!(
        headers.get("azure-asyncoperation").is_some()
            && headers.get("x-ms-async-operation-timeout").is_some()
    );
    lab.pass();
    assert_eq!(
        lab.send(Method::PATCH, &url("accounts/acme/capabilityHosts/agents"), Some(&host)).await.0,
        405
    );
    let (status, _, second) =
        lab.send(Method::PUT, &url("accounts/acme/capabilityHosts/other"), Some(&host)).await;
    assert_eq!(status, 400);
    assert!(
        second["error"]["message"]
            .as_str()
            .unwrap()
            .contains("There is an existing Capability Host with name: agents")
    );
    let (status, headers, _) =
        lab.send(Method::DELETE, &url("accounts/acme/capabilityHosts/agents"), None).await;
    assert_eq!(status, 202);
    assert!(headers.get("location").is_some() && headers.get("retry-after").is_some());
    lab.pass();
    assert_eq!(lab.get(&url("accounts/acme/capabilityHosts/agents")).await.0, 404);

    // Keys: listed unless local auth is disabled (inferred).
    let (status, _, keys) = lab.send(Method::POST, &url("accounts/acme/listKeys"), None).await;
    assert_eq!(status, 200);
    assert!(keys["key1"].is_string());
    lab.done(
        Method::PATCH,
        &url("accounts/acme"),
        Some(&json!({ "properties": { "disableLocalAuth": true } })),
    )
    .await;
    assert_eq!(lab.send(Method::POST, &url("accounts/acme/listKeys"), None).await.0, 400);
    lab.shutdown().await;
}

#[tokio::test]
async fn failed_operations_and_unsupported_versions_and_unregistered_providers() {
    let lab = Lab::start().await;
    let faults = format!("{}/_emulator/faults", lab.cloud.base());
    lab.cloud.http.post(&faults).json(&json!({ "failNextOperations": 1 })).send().await.unwrap();
    let (status, headers, _) =
        lab.send(Method::PUT, &url("accounts/acme"), Some(&account("acme-ai"))).await;
    assert_eq!(status, 201);
    lab.pass();
    let (_, op) = lab.get(headers.get("azure-asyncoperation").unwrap().to_str().unwrap()).await;
    assert_eq!(op["status"], "Failed");
    assert!(op["error"]["code"].is_string());
    assert_eq!(lab.get(&url("accounts/acme")).await.1["properties"]["provisioningState"], "Failed");

    let old = url("accounts/acme").replace(API, "2023-05-01");
    let (status, body) = lab.get(&old).await;
    assert_eq!((status, code(&body)), (400, "NoRegisteredProviderFound"));
    let unregistered = format!(
        "/subscriptions/{UNREGISTERED}/resourceGroups/{G}/providers/Microsoft.CognitiveServices/accounts/a?api-version={API}"
    );
    let (status, _, body) = lab.send(Method::PUT, &unregistered, Some(&account("unreg-ai"))).await;
    assert_eq!((status, code(&body)), (409, "MissingSubscriptionRegistration"));
    lab.shutdown().await;
}

#[tokio::test]
async fn seeded_accounts_are_real_accounts() {
    let lab = Lab::start().await;
    let (status, seeded) = lab.get(&url("accounts/contoso-ais")).await;
    assert_eq!(status, 200);
    assert_eq!(seeded["kind"], "AIServices");
    assert_eq!(seeded["properties"]["provisioningState"], "Succeeded");
    assert_eq!(
        seeded["properties"]["endpoint"],
        "https://contoso-ais.cognitiveservices.azure.com/"
    );
    lab.done(Method::PATCH, &url("accounts/contoso-ais"), Some(&json!({ "tags": { "a": "b" } })))
        .await;
    lab.shutdown().await;
}

#[tokio::test]
async fn role_assignments_and_permissions_at_account_and_project_scopes() {
    let lab = Lab::start().await;
    lab.done(Method::PUT, &url("accounts/acme"), Some(&account("acme-ai"))).await;
    lab.done(Method::PUT, &url("accounts/acme/projects/proj"), Some(&project())).await;
    let account_scope = format!(
        "/subscriptions/{S}/resourceGroups/{G}/providers/Microsoft.CognitiveServices/accounts/acme"
    );
    for (scope, name) in [
        (account_scope.clone(), "4a1b2c3d-0000-0000-0000-000000000001"),
        (format!("{account_scope}/projects/proj"), "4a1b2c3d-0000-0000-0000-000000000002"),
    ] {
        let assignment = format!(
            "{scope}/providers/Microsoft.Authorization/roleAssignments/{name}?api-version={AUTH_API}"
        );
        let role = json!({ "properties": { "roleDefinitionId": format!("/providers/Microsoft.Authorization/roleDefinitions/53ca6127-db72-4b80-b1b0-d745d6d5456d"), "principalId": "22222222-0000-0000-0000-0000000000b2" } });
        let (status, _, created) = lab.send(Method::PUT, &assignment, Some(&role)).await;
        assert_eq!(status, 201, "{created}");
        let list = format!(
            "{scope}/providers/Microsoft.Authorization/roleAssignments?api-version={AUTH_API}&$filter=atScope()"
        );
        let (_, listed) = lab.get(&list).await;
        assert!(listed["value"].as_array().unwrap().iter().any(|a| a["name"] == name), "{listed}");
        let (status, permissions) = lab
            .get(&format!(
                "{scope}/providers/Microsoft.Authorization/permissions?api-version={AUTH_API}"
            ))
            .await;
        assert_eq!(status, 200);
        assert!(!permissions["value"].as_array().unwrap().is_empty());
    }
    // A scope that does not exist is refused.
    let ghost = format!(
        "{account_scope}/projects/ghost/providers/Microsoft.Authorization/roleAssignments/4a1b2c3d-0000-0000-0000-000000000003?api-version={AUTH_API}"
    );
    let role = json!({ "properties": { "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/53ca6127-db72-4b80-b1b0-d745d6d5456d", "principalId": "22222222-0000-0000-0000-0000000000b2" } });
    assert_eq!(lab.send(Method::PUT, &ghost, Some(&role)).await.0, 404);
    lab.shutdown().await;
}

#[tokio::test]
async fn strict_auth_names_cognitive_services_actions_and_purge_needs_the_subscription() {
    let lab = Lab::with(true).await;
    lab.done(Method::PUT, &url("accounts/acme"), Some(&account("acme-ai"))).await;
    lab.done(Method::DELETE, &url("accounts/acme"), None).await;
    // Owner on the resource group is not enough to purge (NOTES §6).
    let purge = sub_url(&format!("locations/eastus2/resourceGroups/{G}/deletedAccounts/acme"));
    let (status, _, refused) = lab.send(Method::DELETE, &purge, None).await;
    assert_eq!((status, code(&refused)), (403, "AuthorizationFailed"));
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(
            "'Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts/delete'"
        ),
        "{message}"
    );
    // With a role at the subscription it is.
    store_owner_at_subscription(&lab.cloud.emulator);
    let (status, _, _) = lab.send(Method::DELETE, &purge, None).await;
    assert_eq!(status, 202);
    lab.shutdown().await;

    // Without roles, each write names its action.
    let mut seed = seed();
    seed.role_assignments.clear();
    let cloud =
        Cloud::start(Options { seed: Some(seed), strict_auth: true, ..Options::default() }).await;
    for (path, action) in [
        ("accounts/a", "Microsoft.CognitiveServices/accounts/write"),
        ("accounts/a/projects/p", "Microsoft.CognitiveServices/accounts/projects/write"),
        ("accounts/a/connections/c", "Microsoft.CognitiveServices/accounts/connections/write"),
        (
            "accounts/a/projects/p/connections/c",
            "Microsoft.CognitiveServices/accounts/projects/connections/write",
        ),
    ] {
        let (status, _, body) = cloud.put(&url(path), &json!({})).await;
        assert_eq!(status, 403);
        assert!(
            body["error"]["message"].as_str().unwrap().contains(&format!("'{action}'")),
            "{body}"
        );
    }
    cloud.emulator.shutdown().await;
}

fn store_owner_at_subscription(emulator: &Emulator) {
    let scope = format!("/subscriptions/{S}");
    let name = "5a1b2c3d-0000-0000-0000-000000000001";
    emulator
        .store(vec![json!({
            "id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
            "name": name,
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {
                "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
                "principalId": OID, "principalType": "ServicePrincipal", "scope": scope,
            }
        })])
        .unwrap();
}
