//! The local CodePipeline job service. No emulator implements CodePipeline's job APIs, so this
//! one speaks the real protocol (awsJson1.1, `CodePipeline_20150709.*`) for the calls a Lambda
//! invoke action's function makes: PutJobSuccessResult, PutJobFailureResult, GetJobDetails and
//! AcknowledgeJob. The unchanged function binaries reach it through
//! `AWS_ENDPOINT_URL_CODEPIPELINE`.
//!
//! It also plays CodePipeline's part in starting an action: a local control API under
//! `/stackflow/` creates a job (artifact zips into the artifact bucket, a fresh
//! `"CodePipeline.job"` event with fresh artifact credentials) and invokes the entry function
//! asynchronously; continuation tokens start new jobs; unanswered jobs time out. As test tooling
//! it can also stop the pipeline at a job (`POST /stackflow/jobs/{id}/stop`), which then refuses
//! every result, as CodePipeline does for a stopped or superseded pipeline execution, and invoke
//! the entry function more than once at the same moment with a new job's event (`deliveries`).

mod artifacts;
mod client;
mod dispatch;
mod error;
mod error_body;
mod event;
mod job;
mod jobs_api;
mod model;
mod protocol;
mod random;
mod store;
mod validation;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::post;
use axum::Router;
use tokio::sync::{watch, OnceCell};
use tokio::task::JoinHandle;

pub use client::JobServiceClient;
pub use dispatch::timeout_message;
pub use error::JobServiceError;
pub use error_body::body_message;
pub use model::{
    ArtifactRecord, ArtifactSource, ClosedBy, CreateJobRequest, CreateJobResponse, CurrentRevision,
    ExecutionDetails, FailureDetails, JobList, JobRecord, JobStatus,
};

use store::Store;

/// The pipeline name of jobs created without one.
pub const DEFAULT_PIPELINE_NAME: &str = "stackflow-local";

/// The most deliveries of one job's event a create may ask for (test tooling).
pub const MAX_DELIVERIES: u32 = 5;

/// CodePipeline fails a Lambda invoke action whose function sends no result for 20 minutes.
pub const DEFAULT_REPLY_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// How the job service runs.
#[derive(Debug, Clone)]
pub struct JobServiceConfig {
    /// A loopback address; port 0 picks a free port (see [`JobService::local_addr`]).
    pub listen: SocketAddr,
    pub region: String,
    pub account_id: String,
    /// The artifact store; created at the first job if missing.
    pub artifact_bucket: String,
    pub s3: aws_sdk_s3::Client,
    /// The local Lambda service, like `http://127.0.0.1:9001`.
    pub lambda_url: String,
    /// The function every new job invokes.
    pub entry_function: String,
    /// A job with no result after this long fails as timed out ([`DEFAULT_REPLY_TIMEOUT`]).
    pub reply_timeout: Duration,
    /// Where jobs are kept across restarts; in memory only when `None`.
    pub state_file: Option<PathBuf>,
}

/// A running job service.
#[derive(Debug)]
pub struct JobService {
    local_addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<()>,
}

/// What the request handlers share.
#[derive(Debug)]
struct AppState {
    region: String,
    account_id: String,
    artifact_bucket: String,
    s3: aws_sdk_s3::Client,
    lambda_url: String,
    entry_function: String,
    reply_timeout: Duration,
    store: Store,
    http: reqwest::Client,
    bucket_ready: OnceCell<()>,
    /// Flips to `true` at shutdown; reply timers stop on it.
    shutdown: watch::Receiver<bool>,
}

/// Bind the listener, restore jobs from the state file, and serve until [`JobService::shutdown`].
pub async fn start(config: JobServiceConfig) -> Result<JobService, JobServiceError> {
    start_with_routes(config, Router::new()).await
}

/// [`start`], with more of the environment's control API served on the same listener (the
/// fault proxy's `/stackflow/aws-faults`).
pub async fn start_with_routes(
    config: JobServiceConfig,
    extra_routes: Router,
) -> Result<JobService, JobServiceError> {
    if !config.listen.ip().is_loopback() {
        return Err(JobServiceError::NotLoopback(config.listen));
    }
    let store = Store::open(config.state_file.clone())?;
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let state = Arc::new(AppState {
        region: config.region,
        account_id: config.account_id,
        artifact_bucket: config.artifact_bucket,
        s3: config.s3,
        lambda_url: config.lambda_url,
        entry_function: config.entry_function,
        reply_timeout: config.reply_timeout,
        store,
        http: client::local_http_client(),
        bucket_ready: OnceCell::new(),
        shutdown: shutdown_rx.clone(),
    });

    // Jobs left open by the previous run keep their deadline from when they were created.
    let now = random::now_ms();
    for (job_id, created_at) in state.store.open_jobs() {
        let waited = Duration::from_millis(now.saturating_sub(created_at));
        state.schedule_reply_timeout(job_id, state.reply_timeout.saturating_sub(waited));
    }

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| JobServiceError::Bind {
            addr: config.listen,
            source,
        })?;
    let local_addr = listener
        .local_addr()
        .map_err(|source| JobServiceError::Bind {
            addr: config.listen,
            source,
        })?;
    let router = Router::new()
        .route("/", post(protocol::handle))
        .merge(jobs_api::routes())
        .with_state(state)
        .merge(extra_routes);
    let mut shutdown = shutdown_rx;
    let server = tokio::spawn(async move {
        let stopped = async move {
            // Returns on `true` or when the sender is gone.
            let _ = shutdown.wait_for(|stop| *stop).await;
        };
        if let Err(error) = axum::serve(listener, router)
            .with_graceful_shutdown(stopped)
            .await
        {
            tracing::error!(%error, "the job service stopped with an error");
        }
    });
    tracing::info!(%local_addr, "CodePipeline job service listening");
    Ok(JobService {
        local_addr,
        shutdown: shutdown_tx,
        server,
    })
}

impl JobService {
    /// The address the service listens on (the real port when the config asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://<local_addr>`: the endpoint for `AWS_ENDPOINT_URL_CODEPIPELINE` and the client.
    pub fn url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// Stop serving (in-flight requests finish) and stop the reply timers.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        if let Err(error) = self.server.await {
            tracing::warn!(%error, "the job service task ended abnormally");
        }
    }
}
