//! Faults of the function processes themselves (issue 7, fault matrix): a process killed
//! mid-invocation, an invocation past its timeout. The local Lambda service's test tooling
//! (`stackflow-local function-fault`) makes the chosen invocations of one job fail that way, in
//! the shared environment: each fault matches only its own job's events (its stack name).
//!
//! The last test restarts the environment's own pieces between runs (in an environment of its
//! own): moto, which holds the stacks, keeps running, so the next run finds its stack.
//!
//! Every test checks what a deployment owes whatever goes wrong: the job gets an answer (the
//! run's `--timeout` bounds the wait), one execution ran for it, and no report came after the job
//! was closed.

use std::process::Command;
use std::time::{Duration, Instant};

use aws_sdk_sfn::types::ExecutionStatus;
use serde_json::{json, Value};
use stackflow_environment::moto::MotoRecord;
use stackflow_environment::process::pid_alive;

use crate::aftermath::Aftermath;
use crate::support::{
    assert_failed, cli, environment, example, example_parameters, run_with, runtime, unique_stack,
    OwnEnvironment, Run,
};

/// A job here ends within this (the retries wait 1 s and 2 s; a held answer 1 s each).
const JOB_DEADLINE: Duration = Duration::from_secs(120);

/// Arm a fault through the CLI, for the invocations whose event names `stack`.
fn arm(fault: &[&str], stack: &str) {
    let out = cli()
        .arg("function-fault")
        .args(fault)
        .args(["--matching", stack])
        .output()
        .expect("stackflow-local function-fault");
    assert!(
        out.status.success(),
        "arming {fault:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The faults still armed for `stack`.
fn armed_for(stack: &str) -> Vec<Value> {
    let out = cli()
        .args(["function-fault", "list"])
        .output()
        .expect("stackflow-local function-fault list");
    let armed: Vec<Value> = serde_json::from_slice(&out.stdout).expect("the armed faults");
    armed
        .into_iter()
        .filter(|fault| fault["matching"] == stack)
        .collect()
}

/// `stackflow-local run --json` on the example in the shared environment, with [`JOB_DEADLINE`]
/// as its `--timeout`.
fn run_example(stack: &str) -> Run {
    run_example_with(cli(), stack, &[])
}

/// The same with this `stackflow-local` command and more `run` options.
fn run_example_with(command: Command, stack: &str, options: &[&str]) -> Run {
    run_with(
        command,
        JOB_DEADLINE,
        options,
        &[("SourceArtifact", &example())],
        &example_parameters(stack, json!({})),
    )
}

fn assert_succeeded(run: &Run) {
    assert_eq!(
        run.code, 0,
        "the job should have succeeded: {}\n{}",
        run.report, run.live
    );
    assert_eq!(run.job_status(), "Succeeded");
    assert_eq!(run.stack_status(), Some("CREATE_COMPLETE"));
    assert!(run.output("BucketName").is_some(), "{}", run.report);
}

/// `fault` strikes one invocation: the retry makes it good and the deployment succeeds, with
/// the one failed invocation (`error`, its cause naming `cause`) in the history.
fn struck_once_then_retried(stack_prefix: &str, fault: &[&str], error: &str, cause: &str) {
    let env = environment();
    let stack = unique_stack(stack_prefix);
    arm(fault, &stack);

    let run = run_example(&stack);
    assert_succeeded(&run);
    assert!(armed_for(&stack).is_empty(), "the fault was not used");

    let after = Aftermath::of(env, run.job_id());
    after.assert_one_execution_one_report();
    assert_eq!(after.status, Some(ExecutionStatus::Succeeded));
    let failures = after.task_failures();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].0, error);
    assert!(failures[0].1.contains(cause), "{failures:?}");
}

/// The first attempt and both retries of a Task state.
const ATTEMPTS: usize = 3;

/// `fault` strikes every attempt of a step: the job fails with a message naming every needle,
/// each attempt failed with `error`, and the execution never reached `not_reached`.
fn struck_on_every_attempt(
    stack_prefix: &str,
    fault: &[&str],
    error: &str,
    needles: &[&str],
    not_reached: &str,
) {
    let env = environment();
    let stack = unique_stack(stack_prefix);
    let times = ATTEMPTS.to_string();
    arm(&[fault, &["--times", &times]].concat(), &stack);

    let run = run_example(&stack);
    assert_failed(&run, "JobFailed", needles);
    assert!(armed_for(&stack).is_empty(), "the fault was not used up");

    let after = Aftermath::of(env, run.job_id());
    after.assert_one_execution_one_report();
    assert_eq!(after.task_errors(), vec![error; ATTEMPTS]);
    assert!(
        !run.states().iter().any(|s| s == not_reached),
        "went on after the fault: {:?}",
        run.states()
    );
}

#[test]
fn deploy_stack_killed_as_it_answers_is_retried_and_the_deployment_succeeds() {
    // The first attempt creates the stack and dies before its answer gets out.
    struck_once_then_retried(
        "e2e-crash-once",
        &["crash", "deploy-stack"],
        "Runtime.ExitError",
        "Runtime exited with error: signal: killed",
    );
}

#[test]
fn a_function_killed_on_every_attempt_fails_the_job_naming_the_crash() {
    struck_on_every_attempt(
        "e2e-crash-always",
        &["crash", "validate-params"],
        "Runtime.ExitError",
        &[
            "crashed on every attempt",
            "Runtime.ExitError",
            "signal: killed",
        ],
        "Fetch template",
    );
}

#[test]
fn check_stack_past_its_timeout_is_retried_and_the_deployment_succeeds() {
    struck_once_then_retried(
        "e2e-timeout-once",
        &["timeout", "check-stack", "--timeout-seconds", "1"],
        "Sandbox.Timedout",
        "Task timed out after 1.00 seconds",
    );
}

#[test]
fn a_function_past_its_timeout_on_every_attempt_fails_the_job_naming_the_timeout() {
    struck_on_every_attempt(
        "e2e-timeout-always",
        &["timeout", "fetch-template", "--timeout-seconds", "1"],
        "Sandbox.Timedout",
        &[
            "timed out on every attempt",
            "Sandbox.Timedout",
            "Task timed out after 1.00 seconds",
        ],
        "Deploy stack",
    );
}

/// The one crash a retry cannot make good: report-result killed after CodePipeline took its
/// report. The retry reports again, CodePipeline refuses it (the job is closed) and
/// report-result ends normally; the job keeps its first and only answer. CodePipeline offers a
/// Lambda action no way to read a job's status first, so this refused second report stays.
#[test]
fn report_result_killed_after_its_report_leaves_the_answer_as_it_was() {
    let env = environment();
    let stack = unique_stack("e2e-crash-report");
    arm(&["crash", "report-result"], &stack);

    let run = run_example(&stack);
    assert_succeeded(&run);
    assert!(armed_for(&stack).is_empty(), "the fault was not used");

    let after = Aftermath::of(env, run.job_id());
    assert_eq!(after.executions, 1);
    assert_eq!(after.status, Some(ExecutionStatus::Succeeded));
    assert!(after.job.succeeded(), "{:?}", after.job);
    assert_eq!(
        after.job.reports_after_close, 1,
        "the retried report was not the refused one"
    );
    assert_eq!(after.task_errors(), vec!["Runtime.ExitError"]);
}

/// The fault switch itself: refused when it cannot work, and off unless armed.
#[test]
fn faults_that_cannot_work_are_refused() {
    environment();
    for (bad, reason) in [
        (
            vec!["crash", "no-such-function"],
            "fault refused: no function no-such-function",
        ),
        (
            vec!["timeout", "check-stack", "--timeout-seconds", "0"],
            "invalid value '0' for '--timeout-seconds <SECONDS>': 0 is not in 1..",
        ),
    ] {
        let out = cli()
            .arg("function-fault")
            .args(&bad)
            .output()
            .expect("stackflow-local function-fault");
        assert!(!out.status.success(), "{bad:?} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(reason),
            "{bad:?} refused without {reason:?}: {stderr}"
        );
    }
}

/// The record of the moto `own` runs.
fn moto_of(own: &OwnEnvironment) -> MotoRecord {
    MotoRecord::read(&own.home.moto_file()).expect("moto's record")
}

/// A second run after a restart finds the stack the first one made: no changes, a success.
fn assert_no_changes(run: &Run, stack: &str) {
    assert_eq!(run.code, 0, "{}\n{}", run.report, run.live);
    assert!(
        run.message().to_lowercase().contains("no changes"),
        "the stack {stack} was not found as it was: {}",
        run.report
    );
    assert!(
        !run.states().iter().any(|s| s == "Wait for stack"),
        "the stack was deployed again: {:?}",
        run.states()
    );
    assert_eq!(run.stack_status(), Some("CREATE_COMPLETE"));
}

#[test]
fn the_stacks_survive_a_restart_of_the_environments_services() {
    // Of its own: restarting the shared environment would break the other tests.
    let own = OwnEnvironment::fresh("e2e-restart", &[]);
    own.up(&[]);
    let stack = unique_stack("e2e-restart");
    let mut runs = Vec::new();

    let created = run_example_with(own.cli(), &stack, &[]);
    assert_succeeded(&created);
    let (first, moto) = (own.state(), moto_of(&own));
    runs.push(created);

    // `restart`: new services and function processes, the same moto.
    own.succeed(&["restart"]);
    let restarted = own.state();
    assert_ne!(restarted.pid, first.pid, "the services were not restarted");
    assert_eq!(restarted.moto_port, first.moto_port);
    assert_eq!(moto_of(&own), moto, "moto was not kept");
    let again = run_example_with(own.cli(), &stack, &[]);
    assert_no_changes(&again, &stack);
    runs.push(again);

    // The services killed outright (as a crash would), then the next run starts them again.
    let killed = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", restarted.pid)])
        .status()
        .expect("kill");
    assert!(killed.success());
    // Gone before the next run, so that run finds the services dead (the bound stops a hang).
    let deadline = Instant::now() + Duration::from_secs(120);
    while pid_alive(restarted.pid) {
        assert!(Instant::now() < deadline, "the services outlived SIGKILL");
        std::thread::sleep(Duration::from_millis(100));
    }
    let after_crash = run_example_with(own.cli(), &stack, &[]);
    assert_no_changes(&after_crash, &stack);
    assert_eq!(moto_of(&own), moto, "moto was not adopted after the crash");
    runs.push(after_crash);

    // Other knobs restart the services too; the stacks stay.
    let reknobbed = run_example_with(own.cli(), &stack, &["--job-reply-timeout", "600"]);
    assert_no_changes(&reknobbed, &stack);
    assert!(
        reknobbed.live.contains("moto and its stacks stay"),
        "{}",
        reknobbed.live
    );
    assert_eq!(own.state().job_reply_timeout_seconds, 600);
    runs.push(reknobbed);

    // One execution per job and one report each, across every restart.
    let env = own.state();
    for run in &runs {
        Aftermath::of(&env, run.job_id()).assert_one_execution_one_report();
    }
    let all = runtime().block_on(crate::support::executions(&env));
    assert_eq!(all.len(), runs.len(), "executions: {all:?}");

    // `down` stops moto too: the stacks go with it.
    own.succeed(&["down"]);
    assert!(!pid_alive(moto.pid), "moto outlived down");
    assert!(!own.home.moto_file().exists());
}
