//! Deployments longer than a job's reply timeout (issue 5), in environments of their own: a
//! local CodePipeline that fails a job after 30 s without a reply, and stack operations held in
//! progress for longer than that. Each test starts its environment in its own $STACKFLOW_HOME
//! and stops it at the end, so the shared environment of the other tests keeps its knobs.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_sdk_sfn::types::{ExecutionStatus, HistoryEvent, HistoryEventType};
use serde_json::json;
use stackflow_e2e::cost::Schedule;
use stackflow_environment::state::EnvironmentState;
use stackflow_environment::watch::execution_arn;
use stackflow_job_service::{ClosedBy, JobRecord, JobServiceClient};
use stackflow_lambda_service::InvocationRecord;

use crate::aftermath::{ended, history};
use crate::support::{
    chain, create_example_job, example, example_parameters, run_with, runtime, unique_stack,
    OwnEnvironment, Run,
};

/// CodePipeline's reply timeout, shortened: start-deployment hands a job over after half of it,
/// 15 s, which leaves 15 s for the hand-over itself (a check, a state, a report): a window a
/// loaded machine does not miss.
const REPLY_TIMEOUT: u64 = 30;
/// How long the stack create is reported in progress: about three hand-overs' worth.
const HOLD: u64 = 50;
/// The fewest hand-overs a create held for [`HOLD`] makes, with 20 s to spare for slow steps.
const FEWEST_HAND_OVERS: usize = 2;

/// Each test runs an environment of its own besides the shared one: one at a time, to keep the
/// load of the machine down.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// An environment of this module's own, up with the knobs; stopped when dropped.
fn up(name: &str, hold: u64) -> (OwnEnvironment, EnvironmentState) {
    let environment = OwnEnvironment::fresh(name, &[]);
    let state = environment.up(&[
        "--job-reply-timeout",
        &REPLY_TIMEOUT.to_string(),
        "--hold-in-progress",
        &hold.to_string(),
    ]);
    assert_eq!(state.job_reply_timeout_seconds, REPLY_TIMEOUT);
    assert_eq!(state.hold_in_progress_seconds, hold);
    (environment, state)
}

/// The names of the states entered, in order: each is one Step Functions state transition.
fn states_entered(events: &[HistoryEvent]) -> Vec<String> {
    events
        .iter()
        .filter(|event| {
            matches!(
                event.r#type(),
                HistoryEventType::TaskStateEntered
                    | HistoryEventType::ChoiceStateEntered
                    | HistoryEventType::WaitStateEntered
                    | HistoryEventType::PassStateEntered
                    | HistoryEventType::SucceedStateEntered
                    | HistoryEventType::FailStateEntered
            )
        })
        .filter_map(|event| event.state_entered_event_details())
        .map(|details| details.name().to_string())
        .collect()
}

async fn invocations(env: &EnvironmentState) -> Vec<InvocationRecord> {
    reqwest::get(format!("{}/stackflow/invocations", env.lambda_url()))
        .await
        .expect("GET /stackflow/invocations")
        .json()
        .await
        .expect("invocation records")
}

#[test]
fn a_deployment_longer_than_the_reply_timeout_hands_over_and_succeeds_on_the_last_job() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (environment, env) = up("e2e-home-continuation", HOLD);
    let stack = unique_stack("e2e-long");
    let Run { code, report, live } = run_with(
        environment.cli(),
        crate::support::RUN_TIMEOUT,
        &[
            "--job-reply-timeout",
            &REPLY_TIMEOUT.to_string(),
            "--hold-in-progress",
            &HOLD.to_string(),
        ],
        &[("SourceArtifact", &example())],
        &example_parameters(&stack, json!({})),
    );
    assert_eq!(code, 0, "{report}\n{live}");
    assert!(
        !live.contains("restarting"),
        "run restarted the environment: {live}"
    );

    let rt = runtime();
    rt.block_on(async {
        let jobs = JobServiceClient::new(env.jobs_url());
        let execution_arn = &report.execution.as_ref().expect("an execution").arn;
        let first_job_id = execution_arn.rsplit(':').next().expect("execution name");
        let chain = chain(&jobs, first_job_id).await;
        let (last, earlier) = chain.split_last().expect("a job");

        // The job succeeds on the last job id, with the output variables.
        assert_eq!(report.job.id, last.id, "{report}");
        assert_eq!(last.closed_by, Some(ClosedBy::Success), "{last:?}");
        assert!(
            last.output_variables
                .as_ref()
                .is_some_and(|vars| vars.contains_key("QueueUrl")),
            "{last:?}"
        );
        // Every earlier job id was closed with an "in progress" reply (none timed out: below),
        // and without output variables.
        assert!(
            earlier.len() >= FEWEST_HAND_OVERS,
            "a {HOLD} s deployment with a {REPLY_TIMEOUT} s reply timeout handed over only {} times",
            earlier.len()
        );
        for job in earlier {
            assert_eq!(job.closed_by, Some(ClosedBy::ContinuationToken), "{job:?}");
            assert!(job.continuation_token.is_some(), "{job:?}");
            assert_eq!(job.output_variables, None, "{job:?}");
            // The pipeline shows where the stack is at each hand-over (issue 15).
            let summary = job
                .execution_details
                .as_ref()
                .and_then(|details| details.summary.as_deref())
                .unwrap_or_default();
            assert!(
                summary.contains("_IN_PROGRESS") && summary.contains("continues as a new job"),
                "{summary}"
            );
        }
        for pair in chain.windows(2) {
            assert_eq!(
                pair[1].previous_job_id.as_deref(),
                Some(pair[0].id.as_str())
            );
        }
        // Nothing timed out, and nothing reported to a closed job.
        for job in &chain {
            assert_eq!(job.reports_after_close, 0, "{job:?}");
        }
        let all = jobs.list_jobs().await.expect("jobs");
        let timed_out: Vec<&JobRecord> = all
            .iter()
            .filter(|job| job.closed_by == Some(ClosedBy::Timeout))
            .filter(|job| chain.iter().any(|ours| ours.id == job.id))
            .collect();
        assert!(timed_out.is_empty(), "timed out: {timed_out:?}");

        // One execution did the whole deployment.
        let executions = crate::support::executions(&env).await;
        assert_eq!(executions.len(), 1, "{executions:?}");
        assert_eq!(executions[0].execution_arn(), execution_arn);
        assert_eq!(executions[0].status(), &ExecutionStatus::Succeeded);

        // What the run counted matches the cost formula of docs/costs.md.
        let events = history(&env, execution_arn).await;
        let entered = states_entered(&events);
        let count = |name: &str| entered.iter().filter(|s| *s == name).count() as u64;
        let run = Schedule {
            checks: count("Check stack"),
            hand_overs: count("Hand over to the next job"),
        };
        assert_eq!(run.hand_overs, earlier.len() as u64, "{entered:?}");
        assert_eq!(
            entered.len() as u64,
            run.state_transitions(),
            "state transitions of {run:?}: {entered:?}"
        );
        let invoked = invocations(&env).await;
        assert_eq!(
            invoked.len() as u64,
            run.lambda_invocations(),
            "Lambda invocations of {run:?}: {invoked:?}"
        );
        let of = |function: &str| invoked.iter().filter(|i| i.function == function).count() as u64;
        assert_eq!(of("stackflow-start-deployment"), 1 + run.hand_overs);
        assert_eq!(of("stackflow-check-stack"), run.checks);
        assert_eq!(of("stackflow-report-result"), run.hand_overs + 1);

    });
    drop(environment);
}

#[test]
fn a_stopped_pipeline_ends_the_execution_without_a_report_or_a_hang() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // Held far longer than the test waits: only the stop can end the execution in time.
    let (environment, env) = up("e2e-home-stopped", 600);
    let rt = runtime();
    rt.block_on(async {
        let jobs = JobServiceClient::new(env.jobs_url());
        let first =
            create_example_job(&jobs, &environment.home, &unique_stack("e2e-stopped")).await;

        // Let the deployment hand over twice, then stop the pipeline at its newest job. The
        // bound only keeps a broken deployment from hanging the test.
        let started = Instant::now();
        let stopped = loop {
            assert!(
                started.elapsed() < Duration::from_secs(300),
                "no hand-over: {:?}",
                chain(&jobs, &first).await
            );
            let current = chain(&jobs, &first).await;
            let newest = current.last().expect("a job");
            if current.len() >= 3 && newest.closed_by.is_none() {
                // The deployment may hand this job over first: then stop the next one.
                if let Ok(record) = jobs.stop_job(&newest.id).await {
                    break record;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(stopped.closed_by, Some(ClosedBy::Stopped));

        // The execution ends, cleanly, at its next hand-over: before the stack would finish (the
        // states below show it was the stop that ended it; the bound only stops a hang).
        let execution_arn = execution_arn(&env.state_machine_arn, &first);
        let described = ended(
            &env,
            &execution_arn,
            Instant::now() + Duration::from_secs(240),
        )
        .await;
        assert_eq!(described.status(), &ExecutionStatus::Failed);
        let entered = states_entered(&history(&env, &execution_arn).await);
        assert_eq!(
            entered.last().map(String::as_str),
            Some("Abandoned by the pipeline"),
            "{entered:?}"
        );
        assert!(
            !entered
                .iter()
                .any(|s| s == "Report success" || s == "Report failure"),
            "{entered:?}"
        );

        // The stopped job took exactly one more reply attempt (the refused hand-over), no job
        // came after it, and no job timed out.
        let chain = chain(&jobs, &first).await;
        let last = chain.last().expect("a job");
        assert_eq!(last.id, stopped.id, "{chain:?}");
        assert_eq!(last.reports_after_close, 1, "{last:?}");
        for job in &chain {
            assert_ne!(job.closed_by, Some(ClosedBy::Timeout), "{job:?}");
        }
    });
    drop(environment);
}
