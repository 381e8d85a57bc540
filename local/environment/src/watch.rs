//! Follows one execution's history and writes each state as it is entered and left.

use std::io::Write;

use aws_sdk_sfn::error::SdkError;
use aws_sdk_sfn::operation::get_execution_history::GetExecutionHistoryError;
use aws_sdk_sfn::types::{HistoryEvent, HistoryEventType};
use serde::{Deserialize, Serialize};

/// The state that replies "in progress" and takes the continuation job.
pub const HAND_OVER_STATE: &str = "Hand over to the next job";
/// The steps that write the stack's progress (their ResultPath is `$.stack`). Every later state
/// carries that progress along in its output; only these produced it.
pub const STACK_STEPS: &[&str] = &["Deploy stack", "Check stack"];

/// The ARN of the execution start-deployment starts for `job_id`: named after the job, in this
/// state machine.
pub fn execution_arn(state_machine_arn: &str, job_id: &str) -> String {
    format!(
        "{}:{}",
        state_machine_arn.replacen(":stateMachine:", ":execution:", 1),
        stackflow::steps::start_deployment::execution_name(job_id)
    )
}

/// An execution's whole history, every page of it; a page that cannot be read fails it all.
pub async fn execution_history(
    sfn: &aws_sdk_sfn::Client,
    execution_arn: &str,
) -> Result<Vec<HistoryEvent>, SdkError<GetExecutionHistoryError>> {
    let mut events = Vec::new();
    let mut token = None;
    loop {
        let page = sfn
            .get_execution_history()
            .execution_arn(execution_arn)
            .max_results(1000)
            .set_next_token(token.take())
            .send()
            .await?;
        events.extend(page.events().iter().cloned());
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_string()),
            _ => return Ok(events),
        }
    }
}

/// The execution as the run report gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionSummary {
    pub arn: String,
    pub status: String,
    /// The states entered, in order.
    pub states: Vec<String>,
}

/// What has been seen of the execution for one job.
pub struct ExecutionWatcher {
    sfn: aws_sdk_sfn::Client,
    arn: String,
    seen: usize,
    first: Option<f64>,
    states: Vec<String>,
    status: Option<String>,
    /// The state entered last failed (its error then goes to a Catch, and the state exits).
    failed: bool,
}

impl ExecutionWatcher {
    /// The execution start-deployment starts for `job_id`.
    pub fn new(sfn: aws_sdk_sfn::Client, state_machine_arn: &str, job_id: &str) -> Self {
        ExecutionWatcher {
            sfn,
            arn: execution_arn(state_machine_arn, job_id),
            seen: 0,
            first: None,
            states: Vec::new(),
            status: None,
            failed: false,
        }
    }

    /// Whether the execution has ended.
    pub fn finished(&self) -> bool {
        self.status.as_deref().is_some_and(|s| s != "RUNNING")
    }

    pub fn summary(&self) -> Option<ExecutionSummary> {
        self.status.as_ref().map(|status| ExecutionSummary {
            arn: self.arn.clone(),
            status: status.clone(),
            states: self.states.clone(),
        })
    }

    /// Read what is new in the history and write it; an execution not there yet is no error.
    pub async fn poll(&mut self, live: &mut dyn Write) {
        let Ok(described) = self
            .sfn
            .describe_execution()
            .execution_arn(&self.arn)
            .send()
            .await
        else {
            return;
        };
        let Ok(events) = execution_history(&self.sfn, &self.arn).await else {
            return;
        };
        for event in events.iter().skip(self.seen) {
            self.show(event, live);
        }
        self.seen = self.seen.max(events.len());
        self.status = Some(described.status().as_str().to_string());
    }

    fn show(&mut self, event: &HistoryEvent, live: &mut dyn Write) {
        let at = event.timestamp().as_secs_f64();
        let elapsed = at - *self.first.get_or_insert(at);
        let line = match event.r#type() {
            HistoryEventType::TaskStateEntered
            | HistoryEventType::WaitStateEntered
            | HistoryEventType::ChoiceStateEntered
            | HistoryEventType::PassStateEntered
            | HistoryEventType::SucceedStateEntered
            | HistoryEventType::FailStateEntered => {
                let name = event
                    .state_entered_event_details()
                    .map(|d| d.name().to_string())
                    .unwrap_or_default();
                self.states.push(name.clone());
                self.failed = false;
                format!("▸ {name}")
            }
            HistoryEventType::TaskStateExited
            | HistoryEventType::WaitStateExited
            | HistoryEventType::ChoiceStateExited => {
                let Some(details) = event.state_exited_event_details() else {
                    return;
                };
                if self.failed {
                    // A caught failure: the state exits with the error, not with a result.
                    return;
                }
                let outcome = details
                    .output()
                    .map(|output| outcome_of(details.name(), output))
                    .unwrap_or_default();
                format!("  ✓ {}{outcome}", details.name())
            }
            HistoryEventType::LambdaFunctionFailed => {
                let Some(details) = event.lambda_function_failed_event_details() else {
                    return;
                };
                let message = details.cause().map(cause_message).unwrap_or_default();
                self.failed = true;
                format!("  ✗ {}: {message}", details.error().unwrap_or("error"))
            }
            HistoryEventType::LambdaFunctionSucceeded => {
                // A retry that succeeded: the state exits with its result after all.
                self.failed = false;
                return;
            }
            HistoryEventType::LambdaFunctionTimedOut => {
                self.failed = true;
                "  ✗ the function timed out".to_string()
            }
            HistoryEventType::ExecutionSucceeded => "execution succeeded".to_string(),
            HistoryEventType::ExecutionFailed => {
                let error = event
                    .execution_failed_event_details()
                    .and_then(|d| d.error())
                    .unwrap_or("failed");
                format!("execution failed: {error}")
            }
            HistoryEventType::ExecutionAborted => "execution aborted".to_string(),
            HistoryEventType::ExecutionTimedOut => "execution timed out".to_string(),
            _ => return,
        };
        let _ = writeln!(live, "  {elapsed:>7.1}s  {line}");
    }
}

/// A short outcome for a state's output: the job a hand-over continues with, or the stack's
/// status and what comes next from the step that wrote them (not from the states after it,
/// which only carry them along).
fn outcome_of(state: &str, output: &str) -> String {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(output) else {
        return String::new();
    };
    if state == HAND_OVER_STATE {
        if let Some(job_id) = value["replyTo"]["jobId"].as_str() {
            return format!(" — continues as job {job_id}");
        }
    }
    if !STACK_STEPS.contains(&state) {
        return String::new();
    }
    let stack = &value["stack"];
    match (stack["status"].as_str(), stack["next"].as_str()) {
        (Some(status), Some(next)) => format!(" — stack {status}, next: {next}"),
        (None, Some(next)) => format!(" — next: {next}"),
        _ => String::new(),
    }
}

/// A Lambda error's message from the Cause Step Functions recorded.
fn cause_message(cause: &str) -> String {
    serde_json::from_str::<serde_json::Value>(cause)
        .ok()
        .and_then(|v| v["errorMessage"].as_str().map(str::to_string))
        .unwrap_or_else(|| cause.to_string())
}

#[cfg(test)]
#[path = "watch_tests.rs"]
mod tests;
