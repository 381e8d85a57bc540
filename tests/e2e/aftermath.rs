//! What the environment holds about one job once it ended: its record in the job service, the
//! executions started for it, and the history of the first. The fault tests assert on it.

use std::time::{Duration, Instant};

use aws_sdk_sfn::operation::describe_execution::DescribeExecutionOutput;
use aws_sdk_sfn::types::{ExecutionStatus, HistoryEvent, HistoryEventType};
use stackflow_environment::state::EnvironmentState;
use stackflow_environment::watch::execution_history;
use stackflow_job_service::{JobRecord, JobServiceClient};

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
            let name = stackflow::steps::start_deployment::execution_name(job_id);
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

    /// The errors of [`Self::task_failures`], in order.
    pub fn task_errors(&self) -> Vec<String> {
        self.task_failures()
            .into_iter()
            .map(|(error, _)| error)
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

/// An execution's history, all pages.
pub async fn history(env: &EnvironmentState, execution_arn: &str) -> Vec<HistoryEvent> {
    execution_history(&sfn(env).await, execution_arn)
        .await
        .expect("execution history")
}

/// The execution once it is no longer running, described; it must get there before `deadline`.
pub async fn ended(
    env: &EnvironmentState,
    execution_arn: &str,
    deadline: Instant,
) -> DescribeExecutionOutput {
    let sfn = sfn(env).await;
    loop {
        let described = sfn
            .describe_execution()
            .execution_arn(execution_arn)
            .send()
            .await
            .expect("describe execution");
        if described.status() != &ExecutionStatus::Running {
            return described;
        }
        assert!(
            Instant::now() < deadline,
            "the execution {execution_arn} still runs past its deadline"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
