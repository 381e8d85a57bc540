//! CheckStack: look at the stack once and say whether to wait more (and how long, or hand the
//! job over first: `crate::polling`), deploy (the stack is free), or succeed. A failed, vanished
//! or overdue stack is an error, which the state machine's Catch routes to the failure report.
//! A change set being created is watched by its own status (`change_set`).

mod change_set;

use aws_sdk_cloudformation::types::Stack;
use aws_sdk_cloudformation::Client;
use tracing::{info, warn};

use crate::aws::s3::staged_secrets;
use crate::aws::stack_describe::{describe_stack, outputs_of, status_text};
use crate::aws::stack_events::{
    alarm_rollback_reason, failure_events, failure_reason, resources_done, FailureEvents,
};
use crate::aws::stack_status::{check_verdict, classify_stack, CheckVerdict};
use crate::aws::stack_timeout::timed_out;
use crate::contract::{CheckInput, Next, StackAction, StackProgress, Tally};
use crate::error::Error;
use crate::polling::next_wait;

/// Run CheckStack for `input` at time `now_unix` (seconds). When the answer carries outputs or a
/// message, and the template has NoEcho parameters, their values are read from the staging
/// bucket (`s3`) and masked in it.
pub async fn check(
    cfn: &Client,
    s3: &aws_sdk_s3::Client,
    input: &CheckInput,
    now_unix: i64,
) -> Result<StackProgress, Error> {
    let result = check_stack(cfn, input, now_unix).await;
    let may_quote_a_value = match &result {
        Ok(progress) => !progress.outputs.is_empty(),
        Err(_) => true,
    };
    if !may_quote_a_value {
        return result;
    }
    let Some(template) = &input.template else {
        // executeChangeSet and delete: stackflow was given no parameter values to mask.
        return result;
    };
    // Without the values nothing can be masked: an S3 failure replaces the answer.
    let secrets = staged_secrets(s3, template).await?;
    secrets.mask_step(result)
}

async fn check_stack(
    cfn: &Client,
    input: &CheckInput,
    now_unix: i64,
) -> Result<StackProgress, Error> {
    let progress = &input.stack;
    if progress.action == StackAction::CreateChangeSet {
        return change_set::check_change_set(cfn, input, now_unix).await;
    }
    let name = progress.stack_name.as_str();
    // By id when known: it is the stack we acted on, and a deleted one still answers.
    let stack_ref = progress.stack_id.as_deref().unwrap_or(name);
    let stack = describe_stack(cfn, stack_ref).await?;
    let status = stack.as_ref().map(status_text);
    let class = stack.as_ref().map(classify_stack);

    let with = |next: Next| StackProgress {
        next,
        status: status.clone().or_else(|| progress.status.clone()),
        stack_id: progress.stack_id.clone().or_else(|| {
            stack
                .as_ref()
                .and_then(|s| s.stack_id())
                .map(str::to_string)
        }),
        ..progress.clone()
    };

    match (check_verdict(progress.action, class), &stack) {
        (CheckVerdict::Wait, _) if now_unix > input.params.deadline => Err(timed_out(
            cfn,
            &input.params,
            stack_ref,
            status.as_deref().unwrap_or("UNKNOWN"),
            progress.client_request_token.as_deref(),
        )
        .await),
        (CheckVerdict::Wait, _) => {
            Ok(wait_again(cfn, input, stack_ref, now_unix, with(Next::Wait)).await)
        }
        (CheckVerdict::Deploy, _) => {
            info!(stack = name, status = ?status, action = ?progress.action, "the stack is free; deploying");
            Ok(with(Next::Deploy))
        }
        (CheckVerdict::Succeed, _) if progress.action == StackAction::Delete => {
            info!(stack = name, "the stack was deleted");
            Ok(StackProgress {
                tally: tally(cfn, input, stack_ref, Some(now_unix)).await,
                ..with(Next::Succeed)
            })
        }
        (CheckVerdict::Succeed, Some(stack)) => {
            info!(stack = name, status = ?status, "the stack operation succeeded");
            Ok(StackProgress {
                outputs: outputs_of(stack),
                tally: tally(cfn, input, stack_ref, Some(now_unix)).await,
                ..with(Next::Succeed)
            })
        }
        (CheckVerdict::Failed, Some(stack)) => Err(stack_failed(cfn, input, stack, status).await),
        (CheckVerdict::Succeed | CheckVerdict::Failed | CheckVerdict::Vanished, _) => {
            Err(vanished(name, progress.action))
        }
    }
}

/// The operation runs on: the next wait, or the hand-over when this job's time is up. `seen` is
/// the progress with what this check saw.
async fn wait_again(
    cfn: &Client,
    input: &CheckInput,
    stack_ref: &str,
    now_unix: i64,
    seen: StackProgress,
) -> StackProgress {
    // An execution from before `startedAt` existed counts its age from now.
    let started_at = input.stack.started_at.unwrap_or(now_unix);
    let (next, wait_seconds) = next_wait(
        input.params.poll_seconds,
        started_at,
        input.current_job.as_ref(),
        now_unix,
    );
    let tally = if next == Next::HandOver {
        // The summary of the "in progress" reply says how far the operation got.
        tally(cfn, input, stack_ref, None).await
    } else {
        input.stack.tally
    };
    StackProgress {
        next,
        wait_seconds,
        started_at: Some(started_at),
        tally,
        ..seen
    }
}

/// How far this deployment's operation got, for the summary; `ended_at` when it ended. The
/// summary is worth no failure: events that cannot be read leave the count out.
async fn tally(cfn: &Client, input: &CheckInput, stack_ref: &str, ended_at: Option<i64>) -> Tally {
    let progress = &input.stack;
    let resources_done = match progress.client_request_token.as_deref() {
        Some(token) => match resources_done(cfn, stack_ref, token).await {
            Ok(count) => count,
            Err(err) => {
                warn!(stack = %progress.stack_name, error = %err, "could not count the resources done");
                None
            }
        },
        None => None,
    };
    Tally {
        resources_done,
        seconds: ended_at
            .zip(progress.started_at)
            .map(|(end, start)| end - start),
        ..progress.tally
    }
}

/// The error for a stack whose operation failed: the first failed event of this deployment's
/// operation when it can be read, else the stack's status reason.
async fn stack_failed(
    cfn: &Client,
    input: &CheckInput,
    stack: &Stack,
    status: Option<String>,
) -> Error {
    let progress = &input.stack;
    let name = progress.stack_name.as_str();
    let stack_ref = progress.stack_id.as_deref().unwrap_or(name);
    let status = status.as_deref().unwrap_or("UNKNOWN");
    if progress.action == StackAction::Replace && status != "DELETE_FAILED" {
        return Error::StackFailed(format!(
            "stack {name} is in {status}: the delete that was to replace it did not take place"
        ));
    }
    if progress.action == StackAction::Delete && status != "DELETE_FAILED" {
        return Error::StackFailed(format!(
            "stack {name} is in {status}: the delete did not take place"
        ));
    }
    let recovery = if progress.action == StackAction::ContinueRollback {
        " Continuing the rollback of its failed update did not succeed: fix what keeps \
         the resource from rolling back, or skip it (`aws cloudformation \
         continue-update-rollback --resources-to-skip …`, which leaves it out of step \
         with the template), then run the stage again."
    } else {
        ""
    };
    let events_ref = stack.stack_id().unwrap_or(stack_ref);
    let events = match progress.client_request_token.as_deref() {
        Some(token) => match failure_events(cfn, events_ref, token).await {
            Ok(events) => events,
            // A retry reads the events again; better than a vaguer reason now.
            Err(err @ Error::Transient(_)) => return err,
            Err(err) => {
                warn!(stack = name, error = %err, "could not read the stack events; using the stack's status reason");
                FailureEvents::default()
            }
        },
        None => FailureEvents::default(),
    };
    // An alarm's rollback cancels the resources in progress: their failures are its effect.
    let alarms = input
        .params
        .options
        .rollback_alarms
        .as_deref()
        .unwrap_or_default();
    let rollback_started = events.rollback_started.as_ref();
    let reason = alarm_rollback_reason(
        status,
        rollback_started,
        stack.stack_status_reason(),
        alarms,
    )
    .unwrap_or_else(|| {
        failure_reason(
            status,
            events.first_failed.as_ref(),
            stack.stack_status_reason(),
        )
    });
    Error::StackFailed(format!("{reason}{recovery}"))
}

/// The error for a stack that no longer exists while this deployment acts on it.
fn vanished(name: &str, action: StackAction) -> Error {
    Error::StackFailed(format!(
        "stack {name} no longer exists: it was deleted while this deployment {} it",
        if action == StackAction::Create {
            "created"
        } else {
            "updated"
        }
    ))
}

#[cfg(test)]
#[path = "check_stack_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "check_stack_mode_tests.rs"]
mod mode_tests;

#[cfg(test)]
#[path = "check_stack_alarm_tests.rs"]
mod alarm_tests;
