//! The client against the emulator, started in-process: credentials, retries on every fault
//! kind, long-running operations, paging, pacing, the fleet inventory, and secrets in logs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use hubctl_client::inventory::{self, HubTarget, InventoryRequest, Strategy};
use hubctl_client::{ArmClient, AuthEnv, AuthMethod, ClientError, credential, http_client};
use hubctl_emulator::{Options, Seed};
use hubctl_model::{
    IdentityType, ManagedIdentity, RoleAssignmentProperties, Workspace, WorkspaceProperties,
};
use serde_json::json;

use hubctl_test::arm::{
    client, client_options, client_with, credential_options, emulator, secret_env,
};
use hubctl_test::cloud::CLIENT_ID;
use hubctl_test::{RG, SUB};

fn hub() -> Workspace {
    Workspace {
        location: "eastus2".into(),
        kind: Some("Hub".into()),
        identity: Some(ManagedIdentity {
            identity_type: IdentityType::SystemAssigned,
            ..ManagedIdentity::default()
        }),
        properties: WorkspaceProperties {
            storage_account: Some(format!(
                "/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Storage/storageAccounts/contosohubsa"
            )),
            ..WorkspaceProperties::default()
        },
        ..Workspace::default()
    }
}

async fn resource_group(client: &ArmClient) -> Result<(), ClientError> {
    // Any read will do; a resource group is the cheapest.
    client
        .role_definitions()
        .get(&format!("/subscriptions/{SUB}"), "acdd72a7-3385-48ef-bd42-f606fba81ae7")
        .await
        .map(|_| ())
}

#[tokio::test]
async fn client_secret_signs_in_and_a_hub_goes_through_its_lifecycle() {
    let emulator = emulator(Options::default()).await;
    let client = client(&emulator);
    let created = client
        .workspaces()
        .create_or_update(SUB, RG, "life-hub", &hub())
        .await
        .unwrap()
        .wait()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(created["properties"]["provisioningState"], "Succeeded");
    let read = client.workspaces().get(SUB, RG, "life-hub").await.unwrap().unwrap();
    assert!(read.is_hub());
    let patched = client
        .workspaces()
        .update(SUB, RG, "life-hub", &json!({"properties": {"description": "d"}}))
        .await
        .unwrap()
        .wait()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(patched["properties"]["description"], "d");
    assert_eq!(
        client.workspaces().delete(SUB, RG, "life-hub", false).await.unwrap().wait().await.unwrap(),
        None
    );
    assert_eq!(client.workspaces().get(SUB, RG, "life-hub").await.unwrap(), None);
    emulator.shutdown().await;
}

#[tokio::test]
async fn workload_identity_signs_in_with_a_token_file() {
    let emulator = emulator(Options { strict_auth: true, ..Options::default() }).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJyZXBvOmNvbnRvc28vaHVicyJ9.").unwrap();
    let env = AuthEnv {
        tenant_id: Some(emulator.tenant_id()),
        client_id: Some(CLIENT_ID.into()),
        federated_token_file: Some(file),
        ..AuthEnv::default()
    };
    let credential =
        credential(&credential_options(&emulator, AuthMethod::WorkloadIdentity, env)).unwrap();
    resource_group(&client_with(&emulator, credential)).await.unwrap();
    emulator.shutdown().await;
}

/// Runs `az`/`azd` like azure_identity's default executor (`/bin/sh -c …`), with a PATH whose
/// first folder holds the stand-in.
#[derive(Debug)]
struct PathExecutor {
    path: String,
}

#[async_trait::async_trait]
impl hubctl_client::credential::Executor for PathExecutor {
    async fn run(
        &self,
        program: &std::ffi::OsStr,
        args: &[&std::ffi::OsStr],
    ) -> std::io::Result<std::process::Output> {
        tokio::process::Command::new(program).args(args).env("PATH", &self.path).output().await
    }
}

#[tokio::test]
async fn the_azure_cli_signs_in_through_a_stand_in_az_on_path() {
    let emulator = emulator(Options::default()).await;
    // Fetch a real emulator token the way `az` would have one, then serve it as `az` does.
    let token = {
        let http = http_client(Some(emulator.ca_cert_path())).unwrap();
        let authority = emulator.authority_host();
        hubctl_test::cloud::raw_token(&http, &authority, &emulator.tenant_id(), "az-cli").await
    };
    let dir = tempfile::tempdir().unwrap();
    let az = dir.path().join("az");
    let expires = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    std::fs::write(
        &az,
        format!("#!/bin/sh\ncase \"$*\" in *get-access-token*) printf '%s' '{{\"accessToken\":\"{token}\",\"expiresOn\":\"2099-01-01 00:00:00.000000\",\"expires_on\":{expires},\"subscription\":\"{SUB}\",\"tenant\":\"t\",\"tokenType\":\"Bearer\"}}';; *) exit 1;; esac\n"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:/usr/bin:/bin", dir.path().display());
    let mut options = credential_options(&emulator, AuthMethod::AzureCli, AuthEnv::default());
    options.executor = Some(Arc::new(PathExecutor { path }));
    let credential = credential(&options).unwrap();
    resource_group(&client_with(&emulator, credential)).await.unwrap();
    emulator.shutdown().await;
}

#[tokio::test]
async fn when_nothing_signs_in_the_error_lists_each_method_tried() {
    let emulator = emulator(Options::default()).await;
    let mut options = credential_options(&emulator, AuthMethod::Auto, AuthEnv::default());
    options.executor = Some(Arc::new(PathExecutor { path: "/nonexistent".into() }));
    let credential = credential(&options).unwrap();
    let error = resource_group(&client_with(&emulator, credential)).await.unwrap_err().to_string();
    for method in [
        "client-secret: AZURE_TENANT_ID is not set",
        "workload-identity: AZURE_FEDERATED_TOKEN_FILE is not set",
        "managed-identity: IDENTITY_ENDPOINT is not set",
        "azure-cli:",
        "azure-developer-cli:",
        "hint: run `az login`",
    ] {
        assert!(error.contains(method), "{method:?} missing in:\n{error}");
    }
    emulator.shutdown().await;
}

#[tokio::test]
async fn every_fault_kind_is_retried() {
    let emulator = emulator(Options { throttling: false, ..Options::default() }).await;
    let client = client(&emulator);
    resource_group(&client).await.unwrap(); // sign in first
    let http = http_client(Some(emulator.ca_cert_path())).unwrap();
    let status = http
        .post(format!("{}/_emulator/faults", emulator.arm_endpoint()))
        .json(&json!({"next": ["429", "500", "503", "reset"]}))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 204);
    let before = client.stats().retries;
    resource_group(&client).await.unwrap();
    assert_eq!(client.stats().retries - before, 4, "one retry per fault");
    let faults = emulator.stats().faults;
    for kind in ["429", "500", "503", "reset"] {
        assert_eq!(faults.get(kind), Some(&1), "{faults:?}");
    }
    // When retries run out, the error names the request and the service's code.
    let status = http
        .post(format!("{}/_emulator/faults", emulator.arm_endpoint()))
        .json(&json!({"next": vec!["503"; 12]}))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 204);
    let error = resource_group(&client).await.unwrap_err();
    assert_eq!(error.code(), Some("ServiceUnavailable"));
    let text = error.to_string();
    assert!(
        text.contains("GET https://127.0.0.1:")
            && text.contains("roleDefinitions")
            && text.contains("gave up after 9 attempts"),
        "{text}"
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_failed_operation_surfaces_the_services_code() {
    let emulator = emulator(Options::default()).await;
    // The failure answers 500, which is retried as a possible passing fault first: keep it short.
    let mut options = client_options(&emulator);
    options.retry.max_retries = 2;
    let credential =
        credential(&credential_options(&emulator, AuthMethod::ClientSecret, secret_env(&emulator)))
            .unwrap();
    let client = ArmClient::new(credential, Some(options)).unwrap();
    let http = http_client(Some(emulator.ca_cert_path())).unwrap();
    http.post(format!("{}/_emulator/faults", emulator.arm_endpoint()))
        .json(&json!({"failNextOperations": 1}))
        .send()
        .await
        .unwrap();
    let error = client
        .workspaces()
        .create_or_update(SUB, RG, "failing-hub", &hub())
        .await
        .unwrap()
        .wait()
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("InternalServerError"));
    assert!(matches!(error, ClientError::OperationFailed { .. }), "{error:?}");
    // A refusal at the first answer is the service's error with its code.
    let mut moved = hub();
    client
        .workspaces()
        .create_or_update(SUB, RG, "fixed-hub", &moved)
        .await
        .unwrap()
        .wait()
        .await
        .unwrap();
    moved.location = "westeurope".into();
    let error =
        client.workspaces().create_or_update(SUB, RG, "fixed-hub", &moved).await.err().unwrap();
    assert_eq!((error.status(), error.code()), (Some(409), Some("InvalidResourceLocation")));
    emulator.shutdown().await;
}

#[tokio::test]
async fn lists_are_read_across_pages() {
    let emulator = emulator(Options { page_size: 2, ..Options::default() }).await;
    let client = client(&emulator);
    for i in 0..5 {
        client
            .workspaces()
            .create_or_update(SUB, RG, &format!("paged-hub-{i}"), &hub())
            .await
            .unwrap()
            .wait()
            .await
            .unwrap();
    }
    let before = client.stats().by_kind.get("GET workspaces").copied().unwrap_or(0);
    let all = client.workspaces().list_by_subscription(SUB).await.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(client.stats().by_kind["GET workspaces"] - before, 3, "three pages of two");
    emulator.shutdown().await;
}

#[tokio::test]
async fn pacing_slows_down_before_arm_throttles() {
    let emulator = emulator(Options::default()).await;
    let client = client(&emulator);
    for _ in 0..300 {
        resource_group(&client).await.unwrap();
    }
    assert_eq!(emulator.stats().throttled, 0, "the pacer kept the bucket from running dry");
    assert_eq!(client.stats().throttled, 0);
    emulator.shutdown().await;
}

#[tokio::test]
async fn throttling_is_waited_out_until_the_runs_deadline_and_then_named() {
    // A read bucket of 2 that refills once a minute: ARM's Retry-After is far beyond the run's
    // 2-second deadline, so the client stops at once and says which deadline it was.
    let slow = hubctl_emulator::Limit { capacity: 2.0, per_second: 1.0 / 60.0 };
    let emulator = emulator(Options {
        throttle_limits: hubctl_emulator::ThrottleLimits {
            reads: slow,
            ..hubctl_emulator::ThrottleLimits::default()
        },
        ..Options::default()
    })
    .await;
    let credential =
        credential(&credential_options(&emulator, AuthMethod::ClientSecret, secret_env(&emulator)))
            .unwrap();
    let mut options = client_options(&emulator);
    options.retry.run_deadline = Duration::from_secs(2);
    let client = ArmClient::new(credential, Some(options)).unwrap();
    resource_group(&client).await.unwrap();
    resource_group(&client).await.unwrap();
    let error = resource_group(&client).await.unwrap_err();
    assert!(matches!(error, ClientError::RunDeadline { .. }), "{error:?}");
    assert_eq!(error.code(), Some("TooManyRequests"));
    assert!(error.to_string().contains("--deadline"), "{error}");
    emulator.shutdown().await;
}

/// The seed for the fleet: three subscriptions with a resource group and a storage account.
fn fleet_seed() -> Seed {
    let mut text = String::from("apiVersion: hubctl/v1\nkind: LocalCloudSeed\nsubscriptions:\n");
    for s in 1..=3 {
        text.push_str(&format!("  - id: 00000000-0000-0000-0000-00000000000{s}\n    resourceGroups:\n      - name: rg-fleet\n        location: eastus2\n        resources:\n          - {{ type: Microsoft.Storage/storageAccounts, name: fleetsa }}\n"));
    }
    text.push_str("principals:\n  - { id: 7d2f6a0e-0000-0000-0000-000000000010, type: Group }\n");
    Seed::from_text(&text).unwrap()
}

#[tokio::test]
async fn the_inventory_of_100_hubs_in_3_subscriptions_costs_two_lists_per_subscription() {
    let emulator = emulator(Options {
        seed: Some(fleet_seed()),
        lro: Duration::from_millis(1),
        ..Options::default()
    })
    .await;
    let client = client(&emulator);
    let sub = |i: usize| format!("00000000-0000-0000-0000-00000000000{}", i % 3 + 1);
    let mut targets = Vec::new();
    let writes = (0..100).map(|i| {
        let client = &client;
        let sub = sub(i);
        async move {
            let name = format!("fleet-hub-{i:03}");
            let mut body = hub();
            body.properties.storage_account = Some(format!("/subscriptions/{sub}/resourceGroups/rg-fleet/providers/Microsoft.Storage/storageAccounts/fleetsa"));
            client.workspaces().create_or_update(&sub, "rg-fleet", &name, &body).await.unwrap().wait().await.unwrap();
            let project = Workspace {
                location: "eastus2".into(),
                kind: Some("Project".into()),
                properties: WorkspaceProperties { hub_resource_id: Some(hubctl_model::workspace_id(&sub, "rg-fleet", &name)), ..WorkspaceProperties::default() },
                ..Workspace::default()
            };
            let project_name = format!("fleet-proj-{i:03}");
            client.workspaces().create_or_update(&sub, "rg-fleet", &project_name, &project).await.unwrap().wait().await.unwrap();
            let scope = hubctl_model::workspace_id(&sub, "rg-fleet", &name);
            let properties = RoleAssignmentProperties {
                role_definition_id: "/providers/Microsoft.Authorization/roleDefinitions/64702f94-c441-49e6-a78b-ef80e0188fee".into(),
                principal_id: "7d2f6a0e-0000-0000-0000-000000000010".into(),
                principal_type: Some(hubctl_model::PrincipalType::Group),
                ..RoleAssignmentProperties::default()
            };
            client.role_assignments().create(&scope, &format!("0a0b0c0d-0000-4000-8000-{i:012}"), &properties).await.unwrap();
        }
    });
    futures_util::future::join_all(writes).await;
    for i in 0..100 {
        targets.push(HubTarget {
            subscription: sub(i),
            resource_group: "rg-fleet".into(),
            name: format!("fleet-hub-{i:03}"),
            projects: vec![format!("fleet-proj-{i:03}")],
            rules: Vec::new(),
            read_connections: false,
        });
    }
    let request = InventoryRequest {
        hubs: targets,
        foundries: Vec::new(),
        role_names: Vec::new(),
        strategy: Strategy::Auto,
    };
    let (live, report) = inventory::read(&client, &request).await.unwrap();
    // The bound: per subscription, one page of workspaces (≤ 68 < 100 per page) and one page of
    // role assignments (34 at most) — 2 lists × 3 subscriptions.
    assert_eq!(report.requests.total, 6, "{report:?}");
    assert_eq!(live.hubs.len(), 100);
    let names: BTreeSet<String> = live.hubs.values().map(|h| h.workspace.name.clone()).collect();
    assert_eq!(names, (0..100).map(|i| format!("fleet-hub-{i:03}")).collect());
    for (i, hub) in live.hubs.values().enumerate() {
        assert_eq!(hub.projects.len(), 1, "hub {i}");
        assert_eq!(hub.assignments.len(), 1, "hub {i}: exactly the assignment at its scope");
        assert_eq!(
            hub.assignments[0].properties.principal_id,
            "7d2f6a0e-0000-0000-0000-000000000010"
        );
    }
    // The per-resource read costs per hub: measured, not chosen.
    let (per_resource, report) = inventory::read(
        &client,
        &InventoryRequest { strategy: Strategy::PerResource, ..request.clone() },
    )
    .await
    .unwrap();
    assert_eq!(per_resource.hubs.len(), 100);
    assert_eq!(
        report.requests.total, 400,
        "GET hub, GET project, list access at both scopes, per hub"
    );
    emulator.shutdown().await;
}
