//! Faults of the function processes themselves (issue 7, fault matrix): a process killed
//! mid-invocation, an invocation past its timeout. The local Lambda service's test tooling
//! (`stackflow-local function-fault`) makes the chosen invocations of one job fail that way, in
//! the shared environment: each fault matches only its own job's events (its stack name).
//!
//! The last test restarts the environment's own pieces between runs (in an environment of its
//! own): moto, which holds the stacks, keeps running, so the next run finds its stack.
//!
//! Every test checks what a deployment owes whatever goes wrong: the job gets an answer within a
//! bounded time, one execution ran for it, and no report came after the job was closed.

use std::process::Command;
use std::time::{Duration, Instant};

use aws_sdk_sfn::types::ExecutionStatus;
use serde_json::{json, Value};
use stackflow_local::home::Home;
use stackflow_local::moto::MotoRecord;
use stackflow_local::state::{pid_alive, EnvironmentState};

use crate::aftermath::Aftermath;
use crate::support::{
    cli, environment, example, example_parameters, run_command, runtime, unique_stack, Run,
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

/// `stackflow-local run --json` on the example in the shared environment, bounded by
/// [`JOB_DEADLINE`].
fn run_example(stack: &str) -> Run {
    run_example_with(cli(), stack, &[])
}

/// The same with this `stackflow-local` command and more `run` options.
fn run_example_with(mut command: Command, stack: &str, options: &[&str]) -> Run {
    let started = Instant::now();
    command
        .args(["run", "--json", "--timeout"])
        .arg(JOB_DEADLINE.as_secs().to_string())
        .args(options)
        .arg("--artifact")
        .arg(format!("SourceArtifact={}", example().display()))
        .arg("--user-parameters")
        .arg(example_parameters(stack, json!({})));
    let run = run_command(command);
    assert!(
        started.elapsed() < JOB_DEADLINE + Duration::from_secs(30),
        "the run outlived its deadline"
    );
    run
}

fn assert_succeeded(run: &Run) {
    assert_eq!(
        run.code, 0,
        "the job should have succeeded: {}\n{}",
        run.report, run.live
    );
    assert_eq!(run.job_status(), "Succeeded");
    assert_eq!(run.report["stack"]["status"], "CREATE_COMPLETE");
    assert!(run.output("BucketName").is_some(), "{}", run.report);
}

fn assert_failed_naming(run: &Run, needles: &[&str]) {
    assert_eq!(
        run.code, 1,
        "the job should have failed: {}\n{}",
        run.report, run.live
    );
    assert_eq!(run.job_status(), "Failed");
    assert_eq!(run.failure_type(), "JobFailed", "{}", run.report);
    for needle in needles {
        assert!(
            run.message().contains(needle),
            "the message {:?} does not name {needle:?}",
            run.message()
        );
    }
    assert!(
        run.states().iter().any(|s| s == "Report failure"),
        "not reported through the state machine: {:?}",
        run.states()
    );
}

#[test]
fn deploy_stack_killed_as_it_answers_is_retried_and_the_deployment_succeeds() {
    let env = environment();
    let stack = unique_stack("e2e-crash-once");
    // The first attempt creates the stack and dies before its answer gets out.
    arm(&["crash", "deploy-stack"], &stack);

    let run = run_example(&stack);
    assert_succeeded(&run);
    assert!(armed_for(&stack).is_empty(), "the fault was not used");

    let after = Aftermath::of(env, run.job_id());
    after.assert_one_execution_one_report();
    assert_eq!(after.status, Some(ExecutionStatus::Succeeded));
    let failures = after.task_failures();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].0, "Runtime.ExitError");
    assert!(
        failures[0]
            .1
            .contains("Runtime exited with error: signal: killed"),
        "{failures:?}"
    );
}

#[test]
fn a_function_killed_on_every_attempt_fails_the_job_naming_the_crash() {
    let env = environment();
    let stack = unique_stack("e2e-crash-always");
    // The first attempt and both retries of Validate parameters.
    arm(&["crash", "validate-params", "--times", "3"], &stack);

    let run = run_example(&stack);
    assert_failed_naming(
        &run,
        &[
            "crashed on every attempt",
            "Runtime.ExitError",
            "signal: killed",
        ],
    );
    assert!(armed_for(&stack).is_empty(), "the fault was not used up");

    let after = Aftermath::of(env, run.job_id());
    after.assert_one_execution_one_report();
    let errors: Vec<String> = after.task_failures().into_iter().map(|f| f.0).collect();
    assert_eq!(errors, vec!["Runtime.ExitError"; 3]);
    assert!(
        !run.states().iter().any(|s| s == "Fetch template"),
        "went on after the crash: {:?}",
        run.states()
    );
}

#[test]
fn check_stack_past_its_timeout_is_retried_and_the_deployment_succeeds() {
    let env = environment();
    let stack = unique_stack("e2e-timeout-once");
    arm(
        &["timeout", "check-stack", "--timeout-seconds", "1"],
        &stack,
    );

    let run = run_example(&stack);
    assert_succeeded(&run);
    assert!(armed_for(&stack).is_empty(), "the fault was not used");

    let after = Aftermath::of(env, run.job_id());
    after.assert_one_execution_one_report();
    assert_eq!(after.status, Some(ExecutionStatus::Succeeded));
    let failures = after.task_failures();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].0, "Sandbox.Timedout");
    assert!(
        failures[0].1.contains("Task timed out after 1.00 seconds"),
        "{failures:?}"
    );
}

#[test]
fn a_function_past_its_timeout_on_every_attempt_fails_the_job_naming_the_timeout() {
    let env = environment();
    let stack = unique_stack("e2e-timeout-always");
    arm(
        &[
            "timeout",
            "fetch-template",
            "--timeout-seconds",
            "1",
            "--times",
            "3",
        ],
        &stack,
    );

    let run = run_example(&stack);
    assert_failed_naming(
        &run,
        &[
            "timed out on every attempt",
            "Sandbox.Timedout",
            "Task timed out after 1.00 seconds",
        ],
    );

    let after = Aftermath::of(env, run.job_id());
    after.assert_one_execution_one_report();
    let errors: Vec<String> = after.task_failures().into_iter().map(|f| f.0).collect();
    assert_eq!(errors, vec!["Sandbox.Timedout"; 3]);
    assert!(
        !run.states().iter().any(|s| s == "Deploy stack"),
        "went on after the timeout: {:?}",
        run.states()
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
    let errors: Vec<String> = after.task_failures().into_iter().map(|f| f.0).collect();
    assert_eq!(errors, vec!["Runtime.ExitError"]);
}

/// The fault switch itself: refused when it cannot work, and off unless armed.
#[test]
fn faults_that_cannot_work_are_refused() {
    environment();
    for bad in [
        vec!["crash", "no-such-function"],
        vec!["timeout", "check-stack", "--timeout-seconds", "0"],
    ] {
        let out = cli()
            .arg("function-fault")
            .args(&bad)
            .output()
            .expect("stackflow-local function-fault");
        assert!(!out.status.success(), "{bad:?} was accepted");
    }
}

/// An environment of its own (restarting the shared one would break the other tests), fresh
/// at the start and stopped, moto with it, at the end.
struct OwnEnvironment {
    home: Home,
}

impl OwnEnvironment {
    fn fresh(name: &str) -> OwnEnvironment {
        let environment = OwnEnvironment {
            home: Home::new(crate::support::project_root().join("target").join(name)),
        };
        let _ = environment.cli().arg("down").output();
        environment
    }

    fn cli(&self) -> Command {
        let mut command = cli();
        command.env("STACKFLOW_HOME", self.home.root());
        command
    }

    fn state(&self) -> EnvironmentState {
        EnvironmentState::read(&self.home.state_file())
            .expect("environment state")
            .expect("the environment is up")
    }

    fn moto(&self) -> MotoRecord {
        MotoRecord::read(&self.home.moto_file()).expect("moto's record")
    }

    fn succeed(&self, command: &[&str]) -> String {
        let out = self.cli().args(command).output().expect("stackflow-local");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{command:?} failed: {stderr}");
        stderr
    }
}

impl Drop for OwnEnvironment {
    fn drop(&mut self) {
        let _ = self.cli().arg("down").output();
    }
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
    assert_eq!(run.report["stack"]["status"], "CREATE_COMPLETE");
}

#[test]
fn the_stacks_survive_a_restart_of_the_environments_services() {
    let own = OwnEnvironment::fresh("e2e-restart");
    own.succeed(&["up"]);
    let stack = unique_stack("e2e-restart");
    let mut runs = Vec::new();

    let created = run_example_with(own.cli(), &stack, &[]);
    assert_succeeded(&created);
    let (first, moto) = (own.state(), own.moto());
    runs.push(created);

    // `restart`: new services and function processes, the same moto.
    own.succeed(&["restart"]);
    let restarted = own.state();
    assert_ne!(restarted.pid, first.pid, "the services were not restarted");
    assert_eq!(restarted.moto_port, first.moto_port);
    assert_eq!(own.moto(), moto, "moto was not kept");
    let again = run_example_with(own.cli(), &stack, &[]);
    assert_no_changes(&again, &stack);
    runs.push(again);

    // The services killed outright (as a crash would), then the next run starts them again.
    let killed = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", restarted.pid)])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    while pid_alive(restarted.pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let after_crash = run_example_with(own.cli(), &stack, &[]);
    assert_no_changes(&after_crash, &stack);
    assert_eq!(own.moto(), moto, "moto was not adopted after the crash");
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
