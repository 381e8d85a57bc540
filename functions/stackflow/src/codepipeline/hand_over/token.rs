//! The hand-over token stackflow hands CodePipeline when it replies "in progress" (CodePipeline's
//! `continuationToken`). CodePipeline gives it back, untouched, in the event of the next job;
//! start-deployment then resumes the waiting execution with it.
//!
//! It carries the waiting state's task token and the execution's ARN. The ARN lets
//! start-deployment tell a repeated delivery of the next job's event (the task was already
//! resumed, the execution still runs: nothing to do) from a hand-over nobody waits for any
//! more (the execution ended: the job is reported failed).

use serde::{Deserialize, Serialize};

/// CodePipeline's limit on `continuationToken` (and Step Functions' on a task token).
pub const MAX_CHARS: usize = 2_048;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HandOverToken {
    pub task_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_arn: Option<String>,
}

impl HandOverToken {
    /// The token as CodePipeline gets it: JSON, or the bare task token when the JSON would pass
    /// CodePipeline's limit (the hand-over then works, without the repeated-delivery check).
    pub fn encode(&self) -> String {
        match serde_json::to_string(self) {
            Ok(json) if json.chars().count() <= MAX_CHARS => json,
            _ => self.task_token.clone(),
        }
    }

    /// Read a token back: the JSON this module wrote, or a bare task token.
    pub fn decode(token: &str) -> HandOverToken {
        serde_json::from_str::<HandOverToken>(token).unwrap_or_else(|_| HandOverToken {
            task_token: token.to_string(),
            execution_arn: None,
        })
    }
}

#[cfg(test)]
#[path = "token_tests.rs"]
mod tests;
