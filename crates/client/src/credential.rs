//! Who hubctl signs in as: azure_identity's credentials, chained our way.
//!
//! azure_identity 1.0 has no DefaultAzureCredential, so the chain is ours. `--auth auto` tries,
//! in this order, each that is configured:
//!
//! 1. `client-secret`: `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`, `AZURE_CLIENT_SECRET`.
//! 2. `workload-identity`: `AZURE_FEDERATED_TOKEN_FILE` with `AZURE_CLIENT_ID` and
//!    `AZURE_TENANT_ID` (GitHub Actions OIDC, AKS workload identity).
//! 3. `managed-identity`: when `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` are set (App Service,
//!    Functions, Container Apps); `AZURE_CLIENT_ID` picks a user-assigned identity. `auto` never
//!    probes the VM instance metadata service, which hangs off Azure: on a VM say
//!    `--auth managed-identity`.
//! 4. `azure-cli`: `az account get-access-token`.
//! 5. `azure-developer-cli`: `azd auth token`.
//!
//! The first that yields a token is kept. When none does, the error lists each one tried and
//! why, with the usual fixes. Environment variables are read once, in [`AuthEnv::from_process`].

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use azure_core::cloud::{CloudConfiguration, CustomConfiguration};
use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_core::http::{ClientOptions, Transport};
use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, AzureDeveloperCliCredential,
    AzureDeveloperCliCredentialOptions, ClientAssertionCredentialOptions, ClientSecretCredential,
    ClientSecretCredentialOptions, ManagedIdentityCredential, ManagedIdentityCredentialOptions,
    UserAssignedId, WorkloadIdentityCredential, WorkloadIdentityCredentialOptions,
};

pub use azure_identity::Executor;

use crate::cloud::Cloud;

/// How to sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// Try each configured method in order.
    Auto,
    /// A client secret from the environment.
    ClientSecret,
    /// A federated token file (workload identity).
    WorkloadIdentity,
    /// Managed identity.
    ManagedIdentity,
    /// The Azure CLI's sign-in.
    AzureCli,
    /// The Azure Developer CLI's sign-in.
    AzureDeveloperCli,
}

impl AuthMethod {
    /// The names `--auth` takes.
    pub const NAMES: [&'static str; 6] = [
        "auto",
        "client-secret",
        "workload-identity",
        "managed-identity",
        "azure-cli",
        "azure-developer-cli",
    ];
    const CHAIN: [AuthMethod; 5] = [
        AuthMethod::ClientSecret,
        AuthMethod::WorkloadIdentity,
        AuthMethod::ManagedIdentity,
        AuthMethod::AzureCli,
        AuthMethod::AzureDeveloperCli,
    ];

    /// Parse a `--auth` value.
    pub fn parse(name: &str) -> Option<AuthMethod> {
        match name {
            "auto" => Some(AuthMethod::Auto),
            "client-secret" => Some(AuthMethod::ClientSecret),
            "workload-identity" => Some(AuthMethod::WorkloadIdentity),
            "managed-identity" => Some(AuthMethod::ManagedIdentity),
            "azure-cli" => Some(AuthMethod::AzureCli),
            "azure-developer-cli" => Some(AuthMethod::AzureDeveloperCli),
            _ => None,
        }
    }

    /// The `--auth` name.
    pub fn name(self) -> &'static str {
        match self {
            AuthMethod::Auto => "auto",
            AuthMethod::ClientSecret => "client-secret",
            AuthMethod::WorkloadIdentity => "workload-identity",
            AuthMethod::ManagedIdentity => "managed-identity",
            AuthMethod::AzureCli => "azure-cli",
            AuthMethod::AzureDeveloperCli => "azure-developer-cli",
        }
    }

    fn hint(self) -> &'static str {
        match self {
            AuthMethod::Auto => "",
            AuthMethod::ClientSecret => {
                "set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal"
            }
            AuthMethod::WorkloadIdentity => {
                "set AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID: in GitHub Actions write the job's OIDC token to a file (id-token: write; see examples/ci); on AKS enable workload identity on the pod's service account"
            }
            AuthMethod::ManagedIdentity => {
                "run on an Azure resource with a managed identity (App Service, Functions, Container Apps set IDENTITY_ENDPOINT); on a VM pass --auth managed-identity"
            }
            AuthMethod::AzureCli => "run `az login` (and `az account set --subscription …`)",
            AuthMethod::AzureDeveloperCli => "run `azd auth login`",
        }
    }
}

/// The environment variables credentials read, captured once. `Debug` never shows the secret.
#[derive(Clone, Default)]
pub struct AuthEnv {
    /// `AZURE_TENANT_ID`.
    pub tenant_id: Option<String>,
    /// `AZURE_CLIENT_ID`.
    pub client_id: Option<String>,
    /// `AZURE_CLIENT_SECRET`.
    pub client_secret: Option<Secret>,
    /// `AZURE_FEDERATED_TOKEN_FILE`.
    pub federated_token_file: Option<PathBuf>,
    /// `IDENTITY_ENDPOINT` (App Service managed identity).
    pub identity_endpoint: Option<String>,
    /// Whether `IDENTITY_HEADER` is set (its value is a secret azure_identity reads itself).
    pub identity_header_set: bool,
}

impl fmt::Debug for AuthEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthEnv")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "<redacted>"))
            .field("federated_token_file", &self.federated_token_file)
            .field("identity_endpoint", &self.identity_endpoint)
            .finish()
    }
}

impl AuthEnv {
    /// Read the process environment (the one place hubctl reads these variables).
    pub fn from_process() -> AuthEnv {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        AuthEnv {
            tenant_id: var("AZURE_TENANT_ID"),
            client_id: var("AZURE_CLIENT_ID"),
            client_secret: var("AZURE_CLIENT_SECRET").map(Secret::new),
            federated_token_file: var("AZURE_FEDERATED_TOKEN_FILE").map(PathBuf::from),
            identity_endpoint: var("IDENTITY_ENDPOINT"),
            identity_header_set: var("IDENTITY_HEADER").is_some(),
        }
    }
}

/// Why signing in failed.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// Every method of the chain failed or was not configured.
    #[error("no credential could sign in; tried:\n{}", render(.attempts))]
    AllFailed {
        /// (method, why) for each.
        attempts: Vec<(AuthMethod, String)>,
    },
    /// Getting a token failed; the credential's own message (it names the method and the fix).
    #[error("{message}")]
    Token {
        /// The message.
        message: String,
    },
    /// The one method asked for failed.
    #[error("--auth {}: {reason}\nhint: {}", .method.name(), .method.hint())]
    Failed {
        /// The method.
        method: AuthMethod,
        /// Why.
        reason: String,
    },
}

fn render(attempts: &[(AuthMethod, String)]) -> String {
    attempts
        .iter()
        .map(|(m, why)| format!("  - {}: {why}\n    hint: {}", m.name(), m.hint()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a credential needs besides the method.
#[derive(Clone)]
pub struct CredentialOptions {
    /// The method.
    pub method: AuthMethod,
    /// The environment.
    pub env: AuthEnv,
    /// The cloud (authority host).
    pub cloud: Cloud,
    /// The HTTP client credentials use (it carries the local cloud's CA).
    pub http: Option<reqwest::Client>,
    /// How the CLI credentials run `az`/`azd` (tests give one that runs a stand-in).
    pub executor: Option<Arc<dyn Executor>>,
}

fn client_options(options: &CredentialOptions) -> ClientOptions {
    let mut cloud = CustomConfiguration::default();
    cloud.authority_host = options.cloud.authority_host.clone();
    ClientOptions {
        cloud: Some(Arc::new(CloudConfiguration::Custom(cloud))),
        transport: options.http.clone().map(|c| Transport::new(Arc::new(c))),
        ..Default::default()
    }
}

/// Build one method's credential, or say why it is not configured.
fn build(
    method: AuthMethod,
    options: &CredentialOptions,
) -> Result<Arc<dyn TokenCredential>, String> {
    let env = &options.env;
    let need = |name: &str, value: &Option<String>| {
        value.clone().ok_or_else(|| format!("{name} is not set"))
    };
    let result: azure_core::Result<Arc<dyn TokenCredential>> = match method {
        AuthMethod::Auto => return Err("auto is a chain, not a method".into()),
        AuthMethod::ClientSecret => {
            let tenant = need("AZURE_TENANT_ID", &env.tenant_id)?;
            let client = need("AZURE_CLIENT_ID", &env.client_id)?;
            let secret = env.client_secret.clone().ok_or("AZURE_CLIENT_SECRET is not set")?;
            ClientSecretCredential::new(
                &tenant,
                client,
                secret,
                Some(ClientSecretCredentialOptions { client_options: client_options(options) }),
            )
            .map(|c| c as Arc<dyn TokenCredential>)
        }
        AuthMethod::WorkloadIdentity => {
            let file =
                env.federated_token_file.clone().ok_or("AZURE_FEDERATED_TOKEN_FILE is not set")?;
            let tenant = need("AZURE_TENANT_ID", &env.tenant_id)?;
            let client = need("AZURE_CLIENT_ID", &env.client_id)?;
            WorkloadIdentityCredential::new(Some(WorkloadIdentityCredentialOptions {
                credential_options: ClientAssertionCredentialOptions {
                    client_options: client_options(options),
                },
                client_id: Some(client),
                tenant_id: Some(tenant),
                token_file_path: Some(file),
            }))
            .map(|c| c as Arc<dyn TokenCredential>)
        }
        AuthMethod::ManagedIdentity => {
            if options.env.identity_endpoint.is_none() && options.method == AuthMethod::Auto {
                return Err(
                    "IDENTITY_ENDPOINT is not set (auto does not probe the VM metadata service)"
                        .into(),
                );
            }
            if let Some(endpoint) = &env.identity_endpoint {
                crate::cloud::check_endpoint(endpoint).map_err(|e| e.to_string())?;
                if !env.identity_header_set {
                    return Err("IDENTITY_ENDPOINT is set but IDENTITY_HEADER is not".into());
                }
            }
            let mi = ManagedIdentityCredentialOptions {
                user_assigned_id: env.client_id.clone().map(UserAssignedId::ClientId),
                client_options: client_options(options),
            };
            ManagedIdentityCredential::new(Some(mi)).map(|c| c as Arc<dyn TokenCredential>)
        }
        AuthMethod::AzureCli => {
            let cli = AzureCliCredentialOptions {
                tenant_id: env.tenant_id.clone(),
                executor: options.executor.clone(),
                ..Default::default()
            };
            AzureCliCredential::new(Some(cli)).map(|c| c as Arc<dyn TokenCredential>)
        }
        AuthMethod::AzureDeveloperCli => {
            let azd = AzureDeveloperCliCredentialOptions {
                tenant_id: env.tenant_id.clone(),
                executor: options.executor.clone(),
            };
            AzureDeveloperCliCredential::new(Some(azd)).map(|c| c as Arc<dyn TokenCredential>)
        }
    };
    result.map_err(|e| e.to_string())
}

/// The credential for `options.method`: one method, or the chain for `auto`.
pub fn credential(
    options: &CredentialOptions,
) -> Result<Arc<dyn TokenCredential>, CredentialError> {
    if options.method != AuthMethod::Auto {
        let credential = build(options.method, options)
            .map_err(|reason| CredentialError::Failed { method: options.method, reason })?;
        return Ok(Arc::new(Single { method: options.method, inner: credential }));
    }
    let sources = AuthMethod::CHAIN.iter().map(|m| (*m, build(*m, options))).collect();
    Ok(Arc::new(Chain { sources, chosen: Mutex::new(None) }))
}

/// One method; its errors carry the method's hint.
#[derive(Debug)]
struct Single {
    method: AuthMethod,
    inner: Arc<dyn TokenCredential>,
}

#[async_trait::async_trait]
impl TokenCredential for Single {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        self.inner.get_token(scopes, options).await.map_err(|e| {
            let error =
                CredentialError::Failed { method: self.method, reason: first_line(&e.to_string()) };
            azure_core::Error::with_message(
                azure_core::error::ErrorKind::Credential,
                error.to_string(),
            )
        })
    }
}

/// A method of the chain: its credential, or why it is not configured.
type Source = (AuthMethod, Result<Arc<dyn TokenCredential>, String>);

/// The `auto` chain: the first method that yields a token is kept for later calls.
struct Chain {
    sources: Vec<Source>,
    chosen: Mutex<Option<usize>>,
}

impl fmt::Debug for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.sources.iter().map(|(m, _)| m.name()).collect();
        f.debug_struct("Chain").field("methods", &names).finish_non_exhaustive()
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or(text).trim().to_string()
}

#[async_trait::async_trait]
impl TokenCredential for Chain {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let chosen = *self.chosen.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = chosen
            && let Some((_, Ok(credential))) = self.sources.get(i)
        {
            return credential.get_token(scopes, options).await;
        }
        let mut attempts = Vec::new();
        for (i, (method, source)) in self.sources.iter().enumerate() {
            match source {
                Err(reason) => attempts.push((*method, reason.clone())),
                Ok(credential) => match credential.get_token(scopes, options.clone()).await {
                    Ok(token) => {
                        tracing::debug!(method = method.name(), "signed in");
                        *self.chosen.lock().unwrap_or_else(|p| p.into_inner()) = Some(i);
                        return Ok(token);
                    }
                    Err(e) => attempts.push((*method, first_line(&e.to_string()))),
                },
            }
        }
        let error = CredentialError::AllFailed { attempts };
        Err(azure_core::Error::with_message(
            azure_core::error::ErrorKind::Credential,
            error.to_string(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in AuthMethod::NAMES {
            assert_eq!(AuthMethod::parse(name).map(AuthMethod::name), Some(name));
        }
        assert_eq!(AuthMethod::parse("default"), None);
    }

    #[test]
    fn the_secret_never_shows_in_debug() {
        let env =
            AuthEnv { client_secret: Some(Secret::new("s3cr3t-value")), ..AuthEnv::default() };
        assert!(!format!("{env:?}").contains("s3cr3t-value"));
    }

    #[test]
    fn an_unconfigured_method_says_what_is_missing_and_how_to_fix_it() {
        let options = CredentialOptions {
            method: AuthMethod::ClientSecret,
            env: AuthEnv::default(),
            cloud: Cloud::public(),
            http: None,
            executor: None,
        };
        let error = credential(&options).unwrap_err().to_string();
        assert!(
            error.contains("AZURE_TENANT_ID is not set")
                && error.contains("hint: set AZURE_TENANT_ID"),
            "{error}"
        );
    }
}
