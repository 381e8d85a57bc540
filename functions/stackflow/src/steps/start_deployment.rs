//! start-deployment: turn a CodePipeline job into a Step Functions execution.
//!
//! CodePipeline invokes the function asynchronously, and Lambda may deliver the same event more
//! than once. The execution name is derived from the job id, so a second delivery can never start
//! a second deployment: Step Functions refuses or deduplicates the name. A job that a hand-over
//! passed on (its event carries the hand-over token, CodePipeline's `continuationToken`) never
//! starts an execution: `crate::codepipeline::hand_over::resume` hands it to the execution that
//! waits for it.

use std::time::{Duration, SystemTime};

use aws_sdk_codepipeline::types::FailureType;
use aws_sdk_sfn::operation::start_execution::StartExecutionError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::DateTime;

use crate::aws::error::classify_sdk_error;
use crate::codepipeline::hand_over::resume::resume_execution;
use crate::codepipeline::job_event::JobRequest;
use crate::codepipeline::job_result::report_not_started;
use crate::contract::{StartOutcome, StartOutput};
use crate::error::Error;

/// The most bytes of UTF-8 an execution input may be: its share of the 256 KiB that Step
/// Functions allows an execution's state, which grows from it (statemachine/README.md adds the
/// shares up). UserParameters (at most 1,000 characters in CodePipeline) and a few artifact
/// locations take far less.
pub const MAX_EXECUTION_INPUT_BYTES: usize = 32 * 1024;
/// Step Functions' limit on an execution name.
const MAX_EXECUTION_NAME_CHARS: usize = 80;
/// An execution that started this long before our request is an earlier delivery's.
const CLOCK_TOLERANCE: Duration = Duration::from_secs(5);

/// The execution name for a job: its id when that is already a valid name (CodePipeline job ids
/// are UUIDs), otherwise a sanitised prefix plus a hash of the id, so distinct ids keep distinct
/// names and the same id always gets the same one.
pub fn execution_name(job_id: &str) -> String {
    let valid = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let length = job_id.chars().count();
    if (1..=MAX_EXECUTION_NAME_CHARS).contains(&length) && job_id.chars().all(valid) {
        return job_id.to_string();
    }
    let hash = format!("{:016x}", fnv1a(job_id.as_bytes()));
    let prefix: String = job_id
        .chars()
        .map(|c| if valid(c) { c } else { '-' })
        .take(MAX_EXECUTION_NAME_CHARS - hash.len() - 1)
        .collect();
    format!("{prefix}-{hash}")
}

/// FNV-1a, 64 bits: stable across releases, unlike std's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The ARN an execution of a (non-versioned) state machine gets, to name it in logs and output
/// when Step Functions refused a repeated start.
fn execution_arn(state_machine_arn: &str, name: &str) -> Option<String> {
    let (prefix, machine) = state_machine_arn.split_once(":stateMachine:")?;
    (!machine.contains(':')).then(|| format!("{prefix}:execution:{machine}:{name}"))
}

/// What start-deployment is configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryConfig {
    /// The state machine executions are started of.
    pub state_machine_arn: String,
    /// Seconds a job is answered before the deployment hands it over to the next job
    /// (`JOB_HANDOVER_SECONDS`).
    pub hand_over_seconds: u32,
}

/// Start the job's execution (or, for a job a hand-over passed on, hand the job to the execution that
/// waits for it), or report the job failed when that is impossible.
///
/// Returns `Err` only when the failure could not be reported for a passing reason (or for a
/// reason nobody can fix from here), so Lambda's async retry tries the whole thing again; the
/// execution name makes that safe.
pub async fn start(
    sfn: &aws_sdk_sfn::Client,
    codepipeline: &aws_sdk_codepipeline::Client,
    config: &EntryConfig,
    job: &JobRequest,
) -> Result<StartOutput, Error> {
    if let Some(token) = &job.continuation_token {
        return resume_execution(
            sfn,
            codepipeline,
            job,
            token,
            config.hand_over_seconds,
            crate::clock::now_unix(),
        )
        .await;
    }
    start_requested_at(sfn, codepipeline, config, job, SystemTime::now()).await
}

async fn start_requested_at(
    sfn: &aws_sdk_sfn::Client,
    codepipeline: &aws_sdk_codepipeline::Client,
    config: &EntryConfig,
    job: &JobRequest,
    requested_at: SystemTime,
) -> Result<StartOutput, Error> {
    let state_machine_arn = config.state_machine_arn.as_str();
    let name = execution_name(&job.job_id);
    let hand_over_at =
        crate::clock::unix_seconds(requested_at) + i64::from(config.hand_over_seconds);
    let input = serde_json::to_string(&job.execution_input(hand_over_at))
        .map_err(|err| Error::InvalidEvent(format!("job {}: {err}", job.job_id)))?;
    if input.len() > MAX_EXECUTION_INPUT_BYTES {
        let reason = format!(
            "The deployment could not start: its execution input is {} bytes, more than the {} \
             a deployment's Step Functions state leaves it. Shorten the action's UserParameters \
             ({} bytes).",
            input.len(),
            MAX_EXECUTION_INPUT_BYTES,
            job.user_parameters.len()
        );
        return report_not_started(codepipeline, job, FailureType::ConfigurationError, &reason)
            .await;
    }

    let result = sfn
        .start_execution()
        .state_machine_arn(state_machine_arn)
        .name(&name)
        .input(input)
        .send()
        .await;
    match result {
        Ok(started) => {
            let outcome = if is_earlier_execution(started.start_date(), requested_at) {
                StartOutcome::AlreadyStarted
            } else {
                StartOutcome::Started
            };
            tracing::info!(
                job_id = %job.job_id,
                execution_arn = %started.execution_arn(),
                outcome = ?outcome,
                "execution started"
            );
            let arn = Some(started.execution_arn().to_string());
            Ok(StartOutput::new(&job.job_id, arn, outcome))
        }
        Err(err) if is_already_exists(&err) => {
            let arn = execution_arn(state_machine_arn, &name);
            tracing::info!(
                job_id = %job.job_id,
                execution_name = %name,
                outcome = ?StartOutcome::AlreadyStarted,
                "the job's execution already exists; this is a repeated delivery"
            );
            Ok(StartOutput::new(
                &job.job_id,
                arn,
                StartOutcome::AlreadyStarted,
            ))
        }
        Err(err) => {
            let context = format!("StartExecution of {state_machine_arn}");
            let cause = classify_sdk_error(&context, &err).message();
            let failure_type = if is_input_rejected(&err) {
                FailureType::ConfigurationError
            } else {
                FailureType::JobFailed
            };
            let reason = format!("The deployment could not start: {cause}");
            report_not_started(codepipeline, job, failure_type, &reason).await
        }
    }
}

/// Step Functions answers a repeated start with the same input by returning the running
/// execution; its start date then predates our request.
fn is_earlier_execution(start_date: &DateTime, requested_at: SystemTime) -> bool {
    let threshold = requested_at
        .checked_sub(CLOCK_TOLERANCE)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    *start_date < DateTime::from(threshold)
}

fn is_already_exists(err: &SdkError<StartExecutionError, HttpResponse>) -> bool {
    err.as_service_error()
        .is_some_and(StartExecutionError::is_execution_already_exists)
}

/// The job's own input was refused (too large, not valid): a configuration problem of the job.
fn is_input_rejected(err: &SdkError<StartExecutionError, HttpResponse>) -> bool {
    err.as_service_error()
        .is_some_and(StartExecutionError::is_invalid_execution_input)
}

#[cfg(test)]
#[path = "start_deployment_tests.rs"]
mod tests;
