#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::codepipeline::job_event::tests::fixture_job;
use crate::codepipeline::job_result::tests::error_response;
use crate::contract::StartOutcome;
use aws_sdk_codepipeline::operation::put_job_failure_result::PutJobFailureResultOutput;
use aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput;
use aws_sdk_sfn::operation::send_task_success::SendTaskSuccessOutput;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::DateTime;

const EXECUTION: &str =
    "arn:aws:states:us-east-1:111111111111:execution:stackflow:00000000-abcd-0000-abcd-000000abcdef";
const TASK_TOKEN: &str = "AQCEAAAAKgAAAAMAAAAAAAAAAeMHr6sb";
const NOW: i64 = 1_700_000_000;

fn token() -> String {
    HandOverToken {
        task_token: TASK_TOKEN.into(),
        execution_arn: Some(EXECUTION.into()),
    }
    .encode()
}

fn sfn(rules: &[&Rule]) -> aws_sdk_sfn::Client {
    mock_client!(aws_sdk_sfn, RuleMode::MatchAny, rules, |c| c
        .retry_config(RetryConfig::disabled()))
}

fn codepipeline(rules: &[&Rule]) -> aws_sdk_codepipeline::Client {
    mock_client!(aws_sdk_codepipeline, RuleMode::MatchAny, rules, |c| c
        .retry_config(RetryConfig::disabled()))
}

/// resume_execution of the fixture job with `token`, answering for 900 seconds from NOW, with
/// Step Functions and CodePipeline answering from their rules.
async fn resume(
    sfn_rules: &[&Rule],
    report_rules: &[&Rule],
    token: &str,
) -> Result<StartOutput, Error> {
    resume_execution(
        &sfn(sfn_rules),
        &codepipeline(report_rules),
        &fixture_job(),
        token,
        900,
        NOW,
    )
    .await
}

fn task_refused(code: &'static str) -> Rule {
    mock!(aws_sdk_sfn::Client::send_task_success).then_http_response(move || {
        error_response(400, code, "Provided task does not exist anymore")
    })
}

fn execution_is(status: ExecutionStatus) -> Rule {
    mock!(aws_sdk_sfn::Client::describe_execution).then_output(move || {
        DescribeExecutionOutput::builder()
            .execution_arn(EXECUTION)
            .state_machine_arn("arn:aws:states:us-east-1:111111111111:stateMachine:stackflow")
            .status(status.clone())
            .start_date(DateTime::from_secs(NOW - 600))
            .build()
            .unwrap()
    })
}

fn failure_reported() -> Rule {
    mock!(aws_sdk_codepipeline::Client::put_job_failure_result)
        .then_output(|| PutJobFailureResultOutput::builder().build())
}

#[tokio::test]
async fn the_waiting_execution_gets_the_new_job_and_its_hand_over_time() {
    let job = fixture_job();
    let expected = format!(r#"{{"jobId":"{}","handOverAt":{}}}"#, job.job_id, NOW + 900);
    let send = mock!(aws_sdk_sfn::Client::send_task_success)
        .match_requests(move |req| {
            req.task_token() == Some(TASK_TOKEN) && req.output() == Some(expected.as_str())
        })
        .then_output(|| SendTaskSuccessOutput::builder().build());
    let start = mock!(aws_sdk_sfn::Client::start_execution).then_error(|| {
        aws_sdk_sfn::operation::start_execution::StartExecutionError::generic(
            aws_smithy_types::error::ErrorMetadata::default(),
        )
    });
    let report = failure_reported();
    let output = resume_execution(
        &sfn(&[&send, &start]),
        &codepipeline(&[&report]),
        &job,
        &token(),
        900,
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(output.outcome, StartOutcome::Continued);
    assert_eq!(output.execution_arn.as_deref(), Some(EXECUTION));
    assert_eq!((send.num_calls(), start.num_calls()), (1, 0));
    assert_eq!(report.num_calls(), 0);
}

#[tokio::test]
async fn a_bare_task_token_is_sent_as_it_is() {
    let send = mock!(aws_sdk_sfn::Client::send_task_success)
        .match_requests(|req| req.task_token() == Some("bare-token"))
        .then_output(|| SendTaskSuccessOutput::builder().build());
    let output = resume(&[&send], &[], "bare-token").await.unwrap();
    assert_eq!(output.outcome, StartOutcome::Continued);
    assert_eq!(output.execution_arn, None);
}

#[tokio::test]
async fn a_task_nobody_waits_for_fails_the_job_with_a_clear_message() {
    for code in ["TaskTimedOut", "TaskDoesNotExist", "InvalidToken"] {
        let send = task_refused(code);
        let described = execution_is(ExecutionStatus::Failed);
        let report = mock!(aws_sdk_codepipeline::Client::put_job_failure_result)
            .match_requests(move |req| {
                let details = req.failure_details().unwrap();
                details.r#type() == &FailureType::JobFailed
                    && details.message().contains("no longer waits for it")
                    && details.message().contains(EXECUTION)
                    && details.message().contains(code)
            })
            .then_output(|| PutJobFailureResultOutput::builder().build());
        let output = resume(&[&send, &described], &[&report], &token())
            .await
            .unwrap();
        assert_eq!(output.outcome, StartOutcome::ReportedFailure, "{code}");
        assert_eq!(report.num_calls(), 1, "{code}");
    }
}

#[tokio::test]
async fn a_repeated_delivery_while_the_execution_runs_is_not_reported() {
    let send = task_refused("TaskTimedOut");
    let described = execution_is(ExecutionStatus::Running);
    let report = failure_reported();
    let output = resume(&[&send, &described], &[&report], &token())
        .await
        .unwrap();
    assert_eq!(output.outcome, StartOutcome::AlreadyContinued);
    assert_eq!(report.num_calls(), 0, "the job in use must not be failed");
}

#[tokio::test]
async fn without_the_execution_a_gone_task_is_reported() {
    let send = task_refused("TaskDoesNotExist");
    let report = failure_reported();
    let output = resume(&[&send], &[&report], "bare-token").await.unwrap();
    assert_eq!(output.outcome, StartOutcome::ReportedFailure);
    assert_eq!(report.num_calls(), 1);
}

#[tokio::test]
async fn throttling_is_an_error_for_lambda_to_retry_and_denial_a_permission_failure() {
    let send = mock!(aws_sdk_sfn::Client::send_task_success)
        .then_http_response(|| error_response(400, "ThrottlingException", "slow down"));
    let report = failure_reported();
    let err = resume(&[&send], &[&report], &token()).await.unwrap_err();
    assert_eq!(err.name(), "Transient");
    assert_eq!(report.num_calls(), 0);

    let send = mock!(aws_sdk_sfn::Client::send_task_success).then_http_response(|| {
        error_response(
            400,
            "AccessDeniedException",
            "not authorized to perform states:SendTaskSuccess",
        )
    });
    let report = mock!(aws_sdk_codepipeline::Client::put_job_failure_result)
        .match_requests(|req| {
            req.failure_details().map(|d| d.r#type()) == Some(&FailureType::PermissionError)
        })
        .then_output(|| PutJobFailureResultOutput::builder().build());
    let output = resume(&[&send], &[&report], &token()).await.unwrap();
    assert_eq!(output.outcome, StartOutcome::ReportedFailure);
    assert_eq!(report.num_calls(), 1);
}
