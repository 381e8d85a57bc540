//! Reading a stack's events: who ran its latest operation, and why this deployment's operation
//! failed. Events come newest first; this deployment's carry its ClientRequestToken.

use std::ops::ControlFlow;

use aws_sdk_cloudformation::types::StackEvent;
use aws_sdk_cloudformation::Client;

use crate::aws::error::classify_sdk_error;
use crate::error::Error;
use crate::truncate::truncate_marked;

/// Pages of events read at most when looking for a failure (100 events a page). An operation
/// with more events than that is rare; its newest failures are still found.
const MAX_EVENT_PAGES: usize = 5;

/// The longest failure reason reported; CodePipeline takes at most 5,000 characters.
pub const MAX_REASON_CHARS: usize = 2_000;

/// How a walk through a stack's events ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walked {
    /// The visitor stopped it.
    Stopped,
    /// Every event was read.
    Ended,
    /// The page limit came first.
    Cut,
}

/// Reads the stack's events newest first, at most `max_pages` pages, handing each one to
/// `visit` until it answers `Break`.
async fn walk_events(
    cfn: &Client,
    stack_ref: &str,
    max_pages: usize,
    mut visit: impl FnMut(&StackEvent) -> ControlFlow<()>,
) -> Result<Walked, Error> {
    let mut next_token: Option<String> = None;
    for _ in 0..max_pages {
        let page = cfn
            .describe_stack_events()
            .stack_name(stack_ref)
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(|err| {
                classify_sdk_error(&format!("DescribeStackEvents on stack {stack_ref}"), &err)
            })?;
        if page
            .stack_events()
            .iter()
            .any(|event| visit(event).is_break())
        {
            return Ok(Walked::Stopped);
        }
        match page.next_token() {
            Some(next) => next_token = Some(next.to_string()),
            None => return Ok(Walked::Ended),
        }
    }
    Ok(Walked::Cut)
}

/// The ClientRequestToken of the newest event: whose operation the stack saw last.
pub async fn latest_token(cfn: &Client, stack_ref: &str) -> Result<Option<String>, Error> {
    let mut token = None;
    walk_events(cfn, stack_ref, 1, |event| {
        token = event.client_request_token().map(str::to_string);
        ControlFlow::Break(())
    })
    .await?;
    Ok(token)
}

/// The oldest `*_FAILED` event among those with `token`: the first thing that went wrong in
/// that operation (later failures are mostly cancellations it caused).
pub async fn first_failed_event(
    cfn: &Client,
    stack_ref: &str,
    token: &str,
) -> Result<Option<StackEvent>, Error> {
    Ok(failure_events(cfn, stack_ref, token).await?.first_failed)
}

/// What the events of a failed operation tell about its failure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FailureEvents {
    /// The oldest `*_FAILED` event of the operation.
    pub first_failed: Option<StackEvent>,
    /// The stack's own event that started its rollback (`ROLLBACK_IN_PROGRESS`,
    /// `UPDATE_ROLLBACK_IN_PROGRESS`): its reason says why, e.g. a rollback alarm.
    pub rollback_started: Option<StackEvent>,
}

/// The failure events among those with `token`, read back to the first event older than them.
pub async fn failure_events(
    cfn: &Client,
    stack_ref: &str,
    token: &str,
) -> Result<FailureEvents, Error> {
    let mut found = FailureEvents::default();
    walk_operation(cfn, stack_ref, token, |event| {
        if is_failed(event) {
            found.first_failed = Some(event.clone());
        }
        if is_stack_event(event) && status_of(event).ends_with("ROLLBACK_IN_PROGRESS") {
            found.rollback_started = Some(event.clone());
        }
    })
    .await?;
    Ok(found)
}

/// Reads the events of the operation whose events carry `token`, newest first, handing each
/// to `visit`, as far as [`MAX_EVENT_PAGES`] go: newer events of others are passed over, and the
/// first older one ends the walk. Whether any event of the operation was seen.
async fn walk_operation(
    cfn: &Client,
    stack_ref: &str,
    token: &str,
    mut visit: impl FnMut(&StackEvent),
) -> Result<bool, Error> {
    let mut seen_ours = false;
    walk_events(cfn, stack_ref, MAX_EVENT_PAGES, |event| {
        if event.client_request_token() == Some(token) {
            seen_ours = true;
            visit(event);
        } else if seen_ours {
            // Older than our operation: nothing further down is ours.
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    })
    .await?;
    Ok(seen_ours)
}

fn status_of(event: &StackEvent) -> &str {
    event.resource_status().map_or("", |s| s.as_str())
}

/// How many resources the operation whose events carry `token` has finished: created, updated,
/// deleted or imported (the stack itself not counted), as far as [`MAX_EVENT_PAGES`] go;
/// `None` when no event carries the token (the operation left none yet, or they were not read).
pub async fn resources_done(
    cfn: &Client,
    stack_ref: &str,
    token: &str,
) -> Result<Option<u32>, Error> {
    let mut done = std::collections::BTreeSet::new();
    let seen_ours = walk_operation(cfn, stack_ref, token, |event| {
        let finished = matches!(
            status_of(event),
            "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "DELETE_COMPLETE" | "IMPORT_COMPLETE"
        );
        if finished && !is_stack_event(event) {
            done.insert(event.logical_resource_id().unwrap_or_default().to_string());
        }
    })
    .await?;
    Ok(seen_ours.then(|| u32::try_from(done.len()).unwrap_or(u32::MAX)))
}

/// Pages read to learn whether a stack was ever live; a longer history counts as live.
const MAX_HISTORY_PAGES: usize = 10;

/// Whether the stack was ever live: it finished a create, or went through an update or an
/// import. A history longer than [`MAX_HISTORY_PAGES`] is taken as live, the safe side for a
/// caller deciding whether the stack may be deleted.
pub async fn was_live(cfn: &Client, stack_ref: &str) -> Result<bool, Error> {
    let walked = walk_events(cfn, stack_ref, MAX_HISTORY_PAGES, |event| {
        if marks_a_live_stack(event) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .await?;
    Ok(walked != Walked::Ended)
}

/// A stack-level event that only a stack that was once complete has.
fn marks_a_live_stack(event: &StackEvent) -> bool {
    let status = event.resource_status().map_or("", |s| s.as_str());
    is_stack_event(event)
        && (status == "CREATE_COMPLETE"
            || status.starts_with("UPDATE_")
            || status.starts_with("IMPORT_"))
}

/// The event of the stack itself, not of one of its resources (a nested stack has its own
/// logical id).
pub fn is_stack_event(event: &StackEvent) -> bool {
    event.resource_type() == Some("AWS::CloudFormation::Stack")
        && event.logical_resource_id() == event.stack_name()
}

/// The operation that holds a stack now, as its newest events tell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CurrentOperation {
    /// Its ClientRequestToken, if it had one.
    pub token: Option<String>,
    /// `logical id (type)` of each resource whose latest event is `*_IN_PROGRESS`.
    pub in_progress: Vec<String>,
}

/// Pages read to find the resources of the current operation still in progress.
const MAX_OPERATION_PAGES: usize = 3;

/// The current operation: the newest event's token, and the resources whose newest event is
/// still `*_IN_PROGRESS`, reading back to the stack event that started its current phase (its
/// create, update, delete, or rollback).
pub async fn current_operation(cfn: &Client, stack_ref: &str) -> Result<CurrentOperation, Error> {
    let mut operation = CurrentOperation::default();
    let mut seen = std::collections::BTreeSet::new();
    let mut first = true;
    walk_events(cfn, stack_ref, MAX_OPERATION_PAGES, |event| {
        if std::mem::take(&mut first) {
            operation.token = event.client_request_token().map(str::to_string);
        }
        let status = event.resource_status().map_or("", |s| s.as_str());
        if is_stack_event(event) {
            let starts_a_phase = status.ends_with("_IN_PROGRESS") && !status.contains("CLEANUP");
            return if starts_a_phase {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            };
        }
        let logical = event.logical_resource_id().unwrap_or("unknown resource");
        if seen.insert(logical.to_string()) && status.ends_with("_IN_PROGRESS") {
            operation.in_progress.push(format!(
                "{logical} ({})",
                event.resource_type().unwrap_or("unknown type")
            ));
        }
        ControlFlow::Continue(())
    })
    .await?;
    Ok(operation)
}

fn is_failed(event: &StackEvent) -> bool {
    event
        .resource_status()
        .is_some_and(|s| s.as_str().ends_with("_FAILED"))
}

/// Why the stack ended in `status`, e.g.
/// `UPDATE_ROLLBACK_COMPLETE: Queue (AWS::SQS::Queue) UPDATE_FAILED: <reason>`: from the first
/// failed event if there is one, else from the stack's StackStatusReason, else the status alone.
pub fn failure_reason(
    status: &str,
    event: Option<&StackEvent>,
    status_reason: Option<&str>,
) -> String {
    let reason = match (event, status_reason) {
        (Some(event), _) => {
            let mut text = format!(
                "{status}: {} ({}) {}",
                event.logical_resource_id().unwrap_or("unknown resource"),
                event.resource_type().unwrap_or("unknown type"),
                event.resource_status().map_or("FAILED", |s| s.as_str()),
            );
            if let Some(why) = event.resource_status_reason() {
                text.push_str(": ");
                text.push_str(why);
            }
            text
        }
        (None, Some(why)) if !why.trim().is_empty() => format!("{status}: {why}"),
        (None, _) => status.to_string(),
    };
    truncate_marked(&reason, MAX_REASON_CHARS, "… (truncated)")
}

/// Why a rollback alarm ended the operation, when a reason says an alarm did: the stack's
/// event that started the rollback, else its status reason. CloudFormation rolls an operation
/// back when a rollback trigger's alarm goes into ALARM (API_RollbackTrigger); the exact
/// wording of its reason is not documented (wording inferred: the reason is taken to mention
/// the alarm, by ARN or name, or the word "alarm"). The alarms of this deployment the reason
/// names are named first; when it names none of them, they are listed after it.
pub fn alarm_rollback_reason(
    status: &str,
    rollback_started: Option<&StackEvent>,
    status_reason: Option<&str>,
    alarms: &[String],
) -> Option<String> {
    let reason = [
        rollback_started.and_then(StackEvent::resource_status_reason),
        status_reason,
    ]
    .into_iter()
    .flatten()
    .find(|why| why.to_ascii_lowercase().contains("alarm"))?;
    let named: Vec<&str> = alarms
        .iter()
        .filter(|arn| {
            let name = arn.split(":alarm:").nth(1).unwrap_or(arn);
            reason.contains(arn.as_str()) || reason.contains(name)
        })
        .map(String::as_str)
        .collect();
    let text = if !named.is_empty() {
        format!(
            "{status}: rolled back by rollback alarm {}: {reason}",
            named.join(", ")
        )
    } else if alarms.is_empty() {
        format!("{status}: rolled back by a rollback alarm: {reason}")
    } else {
        format!(
            "{status}: rolled back by a rollback alarm: {reason} (this deployment's rollback \
             alarms: {})",
            alarms.join(", ")
        )
    };
    Some(truncate_marked(&text, MAX_REASON_CHARS, "… (truncated)"))
}

#[cfg(test)]
#[path = "stack_events_tests.rs"]
mod tests;
