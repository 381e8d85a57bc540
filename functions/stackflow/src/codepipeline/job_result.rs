//! Telling CodePipeline how a job ended. report-result does it for every deployment;
//! start-deployment does it only when no execution could be started.

use aws_sdk_codepipeline::operation::put_job_failure_result::PutJobFailureResultError;
use aws_sdk_codepipeline::types::{FailureDetails, FailureType};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::aws::error::{classify_sdk_error, code_and_message};
use crate::codepipeline::job_event::JobRequest;
use crate::contract::{StartOutcome, StartOutput};
use crate::error::Error;
use crate::truncate::truncate_chars;

/// CodePipeline's limit on `failureDetails.message`; an error's own message is cut to the same
/// (`crate::error::ERROR_MESSAGE_MAX_CHARS`).
pub const FAILURE_MESSAGE_MAX_CHARS: usize = crate::error::ERROR_MESSAGE_MAX_CHARS;
/// CodePipeline's limit on `executionDetails.summary`.
pub const SUMMARY_MAX_CHARS: usize = 2_048;

/// How a PutJob*Result call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportFailure {
    /// CodePipeline had already closed the job (it timed out, was reported, or the pipeline
    /// moved on): nothing will ever accept a result for it, so retrying is pointless.
    Closed(String),
    /// Anything else; `Transient` when throttled or on a 5xx, so the caller retries.
    Failed(Error),
}

/// Sort a PutJob*Result error into closed-job, passing fault or other.
pub fn report_failure<E>(context: &str, err: &SdkError<E, HttpResponse>) -> ReportFailure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (code, message) = code_and_message(err);
    if let Some(code @ ("InvalidJobStateException" | "JobNotFoundException")) = code.as_deref() {
        let message = message.unwrap_or_default();
        return ReportFailure::Closed(format!("{context}: {code}: {message}"));
    }
    ReportFailure::Failed(classify_sdk_error(context, err))
}

/// PutJobFailureResult with a message cut to CodePipeline's limit.
pub async fn put_job_failure(
    codepipeline: &aws_sdk_codepipeline::Client,
    job_id: &str,
    failure_type: FailureType,
    message: &str,
    external_execution_id: Option<&str>,
) -> Result<(), SdkError<PutJobFailureResultError, HttpResponse>> {
    let message = if message.trim().is_empty() {
        "the deployment failed without a message".to_string()
    } else {
        truncate_chars(message, FAILURE_MESSAGE_MAX_CHARS)
    };
    let details = FailureDetails::builder()
        .r#type(failure_type)
        .message(message)
        .set_external_execution_id(external_execution_id.map(str::to_string))
        .build()
        // Both required fields are set above; this cannot fail, but must not panic either.
        .map_err(SdkError::construction_failure)?;
    codepipeline
        .put_job_failure_result()
        .job_id(job_id)
        .failure_details(details)
        .send()
        .await
        .map(|_| ())
}

/// Report that start-deployment could not start (or resume) the job's deployment, and say so
/// in its output.
pub async fn report_not_started(
    codepipeline: &aws_sdk_codepipeline::Client,
    job: &JobRequest,
    failure_type: FailureType,
    reason: &str,
) -> Result<StartOutput, Error> {
    let message = truncate_chars(reason, FAILURE_MESSAGE_MAX_CHARS);
    tracing::warn!(
        job_id = %job.job_id,
        failure_type = %failure_type.as_str(),
        reason = %message,
        "no execution could be started; reporting the job failed"
    );
    match put_job_failure(codepipeline, &job.job_id, failure_type, &message, None).await {
        Ok(()) => {}
        Err(err) => {
            let context = format!("PutJobFailureResult for job {}", job.job_id);
            match report_failure(&context, &err) {
                ReportFailure::Closed(detail) => {
                    tracing::warn!(job_id = %job.job_id, %detail, "the job was already closed");
                }
                ReportFailure::Failed(error) => {
                    tracing::error!(
                        job_id = %job.job_id,
                        error = %error,
                        "could not report the job failed; Lambda will retry the event"
                    );
                    return Err(error);
                }
            }
        }
    }
    tracing::info!(job_id = %job.job_id, outcome = ?StartOutcome::ReportedFailure, "job reported failed");
    Ok(StartOutput::new(
        &job.job_id,
        None,
        StartOutcome::ReportedFailure,
    ))
}

#[cfg(test)]
#[path = "job_result_tests.rs"]
pub(crate) mod tests;
