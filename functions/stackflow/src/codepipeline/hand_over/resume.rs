//! start-deployment for the next job of a hand-over: CodePipeline invokes the entry function
//! again after the deployment replied "in progress". No execution is started: the waiting
//! execution is resumed (SendTaskSuccess on the task token in the hand-over token) with the new
//! job, which it answers from then on.

use aws_sdk_codepipeline::types::FailureType;
use aws_sdk_sfn::operation::send_task_success::SendTaskSuccessError;
use aws_sdk_sfn::types::ExecutionStatus;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;

use crate::aws::error::{classify_sdk_error, code_and_message};
use crate::codepipeline::hand_over::token::HandOverToken;
use crate::codepipeline::job_event::JobRequest;
use crate::codepipeline::job_result::report_not_started;
use crate::contract::{CurrentJob, StartOutcome, StartOutput};
use crate::error::Error;

/// Hand the next job `job` (whose event carried the hand-over `token`) to the execution waiting
/// for it; it answers the job until `now_unix + hand_over_seconds`.
pub async fn resume_execution(
    sfn: &aws_sdk_sfn::Client,
    codepipeline: &aws_sdk_codepipeline::Client,
    job: &JobRequest,
    token: &str,
    hand_over_seconds: u32,
    now_unix: i64,
) -> Result<StartOutput, Error> {
    let token = HandOverToken::decode(token);
    let current_job = CurrentJob {
        job_id: job.job_id.clone(),
        hand_over_at: now_unix + i64::from(hand_over_seconds),
    };
    let output = serde_json::to_string(&current_job)
        .map_err(|err| Error::InvalidEvent(format!("job {}: {err}", job.job_id)))?;
    let result = sfn
        .send_task_success()
        .task_token(&token.task_token)
        .output(output)
        .send()
        .await;
    let outcome = |outcome| StartOutput::new(&job.job_id, token.execution_arn.clone(), outcome);
    let err = match result {
        Ok(_) => {
            tracing::info!(job_id = %job.job_id, execution_arn = ?token.execution_arn, outcome = ?StartOutcome::Continued, "the deployment continues with this job");
            return Ok(outcome(StartOutcome::Continued));
        }
        Err(err) => err,
    };
    if is_task_gone(&err) {
        if still_running(sfn, token.execution_arn.as_deref()).await {
            // The task is gone but the execution runs on: it took this very job before, from
            // an earlier delivery of the same event.
            tracing::info!(job_id = %job.job_id, execution_arn = ?token.execution_arn, outcome = ?StartOutcome::AlreadyContinued, "the execution already continues with this job; this is a repeated delivery");
            return Ok(outcome(StartOutcome::AlreadyContinued));
        }
        let (code, message) = code_and_message(&err);
        let execution = token
            .execution_arn
            .as_deref()
            .map(|arn| format!(" (execution {arn})"))
            .unwrap_or_default();
        let reason = format!(
            "This job continues a deployment that no longer waits for it{execution}: {}: {}. \
             The deployment's execution has ended (stopped, timed out waiting for this job, or \
             failed); its history in Step Functions says how. Run the pipeline again to deploy.",
            code.as_deref().unwrap_or("TaskGone"),
            message
                .as_deref()
                .unwrap_or("the task token is no longer valid")
        );
        return report_not_started(codepipeline, job, FailureType::JobFailed, &reason)
            .await
            .map(|mut output| {
                output.execution_arn = token.execution_arn.clone();
                output
            });
    }
    let error = classify_sdk_error("SendTaskSuccess to the waiting deployment", &err);
    let failure_type = match &error {
        // Lambda's async retry tries the event again.
        Error::Transient(_) => return Err(error),
        Error::AccessDenied(_) => FailureType::PermissionError,
        _ => FailureType::JobFailed,
    };
    let reason = format!(
        "The deployment could not be continued with this job: {}",
        error.message()
    );
    report_not_started(codepipeline, job, failure_type, &reason).await
}

/// SendTaskSuccess refused the token because the task no longer waits.
fn is_task_gone(err: &SdkError<SendTaskSuccessError, HttpResponse>) -> bool {
    err.as_service_error().is_some_and(|err| {
        err.is_task_timed_out() || err.is_task_does_not_exist() || err.is_invalid_token()
    })
}

/// Whether the execution is known and still running; any doubt is "no".
async fn still_running(sfn: &aws_sdk_sfn::Client, execution_arn: Option<&str>) -> bool {
    let Some(arn) = execution_arn else {
        return false;
    };
    match sfn.describe_execution().execution_arn(arn).send().await {
        Ok(described) => described.status() == &ExecutionStatus::Running,
        Err(err) => {
            tracing::warn!(execution_arn = arn, error = %classify_sdk_error("DescribeExecution", &err), "could not tell whether the execution still runs");
            false
        }
    }
}

#[cfg(test)]
#[path = "resume_tests.rs"]
mod tests;
