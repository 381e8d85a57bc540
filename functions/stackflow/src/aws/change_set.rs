//! DescribeChangeSet and DeleteChangeSet for one change set, and the changes it holds, for the
//! change-set modes (`createChangeSet`, `executeChangeSet`).

use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::types::Change;
use aws_sdk_cloudformation::Client;

use crate::aws::error::{classify_sdk_error, code_and_message};
use crate::aws::stack_describe::is_does_not_exist;
use crate::change_summary::ChangeFacts;
use crate::contract::ChangeSetReport;
use crate::error::Error;

/// The pages of changes read to count a change set's changes; CloudFormation caps a template at
/// 500 resources, and a page holds up to 100 changes (sdk docs of DescribeChangeSet).
const MAX_CHANGE_PAGES: usize = 20;

/// What CloudFormation writes as the reason of a change set that changes nothing. The first is
/// the usual text; the second is seen for some stacks. Both reported in
/// https://github.com/ansible-collections/amazon.aws/pull/507.
const EMPTY_CHANGE_SET_REASONS: [&str; 2] =
    ["didn't contain changes", "No updates are to be performed"];

/// Whether a FAILED change set's reason says it changes nothing.
pub fn is_empty_change_set(status_reason: Option<&str>) -> bool {
    status_reason.is_some_and(|reason| {
        EMPTY_CHANGE_SET_REASONS
            .iter()
            .any(|text| reason.contains(text))
    })
}

/// Whether CloudFormation's error says there is no such change set: `ChangeSetNotFound`, or
/// a ValidationError "… does not exist" when the stack itself is missing.
fn is_not_found(code: Option<&str>, message: Option<&str>) -> bool {
    code == Some("ChangeSetNotFound")
        || code == Some("ChangeSetNotFoundException")
        || is_does_not_exist(&(code.map(str::to_string), message.map(str::to_string)))
}

/// Change set `change_set` (a name, or an ARN) of `stack`, one page of its changes from
/// `next_token`; `None` when there is no such change set.
pub async fn describe_change_set(
    cfn: &Client,
    stack: &str,
    change_set: &str,
    next_token: Option<String>,
) -> Result<Option<DescribeChangeSetOutput>, Error> {
    let result = cfn
        .describe_change_set()
        .stack_name(stack)
        .change_set_name(change_set)
        .set_next_token(next_token)
        .send()
        .await;
    match result {
        Ok(output) => Ok(Some(output)),
        Err(err) => {
            let (code, message) = code_and_message(&err);
            if is_not_found(code.as_deref(), message.as_deref()) {
                Ok(None)
            } else {
                Err(classify_sdk_error(
                    &format!("DescribeChangeSet of {change_set} on stack {stack}"),
                    &err,
                ))
            }
        }
    }
}

/// Delete change set `change_set` (a name or an ARN) of `stack`; one already gone is fine.
pub async fn delete_change_set(cfn: &Client, stack: &str, change_set: &str) -> Result<(), Error> {
    let result = cfn
        .delete_change_set()
        .stack_name(stack)
        .change_set_name(change_set)
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(err) => {
            let (code, message) = code_and_message(&err);
            if is_not_found(code.as_deref(), message.as_deref()) {
                Ok(())
            } else {
                Err(classify_sdk_error(
                    &format!("DeleteChangeSet of {change_set} on stack {stack}"),
                    &err,
                ))
            }
        }
    }
}

/// A resource change as the summary counts it; other kinds of change (hooks) are not counted.
pub fn facts_of(change: &Change) -> Option<ChangeFacts> {
    let resource = change.resource_change()?;
    Some(ChangeFacts {
        action: resource
            .action()
            .map_or("Modify", |action| action.as_str())
            .to_string(),
        logical_id: resource.logical_resource_id().unwrap_or("?").to_string(),
        resource_type: resource.resource_type().unwrap_or("?").to_string(),
        replacement: resource.replacement().map(|r| r.as_str().to_string()),
    })
}

/// Count every change of the change set whose first page is `first`, reading the next pages.
pub async fn count_changes(
    cfn: &Client,
    stack: &str,
    first: DescribeChangeSetOutput,
    mut report: ChangeSetReport,
) -> Result<ChangeSetReport, Error> {
    let id = first.change_set_id().unwrap_or(&report.id).to_string();
    let mut page = first;
    for _ in 0..MAX_CHANGE_PAGES {
        for facts in page.changes().iter().filter_map(facts_of) {
            report.count(&facts);
        }
        let Some(token) = page.next_token().map(str::to_string) else {
            return Ok(report);
        };
        match describe_change_set(cfn, stack, &id, Some(token)).await? {
            Some(next) => page = next,
            None => break,
        }
    }
    tracing::warn!(stack, change_set = %id, "stopped counting changes after {MAX_CHANGE_PAGES} pages");
    Ok(report)
}

/// Every change of change set `change_set` (an ARN) of `stack`, as far as
/// [`MAX_CHANGE_PAGES`] pages go; `None` when there is no such change set.
pub async fn all_changes(
    cfn: &Client,
    stack: &str,
    change_set: &str,
) -> Result<Option<Vec<Change>>, Error> {
    let mut changes = Vec::new();
    let mut next_token = None;
    for _ in 0..MAX_CHANGE_PAGES {
        let Some(page) = describe_change_set(cfn, stack, change_set, next_token).await? else {
            return Ok(None);
        };
        changes.extend(page.changes().iter().cloned());
        next_token = page.next_token().map(str::to_string);
        if next_token.is_none() {
            break;
        }
    }
    Ok(Some(changes))
}

#[cfg(test)]
#[path = "change_set_tests.rs"]
mod tests;
