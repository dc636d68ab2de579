//! A lab for end-to-end tests: the emulator in this process, manifests in a temporary folder,
//! and the real `hubctl` binary pointed at the emulator as a custom cloud, signing in with a
//! client secret from the environment — the way a pipeline runs it. Live state is checked
//! through the emulator's ARM API, never through hubctl.

use std::path::PathBuf;
use std::time::Duration;

use hubctl_emulator::{Emulator, Options, Seed};
use serde_json::Value;

use crate::support::examples;

pub const SUB: &str = "00000000-0000-0000-0000-000000000001";
pub const RG: &str = "rg-ai-platform";

pub struct Lab {
    pub emulator: Emulator,
    pub dir: tempfile::TempDir,
    http: reqwest::Client,
    token: String,
}

/// What a run of hubctl did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Assert the exit code, with the run's output when it is another.
    #[track_caller]
    pub fn expect(self, code: i32) -> Run {
        assert_eq!(self.code, code, "{}\n{}", self.stdout, self.stderr);
        self
    }
}

impl Lab {
    pub async fn start(options: Options) -> Lab {
        let seed = options
            .seed
            .clone()
            .unwrap_or_else(|| Seed::from_file(&examples().join("local-cloud-seed.yaml")).unwrap());
        let emulator = Emulator::start(Options {
            seed: Some(seed),
            lro: Duration::from_millis(20),
            ..options
        })
        .await
        .unwrap();
        let http = hubctl_test::cloud::client(&emulator);
        let (authority, tenant) = (emulator.authority_host(), emulator.tenant_id());
        let token = hubctl_test::cloud::raw_token(&http, &authority, &tenant, "lab-observer").await;
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("hubs")).unwrap();
        Lab { emulator, dir, http, token }
    }

    /// A lab on the strict local cloud, its seed the example seed as `edit` changes it; the
    /// lab's own reads sign in as an observer holding Reader (strict auth checks reads too).
    pub async fn start_strict(edit: impl FnOnce(String) -> String) -> Lab {
        let text = std::fs::read_to_string(examples().join("local-cloud-seed.yaml")).unwrap();
        let text = edit(text)
            .replace(
                "servicePrincipals:\n",
                "servicePrincipals:\n  - { clientId: lab-observer, objectId: 22222222-0000-0000-0000-0000000000b2, secret: x }\n",
            )
            .replace(
                "roleAssignments:\n",
                "roleAssignments:\n  - { scope: /subscriptions/00000000-0000-0000-0000-000000000001, principal: 22222222-0000-0000-0000-0000000000b2, role: Reader }\n",
            );
        let seed = Seed::from_text(&text).unwrap();
        Lab::start(Options { seed: Some(seed), strict_auth: true, ..Options::default() }).await
    }

    /// Write a manifest into the lab's `hubs/` folder.
    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join("hubs").join(name), text).unwrap();
    }

    pub fn remove(&self, name: &str) {
        std::fs::remove_file(self.dir.path().join("hubs").join(name)).unwrap();
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Start hubctl against the emulator in the lab folder without waiting for it.
    pub fn spawn(&self, args: &[&str]) -> tokio::process::Child {
        self.spawn_with(args, std::process::Stdio::null)
    }

    /// Start hubctl in the background keeping its output, for `wait_with_output` (the output
    /// must be small: nothing reads the pipes until then).
    pub fn spawn_captured(&self, args: &[&str]) -> tokio::process::Child {
        self.spawn_with(args, std::process::Stdio::piped)
    }

    fn spawn_with(&self, args: &[&str], io: fn() -> std::process::Stdio) -> tokio::process::Child {
        self.command(args).stdout(io()).stderr(io()).spawn().unwrap()
    }

    /// Run hubctl against the emulator in the lab folder.
    pub async fn hubctl(&self, args: &[&str]) -> Run {
        let output = self.command(args).output().await.unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// [`Lab::hubctl`] with one more environment variable.
    pub async fn hubctl_env(&self, args: &[&str], key: &str, value: &str) -> Run {
        let output = self.command(args).env(key, value).output().await.unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_hubctl"));
        command
            .args(args)
            .args([
                "--arm-endpoint",
                &self.emulator.arm_endpoint(),
                "--authority-host",
                &self.emulator.authority_host(),
            ])
            .arg("--ca-cert")
            .arg(self.emulator.ca_cert_path())
            .args(["--auth", "client-secret"])
            .env("AZURE_TENANT_ID", self.emulator.tenant_id())
            .env("AZURE_CLIENT_ID", "11111111-0000-0000-0000-00000000c11e")
            .env("AZURE_CLIENT_SECRET", "local-cloud-secret")
            .env_remove("HUBCTL_CLOUD")
            .env_remove("HUBCTL_POLICY")
            .current_dir(self.dir.path())
            .kill_on_drop(true);
        command
    }

    /// GET an ARM path through the emulator's API; `None` on 404.
    /// A hub's connection, as ARM serves it (it must exist).
    pub async fn connection(&self, hub: &str, name: &str) -> Value {
        let path = format!("{}/connections/{name}", Lab::workspace_path(hub));
        self.get(&path, "2026-05-01").await.unwrap_or_else(|| panic!("connection {hub}/{name}"))
    }

    pub async fn get(&self, path: &str, api_version: &str) -> Option<Value> {
        let separator = if path.contains('?') { '&' } else { '?' };
        let url =
            format!("{}{path}{separator}api-version={api_version}", self.emulator.arm_endpoint());
        // The lab's own reads meet the emulator's injected faults too: try again.
        for _ in 0..20 {
            let Ok(response) = self.http.get(&url).bearer_auth(&self.token).send().await else {
                continue;
            };
            let status = response.status();
            if status == 404 {
                return None;
            }
            if status == 429 || status.is_server_error() {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            assert!(status.is_success(), "GET {path}: {status}");
            if let Ok(body) = response.json().await {
                return Some(body);
            }
        }
        panic!("GET {path}: no answer after 20 tries")
    }

    /// PUT an ARM path through the emulator's API, as someone outside hubctl would; the status.
    pub async fn put(&self, path: &str, api_version: &str, body: &Value) -> u16 {
        self.send(reqwest::Method::PUT, path, api_version, body).await
    }

    /// PATCH an ARM path, as the portal would; the status.
    pub async fn patch(&self, path: &str, api_version: &str, body: &Value) -> u16 {
        self.send(reqwest::Method::PATCH, path, api_version, body).await
    }

    /// DELETE an ARM path, as someone outside hubctl would; the status.
    pub async fn delete(&self, path: &str, api_version: &str) -> u16 {
        self.send(reqwest::Method::DELETE, path, api_version, &Value::Null).await
    }

    async fn send(&self, method: reqwest::Method, path: &str, api: &str, body: &Value) -> u16 {
        let url = format!("{}{path}?api-version={api}", self.emulator.arm_endpoint());
        let request = self.http.request(method, url).bearer_auth(&self.token).json(body);
        request.send().await.unwrap().status().as_u16()
    }

    /// Requests the emulator has seen of one kind, e.g. `PATCH workspaces`.
    pub fn requests(&self, kind: &str) -> u64 {
        self.emulator.stats().by_kind.get(kind).copied().unwrap_or(0)
    }

    /// Run hubctl while `clock` moves a second every 20 ms, so its operations finish.
    pub async fn hubctl_ticking(&self, clock: &hubctl_emulator::Clock, args: &[&str]) -> Run {
        let ticker = tick(clock.clone());
        let run = self.hubctl(args).await;
        ticker.abort();
        run
    }

    pub fn workspace_path(name: &str) -> String {
        format!(
            "/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.MachineLearningServices/workspaces/{name}"
        )
    }

    pub async fn workspace(&self, name: &str) -> Option<Value> {
        self.get(&Lab::workspace_path(name), "2026-05-01").await
    }

    /// Role assignments at exactly a workspace's scope: (principal, role GUID).
    pub async fn access(&self, name: &str) -> Vec<(String, String)> {
        let scope = Lab::workspace_path(name);
        let list = self
            .get(
                &format!(
                    "{scope}/providers/Microsoft.Authorization/roleAssignments?$filter=atScope()"
                ),
                "2022-04-01",
            )
            .await
            .unwrap();
        let mut out: Vec<(String, String)> = list["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| {
                a["properties"]["scope"].as_str().is_some_and(|s| s.eq_ignore_ascii_case(&scope))
            })
            .map(|a| {
                (
                    a["properties"]["principalId"].as_str().unwrap().to_string(),
                    a["properties"]["roleDefinitionId"]
                        .as_str()
                        .unwrap()
                        .rsplit('/')
                        .next()
                        .unwrap()
                        .to_string(),
                )
            })
            .collect();
        out.sort();
        out
    }

    /// User rule names of a hub.
    pub async fn rules(&self, name: &str) -> Vec<String> {
        let hub = self.workspace(name).await.unwrap();
        let mut names: Vec<String> = hub["properties"]["managedNetwork"]["outboundRules"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(_, r)| r["category"] == "UserDefined")
                    .map(|(k, _)| k.clone())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// An out-of-band edit, as a person in the portal would make it.
    pub async fn edit(&self, id: &str, patch: Value) {
        assert_eq!(self.control("edit", serde_json::json!({"id": id, "patch": patch})).await, 200);
    }

    /// `POST /_emulator/{action}` (edit, faults, purge, recover): the status.
    pub async fn control(&self, action: &str, body: Value) -> u16 {
        let url = format!("{}/_emulator/{action}", self.emulator.arm_endpoint());
        self.http.post(url).json(&body).send().await.unwrap().status().as_u16()
    }
}

/// Move `clock` a second every 20 ms until the task is aborted.
pub fn tick(clock: hubctl_emulator::Clock) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            clock.advance(Duration::from_secs(1));
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
}

/// Assert that `text` says every one of `parts` (the text is shown when it does not).
#[track_caller]
pub fn says(text: &str, parts: &[&str]) {
    let missing: Vec<&&str> = parts.iter().filter(|p| !text.contains(**p)).collect();
    assert!(missing.is_empty(), "missing {missing:?} in:\n{text}");
}
