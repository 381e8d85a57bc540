//! `stackflow-local run`: one pipeline job, start to end, with the execution's states shown live.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::artifact;
use crate::aws;
use crate::error::{LocalError, Result};
use crate::home::Home;
use crate::output_artifact::{self, OutputArtifactReport};
use crate::provision::aws_text;
use crate::state::EnvironmentState;
pub use crate::watch::ExecutionSummary;
use crate::watch::ExecutionWatcher;
use stackflow::template_document::TemplateDocument;
use stackflow_job_service::{JobRecord, JobServiceClient};
use stackflow_local_cloudformation::emulation;

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub artifacts: Vec<(String, PathBuf)>,
    pub user_parameters: String,
    /// How long to wait for the job to end before giving up.
    pub timeout: Duration,
    /// The job's output artifact, read back from S3 once the job ends (`--output-artifact`).
    pub output_artifact: Option<String>,
}

/// What `--json` prints; the tests and the benchmark read it back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    pub job: JobSummary,
    pub execution: Option<ExecutionSummary>,
    pub stack: Option<StackSummary>,
    /// What the job wrote to its output artifact; only when `run` was given one.
    #[serde(
        rename = "outputArtifact",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub output_artifact: Option<OutputArtifactReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSummary {
    /// The job the result was reported on (the newest of a continuation chain).
    pub id: String,
    pub status: JobOutcome,
    pub failure_type: Option<String>,
    pub message: Option<String>,
    pub output_variables: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StackSummary {
    pub name: String,
    pub status: Option<String>,
    pub outputs: BTreeMap<String, String>,
    /// The resource types and transforms of the stack's template that moto does not emulate,
    /// with how many of each (`stackflow_local_cloudformation::emulation`).
    #[serde(rename = "notEmulated", default)]
    pub not_emulated: BTreeMap<String, usize>,
}

/// How the job ended (the report's `job.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobOutcome {
    Succeeded,
    Failed,
}

impl JobOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            JobOutcome::Succeeded => "Succeeded",
            JobOutcome::Failed => "Failed",
        }
    }
}

impl RunReport {
    pub fn succeeded(&self) -> bool {
        self.job.status == JobOutcome::Succeeded
    }
}

/// The report as JSON, as `--json` prints it (`{:#}`: pretty).
impl std::fmt::Display for RunReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let json = if f.alternate() {
            serde_json::to_string_pretty(self)
        } else {
            serde_json::to_string(self)
        };
        f.write_str(&json.map_err(|_| std::fmt::Error)?)
    }
}

/// Create the job and follow it to its end, writing the states as they pass to `live`.
pub async fn run(
    home: &Home,
    env: &EnvironmentState,
    options: &RunOptions,
    live: &mut dyn Write,
) -> Result<RunReport> {
    let mut artifacts = Vec::new();
    for (name, path) in &options.artifacts {
        artifacts.push((
            name.clone(),
            artifact::prepare(name, path, &home.artifacts())?,
        ));
    }
    let jobs = JobServiceClient::new(env.jobs_url());
    let mut request = JobServiceClient::job_request(&options.user_parameters, &artifacts);
    request.output_artifacts = options.output_artifact.iter().cloned().collect();
    let job_id = jobs
        .create(&request)
        .await
        .map_err(|err| LocalError::Environment(format!("creating the job: {err}")))?;
    let _ = writeln!(live, "job {job_id} created; following its execution");

    let sdk = aws::moto_sdk_config(&env.moto_url()).await;
    let sfn = aws_sdk_sfn::Client::new(&sdk);
    let mut watcher = ExecutionWatcher::new(sfn, &env.state_machine_arn, &job_id);

    let started = Instant::now();
    let mut closed_at: Option<Instant> = None;
    let final_job: JobRecord = loop {
        watcher.poll(live).await;
        let newest = jobs
            .newest_in_chain(&job_id)
            .await
            .map_err(|err| LocalError::Environment(format!("reading job {job_id}: {err}")))?;
        if newest.is_final() {
            let since = *closed_at.get_or_insert_with(Instant::now);
            // Let the execution reach its end state after the report, or notice it never started.
            if watcher.finished() || since.elapsed() > Duration::from_secs(5) {
                watcher.poll(live).await;
                break newest;
            }
        }
        if started.elapsed() > options.timeout {
            return Err(LocalError::Environment(format!(
                "job {job_id} did not end within {} s",
                options.timeout.as_secs()
            )));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };

    let cfn_sdk = aws::moto_sdk_config(&env.stacks_url()).await;
    let stack = match stack_name(&options.user_parameters) {
        Some(name) => Some(describe_stack(&cfn_sdk, &name).await),
        None => None,
    };
    let output_artifact = match final_job.output_artifacts.first() {
        Some(artifact) => Some(read_output_artifact(&sdk, artifact).await?),
        None => None,
    };
    Ok(RunReport {
        job: JobSummary {
            id: final_job.id.clone(),
            status: if final_job.succeeded() {
                JobOutcome::Succeeded
            } else {
                JobOutcome::Failed
            },
            failure_type: final_job.failure_type(),
            message: final_job.message(),
            output_variables: final_job.output_variables.clone().unwrap_or_default(),
        },
        execution: watcher.summary(),
        stack,
        output_artifact,
    })
}

/// What the job left at its output artifact's location in moto's S3.
async fn read_output_artifact(
    sdk: &aws_config::SdkConfig,
    artifact: &stackflow_job_service::ArtifactRecord,
) -> Result<OutputArtifactReport> {
    let zip = output_artifact::read(&aws::moto_s3(sdk), artifact).await?;
    OutputArtifactReport::from_zip(artifact, zip.as_deref())
}

/// The `stack` of the UserParameters, when they are JSON that has one.
fn stack_name(user_parameters: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(user_parameters).ok()?;
    value.get("stack")?.as_str().map(str::to_string)
}

async fn describe_stack(sdk: &aws_config::SdkConfig, name: &str) -> StackSummary {
    let cfn = aws_sdk_cloudformation::Client::new(sdk);
    let mut summary = StackSummary {
        name: name.to_string(),
        status: None,
        outputs: BTreeMap::new(),
        not_emulated: BTreeMap::new(),
    };
    match cfn.describe_stacks().stack_name(name).send().await {
        Ok(out) => {
            if let Some(stack) = out.stacks().first() {
                summary.status = stack.stack_status().map(|s| s.as_str().to_string());
                for output in stack.outputs() {
                    if let (Some(k), Some(v)) = (output.output_key(), output.output_value()) {
                        summary.outputs.insert(k.to_string(), v.to_string());
                    }
                }
            }
        }
        Err(err) => tracing::debug!("stack {name} not described: {}", aws_text(&err)),
    }
    match cfn.get_template().stack_name(name).send().await {
        Ok(out) => {
            let document = out.template_body().map(TemplateDocument::parse);
            if let Some(Ok(document)) = document {
                summary.not_emulated = emulation::not_emulated(&document);
            }
        }
        Err(err) => tracing::debug!("stack {name}'s template not read: {}", aws_text(&err)),
    }
    summary
}

/// The human-readable end of a run.
pub fn print_result(report: &RunReport, out: &mut dyn Write) {
    let job = &report.job;
    let _ = writeln!(out);
    match &job.failure_type {
        None => {
            let _ = writeln!(out, "job {}: {}", job.id, job.status.as_str());
        }
        Some(kind) => {
            let _ = writeln!(out, "job {}: {} ({kind})", job.id, job.status.as_str());
        }
    }
    if let Some(message) = &job.message {
        let _ = writeln!(out, "  {message}");
    }
    // A success's message already names the stack; after a failure, say where the stack stands.
    if let (Some(stack), Some(_)) = (&report.stack, &job.failure_type) {
        let status = stack.status.as_deref().unwrap_or("does not exist");
        let _ = writeln!(out, "  stack {} is now: {status}", stack.name);
    }
    if !job.output_variables.is_empty() {
        let _ = writeln!(out, "  output variables:");
        for (key, value) in &job.output_variables {
            let _ = writeln!(out, "    {key} = {value}");
        }
    }
    if let Some(artifact) = &report.output_artifact {
        artifact.print(out);
    }
    // A local success proves nothing for what moto skipped: say so after the result.
    if let Some(stack) = report.stack.as_ref().filter(|s| !s.not_emulated.is_empty()) {
        let _ = writeln!(
            out,
            "  not emulated locally: {} (moto created nothing for these; AWS will)",
            emulation::describe(&stack.not_emulated)
        );
    }
}

#[cfg(test)]
#[path = "run_tests.rs"]
mod tests;
