#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_sdk_cloudformation::types::ResourceStatus;

use super::*;
use crate::aws::client_token::token_for;
use crate::aws::stack_fixtures::*;

const ALARM: &str = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:app-5xx";

#[tokio::test]
async fn an_update_a_rollback_alarm_rolled_back_fails_naming_the_alarm() {
    let token = token_for(StackAction::Update, JOB);
    let ours = token.as_deref();
    // Newest first. The alarm's rollback cancels the resource still updating; the stack's own
    // event names the alarm (wording inferred: CloudFormation does not document the text).
    let events = events_rule(vec![
        event(
            ours,
            STACK,
            "AWS::CloudFormation::Stack",
            ResourceStatus::UpdateRollbackComplete,
            "",
        ),
        event(
            ours,
            "Queue",
            "AWS::SQS::Queue",
            ResourceStatus::UpdateFailed,
            "Resource update cancelled",
        ),
        event(
            ours,
            STACK,
            "AWS::CloudFormation::Stack",
            ResourceStatus::UpdateRollbackInProgress,
            &format!("Rollback triggered by alarm(s) in ALARM state: {ALARM}"),
        ),
        event(
            ours,
            STACK,
            "AWS::CloudFormation::Stack",
            ResourceStatus::UpdateInProgress,
            "User Initiated",
        ),
    ]);
    let describe = describe_rule("UPDATE_ROLLBACK_COMPLETE");
    let cfn = client(&[&describe, &events]);
    let mut input = check_input(StackAction::Update, token);
    input.params.options.rollback_alarms = Some(vec![ALARM.to_string()]);

    let err = check(&cfn, &staging(), &input, NOW).await.unwrap_err();

    let Error::StackFailed(message) = &err else {
        panic!("expected StackFailed, got {err:?}");
    };
    assert!(
        message.starts_with(&format!(
            "UPDATE_ROLLBACK_COMPLETE: rolled back by rollback alarm {ALARM}: "
        )),
        "{message}"
    );
    assert!(!message.contains("Resource update cancelled"), "{message}");
}
