#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::codepipeline::job_event::tests::{fixture_job, SECRETS};
use crate::codepipeline::job_result::tests::error_response;
use aws_sdk_codepipeline::operation::put_job_failure_result::{
    PutJobFailureResultError, PutJobFailureResultOutput,
};
use aws_sdk_sfn::operation::start_execution::StartExecutionOutput;
use aws_sdk_sfn::types::error::ExecutionAlreadyExists;
use aws_smithy_mocks::{mock, mock_client, Rule};
use aws_smithy_types::error::ErrorMetadata;
use aws_smithy_types::retry::RetryConfig;

const STATE_MACHINE: &str = "arn:aws:states:us-east-1:111111111111:stateMachine:stackflow";
const JOB_ID: &str = "11111111-abcd-1111-abcd-111111abcdef";
const EXECUTION: &str =
    "arn:aws:states:us-east-1:111111111111:execution:stackflow:11111111-abcd-1111-abcd-111111abcdef";

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn config() -> EntryConfig {
    EntryConfig {
        state_machine_arn: STATE_MACHINE.into(),
        hand_over_seconds: 900,
    }
}

fn started_at(seconds: i64) -> Rule {
    mock!(aws_sdk_sfn::Client::start_execution).then_output(move || {
        StartExecutionOutput::builder()
            .execution_arn(EXECUTION)
            .start_date(DateTime::from_secs(seconds))
            .build()
            .unwrap()
    })
}

fn start_fails(error: fn() -> StartExecutionError) -> Rule {
    mock!(aws_sdk_sfn::Client::start_execution).then_error(error)
}

/// StartExecution answered with an AWS error, parsed by the SDK as in production.
fn start_answers(code: &'static str, message: &'static str) -> Rule {
    mock!(aws_sdk_sfn::Client::start_execution)
        .then_http_response(move || error_response(400, code, message))
}

fn failure_reported() -> Rule {
    mock!(aws_sdk_codepipeline::Client::put_job_failure_result)
        .then_output(|| PutJobFailureResultOutput::builder().build())
}

fn sfn_client(rule: &Rule) -> aws_sdk_sfn::Client {
    mock_client!(aws_sdk_sfn, [rule])
}

fn codepipeline_client(rule: &Rule) -> aws_sdk_codepipeline::Client {
    // No SDK retries here: the tests look at what start() does once the SDK has given up.
    mock_client!(
        aws_sdk_codepipeline,
        aws_smithy_mocks::RuleMode::Sequential,
        [rule],
        |config| config.retry_config(RetryConfig::disabled())
    )
}

async fn run(start_rule: &Rule, report_rule: &Rule) -> Result<StartOutput, Error> {
    start_requested_at(
        &sfn_client(start_rule),
        &codepipeline_client(report_rule),
        &config(),
        &fixture_job(),
        now(),
    )
    .await
}

#[test]
fn the_execution_name_is_the_job_id_when_valid() {
    assert_eq!(execution_name(JOB_ID), JOB_ID);
}

#[test]
fn an_invalid_job_id_is_sanitised_deterministically_and_kept_distinct() {
    let name = execution_name("job id/with:odd*chars");
    assert!(name.starts_with("job-id-with-odd-chars-"), "{name}");
    assert!(name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    assert_eq!(name, execution_name("job id/with:odd*chars"));
    assert_ne!(name, execution_name("job-id-with-odd-chars"));
    assert_ne!(name, execution_name("job id/with:odd?chars"));
}

#[test]
fn a_long_job_id_is_cut_to_80_characters() {
    let long = "a".repeat(200);
    let name = execution_name(&long);
    assert_eq!(name.chars().count(), 80);
    assert_ne!(name, execution_name(&"a".repeat(201)));
}

#[tokio::test]
async fn a_new_job_starts_an_execution_named_after_it_with_a_clean_input() {
    let start_rule = mock!(aws_sdk_sfn::Client::start_execution)
        .match_requests(|req| {
            let input = req.input().unwrap_or_default();
            let current_job: serde_json::Value = serde_json::from_str(input)
                .map(|input: serde_json::Value| input["replyTo"].clone())
                .unwrap_or_default();
            req.state_machine_arn() == Some(STATE_MACHINE)
                && req.name() == Some(JOB_ID)
                && current_job == serde_json::json!({"jobId": JOB_ID, "handOverAt": 1_700_000_900})
                && input.contains("\"userParameters\"")
                && input.contains("SourceArtifact")
                && SECRETS.iter().all(|secret| !input.contains(secret))
        })
        .then_output(|| {
            StartExecutionOutput::builder()
                .execution_arn(EXECUTION)
                .start_date(DateTime::from_secs(1_700_000_000))
                .build()
                .unwrap()
        });
    let report_rule = failure_reported();
    let output = run(&start_rule, &report_rule).await.unwrap();
    assert_eq!(
        output,
        StartOutput {
            job_id: JOB_ID.into(),
            execution_arn: Some(EXECUTION.into()),
            outcome: StartOutcome::Started,
        }
    );
    assert_eq!(start_rule.num_calls(), 1);
    assert_eq!(report_rule.num_calls(), 0);
}

#[tokio::test]
async fn a_repeated_delivery_refused_as_already_existing_is_already_started() {
    let start_rule = start_fails(|| {
        StartExecutionError::ExecutionAlreadyExists(
            ExecutionAlreadyExists::builder()
                .message("Execution Already Exists")
                .build(),
        )
    });
    let report_rule = failure_reported();
    let output = run(&start_rule, &report_rule).await.unwrap();
    assert_eq!(output.outcome, StartOutcome::AlreadyStarted);
    assert_eq!(output.execution_arn.as_deref(), Some(EXECUTION));
    assert_eq!(
        report_rule.num_calls(),
        0,
        "a duplicate must not be reported"
    );
}

#[tokio::test]
async fn a_repeated_delivery_answered_with_the_running_execution_is_already_started() {
    // Same name and input: Step Functions returns the execution started a minute ago.
    let start_rule = started_at(1_700_000_000 - 60);
    let report_rule = failure_reported();
    let output = run(&start_rule, &report_rule).await.unwrap();
    assert_eq!(output.outcome, StartOutcome::AlreadyStarted);
    assert_eq!(output.execution_arn.as_deref(), Some(EXECUTION));
    assert_eq!(report_rule.num_calls(), 0);
}

#[tokio::test]
async fn a_start_failure_is_reported_as_job_failed_with_the_reason() {
    let start_rule = start_answers("StateMachineDoesNotExist", "State Machine Does Not Exist");
    let report_rule = mock!(aws_sdk_codepipeline::Client::put_job_failure_result)
        .match_requests(|req| {
            let details = req.failure_details().unwrap();
            req.job_id() == Some(JOB_ID)
                && details.r#type() == &FailureType::JobFailed
                && details.message().contains("StateMachineDoesNotExist")
                && details.message().contains("State Machine Does Not Exist")
                && details.message().contains(STATE_MACHINE)
        })
        .then_output(|| PutJobFailureResultOutput::builder().build());
    let output = run(&start_rule, &report_rule).await.unwrap();
    assert_eq!(output.outcome, StartOutcome::ReportedFailure);
    assert_eq!(output.execution_arn, None);
    assert_eq!(report_rule.num_calls(), 1);
}

#[tokio::test]
async fn a_refused_input_is_reported_as_a_configuration_error() {
    let start_rule = start_answers("InvalidExecutionInput", "Invalid execution input");
    let report_rule = mock!(aws_sdk_codepipeline::Client::put_job_failure_result)
        .match_requests(|req| {
            req.failure_details().map(|d| d.r#type()) == Some(&FailureType::ConfigurationError)
        })
        .then_output(|| PutJobFailureResultOutput::builder().build());
    let output = run(&start_rule, &report_rule).await.unwrap();
    assert_eq!(output.outcome, StartOutcome::ReportedFailure);
    assert_eq!(report_rule.num_calls(), 1);
}

#[tokio::test]
async fn oversized_user_parameters_are_reported_without_calling_step_functions() {
    let start_rule = started_at(1_700_000_000);
    let report_rule = mock!(aws_sdk_codepipeline::Client::put_job_failure_result)
        .match_requests(|req| {
            let details = req.failure_details().unwrap();
            details.r#type() == &FailureType::ConfigurationError
                && details.message().contains("UserParameters")
                && details.message().chars().count() <= 5_000
        })
        .then_output(|| PutJobFailureResultOutput::builder().build());
    let mut job = fixture_job();
    job.user_parameters = "x".repeat(MAX_EXECUTION_INPUT_BYTES);
    let output = start_requested_at(
        &sfn_client(&start_rule),
        &codepipeline_client(&report_rule),
        &config(),
        &job,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(output.outcome, StartOutcome::ReportedFailure);
    assert_eq!(start_rule.num_calls(), 0);
    assert_eq!(report_rule.num_calls(), 1);
}

#[tokio::test]
async fn a_job_closed_before_the_failure_report_still_succeeds() {
    let start_rule = start_answers("StateMachineDoesNotExist", "gone");
    let report_rule = mock!(aws_sdk_codepipeline::Client::put_job_failure_result)
        .then_http_response(|| error_response(400, "JobNotFoundException", "no such job"));
    let output = run(&start_rule, &report_rule).await.unwrap();
    assert_eq!(output.outcome, StartOutcome::ReportedFailure);
    assert_eq!(report_rule.num_calls(), 1);
}

#[tokio::test]
async fn a_throttled_failure_report_is_an_error_for_lambda_to_retry() {
    let start_rule = start_answers("StateMachineDoesNotExist", "gone");
    let report_rule =
        mock!(aws_sdk_codepipeline::Client::put_job_failure_result).then_error(|| {
            PutJobFailureResultError::generic(
                ErrorMetadata::builder()
                    .code("ThrottlingException")
                    .message("Rate exceeded")
                    .build(),
            )
        });
    let err = run(&start_rule, &report_rule).await.unwrap_err();
    assert_eq!(err.name(), "Transient");
}

#[tokio::test]
async fn a_continuation_job_never_starts_an_execution() {
    let start_rule = started_at(1_700_000_000);
    let send = mock!(aws_sdk_sfn::Client::send_task_success).then_output(|| {
        aws_sdk_sfn::operation::send_task_success::SendTaskSuccessOutput::builder().build()
    });
    let report_rule = failure_reported();
    let sfn = mock_client!(
        aws_sdk_sfn,
        aws_smithy_mocks::RuleMode::MatchAny,
        [&start_rule, &send]
    );
    let mut job = fixture_job();
    job.continuation_token = Some("task-token".into());
    let output = start(&sfn, &codepipeline_client(&report_rule), &config(), &job)
        .await
        .unwrap();
    assert_eq!(output.outcome, StartOutcome::Continued);
    assert_eq!((start_rule.num_calls(), send.num_calls()), (0, 1));
    assert_eq!(report_rule.num_calls(), 0);
}

#[test]
fn the_execution_arn_is_derived_from_the_state_machine_arn() {
    assert_eq!(
        execution_arn(STATE_MACHINE, JOB_ID).as_deref(),
        Some(EXECUTION)
    );
    assert_eq!(execution_arn("not-an-arn", JOB_ID), None);
}
