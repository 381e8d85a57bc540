//! report-result's hand-over: before CodePipeline's reply timeout runs out on the current job,
//! reply "in progress" (PutJobSuccessResult with the hand-over token as its `continuationToken`,
//! no output variables). CodePipeline closes the job and invokes start-deployment with a new one,
//! which resumes the waiting state with the new job id.

use std::collections::BTreeMap;

use aws_sdk_codepipeline::types::ExecutionDetails;

use crate::codepipeline::hand_over::token::HandOverToken;
use crate::codepipeline::job_result::{report_failure, ReportFailure};
use crate::contract::{HandOver, ReportInput, ReportOutput, Reported};
use crate::error::Error;
use crate::summary::{in_progress_summary, percent_complete};

/// Reply "in progress" to `input.job_id`. A job CodePipeline no longer takes replies for (the
/// pipeline was stopped, or this run superseded) is `JobAbandoned`: the state machine ends the
/// execution on it.
pub async fn reply_in_progress(
    codepipeline: &aws_sdk_codepipeline::Client,
    input: &ReportInput,
    hand_over: &HandOver,
) -> Result<ReportOutput, Error> {
    let token = HandOverToken {
        task_token: hand_over.task_token.clone(),
        execution_arn: input.execution_arn.clone(),
    }
    .encode();
    let summary = in_progress_summary(hand_over.stack.as_ref());
    let details = ExecutionDetails::builder()
        .summary(&summary)
        .set_external_execution_id(input.execution_arn.clone())
        .set_percent_complete(
            hand_over
                .stack
                .as_ref()
                .and_then(|stack| percent_complete(&stack.tally)),
        )
        .build();
    let result = codepipeline
        .put_job_success_result()
        .job_id(&input.job_id)
        .continuation_token(token)
        .execution_details(details)
        .send()
        .await;
    match result {
        Ok(_) => {
            tracing::info!(job_id = %input.job_id, %summary, reported = ?Reported::HandedOver, "job handed over to a continuation job");
            Ok(ReportOutput {
                job_id: input.job_id.clone(),
                reported: Reported::HandedOver,
                message: summary,
                failure_type: None,
                output_variables: BTreeMap::new(),
            })
        }
        Err(err) => {
            let context = format!("PutJobSuccessResult (in progress) for job {}", input.job_id);
            match report_failure(&context, &err) {
                ReportFailure::Closed(detail) => {
                    tracing::warn!(job_id = %input.job_id, %detail, "the pipeline abandoned the job; the deployment ends without a report");
                    Err(Error::JobAbandoned(format!(
                        "CodePipeline no longer takes a reply for job {} ({detail}): the pipeline was \
                         stopped or this run superseded. The deployment ends here without a report; \
                         the stack operation itself goes on.",
                        input.job_id
                    )))
                }
                ReportFailure::Failed(error) => Err(error),
            }
        }
    }
}

#[cfg(test)]
#[path = "reply_tests.rs"]
mod tests;
