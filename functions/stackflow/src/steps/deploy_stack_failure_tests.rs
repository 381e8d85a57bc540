#![allow(clippy::unwrap_used, clippy::expect_used)]

//! DeployStack's answers when CloudFormation refuses, at the hand-over time, on failed stacks
//! and for roles outside the allowed list.

use super::*;

#[tokio::test]
async fn a_rejected_template_is_template_invalid_with_cloudformations_message() {
    let absent = absent_rule();
    let create = create_error(
        "ValidationError",
        "Template format error: Unresolved resource dependencies [Bucket]",
    );
    let cfn = client(&[&absent, &create]);
    let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();
    assert_eq!(
        err,
        Error::TemplateInvalid(
            "CloudFormation rejected the template for stack app: Template format error: \
             Unresolved resource dependencies [Bucket]"
                .into()
        )
    );

    let (describe, events) = (describe_rule("UPDATE_COMPLETE"), foreign_events_rule());
    let update = update_error(
        "ValidationError",
        "Parameters: [QueueName] must have values",
    );
    let cfn = client(&[&describe, &events, &update]);
    let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();
    assert_eq!(err.name(), "TemplateInvalid");
    assert!(
        err.message()
            .contains("Parameters: [QueueName] must have values"),
        "{err}"
    );
}

#[tokio::test]
async fn insufficient_capabilities_says_which_to_add() {
    let absent = absent_rule();
    let create = mock!(Client::create_stack).then_error(|| {
        CreateStackError::InsufficientCapabilitiesException(
            InsufficientCapabilitiesException::builder()
                .message("Requires capabilities : [CAPABILITY_NAMED_IAM]")
                .build(),
        )
    });
    let cfn = client(&[&absent, &create]);
    let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();
    assert_eq!(err.name(), "TemplateInvalid");
    assert!(
        err.message()
            .contains("Add \"CAPABILITY_NAMED_IAM\" to \"capabilities\""),
        "{err}"
    );

    let (describe, events) = (describe_rule("UPDATE_COMPLETE"), foreign_events_rule());
    let update = mock!(Client::update_stack).then_error(|| {
        UpdateStackError::InsufficientCapabilitiesException(
            InsufficientCapabilitiesException::builder()
                .message("Requires capabilities : [CAPABILITY_IAM]")
                .build(),
        )
    });
    let cfn = client(&[&describe, &events, &update]);
    let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();
    assert!(err.message().contains("Add \"CAPABILITY_IAM\" to"), "{err}");
}

#[tokio::test]
async fn an_update_that_races_another_operation_waits_for_it() {
    let (describe, events) = (describe_rule("UPDATE_COMPLETE"), foreign_events_rule());
    let update = update_error(
        "ValidationError",
        "Stack:arn:aws:cloudformation:eu-west-1:123456789012:stack/app/x is in UPDATE_IN_PROGRESS state and can not be updated.",
    );
    let cfn = client(&[&describe, &events, &update]);
    let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();
    assert_eq!(
        (progress.action, progress.next),
        (StackAction::WaitForOther, Next::Wait)
    );
}

#[tokio::test]
async fn access_denied_and_throttling_are_classified() {
    let absent = absent_rule();
    let create = create_error(
        "AccessDenied",
        "User is not authorized to perform cloudformation:CreateStack",
    );
    let cfn = client(&[&absent, &create]);
    assert_eq!(
        deploy(&cfn, &deploy_input(), NOW).await.unwrap_err().name(),
        "AccessDenied"
    );

    let absent = absent_rule();
    let create = create_error("Throttling", "Rate exceeded");
    let cfn = client(&[&absent, &create]);
    assert_eq!(
        deploy(&cfn, &deploy_input(), NOW).await.unwrap_err().name(),
        "Transient"
    );

    let (describe, events) = (describe_rule("UPDATE_COMPLETE"), foreign_events_rule());
    let update = update_error("Throttling", "Rate exceeded");
    let cfn = client(&[&describe, &events, &update]);
    assert_eq!(
        deploy(&cfn, &deploy_input(), NOW).await.unwrap_err().name(),
        "Transient"
    );
}

#[tokio::test]
async fn a_throttled_describe_is_transient() {
    let m = Mutations::new();
    let describe = mock!(Client::describe_stacks)
        .then_error(|| DescribeStacksError::generic(service_error("Throttling", "Rate exceeded")));
    let cfn = client(&[&describe, &m.create, &m.update, &m.delete]);
    let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();
    assert_eq!(err.name(), "Transient");
    assert_eq!(m.counts(), (0, 0, 0));
}

fn answering(hand_over_at: i64) -> Option<crate::contract::CurrentJob> {
    Some(crate::contract::CurrentJob {
        job_id: JOB.to_string(),
        hand_over_at,
    })
}

#[tokio::test]
async fn a_started_operation_records_its_start_and_waits_poll_seconds() {
    let (absent, create) = (absent_rule(), ok_create());
    let cfn = client(&[&absent, &create]);
    let mut input = deploy_input();
    input.current_job = answering(NOW + 900);

    let progress = deploy(&cfn, &input, NOW).await.unwrap();

    assert_eq!(progress.next, Next::Wait);
    assert_eq!(progress.started_at, Some(NOW));
    assert_eq!(progress.wait_seconds, input.params.poll_seconds);
}

#[tokio::test]
async fn the_first_wait_ends_at_the_hand_over_time() {
    let (absent, create) = (absent_rule(), ok_create());
    let cfn = client(&[&absent, &create]);
    let mut input = deploy_input();
    input.current_job = answering(NOW + 4);

    let progress = deploy(&cfn, &input, NOW).await.unwrap();

    assert_eq!((progress.next, progress.wait_seconds), (Next::Wait, 4));
}

#[tokio::test]
async fn past_the_hand_over_time_an_operation_is_started_then_handed_over() {
    for (status, action) in [
        ("UPDATE_COMPLETE", StackAction::Update),
        ("UPDATE_IN_PROGRESS", StackAction::WaitForOther),
    ] {
        let m = Mutations::new();
        let (describe, events) = (describe_rule(status), foreign_events_rule());
        let cfn = client(&[&describe, &events, &m.create, &m.update, &m.delete]);
        let mut input = deploy_input();
        input.current_job = answering(NOW);

        let progress = deploy(&cfn, &input, NOW).await.unwrap();

        assert_eq!((progress.action, progress.next), (action, Next::HandOver));
        assert_eq!(progress.wait_seconds, input.params.poll_seconds);
        assert_eq!(progress.started_at, Some(NOW));
    }
}

#[tokio::test]
async fn nothing_to_do_succeeds_even_past_the_hand_over_time() {
    let (describe, events) = (describe_rule("UPDATE_COMPLETE"), foreign_events_rule());
    let update = update_error("ValidationError", "No updates are to be performed.");
    let cfn = client(&[&describe, &events, &update]);
    let mut input = deploy_input();
    input.current_job = answering(NOW - 60);

    let progress = deploy(&cfn, &input, NOW).await.unwrap();

    assert_eq!(progress.next, Next::Succeed);
    assert_eq!(progress.started_at, None);
}

/// A stack's history: a create that completed (it was live), or one that never did.
fn history(live: bool) -> Rule {
    let stack_kind = "AWS::CloudFormation::Stack";
    let mut events = vec![
        event(
            None,
            STACK,
            stack_kind,
            ResourceStatus::DeleteFailed,
            "Bucket not empty",
        ),
        event(
            None,
            STACK,
            stack_kind,
            ResourceStatus::DeleteInProgress,
            "User Initiated",
        ),
    ];
    if live {
        events.push(event(
            None,
            STACK,
            stack_kind,
            ResourceStatus::CreateComplete,
            "",
        ));
    } else {
        events.push(event(
            None,
            STACK,
            stack_kind,
            ResourceStatus::RollbackComplete,
            "",
        ));
        events.push(event(
            None,
            "Queue",
            "AWS::SQS::Queue",
            ResourceStatus::CreateFailed,
            "bad",
        ));
    }
    events.push(event(
        None,
        STACK,
        stack_kind,
        ResourceStatus::CreateInProgress,
        "User Initiated",
    ));
    events_rule(events)
}

#[tokio::test]
async fn a_delete_failed_stack_that_never_finished_creating_is_replaced_when_asked() {
    let (describe, events, m) = (
        describe_rule("DELETE_FAILED"),
        history(false),
        Mutations::new(),
    );
    let cfn = client(&[&describe, &events, &m.create, &m.update, &m.delete]);
    let mut input = deploy_input();
    input.params.replace_on_failure = true;
    let progress = deploy(&cfn, &input, NOW).await.unwrap();
    assert_eq!(progress.action, StackAction::Replace);
    assert_eq!(m.counts(), (0, 0, 1));

    // Without replaceOnFailure it is refused, and says it may be replaced.
    let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();
    assert_eq!(err.name(), "StackNotUpdatable");
    assert!(err.message().contains("never finished creating"), "{err}");
    assert_eq!(m.counts(), (0, 0, 1));
}

#[tokio::test]
async fn a_delete_failed_stack_that_was_live_is_never_deleted() {
    let (describe, events, m) = (
        describe_rule("DELETE_FAILED"),
        history(true),
        Mutations::new(),
    );
    let cfn = client(&[&describe, &events, &m.create, &m.update, &m.delete]);
    let mut input = deploy_input();
    input.params.replace_on_failure = true;
    let err = deploy(&cfn, &input, NOW).await.unwrap_err();
    assert_eq!(err.name(), "StackNotUpdatable");
    assert!(err.message().contains("had been live"), "{err}");
    assert!(
        err.message()
            .contains("never deletes a stack that was in service"),
        "{err}"
    );
    assert_eq!(m.counts(), (0, 0, 0));
}

#[tokio::test]
async fn an_update_rollback_failed_stack_has_its_rollback_continued_never_deleted() {
    for replace_on_failure in [false, true] {
        let continued = mock!(Client::continue_update_rollback)
            .match_requests(|req| {
                req.stack_name() == Some(STACK_ID)
                    && req.role_arn() == Some(ROLE_ARN)
                    && req.client_request_token()
                        == Some(format!("stackflow-rollback-{JOB}").as_str())
            })
            .then_output(|| {
                aws_sdk_cloudformation::operation::continue_update_rollback::ContinueUpdateRollbackOutput::builder().build()
            });
        let (describe, events, m) = (
            describe_rule("UPDATE_ROLLBACK_FAILED"),
            foreign_events_rule(),
            Mutations::new(),
        );
        let cfn = client(&[
            &describe, &events, &continued, &m.create, &m.update, &m.delete,
        ]);
        let mut input = deploy_input();
        input.params.replace_on_failure = replace_on_failure;

        let progress = deploy(&cfn, &input, NOW).await.unwrap();

        assert_eq!(
            (progress.action, progress.next),
            (StackAction::ContinueRollback, Next::Wait)
        );
        assert_eq!(
            progress.client_request_token.as_deref(),
            Some(format!("stackflow-rollback-{JOB}").as_str())
        );
        assert_eq!(continued.num_calls(), 1);
        assert_eq!(m.counts(), (0, 0, 0));
    }
}

#[tokio::test]
async fn once_the_continued_rollback_has_ended_the_stack_is_updated() {
    let ours = format!("stackflow-rollback-{JOB}");
    let stack_kind = "AWS::CloudFormation::Stack";
    let (describe, update) = (describe_rule("UPDATE_ROLLBACK_COMPLETE"), ok_update());
    let events = events_rule(vec![event(
        Some(ours.as_str()),
        STACK,
        stack_kind,
        ResourceStatus::UpdateRollbackComplete,
        "",
    )]);
    let cfn = client(&[&describe, &events, &update]);

    let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();

    assert_eq!(
        (progress.action, progress.next),
        (StackAction::Update, Next::Wait)
    );
    assert_eq!(update.num_calls(), 1);

    // While it still runs, a retried step watches it instead.
    let (describe, update) = (describe_rule("UPDATE_ROLLBACK_IN_PROGRESS"), ok_update());
    let cfn = client(&[&describe, &events, &update]);
    let progress = deploy(&cfn, &deploy_input(), NOW).await.unwrap();
    assert_eq!(progress.action, StackAction::ContinueRollback);
    assert_eq!(update.num_calls(), 0);
}

#[tokio::test]
async fn a_refused_continue_rollback_says_how_to_recover() {
    let refused = mock!(Client::continue_update_rollback).then_error(|| {
        aws_sdk_cloudformation::operation::continue_update_rollback::ContinueUpdateRollbackError::generic(
            service_error("ValidationError", "Resource Db cannot be rolled back"),
        )
    });
    let (describe, events) = (
        describe_rule("UPDATE_ROLLBACK_FAILED"),
        foreign_events_rule(),
    );
    let cfn = client(&[&describe, &events, &refused]);
    let err = deploy(&cfn, &deploy_input(), NOW).await.unwrap_err();
    assert_eq!(err.name(), "StackNotUpdatable");
    assert!(
        err.message().contains("Resource Db cannot be rolled back"),
        "{err}"
    );
    assert!(err.message().contains("--resources-to-skip"), "{err}");
}

#[tokio::test]
async fn a_role_outside_the_allowed_list_is_never_passed() {
    let m = Mutations::new();
    let absent = describe_rule("DELETE_COMPLETE");
    let cfn = client(&[&absent, &m.create, &m.update, &m.delete]);
    let mut input = deploy_input();
    input.params.role_arn = Some("arn:aws:iam::123456789012:role/admin".to_string());
    let err = deploy(&cfn, &input, NOW).await.unwrap_err();
    assert_eq!(err.name(), "InvalidParameters");
    assert!(err.message().contains("CloudFormationRoleArn"), "{err}");
    assert_eq!(m.counts(), (0, 0, 0));
}
