//! What a CloudFormation stack status means for a deployment: pure decisions, no AWS calls.
//! DeployStack asks [`deploy_move`] what to do with a stack it found; CheckStack asks
//! [`check_verdict`] whether the operation it watches has ended, and how.

use aws_sdk_cloudformation::types::{Stack, StackStatus};

use crate::contract::StackAction;

/// The kinds of stack status that lead to different decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    /// An operation runs; the status changes without us (`*_IN_PROGRESS`, cleanups included).
    InProgress,
    /// A change set created the stack and was never executed; it has no resources.
    Review,
    /// The last operation succeeded.
    Succeeded,
    /// The last operation failed, but the stack is stable and can be updated again.
    FailedUpdatable,
    /// The stack never finished creating (ROLLBACK_COMPLETE, CREATE_FAILED, ROLLBACK_FAILED): it
    /// was never live, so it may be deleted and created again.
    NeverCreated,
    /// A delete failed; whether the stack had been live decides if it may be replaced.
    DeleteFailed,
    /// UPDATE_ROLLBACK_FAILED: a live stack whose update's rollback failed. Its rollback is
    /// continued (ContinueUpdateRollback); it is never deleted.
    RollbackFailed,
    /// A failure nothing here repairs (IMPORT_ROLLBACK_FAILED, a status without a known
    /// meaning): the job fails and says so.
    Stuck,
    /// The stack is gone (seen when describing by stack id).
    Deleted,
}

/// Classify a status. Statuses newer than this SDK fall back to their suffix.
pub fn classify_status(status: &StackStatus) -> StatusClass {
    match status {
        StackStatus::ReviewInProgress => StatusClass::Review,
        StackStatus::CreateInProgress
        | StackStatus::DeleteInProgress
        | StackStatus::ImportInProgress
        | StackStatus::ImportRollbackInProgress
        | StackStatus::RollbackInProgress
        | StackStatus::UpdateCompleteCleanupInProgress
        | StackStatus::UpdateInProgress
        | StackStatus::UpdateRollbackCompleteCleanupInProgress
        | StackStatus::UpdateRollbackInProgress => StatusClass::InProgress,
        StackStatus::CreateComplete | StackStatus::UpdateComplete | StackStatus::ImportComplete => {
            StatusClass::Succeeded
        }
        // UPDATE_FAILED is where a stack rests when rollback was disabled; UpdateStack may run
        // on it again.
        StackStatus::UpdateRollbackComplete
        | StackStatus::ImportRollbackComplete
        | StackStatus::UpdateFailed => StatusClass::FailedUpdatable,
        StackStatus::RollbackComplete | StackStatus::CreateFailed | StackStatus::RollbackFailed => {
            StatusClass::NeverCreated
        }
        StackStatus::DeleteFailed => StatusClass::DeleteFailed,
        StackStatus::UpdateRollbackFailed => StatusClass::RollbackFailed,
        StackStatus::ImportRollbackFailed => StatusClass::Stuck,
        StackStatus::DeleteComplete => StatusClass::Deleted,
        other => classify_unknown(other.as_str()),
    }
}

/// The class of a described stack; one without a status is treated as stuck.
pub fn classify_stack(stack: &Stack) -> StatusClass {
    stack
        .stack_status()
        .map_or(StatusClass::Stuck, classify_status)
}

/// A status this SDK does not know, by its suffix; unknown endings are treated as failures so
/// nothing is updated or deleted on a guess.
fn classify_unknown(status: &str) -> StatusClass {
    if status.ends_with("_IN_PROGRESS") {
        StatusClass::InProgress
    } else {
        StatusClass::Stuck
    }
}

/// What DeployStack does with a stack it found in some status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeployMove {
    Create,
    Update,
    /// Delete it first if `replaceOnFailure` allows; refuse otherwise.
    ReplaceOrRefuse,
    /// As `ReplaceOrRefuse`, but only for a stack that was never live (its events tell).
    ReplaceIfNeverLive,
    /// Continue the failed rollback, then deploy.
    ContinueRollback,
    /// Fail, saying how to recover.
    Refuse,
    /// Another operation holds the stack.
    WaitForOther,
}

pub fn deploy_move(class: StatusClass) -> DeployMove {
    match class {
        StatusClass::Deleted | StatusClass::Review => DeployMove::Create,
        StatusClass::Succeeded | StatusClass::FailedUpdatable => DeployMove::Update,
        StatusClass::NeverCreated => DeployMove::ReplaceOrRefuse,
        StatusClass::DeleteFailed => DeployMove::ReplaceIfNeverLive,
        StatusClass::RollbackFailed => DeployMove::ContinueRollback,
        StatusClass::Stuck => DeployMove::Refuse,
        StatusClass::InProgress => DeployMove::WaitForOther,
    }
}

/// What CheckStack concludes about the operation it watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckVerdict {
    /// Still running: poll again.
    Wait,
    /// The stack is free (or gone after our delete): run DeployStack.
    Deploy,
    /// Our create or update succeeded.
    Succeed,
    /// Our operation ended in failure.
    Failed,
    /// The stack we were creating or updating no longer exists.
    Vanished,
}

/// `class` is `None` when the stack no longer exists.
pub fn check_verdict(action: StackAction, class: Option<StatusClass>) -> CheckVerdict {
    if class == Some(StatusClass::InProgress) {
        return CheckVerdict::Wait;
    }
    match action {
        StackAction::WaitForOther => CheckVerdict::Deploy,
        StackAction::Replace => match class {
            None | Some(StatusClass::Deleted) => CheckVerdict::Deploy,
            // The delete failed, or never took: deploying again would only delete again.
            Some(_) => CheckVerdict::Failed,
        },
        StackAction::ContinueRollback => match class {
            // UPDATE_ROLLBACK_COMPLETE: the stack is back where it was, and can be updated.
            Some(StatusClass::FailedUpdatable) => CheckVerdict::Deploy,
            None | Some(StatusClass::Deleted) => CheckVerdict::Vanished,
            Some(_) => CheckVerdict::Failed,
        },
        StackAction::Create | StackAction::Update | StackAction::NoChanges => match class {
            Some(StatusClass::Succeeded) => CheckVerdict::Succeed,
            None | Some(StatusClass::Deleted) => CheckVerdict::Vanished,
            Some(_) => CheckVerdict::Failed,
        },
        StackAction::ExecuteChangeSet => match class {
            Some(StatusClass::Succeeded) => CheckVerdict::Succeed,
            // A CREATE change set's stack may still read REVIEW_IN_PROGRESS as it starts.
            Some(StatusClass::Review) => CheckVerdict::Wait,
            None | Some(StatusClass::Deleted) => CheckVerdict::Vanished,
            Some(_) => CheckVerdict::Failed,
        },
        StackAction::Delete | StackAction::NothingToDelete => match class {
            None | Some(StatusClass::Deleted) => CheckVerdict::Succeed,
            // DELETE_FAILED, or a delete that never took.
            Some(_) => CheckVerdict::Failed,
        },
        // A change set is checked by its own status, not the stack's (`check_stack`); a stack
        // answer here is a version mismatch, and failing says so rather than loop.
        StackAction::CreateChangeSet => CheckVerdict::Failed,
    }
}

#[cfg(test)]
#[path = "stack_status_tests.rs"]
mod tests;
