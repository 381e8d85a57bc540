//! The local Lambda service: the Lambda Invoke API on 127.0.0.1, running the real function
//! executables through the Lambda Runtime API.
//!
//! - Invoke: `POST /2015-03-31/functions/{FunctionName}/invocations` (name, ARN, or either with
//!   a `:qualifier`; SigV4 is not checked). `RequestResponse` waits for the result (a function
//!   error is HTTP 200 + `X-Amz-Function-Error: Unhandled`); `Event` answers 202 and runs in the
//!   background, retried after each configured delay on failure; `DryRun` answers 204.
//! - Execution: a warm process per execution environment, started lazily on its first invocation
//!   (a cold start, as in Lambda) with a cleared environment: the spec's variables plus what
//!   Lambda sets. Each environment runs one invocation at a time; an invocation that arrives while
//!   every environment of the function is busy gets a new one (up to [`MAX_INSTANCES`],
//!   then it waits), so overlapping invocations overlap as on Lambda. A process that exits
//!   mid-invocation (`Runtime.ExitError`), runs past the timeout (`Sandbox.Timedout`) or fails
//!   init (`Runtime.InitError`) is killed and replaced on its environment's next invocation.
//! - Each process gets its own Runtime API listener on an ephemeral 127.0.0.1 port, so a dead
//!   process's connections can never take another's events.
//! - `GET /stackflow/invocations`: every invocation so far ([`InvocationRecord`], no payloads);
//!   `GET /stackflow/async-outcomes`: how each `Event` invocation ended ([`AsyncOutcomeRecord`]:
//!   succeeded, or retries exhausted).
//! - Test tooling, off until armed: `POST /stackflow/faults` with a [`FaultSpec`] makes chosen
//!   invocations crash or time out (see `faults`); `GET` lists the armed faults, `DELETE`
//!   disarms them all.
//!
//! Local deviations from Lambda: async retries wait the configured delays (default
//! [`DEFAULT_ASYNC_RETRY_DELAYS`], 1 s then 2 s, instead of about 1 and 2 minutes); only `$LATEST`
//! exists, so every qualifier runs it; at most [`MAX_INSTANCES`] execution environments per
//! function at once (Lambda's limit is the account's concurrency).

mod error;
mod faults;
mod invocation;
mod invoke_api;
mod outcome;
mod records;
mod resolve;
mod runtime_api;
mod sandbox;
mod worker;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs::{File, OpenOptions};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use error::LambdaServiceError;
pub use faults::{FaultKind, FaultSpec};
pub use records::{AsyncOutcomeRecord, InvocationRecord};
pub use worker::MAX_INSTANCES;

use faults::Faults;
use records::{AsyncOutcomeLog, InvocationLog};
use resolve::Partition;

/// Delays before the two retries of a failed Event invocation (Lambda: about 1 and 2 minutes).
pub const DEFAULT_ASYNC_RETRY_DELAYS: [Duration; 2] =
    [Duration::from_secs(1), Duration::from_secs(2)];

/// How long `shutdown` lets in-flight HTTP requests finish before dropping them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// One function as deployed: its executable (a Runtime API client such as a lambda_runtime
/// binary), its environment variables, timeout and memory size, and where its output goes.
#[derive(Clone)]
pub struct FunctionSpec {
    pub name: String,
    pub executable: PathBuf,
    pub env: BTreeMap<String, String>,
    pub timeout: Duration,
    pub memory_mb: u32,
    /// stdout and stderr of the function's processes, appended.
    pub log_path: PathBuf,
}

// By hand so that environment values (credentials among them) never reach a log.
impl fmt::Debug for FunctionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FunctionSpec")
            .field("name", &self.name)
            .field("executable", &self.executable)
            .field("env_vars", &self.env.keys().collect::<Vec<_>>())
            .field("timeout", &self.timeout)
            .field("memory_mb", &self.memory_mb)
            .field("log_path", &self.log_path)
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct LambdaServiceConfig {
    /// Must be a loopback address; port 0 picks a free one (see [`LambdaService::local_addr`]).
    pub listen: SocketAddr,
    pub region: String,
    pub account_id: String,
    pub functions: Vec<FunctionSpec>,
    /// One retry of a failed Event invocation per entry, after that delay.
    pub async_retry_delays: Vec<Duration>,
}

/// The running service. Dropping it also stops the workers and kills the function processes;
/// [`LambdaService::shutdown`] does so and waits for it.
pub struct LambdaService {
    addr: SocketAddr,
    records: InvocationLog,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<()>,
    workers: Vec<JoinHandle<()>>,
}

impl LambdaService {
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every invocation so far (what `GET /stackflow/invocations` serves).
    pub fn invocations(&self) -> Vec<InvocationRecord> {
        self.records.all()
    }

    /// Stop serving and kill the function processes.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for worker in self.workers {
            let _ = worker.await;
        }
        let mut server = self.server;
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut server)
            .await
            .is_err()
        {
            server.abort();
        }
    }
}

/// Bind the Invoke API and start one worker per function (processes start on first invoke).
pub async fn start(config: LambdaServiceConfig) -> Result<LambdaService, LambdaServiceError> {
    if !config.listen.ip().is_loopback() {
        return Err(LambdaServiceError::NotLoopback(config.listen));
    }
    let logs = check_functions(&config.functions)?;
    let listener =
        TcpListener::bind(config.listen)
            .await
            .map_err(|source| LambdaServiceError::Bind {
                addr: config.listen,
                source,
            })?;
    let addr = listener
        .local_addr()
        .map_err(|source| LambdaServiceError::Bind {
            addr: config.listen,
            source,
        })?;

    let (shutdown, shutdown_rx) = watch::channel(false);
    let records = InvocationLog::default();
    let faults = Faults::default();
    let mut functions = HashMap::new();
    let mut workers = Vec::new();
    for (spec, log) in config.functions.into_iter().zip(logs) {
        let name = spec.name.clone();
        let (queue, handle) = worker::spawn(
            spec,
            config.region.clone(),
            log,
            records.clone(),
            faults.clone(),
            shutdown_rx.clone(),
        );
        functions.insert(name, queue);
        workers.push(handle);
    }

    let state = Arc::new(invoke_api::InvokeApiState {
        functions,
        partition: Partition {
            region: config.region,
            account_id: config.account_id,
        },
        records: records.clone(),
        async_outcomes: AsyncOutcomeLog::default(),
        faults,
        async_retry_delays: config.async_retry_delays,
        shutdown: shutdown_rx.clone(),
    });
    let mut server_stop = shutdown_rx;
    let server = tokio::spawn(async move {
        let serving = axum::serve(listener, invoke_api::router(state))
            .with_graceful_shutdown(async move { stopped(&mut server_stop).await });
        if let Err(err) = serving.await {
            tracing::error!(error = %err, "the local Lambda service stopped");
        }
    });
    tracing::info!(%addr, "local Lambda service listening");
    Ok(LambdaService {
        addr,
        records,
        shutdown,
        server,
        workers,
    })
}

/// Fail fast on what would otherwise only show at the first invocation; open the log files.
fn check_functions(functions: &[FunctionSpec]) -> Result<Vec<File>, LambdaServiceError> {
    let mut seen = std::collections::HashSet::new();
    let mut logs = Vec::with_capacity(functions.len());
    for spec in functions {
        if !seen.insert(spec.name.as_str()) {
            return Err(LambdaServiceError::DuplicateFunction(spec.name.clone()));
        }
        if !spec.executable.is_file() {
            return Err(LambdaServiceError::ExecutableNotFound {
                name: spec.name.clone(),
                path: spec.executable.clone(),
            });
        }
        logs.push(
            open_log(spec).map_err(|source| LambdaServiceError::LogFile {
                name: spec.name.clone(),
                path: spec.log_path.clone(),
                source,
            })?,
        );
    }
    Ok(logs)
}

fn open_log(spec: &FunctionSpec) -> std::io::Result<File> {
    if let Some(dir) = spec.log_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(Path::new(&spec.log_path))
}

/// Resolves once shutdown is asked for, or the service handle is gone.
pub(crate) async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}
