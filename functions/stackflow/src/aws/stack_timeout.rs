//! The failure of a deployment that waited `timeoutMinutes` for its stack. The message must let a
//! person tell the two cases apart: this deployment's own operation was slow (CloudFormation
//! goes on with it), or another operation held the stack the whole time and this deployment's
//! template was never applied.

use aws_sdk_cloudformation::Client;
use tracing::warn;

use crate::aws::stack_events::{current_operation, CurrentOperation, MAX_REASON_CHARS};
use crate::contract::DeploymentParams;
use crate::error::Error;
use crate::truncate::truncate_marked;

/// Resources named in the message; more are counted.
const MAX_NAMED_RESOURCES: usize = 5;

/// The StackTimedOut error for the stack `stack_ref` (name or id), last seen in `status`.
/// `our_token` is the ClientRequestToken of this deployment's own operation, when it started
/// one. The stack's events say whose operation runs and what is still in progress; when they
/// cannot be read the message says so, and the timeout is reported all the same.
pub async fn timed_out(
    cfn: &Client,
    params: &DeploymentParams,
    stack_ref: &str,
    status: &str,
    our_token: Option<&str>,
) -> Error {
    let operation = match current_operation(cfn, stack_ref).await {
        Ok(operation) => Some(operation),
        Err(err) => {
            warn!(stack = %params.stack, error = %err, "could not read the stack events for the timeout message");
            None
        }
    };
    Error::StackTimedOut(timeout_message(
        params,
        status,
        our_token,
        operation.as_ref(),
    ))
}

/// The message itself; `operation` is `None` when the events could not be read.
pub fn timeout_message(
    params: &DeploymentParams,
    status: &str,
    our_token: Option<&str>,
    operation: Option<&CurrentOperation>,
) -> String {
    let name = &params.stack;
    let minutes = params.timeout_minutes;
    let ours = match (operation, our_token) {
        (Some(operation), Some(token)) => operation.token.as_deref() == Some(token),
        _ => false,
    };
    let mut text = format!(
        "stack {name} did not settle within timeoutMinutes ({minutes} minute{}): it is still \
         in {status}. ",
        if minutes == 1 { "" } else { "s" }
    );
    let whose = match (operation, ours) {
        (None, _) => {
            "Whose operation this is could not be read from the stack events. ".to_string()
        }
        (Some(operation), true) => format!(
            "The operation in progress is this deployment's own (ClientRequestToken {}). ",
            operation.token.as_deref().unwrap_or_default()
        ),
        (Some(operation), false) => format!(
            "The operation in progress is not this deployment's ({}): it held the stack, and \
             this deployment's template was not applied. ",
            match operation.token.as_deref() {
                Some(token) => format!("ClientRequestToken {token}"),
                None => "it was started without a ClientRequestToken".to_string(),
            }
        ),
    };
    text.push_str(&whose);
    if let Some(operation) = operation {
        text.push_str(&still_in_progress(&operation.in_progress));
    }
    text.push_str(
        "CloudFormation carries on with the operation; stackflow only stopped waiting for it. ",
    );
    text.push_str(if ours {
        "Next: watch the stack in the CloudFormation console; once it has settled, run the \
         stage again (an unchanged template then succeeds with \"no changes\", a failed one \
         names its first failed resource). If this stack's operations take longer, raise \
         \"timeoutMinutes\" in the action's UserParameters."
    } else {
        "Next: let that operation finish (or stop it), then run the stage again to apply this \
         deployment's template."
    });
    truncate_marked(&text, MAX_REASON_CHARS, "… (truncated)")
}

fn still_in_progress(resources: &[String]) -> String {
    if resources.is_empty() {
        return "No resource reported being in progress. ".to_string();
    }
    let named: Vec<&str> = resources
        .iter()
        .take(MAX_NAMED_RESOURCES)
        .map(String::as_str)
        .collect();
    let more = resources.len().saturating_sub(MAX_NAMED_RESOURCES);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!("Still in progress: {}{tail}. ", named.join(", "))
}

#[cfg(test)]
#[path = "stack_timeout_tests.rs"]
mod tests;
