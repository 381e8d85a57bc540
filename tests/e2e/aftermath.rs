//! What the environment holds about one job once it ended: its record in the job service, the
//! executions started for it, and the history of the first. The fault tests assert on it.

use aws_sdk_sfn::types::{ExecutionStatus, HistoryEvent, HistoryEventType};
use stackflow_local::job_service::{JobRecord, JobServiceClient};
use stackflow_local::state::EnvironmentState;

use crate::support::{executions, runtime, sfn};

pub struct Aftermath {
    pub job: JobRecord,
    /// The executions named after the job.
    pub executions: usize,
    pub status: Option<ExecutionStatus>,
    pub history: Vec<HistoryEvent>,
}

impl Aftermath {
    pub fn of(env: &EnvironmentState, job_id: &str) -> Aftermath {
        runtime().block_on(async {
            let job = JobServiceClient::new(env.jobs_url())
                .get_job(job_id)
                .await
                .expect("the job record");
            let name = stackflow::start::execution_name(job_id);
            let mine: Vec<_> = executions(env)
                .await
                .into_iter()
                .filter(|execution| execution.name() == name)
                .collect();
            let history = match mine.first() {
                Some(execution) => history(env, execution.execution_arn()).await,
                None => Vec::new(),
            };
            Aftermath {
                job,
                executions: mine.len(),
                status: mine.first().map(|execution| execution.status().clone()),
                history,
            }
        })
    }

    /// The failed Lambda invocations, (error, cause): `TaskFailed` events, or the
    /// `LambdaFunctionFailed` ones moto records for `lambda:invoke` tasks.
    pub fn task_failures(&self) -> Vec<(String, String)> {
        let pair = |error: Option<&str>, cause: Option<&str>| {
            (
                error.unwrap_or_default().to_string(),
                cause.unwrap_or_default().to_string(),
            )
        };
        self.history
            .iter()
            .filter_map(|event| match event.r#type() {
                HistoryEventType::TaskFailed => event
                    .task_failed_event_details()
                    .map(|d| pair(d.error(), d.cause())),
                HistoryEventType::LambdaFunctionFailed => event
                    .lambda_function_failed_event_details()
                    .map(|d| pair(d.error(), d.cause())),
                _ => None,
            })
            .collect()
    }

    /// What every fault owes: an answer, one execution, no report after the job was closed, no
    /// continuation job.
    pub fn assert_one_execution_one_report(&self) {
        assert_eq!(self.executions, 1, "executions for job {}", self.job.id);
        assert_eq!(
            self.job.reports_after_close, 0,
            "a second report reached the closed job: {:?}",
            self.job
        );
        assert!(self.job.is_final(), "the job got no answer: {:?}", self.job);
        assert!(self.job.next_job_id.is_none(), "{:?}", self.job);
    }
}

/// The ARN of the execution start-deployment starts for `job_id`.
pub fn execution_arn(env: &EnvironmentState, job_id: &str) -> String {
    format!(
        "{}:{}",
        env.state_machine_arn
            .replacen(":stateMachine:", ":execution:", 1),
        stackflow::start::execution_name(job_id)
    )
}

/// An execution's history, all pages.
pub async fn history(env: &EnvironmentState, execution_arn: &str) -> Vec<HistoryEvent> {
    let sfn = sfn(env).await;
    let mut events = Vec::new();
    let mut token = None;
    loop {
        let page = sfn
            .get_execution_history()
            .execution_arn(execution_arn)
            .max_results(1000)
            .set_next_token(token.take())
            .send()
            .await
            .expect("execution history");
        events.extend(page.events().iter().cloned());
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_string()),
            _ => return events,
        }
    }
}
