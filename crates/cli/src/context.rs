//! Where the commands that talk to Azure connect: the cloud from the global flags (or
//! `HUBCTL_CLOUD`), the credential, the ARM client — or, for `--cloud local`, the emulator
//! started in-process with its state in `.hubctl/` of the working directory.

use std::path::{Path, PathBuf};
use std::time::Duration;

use azure_core::credentials::Secret;
use hubctl_client::{
    ArmClient, ArmClientOptions, AuthEnv, AuthMethod, Bucket, BucketLimits, ClientError, Cloud,
    CredentialOptions, RetryOptions, credential, http_client,
};
use hubctl_emulator::{Emulator, Options, Seed};

/// `--cloud`: a national cloud, or the embedded emulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CloudName {
    /// Azure public cloud.
    Public,
    /// Azure operated by 21Vianet.
    China,
    /// Azure Government.
    Usgov,
    /// The embedded emulator, state in `.hubctl/`.
    Local,
}

impl CloudName {
    /// The name hubctl_client::Cloud knows.
    pub fn as_str(self) -> &'static str {
        match self {
            CloudName::Public => "public",
            CloudName::China => "china",
            CloudName::Usgov => "usgov",
            CloudName::Local => "local",
        }
    }
}

/// `--auth`: a clap `ValueEnum` over the client's [`AuthMethod`] (its names are the client's;
/// the binary does not restate the enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthName(pub AuthMethod);

impl clap::ValueEnum for AuthName {
    fn value_variants<'a>() -> &'a [AuthName] {
        // From the client's own list of names, so the two cannot differ.
        static ALL: std::sync::OnceLock<Vec<AuthName>> = std::sync::OnceLock::new();
        ALL.get_or_init(|| {
            AuthMethod::NAMES.iter().filter_map(|n| AuthMethod::parse(n)).map(AuthName).collect()
        })
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.0.name()))
    }
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The global flags (CONTRACT §3).
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// Which cloud (`local`: the embedded emulator); default HUBCTL_CLOUD, else public.
    #[arg(long, global = true, value_name = "CLOUD", value_enum)]
    pub cloud: Option<CloudName>,
    /// A custom ARM endpoint (with --authority-host).
    #[arg(long, global = true, value_name = "URL")]
    pub arm_endpoint: Option<String>,
    /// A custom Entra authority host (with --arm-endpoint).
    #[arg(long, global = true, value_name = "URL")]
    pub authority_host: Option<String>,
    /// An extra trusted CA certificate (PEM), e.g. a local emulator's.
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// How to sign in.
    #[arg(long, global = true, value_name = "NAME", value_enum, default_value = "auto")]
    pub auth: AuthName,
    /// Requests in flight at once.
    #[arg(long, global = true, value_name = "N", default_value_t = 8)]
    pub concurrency: usize,
    /// The local cloud's seed (default: examples/local-cloud-seed.yaml).
    #[arg(long, global = true, value_name = "FILE")]
    pub seed: Option<PathBuf>,
    /// Do not register a missing resource provider.
    #[arg(long, global = true)]
    pub skip_provider_registration: bool,
    /// More logs on stderr (-v info, -vv debug, -vvv trace). Tokens never appear.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only the K-th of N stable shards of the hubs (by hub id), e.g. 2/4: for CI matrices.
    #[arg(long, global = true, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(u32, u32)>,
    /// How long the whole run may wait out ARM's throttling and operations already running on
    /// a resource, e.g. 90m or 3h (default 3h). Other passing errors keep a bounded retry count.
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub deadline: Option<Duration>,
    /// For test clouds only: the throttling buckets to pace by, as
    /// `reads=CAPACITY+PER_SECOND,writes=…,deletes=…` (ARM's are 250+25, 200+10, 200+10).
    #[arg(long, global = true, value_name = "SPEC", value_parser = parse_buckets, hide = true)]
    pub arm_buckets: Option<BucketLimits>,
    /// Colour (NO_COLOR is respected).
    #[arg(long, global = true, value_name = "WHEN", value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
}

fn parse_shard(text: &str) -> Result<(u32, u32), String> {
    let (k, n) = text.split_once('/').ok_or("expected K/N, e.g. 2/4")?;
    let (k, n): (u32, u32) = (
        k.trim().parse().map_err(|_| "K is not a number")?,
        n.trim().parse().map_err(|_| "N is not a number")?,
    );
    if n == 0 || k == 0 || k > n {
        return Err(format!("shard {k}/{n}: expected 1 ≤ K ≤ N"));
    }
    Ok((k, n))
}

/// `90m`, `3h`, `45s` or a number of seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => (&text[..i], &text[i..]),
        None => (text, "s"),
    };
    let value: u64 =
        number.parse().map_err(|_| format!("{text:?}: expected a duration such as 90m or 3h"))?;
    let seconds = match unit {
        "s" => Some(value),
        "m" => value.checked_mul(60),
        "h" => value.checked_mul(3600),
        _ => return Err(format!("{text:?}: the unit must be s, m or h (e.g. 90m)")),
    };
    let seconds = seconds
        .filter(|s| *s <= 30 * 24 * 3600)
        .ok_or_else(|| format!("{text:?}: a deadline is at most 30 days (720h)"))?;
    if seconds == 0 {
        return Err("the deadline must be longer than zero".into());
    }
    Ok(Duration::from_secs(seconds))
}

/// `reads=250+25,writes=200+10,deletes=200+10` (any of the three; the others stay ARM's).
fn parse_buckets(text: &str) -> Result<BucketLimits, String> {
    let mut limits = BucketLimits::arm();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (class, spec) =
            part.split_once('=').ok_or(format!("{part:?}: expected KIND=CAPACITY+PER_SECOND"))?;
        let (capacity, rate) =
            spec.split_once('+').ok_or(format!("{part:?}: expected CAPACITY+PER_SECOND"))?;
        let number = |t: &str| -> Result<f64, String> {
            t.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| *v > 0.0)
                .ok_or(format!("{part:?}: {t:?} is not a positive number"))
        };
        let bucket = Bucket { capacity: number(capacity)?, per_second: number(rate)? };
        match class.trim() {
            "reads" => limits.reads = bucket,
            "writes" => limits.writes = bucket,
            "deletes" => limits.deletes = bucket,
            other => return Err(format!("{other:?}: expected reads, writes or deletes")),
        }
    }
    Ok(limits)
}

/// What the global flags say about retrying and pacing, over a client's defaults.
fn pace(args: &GlobalArgs, options: &mut ArmClientOptions) {
    if let Some(deadline) = args.deadline {
        options.retry.run_deadline = deadline;
    }
    if let Some(buckets) = args.arm_buckets {
        options.buckets = buckets;
    }
}

/// Whether a hub (by id key) is in the selected shard.
pub fn in_shard(shard: Option<(u32, u32)>, hub_key: &str) -> bool {
    shard.is_none_or(|(k, n)| hubctl_plan::digest::shard_of(hub_key, n) == k - 1)
}

/// A connection to ARM, keeping the local emulator alive while it is used.
pub struct Target {
    /// The client.
    pub client: ArmClient,
    /// The cloud's name and endpoint, for output.
    pub description: String,
    /// The ARM endpoint (a saved plan's target).
    pub endpoint: String,
    emulator: Option<Emulator>,
}

impl Target {
    /// Stop the local emulator, if any.
    pub async fn close(self) {
        if let Some(emulator) = self.emulator {
            emulator.shutdown().await;
        }
    }
}

/// Why connecting failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// Flags that do not go together.
    #[error("{0}")]
    Usage(String),
    /// The client refused.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The local cloud could not start.
    #[error("the local cloud could not start: {0}")]
    Local(String),
}

impl GlobalArgs {
    /// The cloud of this run: `--cloud`, else `HUBCTL_CLOUD` (unset or empty: none, which means
    /// public unless `--arm-endpoint` names one). The one place HUBCTL_CLOUD is read.
    pub fn cloud(&self) -> Result<Option<CloudName>, ConnectError> {
        if self.cloud.is_some() {
            return Ok(self.cloud);
        }
        match std::env::var("HUBCTL_CLOUD").ok().filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(name) => clap::ValueEnum::from_str(&name, true).map(Some).map_err(|_| {
                ConnectError::Usage(format!(
                    "HUBCTL_CLOUD is \"{name}\"; expected public, china, usgov or local"
                ))
            }),
        }
    }

    /// Whether this run is on the local cloud (`--cloud local` or `HUBCTL_CLOUD=local`).
    pub fn is_local(&self) -> bool {
        matches!(self.cloud(), Ok(Some(CloudName::Local)))
    }
}

/// The directory of the local cloud's state.
pub const LOCAL_DIR: &str = ".hubctl";

/// Connect as the flags say.
pub async fn connect(args: &GlobalArgs) -> Result<Target, ConnectError> {
    let cloud_name = args.cloud()?;
    if cloud_name == Some(CloudName::Local) {
        return local(args).await;
    }
    let cloud_name = cloud_name.map(CloudName::as_str);
    let cloud = match (&args.arm_endpoint, &args.authority_host, cloud_name) {
        (Some(arm), Some(authority), None) => Cloud::custom(arm, authority, None)?,
        (Some(_), None, _) | (None, Some(_), _) => {
            return Err(ConnectError::Usage(
                "--arm-endpoint and --authority-host go together".into(),
            ));
        }
        (Some(_), Some(_), Some(name)) => {
            return Err(ConnectError::Usage(format!(
                "--cloud {name} cannot be combined with --arm-endpoint"
            )));
        }
        (None, None, name) => {
            let name = name.unwrap_or("public");
            Cloud::by_name(name).ok_or_else(|| {
                ConnectError::Usage(format!(
                    "unknown cloud \"{name}\"; expected public, china, usgov or local"
                ))
            })?
        }
    };
    let method = args.auth.0;
    let http = http_client(args.ca_cert.as_deref())?;
    let credential = credential(&CredentialOptions {
        method,
        env: AuthEnv::from_process(),
        cloud: cloud.clone(),
        http: Some(http.clone()),
        executor: None,
    })
    .map_err(ClientError::from)?;
    let mut options = ArmClientOptions {
        cloud: cloud.clone(),
        http: Some(http),
        concurrency: args.concurrency,
        skip_provider_registration: args.skip_provider_registration,
        ..ArmClientOptions::default()
    };
    let versions = hubctl_client::versions::ApiVersions::for_cloud(&cloud.name);
    options.workspaces_api_version = versions.workspaces;
    options.authorization_api_version = versions.authorization;
    if cloud.is_loopback() {
        // An emulator: Azure's long waits between retries and polls would only slow it down.
        options.retry = RetryOptions::local();
        options.poll_interval = Duration::from_millis(100);
    }
    pace(args, &mut options);
    let client = ArmClient::new(credential, Some(options))?;
    Ok(Target {
        client,
        description: format!("{} ({})", cloud.name, cloud.arm_endpoint),
        endpoint: cloud.arm_endpoint,
        emulator: None,
    })
}

/// `--cloud local`: the emulator in-process, state in `.hubctl/local-cloud.json`.
async fn local(args: &GlobalArgs) -> Result<Target, ConnectError> {
    let dir = Path::new(LOCAL_DIR);
    std::fs::create_dir_all(dir)
        .map_err(|e| ConnectError::Local(format!("cannot create {}: {e}", dir.display())))?;
    let state = dir.join("local-cloud.json");
    let seed_path =
        args.seed.clone().unwrap_or_else(|| PathBuf::from("examples/local-cloud-seed.yaml"));
    let seed = if state.exists() {
        None
    } else if seed_path.exists() {
        Some(Seed::from_file(&seed_path).map_err(|e| ConnectError::Local(e.to_string()))?)
    } else {
        return Err(ConnectError::Local(format!(
            "there is no local cloud yet and its seed {} does not exist; run from the repository root or pass --seed FILE",
            seed_path.display()
        )));
    };
    let (client_id, secret) = seed
        .as_ref()
        .and_then(|s| s.service_principals.first())
        .map(|sp| (sp.client_id.clone(), sp.secret.clone().unwrap_or_else(|| "local".into())))
        .unwrap_or_else(|| {
            ("11111111-0000-0000-0000-00000000c11e".into(), "local-cloud-secret".into())
        });
    let options = Options {
        state_file: Some(state),
        seed,
        cert_dir: Some(dir.to_path_buf()),
        lro: Duration::from_millis(50),
        ..Options::default()
    };
    let emulator =
        Emulator::start(options).await.map_err(|e| ConnectError::Local(e.to_string()))?;
    let endpoint = emulator.arm_endpoint();
    let cloud = Cloud::local(&endpoint)?;
    let http = http_client(Some(emulator.ca_cert_path()))?;
    let env = AuthEnv {
        tenant_id: Some(emulator.tenant_id()),
        client_id: Some(client_id),
        client_secret: Some(Secret::new(secret)),
        ..AuthEnv::default()
    };
    let credential = credential(&CredentialOptions {
        method: AuthMethod::ClientSecret,
        env,
        cloud: cloud.clone(),
        http: Some(http.clone()),
        executor: None,
    })
    .map_err(ClientError::from)?;
    let mut options = ArmClientOptions {
        cloud,
        http: Some(http),
        retry: RetryOptions::local(),
        concurrency: args.concurrency,
        poll_interval: Duration::from_millis(50),
        operation_deadline: Duration::from_secs(300),
        ..ArmClientOptions::default()
    };
    pace(args, &mut options);
    let client = ArmClient::new(credential, Some(options))?;
    // A saved plan's target for the local cloud is stable across runs (the port is not).
    Ok(Target {
        client,
        description: "local cloud (.hubctl/local-cloud.json)".into(),
        endpoint: "local".into(),
        emulator: Some(emulator),
    })
}

/// Set up logging on stderr: warnings by default, more with -v.
pub fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("HUBCTL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}
