//! The README's claims that need stacks held in progress (issue 16, item 1), each in an
//! environment of its own with `--hold-in-progress`: a busy stack makes the second job wait,
//! then deploy; `timeoutMinutes` running out fails the job saying whose operation is still in
//! progress; and the artifact credentials of every job of a hand-over chain are nowhere.

use std::time::{Duration, Instant};

use serde_json::json;
use stackflow_environment::aws::moto_sdk_config;
use stackflow_environment::state::EnvironmentState;
use stackflow_job_service::JobServiceClient;

use crate::aftermath::history;
use crate::secrets::{assert_nowhere, credentials};
use crate::support::{
    assert_failed, chain, create_example_job, example, example_parameters, run_with, runtime,
    unique_stack, OwnEnvironment,
};

/// An environment of this module's own, up with the knobs, and the same knobs for `run` (which
/// would otherwise restart the services with its defaults).
fn up(name: &str, knobs: &[&str]) -> (OwnEnvironment, EnvironmentState) {
    let environment = OwnEnvironment::fresh(name, &[]);
    let state = environment.up(knobs);
    (environment, state)
}

/// Waits until moto holds `stack` (its CreateStack went through), whatever the proxy reports.
async fn wait_for_stack(env: &EnvironmentState, stack: &str, deadline: Instant) {
    let cfn = aws_sdk_cloudformation::Client::new(&moto_sdk_config(&env.moto_url()).await);
    while cfn
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "stack {stack} was never created");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// How long the busy stack's operations are reported in progress: the second job, started once
/// the first one's CreateStack went through, must find the stack busy. It gets there in a few
/// steps, under a second in the local runs, the whole suite running beside it.
const BUSY_HOLD: &str = "10";

#[test]
fn a_second_job_on_a_busy_stack_waits_then_deploys() {
    let knobs = ["--hold-in-progress", BUSY_HOLD];
    let (environment, env) = up("e2e-home-claims-busy", &knobs);
    let stack = unique_stack("e2e-busy");
    let rt = runtime();
    let jobs = JobServiceClient::new(env.jobs_url());
    let first = rt.block_on(async {
        let first = create_example_job(&jobs, &environment.home, &stack).await;
        wait_for_stack(&env, &stack, Instant::now() + Duration::from_secs(120)).await;
        first
    });

    // The second job changes a parameter: once the first job's create is over, it updates.
    let second = run_with(
        environment.cli(),
        Duration::from_secs(240),
        &knobs,
        &[("SourceArtifact", &example())],
        &example_parameters(&stack, json!({"parameters": {"Environment": "staging"}})),
    );
    let first = rt.block_on(async {
        jobs.wait_for_final(&first, Duration::from_secs(120))
            .await
            .expect("the first job's result")
    });

    assert!(first.succeeded(), "{first:?}");
    assert_eq!(second.code, 0, "{}\n{}", second.report, second.live);
    let states = second.states();
    let deploys = states.iter().filter(|s| *s == "Deploy stack").count();
    assert!(
        deploys >= 2,
        "the second job did not wait for the busy stack: {states:?}"
    );
    assert!(
        second.message().contains("UPDATE_COMPLETE"),
        "{}",
        second.report
    );
    assert_eq!(second.output("Environment"), Some("staging"));
    assert_eq!(second.stack_status(), Some("UPDATE_COMPLETE"));
    drop(environment);
}

/// CodePipeline's reply timeout, shortened: start-deployment hands each job over after 5 s.
const REPLY_TIMEOUT: &str = "10";
/// Longer than the 1 minute `timeoutMinutes` of the job, with room for the check that notices.
const TIMEOUT_HOLD: &str = "90";

/// `timeoutMinutes` is at least 1: the cheapest honest run waits that minute. The deployment
/// hands its job over meanwhile, so the same run shows the credentials of every job of a
/// hand-over chain, and what the hand-overs sent Step Functions, nowhere.
#[test]
fn timeout_minutes_running_out_fails_the_job_and_no_job_of_the_chain_leaks_its_credentials() {
    let knobs = [
        "--hold-in-progress",
        TIMEOUT_HOLD,
        "--job-reply-timeout",
        REPLY_TIMEOUT,
    ];
    let (environment, env) = up("e2e-home-claims-timeout", &knobs);
    let stack = unique_stack("e2e-timeout");
    let run = run_with(
        environment.cli(),
        Duration::from_secs(240),
        &knobs,
        &[("SourceArtifact", &example())],
        &example_parameters(&stack, json!({"timeoutMinutes": 1})),
    );
    assert_failed(
        &run,
        "JobFailed",
        &[
            &format!("stack {stack} did not settle within timeoutMinutes (1 minute)"),
            "CREATE_IN_PROGRESS",
            "CloudFormation carries on",
            // By the token of its events (moto records none; the local CloudFormation layer
            // writes the operation's token into them, as CloudFormation does).
            "The operation in progress is this deployment's own",
        ],
    );

    runtime().block_on(async {
        let jobs = JobServiceClient::new(env.jobs_url());
        let execution_arn = &run.report.execution.as_ref().expect("an execution").arn;
        let first_job_id = execution_arn.rsplit(':').next().expect("execution name");
        let chain = chain(&jobs, first_job_id).await;
        assert!(chain.len() >= 2, "no hand-over: {chain:?}");
        assert_eq!(chain.last().map(|job| job.id.as_str()), Some(run.job_id()));

        // The hand-overs' SendTaskSuccess output is in the history the scan below reads.
        let events = history(&env, execution_arn).await;
        let handed_over = events
            .iter()
            .filter_map(|event| event.state_exited_event_details())
            .filter(|exited| exited.name() == "Hand over to the next job")
            .count();
        assert!(handed_over >= 1, "no hand-over state exited");

        let ids: Vec<String> = chain.iter().map(|job| job.id.clone()).collect();
        let secrets = credentials(&jobs, &ids).await;
        // Every execution's history (the hand-overs' SendTaskSuccess output among its events),
        // every job record, the run's report and live output, every function log.
        let texts = [run.report.to_string(), run.live.clone()];
        assert_nowhere(&env, &environment.home.logs(), &secrets, &texts).await;
    });
    drop(environment);
}
