#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use aws_sdk_sfn::config::retry::RetryConfig;
use aws_sdk_sfn::error::ErrorMetadata;
use aws_sdk_sfn::operation::get_execution_history::GetExecutionHistoryOutput;
use aws_sdk_sfn::primitives::DateTime;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};

const STATE_MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:stackflow";
const EXECUTION: &str = "arn:aws:states:us-east-1:123456789012:execution:stackflow:job-1";

#[test]
fn the_execution_of_a_job_is_named_after_it_in_the_state_machine() {
    assert_eq!(execution_arn(STATE_MACHINE, "job-1"), EXECUTION);
    let odd = "job with spaces";
    assert_eq!(
        execution_arn(STATE_MACHINE, odd),
        format!(
            "arn:aws:states:us-east-1:123456789012:execution:stackflow:{}",
            stackflow::steps::start_deployment::execution_name(odd)
        )
    );
}

fn event(id: i64) -> HistoryEvent {
    HistoryEvent::builder()
        .id(id)
        .timestamp(DateTime::from_secs(1_700_000_000 + id))
        .r#type(HistoryEventType::PassStateEntered)
        .build()
        .unwrap()
}

/// The page asked for with `token` (none for the first), holding `id`, pointing at `next`.
fn page(token: Option<&'static str>, id: i64, next: Option<&'static str>) -> Rule {
    mock!(aws_sdk_sfn::Client::get_execution_history)
        .match_requests(move |req| {
            req.execution_arn() == Some(EXECUTION) && req.next_token() == token
        })
        .then_output(move || {
            GetExecutionHistoryOutput::builder()
                .events(event(id))
                .set_next_token(next.map(str::to_string))
                .build()
                .unwrap()
        })
}

fn sfn(rules: &[&Rule]) -> aws_sdk_sfn::Client {
    mock_client!(aws_sdk_sfn, RuleMode::MatchAny, rules, |c| c
        .retry_config(RetryConfig::disabled()))
}

#[tokio::test]
async fn the_history_is_every_page_in_order() {
    let (first, second) = (page(None, 1, Some("page-2")), page(Some("page-2"), 2, None));
    let events = execution_history(&sfn(&[&first, &second]), EXECUTION)
        .await
        .unwrap();
    let ids: Vec<i64> = events.iter().map(HistoryEvent::id).collect();
    assert_eq!(ids, [1, 2]);
    // An empty token ends the history as no token does.
    let (first, second) = (page(None, 1, Some("")), page(Some(""), 2, None));
    let events = execution_history(&sfn(&[&first, &second]), EXECUTION)
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(second.num_calls(), 0);
}

#[tokio::test]
async fn a_page_that_cannot_be_read_fails_the_history() {
    let first = page(None, 1, Some("page-2"));
    let refused = mock!(aws_sdk_sfn::Client::get_execution_history)
        .match_requests(|req| req.next_token() == Some("page-2"))
        .then_error(|| GetExecutionHistoryError::generic(ErrorMetadata::default()));
    let read = execution_history(&sfn(&[&first, &refused]), EXECUTION).await;
    assert!(read.is_err(), "{read:?}");
}

#[test]
fn a_hand_over_shows_the_job_it_continues_with() {
    let output = r#"{"replyTo":{"jobId":"job-2","handOverAt":1},"stack":{"status":"CREATE_IN_PROGRESS","next":"handOver"}}"#;
    assert_eq!(
        outcome_of(HAND_OVER_STATE, output),
        " — continues as job job-2"
    );
    assert_eq!(
        outcome_of("Check stack", output),
        " — stack CREATE_IN_PROGRESS, next: handOver"
    );
    assert_eq!(outcome_of("Check stack", "not json"), "");
}
