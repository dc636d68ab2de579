//! An [`ArmClient`] signed in to an emulator the way hubctl signs in: a client secret through
//! azure_identity, the emulator's CA trusted, short retry and poll intervals.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::{Secret, TokenCredential};
use hubctl_client::{
    ArmClient, ArmClientOptions, AuthEnv, AuthMethod, Cloud, CredentialOptions, RetryOptions,
    credential, http_client,
};
use hubctl_emulator::{Emulator, Options};

use crate::cloud::{CLIENT_ID, CLIENT_SECRET};
use crate::example_seed;

/// Start an emulator with the example seed (unless `options` has one) and short operations.
pub async fn emulator(options: Options) -> Emulator {
    Emulator::start(Options {
        seed: options.seed.clone().or_else(|| Some(example_seed())),
        lro: Duration::from_millis(20),
        ..options
    })
    .await
    .unwrap()
}

/// The environment of a pipeline signing in with the seed's client secret.
pub fn secret_env(emulator: &Emulator) -> AuthEnv {
    AuthEnv {
        tenant_id: Some(emulator.tenant_id()),
        client_id: Some(CLIENT_ID.into()),
        client_secret: Some(Secret::new(CLIENT_SECRET)),
        ..AuthEnv::default()
    }
}

/// Credential options for `method` against the emulator.
pub fn credential_options(
    emulator: &Emulator,
    method: AuthMethod,
    env: AuthEnv,
) -> CredentialOptions {
    CredentialOptions {
        method,
        env,
        cloud: Cloud::local(&emulator.arm_endpoint()).unwrap(),
        http: Some(http_client(Some(emulator.ca_cert_path())).unwrap()),
        executor: None,
    }
}

/// Client options for the emulator, with short retry and poll intervals.
pub fn client_options(emulator: &Emulator) -> ArmClientOptions {
    ArmClientOptions {
        cloud: Cloud::local(&emulator.arm_endpoint()).unwrap(),
        http: Some(http_client(Some(emulator.ca_cert_path())).unwrap()),
        retry: RetryOptions { initial_delay: Duration::from_millis(20), ..RetryOptions::local() },
        poll_interval: Duration::from_millis(20),
        ..ArmClientOptions::default()
    }
}

/// A client with `credential`.
pub fn client_with(emulator: &Emulator, credential: Arc<dyn TokenCredential>) -> ArmClient {
    ArmClient::new(credential, Some(client_options(emulator))).unwrap()
}

/// A client signed in with the seed's client secret.
pub fn client(emulator: &Emulator) -> ArmClient {
    let options = credential_options(emulator, AuthMethod::ClientSecret, secret_env(emulator));
    client_with(emulator, credential(&options).unwrap())
}
