//! With tracing at its most verbose, no token and no secret appears in what is logged.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use azure_core::credentials::Secret;
use hubctl_client::{
    ArmClient, ArmClientOptions, AuthEnv, AuthMethod, Cloud, CredentialOptions, credential,
    http_client,
};
use hubctl_emulator::{Emulator, Options, Seed};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn no_token_or_secret_in_trace_output() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let secret = "very-secret-client-secret-value";
    tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let seed = Seed::from_file(
                &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../examples/local-cloud-seed.yaml"),
            )
            .unwrap();
            let emulator = Emulator::start(Options {
                seed: Some(seed),
                lro: Duration::from_millis(10),
                ..Options::default()
            })
            .await
            .unwrap();
            let cloud = Cloud::local(&emulator.arm_endpoint()).unwrap();
            let http = http_client(Some(emulator.ca_cert_path())).unwrap();
            let env = AuthEnv {
                tenant_id: Some(emulator.tenant_id()),
                client_id: Some("trace-client".into()),
                client_secret: Some(Secret::new(secret)),
                ..AuthEnv::default()
            };
            let credential = credential(&CredentialOptions {
                method: AuthMethod::ClientSecret,
                env: env.clone(),
                cloud: cloud.clone(),
                http: Some(http.clone()),
                executor: None,
            })
            .unwrap();
            tracing::debug!(?env, "credential environment");
            let client = ArmClient::new(
                credential,
                Some(ArmClientOptions { cloud, http: Some(http), ..ArmClientOptions::default() }),
            )
            .unwrap();
            let hubs = client
                .workspaces()
                .list_by_subscription("00000000-0000-0000-0000-000000000001")
                .await
                .unwrap();
            assert!(hubs.is_empty());
            let missing = client
                .workspaces()
                .get("00000000-0000-0000-0000-000000000001", "rg-ai-platform", "nothing-here")
                .await
                .unwrap();
            assert!(missing.is_none());
            emulator.shutdown().await;
        });
    });
    let output = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        output.contains("arm") && output.contains("workspaces"),
        "tracing was captured:\n{output}"
    );
    assert!(!output.contains("eyJ"), "a JWT appears in the logs");
    assert!(!output.contains(secret), "the client secret appears in the logs");
    assert!(
        !output.to_ascii_lowercase().contains("bearer "),
        "an Authorization header appears in the logs"
    );
}
