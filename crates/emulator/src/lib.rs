//! # hubctl-emulator: a local Azure Resource Manager for Foundry hubs
//!
//! ## Overview
//!
//! Azure is out of reach from test machines and from many users' CI, so this crate plays ARM
//! for the resources hubctl manages, faithful to the public REST API (the examples and notes in
//! `shared/arm-reference/`), not to hubctl's client: it shares no model types with hubctl.
//!
//! - HTTPS only (axum + rustls), with a certificate for 127.0.0.1 and localhost made at start by
//!   a CA whose PEM is written to disk, so clients trust it without turning checks off.
//! - A token endpoint (`/{tenant}/oauth2/v2.0/token`) that azure_identity's credentials use,
//!   issuing signed JWTs; ARM calls without a valid token get ARM's 401.
//! - Foundry resources (`Microsoft.CognitiveServices/accounts` and all under them: projects,
//!   connections, deployments, content filters, capability hosts), with soft delete, restore
//!   and purge, and the service's refusals (module `foundry`).
//! - Workspaces (hubs and projects) with long-running PUT/PATCH/DELETE, outbound rules,
//!   connections, role assignments and definitions, resource groups and the dependent
//!   resources a hub points at; the service's refusals on a live hub, with its error codes.
//! - ARM's behaviour around them: error envelope, request ids, paging, token-bucket throttling
//!   per subscription, and faults on demand (latency, 429, 500, 503, connection resets,
//!   operations ending Failed), reproducible with a seed.
//! - State in memory, persisted atomically to a file after each change when asked.
//!
//! Not here: the planner's rules (the emulator refuses what Azure refuses, for clients that
//! skip the planner), and any hubctl type.
//!
//! ## Example
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use hubctl_emulator::{Emulator, Options, Seed};
//!
//! let seed = Seed::from_text("apiVersion: hubctl/v1\nkind: LocalCloudSeed\nsubscriptions: []\n")?;
//! let emulator = Emulator::start(Options { seed: Some(seed), ..Options::default() }).await?;
//! println!("{}", emulator.startup_line());
//! emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod app;
mod auth;
mod clock;
mod control;
mod error;
mod foundry;
mod graph;
mod resources;
mod roles;
mod routes;
mod sections;
mod seed;
mod state;
mod throttle;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State as AxumState};
use axum::response::Response;
use base64::Engine;
use rand::RngCore;
use serde_json::json;

pub use app::Stats;
pub use clock::Clock;
pub use seed::{Seed, SeedError};
pub use state::StateError;
pub use throttle::{Limit, ThrottleLimits};

use crate::app::{Settings, Shared};
use crate::state::State;

/// How to run an emulator.
#[derive(Debug, Clone)]
pub struct Options {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// Persist the state here after each change, and start from it when it exists.
    pub state_file: Option<PathBuf>,
    /// What exists before anything is created (used when there is no state file yet).
    pub seed: Option<Seed>,
    /// Folder for the CA certificate (`ca.pem`); a temporary folder when `None`.
    pub cert_dir: Option<PathBuf>,
    /// Fixed delay per ARM request.
    pub latency: Duration,
    /// Random extra delay per ARM request, up to this.
    pub jitter: Duration,
    /// Duration of long-running operations.
    pub lro: Duration,
    /// Duration of a capability host's create and delete (`None`: `lro`); the service's take
    /// many minutes (NOTES-foundry.md §5).
    pub capability_host_lro: Option<Duration>,
    /// Probability of a fault per ARM request (0 to 1).
    pub fault_rate: f64,
    /// Seed of the random faults and jitter, for reproducible runs.
    pub fault_seed: u64,
    /// Only the seed's service principals get tokens.
    pub strict_auth: bool,
    /// ARM's throttling.
    pub throttling: bool,
    /// The throttling buckets' sizes (ARM's by default).
    pub throttle_limits: ThrottleLimits,
    /// Answer workspace lists in the thin shape of the published list examples (no kind,
    /// identity, encryption or managed network): clients must GET what they compare.
    pub thin_lists: bool,
    /// The api-versions `Microsoft.MachineLearningServices` answers to (`None`: any), as a
    /// cloud whose provider lags the public one; others get `NoRegisteredProviderFound`.
    pub workspace_api_versions: Option<Vec<String>>,
    /// A PATCH of `managedNetwork` without `outboundRules` clears the workspace's user rules
    /// (the harsher of the two readings; what the service does is not public).
    pub network_patch_clears_rules: bool,
    /// Items per list page.
    pub page_size: usize,
    /// How long a principal added at run time stays unknown (Entra replication lag).
    pub replication_lag: Duration,
    /// The time throttling buckets, operations and replication follow; tests pass
    /// [`Clock::manual`] so nothing depends on the machine's speed.
    pub clock: Clock,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            state_file: None,
            seed: None,
            cert_dir: None,
            latency: Duration::ZERO,
            jitter: Duration::ZERO,
            lro: Duration::from_millis(200),
            capability_host_lro: None,
            fault_rate: 0.0,
            fault_seed: 1,
            strict_auth: false,
            throttling: true,
            throttle_limits: ThrottleLimits::default(),
            thin_lists: false,
            workspace_api_versions: None,
            network_patch_clears_rules: false,
            page_size: 100,
            replication_lag: Duration::ZERO,
            clock: Clock::system(),
        }
    }
}

/// Why resources could not be stored with [`Emulator::store`].
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A resource has no string `id` to key it by.
    #[error("a resource to store has no string `id`: {0}")]
    MissingId(String),
    /// The state file could not be written.
    #[error(transparent)]
    Save(#[from] StateError),
}

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The listen address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The certificate could not be made or written.
    #[error("cannot prepare the TLS certificate: {0}")]
    Certificate(String),
    /// The state file is unusable.
    #[error(transparent)]
    State(#[from] StateError),
    /// The seed is unusable.
    #[error("invalid seed: {0}")]
    Seed(String),
}

/// A running emulator. Dropping it does not stop the server: call [`Emulator::shutdown`].
pub struct Emulator {
    shared: Arc<Shared>,
    address: SocketAddr,
    ca_cert_path: PathBuf,
    ca_pem: String,
    handle: axum_server::Handle<SocketAddr>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _cert_dir: Option<TempDir>,
}

/// A temporary folder removed on drop (kept tiny to avoid a dependency).
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Emulator {
    /// Start serving on `options.listen`.
    pub async fn start(options: Options) -> Result<Emulator, StartError> {
        let state = match options.state_file.as_deref().map(State::load).transpose()?.flatten() {
            Some(state) => state,
            None => initial_state(options.seed.as_ref())?,
        };
        let listener = std::net::TcpListener::bind(options.listen)
            .map_err(|source| StartError::Bind { address: options.listen, source })?;
        listener
            .set_nonblocking(true)
            .map_err(|source| StartError::Bind { address: options.listen, source })?;
        let address = listener
            .local_addr()
            .map_err(|source| StartError::Bind { address: options.listen, source })?;

        let (cert_dir, temp) = match &options.cert_dir {
            Some(dir) => (dir.clone(), None),
            None => {
                let dir =
                    std::env::temp_dir().join(format!("hubctl-emulator-{}", uuid::Uuid::new_v4()));
                (dir.clone(), Some(TempDir(dir)))
            }
        };
        let (ca_pem, cert_pem, key_pem) = certificates().map_err(StartError::Certificate)?;
        std::fs::create_dir_all(&cert_dir).map_err(|e| StartError::Certificate(e.to_string()))?;
        let ca_cert_path = cert_dir.join("ca.pem");
        std::fs::write(&ca_cert_path, &ca_pem)
            .map_err(|e| StartError::Certificate(e.to_string()))?;
        let tls = axum_server::tls_rustls::RustlsConfig::from_pem(
            cert_pem.into_bytes(),
            key_pem.into_bytes(),
        )
        .await
        .map_err(|e| StartError::Certificate(e.to_string()))?;

        if let Some(path) = &options.state_file {
            state.save(path)?;
        }
        let settings = Settings {
            latency: options.latency,
            jitter: options.jitter,
            lro: options.lro,
            capability_host_lro: options.capability_host_lro.unwrap_or(options.lro),
            fault_rate: options.fault_rate,
            strict_auth: options.strict_auth,
            throttling: options.throttling,
            page_size: options.page_size,
            replication_lag: options.replication_lag,
            state_file: options.state_file.clone(),
            clock: options.clock.clone(),
            throttle_limits: options.throttle_limits,
            thin_lists: options.thin_lists,
            workspace_api_versions: options.workspace_api_versions.clone(),
            network_patch_clears_rules: options.network_patch_clears_rules,
        };
        let base = format!("https://{address}");
        let shared = Arc::new(Shared::new(state, settings, base, options.fault_seed));
        let router = axum::Router::new().fallback(serve).with_state(shared.clone());
        let handle = axum_server::Handle::new();
        let server = axum_server::from_tcp_rustls(listener, tls)
            .map_err(|source| StartError::Bind { address, source })?
            .handle(handle.clone());
        let task = tokio::spawn(async move { server.serve(router.into_make_service()).await });
        Ok(Emulator { shared, address, ca_cert_path, ca_pem, handle, task, _cert_dir: temp })
    }

    /// `https://127.0.0.1:PORT`: the ARM endpoint.
    pub fn arm_endpoint(&self) -> String {
        format!("https://{}", self.address)
    }
    /// The authority host for credentials (the same server).
    pub fn authority_host(&self) -> String {
        self.arm_endpoint()
    }
    /// The directory's tenant.
    pub fn tenant_id(&self) -> String {
        app::lock(&self.shared.state).tenant_id.clone()
    }
    /// Where the CA certificate (PEM) was written.
    pub fn ca_cert_path(&self) -> &std::path::Path {
        &self.ca_cert_path
    }
    /// The CA certificate, PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }
    /// The listening address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }
    /// Request counters.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }
    /// The one JSON line printed on start (CONTRACT §3).
    pub fn startup_line(&self) -> String {
        json!({
            "armEndpoint": self.arm_endpoint(),
            "authorityHost": self.authority_host(),
            "tenantId": self.tenant_id(),
            "caCertPath": self.ca_cert_path.display().to_string(),
        })
        .to_string()
    }
    /// Every stored resource, as the emulator keeps it (ids in their stored case).
    pub fn resources(&self) -> Vec<serde_json::Value> {
        app::lock(&self.shared.state).resources.values().cloned().collect()
    }
    /// Store resources exactly as given, keyed by their `id`, with none of a PUT's checks or
    /// normalisation: how tests load hubs shaped as Azure's public examples show them, and how
    /// benchmarks grow a large fleet without applying it. Nothing is stored when one lacks an id.
    pub fn store(&self, resources: Vec<serde_json::Value>) -> Result<(), StoreError> {
        if let Some(bad) = resources.iter().find(|r| !r["id"].is_string()) {
            let mut text = bad.to_string();
            text.truncate(200);
            return Err(StoreError::MissingId(text));
        }
        let mut state = app::lock(&self.shared.state);
        for resource in resources {
            let key = resource["id"].as_str().unwrap_or_default().to_ascii_lowercase();
            state.resources.insert(key, resource);
        }
        if let Some(path) = &self.shared.settings.state_file {
            state.save(path).map_err(StoreError::Save)?;
        }
        Ok(())
    }
    /// Stop serving and wait for the server to end.
    pub async fn shutdown(self) {
        self.handle.graceful_shutdown(Some(Duration::from_secs(2)));
        let _ = self.task.await;
    }
}

async fn serve(AxumState(shared): AxumState<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    app::handle(shared, parts.method, parts.uri, parts.headers, body).await
}

/// A CA, and a server certificate for 127.0.0.1 and localhost signed by it: (CA PEM, cert PEM, key PEM).
fn certificates() -> Result<(String, String, String), String> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate().map_err(|e| e.to_string())?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(|e| e.to_string())?;
    ca_params.distinguished_name.push(DnType::CommonName, "hubctl local cloud CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(|e| e.to_string())?;
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().map_err(|e| e.to_string())?;
    let mut params = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .map_err(|e| e.to_string())?;
    params.distinguished_name.push(DnType::CommonName, "localhost");
    let cert = params.signed_by(&server_key, &issuer).map_err(|e| e.to_string())?;
    Ok((ca_cert.pem(), format!("{}{}", cert.pem(), ca_cert.pem()), server_key.serialize_pem()))
}

/// The state a fresh emulator starts from: built-in roles, plus the seed.
fn initial_state(seed: Option<&Seed>) -> Result<State, StartError> {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    let tenant =
        seed.and_then(|s| s.tenant_id.clone()).unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let mut state = State::new(tenant, base64::engine::general_purpose::STANDARD.encode(key));
    for (guid, name, description) in roles::BUILT_IN {
        state
            .role_definitions
            .insert(guid.to_string(), roles::definition(guid, name, description, true));
    }
    if let Some(seed) = seed {
        apply_seed(&mut state, seed).map_err(StartError::Seed)?;
    }
    Ok(state)
}

fn apply_seed(state: &mut State, seed: &Seed) -> Result<(), String> {
    for sub in &seed.subscriptions {
        uuid::Uuid::parse_str(&sub.id)
            .map_err(|_| format!("subscription id '{}' is not a GUID", sub.id))?;
        state.subscriptions.insert(
            sub.id.to_ascii_lowercase(),
            state::Subscription {
                id: sub.id.clone(),
                unregistered_providers: sub
                    .unregistered_providers
                    .iter()
                    .map(|p| p.to_ascii_lowercase())
                    .collect(),
                quotas: foundry::quota::seeded_quotas(&sub.id, &sub.quotas)?,
            },
        );
        for group in &sub.resource_groups {
            let key = resources::group_key(&sub.id, &group.name);
            state.resources.insert(
                key,
                resources::group_body(&sub.id, &group.name, &group.location, json!({})),
            );
            for resource in &group.resources {
                let (namespace, type_name) = resource.arm_type.split_once('/').unwrap_or(("", ""));
                let arm_type =
                    resources::dependent_type(namespace, type_name).ok_or_else(|| {
                        format!(
                            "resource type '{}' is not one the local cloud holds",
                            resource.arm_type
                        )
                    })?;
                let id = format!(
                    "/subscriptions/{}/resourceGroups/{}/providers/{arm_type}/{}",
                    sub.id, group.name, resource.name
                );
                let location = resource.location.clone().unwrap_or_else(|| group.location.clone());
                let properties = resource.properties.clone().unwrap_or_else(|| json!({}));
                // A seeded Cognitive Services account is a real account (foundry/account.rs).
                let body = if arm_type == foundry::ACCOUNT_TYPE {
                    foundry::account::seeded(
                        &id,
                        &resource.name,
                        &location,
                        resource.kind.as_deref(),
                        properties,
                        &state.tenant_id,
                    )
                } else {
                    resources::dependent_body(
                        &id,
                        arm_type,
                        &resource.name,
                        &location,
                        resource.kind.as_deref(),
                        properties,
                    )
                };
                state.resources.insert(id.to_ascii_lowercase(), body);
                for key in &resource.keys {
                    let body = resources::key_body(&id, &resource.name, &key.name, &key.versions);
                    state.resources.insert(
                        format!(
                            "{}/keys/{}",
                            id.to_ascii_lowercase(),
                            key.name.to_ascii_lowercase()
                        ),
                        body,
                    );
                }
            }
        }
    }
    for principal in &seed.principals {
        state.principals.insert(
            principal.id.to_ascii_lowercase(),
            state::Principal {
                id: principal.id.clone(),
                principal_type: principal.principal_type.clone(),
                visible_from_ms: 0,
                display_name: principal.display_name.clone(),
                user_principal_name: principal.user_principal_name.clone(),
                app_id: principal.app_id.clone(),
            },
        );
    }
    for sp in &seed.service_principals {
        state.service_principals.push(state::ServicePrincipal {
            client_id: sp.client_id.clone(),
            object_id: sp.object_id.clone(),
            secret: sp.secret.clone(),
            federated: sp.federated,
            graph_permissions: sp.graph_permissions.clone(),
        });
        state.principals.entry(sp.object_id.to_ascii_lowercase()).or_insert(state::Principal {
            id: sp.object_id.clone(),
            principal_type: "ServicePrincipal".into(),
            visible_from_ms: 0,
            display_name: None,
            user_principal_name: None,
            app_id: Some(sp.client_id.clone()),
        });
    }
    for role in &seed.custom_roles {
        let description = role.description.clone().unwrap_or_default();
        state.role_definitions.insert(
            role.id.to_ascii_lowercase(),
            roles::definition(&role.id, &role.role_name, &description, false),
        );
    }
    for deny in &seed.deny_assignments {
        let scope = deny.scope.trim_end_matches('/');
        let name = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_URL,
            format!("{scope}|{}", deny.name).to_ascii_lowercase().as_bytes(),
        )
        .to_string();
        // Everyone is `SystemDefined`; a directory principal has its own type.
        let principal = |id: &String| {
            let kind = match state.principals.get(&id.to_ascii_lowercase()) {
                _ if id == "00000000-0000-0000-0000-000000000000" => "SystemDefined".to_string(),
                Some(p) => p.principal_type.clone(),
                None => "ServicePrincipal".to_string(),
            };
            json!({ "id": id, "type": kind })
        };
        let body = json!({
            "id": format!("{scope}/providers/Microsoft.Authorization/denyAssignments/{name}"),
            "name": name,
            "type": "Microsoft.Authorization/denyAssignments",
            "properties": {
                "denyAssignmentName": deny.name,
                "description": "",
                "permissions": [{ "actions": deny.actions, "notActions": deny.not_actions, "dataActions": [], "notDataActions": [] }],
                "scope": scope,
                "doNotApplyToChildScopes": false,
                "principals": deny.principals.iter().map(principal).collect::<Vec<_>>(),
                "excludePrincipals": deny.exclude_principals.iter().map(principal).collect::<Vec<_>>(),
                "isSystemProtected": true,
            }
        });
        state.resources.insert(
            format!("{scope}/providers/microsoft.authorization/denyassignments/{name}")
                .to_ascii_lowercase(),
            body,
        );
    }
    for assignment in &seed.role_assignments {
        let role = if uuid::Uuid::parse_str(&assignment.role).is_ok() {
            assignment.role.to_ascii_lowercase()
        } else {
            roles::built_in_by_name(&assignment.role)
                .map(str::to_string)
                .or_else(|| {
                    state
                        .role_definitions
                        .values()
                        .find(|d| {
                            d["properties"]["roleName"]
                                .as_str()
                                .is_some_and(|n| n.eq_ignore_ascii_case(&assignment.role))
                        })
                        .and_then(|d| d["name"].as_str().map(str::to_string))
                })
                .ok_or_else(|| format!("role '{}' is not a known role", assignment.role))?
        };
        let name = assignment.name.clone().unwrap_or_else(|| {
            uuid::Uuid::new_v5(
                &uuid::Uuid::NAMESPACE_URL,
                format!("{}|{}|{role}", assignment.scope, assignment.principal)
                    .to_ascii_lowercase()
                    .as_bytes(),
            )
            .to_string()
        });
        let scope = assignment.scope.trim_end_matches('/');
        let principal_type = state
            .principals
            .get(&assignment.principal.to_ascii_lowercase())
            .map(|p| p.principal_type.clone())
            .unwrap_or_else(|| "ServicePrincipal".into());
        let body = json!({
            "id": format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"),
            "name": name,
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {
                "roleDefinitionId": format!("/providers/Microsoft.Authorization/roleDefinitions/{role}"),
                "principalId": assignment.principal,
                "principalType": principal_type,
                "scope": if scope.is_empty() { "/" } else { scope },
                "condition": assignment.condition,
                "conditionVersion": assignment.condition.as_ref().map(|_| "2.0"),
                "createdOn": "2025-01-01T00:00:00Z",
                "updatedOn": "2025-01-01T00:00:00Z",
            }
        });
        state.resources.insert(
            format!("{scope}/providers/microsoft.authorization/roleassignments/{name}")
                .to_ascii_lowercase(),
            body,
        );
    }
    Ok(())
}
