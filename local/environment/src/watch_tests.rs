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

#[test]
fn stack_progress_comes_only_from_the_steps_that_write_it() {
    let output = r#"{"stack":{"status":"CREATE_IN_PROGRESS","next":"wait"}}"#;
    for (state, shown) in [
        ("Deploy stack", " — stack CREATE_IN_PROGRESS, next: wait"),
        ("Check stack", " — stack CREATE_IN_PROGRESS, next: wait"),
        ("Stack operation started?", ""),
        ("Report failure", ""),
        ("Report success", ""),
    ] {
        assert_eq!(outcome_of(state, output), shown, "{state}");
    }
}

fn history(id: i64, kind: HistoryEventType) -> aws_sdk_sfn::types::builders::HistoryEventBuilder {
    HistoryEvent::builder()
        .id(id)
        .timestamp(DateTime::from_secs(1_700_000_000 + id))
        .r#type(kind)
}

fn entered(id: i64, state: &str) -> HistoryEvent {
    let details = aws_sdk_sfn::types::StateEnteredEventDetails::builder()
        .name(state)
        .build()
        .unwrap();
    history(id, HistoryEventType::TaskStateEntered)
        .state_entered_event_details(details)
        .build()
        .unwrap()
}

fn exited(id: i64, state: &str, output: &str) -> HistoryEvent {
    let details = aws_sdk_sfn::types::StateExitedEventDetails::builder()
        .name(state)
        .output(output)
        .build()
        .unwrap();
    history(id, HistoryEventType::TaskStateExited)
        .state_exited_event_details(details)
        .build()
        .unwrap()
}

fn lambda_failed(id: i64, error: &str) -> HistoryEvent {
    let details = aws_sdk_sfn::types::LambdaFunctionFailedEventDetails::builder()
        .error(error)
        .cause(r#"{"errorMessage":"the template is not valid"}"#)
        .build();
    history(id, HistoryEventType::LambdaFunctionFailed)
        .lambda_function_failed_event_details(details)
        .build()
        .unwrap()
}

/// What the watcher writes for `events`.
fn shown(events: &[HistoryEvent]) -> String {
    let mut watcher = ExecutionWatcher::new(sfn(&[]), STATE_MACHINE, "job-1");
    let mut live = Vec::new();
    for event in events {
        watcher.show(event, &mut live);
    }
    String::from_utf8(live).unwrap()
}

#[test]
fn a_caught_failure_shows_as_failed_not_as_done() {
    let caught = r#"{"error":{"Error":"TemplateInvalid"},"stack":{"status":"UPDATE_COMPLETE","next":"wait"}}"#;
    let live = shown(&[
        entered(1, "Deploy stack"),
        lambda_failed(2, "TemplateInvalid"),
        exited(3, "Deploy stack", caught),
    ]);
    assert!(
        live.contains("✗ TemplateInvalid: the template is not valid"),
        "{live}"
    );
    assert!(!live.contains("✓ Deploy stack"), "{live}");
}

#[test]
fn a_failure_retried_to_success_shows_the_result() {
    let done = r#"{"stack":{"status":"CREATE_IN_PROGRESS","next":"wait"}}"#;
    let succeeded = history(3, HistoryEventType::LambdaFunctionSucceeded)
        .build()
        .unwrap();
    let live = shown(&[
        entered(1, "Deploy stack"),
        lambda_failed(2, "Transient"),
        succeeded,
        exited(4, "Deploy stack", done),
    ]);
    assert!(
        live.contains("✓ Deploy stack — stack CREATE_IN_PROGRESS, next: wait"),
        "{live}"
    );
}
