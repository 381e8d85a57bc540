#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::codepipeline::job_result::tests::{error_response, mock_codepipeline as client};
use crate::codepipeline::job_result::SUMMARY_MAX_CHARS;
use crate::contract::{Next, Reported, StackAction};
use crate::error::ErrorName;
use aws_sdk_codepipeline::operation::put_job_failure_result::PutJobFailureResultOutput;
use aws_sdk_codepipeline::operation::put_job_success_result::{
    PutJobSuccessResultError, PutJobSuccessResultOutput,
};
use aws_sdk_codepipeline::types::error::OutputVariablesSizeExceededException;
use aws_smithy_mocks::mock;
use aws_smithy_types::error::ErrorMetadata;

const JOB_ID: &str = "11111111-abcd-1111-abcd-111111abcdef";
const EXECUTION: &str =
    "arn:aws:states:us-east-1:111111111111:execution:stackflow:11111111-abcd-1111-abcd-111111abcdef";

/// The clients with CodePipeline answering as `codepipeline` does; S3 and CloudFormation
/// answer nothing (no test here writes an output artifact).
fn clients(codepipeline: aws_sdk_codepipeline::Client) -> ReportClients {
    ReportClients {
        codepipeline,
        s3: crate::aws::stack_fixtures::s3_client(&[]),
        cloudformation: crate::aws::stack_fixtures::client(&[]),
    }
}

fn progress(outputs: &[(&str, &str)]) -> StackProgress {
    StackProgress {
        stack_name: "my-stack".into(),
        stack_id: Some("arn:aws:cloudformation:us-east-1:111111111111:stack/my-stack/1".into()),
        action: StackAction::Update,
        next: Next::Succeed,
        status: Some("UPDATE_COMPLETE".into()),
        client_request_token: None,
        started_at: None,
        wait_seconds: 0,
        change_set: None,
        tally: Default::default(),
        outputs: outputs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn success_input(outputs: &[(&str, &str)]) -> ReportInput {
    ReportInput {
        job_id: JOB_ID.into(),
        execution_arn: Some(EXECUTION.into()),
        params: None,
        outcome: Outcome::Stack(progress(outputs)),
    }
}

fn error_input(error: &str, cause: &str) -> ReportInput {
    ReportInput {
        job_id: JOB_ID.into(),
        execution_arn: Some(EXECUTION.into()),
        params: None,
        outcome: Outcome::Error(StateError {
            error: error.into(),
            cause: cause.into(),
        }),
    }
}

#[tokio::test]
async fn a_stack_outcome_is_reported_as_success_with_summary_and_output_variables() {
    let rule = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
        .match_requests(|req| {
            let details = req.execution_details().unwrap();
            let variables = req.output_variables().unwrap();
            req.job_id() == Some(JOB_ID)
                && details.summary() == Some("Stack my-stack: updated (UPDATE_COMPLETE)")
                && details.external_execution_id() == Some(EXECUTION)
                && details.percent_complete() == Some(100)
                && variables.len() == 2
                && variables.get("BucketName").map(String::as_str) == Some("my-bucket")
                && variables.get("ApiUrl").map(String::as_str) == Some("https://x.example")
        })
        .then_output(|| PutJobSuccessResultOutput::builder().build());
    let input = success_input(&[("BucketName", "my-bucket"), ("ApiUrl", "https://x.example")]);
    let output = report(&clients(client(&[&rule])), &input).await.unwrap();
    assert_eq!(output.reported, Reported::Succeeded);
    assert_eq!(output.message, "Stack my-stack: updated (UPDATE_COMPLETE)");
    assert_eq!(output.failure_type, None);
    assert_eq!(output.output_variables.len(), 2);
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn a_stack_without_outputs_sends_no_output_variables() {
    let rule = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
        .match_requests(|req| req.output_variables().is_none())
        .then_output(|| PutJobSuccessResultOutput::builder().build());
    let output = report(&clients(client(&[&rule])), &success_input(&[]))
        .await
        .unwrap();
    assert_eq!(output.reported, Reported::Succeeded);
    assert_eq!(rule.num_calls(), 1);
}

#[test]
fn an_unchanged_stack_says_so() {
    let mut unchanged = progress(&[]);
    unchanged.action = StackAction::NoChanges;
    assert_eq!(success_summary(&unchanged), "Stack my-stack: no changes");
}

#[test]
fn the_summary_is_cut_to_codepipelines_limit() {
    let mut long = progress(&[]);
    long.stack_name = "s".repeat(3_000);
    assert_eq!(success_summary(&long).chars().count(), SUMMARY_MAX_CHARS);
}

#[test]
fn invalid_variable_names_are_dropped() {
    let outputs: BTreeMap<String, String> = [("Good_Name-1@x", "a"), ("bad.name", "b"), ("", "c")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let kept = output_variables(JOB_ID, &outputs);
    assert_eq!(kept.keys().collect::<Vec<_>>(), vec!["Good_Name-1@x"]);
}

#[test]
fn variables_beyond_the_total_size_are_dropped() {
    let big = "v".repeat(60_000);
    let outputs: BTreeMap<String, String> = [
        ("A", big.as_str()),
        ("B", big.as_str()),
        ("C", big.as_str()),
        ("D", "small"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let kept = output_variables(JOB_ID, &outputs);
    assert_eq!(kept.keys().collect::<Vec<_>>(), vec!["A", "B", "D"]);
    let total: usize = kept.iter().map(|(k, v)| k.len() + v.len()).sum();
    assert!(total <= OUTPUT_VARIABLES_MAX_BYTES);
}

#[tokio::test]
async fn refused_variables_are_dropped_and_success_still_reported() {
    let refused = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
        .match_requests(|req| req.output_variables().is_some())
        .then_error(|| {
            PutJobSuccessResultError::OutputVariablesSizeExceededException(
                OutputVariablesSizeExceededException::builder()
                    .message("too big")
                    .build(),
            )
        });
    let accepted = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
        .match_requests(|req| req.output_variables().is_none())
        .then_output(|| PutJobSuccessResultOutput::builder().build());
    let input = success_input(&[("BucketName", "my-bucket")]);
    let output = report(&clients(client(&[&refused, &accepted])), &input)
        .await
        .unwrap();
    assert_eq!(output.reported, Reported::Succeeded);
    assert!(output.output_variables.is_empty());
    assert_eq!(refused.num_calls(), 1);
    assert_eq!(accepted.num_calls(), 1);
}

#[test]
fn failure_types_follow_the_error_names() {
    let expected = [
        ("InvalidEvent", FailureType::ConfigurationError),
        ("InvalidParameters", FailureType::ConfigurationError),
        ("ArtifactNotFound", FailureType::ConfigurationError),
        ("ArtifactInvalid", FailureType::ConfigurationError),
        ("TemplateInvalid", FailureType::ConfigurationError),
        ("StackNotUpdatable", FailureType::ConfigurationError),
        ("AccessDenied", FailureType::PermissionError),
        ("StackFailed", FailureType::JobFailed),
        ("StackTimedOut", FailureType::JobFailed),
        ("Transient", FailureType::JobFailed),
        ("AwsError", FailureType::JobFailed),
        ("Misconfigured", FailureType::JobFailed),
        ("JobAbandoned", FailureType::JobFailed),
        ("States.Timeout", FailureType::JobFailed),
        ("States.TaskFailed", FailureType::JobFailed),
        ("States.ALL", FailureType::JobFailed),
    ];
    for (name, failure) in &expected {
        assert_eq!(&failure_type(name), failure, "{name}");
    }
    // Every domain error is in the table: a new variant must be placed on purpose.
    for name in ErrorName::ALL {
        let name = name.as_str();
        assert!(expected.iter().any(|(n, _)| *n == name), "{name} missing");
    }
}

#[test]
fn a_lambda_cause_is_unwrapped_to_its_error_message() {
    let error = StateError {
        error: "StackFailed".into(),
        cause: r#"{"errorType":"StackFailed","errorMessage":"Resource Bucket: CREATE_FAILED (already exists)"}"#.into(),
    };
    assert_eq!(
        failure_message(&error),
        "Resource Bucket: CREATE_FAILED (already exists)"
    );
}

#[test]
fn a_crashed_or_timed_out_function_is_named_as_such() {
    let crashed = StateError {
        error: "Runtime.ExitError".into(),
        cause: r#"{"errorType":"Runtime.ExitError","errorMessage":"Runtime exited with error: signal: killed"}"#.into(),
    };
    assert_eq!(
        failure_message(&crashed),
        "A Lambda function of the deployment crashed on every attempt (Runtime.ExitError): Runtime exited with error: signal: killed"
    );
    let timed_out = StateError {
        error: "Sandbox.Timedout".into(),
        cause: r#"{"errorType":"Sandbox.Timedout","errorMessage":"Task timed out after 30.00 seconds"}"#.into(),
    };
    assert_eq!(
        failure_message(&timed_out),
        "A Lambda function of the deployment timed out on every attempt (Sandbox.Timedout): Task timed out after 30.00 seconds"
    );
    let init = StateError {
        error: "Runtime.InitError".into(),
        cause: r#"{"errorType":"Runtime.InitError","errorMessage":"boom"}"#.into(),
    };
    assert!(failure_message(&init)
        .ends_with("function of the deployment failed (Runtime.InitError): boom"));
}

#[test]
fn a_plain_cause_is_used_as_it_is() {
    let error = StateError {
        error: "States.Runtime".into(),
        cause: "An error occurred while executing the state 'Check'.".into(),
    };
    assert_eq!(
        failure_message(&error),
        "An error occurred while executing the state 'Check'."
    );
}

#[test]
fn without_a_cause_the_error_name_says_what_happened() {
    let timeout = StateError {
        error: "States.Timeout".into(),
        cause: String::new(),
    };
    assert!(failure_message(&timeout).contains("timed out"));
    assert!(failure_message(&timeout).contains("States.Timeout"));
    let failed = StateError {
        error: "States.TaskFailed".into(),
        cause: " ".into(),
    };
    assert!(failure_message(&failed).contains("States.TaskFailed"));
    let other = StateError {
        error: "Lambda.Unknown".into(),
        cause: String::new(),
    };
    assert!(failure_message(&other).contains("Lambda.Unknown"));
}

#[test]
fn a_long_multibyte_message_is_cut_under_5000_characters() {
    let message = "Ressource échouée — ".repeat(400); // 8,000 characters, many multi-byte.
    let cause =
        serde_json::json!({"errorType": "StackFailed", "errorMessage": message}).to_string();
    let text = failure_message(&StateError {
        error: "StackFailed".into(),
        cause,
    });
    assert_eq!(text.chars().count(), FAILURE_MESSAGE_MAX_CHARS);
    assert!(message.starts_with(text.trim_end_matches('…')));
}

#[tokio::test]
async fn an_error_outcome_is_reported_as_failure_with_type_message_and_execution() {
    let rule = mock!(aws_sdk_codepipeline::Client::put_job_failure_result)
        .match_requests(|req| {
            let details = req.failure_details().unwrap();
            req.job_id() == Some(JOB_ID)
                && details.r#type() == &FailureType::ConfigurationError
                && details.message() == "UserParameters: \"stack\" is required"
                && details.external_execution_id() == Some(EXECUTION)
        })
        .then_output(|| PutJobFailureResultOutput::builder().build());
    let input = error_input(
        "InvalidParameters",
        r#"{"errorType":"InvalidParameters","errorMessage":"UserParameters: \"stack\" is required"}"#,
    );
    let output = report(&clients(client(&[&rule])), &input).await.unwrap();
    assert_eq!(output.reported, Reported::Failed);
    assert_eq!(output.failure_type.as_deref(), Some("ConfigurationError"));
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn a_long_failure_message_is_sent_cut() {
    let rule = mock!(aws_sdk_codepipeline::Client::put_job_failure_result)
        .match_requests(|req| {
            req.failure_details()
                .is_some_and(|d| d.message().chars().count() == FAILURE_MESSAGE_MAX_CHARS)
        })
        .then_output(|| PutJobFailureResultOutput::builder().build());
    let input = error_input("StackFailed", &"é".repeat(9_000));
    report(&clients(client(&[&rule])), &input).await.unwrap();
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn a_closed_job_is_already_closed_on_failure() {
    let rule =
        mock!(aws_sdk_codepipeline::Client::put_job_failure_result).then_http_response(|| {
            error_response(400, "InvalidJobStateException", "job is in state Failed")
        });
    let output = report(
        &clients(client(&[&rule])),
        &error_input("StackFailed", "boom"),
    )
    .await
    .unwrap();
    assert_eq!(output.reported, Reported::AlreadyClosed);
}

#[tokio::test]
async fn a_missing_job_is_already_closed_on_success() {
    let rule = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
        .then_http_response(|| error_response(400, "JobNotFoundException", "no such job"));
    let output = report(&clients(client(&[&rule])), &success_input(&[]))
        .await
        .unwrap();
    assert_eq!(output.reported, Reported::AlreadyClosed);
}

#[tokio::test]
async fn throttling_is_transient_so_the_state_machine_retries() {
    let rule = mock!(aws_sdk_codepipeline::Client::put_job_success_result).then_error(|| {
        PutJobSuccessResultError::generic(
            ErrorMetadata::builder()
                .code("ThrottlingException")
                .message("Rate exceeded")
                .build(),
        )
    });
    let err = report(&clients(client(&[&rule])), &success_input(&[]))
        .await
        .unwrap_err();
    assert_eq!(err.name(), "Transient");
}

#[tokio::test]
async fn a_server_error_on_failure_report_is_transient() {
    let rule = mock!(aws_sdk_codepipeline::Client::put_job_failure_result)
        .then_http_response(|| error_response(500, "SomethingBroke", "try again"));
    let err = report(
        &clients(client(&[&rule])),
        &error_input("StackFailed", "boom"),
    )
    .await
    .unwrap_err();
    assert_eq!(err.name(), "Transient");
}
