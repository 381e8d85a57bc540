#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::codepipeline::job_result::tests::{error_response, mock_codepipeline as client};
use crate::contract::{Next, Outcome, Reported, StackAction, StackProgress};
use aws_sdk_codepipeline::operation::put_job_success_result::{
    PutJobSuccessResultError, PutJobSuccessResultOutput,
};
use aws_smithy_mocks::mock;
use aws_smithy_types::error::ErrorMetadata;

const JOB_ID: &str = "22222222-abcd-2222-abcd-222222abcdef";
const EXECUTION: &str =
    "arn:aws:states:us-east-1:111111111111:execution:stackflow:11111111-abcd-1111-abcd-111111abcdef";
const TASK_TOKEN: &str = "AQCEAAAAKgAAAAMAAAAAAAAAAeMHr6sb";

fn stack() -> StackProgress {
    StackProgress {
        stack_name: "my-stack".into(),
        stack_id: None,
        action: StackAction::Create,
        next: Next::HandOver,
        status: Some("CREATE_IN_PROGRESS".into()),
        client_request_token: None,
        outputs: [("Ignored".to_string(), "x".to_string())].into(),
        started_at: Some(1_700_000_000),
        wait_seconds: 15,
        change_set: None,
        tally: Default::default(),
    }
}

fn input() -> (ReportInput, HandOver) {
    let hand_over = HandOver {
        task_token: TASK_TOKEN.into(),
        stack: Some(stack()),
    };
    let input = ReportInput {
        job_id: JOB_ID.into(),
        execution_arn: Some(EXECUTION.into()),
        params: None,
        outcome: Outcome::HandOver(hand_over.clone()),
    };
    (input, hand_over)
}

#[tokio::test]
async fn the_job_is_closed_in_progress_with_the_task_token_and_no_variables() {
    let rule = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
        .match_requests(|req| {
            let token = HandOverToken::decode(req.continuation_token().unwrap_or(""));
            req.job_id() == Some(JOB_ID)
                && token.task_token == TASK_TOKEN
                && token.execution_arn.as_deref() == Some(EXECUTION)
                && req.output_variables().is_none()
                && req.execution_details().and_then(|d| d.summary())
                    == Some("Stack my-stack: CREATE_IN_PROGRESS; still deploying (continues as a new job)")
        })
        .then_output(|| PutJobSuccessResultOutput::builder().build());
    let (input, hand_over_input) = input();
    let output = reply_in_progress(&client(&[&rule]), &input, &hand_over_input)
        .await
        .unwrap();
    assert_eq!(output.reported, Reported::HandedOver);
    assert!(output.output_variables.is_empty());
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn a_closed_or_unknown_job_is_abandoned() {
    for code in ["InvalidJobStateException", "JobNotFoundException"] {
        let rule = mock!(aws_sdk_codepipeline::Client::put_job_success_result)
            .then_http_response(move || error_response(400, code, "job is closed"));
        let (input, hand_over_input) = input();
        let err = reply_in_progress(&client(&[&rule]), &input, &hand_over_input)
            .await
            .unwrap_err();
        assert_eq!(err.name(), "JobAbandoned", "{code}");
        assert!(err.message().contains(JOB_ID), "{err}");
        assert!(err.message().contains(code), "{err}");
    }
}

#[tokio::test]
async fn throttling_is_transient_so_the_state_retries() {
    let rule = mock!(aws_sdk_codepipeline::Client::put_job_success_result).then_error(|| {
        PutJobSuccessResultError::generic(
            ErrorMetadata::builder()
                .code("ThrottlingException")
                .message("Rate exceeded")
                .build(),
        )
    });
    let (input, hand_over_input) = input();
    let err = reply_in_progress(&client(&[&rule]), &input, &hand_over_input)
        .await
        .unwrap_err();
    assert_eq!(err.name(), "Transient");
}

#[test]
fn the_summary_without_a_stack_still_says_in_progress() {
    assert_eq!(
        in_progress_summary(None),
        "Still deploying (continues as a new job)"
    );
}
