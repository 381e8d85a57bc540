//! `stackflow-local serve`: the environment itself. It runs in the background (started by `up`)
//! and holds the local Lambda service and the local CodePipeline job service; it starts moto,
//! or adopts the one an earlier start left running (moto outlives it, see `moto`).

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::time::Duration;

use stackflow_fault_tools::fault_proxy::{self, Service};
use stackflow_job_service as job_service;
use stackflow_lambda_service as lambda_service;

use crate::aws;
use crate::error::{LocalError, Result};
use crate::functions::{self, FUNCTIONS};
use crate::home::Home;
use crate::moto;
use crate::state::EnvironmentState;

/// Knobs of the environment.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub job_reply_timeout: Duration,
    /// Test tooling: stack operations reported in progress this long (zero: no hold proxy).
    pub hold_in_progress: Duration,
    pub log_level: String,
}

/// start-deployment's `JOB_HANDOVER_SECONDS` for a local reply timeout: half of it, so the
/// hand-over comes well before the job times out; at least 1 s, and at most AWS's default.
pub fn hand_over_seconds(job_reply_timeout: Duration) -> u32 {
    let half = u32::try_from(job_reply_timeout.as_secs() / 2).unwrap_or(u32::MAX);
    half.clamp(1, stackflow::config::DEFAULT_JOB_HANDOVER_SECONDS)
}

/// Where the functions reach each service.
pub struct Endpoints {
    pub moto_port: u16,
    /// The fault proxy's listeners for S3, CloudFormation, CodePipeline and Step Functions.
    pub proxy: ProxyUrls,
}

pub struct ProxyUrls {
    pub s3: String,
    pub cloudformation: String,
    pub codepipeline: String,
    pub sfn: String,
}

impl Endpoints {
    /// S3, CloudFormation, CodePipeline and Step Functions through the fault proxy's listeners.
    fn behind(proxy: &fault_proxy::FaultProxy, moto_port: u16) -> Self {
        Endpoints {
            moto_port,
            proxy: ProxyUrls {
                s3: proxy.url(Service::S3),
                cloudformation: proxy.url(Service::CloudFormation),
                codepipeline: proxy.url(Service::CodePipeline),
                sfn: proxy.url(Service::StepFunctions),
            },
        }
    }

    /// Every service at one local port: for functions given events that make no AWS call.
    pub fn all_at(port: u16) -> Self {
        let url = format!("http://127.0.0.1:{port}");
        Endpoints {
            moto_port: port,
            proxy: ProxyUrls {
                s3: url.clone(),
                cloudformation: url.clone(),
                codepipeline: url.clone(),
                sfn: url,
            },
        }
    }
}

/// Free loopback ports for moto, the job service and the Lambda service, all different: each
/// is held until the three are chosen, so the system cannot offer one twice.
fn free_ports() -> Result<[u16; 3]> {
    let bind = || TcpListener::bind("127.0.0.1:0").map_err(LocalError::io("finding a free port"));
    let held = [bind()?, bind()?, bind()?];
    let port = |listener: &TcpListener| {
        listener
            .local_addr()
            .map(|addr| addr.port())
            .map_err(LocalError::io("finding a free port"))
    };
    Ok([port(&held[0])?, port(&held[1])?, port(&held[2])?])
}

/// The environment every function gets locally: the standard AWS variables pointing at the local
/// services, plus its own (`env_vars`, a function's `FunctionDef::env_vars`).
pub fn function_env(
    binary: &str,
    env_vars: &[&str],
    endpoints: &Endpoints,
    state_machine_arn: &str,
    options: &ServeOptions,
) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    let mut set = |k: &str, v: String| {
        env.insert(k.to_string(), v);
    };
    let (moto_port, proxy) = (endpoints.moto_port, &endpoints.proxy);
    let log_level = options.log_level.as_str();
    set("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{moto_port}"));
    set("AWS_ENDPOINT_URL_S3", proxy.s3.clone());
    set(
        "AWS_ENDPOINT_URL_CLOUDFORMATION",
        proxy.cloudformation.clone(),
    );
    set("AWS_ENDPOINT_URL_CODEPIPELINE", proxy.codepipeline.clone());
    set("AWS_ENDPOINT_URL_SFN", proxy.sfn.clone());
    // Its own access key: the fault proxy records which IAM actions each function needed.
    set(
        "AWS_ACCESS_KEY_ID",
        fault_proxy::function_access_key(binary),
    );
    set("AWS_SECRET_ACCESS_KEY", "stackflow-local".into());
    set("AWS_LAMBDA_LOG_LEVEL", log_level.to_string());
    set("AWS_LAMBDA_LOG_FORMAT", "JSON".into());
    // As the SAM template does on AWS: one CA bundle, not every file of the certificate folders.
    if let Some(bundle) = functions::ca_bundle() {
        set(functions::CA_BUNDLE_VAR, bundle);
    }
    for var in env_vars {
        match *var {
            stackflow::config::STATE_MACHINE_ARN => set(var, state_machine_arn.to_string()),
            stackflow::config::STAGING_BUCKET => set(var, aws::STAGING_BUCKET.to_string()),
            stackflow::config::CLOUDFORMATION_ROLE_ARNS => {
                set(var, aws::SERVICE_ROLE_ARN.to_string())
            }
            stackflow::config::ARTIFACT_BUCKET => set(var, aws::ARTIFACT_BUCKET.to_string()),
            // The local pipeline encrypts its artifacts with no customer managed key.
            stackflow::config::ARTIFACT_KEY_ARN => set(var, String::new()),
            stackflow::config::JOB_HANDOVER_SECONDS => set(
                var,
                hand_over_seconds(options.job_reply_timeout).to_string(),
            ),
            other => set(other, String::new()),
        }
    }
    env
}

/// The functions reach S3, CloudFormation, CodePipeline and Step Functions through the fault
/// proxy: the CloudFormation layer on, the test tooling off until a fault is set (or stacks are
/// held in progress), and the record of each function's IAM actions in the home.
async fn start_proxy(
    home: &Home,
    options: &ServeOptions,
    moto_port: u16,
    jobs_port: u16,
    reserved_ports: Vec<u16>,
) -> Result<fault_proxy::FaultProxy> {
    let proxy = fault_proxy::start(fault_proxy::ProxyConfig {
        moto_url: format!("http://127.0.0.1:{moto_port}"),
        jobs_url: format!("http://127.0.0.1:{jobs_port}"),
        hold: options.hold_in_progress,
        cloudformation_layer: true,
        calls_file: Some(home.calls_file()),
        reserved_ports,
    })
    .await?;
    Ok(proxy)
}

/// Run the environment until SIGTERM or SIGINT.
pub async fn serve(home: &Home, options: ServeOptions) -> Result<()> {
    let (moto_server, exe_dir) = installed(home)?;
    // A moto an earlier start left running (a restart) holds the stacks: adopt it.
    let http = reqwest::Client::new();
    let adopted = moto::adoptable(&http, &home.moto_file()).await;
    let [free_moto, jobs_port, free_lambda] = free_ports()?;
    // An adopted moto calls Lambda on the port it was started with.
    let (moto_port, lambda_listen) = match adopted {
        Some(record) => (record.port, record.lambda_port),
        None => {
            // A new moto: the record of calls starts over with its stacks.
            let _ = std::fs::remove_file(home.calls_file());
            (free_moto, free_lambda)
        }
    };
    let state_machine_arn = aws::state_machine_arn();
    let reserved = vec![moto_port, jobs_port, lambda_listen];
    let proxy = start_proxy(home, &options, moto_port, jobs_port, reserved).await?;
    let endpoints = Endpoints::behind(&proxy, moto_port);
    let functions = FunctionsAt {
        home,
        exe_dir: &exe_dir,
        endpoints: &endpoints,
        state_machine_arn: &state_machine_arn,
        options: &options,
    };
    let lambda = start_lambda(&functions, lambda_listen).await?;
    let lambda_port = lambda.local_addr().port();

    let moto_addr = SocketAddr::from(([127, 0, 0, 1], moto_port));
    let moto_pid = moto_process(home, adopted, &moto_server, moto_addr, lambda_port)?;
    moto::configure(&http, moto_addr).await?;
    let s3 = provision(&format!("http://{moto_addr}"), &state_machine_arn).await?;
    let jobs = start_jobs(
        home,
        &options,
        SocketAddr::from(([127, 0, 0, 1], jobs_port)),
        lambda_port,
        s3,
        fault_proxy::control_routes(proxy.faults()),
    )
    .await?;

    let ready = EnvironmentState {
        pid: std::process::id(),
        moto_port,
        lambda_port,
        jobs_port,
        region: aws::REGION.to_string(),
        state_machine_arn,
        artifact_bucket: aws::ARTIFACT_BUCKET.to_string(),
        staging_bucket: aws::STAGING_BUCKET.to_string(),
        job_reply_timeout_seconds: options.job_reply_timeout.as_secs(),
        hold_in_progress_seconds: options.hold_in_progress.as_secs(),
        cloudformation_url: Some(endpoints.proxy.cloudformation.clone()),
    };
    ready.write(&home.state_file())?;
    tracing::info!(
        moto_port,
        lambda_port,
        jobs_port,
        "stackflow local environment ready"
    );

    let outcome = wait_for_stop(moto_pid).await;
    jobs.shutdown().await;
    lambda.shutdown().await;
    proxy.shutdown().await;
    forget_state(home);
    outcome
}

/// Remove the state file, unless another environment has written it since.
fn forget_state(home: &Home) {
    if let Ok(Some(current)) = EnvironmentState::read(&home.state_file()) {
        if current.pid == std::process::id() {
            let _ = std::fs::remove_file(home.state_file());
        }
    }
}

/// moto's server and the function executables' folder, or why the environment cannot start.
fn installed(home: &Home) -> Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(home.logs()).map_err(LocalError::io("creating the logs folder"))?;
    let moto_server = home.venv().join("bin").join("moto_server");
    if !moto_server.is_file() {
        return Err(LocalError::Environment(format!(
            "moto is not installed at {}; `stackflow-local up` installs it",
            moto_server.display()
        )));
    }
    let exe_dir = functions::executables_dir()?;
    let missing = functions::missing_executables(&exe_dir);
    if !missing.is_empty() {
        return Err(LocalError::Environment(format!(
            "function executables missing in {}: {}",
            exe_dir.display(),
            missing.join(", ")
        )));
    }
    Ok((moto_server, exe_dir))
}

/// What the local Lambda service runs the functions with.
struct FunctionsAt<'a> {
    home: &'a Home,
    exe_dir: &'a Path,
    endpoints: &'a Endpoints,
    state_machine_arn: &'a str,
    options: &'a ServeOptions,
}

/// The local Lambda service with every function, listening on `port` (0: any).
async fn start_lambda(at: &FunctionsAt<'_>, port: u16) -> Result<lambda_service::LambdaService> {
    let specs = FUNCTIONS
        .iter()
        .map(|def| lambda_service::FunctionSpec {
            name: def.function_name.to_string(),
            executable: at.exe_dir.join(def.binary),
            env: function_env(
                def.binary,
                def.env_vars,
                at.endpoints,
                at.state_machine_arn,
                at.options,
            ),
            timeout: def.timeout,
            memory_mb: 128,
            log_path: at.home.logs().join(format!("{}.log", def.function_name)),
        })
        .collect();
    lambda_service::start(lambda_service::LambdaServiceConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], port)),
        region: aws::REGION.to_string(),
        account_id: aws::ACCOUNT_ID.to_string(),
        functions: specs,
        async_retry_delays: vec![Duration::from_secs(1), Duration::from_secs(2)],
    })
    .await
    .map_err(|err| LocalError::Environment(format!("starting the local Lambda service: {err}")))
}

/// The adopted moto's pid, or start moto and record it (it outlives this process).
fn moto_process(
    home: &Home,
    adopted: Option<moto::MotoRecord>,
    moto_server: &Path,
    moto_addr: SocketAddr,
    lambda_port: u16,
) -> Result<u32> {
    if let Some(record) = adopted {
        tracing::info!(
            pid = record.pid,
            port = moto_addr.port(),
            "adopting the running moto: its stacks stay"
        );
        return Ok(record.pid);
    }
    let child = moto::spawn(
        moto_server,
        moto_addr,
        lambda_port,
        &home.logs().join("moto.log"),
    )?;
    let pid = child.id().ok_or_else(|| {
        LocalError::Environment("moto exited as soon as it started; see its log".into())
    })?;
    let record = moto::MotoRecord {
        pid,
        port: moto_addr.port(),
        lambda_port,
    };
    record.write(&home.moto_file())?;
    Ok(pid)
}

/// Create the buckets and the state machine in moto; returns the S3 client the job service uses.
async fn provision(moto_url: &str, state_machine_arn: &str) -> Result<aws_sdk_s3::Client> {
    let sdk = aws::moto_sdk_config(moto_url).await;
    let s3 = aws::moto_s3(&sdk);
    crate::provision::buckets(&s3, &[aws::ARTIFACT_BUCKET, aws::STAGING_BUCKET]).await?;
    let sfn = aws_sdk_sfn::Client::new(&sdk);
    crate::provision::state_machine(&sfn, state_machine_arn).await?;
    // moto loads a service's code at its first call, which takes a second or more: pay that
    // now rather than within the first job's reply time.
    let cloudformation = aws_sdk_cloudformation::Client::new(&sdk);
    if let Err(err) = cloudformation.list_stacks().send().await {
        tracing::warn!(error = %crate::provision::aws_text(&err), "CloudFormation did not answer the warm-up call");
    }
    Ok(s3)
}

/// The local CodePipeline job service, with the environment's other control routes (`routes`).
async fn start_jobs(
    home: &Home,
    options: &ServeOptions,
    listen: SocketAddr,
    lambda_port: u16,
    s3: aws_sdk_s3::Client,
    routes: axum::Router,
) -> Result<job_service::JobService> {
    job_service::start_with_routes(
        job_service::JobServiceConfig {
            listen,
            region: aws::REGION.to_string(),
            account_id: aws::ACCOUNT_ID.to_string(),
            artifact_bucket: aws::ARTIFACT_BUCKET.to_string(),
            s3,
            lambda_url: format!("http://127.0.0.1:{lambda_port}"),
            entry_function: functions::ENTRY_FUNCTION.to_string(),
            reply_timeout: options.job_reply_timeout,
            state_file: Some(home.jobs_file()),
        },
        routes,
    )
    .await
    .map_err(|err| {
        LocalError::Environment(format!(
            "starting the local CodePipeline job service: {err}"
        ))
    })
}

/// Until SIGTERM or SIGINT (moto keeps running: `down` stops it), or until moto is gone.
async fn wait_for_stop(moto_pid: u32) -> Result<()> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term =
        signal(SignalKind::terminate()).map_err(LocalError::io("listening for SIGTERM"))?;
    let mut int =
        signal(SignalKind::interrupt()).map_err(LocalError::io("listening for SIGINT"))?;
    tokio::select! {
        _ = term.recv() => Ok(()),
        _ = int.recv() => Ok(()),
        () = moto::exited(moto_pid) => Err(LocalError::Environment(
            "moto exited unexpectedly; see its log".into()
        )),
    }
}

#[cfg(test)]
#[path = "daemon_tests.rs"]
mod tests;
