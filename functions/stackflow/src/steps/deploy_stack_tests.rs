#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use aws_sdk_cloudformation::operation::create_stack::CreateStackOutput;
use aws_sdk_cloudformation::operation::delete_stack::DeleteStackOutput;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError;
use aws_sdk_cloudformation::operation::update_stack::UpdateStackOutput;
use aws_sdk_cloudformation::types::error::{
    AlreadyExistsException, InsufficientCapabilitiesException, TokenAlreadyExistsException,
};
use aws_sdk_cloudformation::types::ResourceStatus;
use aws_smithy_mocks::{mock, Rule};

use crate::aws::stack_fixtures::*;

/// DeployStack under a stackflow deployment that allows the fixtures' role (and another),
/// with the staging bucket holding the values of `deploy_input()`.
async fn deploy(cfn: &Client, input: &DeployInput, now: i64) -> Result<StackProgress, Error> {
    super::deploy(cfn, &staging(), &service_roles(), input, now).await
}

fn create_token() -> String {
    format!("stackflow-create-{JOB}")
}

fn update_token() -> String {
    format!("stackflow-update-{JOB}")
}

fn delete_token() -> String {
    format!("stackflow-delete-{JOB}")
}

/// Whether a CreateStack or UpdateStack request carries everything `deploy_input()` says,
/// with the client request token `token`. A macro: the two request types have the same
/// accessors but no trait in common.
macro_rules! carries_the_deployment {
    ($req:expr, $token:expr) => {{
        let req = $req;
        let parameters: Vec<(Option<&str>, Option<&str>)> = req
            .parameters()
            .iter()
            .map(|p| (p.parameter_key(), p.parameter_value()))
            .collect();
        let capabilities: Vec<&str> = req.capabilities().iter().map(|c| c.as_str()).collect();
        let tags: Vec<(Option<&str>, Option<&str>)> =
            req.tags().iter().map(|t| (t.key(), t.value())).collect();
        req.stack_name() == Some(STACK)
            && req.template_url() == Some(TEMPLATE_URL)
            && req.template_body().is_none()
            && parameters
                == [
                    (Some("Env"), Some("prod")),
                    (Some("QueueName"), Some("orders")),
                ]
            && capabilities == ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]
            && req.role_arn() == Some(ROLE_ARN)
            && tags == [(Some("team"), Some("payments"))]
            && req.stack_policy_body() == Some(POLICY)
            && req.client_request_token() == Some($token.as_str())
    }};
}

fn ok_create() -> Rule {
    mock!(Client::create_stack)
        .then_output(|| CreateStackOutput::builder().stack_id(STACK_ID).build())
}

fn ok_update() -> Rule {
    mock!(Client::update_stack)
        .then_output(|| UpdateStackOutput::builder().stack_id(STACK_ID).build())
}

fn ok_delete() -> Rule {
    mock!(Client::delete_stack).then_output(|| DeleteStackOutput::builder().build())
}

fn update_error(code: &'static str, message: &'static str) -> Rule {
    mock!(Client::update_stack)
        .then_error(move || UpdateStackError::generic(service_error(code, message)))
}

fn create_error(code: &'static str, message: &'static str) -> Rule {
    mock!(Client::create_stack)
        .then_error(move || CreateStackError::generic(service_error(code, message)))
}

/// The calls that change a stack, to prove none was made.
struct Mutations {
    create: Rule,
    update: Rule,
    delete: Rule,
}

impl Mutations {
    fn new() -> Self {
        Self {
            create: ok_create(),
            update: ok_update(),
            delete: ok_delete(),
        }
    }

    fn counts(&self) -> (usize, usize, usize) {
        (
            self.create.num_calls(),
            self.update.num_calls(),
            self.delete.num_calls(),
        )
    }
}

#[tokio::test]
async fn an_absent_stack_is_created_with_everything_the_deployment_says() {
    let create = mock!(Client::create_stack)
        .match_requests(|req| carries_the_deployment!(req, create_token()))
        .then_output(|| CreateStackOutput::builder().stack_id(STACK_ID).build());
    let absent = absent_rule();
    let cfn = client(&[&absent, &create]);

    let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();

    assert_eq!(create.num_calls(), 1);
    assert_eq!(progress.action, StackAction::Create);
    assert_eq!(progress.next, Next::Wait);
    assert_eq!(progress.stack_name, STACK);
    assert_eq!(progress.stack_id.as_deref(), Some(STACK_ID));
    assert_eq!(progress.client_request_token, Some(create_token()));
}

#[tokio::test]
async fn review_in_progress_and_delete_complete_stacks_are_created() {
    for status in ["REVIEW_IN_PROGRESS", "DELETE_COMPLETE"] {
        let m = Mutations::new();
        let describe = describe_rule(status);
        let events = foreign_events_rule();
        let cfn = client(&[&describe, &events, &m.create, &m.update, &m.delete]);
        let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();
        assert_eq!(
            (progress.action, progress.next),
            (StackAction::Create, Next::Wait),
            "{status}"
        );
        assert_eq!(m.counts(), (1, 0, 0), "{status}");
    }
}

#[tokio::test]
async fn updatable_stacks_are_updated_with_everything_the_deployment_says() {
    for status in [
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_ROLLBACK_COMPLETE",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
    ] {
        let update = mock!(Client::update_stack)
            .match_requests(|req| {
                carries_the_deployment!(req, update_token())
                    && req.use_previous_template().is_none()
            })
            .then_output(|| UpdateStackOutput::builder().stack_id(STACK_ID).build());
        let (describe, events, create, delete) = (
            describe_rule(status),
            foreign_events_rule(),
            ok_create(),
            ok_delete(),
        );
        let cfn = client(&[&describe, &events, &update, &create, &delete]);

        let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();

        assert_eq!(
            (progress.action, progress.next),
            (StackAction::Update, Next::Wait),
            "{status}"
        );
        assert_eq!(progress.stack_id.as_deref(), Some(STACK_ID));
        assert_eq!(progress.client_request_token, Some(update_token()));
        assert_eq!(
            (update.num_calls(), create.num_calls(), delete.num_calls()),
            (1, 0, 0),
            "{status}"
        );
    }
}

#[tokio::test]
async fn empty_parameters_tags_and_capabilities_are_left_out() {
    // An empty Tags list on UpdateStack would strip the stack's tags. Without a roleArn the
    // default service role is used: never none.
    let update = mock!(Client::update_stack)
        .match_requests(|req| {
            req.tags.is_none()
                && req.parameters.is_none()
                && req.capabilities.is_none()
                && req.role_arn() == Some(ROLE_ARN)
        })
        .then_output(|| UpdateStackOutput::builder().stack_id(STACK_ID).build());
    let (describe, events) = (describe_rule("UPDATE_COMPLETE"), foreign_events_rule());
    let cfn = client(&[&describe, &events, &update]);
    let mut input = deploy_input();
    let template = input.template.as_mut().unwrap();
    template.tags.clear();
    template.parameter_names.clear();
    input.params.capabilities.clear();
    input.params.role_arn = None;

    deploy(&cfn, &input, NOW).await.unwrap();
    assert_eq!(update.num_calls(), 1);
}

#[tokio::test]
async fn no_updates_to_perform_succeeds_with_the_current_outputs() {
    let (describe, events) = (
        describe_rule("UPDATE_ROLLBACK_COMPLETE"),
        foreign_events_rule(),
    );
    let update = update_error("ValidationError", "No updates are to be performed.");
    let cfn = client(&[&describe, &events, &update]);

    let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();

    assert_eq!(progress.action, StackAction::NoChanges);
    assert_eq!(progress.next, Next::Succeed);
    assert_eq!(progress.status.as_deref(), Some("UPDATE_ROLLBACK_COMPLETE"));
    assert_eq!(
        progress.outputs.get("QueueUrl").map(String::as_str),
        Some("https://sqs/orders")
    );
    assert_eq!(
        progress.outputs.get("QueueArn").map(String::as_str),
        Some("arn:aws:sqs:orders")
    );
}

/// The statuses of a stack that never finished creating: replaced when asked, refused
/// otherwise.
const NOT_UPDATABLE: &[&str] = &["ROLLBACK_COMPLETE", "CREATE_FAILED", "ROLLBACK_FAILED"];

#[tokio::test]
async fn failed_stacks_are_refused_without_replace_on_failure() {
    for status in NOT_UPDATABLE {
        let m = Mutations::new();
        let (describe, events) = (describe_rule(status), foreign_events_rule());
        let cfn = client(&[&describe, &events, &m.create, &m.update, &m.delete]);

        let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();

        assert_eq!(err.name(), "StackNotUpdatable", "{status}: {err:?}");
        let message = err.message();
        assert!(
            message.contains(&format!("stack app is in {status}")),
            "{message}"
        );
        assert!(message.contains("delete the stack"), "{message}");
        assert!(message.contains("\"replaceOnFailure\": true"), "{message}");
        assert_eq!(m.counts(), (0, 0, 0), "{status}");
    }
}

#[tokio::test]
async fn rollback_complete_tells_why_it_cannot_be_updated() {
    let (describe, events) = (describe_rule("ROLLBACK_COMPLETE"), foreign_events_rule());
    let cfn = client(&[&describe, &events]);
    let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();
    assert!(
        err.message()
            .contains("its creation failed and was rolled back"),
        "{err}"
    );
}

#[tokio::test]
async fn failed_stacks_are_deleted_by_id_with_replace_on_failure() {
    for status in NOT_UPDATABLE {
        let delete = mock!(Client::delete_stack)
            .match_requests(|req| {
                req.stack_name() == Some(STACK_ID)
                    && req.role_arn() == Some(ROLE_ARN)
                    && req.client_request_token() == Some(delete_token().as_str())
            })
            .then_output(|| DeleteStackOutput::builder().build());
        let (describe, events, create, update) = (
            describe_rule(status),
            foreign_events_rule(),
            ok_create(),
            ok_update(),
        );
        let cfn = client(&[&describe, &events, &delete, &create, &update]);
        let mut input = deploy_input();
        input.params.replace_on_failure = true;

        let progress = deploy(&cfn, &input, NOW).await.unwrap();

        assert_eq!(
            (progress.action, progress.next),
            (StackAction::Replace, Next::Wait),
            "{status}"
        );
        assert_eq!(progress.status.as_deref(), Some(*status));
        assert_eq!(progress.stack_id.as_deref(), Some(STACK_ID));
        assert_eq!(progress.client_request_token, Some(delete_token()));
        assert_eq!(
            (delete.num_calls(), create.num_calls(), update.num_calls()),
            (1, 0, 0),
            "{status}"
        );
    }
}

#[tokio::test]
async fn a_refused_delete_is_not_updatable() {
    let (describe, events) = (describe_rule("ROLLBACK_COMPLETE"), foreign_events_rule());
    let delete = mock!(Client::delete_stack).then_error(|| {
        DeleteStackError::generic(service_error(
            "ValidationError",
            "Stack [app] cannot be deleted while TerminationProtection is enabled",
        ))
    });
    let cfn = client(&[&describe, &events, &delete]);
    let mut input = deploy_input();
    input.params.replace_on_failure = true;

    let err = deploy(&cfn, &input, NOW).await.unwrap_err();
    assert_eq!(err.name(), "StackNotUpdatable");
    assert!(err.message().contains("TerminationProtection"), "{err}");
}

const BUSY: &[&str] = &[
    "CREATE_IN_PROGRESS",
    "UPDATE_IN_PROGRESS",
    "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
    "UPDATE_ROLLBACK_IN_PROGRESS",
    "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
    "ROLLBACK_IN_PROGRESS",
    "DELETE_IN_PROGRESS",
    "IMPORT_IN_PROGRESS",
    "IMPORT_ROLLBACK_IN_PROGRESS",
];

#[tokio::test]
async fn a_busy_stack_is_waited_for_without_a_call() {
    for status in BUSY {
        let m = Mutations::new();
        let (describe, events) = (describe_rule(status), foreign_events_rule());
        let cfn = client(&[&describe, &events, &m.create, &m.update, &m.delete]);

        let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();

        assert_eq!(
            (progress.action, progress.next),
            (StackAction::WaitForOther, Next::Wait),
            "{status}"
        );
        assert_eq!(progress.status.as_deref(), Some(*status));
        assert_eq!(progress.client_request_token, None);
        assert_eq!(m.counts(), (0, 0, 0), "{status}");
    }
}

#[tokio::test]
async fn a_busy_stack_past_the_deadline_times_out() {
    let (describe, events) = (describe_rule("UPDATE_IN_PROGRESS"), foreign_events_rule());
    let cfn = client(&[&describe, &events]);
    let err = deploy(&cfn, &deploy_input(), DEADLINE + 1)
        .await
        .unwrap_err();
    assert_eq!(err.name(), "StackTimedOut");
    let message = err.message();
    assert!(
        message.starts_with(
            "stack app did not settle within timeoutMinutes (60 minutes): it is still in \
             UPDATE_IN_PROGRESS. The operation in progress is not this deployment's \
             (ClientRequestToken Console-UpdateStack-1234)"
        ),
        "{message}"
    );
    // At the deadline itself it still waits, for the other operation.
    let progress = deploy(&cfn, &deploy_input(), DEADLINE).await.unwrap();
    assert_eq!(
        (progress.action, progress.next),
        (StackAction::WaitForOther, Next::Wait)
    );
    assert_eq!(progress.status.as_deref(), Some("UPDATE_IN_PROGRESS"));
}

#[tokio::test]
async fn a_retried_step_watches_its_own_create_instead_of_waiting_for_another() {
    let m = Mutations::new();
    let describe = describe_rule("CREATE_IN_PROGRESS");
    let events = events_rule(vec![event(
        Some(&create_token()),
        STACK,
        "AWS::CloudFormation::Stack",
        ResourceStatus::CreateInProgress,
        "User Initiated",
    )]);
    let cfn = client(&[&describe, &events, &m.create, &m.update, &m.delete]);

    let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();

    assert_eq!(
        (progress.action, progress.next),
        (StackAction::Create, Next::Wait)
    );
    assert_eq!(progress.client_request_token, Some(create_token()));
    assert_eq!(m.counts(), (0, 0, 0));
}

#[tokio::test]
async fn a_retried_step_whose_create_failed_reports_it_rather_than_replacing_it() {
    // Our own create already rolled back: CheckStack reports its failure; deleting it and
    // creating again would hide the cause.
    let m = Mutations::new();
    let describe = describe_rule("ROLLBACK_COMPLETE");
    let events = events_rule(vec![event(
        Some(&create_token()),
        STACK,
        "AWS::CloudFormation::Stack",
        ResourceStatus::RollbackComplete,
        "",
    )]);
    let cfn = client(&[&describe, &events, &m.create, &m.update, &m.delete]);
    let mut input = deploy_input();
    input.params.replace_on_failure = true;

    let progress = deploy(&cfn, &input, NOW).await.unwrap();

    assert_eq!(
        (progress.action, progress.next),
        (StackAction::Create, Next::Wait)
    );
    assert_eq!(m.counts(), (0, 0, 0));
}

#[tokio::test]
async fn a_retried_step_watches_its_own_update_and_delete() {
    for (status, token, action) in [
        ("UPDATE_IN_PROGRESS", update_token(), StackAction::Update),
        ("DELETE_IN_PROGRESS", delete_token(), StackAction::Replace),
    ] {
        let m = Mutations::new();
        let describe = describe_rule(status);
        let events = events_rule(vec![event(
            Some(&token),
            STACK,
            "AWS::CloudFormation::Stack",
            ResourceStatus::UpdateInProgress,
            "",
        )]);
        let cfn = client(&[&describe, &events, &m.create, &m.update, &m.delete]);
        let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();
        assert_eq!(
            (progress.action, progress.next),
            (action, Next::Wait),
            "{status}"
        );
        assert_eq!(progress.client_request_token, Some(token));
        assert_eq!(m.counts(), (0, 0, 0), "{status}");
    }
}

#[tokio::test]
async fn another_jobs_token_is_not_ours() {
    let describe = describe_rule("UPDATE_IN_PROGRESS");
    let events = events_rule(vec![event(
        Some("stackflow-update-another-job"),
        STACK,
        "AWS::CloudFormation::Stack",
        ResourceStatus::UpdateInProgress,
        "",
    )]);
    let cfn = client(&[&describe, &events]);
    let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();
    assert_eq!(progress.action, StackAction::WaitForOther);
}

#[tokio::test]
async fn a_create_that_finds_its_own_stack_after_a_lost_answer_is_started() {
    // The stack was absent, the create's answer got lost, and the retried CreateStack finds
    // the stack: its newest event carries our token.
    let absent = absent_rule();
    let create = mock!(Client::create_stack).then_error(|| {
        CreateStackError::AlreadyExistsException(AlreadyExistsException::builder().build())
    });
    let events = events_rule(vec![event(
        Some(&create_token()),
        STACK,
        "AWS::CloudFormation::Stack",
        ResourceStatus::CreateInProgress,
        "User Initiated",
    )]);
    let cfn = client(&[&absent, &create, &events]);

    let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();

    assert_eq!(
        (progress.action, progress.next),
        (StackAction::Create, Next::Wait)
    );
    assert_eq!(progress.client_request_token, Some(create_token()));
}

#[tokio::test]
async fn a_stack_someone_else_created_meanwhile_is_waited_for() {
    let absent = absent_rule();
    let create = mock!(Client::create_stack).then_error(|| {
        CreateStackError::AlreadyExistsException(AlreadyExistsException::builder().build())
    });
    let events = foreign_events_rule();
    let cfn = client(&[&absent, &create, &events]);

    let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();

    assert_eq!(
        (progress.action, progress.next),
        (StackAction::WaitForOther, Next::Wait)
    );
}

#[tokio::test]
async fn a_review_in_progress_stack_create_cannot_take_over_is_not_updatable() {
    let describe = describe_rule("REVIEW_IN_PROGRESS");
    let create = mock!(Client::create_stack).then_error(|| {
        CreateStackError::AlreadyExistsException(AlreadyExistsException::builder().build())
    });
    let events = events_rule(vec![]);
    let cfn = client(&[&describe, &create, &events]);

    let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();
    assert_eq!(err.name(), "StackNotUpdatable");
    assert!(err.message().contains("REVIEW_IN_PROGRESS"), "{err}");
}

#[tokio::test]
async fn a_token_cloudformation_already_saw_means_started() {
    let absent = absent_rule();
    let create = mock!(Client::create_stack).then_error(|| {
        CreateStackError::TokenAlreadyExistsException(
            TokenAlreadyExistsException::builder().build(),
        )
    });
    let cfn = client(&[&absent, &create]);
    let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();
    assert_eq!(
        (progress.action, progress.next),
        (StackAction::Create, Next::Wait)
    );

    let (describe, events) = (describe_rule("UPDATE_COMPLETE"), foreign_events_rule());
    let update = mock!(Client::update_stack).then_error(|| {
        UpdateStackError::TokenAlreadyExistsException(
            TokenAlreadyExistsException::builder().build(),
        )
    });
    let cfn = client(&[&describe, &events, &update]);
    let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();
    assert_eq!(
        (progress.action, progress.next),
        (StackAction::Update, Next::Wait)
    );
}

#[path = "deploy_stack_failure_tests.rs"]
mod failure;
