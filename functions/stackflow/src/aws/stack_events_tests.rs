#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::types::ResourceStatus;
use aws_smithy_mocks::mock;

use crate::aws::stack_fixtures::client;

const OURS: &str = "stackflow-update-job-1";

/// An event of the stack `app` or of a queue in it.
fn event(token: Option<&str>, logical: &str, status: ResourceStatus, reason: &str) -> StackEvent {
    let kind = if logical == "app" {
        "AWS::CloudFormation::Stack"
    } else {
        "AWS::SQS::Queue"
    };
    crate::aws::stack_fixtures::event(token, logical, kind, status, reason)
}

#[test]
fn the_reason_names_the_resource_and_its_failure() {
    let e = event(
        Some(OURS),
        "Queue",
        ResourceStatus::UpdateFailed,
        "Invalid value for VisibilityTimeout",
    );
    assert_eq!(
        failure_reason("UPDATE_ROLLBACK_COMPLETE", Some(&e), Some("ignored")),
        "UPDATE_ROLLBACK_COMPLETE: Queue (AWS::SQS::Queue) UPDATE_FAILED: Invalid value for VisibilityTimeout"
    );
}

#[test]
fn without_an_event_the_stack_status_reason_is_used_then_the_status() {
    assert_eq!(
        failure_reason(
            "ROLLBACK_COMPLETE",
            None,
            Some("The following resource(s) failed to create: [Queue].")
        ),
        "ROLLBACK_COMPLETE: The following resource(s) failed to create: [Queue]."
    );
    assert_eq!(
        failure_reason("ROLLBACK_COMPLETE", None, None),
        "ROLLBACK_COMPLETE"
    );
    assert_eq!(
        failure_reason("ROLLBACK_COMPLETE", None, Some(" ")),
        "ROLLBACK_COMPLETE"
    );
}

#[test]
fn long_reasons_are_cut_and_marked() {
    let e = event(
        Some(OURS),
        "Queue",
        ResourceStatus::CreateFailed,
        &"é".repeat(10_000),
    );
    let reason = failure_reason("ROLLBACK_COMPLETE", Some(&e), None);
    assert_eq!(reason.chars().count(), MAX_REASON_CHARS);
    assert!(reason.ends_with("… (truncated)"));
}

#[tokio::test]
async fn the_first_failure_of_our_operation_is_found_across_pages() {
    // Newest first: a later deployment's failure, then ours (two failures, the older one the
    // cause), then an older deployment's failure.
    let page1 = mock!(Client::describe_stack_events)
        .match_requests(|req| req.stack_name() == Some("stack-id") && req.next_token().is_none())
        .then_output(|| {
            DescribeStackEventsOutput::builder()
                .stack_events(event(
                    Some("other-later"),
                    "Queue",
                    ResourceStatus::UpdateFailed,
                    "later failure",
                ))
                .stack_events(event(
                    Some(OURS),
                    "app",
                    ResourceStatus::UpdateRollbackInProgress,
                    "rolling back",
                ))
                .stack_events(event(
                    Some(OURS),
                    "Topic",
                    ResourceStatus::UpdateFailed,
                    "Resource update cancelled",
                ))
                .next_token("page-2")
                .build()
        });
    let page2 = mock!(Client::describe_stack_events)
        .match_requests(|req| req.next_token() == Some("page-2"))
        .then_output(|| {
            DescribeStackEventsOutput::builder()
                .stack_events(event(
                    Some(OURS),
                    "Queue",
                    ResourceStatus::UpdateFailed,
                    "the cause",
                ))
                .stack_events(event(
                    Some(OURS),
                    "app",
                    ResourceStatus::UpdateInProgress,
                    "User Initiated",
                ))
                .stack_events(event(
                    Some("older"),
                    "Queue",
                    ResourceStatus::CreateFailed,
                    "older failure",
                ))
                .next_token("page-3")
                .build()
        });
    let page3 = mock!(Client::describe_stack_events)
        .match_requests(|req| req.next_token() == Some("page-3"))
        .then_output(|| {
            DescribeStackEventsOutput::builder()
                .stack_events(event(
                    Some(OURS),
                    "Bogus",
                    ResourceStatus::CreateFailed,
                    "never read",
                ))
                .build()
        });
    let cfn = client(&[&page1, &page2, &page3]);
    let found = first_failed_event(&cfn, "stack-id", OURS)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.resource_status_reason(), Some("the cause"));
    assert_eq!(
        page3.num_calls(),
        0,
        "paging stops at events older than ours"
    );
}

#[tokio::test]
async fn a_history_too_long_to_read_counts_as_live() {
    let endless = mock!(Client::describe_stack_events).then_output(|| {
        DescribeStackEventsOutput::builder()
            .stack_events(event(None, "Queue", ResourceStatus::DeleteFailed, "x"))
            .next_token("more")
            .build()
    });
    let cfn = client(&[&endless]);
    assert!(was_live(&cfn, "stack-id").await.unwrap());
    assert_eq!(endless.num_calls(), MAX_HISTORY_PAGES);
}

#[tokio::test]
async fn paging_is_bounded() {
    let endless = mock!(Client::describe_stack_events).then_output(|| {
        DescribeStackEventsOutput::builder()
            .stack_events(event(
                Some("someone-else"),
                "Queue",
                ResourceStatus::UpdateFailed,
                "not ours",
            ))
            .next_token("more")
            .build()
    });
    let cfn = client(&[&endless]);
    assert_eq!(
        first_failed_event(&cfn, "stack-id", OURS).await.unwrap(),
        None
    );
    assert_eq!(endless.num_calls(), MAX_EVENT_PAGES);
}

#[tokio::test]
async fn the_latest_token_is_the_newest_events() {
    let rule = mock!(Client::describe_stack_events).then_output(|| {
        DescribeStackEventsOutput::builder()
            .stack_events(event(
                Some("newest"),
                "app",
                ResourceStatus::UpdateInProgress,
                "",
            ))
            .stack_events(event(
                Some("older"),
                "app",
                ResourceStatus::UpdateComplete,
                "",
            ))
            .build()
    });
    let cfn = client(&[&rule]);
    assert_eq!(
        latest_token(&cfn, "app").await.unwrap().as_deref(),
        Some("newest")
    );
}

#[tokio::test]
async fn the_resources_our_operation_finished_are_counted_once_each() {
    let events = vec![
        event(Some(OURS), "app", ResourceStatus::UpdateComplete, ""),
        event(Some(OURS), "Old", ResourceStatus::DeleteComplete, ""),
        event(Some(OURS), "Queue", ResourceStatus::UpdateComplete, ""),
        event(Some(OURS), "Queue", ResourceStatus::UpdateInProgress, ""),
        event(Some(OURS), "Busy", ResourceStatus::CreateInProgress, ""),
        event(
            Some("someone-else"),
            "Other",
            ResourceStatus::CreateComplete,
            "",
        ),
    ];
    let rule = mock!(Client::describe_stack_events).then_output(move || {
        DescribeStackEventsOutput::builder()
            .set_stack_events(Some(events.clone()))
            .build()
    });
    let done = resources_done(&client(&[&rule]), "app", OURS)
        .await
        .unwrap();
    assert_eq!(done, Some(2));
    // No event of ours: not known, rather than none.
    let other = resources_done(&client(&[&rule]), "app", "stackflow-create-x")
        .await
        .unwrap();
    assert_eq!(other, None);
}

const ALARM: &str = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:app-5xx";

/// The stack's event that starts the rollback, as a rollback alarm causes it (wording
/// inferred: CloudFormation does not document the reason's text).
fn alarm_rollback(reason: &str) -> StackEvent {
    event(
        Some(OURS),
        "app",
        ResourceStatus::UpdateRollbackInProgress,
        reason,
    )
}

#[test]
fn a_rollback_alarm_named_in_the_reason_is_named_first() {
    let started = alarm_rollback(&format!("Alarm(s) in ALARM state: [{ALARM}]"));
    let alarms = [ALARM.to_string(), format!("{ALARM}-other")];
    let reason = alarm_rollback_reason("UPDATE_ROLLBACK_COMPLETE", Some(&started), None, &alarms);
    assert_eq!(
        reason.unwrap(),
        format!(
            "UPDATE_ROLLBACK_COMPLETE: rolled back by rollback alarm {ALARM}: Alarm(s) in ALARM \
             state: [{ALARM}]"
        )
    );
    // By name only, and from the stack's status reason when no event says it.
    let by_name = alarm_rollback_reason(
        "ROLLBACK_COMPLETE",
        None,
        Some("Rollback triggered by alarm app-5xx"),
        &alarms[..1],
    );
    assert!(by_name
        .unwrap()
        .contains(&format!("rollback alarm {ALARM}:")));
}

#[test]
fn an_alarm_reason_naming_none_of_ours_lists_ours_after_it() {
    let started = alarm_rollback("An alarm went into ALARM state");
    let reason = alarm_rollback_reason(
        "UPDATE_ROLLBACK_COMPLETE",
        Some(&started),
        None,
        &[ALARM.to_string()],
    )
    .unwrap();
    assert!(
        reason.ends_with(&format!("(this deployment's rollback alarms: {ALARM})")),
        "{reason}"
    );
    // The stack's own saved triggers, from an earlier deployment.
    let saved = alarm_rollback_reason("UPDATE_ROLLBACK_COMPLETE", Some(&started), None, &[]);
    assert!(saved
        .unwrap()
        .contains("rolled back by a rollback alarm: An alarm went"));
}

#[test]
fn a_rollback_for_another_reason_is_no_alarms_doing() {
    let started = alarm_rollback("The following resource(s) failed to update: [Queue].");
    let reason = alarm_rollback_reason(
        "UPDATE_ROLLBACK_COMPLETE",
        Some(&started),
        Some("Update cancelled by the user"),
        &[ALARM.to_string()],
    );
    assert_eq!(reason, None);
}

#[tokio::test]
async fn one_walk_finds_the_first_failure_and_the_rollbacks_start() {
    let rule = events_page(vec![
        event(
            Some(OURS),
            "app",
            ResourceStatus::UpdateRollbackComplete,
            "",
        ),
        event(
            Some(OURS),
            "Queue",
            ResourceStatus::UpdateFailed,
            "Resource update cancelled",
        ),
        alarm_rollback("alarm"),
        event(
            Some(OURS),
            "app",
            ResourceStatus::UpdateInProgress,
            "User Initiated",
        ),
        event(
            Some("older"),
            "app",
            ResourceStatus::UpdateRollbackInProgress,
            "not ours",
        ),
    ]);
    let cfn = client(&[&rule]);
    let found = failure_events(&cfn, "stack-id", OURS).await.unwrap();
    assert_eq!(
        found.first_failed.unwrap().resource_status_reason(),
        Some("Resource update cancelled")
    );
    assert_eq!(
        found.rollback_started.unwrap().resource_status_reason(),
        Some("alarm")
    );
}

fn events_page(events: Vec<StackEvent>) -> aws_smithy_mocks::Rule {
    crate::aws::stack_fixtures::events_rule(events)
}
