#![allow(clippy::unwrap_used, clippy::expect_used)]

use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_change_set::DeleteChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_stack::DeleteStackOutput;
use aws_sdk_cloudformation::operation::describe_change_set::{
    DescribeChangeSetError, DescribeChangeSetOutput,
};
use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetOutput;
use aws_sdk_cloudformation::types::{ChangeSetStatus, ExecutionStatus};
use aws_smithy_mocks::{mock, Rule};

use super::*;
use crate::aws::stack_fixtures::*;

const CHANGE_SET: &str = "review-1";
const CHANGE_SET_ID: &str =
    "arn:aws:cloudformation:eu-west-1:123456789012:changeSet/review-1/0000-1111";

async fn deploy(cfn: &Client, input: &DeployInput) -> Result<StackProgress, Error> {
    super::deploy(cfn, &staging(), &service_roles(), input, NOW).await
}

fn input(mode: Mode) -> DeployInput {
    let mut input = deploy_input();
    input.params.mode = mode;
    input.params.change_set_name = Some(CHANGE_SET.to_string());
    if !mode.uses_template() {
        input.params.source = None;
        input.template = None;
    }
    input
}

fn for_review() -> DeployInput {
    let mut input = input(Mode::CreateChangeSet);
    if let Some(template) = input.template.as_mut() {
        template.stack_policy_body = None;
    }
    input
}

fn no_change_set() -> Rule {
    mock!(Client::describe_change_set).then_error(|| {
        DescribeChangeSetError::generic(service_error(
            "ChangeSetNotFound",
            "ChangeSet [review-1] does not exist",
        ))
    })
}

fn change_set(status: ChangeSetStatus, execution: ExecutionStatus, description: &str) -> Rule {
    let description = description.to_string();
    mock!(Client::describe_change_set).then_output(move || {
        DescribeChangeSetOutput::builder()
            .change_set_id(CHANGE_SET_ID)
            .change_set_name(CHANGE_SET)
            .stack_id(STACK_ID)
            .status(status.clone())
            .execution_status(execution.clone())
            .status_reason("the reason CloudFormation gave")
            .description(description.clone())
            .build()
    })
}

fn created(kind: &'static str) -> Rule {
    mock!(Client::create_change_set)
        .match_requests(move |req| {
            let parameters: Vec<_> = req.parameters().iter().map(|p| p.parameter_key()).collect();
            req.stack_name() == Some(STACK)
                && req.change_set_name() == Some(CHANGE_SET)
                && req.change_set_type().map(|t| t.as_str()) == Some(kind)
                && req.template_url() == Some(TEMPLATE_URL)
                && parameters == [Some("Env"), Some("QueueName")]
                && req.role_arn() == Some(ROLE_ARN)
                && req.client_token() == Some(format!("stackflow-changeset-{JOB}").as_str())
                && req.description().is_some_and(|d| d.contains(JOB))
        })
        .then_output(|| {
            CreateChangeSetOutput::builder()
                .id(CHANGE_SET_ID)
                .stack_id(STACK_ID)
                .build()
        })
}

#[tokio::test]
async fn a_change_set_for_a_new_stack_is_a_create_change_set() {
    let (create, missing) = (created("CREATE"), no_change_set());
    let cfn = client(&[&absent_rule(), &missing, &create]);
    let progress = deploy(&cfn, &for_review()).await.unwrap();
    assert_eq!(create.num_calls(), 1);
    assert_eq!(progress.action, StackAction::CreateChangeSet);
    assert_eq!(progress.next, Next::Wait);
    let report = progress.change_set.unwrap();
    assert_eq!(
        (report.id.as_str(), report.change_set_type.as_str()),
        (CHANGE_SET_ID, "CREATE")
    );
}

#[tokio::test]
async fn an_older_change_set_of_the_name_is_replaced_on_a_live_stack() {
    let older = change_set(
        ChangeSetStatus::CreateComplete,
        ExecutionStatus::Available,
        "by hand",
    );
    let deleted = mock!(Client::delete_change_set)
        .match_requests(|req| req.change_set_name() == Some(CHANGE_SET_ID))
        .then_output(|| DeleteChangeSetOutput::builder().build());
    let (describe, events, create) = (
        describe_rule("UPDATE_COMPLETE"),
        foreign_events_rule(),
        created("UPDATE"),
    );
    let cfn = client(&[&describe, &events, &older, &deleted, &create]);
    deploy(&cfn, &for_review()).await.unwrap();
    assert_eq!((deleted.num_calls(), create.num_calls()), (1, 1));
}

#[tokio::test]
async fn a_retried_step_watches_its_own_change_set_rather_than_replace_it() {
    let ours = change_set(
        ChangeSetStatus::CreateInProgress,
        ExecutionStatus::Unavailable,
        &format!("Created by stackflow for CodePipeline job {JOB}"),
    );
    let create = created("UPDATE");
    let (describe, events) = (describe_rule("UPDATE_COMPLETE"), foreign_events_rule());
    let cfn = client(&[&describe, &events, &ours, &create]);
    let progress = deploy(&cfn, &for_review()).await.unwrap();
    assert_eq!(create.num_calls(), 0);
    assert_eq!(progress.change_set.unwrap().id, CHANGE_SET_ID);
}

#[tokio::test]
async fn a_stack_policy_cannot_ride_a_change_set_and_says_so() {
    let cfn = client(&[&absent_rule()]);
    let err = deploy(&cfn, &input(Mode::CreateChangeSet))
        .await
        .unwrap_err();
    assert_eq!(err.name(), "InvalidParameters");
    assert!(err.message().contains("StackPolicy"), "{err}");
}

#[tokio::test]
async fn an_available_change_set_is_executed_with_this_jobs_token() {
    let available = change_set(
        ChangeSetStatus::CreateComplete,
        ExecutionStatus::Available,
        "",
    );
    let execute = mock!(Client::execute_change_set)
        .match_requests(|req| {
            req.change_set_name() == Some(CHANGE_SET)
                && req.stack_name() == Some(STACK)
                && req.client_request_token() == Some(format!("stackflow-execute-{JOB}").as_str())
        })
        .then_output(|| ExecuteChangeSetOutput::builder().build());
    let (describe, events) = (describe_rule("REVIEW_IN_PROGRESS"), foreign_events_rule());
    let cfn = client(&[&describe, &events, &available, &execute]);
    let progress = deploy(&cfn, &input(Mode::ExecuteChangeSet)).await.unwrap();
    assert_eq!(execute.num_calls(), 1);
    assert_eq!(progress.action, StackAction::ExecuteChangeSet);
    assert_eq!(progress.next, Next::Wait);
}

#[tokio::test]
async fn a_missing_change_set_names_itself_and_the_stack() {
    let (describe, events, missing) = (
        describe_rule("UPDATE_COMPLETE"),
        foreign_events_rule(),
        no_change_set(),
    );
    let cfn = client(&[&describe, &events, &missing]);
    let err = deploy(&cfn, &input(Mode::ExecuteChangeSet))
        .await
        .unwrap_err();
    assert_eq!(err.name(), "StackNotUpdatable");
    assert!(
        err.message()
            .contains("stack app has no change set named review-1"),
        "{err}"
    );
    // Without the stack, there is no change set either.
    let err = deploy(&client(&[&absent_rule()]), &input(Mode::ExecuteChangeSet))
        .await
        .unwrap_err();
    assert!(
        err.message().contains("no change set named review-1"),
        "{err}"
    );
}

#[tokio::test]
async fn a_change_set_that_cannot_run_says_its_status_and_reason() {
    let failed = change_set(ChangeSetStatus::Failed, ExecutionStatus::Unavailable, "");
    let (describe, events) = (describe_rule("UPDATE_COMPLETE"), foreign_events_rule());
    let cfn = client(&[&describe, &events, &failed]);
    let err = deploy(&cfn, &input(Mode::ExecuteChangeSet))
        .await
        .unwrap_err();
    assert_eq!(
        err.message(),
        "change set review-1 of stack app cannot be executed: its status is FAILED and its \
         execution status UNAVAILABLE (the reason CloudFormation gave)"
    );
}

#[tokio::test]
async fn deleting_a_missing_stack_succeeds_with_nothing_to_delete() {
    let progress = deploy(&client(&[&absent_rule()]), &input(Mode::Delete))
        .await
        .unwrap();
    assert_eq!(progress.action, StackAction::NothingToDelete);
    assert_eq!(progress.next, Next::Succeed);
}

#[tokio::test]
async fn a_stack_is_deleted_by_id_with_the_role_and_a_token_of_its_own() {
    let delete = mock!(Client::delete_stack)
        .match_requests(|req| {
            req.stack_name() == Some(STACK_ID)
                && req.role_arn() == Some(ROLE_ARN)
                && req.client_request_token() == Some(format!("stackflow-teardown-{JOB}").as_str())
        })
        .then_output(|| DeleteStackOutput::builder().build());
    let (describe, events) = (
        describe_rule("UPDATE_ROLLBACK_COMPLETE"),
        foreign_events_rule(),
    );
    let cfn = client(&[&describe, &events, &delete]);
    let progress = deploy(&cfn, &input(Mode::Delete)).await.unwrap();
    assert_eq!(delete.num_calls(), 1);
    assert_eq!(
        (progress.action, progress.next),
        (StackAction::Delete, Next::Wait)
    );
}

#[tokio::test]
async fn a_protected_stack_is_not_deleted_and_the_job_says_how_to_let_it_go() {
    let protected = mock!(Client::describe_stacks).then_output(|| {
        let mut stack = stack("CREATE_COMPLETE");
        stack.enable_termination_protection = Some(true);
        described(stack)
    });
    let delete = mock!(Client::delete_stack).then_output(|| DeleteStackOutput::builder().build());
    let cfn = client(&[&protected, &foreign_events_rule(), &delete]);
    let err = deploy(&cfn, &input(Mode::Delete)).await.unwrap_err();
    assert_eq!(delete.num_calls(), 0);
    assert_eq!(err.name(), "StackNotUpdatable");
    assert!(err.message().contains("termination protection"), "{err}");
}
