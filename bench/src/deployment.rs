//! The example deployment end to end, as a user runs it: `stackflow-local up`, then
//! `stackflow-local run` of examples/queue-and-bucket twice (a create, then a repeat with no
//! changes) in a fresh $STACKFLOW_HOME, then `down`. Each run is then taken apart with the job
//! service's job records, the Lambda service's invocation records, the execution history and
//! /proc (peak RSS and CPU time of the function processes, moto and the environment).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aws_sdk_sfn::types::HistoryEventType;
use serde::Serialize;
use stackflow_environment::aws::moto_sdk_config;
use stackflow_environment::functions::FunctionDef;
use stackflow_environment::home::Home;
use stackflow_environment::run::RunReport;
use stackflow_environment::state::EnvironmentState;
use stackflow_environment::watch::execution_history;
use stackflow_job_service::{JobRecord, JobServiceClient};
use stackflow_lambda_service::InvocationRecord;
use tokio::process::Command;

use crate::cold_start::{kib_to_mib, us_to_ms};
use crate::intervals::Span;
use crate::procfs;
use crate::split::{split, Split};
use crate::stats::{summarize, Summary};

pub struct Plan<'a> {
    pub cli: &'a Path,
    pub functions_dir: &'a Path,
    pub home: &'a Path,
    pub artifact: &'a Path,
    pub user_parameters: &'a str,
    pub functions: &'a [FunctionDef],
}

#[derive(Debug, Clone, Serialize)]
pub struct Deployment {
    /// `stackflow-local up` in a fresh home: moto started, state machine and buckets created.
    pub environment_up_ms: f64,
    pub runs: Vec<Run>,
    pub functions: Vec<FunctionInDeployment>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub label: String,
    pub job_id: String,
    pub job_status: String,
    pub job_message: Option<String>,
    pub execution_status: Option<String>,
    pub states: Vec<String>,
    /// The `stackflow-local run` command, start to exit (it polls, so it lags the job a little).
    pub command_ms: f64,
    pub split: Option<Split>,
    /// CPU time used during the run, in ms (/proc, 10 ms resolution per process).
    pub functions_cpu_ms: f64,
    pub moto_cpu_ms: f64,
    pub environment_cpu_ms: f64,
    pub invocations: Vec<InvocationTiming>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InvocationTiming {
    pub function: String,
    /// From job creation, in ms.
    pub offset_ms: f64,
    pub duration_ms: f64,
    pub init_ms: Option<f64>,
    pub ok: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FunctionInDeployment {
    pub function: String,
    pub invocations: usize,
    /// The first invocation's cold start (spawn to the first `next`), in ms.
    pub first_init_ms: Option<f64>,
    /// The first invocation, init excluded (Lambda's "Duration"), in ms.
    pub first_ms: Option<f64>,
    /// The invocations after it (the process warm), in ms.
    pub warm_ms: Option<Summary>,
    /// VmHWM of its process after both runs, in MiB.
    pub peak_rss_mib: Option<f64>,
    pub cpu_ms: Option<f64>,
}

pub async fn measure(plan: &Plan<'_>) -> Result<Deployment, String> {
    let home = Home::new(plan.home.to_path_buf());
    let _ = cli(plan, &["down"]).await;
    if plan.home.exists() {
        std::fs::remove_dir_all(plan.home)
            .map_err(|err| format!("clearing {}: {err}", plan.home.display()))?;
    }
    let up_started = Instant::now();
    cli(plan, &["up"]).await?;
    let environment_up_ms = up_started.elapsed().as_secs_f64() * 1000.0;
    let outcome = runs(plan, &home).await;
    let _ = cli(plan, &["down"]).await;
    let (runs, functions) = outcome?;
    Ok(Deployment {
        environment_up_ms,
        runs,
        functions,
    })
}

async fn runs(
    plan: &Plan<'_>,
    home: &Home,
) -> Result<(Vec<Run>, Vec<FunctionInDeployment>), String> {
    let env = EnvironmentState::read(&home.state_file())
        .map_err(|err| err.to_string())?
        .ok_or("the environment wrote no state file")?;
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .map_err(|err| err.to_string())?;
    let jobs = JobServiceClient::new(env.jobs_url());
    let sfn = aws_sdk_sfn::Client::new(&moto_sdk_config(&env.moto_url()).await);
    let ticks = procfs::ticks_per_second();

    let mut runs = Vec::new();
    let mut seen = 0;
    for label in ["create", "repeat (no changes)"] {
        let before = cpu(&env, &records(&http, &env).await?, plan, ticks);
        let started = Instant::now();
        let report = run_job(plan).await?;
        let command_ms = started.elapsed().as_secs_f64() * 1000.0;
        let all = settled_records(&http, &env).await?;
        let after = cpu(&env, &all, plan, ticks);
        let new = all.get(seen..).unwrap_or_default().to_vec();
        seen = all.len();
        runs.push(
            take_apart(
                label,
                &report,
                command_ms,
                new,
                (before, after),
                &jobs,
                &sfn,
            )
            .await,
        );
    }
    let all = records(&http, &env).await?;
    Ok((runs, per_function(plan.functions, &all, ticks)))
}

async fn take_apart(
    label: &str,
    report: &RunReport,
    command_ms: f64,
    invocations: Vec<InvocationRecord>,
    (before, after): (Cpu, Cpu),
    jobs: &JobServiceClient,
    sfn: &aws_sdk_sfn::Client,
) -> Run {
    let job_id = report.job.id.clone();
    let execution = report.execution.as_ref();
    let execution_arn = execution.map_or("", |execution| execution.arn.as_str());
    let window = job_window(jobs, &job_id).await;
    let waits = wait_spans(sfn, execution_arn).await;
    let split = window.map(|(created, closed)| split(created, closed, &invocations, &waits));
    let created_ms = window.map_or(0.0, |(created, _)| created as f64);
    Run {
        label: label.to_string(),
        job_status: report.job.status.as_str().to_string(),
        job_message: report.job.message.clone(),
        execution_status: execution.map(|execution| execution.status.clone()),
        states: execution.map_or_else(Vec::new, |execution| execution.states.clone()),
        job_id,
        command_ms,
        split,
        functions_cpu_ms: after.functions - before.functions,
        moto_cpu_ms: after.moto - before.moto,
        environment_cpu_ms: after.environment - before.environment,
        invocations: invocations
            .iter()
            .map(|r| InvocationTiming {
                function: r.function.clone(),
                offset_ms: r.started_at_ms as f64 - created_ms,
                duration_ms: us_to_ms(r.duration_us),
                init_ms: r.init_duration_us.map(us_to_ms),
                ok: r.ok,
            })
            .collect(),
    }
}

/// `stackflow-local run --json` of the example; its report.
async fn run_job(plan: &Plan<'_>) -> Result<RunReport, String> {
    let artifact = format!("SourceArtifact={}", plan.artifact.display());
    let out = command(plan)
        .args(["run", "--json", "--timeout", "600", "--artifact"])
        .arg(artifact)
        .arg("--user-parameters")
        .arg(plan.user_parameters)
        .output()
        .await
        .map_err(|err| format!("running {}: {err}", plan.cli.display()))?;
    serde_json::from_slice(&out.stdout).map_err(|err| {
        format!(
            "stackflow-local run printed no report ({err}; exit {:?}):\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

async fn cli(plan: &Plan<'_>, args: &[&str]) -> Result<(), String> {
    let out = command(plan)
        .args(args)
        .output()
        .await
        .map_err(|err| format!("running {}: {err}", plan.cli.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "stackflow-local {} failed ({}):\n{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn command(plan: &Plan<'_>) -> Command {
    let mut command = Command::new(plan.cli);
    command
        .env("STACKFLOW_HOME", plan.home)
        .env("STACKFLOW_FUNCTIONS_DIR", plan.functions_dir)
        .stdin(std::process::Stdio::null());
    command
}

async fn records(
    http: &reqwest::Client,
    env: &EnvironmentState,
) -> Result<Vec<InvocationRecord>, String> {
    let url = format!("{}/stackflow/invocations", env.lambda_url());
    let response = http
        .get(url)
        .send()
        .await
        .map_err(|err| format!("reading the invocation records: {err}"))?;
    response
        .json()
        .await
        .map_err(|err| format!("reading the invocation records: {err}"))
}

/// The records once no new one has come for half a second: the last step's record is written
/// when it returns, just after it reported the job's result.
async fn settled_records(
    http: &reqwest::Client,
    env: &EnvironmentState,
) -> Result<Vec<InvocationRecord>, String> {
    let mut last = records(http, env).await?;
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = records(http, env).await?;
        if now.len() == last.len() {
            return Ok(now);
        }
        last = now;
    }
    Ok(last)
}

/// The first job's creation and the last job's close (a continuation chain counts as one job).
async fn job_window(jobs: &JobServiceClient, final_id: &str) -> Option<(u64, u64)> {
    let last: JobRecord = jobs.get_job(final_id).await.ok()?;
    let closed = last.closed_at?;
    let mut first = last;
    while let Some(previous) = first.previous_job_id.clone() {
        first = jobs.get_job(&previous).await.ok()?;
    }
    Some((first.created_at, closed))
}

/// The Wait states of the execution, entered to exited; none when its history cannot be read.
async fn wait_spans(sfn: &aws_sdk_sfn::Client, arn: &str) -> Vec<Span> {
    let events = execution_history(sfn, arn).await.unwrap_or_default();
    let mut spans = Vec::new();
    let mut entered = None;
    for event in &events {
        let at = event.timestamp().secs() * 1_000_000
            + i64::from(event.timestamp().subsec_nanos() / 1000);
        match event.r#type() {
            HistoryEventType::WaitStateEntered => entered = Some(at),
            HistoryEventType::WaitStateExited => {
                if let Some(start) = entered.take() {
                    spans.push(Span::new(start, at));
                }
            }
            _ => {}
        }
    }
    spans
}

/// CPU time so far, in ms: the function processes, moto, and the environment process itself
/// (the local Lambda and CodePipeline services).
#[derive(Debug, Clone, Copy, Default)]
struct Cpu {
    functions: f64,
    moto: f64,
    environment: f64,
}

fn cpu(env: &EnvironmentState, records: &[InvocationRecord], plan: &Plan<'_>, ticks: u64) -> Cpu {
    let function_pids: BTreeSet<u32> = records.iter().filter_map(|r| r.pid).collect();
    let binaries: BTreeSet<&str> = plan.functions.iter().map(|f| f.binary).collect();
    let moto: f64 = procfs::children(env.pid)
        .into_iter()
        .filter(|pid| !function_pids.contains(pid))
        .filter(|pid| procfs::exe_name(*pid).is_none_or(|exe| !binaries.contains(exe.as_str())))
        .filter_map(|pid| procfs::cpu_ms(pid, ticks))
        .sum();
    Cpu {
        functions: function_pids
            .iter()
            .filter_map(|pid| procfs::cpu_ms(*pid, ticks))
            .sum(),
        moto,
        environment: procfs::cpu_ms(env.pid, ticks).unwrap_or(0.0),
    }
}

fn per_function(
    functions: &[FunctionDef],
    records: &[InvocationRecord],
    ticks: u64,
) -> Vec<FunctionInDeployment> {
    let mut by_function: BTreeMap<&str, Vec<&InvocationRecord>> = BTreeMap::new();
    for record in records {
        by_function
            .entry(record.function.as_str())
            .or_default()
            .push(record);
    }
    functions
        .iter()
        .map(|def| {
            let mine = by_function
                .get(def.function_name)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let first = mine.first();
            let warm: Vec<f64> = mine
                .iter()
                .skip(1)
                .filter(|r| r.init_duration_us.is_none())
                .map(|r| us_to_ms(r.duration_us))
                .collect();
            let pid = mine.iter().rev().find_map(|r| r.pid);
            FunctionInDeployment {
                function: def.binary.to_string(),
                invocations: mine.len(),
                first_init_ms: first.and_then(|r| r.init_duration_us).map(us_to_ms),
                first_ms: first.map(|r| {
                    us_to_ms(
                        r.duration_us
                            .saturating_sub(r.init_duration_us.unwrap_or(0)),
                    )
                }),
                warm_ms: summarize(&warm),
                peak_rss_mib: pid.and_then(procfs::peak_rss_kib).map(kib_to_mib),
                cpu_ms: pid.and_then(|pid| procfs::cpu_ms(pid, ticks)),
            }
        })
        .collect()
}

/// The example artifact and its UserParameters, from the project.
pub fn example(root: &Path) -> Result<(PathBuf, String), String> {
    let artifact = root.join("examples").join("queue-and-bucket");
    let parameters_path = root
        .join("examples")
        .join("queue-and-bucket.user-parameters.json");
    let parameters = std::fs::read_to_string(&parameters_path)
        .map_err(|err| format!("reading {}: {err}", parameters_path.display()))?;
    Ok((artifact, parameters))
}
