//! Faults of the AWS APIs the functions call (issue 7, fault matrix): S3 unavailable while the
//! template is fetched, CloudFormation throttling DescribeStacks, CodePipeline failing or
//! refusing the report. The environment's fault proxy (`/stackflow/aws-faults`, test tooling)
//! strikes the requests of one job only (its stack or artifact name), so these tests share the
//! one environment with the others.
//!
//! Every test checks what a deployment owes whatever goes wrong: the job gets its answer (the
//! run's `--timeout` bounds the wait), exactly one execution ran for it, and no report came after
//! the job was closed.

use std::time::{Duration, Instant};

use aws_sdk_sfn::types::ExecutionStatus;
use serde_json::{json, Value};
use stackflow_environment::watch::execution_arn;
use stackflow_fault_tools::fault_proxy::{FaultClient, FaultRecord, FaultRule};
use stackflow_job_service::{ClosedBy, JobServiceClient};

use crate::aftermath::{ended, Aftermath};
use crate::support::{
    assert_failed, cli, create_example_job, environment, example, example_parameters, home,
    run_with, runtime, unique_stack, Run,
};

/// The longest a job here may take: S3 failing throughout takes the Fetch template Retry's five
/// waits (2 + 4 + 8 + 16 + 32 s) and six invocations' SDK retries.
const JOB_DEADLINE: Duration = Duration::from_secs(240);

/// How long the fault proxy holds the report the job is closed under.
const REPORT_HOLD_SECONDS: u64 = 15;

/// The SDK's own attempts per call (the standard retry mode's default).
const SDK_ATTEMPTS: u32 = 3;
/// Invocations of a Task state with the `Transient` Retry of Fetch template (1 + MaxAttempts 5).
const FETCH_INVOCATIONS: u32 = 6;

/// A fault set for one test, removed when the test ends, pass or fail. Its client's
/// connections belong to its own runtime, so it is called outside any other.
struct Fault {
    rt: tokio::runtime::Runtime,
    client: FaultClient,
    id: String,
}

impl Fault {
    fn set(rule: Value) -> Fault {
        let rt = runtime();
        let client = FaultClient::new(environment().jobs_url());
        let rule: FaultRule = serde_json::from_value(rule).expect("a fault rule");
        let record = rt.block_on(client.add(&rule)).expect("setting the fault");
        Fault {
            rt,
            client,
            id: record.id,
        }
    }

    fn record(&self) -> FaultRecord {
        self.rt
            .block_on(self.client.get(&self.id))
            .expect("the fault's counts")
    }
}

impl Drop for Fault {
    fn drop(&mut self) {
        let _ = self.rt.block_on(self.client.remove(&self.id));
    }
}

/// `stackflow-local run --json`, with the example's files under artifact `artifact`.
fn run_example(artifact: &str, stack: &str) -> Run {
    run_with(
        cli(),
        JOB_DEADLINE,
        &[],
        &[(artifact, &example())],
        &example_parameters(stack, json!({"artifact": artifact})),
    )
}

fn aftermath(job_id: &str) -> Aftermath {
    Aftermath::of(environment(), job_id)
}

/// An artifact name no other test uses: S3 faults match the artifact's key by it (the local
/// CodePipeline puts its first 10 characters in the key).
fn unique_artifact() -> String {
    unique_stack("S3").replace('-', "")
}

#[test]
fn s3_unavailable_for_a_while_while_fetching_the_template_is_retried_and_the_job_succeeds() {
    let (artifact, stack) = (unique_artifact(), unique_stack("e2e-s3-blip"));
    let fault = Fault::set(json!({
        "service": "s3", "operation": "GetObject", "matching": format!("/{artifact}/"),
        "status": 503, "code": "ServiceUnavailable",
        "message": "Service is unable to handle request.", "forSeconds": 3
    }));

    let result = run_example(&artifact, &stack);

    assert_eq!(result.code, 0, "{}\n{}", result.report, result.live);
    assert_eq!(result.job_status(), "Succeeded");
    let counts = fault.record();
    assert!(counts.struck >= 1, "the fault never struck: {counts:?}");
    assert!(
        counts.matched > counts.struck,
        "no GetObject came after the outage: {counts:?}"
    );
    let after = aftermath(result.job_id());
    assert_eq!(after.job.closed_by, Some(ClosedBy::Success));
    after.assert_one_execution_one_report();
    assert!(
        !result.states().iter().any(|s| s == "Report failure"),
        "{:?}",
        result.states()
    );
}

#[test]
fn s3_unavailable_throughout_fails_the_job_naming_the_cause() {
    let (artifact, stack) = (unique_artifact(), unique_stack("e2e-s3-down"));
    let fault = Fault::set(json!({
        "service": "s3", "operation": "GetObject", "matching": format!("/{artifact}/"),
        "status": 503, "code": "ServiceUnavailable",
        "message": "Service is unable to handle request."
    }));

    let result = run_example(&artifact, &stack);

    assert_failed(
        &result,
        "JobFailed",
        &["GetObject", &artifact, "ServiceUnavailable"],
    );
    // Reported by the execution, not timed out by CodePipeline.
    let after = aftermath(result.job_id());
    assert_eq!(
        after.job.closed_by,
        Some(ClosedBy::Failure),
        "{:?}",
        after.job
    );
    after.assert_one_execution_one_report();

    // The state machine retried the step (more attempts than the SDK makes alone), and no more
    // than its Retry allows.
    let counts = fault.record();
    assert!(counts.struck > SDK_ATTEMPTS, "{counts:?}");
    assert!(
        counts.struck <= SDK_ATTEMPTS * FETCH_INVOCATIONS,
        "a retry storm: {counts:?}"
    );
    let transient = after
        .task_failures()
        .into_iter()
        .filter(|(error, _)| error == "Transient")
        .count();
    assert_eq!(transient, FETCH_INVOCATIONS as usize, "{:?}", after.history);
}

#[test]
fn cloudformation_throttling_describe_stacks_past_the_sdk_retries_is_retried_and_succeeds() {
    let stack = unique_stack("e2e-throttled");
    // More than the SDK's own attempts: the Task state's Retry on `Transient` has to act.
    let times = SDK_ATTEMPTS + 2;
    let fault = Fault::set(json!({
        "service": "cloudformation", "operation": "DescribeStacks", "matching": stack,
        "status": 400, "code": "Throttling", "message": "Rate exceeded", "times": times
    }));

    let result = run_example("SourceArtifact", &stack);

    assert_eq!(result.code, 0, "{}\n{}", result.report, result.live);
    assert_eq!(result.job_status(), "Succeeded");
    assert!(result.output("QueueUrl").is_some(), "{}", result.report);
    let counts = fault.record();
    assert_eq!(counts.struck, times, "{counts:?}");
    assert!(counts.matched > times, "{counts:?}");
    let after = aftermath(result.job_id());
    assert_eq!(after.job.closed_by, Some(ClosedBy::Success));
    after.assert_one_execution_one_report();
    let failed = after.task_failures();
    assert!(
        failed.iter().any(|(error, cause)| error == "Transient"
            && cause.contains("DescribeStacks")
            && cause.contains("Throttling: Rate exceeded")),
        "no step failed Transient on the throttling: {failed:?}"
    );
}

#[test]
fn a_500_from_codepipeline_on_the_first_report_is_retried_and_recorded_once() {
    let stack = unique_stack("e2e-report-500");
    // The success report's summary names the stack.
    let fault = Fault::set(json!({
        "service": "codepipeline", "operation": "PutJobSuccessResult", "matching": stack,
        "status": 500, "code": "InternalFailure", "message": "Internal service error", "times": 1
    }));

    let result = run_example("SourceArtifact", &stack);

    assert_eq!(result.code, 0, "{}\n{}", result.report, result.live);
    assert_eq!(result.job_status(), "Succeeded");
    let counts = fault.record();
    assert_eq!(
        (counts.struck, counts.matched),
        (1, 2),
        "one report refused, one retry, no more: {counts:?}"
    );
    let after = aftermath(result.job_id());
    assert_eq!(after.job.closed_by, Some(ClosedBy::Success));
    assert!(after.job.output_variables.is_some(), "{:?}", after.job);
    after.assert_one_execution_one_report();
}

#[test]
fn a_job_closed_by_someone_else_before_the_report_ends_the_execution_cleanly() {
    let env = environment();
    let stack = unique_stack("e2e-closed");
    // Hold the success report long enough to close the job under it: 15 s for this test to see
    // the report held and stop the job, and 15 s of report-result's 30 s timeout left for the
    // rest of its invocation.
    let fault = Fault::set(json!({
        "service": "codepipeline", "operation": "PutJobSuccessResult", "matching": stack,
        "delaySeconds": REPORT_HOLD_SECONDS, "times": 1
    }));
    let rt = runtime();
    let jobs = JobServiceClient::new(env.jobs_url());
    let started = Instant::now();
    let job_id = rt.block_on(create_example_job(&jobs, &home(), &stack));

    // The report is on its way: close the job as a stopped pipeline would.
    while fault.record().matched == 0 {
        assert!(started.elapsed() < JOB_DEADLINE, "no report came");
        std::thread::sleep(Duration::from_millis(100));
    }
    rt.block_on(async {
        let stopped = jobs.stop_job(&job_id).await.expect("stop the job");
        assert_eq!(stopped.closed_by, Some(ClosedBy::Stopped));

        // The execution ends, and soon.
        let arn = execution_arn(&env.state_machine_arn, &job_id);
        let described = ended(env, &arn, started + JOB_DEADLINE).await;
        assert_eq!(described.status(), &ExecutionStatus::Succeeded);
        let output: Value =
            serde_json::from_str(described.output().unwrap_or("{}")).expect("execution output");
        assert_eq!(output["report"]["reported"], "AlreadyClosed", "{output}");
    });

    // Our one report was refused (InvalidJobStateException) and not retried.
    let after = aftermath(&job_id);
    assert_eq!(
        after.job.closed_by,
        Some(ClosedBy::Stopped),
        "{:?}",
        after.job
    );
    assert_eq!(after.job.reports_after_close, 1, "{:?}", after.job);
    assert_eq!(after.executions, 1);
    let counts = fault.record();
    assert_eq!((counts.struck, counts.matched), (1, 1), "{counts:?}");
    assert!(after.task_failures().is_empty());
}
