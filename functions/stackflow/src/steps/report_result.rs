//! report-result: the one place that tells CodePipeline how a deployment ended, after writing
//! the outputs into the job's output artifact when `outputFile` asks for it (`output_file`).

mod output_file;

use std::collections::{BTreeMap, HashMap};

use aws_sdk_codepipeline::types::{ExecutionDetails, FailureType};

use crate::codepipeline::hand_over::reply::reply_in_progress;
use crate::codepipeline::job_result::{
    put_job_failure, report_failure, ReportFailure, FAILURE_MESSAGE_MAX_CHARS,
};
use crate::contract::{Outcome, ReportInput, ReportOutput, Reported, StackProgress, StateError};
use crate::error::{Error, ErrorName};
use crate::summary::success_summary;
use crate::truncate::truncate_chars;

/// CodePipeline's limit on all output variables of one action together, in bytes (CodePipeline
/// user guide, "Quotas": "Variable quotas"). Counted here as the UTF-8 bytes of names and values.
pub const OUTPUT_VARIABLES_MAX_BYTES: usize = 122_880;

/// The clients report-result uses: CodePipeline for the report; S3 (the output artifact) and
/// CloudFormation (a change set's changes) for `outputFile`.
#[derive(Debug, Clone)]
pub struct ReportClients {
    pub codepipeline: aws_sdk_codepipeline::Client,
    pub s3: aws_sdk_s3::Client,
    pub cloudformation: aws_sdk_cloudformation::Client,
}

/// Report the deployment's outcome on its job.
pub async fn report(clients: &ReportClients, input: &ReportInput) -> Result<ReportOutput, Error> {
    let codepipeline = &clients.codepipeline;
    match &input.outcome {
        Outcome::Stack(progress) => {
            // The outputs are in place before the job says it succeeded: a later action may
            // read them as soon as it does. A write that fails fails the job (Report failure).
            if let Some(target) = input.params.as_ref().and_then(|p| p.output.as_ref()) {
                output_file::write_outputs(&clients.s3, &clients.cloudformation, target, progress)
                    .await?;
            }
            report_success(codepipeline, input, progress).await
        }
        Outcome::Error(error) => report_error(codepipeline, input, error).await,
        Outcome::HandOver(hand_over) => reply_in_progress(codepipeline, input, hand_over).await,
    }
}

async fn report_success(
    codepipeline: &aws_sdk_codepipeline::Client,
    input: &ReportInput,
    progress: &StackProgress,
) -> Result<ReportOutput, Error> {
    let summary = success_summary(progress);
    let variables = match &progress.change_set {
        Some(change_set) => change_set.output_variables(),
        None => output_variables(&input.job_id, &progress.outputs),
    };
    let details = ExecutionDetails::builder()
        .summary(&summary)
        .set_external_execution_id(input.execution_arn.clone())
        .percent_complete(100)
        .build();
    let send = |variables: &BTreeMap<String, String>| {
        codepipeline
            .put_job_success_result()
            .job_id(&input.job_id)
            .execution_details(details.clone())
            .set_output_variables((!variables.is_empty()).then(|| {
                variables
                    .iter()
                    .map(|(name, value)| (name.clone(), value.clone()))
                    .collect::<HashMap<_, _>>()
            }))
            .send()
    };

    let mut sent = variables;
    let mut result = send(&sent).await;
    if result
        .as_ref()
        .err()
        .and_then(|err| err.as_service_error())
        .is_some_and(|err| err.is_output_variables_size_exceeded_exception())
    {
        // Our byte count is an estimate of CodePipeline's; the deployment itself succeeded, so
        // report that without variables rather than fail it.
        tracing::warn!(
            job_id = %input.job_id,
            dropped = ?sent.keys().collect::<Vec<_>>(),
            "CodePipeline refused the output variables as too large; reporting without them"
        );
        sent.clear();
        result = send(&sent).await;
    }
    let output = |reported: Reported, variables: BTreeMap<String, String>| ReportOutput {
        job_id: input.job_id.clone(),
        reported,
        message: summary.clone(),
        failure_type: None,
        output_variables: variables,
    };
    match result {
        Ok(_) => {
            tracing::info!(job_id = %input.job_id, %summary, reported = ?Reported::Succeeded, "job reported");
            Ok(output(Reported::Succeeded, sent))
        }
        Err(err) => {
            let context = format!("PutJobSuccessResult for job {}", input.job_id);
            closed_or_error(&input.job_id, report_failure(&context, &err))
                .map(|()| output(Reported::AlreadyClosed, BTreeMap::new()))
        }
    }
}

async fn report_error(
    codepipeline: &aws_sdk_codepipeline::Client,
    input: &ReportInput,
    error: &StateError,
) -> Result<ReportOutput, Error> {
    let message = failure_message(error);
    let failure_type = failure_type(&error.error);
    let result = put_job_failure(
        codepipeline,
        &input.job_id,
        failure_type.clone(),
        &message,
        input.execution_arn.as_deref(),
    )
    .await;
    let output = |reported: Reported| ReportOutput {
        job_id: input.job_id.clone(),
        reported,
        message: message.clone(),
        failure_type: Some(failure_type.as_str().to_string()),
        output_variables: BTreeMap::new(),
    };
    match result {
        Ok(()) => {
            tracing::info!(
                job_id = %input.job_id,
                error = %error.error,
                failure_type = %failure_type.as_str(),
                reported = ?Reported::Failed,
                "job reported"
            );
            Ok(output(Reported::Failed))
        }
        Err(err) => {
            let context = format!("PutJobFailureResult for job {}", input.job_id);
            closed_or_error(&input.job_id, report_failure(&context, &err))
                .map(|()| output(Reported::AlreadyClosed))
        }
    }
}

/// A closed job is the end of the story (Ok); anything else goes back to the state machine,
/// whose Retry handles `Transient`.
fn closed_or_error(job_id: &str, failure: ReportFailure) -> Result<(), Error> {
    match failure {
        ReportFailure::Closed(detail) => {
            tracing::warn!(
                job_id,
                %detail,
                reported = ?Reported::AlreadyClosed,
                "CodePipeline had already closed the job; nothing was reported"
            );
            Ok(())
        }
        ReportFailure::Failed(error) => Err(error),
    }
}

/// The stack Outputs CodePipeline can take as output variables: names of `[A-Za-z0-9@\-_]+`,
/// all together within [`OUTPUT_VARIABLES_MAX_BYTES`]. What does not fit is dropped and logged.
pub fn output_variables(
    job_id: &str,
    outputs: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let valid_name = |name: &str| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '@' | '-' | '_'))
    };
    let mut kept = BTreeMap::new();
    let mut used = 0usize;
    for (name, value) in outputs {
        if !valid_name(name) {
            tracing::warn!(job_id, output = %name, "stack output name is not a valid CodePipeline variable name; dropped");
            continue;
        }
        let size = name.len() + value.len();
        if used + size > OUTPUT_VARIABLES_MAX_BYTES {
            tracing::warn!(job_id, output = %name, size, "stack output does not fit CodePipeline's output variable quota; dropped");
            continue;
        }
        used += size;
        kept.insert(name.clone(), value.clone());
    }
    kept
}

/// The failure type CodePipeline shows: the job's own configuration, a missing permission, or
/// the job failing (also for Step Functions' and Lambda's own errors).
pub fn failure_type(error_name: &str) -> FailureType {
    ErrorName::parse(error_name).map_or(FailureType::JobFailed, failure_type_of)
}

/// The failure type of each of our errors; no wildcard, so a new error is placed on purpose.
fn failure_type_of(name: ErrorName) -> FailureType {
    match name {
        ErrorName::InvalidEvent
        | ErrorName::InvalidParameters
        | ErrorName::ArtifactNotFound
        | ErrorName::ArtifactInvalid
        | ErrorName::TemplateInvalid
        | ErrorName::StackNotUpdatable => FailureType::ConfigurationError,
        ErrorName::AccessDenied => FailureType::PermissionError,
        ErrorName::StackFailed
        | ErrorName::StackTimedOut
        | ErrorName::Transient
        | ErrorName::AwsError
        | ErrorName::Misconfigured
        | ErrorName::JobAbandoned => FailureType::JobFailed,
    }
}

/// The text the pipeline shows: a Lambda error's `errorMessage`, any other Cause as it is, or,
/// with no Cause, what the Step Functions error name means.
pub fn failure_message(error: &StateError) -> String {
    let cause = error.cause.trim();
    let text = lambda_error_message(cause)
        .or_else(|| (!cause.is_empty()).then(|| cause.to_string()))
        .unwrap_or_else(|| describe_error_name(&error.error));
    let text = match lambda_runtime_failure(&error.error) {
        // Lambda's own words ("Task timed out after 30.00 seconds") do not say it was a
        // function of the deployment that died, nor that its retries did too.
        Some(what) => format!(
            "A Lambda function of the deployment {what} ({}): {text}",
            error.error
        ),
        None => text,
    };
    truncate_chars(&text, FAILURE_MESSAGE_MAX_CHARS)
}

/// What happened, for the errors Lambda raises when a function's process fails rather than
/// the function returning an error: they carry Lambda's words, not ours. The state machine
/// retries a crash and a timeout (statemachine/README.md), so these come after the retries.
fn lambda_runtime_failure(error_name: &str) -> Option<&'static str> {
    match error_name {
        "Runtime.ExitError" => Some("crashed on every attempt"),
        "Sandbox.Timedout" => Some("timed out on every attempt"),
        "Lambda.Unknown" => Some("failed on every attempt"),
        name if name.starts_with("Runtime.") || name.starts_with("Sandbox.") => Some("failed"),
        _ => None,
    }
}

/// Step Functions puts a failed Lambda's `{"errorType": ..., "errorMessage": ...}` in Cause.
fn lambda_error_message(cause: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(cause).ok()?;
    let message = value.get("errorMessage")?.as_str()?.trim();
    (!message.is_empty()).then(|| message.to_string())
}

fn describe_error_name(name: &str) -> String {
    match name {
        "States.Timeout" => "A step of the deployment timed out (States.Timeout).".to_string(),
        "States.HeartbeatTimeout" => {
            "A step of the deployment stopped responding (States.HeartbeatTimeout).".to_string()
        }
        "States.TaskFailed" => "A step of the deployment failed (States.TaskFailed).".to_string(),
        "States.Permissions" => {
            "Step Functions was not allowed to run a step of the deployment (States.Permissions)."
                .to_string()
        }
        "" => "The deployment failed for a reason Step Functions did not give.".to_string(),
        other => format!("The deployment failed with {other}."),
    }
}

#[cfg(test)]
#[path = "report_result_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "report_result_output_tests.rs"]
mod output_tests;
