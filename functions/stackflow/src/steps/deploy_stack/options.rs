//! The stack options (`crate::contract::StackOptions`) as the operations take them: rollback
//! triggers and notification topics on CreateStack, UpdateStack and CreateChangeSet,
//! RetainExceptOnCreate on CreateStack, UpdateStack and ExecuteChangeSet (the operations whose
//! request has it: API_CreateStack, API_UpdateStack, API_ExecuteChangeSet in the CloudFormation
//! API Reference), and termination protection on the stack itself.

use aws_sdk_cloudformation::operation::create_change_set::builders::CreateChangeSetFluentBuilder;
use aws_sdk_cloudformation::operation::create_stack::builders::CreateStackFluentBuilder;
use aws_sdk_cloudformation::operation::update_stack::builders::UpdateStackFluentBuilder;
use aws_sdk_cloudformation::types::{RollbackConfiguration, RollbackTrigger, Stack};
use aws_sdk_cloudformation::Client;
use tracing::info;

use crate::aws::error::classify_sdk_error;
use crate::contract::{DeployInput, OnFailure, StackOptions};
use crate::error::Error;

/// CreateStack with the options: the alarms, the topics, the protection, RetainExceptOnCreate.
pub(super) fn for_create(
    request: CreateStackFluentBuilder,
    options: &StackOptions,
) -> CreateStackFluentBuilder {
    request
        .set_rollback_configuration(rollback_configuration(options))
        .set_notification_arns(options.notification_arns.clone())
        .set_enable_termination_protection(options.termination_protection)
        .set_retain_except_on_create(retain_except_on_create(options))
}

/// UpdateStack with the options (the protection is set apart: `sync_termination_protection`).
pub(super) fn for_update(
    request: UpdateStackFluentBuilder,
    options: &StackOptions,
) -> UpdateStackFluentBuilder {
    request
        .set_rollback_configuration(rollback_configuration(options))
        .set_notification_arns(options.notification_arns.clone())
        .set_retain_except_on_create(retain_except_on_create(options))
}

/// CreateChangeSet with the alarms and the topics; RetainExceptOnCreate waits for its execution.
pub(super) fn for_change_set(
    request: CreateChangeSetFluentBuilder,
    options: &StackOptions,
) -> CreateChangeSetFluentBuilder {
    request
        .set_rollback_configuration(rollback_configuration(options))
        .set_notification_arns(options.notification_arns.clone())
}

/// A rollback trigger's Type for a CloudWatch alarm (API_RollbackTrigger).
const ALARM_TRIGGER: &str = "AWS::CloudWatch::Alarm";

/// The operation's RollbackConfiguration; none when neither alarms nor a monitoring time are
/// given, so the stack keeps the triggers CloudFormation saved for it.
fn rollback_configuration(options: &StackOptions) -> Option<RollbackConfiguration> {
    if options.rollback_alarms.is_none() && options.monitoring_minutes.is_none() {
        return None;
    }
    let triggers = options.rollback_alarms.as_ref().map(|alarms| {
        alarms
            .iter()
            .map(|arn| {
                RollbackTrigger::builder()
                    .arn(arn)
                    .r#type(ALARM_TRIGGER)
                    .build()
            })
            .collect()
    });
    Some(
        RollbackConfiguration::builder()
            .set_rollback_triggers(triggers)
            .set_monitoring_time_in_minutes(
                options
                    .monitoring_minutes
                    .and_then(|minutes| i32::try_from(minutes).ok()),
            )
            .build(),
    )
}

/// RetainExceptOnCreate, sent only when asked for (`false` is CloudFormation's default).
pub(super) fn retain_except_on_create(options: &StackOptions) -> Option<bool> {
    (options.on_failure == OnFailure::RetainExceptOnCreate).then_some(true)
}

/// Set the existing stack's termination protection to `terminationProtection` when it differs
/// (before its update, which may find nothing to change). Left out, the stack keeps its own.
pub(super) async fn sync_termination_protection(
    cfn: &Client,
    input: &DeployInput,
    stack: &Stack,
) -> Result<(), Error> {
    let Some(wanted) = input.params.options.termination_protection else {
        return Ok(());
    };
    // DescribeStacks reports EnableTerminationProtection; a stack without it has none.
    if stack.enable_termination_protection().unwrap_or(false) == wanted {
        return Ok(());
    }
    let name = input.params.stack.as_str();
    cfn.update_termination_protection()
        .stack_name(stack.stack_id().unwrap_or(name))
        .enable_termination_protection(wanted)
        .send()
        .await
        .map_err(|err| {
            classify_sdk_error(
                &format!("UpdateTerminationProtection on stack {name}"),
                &err,
            )
        })?;
    info!(stack = name, enabled = wanted, "termination protection set");
    Ok(())
}
