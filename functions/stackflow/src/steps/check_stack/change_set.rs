//! CheckStack for `createChangeSet`: the change set's own status says when it is ready. A
//! ready change set is counted for the summary; one that changes nothing is deleted and is a
//! success ("no changes").

use aws_sdk_cloudformation::types::ChangeSetStatus;
use aws_sdk_cloudformation::Client;
use tracing::info;

use crate::aws::change_set::{
    count_changes, delete_change_set, describe_change_set, is_empty_change_set,
};
use crate::aws::stack_describe::{describe_stack, outputs_of, status_text};
use crate::contract::{ChangeSetReport, CheckInput, Next, StackAction, StackProgress};
use crate::error::Error;

/// Check the change set `input.stack.change_set` at `now_unix`.
pub(super) async fn check_change_set(
    cfn: &Client,
    input: &CheckInput,
    now_unix: i64,
) -> Result<StackProgress, Error> {
    let progress = &input.stack;
    let stack = progress.stack_name.as_str();
    let Some(report) = &progress.change_set else {
        return Err(Error::Misconfigured(format!(
            "Check stack was asked to watch a change set of stack {stack} but was given none"
        )));
    };
    let name = report.name.as_str();
    let Some(described) = describe_change_set(cfn, stack, &report.id, None).await? else {
        return Err(Error::StackFailed(format!(
            "change set {name} of stack {stack} no longer exists: it was deleted while it was \
             being created"
        )));
    };
    match described.status() {
        Some(ChangeSetStatus::CreateComplete) => {
            let counted = count_changes(cfn, stack, described, blank(report)).await?;
            info!(stack, change_set = name, changes = %counted.counts_text(), "the change set is ready");
            let found = describe_stack(cfn, progress.stack_id.as_deref().unwrap_or(stack)).await?;
            Ok(StackProgress {
                next: Next::Succeed,
                status: found.as_ref().map(status_text),
                outputs: found.as_ref().map(outputs_of).unwrap_or_default(),
                change_set: Some(counted),
                ..progress.clone()
            })
        }
        Some(ChangeSetStatus::Failed) if is_empty_change_set(described.status_reason()) => {
            delete_change_set(cfn, stack, &report.id).await?;
            info!(
                stack,
                change_set = name,
                "the change set changes nothing; deleted it"
            );
            Ok(StackProgress {
                action: StackAction::NoChanges,
                next: Next::Succeed,
                change_set: Some(ChangeSetReport {
                    id: String::new(),
                    ..blank(report)
                }),
                ..progress.clone()
            })
        }
        Some(ChangeSetStatus::Failed) => Err(Error::TemplateInvalid(format!(
            "CloudFormation could not create change set {name} for stack {stack}: {}",
            described.status_reason().unwrap_or("no reason given")
        ))),
        // CREATE_PENDING, CREATE_IN_PROGRESS, or a status newer than this SDK.
        other => {
            let status = other.map_or("UNKNOWN", |s| s.as_str());
            if now_unix > input.params.deadline {
                return Err(Error::StackTimedOut(format!(
                    "change set {name} of stack {stack} was still {status} after \
                     timeoutMinutes ({} minutes)",
                    input.params.timeout_minutes
                )));
            }
            // A change set has no stack events of its own: the hand-over counts none.
            Ok(super::wait_again(cfn, input, stack, now_unix, progress.clone()).await)
        }
    }
}

/// The report with its counts cleared, so a re-check counts afresh.
fn blank(report: &ChangeSetReport) -> ChangeSetReport {
    ChangeSetReport::new(&report.id, &report.name, &report.change_set_type)
}
