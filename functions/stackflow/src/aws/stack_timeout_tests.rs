#![allow(clippy::unwrap_used, clippy::expect_used)]

use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsError;
use aws_sdk_cloudformation::types::ResourceStatus;
use aws_smithy_mocks::mock;

use super::*;
use crate::aws::stack_fixtures::*;

const OURS: &str = "stackflow-update-job-1";

fn resource(
    token: &'static str,
    logical: &'static str,
    kind: &'static str,
    status: ResourceStatus,
) -> StackEventFixture {
    (Some(token), logical, kind, status)
}

type StackEventFixture = (
    Option<&'static str>,
    &'static str,
    &'static str,
    ResourceStatus,
);

/// An update's events, newest first: two resources still in progress, one done, then the
/// stack's own start of the operation, then an older operation.
fn update_events(token: &'static str) -> Vec<aws_sdk_cloudformation::types::StackEvent> {
    let stack_kind = "AWS::CloudFormation::Stack";
    [
        resource(
            token,
            "Db",
            "AWS::RDS::DBInstance",
            ResourceStatus::UpdateInProgress,
        ),
        resource(
            token,
            "Queue",
            "AWS::SQS::Queue",
            ResourceStatus::UpdateComplete,
        ),
        resource(
            token,
            "Queue",
            "AWS::SQS::Queue",
            ResourceStatus::UpdateInProgress,
        ),
        resource(
            token,
            "Cache",
            "AWS::ElastiCache::CacheCluster",
            ResourceStatus::UpdateInProgress,
        ),
        resource(token, STACK, stack_kind, ResourceStatus::UpdateInProgress),
        resource(
            "older",
            "Old",
            "AWS::SNS::Topic",
            ResourceStatus::CreateInProgress,
        ),
    ]
    .into_iter()
    .map(|(token, logical, kind, status)| event(token, logical, kind, status, ""))
    .collect()
}

#[tokio::test]
async fn our_slow_operation_is_named_with_what_is_still_in_progress() {
    let events = events_rule(update_events(OURS));
    let cfn = client(&[&events]);
    let err = timed_out(&cfn, &params(), STACK_ID, "UPDATE_IN_PROGRESS", Some(OURS)).await;
    assert_eq!(err.name(), "StackTimedOut");
    let message = err.message();
    for part in [
        "stack app did not settle within timeoutMinutes (60 minutes)",
        "UPDATE_IN_PROGRESS",
        "this deployment's own (ClientRequestToken stackflow-update-job-1)",
        "Still in progress: Db (AWS::RDS::DBInstance), Cache (AWS::ElastiCache::CacheCluster).",
        "CloudFormation carries on",
        "raise \"timeoutMinutes\"",
    ] {
        assert!(message.contains(part), "{part:?} not in {message}");
    }
    assert!(
        !message.contains("Queue"),
        "a finished resource is named: {message}"
    );
    assert!(
        !message.contains("Old"),
        "an older operation is read: {message}"
    );
}

#[tokio::test]
async fn another_operation_that_held_the_stack_is_told_apart() {
    let events = events_rule(update_events("Console-UpdateStack-42"));
    let cfn = client(&[&events]);
    // Waiting for another operation: this deployment has no token of its own yet.
    for our_token in [None, Some(OURS)] {
        let message = timed_out(&cfn, &params(), STACK, "UPDATE_IN_PROGRESS", our_token)
            .await
            .message();
        assert!(
            message.contains("not this deployment's (ClientRequestToken Console-UpdateStack-42)"),
            "{message}"
        );
        assert!(
            message.contains("this deployment's template was not applied"),
            "{message}"
        );
        assert!(message.contains("then run the stage again"), "{message}");
    }
}

#[tokio::test]
async fn unreadable_events_still_report_the_timeout() {
    let events = mock!(Client::describe_stack_events).then_error(|| {
        DescribeStackEventsError::generic(
            aws_smithy_types::error::ErrorMetadata::builder()
                .code("AccessDenied")
                .message("no")
                .build(),
        )
    });
    let cfn = client(&[&events]);
    let err = timed_out(&cfn, &params(), STACK, "CREATE_IN_PROGRESS", Some(OURS)).await;
    assert_eq!(err.name(), "StackTimedOut");
    assert!(
        err.message()
            .contains("could not be read from the stack events"),
        "{err}"
    );
    assert!(err.message().contains("CloudFormation carries on"), "{err}");
}

#[test]
fn many_resources_are_counted_not_listed() {
    let operation = CurrentOperation {
        token: Some(OURS.to_string()),
        in_progress: (0..8).map(|i| format!("R{i} (AWS::SQS::Queue)")).collect(),
    };
    let mut params = params();
    params.timeout_minutes = 1;
    let message = timeout_message(&params, "CREATE_IN_PROGRESS", Some(OURS), Some(&operation));
    assert!(message.contains("(1 minute)"), "{message}");
    assert!(
        message.contains("R4 (AWS::SQS::Queue) and 3 more."),
        "{message}"
    );
    assert!(!message.contains("R5"), "{message}");
}
