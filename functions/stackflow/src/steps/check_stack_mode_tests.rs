#![allow(clippy::unwrap_used, clippy::expect_used)]

use aws_sdk_cloudformation::operation::delete_change_set::DeleteChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::types::{ChangeAction, ChangeSetStatus, ResourceStatus};
use aws_smithy_mocks::{mock, Rule};

use super::*;
use crate::aws::client_token::token_for;
use crate::aws::stack_fixtures::*;
use crate::contract::ChangeSetReport;

const CHANGE_SET_ID: &str =
    "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/review-1/0000-1111";

async fn check(cfn: &Client, input: &CheckInput) -> Result<StackProgress, Error> {
    super::check(cfn, &staging(), input, NOW).await
}

fn watching_change_set() -> CheckInput {
    let mut input = check_input(StackAction::CreateChangeSet, None);
    input.stack.change_set = Some(ChangeSetReport::new(CHANGE_SET_ID, "review-1", "UPDATE"));
    input
}

fn change_set(status: ChangeSetStatus, reason: &'static str) -> Rule {
    mock!(Client::describe_change_set)
        .match_requests(|req| req.change_set_name() == Some(CHANGE_SET_ID))
        .then_output(move || {
            DescribeChangeSetOutput::builder()
                .change_set_id(CHANGE_SET_ID)
                .status(status.clone())
                .status_reason(reason)
                .changes(queue_change(ChangeAction::Add, "Queue", None))
                .build()
        })
}

#[tokio::test]
async fn a_change_set_being_created_is_waited_for() {
    let rule = change_set(ChangeSetStatus::CreateInProgress, "");
    let progress = check(&client(&[&rule]), &watching_change_set())
        .await
        .unwrap();
    assert_eq!(progress.next, Next::Wait);
    assert!(progress.wait_seconds > 0);
}

#[tokio::test]
async fn a_ready_change_set_succeeds_with_its_changes_counted() {
    let (rule, stack) = (
        change_set(ChangeSetStatus::CreateComplete, ""),
        describe_rule("UPDATE_COMPLETE"),
    );
    let progress = check(&client(&[&rule, &stack]), &watching_change_set())
        .await
        .unwrap();
    assert_eq!(progress.next, Next::Succeed);
    let report = progress.change_set.unwrap();
    assert_eq!(report.counts_text(), "1 to add, 0 to modify, 0 to remove");
    assert_eq!(report.changes, ["Add Queue (AWS::SQS::Queue)"]);
}

#[tokio::test]
async fn an_empty_change_set_is_deleted_and_is_no_changes() {
    let rule = change_set(
        ChangeSetStatus::Failed,
        "The submitted information didn't contain changes. Submit different information to \
         create a change set.",
    );
    let deleted = mock!(Client::delete_change_set)
        .match_requests(|req| req.change_set_name() == Some(CHANGE_SET_ID))
        .then_output(|| DeleteChangeSetOutput::builder().build());
    let progress = check(&client(&[&rule, &deleted]), &watching_change_set())
        .await
        .unwrap();
    assert_eq!(deleted.num_calls(), 1);
    assert_eq!(
        (progress.action, progress.next),
        (StackAction::NoChanges, Next::Succeed)
    );
    let report = progress.change_set.unwrap();
    assert!(report.id.is_empty() && report.is_empty());
}

#[tokio::test]
async fn a_change_set_cloudformation_refused_fails_with_its_reason() {
    let rule = change_set(ChangeSetStatus::Failed, "Template format error: bad");
    let err = check(&client(&[&rule]), &watching_change_set())
        .await
        .unwrap_err();
    assert_eq!(err.name(), "TemplateInvalid");
    assert_eq!(
        err.message(),
        "CloudFormation could not create change set review-1 for stack app: Template format \
         error: bad"
    );
}

#[tokio::test]
async fn a_deleted_stack_is_the_delete_succeeding() {
    let input = check_input(StackAction::Delete, token_for(StackAction::Delete, JOB));
    let progress = check(&client(&[&describe_rule("DELETE_COMPLETE")]), &input)
        .await
        .unwrap();
    assert_eq!(progress.next, Next::Succeed);
    assert!(progress.outputs.is_empty());
}

#[tokio::test]
async fn a_failed_delete_names_the_first_resource_that_would_not_go() {
    let token = token_for(StackAction::Delete, JOB);
    let events = events_rule(vec![event(
        token.as_deref(),
        "Bucket",
        "AWS::S3::Bucket",
        ResourceStatus::DeleteFailed,
        "The bucket you tried to delete is not empty",
    )]);
    let input = check_input(StackAction::Delete, token);
    let err = check(&client(&[&describe_rule("DELETE_FAILED"), &events]), &input)
        .await
        .unwrap_err();
    assert_eq!(err.name(), "StackFailed");
    assert!(
        err.message().contains(
            "Bucket (AWS::S3::Bucket) DELETE_FAILED: The bucket you tried to delete is not empty"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn an_executed_change_sets_new_stack_still_in_review_is_waited_for() {
    let input = check_input(
        StackAction::ExecuteChangeSet,
        token_for(StackAction::ExecuteChangeSet, JOB),
    );
    let progress = check(&client(&[&describe_rule("REVIEW_IN_PROGRESS")]), &input)
        .await
        .unwrap();
    assert_eq!(progress.next, Next::Wait);
}
