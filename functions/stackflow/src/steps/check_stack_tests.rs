#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsError;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError;
use aws_sdk_cloudformation::types::{ResourceStatus, Stack, StackStatus};
use aws_smithy_mocks::{mock, Rule};

use crate::aws::client_token::token_for;
use crate::aws::stack_fixtures::*;

/// CheckStack with the staging bucket holding the values of `check_input()`'s template.
async fn check(cfn: &Client, input: &CheckInput, now: i64) -> Result<StackProgress, Error> {
    super::check(cfn, &staging(), input, now).await
}

fn ours(action: StackAction) -> Option<String> {
    token_for(action, JOB)
}

/// DescribeStacks by our stack id, answering with each status in turn.
fn polled(statuses: &'static [&'static str]) -> Rule {
    let mut sequence = mock!(Client::describe_stacks)
        .match_requests(|req| req.stack_name() == Some(STACK_ID))
        .sequence();
    for status in statuses {
        sequence = sequence.output(move || described(stack(status)));
    }
    sequence.build()
}

/// CheckStack once more, on the progress the previous check answered: the state machine
/// puts each answer at `$.stack`, the next check's input.
async fn again(
    cfn: &Client,
    input: &CheckInput,
    previous: StackProgress,
) -> Result<StackProgress, Error> {
    let input = CheckInput {
        stack: previous,
        ..input.clone()
    };
    check(cfn, &input, NOW).await
}

/// CheckStack at `now` of this deployment's `action` on a stack described in `status`.
async fn check_status(
    status: &'static str,
    action: StackAction,
    now: i64,
) -> Result<StackProgress, Error> {
    check_with(&[&describe_rule(status)], action, now).await
}

/// CheckStack at `now` of this deployment's `action`, CloudFormation answering from `rules`.
async fn check_with(
    rules: &[&Rule],
    action: StackAction,
    now: i64,
) -> Result<StackProgress, Error> {
    check(&client(rules), &check_input(action, ours(action)), now).await
}

fn with_reason(status: &str, reason: &str) -> Stack {
    let mut stack = stack(status);
    stack.stack_status_reason = Some(reason.to_string());
    stack
}

#[tokio::test]
async fn a_create_is_polled_until_it_completes_then_succeeds_with_its_outputs() {
    let describe = polled(&[
        "CREATE_IN_PROGRESS",
        "CREATE_IN_PROGRESS",
        "CREATE_COMPLETE",
    ]);
    let cfn = client(&[&describe]);
    let input = check_input(StackAction::Create, ours(StackAction::Create));

    let first = check(&cfn, &input, NOW).await.unwrap();
    assert_eq!(
        (first.action, first.next),
        (StackAction::Create, Next::Wait)
    );
    assert_eq!(first.status.as_deref(), Some("CREATE_IN_PROGRESS"));
    assert!(first.outputs.is_empty());
    let second = again(&cfn, &input, first).await.unwrap();
    assert_eq!(second.next, Next::Wait);
    let done = again(&cfn, &input, second).await.unwrap();

    assert_eq!(done.next, Next::Succeed);
    assert_eq!(done.action, StackAction::Create);
    assert_eq!(done.status.as_deref(), Some("CREATE_COMPLETE"));
    assert_eq!(done.client_request_token, ours(StackAction::Create));
    assert_eq!(
        done.outputs.get("QueueUrl").map(String::as_str),
        Some("https://sqs/orders")
    );
    assert_eq!(
        done.outputs.get("QueueArn").map(String::as_str),
        Some("arn:aws:sqs:orders")
    );
    assert_eq!(describe.num_calls(), 3);
}

#[tokio::test]
async fn every_success_status_succeeds_for_our_update() {
    for status in ["UPDATE_COMPLETE", "CREATE_COMPLETE", "IMPORT_COMPLETE"] {
        let progress = check_status(status, StackAction::Update, NOW)
            .await
            .unwrap();
        assert_eq!(progress.next, Next::Succeed, "{status}");
        assert_eq!(progress.outputs.len(), 2, "{status}");
    }
}

#[tokio::test]
async fn cleanup_in_progress_is_still_waited_for() {
    let progress = check_status(
        "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        StackAction::Update,
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(progress.next, Next::Wait);
}

fn failure_events() -> Rule {
    let ours = ours(StackAction::Update);
    let ours = ours.as_deref();
    let queue = "AWS::SQS::Queue";
    let stack_kind = "AWS::CloudFormation::Stack";
    // Newest first: a later deployment's failure, then ours (the cause is its OLDEST
    // failure), then an older deployment's failure.
    events_rule(vec![
        event(
            Some("stackflow-update-later-job"),
            "Topic",
            "AWS::SNS::Topic",
            ResourceStatus::UpdateFailed,
            "later",
        ),
        event(
            ours,
            STACK,
            stack_kind,
            ResourceStatus::UpdateRollbackComplete,
            "",
        ),
        event(
            ours,
            "Queue",
            queue,
            ResourceStatus::UpdateComplete,
            "rolled back",
        ),
        event(
            ours,
            STACK,
            stack_kind,
            ResourceStatus::UpdateRollbackInProgress,
            "The following resource(s) failed to update: [Queue].",
        ),
        event(
            ours,
            "Topic",
            "AWS::SNS::Topic",
            ResourceStatus::UpdateFailed,
            "Resource update cancelled",
        ),
        event(
            ours,
            "Queue",
            queue,
            ResourceStatus::UpdateFailed,
            "Invalid value for MessageRetentionPeriod",
        ),
        event(
            ours,
            STACK,
            stack_kind,
            ResourceStatus::UpdateInProgress,
            "User Initiated",
        ),
        event(
            Some("stackflow-update-older-job"),
            "Queue",
            queue,
            ResourceStatus::UpdateFailed,
            "older",
        ),
    ])
}

#[tokio::test]
async fn a_rolled_back_update_fails_with_the_first_failure_of_our_operation() {
    let describe = polled(&[
        "UPDATE_IN_PROGRESS",
        "UPDATE_ROLLBACK_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE",
    ]);
    let events = failure_events();
    let cfn = client(&[&describe, &events]);
    let input = check_input(StackAction::Update, ours(StackAction::Update));

    let first = check(&cfn, &input, NOW).await.unwrap();
    assert_eq!(first.next, Next::Wait);
    let second = again(&cfn, &input, first).await.unwrap();
    assert_eq!(
        second.status.as_deref(),
        Some("UPDATE_ROLLBACK_IN_PROGRESS")
    );
    let err = again(&cfn, &input, second).await.unwrap_err();

    assert_eq!(
        err,
        Error::StackFailed(
            "UPDATE_ROLLBACK_COMPLETE: Queue (AWS::SQS::Queue) UPDATE_FAILED: Invalid value for MessageRetentionPeriod"
                .into()
        )
    );
}

#[tokio::test]
async fn every_other_terminal_status_after_our_operation_fails() {
    for status in [
        "ROLLBACK_COMPLETE",
        "ROLLBACK_FAILED",
        "CREATE_FAILED",
        "UPDATE_ROLLBACK_COMPLETE",
        "UPDATE_ROLLBACK_FAILED",
        "UPDATE_FAILED",
        "DELETE_FAILED",
        "IMPORT_ROLLBACK_COMPLETE",
        "REVIEW_IN_PROGRESS",
    ] {
        let describe = describe_rule(status);
        let events = events_rule(vec![]);
        let err = check_with(&[&describe, &events], StackAction::Create, NOW)
            .await
            .unwrap_err();
        assert_eq!(err, Error::StackFailed(status.to_string()), "{status}");
    }
}

#[tokio::test]
async fn without_an_event_of_ours_the_stack_status_reason_is_the_reason() {
    let describe = mock!(Client::describe_stacks).then_output(|| {
        described(with_reason(
            "ROLLBACK_COMPLETE",
            "The following resource(s) failed to create: [Queue].",
        ))
    });
    // Only someone else's failures.
    let events = events_rule(vec![event(
        Some("Console-CreateStack-1"),
        "Queue",
        "AWS::SQS::Queue",
        ResourceStatus::CreateFailed,
        "not ours",
    )]);
    let err = check_with(&[&describe, &events], StackAction::Create, NOW)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::StackFailed(
            "ROLLBACK_COMPLETE: The following resource(s) failed to create: [Queue].".into()
        )
    );
}

#[tokio::test]
async fn unreadable_events_fall_back_to_the_status_reason_unless_transient() {
    let describe = mock!(Client::describe_stacks)
        .then_output(|| described(with_reason("ROLLBACK_COMPLETE", "Create failed")));
    let denied = mock!(Client::describe_stack_events).then_error(|| {
        DescribeStackEventsError::generic(service_error("AccessDenied", "not allowed"))
    });
    let cfn = client(&[&describe, &denied]);
    let input = check_input(StackAction::Create, ours(StackAction::Create));
    let err = check(&cfn, &input, NOW).await.unwrap_err();
    assert_eq!(
        err,
        Error::StackFailed("ROLLBACK_COMPLETE: Create failed".into())
    );

    let describe = mock!(Client::describe_stacks)
        .then_output(|| described(with_reason("ROLLBACK_COMPLETE", "Create failed")));
    let throttled = mock!(Client::describe_stack_events).then_error(|| {
        DescribeStackEventsError::generic(service_error("Throttling", "Rate exceeded"))
    });
    let cfn = client(&[&describe, &throttled]);
    assert_eq!(
        check(&cfn, &input, NOW).await.unwrap_err().name(),
        "Transient"
    );
}

#[tokio::test]
async fn waiting_for_another_operation_deploys_once_it_ends() {
    let describe = polled(&["UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE"]);
    let cfn = client(&[&describe]);
    let input = check_input(StackAction::WaitForOther, None);

    let first = check(&cfn, &input, NOW).await.unwrap();
    assert_eq!(
        (first.action, first.next),
        (StackAction::WaitForOther, Next::Wait)
    );
    let second = again(&cfn, &input, first).await.unwrap();
    // Someone else's rollback is not our failure: the stack is free, so deploy.
    assert_eq!(
        (second.action, second.next),
        (StackAction::WaitForOther, Next::Deploy)
    );
    assert_eq!(second.status.as_deref(), Some("UPDATE_ROLLBACK_COMPLETE"));
}

#[tokio::test]
async fn a_replace_deploys_once_the_delete_finished() {
    let describe = polled(&["DELETE_IN_PROGRESS", "DELETE_COMPLETE"]);
    let cfn = client(&[&describe]);
    let input = check_input(StackAction::Replace, ours(StackAction::Replace));
    let first = check(&cfn, &input, NOW).await.unwrap();
    assert_eq!(
        (first.action, first.next),
        (StackAction::Replace, Next::Wait)
    );
    let second = again(&cfn, &input, first).await.unwrap();
    assert_eq!(
        (second.action, second.next),
        (StackAction::Replace, Next::Deploy)
    );

    // Described by name (no id recorded), a deleted stack no longer exists.
    let absent = absent_rule();
    let cfn = client(&[&absent]);
    let mut by_name = input;
    by_name.stack.stack_id = None;
    let progress = check(&cfn, &by_name, NOW).await.unwrap();
    assert_eq!(progress.next, Next::Deploy);
}

#[tokio::test]
async fn a_failed_delete_during_a_replace_fails_with_its_reason() {
    let describe = describe_rule("DELETE_FAILED");
    let token = ours(StackAction::Replace);
    let events = events_rule(vec![
        event(
            token.as_deref(),
            STACK,
            "AWS::CloudFormation::Stack",
            ResourceStatus::DeleteFailed,
            "resources failed to delete",
        ),
        event(
            token.as_deref(),
            "Bucket",
            "AWS::S3::Bucket",
            ResourceStatus::DeleteFailed,
            "The bucket you tried to delete is not empty",
        ),
        event(
            token.as_deref(),
            STACK,
            "AWS::CloudFormation::Stack",
            ResourceStatus::DeleteInProgress,
            "User Initiated",
        ),
    ]);
    let cfn = client(&[&describe, &events]);
    let err = check(&cfn, &check_input(StackAction::Replace, token), NOW)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        Error::StackFailed(
            "DELETE_FAILED: Bucket (AWS::S3::Bucket) DELETE_FAILED: The bucket you tried to delete is not empty".into()
        )
    );
}

#[tokio::test]
async fn a_replace_whose_delete_never_started_fails_rather_than_looping() {
    let err = check_status("ROLLBACK_COMPLETE", StackAction::Replace, NOW)
        .await
        .unwrap_err();
    assert_eq!(err.name(), "StackFailed");
    assert!(err.message().contains("did not take place"), "{err}");
}

#[tokio::test]
async fn past_the_deadline_a_busy_stack_times_out() {
    for action in [
        StackAction::Create,
        StackAction::WaitForOther,
        StackAction::Replace,
    ] {
        let (describe, events) = (
            describe_rule("UPDATE_ROLLBACK_IN_PROGRESS"),
            foreign_events_rule(),
        );
        let cfn = client(&[&describe, &events]);
        let err = check(&cfn, &check_input(action, ours(action)), DEADLINE + 1)
            .await
            .unwrap_err();
        assert_eq!(err.name(), "StackTimedOut", "{action:?}");
        assert!(
            err.message().starts_with(
                "stack app did not settle within timeoutMinutes (60 minutes): it is still \
                 in UPDATE_ROLLBACK_IN_PROGRESS."
            ),
            "{action:?}: {err}"
        );
    }
}

#[tokio::test]
async fn a_stack_that_finished_is_judged_even_past_the_deadline() {
    let progress = check_status("UPDATE_COMPLETE", StackAction::Update, DEADLINE + 1)
        .await
        .unwrap();
    assert_eq!(progress.next, Next::Succeed);
}

#[tokio::test]
async fn a_stack_that_vanished_while_we_worked_on_it_fails() {
    let absent = absent_rule();
    let cfn = client(&[&absent]);
    let err = check(
        &cfn,
        &check_input(StackAction::Create, ours(StackAction::Create)),
        NOW,
    )
    .await
    .unwrap_err();
    assert_eq!(
        err,
        Error::StackFailed(
            "stack app no longer exists: it was deleted while this deployment created it".into()
        )
    );

    let deleted = describe_rule("DELETE_COMPLETE");
    let err = check_with(&[&deleted], StackAction::Update, NOW)
        .await
        .unwrap_err();
    assert!(
        err.message()
            .contains("deleted while this deployment updated it"),
        "{err}"
    );
}

#[tokio::test]
async fn a_throttled_describe_is_transient() {
    let describe = mock!(Client::describe_stacks)
        .then_error(|| DescribeStacksError::generic(service_error("Throttling", "Rate exceeded")));
    let err = check_with(&[&describe], StackAction::Create, NOW)
        .await
        .unwrap_err();
    assert_eq!(err.name(), "Transient");
}

#[test]
fn stack_status_from_fixture_is_the_sdk_variant() {
    // Guards the fixtures: a typo in a status string would make every test above vacuous.
    assert_eq!(
        stack("UPDATE_ROLLBACK_COMPLETE").stack_status(),
        Some(&StackStatus::UpdateRollbackComplete)
    );
}

fn answering(hand_over_at: i64) -> Option<crate::contract::CurrentJob> {
    Some(crate::contract::CurrentJob {
        job_id: JOB.to_string(),
        hand_over_at,
    })
}

#[tokio::test]
async fn the_wait_grows_with_the_operations_age_up_to_the_cap() {
    for (age, expected) in [(100, 15), (300, 30), (5_000, 60)] {
        let describe = describe_rule("CREATE_IN_PROGRESS");
        let cfn = client(&[&describe]);
        let mut input = check_input(StackAction::Create, ours(StackAction::Create));
        input.stack.started_at = Some(NOW - age);
        input.current_job = answering(NOW + 900);

        let progress = check(&cfn, &input, NOW).await.unwrap();

        assert_eq!(
            (progress.next, progress.wait_seconds),
            (Next::Wait, expected),
            "{age}"
        );
        assert_eq!(progress.started_at, Some(NOW - age), "{age}");
    }
}

#[tokio::test]
async fn the_wait_never_passes_the_hand_over_time() {
    let describe = describe_rule("CREATE_IN_PROGRESS");
    let cfn = client(&[&describe]);
    let mut input = check_input(StackAction::Create, ours(StackAction::Create));
    input.current_job = answering(NOW + 3);
    let progress = check(&cfn, &input, NOW).await.unwrap();
    assert_eq!((progress.next, progress.wait_seconds), (Next::Wait, 3));
}

#[tokio::test]
async fn a_stack_still_busy_at_the_hand_over_time_is_handed_over() {
    let describe = describe_rule("UPDATE_IN_PROGRESS");
    let cfn = client(&[&describe]);
    let mut input = check_input(StackAction::Update, ours(StackAction::Update));
    input.current_job = answering(NOW);
    let progress = check(&cfn, &input, NOW).await.unwrap();
    assert_eq!((progress.next, progress.wait_seconds), (Next::HandOver, 15));
    assert_eq!(progress.status.as_deref(), Some("UPDATE_IN_PROGRESS"));
}

#[tokio::test]
async fn a_finished_stack_succeeds_even_past_the_hand_over_time() {
    let describe = describe_rule("UPDATE_COMPLETE");
    let cfn = client(&[&describe]);
    let mut input = check_input(StackAction::Update, ours(StackAction::Update));
    input.current_job = answering(NOW - 60);
    let progress = check(&cfn, &input, NOW).await.unwrap();
    assert_eq!(progress.next, Next::Succeed);
}

#[tokio::test]
async fn an_execution_without_a_start_time_counts_from_now() {
    let describe = describe_rule("CREATE_IN_PROGRESS");
    let cfn = client(&[&describe]);
    let mut input = check_input(StackAction::Create, ours(StackAction::Create));
    input.stack.started_at = None;
    let progress = check(&cfn, &input, NOW).await.unwrap();
    assert_eq!(progress.started_at, Some(NOW));
    assert_eq!(progress.wait_seconds, 15);
}
