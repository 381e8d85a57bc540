#![allow(clippy::unwrap_used, clippy::expect_used)]

use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput;
use aws_sdk_cloudformation::operation::create_stack::CreateStackOutput;
use aws_sdk_cloudformation::operation::describe_change_set::{
    DescribeChangeSetError, DescribeChangeSetOutput,
};
use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetOutput;
use aws_sdk_cloudformation::operation::update_stack::UpdateStackOutput;
use aws_sdk_cloudformation::operation::update_termination_protection::UpdateTerminationProtectionOutput;
use aws_sdk_cloudformation::types::{ChangeSetStatus, ExecutionStatus, RollbackConfiguration};
use aws_smithy_mocks::{mock, Rule};

use super::*;
use crate::aws::stack_fixtures::*;
use crate::contract::{OnFailure, StackOptions};

const ALARM: &str = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:app-5xx";
const TOPIC: &str = "arn:aws:sns:eu-west-1:123456789012:deployments";

async fn deploy(cfn: &Client, input: &DeployInput) -> Result<StackProgress, Error> {
    super::deploy(cfn, &staging(), &service_roles(), input, NOW).await
}

fn every_option() -> StackOptions {
    StackOptions {
        rollback_alarms: Some(vec![ALARM.to_string()]),
        monitoring_minutes: Some(15),
        termination_protection: Some(true),
        on_failure: OnFailure::RetainExceptOnCreate,
        notification_arns: Some(vec![TOPIC.to_string()]),
    }
}

fn with_options(mode: Mode, options: StackOptions) -> DeployInput {
    let mut input = deploy_input();
    input.params.mode = mode;
    input.params.options = options;
    if mode != Mode::Deploy {
        input.params.change_set_name = Some("review".to_string());
    }
    if mode == Mode::CreateChangeSet {
        if let Some(template) = input.template.as_mut() {
            template.stack_policy_body = None;
        }
    }
    if mode == Mode::ExecuteChangeSet {
        input.params.source = None;
        input.template = None;
    }
    input
}

/// The alarm ARNs, trigger types and monitoring time of a RollbackConfiguration.
type Watched<'a> = Option<(Vec<(Option<&'a str>, Option<&'a str>)>, Option<i32>)>;

fn watched(config: Option<&RollbackConfiguration>) -> Watched<'_> {
    let config = config?;
    let triggers = config
        .rollback_triggers()
        .iter()
        .map(|t| (t.arn(), t.r#type()))
        .collect();
    Some((triggers, config.monitoring_time_in_minutes()))
}

fn the_alarm() -> Watched<'static> {
    Some((
        vec![(Some(ALARM), Some("AWS::CloudWatch::Alarm"))],
        Some(15),
    ))
}

/// A stack in UPDATE_COMPLETE whose termination protection is `enabled`.
fn live_stack(enabled: Option<bool>) -> Rule {
    mock!(Client::describe_stacks).then_output(move || {
        let mut stack = stack("UPDATE_COMPLETE");
        stack.enable_termination_protection = enabled;
        described(stack)
    })
}

fn protection_set(to: bool) -> Rule {
    mock!(Client::update_termination_protection)
        .match_requests(move |req| {
            req.stack_name() == Some(STACK_ID) && req.enable_termination_protection() == Some(to)
        })
        .then_output(|| UpdateTerminationProtectionOutput::builder().build())
}

#[tokio::test]
async fn a_create_carries_the_alarms_the_topics_the_protection_and_retain_except_on_create() {
    let create = mock!(Client::create_stack)
        .match_requests(|req| {
            watched(req.rollback_configuration()) == the_alarm()
                && req.notification_arns() == [TOPIC]
                && req.enable_termination_protection() == Some(true)
                && req.retain_except_on_create() == Some(true)
        })
        .then_output(|| CreateStackOutput::builder().stack_id(STACK_ID).build());
    let cfn = client(&[&absent_rule(), &create]);
    deploy(&cfn, &with_options(Mode::Deploy, every_option()))
        .await
        .unwrap();
    assert_eq!(create.num_calls(), 1);
}

#[tokio::test]
async fn without_options_a_create_leaves_them_to_cloudformation() {
    let create = mock!(Client::create_stack)
        .match_requests(|req| {
            req.rollback_configuration().is_none()
                && req.notification_arns.is_none()
                && req.enable_termination_protection().is_none()
                && req.retain_except_on_create().is_none()
        })
        .then_output(|| CreateStackOutput::builder().stack_id(STACK_ID).build());
    let cfn = client(&[&absent_rule(), &create]);
    deploy(&cfn, &deploy_input()).await.unwrap();
    assert_eq!(create.num_calls(), 1);
}

#[tokio::test]
async fn an_update_sets_differing_protection_first_and_carries_the_options() {
    let update = mock!(Client::update_stack)
        .match_requests(|req| {
            watched(req.rollback_configuration()) == the_alarm()
                && req.notification_arns() == [TOPIC]
                && req.retain_except_on_create() == Some(true)
        })
        .then_output(|| UpdateStackOutput::builder().stack_id(STACK_ID).build());
    let (protect, events) = (protection_set(true), foreign_events_rule());
    let cfn = client(&[&live_stack(Some(false)), &events, &protect, &update]);
    let progress = deploy(&cfn, &with_options(Mode::Deploy, every_option()))
        .await
        .unwrap();
    assert_eq!((protect.num_calls(), update.num_calls()), (1, 1));
    assert_eq!(progress.action, StackAction::Update);
}

#[tokio::test]
async fn protection_is_switched_off_as_asked_even_when_the_update_changes_nothing() {
    let unchanged = mock!(Client::update_stack).then_error(|| {
        UpdateStackError::generic(service_error(
            "ValidationError",
            "No updates are to be performed.",
        ))
    });
    let (unprotect, events) = (protection_set(false), foreign_events_rule());
    let cfn = client(&[&live_stack(Some(true)), &events, &unprotect, &unchanged]);
    let options = StackOptions {
        termination_protection: Some(false),
        ..StackOptions::default()
    };
    let progress = deploy(&cfn, &with_options(Mode::Deploy, options))
        .await
        .unwrap();
    assert_eq!(unprotect.num_calls(), 1);
    assert_eq!(progress.action, StackAction::NoChanges);
}

#[tokio::test]
async fn protection_as_asked_already_or_left_out_is_not_touched() {
    for (enabled, wanted) in [
        (Some(true), Some(true)),
        (None, Some(false)),
        (Some(true), None),
    ] {
        let any_change = mock!(Client::update_termination_protection)
            .then_output(|| UpdateTerminationProtectionOutput::builder().build());
        let update = mock!(Client::update_stack)
            .then_output(|| UpdateStackOutput::builder().stack_id(STACK_ID).build());
        let events = foreign_events_rule();
        let cfn = client(&[&live_stack(enabled), &events, &any_change, &update]);
        let options = StackOptions {
            termination_protection: wanted,
            ..StackOptions::default()
        };
        deploy(&cfn, &with_options(Mode::Deploy, options))
            .await
            .unwrap();
        assert_eq!(any_change.num_calls(), 0, "{enabled:?} {wanted:?}");
        assert_eq!(update.num_calls(), 1);
    }
}

#[tokio::test]
async fn empty_lists_remove_the_stacks_alarms_and_topics() {
    let update = mock!(Client::update_stack)
        .match_requests(|req| {
            req.rollback_configuration()
                .is_some_and(|c| c.rollback_triggers.as_ref().is_some_and(Vec::is_empty))
                && req.notification_arns.as_ref().is_some_and(Vec::is_empty)
        })
        .then_output(|| UpdateStackOutput::builder().stack_id(STACK_ID).build());
    let events = foreign_events_rule();
    let cfn = client(&[&live_stack(None), &events, &update]);
    let options = StackOptions {
        rollback_alarms: Some(Vec::new()),
        notification_arns: Some(Vec::new()),
        ..StackOptions::default()
    };
    deploy(&cfn, &with_options(Mode::Deploy, options))
        .await
        .unwrap();
    assert_eq!(update.num_calls(), 1);
}

#[tokio::test]
async fn a_change_set_carries_the_alarms_and_the_topics() {
    let missing = mock!(Client::describe_change_set).then_error(|| {
        DescribeChangeSetError::generic(service_error("ChangeSetNotFound", "no such change set"))
    });
    let create = mock!(Client::create_change_set)
        .match_requests(|req| {
            watched(req.rollback_configuration()) == the_alarm()
                && req.notification_arns() == [TOPIC]
        })
        .then_output(|| CreateChangeSetOutput::builder().id("cs-1").build());
    let cfn = client(&[&absent_rule(), &missing, &create]);
    let options = StackOptions {
        termination_protection: None,
        on_failure: OnFailure::Rollback,
        ..every_option()
    };
    deploy(&cfn, &with_options(Mode::CreateChangeSet, options))
        .await
        .unwrap();
    assert_eq!(create.num_calls(), 1);
}

#[tokio::test]
async fn an_executed_change_set_retains_except_on_create_when_asked() {
    for (on_failure, sent) in [
        (OnFailure::RetainExceptOnCreate, Some(true)),
        (OnFailure::Rollback, None),
    ] {
        let ready = mock!(Client::describe_change_set).then_output(|| {
            DescribeChangeSetOutput::builder()
                .change_set_name("review")
                .stack_id(STACK_ID)
                .status(ChangeSetStatus::CreateComplete)
                .execution_status(ExecutionStatus::Available)
                .build()
        });
        let execute = mock!(Client::execute_change_set)
            .match_requests(move |req| req.retain_except_on_create() == sent)
            .then_output(|| ExecuteChangeSetOutput::builder().build());
        let events = foreign_events_rule();
        let cfn = client(&[&live_stack(None), &events, &ready, &execute]);
        let options = StackOptions {
            on_failure,
            ..StackOptions::default()
        };
        deploy(&cfn, &with_options(Mode::ExecuteChangeSet, options))
            .await
            .unwrap();
        assert_eq!(execute.num_calls(), 1, "{on_failure:?}");
    }
}

#[tokio::test]
async fn a_monitoring_time_alone_keeps_the_stacks_triggers() {
    let update = mock!(Client::update_stack)
        .match_requests(|req| {
            req.rollback_configuration().is_some_and(|c| {
                c.rollback_triggers.is_none() && c.monitoring_time_in_minutes() == Some(30)
            })
        })
        .then_output(|| UpdateStackOutput::builder().stack_id(STACK_ID).build());
    let events = foreign_events_rule();
    let cfn = client(&[&live_stack(None), &events, &update]);
    let options = StackOptions {
        monitoring_minutes: Some(30),
        ..StackOptions::default()
    };
    deploy(&cfn, &with_options(Mode::Deploy, options))
        .await
        .unwrap();
    assert_eq!(update.num_calls(), 1);
}
