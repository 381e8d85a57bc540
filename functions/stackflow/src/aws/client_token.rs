//! The ClientRequestToken on this deployment's CloudFormation calls. It is derived from the job,
//! so a retried step sends the same token (CloudFormation does not act twice), and the stack
//! events the call causes carry it (so this deployment's events can be told apart).

use crate::contract::StackAction;

/// CloudFormation's limit on a token's length.
const MAX_TOKEN_LEN: usize = 128;

/// The token for `action` of job `job_id`; `None` for actions that make no call.
pub fn token_for(action: StackAction, job_id: &str) -> Option<String> {
    let verb = match action {
        StackAction::Create => "create",
        StackAction::Update => "update",
        StackAction::Replace => "delete",
        StackAction::ContinueRollback => "rollback",
        // CreateChangeSet's ClientToken: a retried step's create is not made twice.
        StackAction::CreateChangeSet => "changeset",
        StackAction::ExecuteChangeSet => "execute",
        // Not "delete": that is a replace's, and one job's tokens must tell its calls apart.
        StackAction::Delete => "teardown",
        StackAction::WaitForOther | StackAction::NoChanges | StackAction::NothingToDelete => {
            return None
        }
    };
    Some(sanitise(&format!("stackflow-{verb}-{job_id}")))
}

/// Which of this job's calls `token` belongs to, if any.
pub fn action_of_token(token: &str, job_id: &str) -> Option<StackAction> {
    [
        StackAction::Create,
        StackAction::Update,
        StackAction::Replace,
        StackAction::ContinueRollback,
        StackAction::CreateChangeSet,
        StackAction::ExecuteChangeSet,
        StackAction::Delete,
    ]
    .into_iter()
    .find(|action| token_for(*action, job_id).as_deref() == Some(token))
}

/// Fit CloudFormation's token rules: `[a-zA-Z0-9][-a-zA-Z0-9]*`, at most 128 characters.
/// Callers always start with `stackflow-`, so the first character is a letter.
fn sanitise(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(MAX_TOKEN_LEN)
        .collect()
}

#[cfg(test)]
#[path = "client_token_tests.rs"]
mod tests;
