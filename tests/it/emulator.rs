//! `hubctl emulator` end to end: one JSON line on start, a working HTTPS endpoint trusted
//! through the CA it wrote, state on disk, and a clean exit on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

use hubctl_test::cloud::{json, raw_token};

use crate::support::examples;

#[test]
fn the_emulator_prints_one_line_serves_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("cloud.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_hubctl"))
        .args(["emulator", "--listen", "127.0.0.1:0", "--lro-ms", "10"])
        .arg("--seed")
        .arg(examples().join("local-cloud-seed.yaml"))
        .arg("--state")
        .arg(&state)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let start: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    let endpoint = start["armEndpoint"].as_str().unwrap().to_string();
    assert!(endpoint.starts_with("https://127.0.0.1:"), "{start}");
    assert_eq!(start["authorityHost"], start["armEndpoint"]);
    assert_eq!(start["tenantId"], "72f988bf-0000-0000-0000-000000000001");
    let ca = std::fs::read(start["caCertPath"].as_str().unwrap()).unwrap();

    // Get a token and read a seeded resource group over HTTPS, trusting only the CA file.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let group: Value = runtime.block_on(async {
        let http = reqwest::Client::builder().add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap()).build().unwrap();
        let token = raw_token(&http, &endpoint, "72f988bf-0000-0000-0000-000000000001", "any-client").await;
        json(http.get(format!("{endpoint}/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-ai-platform?api-version=2021-04-01"))
            .bearer_auth(token))
        .await
    });
    assert_eq!(group["name"], "rg-ai-platform");
    assert!(state.exists(), "the state file is written");

    let status = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert_eq!(exit.code(), Some(0));
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert_eq!(rest, "", "exactly one line on stdout");
}

#[test]
fn a_bad_seed_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("seed.yaml");
    std::fs::write(&seed, "apiVersion: hubctl/v1\nkind: LocalCloudSeed\nsubscriptionz: []\n")
        .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_hubctl"))
        .args(["emulator", "--seed"])
        .arg(&seed)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("seed.yaml") && stderr.contains("subscriptionz"), "{stderr}");
}
