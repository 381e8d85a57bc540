//! The environment the end-to-end tests share: one `stackflow-local` environment per test run,
//! jobs created through its CLI exactly as a user would.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;
use stackflow_environment::home::Home;
use stackflow_environment::run::RunReport;
use stackflow_environment::state::EnvironmentState;
use stackflow_job_service::{JobRecord, JobServiceClient};

pub fn project_root() -> PathBuf {
    stackflow_environment::home::project_root()
}

/// Where this test run keeps its environment: `$STACKFLOW_HOME`, or target/e2e-home.
pub fn home() -> Home {
    Home::new(stackflow_e2e::e2e_home_dir())
}

/// target/<profile>, where cargo put stackflow-local and the function executables.
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target dir")
        .to_path_buf()
}

pub fn cli() -> Command {
    let path = target_dir().join("stackflow-local");
    assert!(
        path.is_file(),
        "{} is missing: build it first (`cargo build --workspace --bins`; tests/run does)",
        path.display()
    );
    let mut command = Command::new(path);
    command.env("STACKFLOW_HOME", home().root());
    command.env("STACKFLOW_FUNCTIONS_DIR", target_dir());
    command
}

/// The running environment, started once for the whole test run.
///
/// When this run started it (it was not up), it stays up for the next run, which then starts
/// in seconds, and the run says so on stderr once, with the command that ends it. Stopping it
/// here is not possible reliably: the test harness has no hook at the end of the process, and
/// no test knows it is the last one (a filter may run any subset). tests/run stops it.
pub fn environment() -> &'static EnvironmentState {
    static ENV: OnceLock<EnvironmentState> = OnceLock::new();
    ENV.get_or_init(|| {
        let was_up = EnvironmentState::read(&home().state_file())
            .ok()
            .flatten()
            .is_some_and(|state| stackflow_environment::process::pid_alive(state.pid));
        let out = cli().arg("up").output().expect("run stackflow-local up");
        assert!(
            out.status.success(),
            "stackflow-local up failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if !was_up {
            say_it_keeps_running();
        }
        EnvironmentState::read(&home().state_file())
            .expect("read state")
            .expect("environment state after up")
    })
}

/// Straight to stderr, past the harness's capture of test output: the user must see it.
fn say_it_keeps_running() {
    use std::io::Write;
    let home = home();
    let cli = target_dir().join("stackflow-local");
    let _ = writeln!(
        std::io::stderr(),
        "stackflow-e2e: started the end-to-end environment in {}; it keeps running for the \
         next test run. End it with: STACKFLOW_HOME={} {} down",
        home.root().display(),
        home.root().display(),
        cli.display()
    );
}

/// One `stackflow-local run --json`.
pub struct Run {
    pub code: i32,
    pub report: RunReport,
    /// The live states the run printed.
    pub live: String,
}

impl Run {
    pub fn job_status(&self) -> &str {
        self.report.job.status.as_str()
    }
    pub fn failure_type(&self) -> &str {
        self.report.job.failure_type.as_deref().unwrap_or("")
    }
    pub fn message(&self) -> &str {
        self.report.job.message.as_deref().unwrap_or("")
    }
    pub fn job_id(&self) -> &str {
        &self.report.job.id
    }
    pub fn output(&self, name: &str) -> Option<&str> {
        self.report
            .job
            .output_variables
            .get(name)
            .map(String::as_str)
    }
    pub fn states(&self) -> Vec<String> {
        self.report
            .execution
            .as_ref()
            .map(|execution| execution.states.clone())
            .unwrap_or_default()
    }
    /// The stack's status after the run, as CloudFormation describes it.
    pub fn stack_status(&self) -> Option<&str> {
        self.report.stack.as_ref()?.status.as_deref()
    }
    /// The stack's outputs after the run, as CloudFormation describes them.
    pub fn stack_outputs(&self) -> BTreeMap<String, String> {
        self.report
            .stack
            .as_ref()
            .map(|stack| stack.outputs.clone())
            .unwrap_or_default()
    }
}

/// How long a `run` waits for its job unless a test needs another bound.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(300);

/// `stackflow-local run --json` in the shared environment.
pub fn run(artifacts: &[(&str, &Path)], user_parameters: &str) -> Run {
    environment();
    run_with(cli(), RUN_TIMEOUT, &[], artifacts, user_parameters)
}

/// `stackflow-local run --json --timeout <timeout> <options> --artifact <name>=<path>...
/// --user-parameters <user_parameters>` through `command` (a [`cli`] of some environment, with
/// whatever environment variables it set), run to its end; its report.
pub fn run_with(
    mut command: Command,
    timeout: Duration,
    options: &[&str],
    artifacts: &[(&str, &Path)],
    user_parameters: &str,
) -> Run {
    command
        .args(["run", "--json", "--timeout"])
        .arg(timeout.as_secs().to_string())
        .args(options);
    for (name, path) in artifacts {
        command
            .arg("--artifact")
            .arg(format!("{name}={}", path.display()));
    }
    command.arg("--user-parameters").arg(user_parameters);
    let out = command.output().expect("run stackflow-local run");
    let live = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|err| {
        panic!(
            "stackflow-local run printed no JSON report ({err}); exit {:?}\nstdout: {}\nstderr: {live}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout)
        )
    });
    Run {
        code: out.status.code().unwrap_or(-1),
        report,
        live,
    }
}

/// A failed job, of `failure_type`, whose message names every needle and which the state
/// machine reported (not CodePipeline timing it out).
pub fn assert_failed(run: &Run, failure_type: &str, needles: &[&str]) {
    assert_eq!(
        run.code, 1,
        "expected a failed job: {}\n{}",
        run.report, run.live
    );
    assert_eq!(run.job_status(), "Failed");
    assert_eq!(run.failure_type(), failure_type, "{}", run.report);
    for needle in needles {
        assert!(
            run.message().contains(needle),
            "message {:?} does not name {needle:?}",
            run.message()
        );
    }
    let states = run.states();
    assert!(
        states.iter().any(|s| s == "Report failure"),
        "not reported through the state machine: {states:?}"
    );
}

/// An environment of a test's own, under target/<name>, for knobs or restarts the shared one
/// must not see: down (fresh) to begin with, and stopped, moto with it, when dropped.
pub struct OwnEnvironment {
    pub home: Home,
    /// More environment variables for every command, e.g. the functions' log level.
    vars: Vec<(String, String)>,
}

impl OwnEnvironment {
    pub fn fresh(name: &str, vars: &[(&str, &str)]) -> OwnEnvironment {
        let environment = OwnEnvironment {
            home: Home::new(project_root().join("target").join(name)),
            vars: vars
                .iter()
                .map(|(key, value)| (key.to_string(), value.to_string()))
                .collect(),
        };
        // No stacks, executions, invocations or jobs from an earlier run.
        environment
            .cli()
            .arg("down")
            .output()
            .expect("stackflow-local down");
        environment
    }

    pub fn cli(&self) -> Command {
        let mut command = cli();
        command.env("STACKFLOW_HOME", self.home.root());
        command.envs(self.vars.iter().map(|(key, value)| (key, value)));
        command
    }

    /// Runs `stackflow-local <args>`, which must succeed; what it wrote to stderr.
    pub fn succeed(&self, args: &[&str]) -> String {
        let out = self.cli().args(args).output().expect("stackflow-local");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{args:?} failed: {stderr}");
        stderr
    }

    /// `stackflow-local up <options>`; the state the environment wrote.
    pub fn up(&self, options: &[&str]) -> EnvironmentState {
        self.succeed(&[&["up"], options].concat());
        self.state()
    }

    pub fn state(&self) -> EnvironmentState {
        EnvironmentState::read(&self.home.state_file())
            .expect("environment state")
            .expect("the environment is up")
    }
}

impl Drop for OwnEnvironment {
    fn drop(&mut self) {
        let _ = self.cli().arg("down").output();
    }
}

/// A job for the example (as artifact SourceArtifact, zipped under `home`) deploying `stack`,
/// created straight in the job service as CodePipeline would; its id.
pub async fn create_example_job(jobs: &JobServiceClient, home: &Home, stack: &str) -> String {
    let zip =
        stackflow_environment::artifact::prepare("SourceArtifact", &example(), &home.artifacts())
            .expect("artifact zip");
    let params = example_parameters(stack, serde_json::json!({}));
    jobs.create_job(&params, &[("SourceArtifact".to_string(), zip)])
        .await
        .expect("create job")
}

/// The example artifact folder.
pub fn example() -> PathBuf {
    project_root().join("examples").join("queue-and-bucket")
}

pub fn fixture(name: &str) -> PathBuf {
    project_root().join("tests").join("fixtures").join(name)
}

/// A stack name no other test uses.
pub fn unique_stack(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

/// UserParameters for the example template, with extra keys merged in.
pub fn example_parameters(stack: &str, extra: Value) -> String {
    let mut params = serde_json::json!({
        "stack": stack,
        "artifact": "SourceArtifact",
        "file": "template.yaml",
        "config": "config.json",
        "pollSeconds": 1,
        "timeoutMinutes": 5
    });
    if let (Some(map), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            map.insert(key.clone(), value.clone());
        }
    }
    params.to_string()
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

pub async fn sfn(env: &EnvironmentState) -> aws_sdk_sfn::Client {
    aws_sdk_sfn::Client::new(&stackflow_environment::aws::moto_sdk_config(&env.moto_url()).await)
}

/// Every execution of the stackflow state machine.
pub async fn executions(env: &EnvironmentState) -> Vec<aws_sdk_sfn::types::ExecutionListItem> {
    sfn(env)
        .await
        .list_executions()
        .state_machine_arn(&env.state_machine_arn)
        .max_results(1000)
        .send()
        .await
        .expect("list executions")
        .executions()
        .to_vec()
}

/// The jobs of one action, first to newest, following `nextJobId`.
pub async fn chain(jobs: &JobServiceClient, first_job_id: &str) -> Vec<JobRecord> {
    let mut chain = vec![jobs.get_job(first_job_id).await.expect("first job")];
    while let Some(next) = chain.last().and_then(|job| job.next_job_id.clone()) {
        chain.push(jobs.get_job(&next).await.expect("next job"));
    }
    chain
}

/// `job_id` succeeded with one result (none after it closed) from one execution: what a job
/// delivered more than once must come to.
pub async fn assert_one_execution_one_result(
    env: &EnvironmentState,
    jobs: &JobServiceClient,
    job_id: &str,
) {
    let record = jobs
        .wait_for_final(job_id, Duration::from_secs(240))
        .await
        .unwrap();
    assert!(record.succeeded(), "job did not succeed: {record:?}");
    assert_eq!(
        record.reports_after_close, 0,
        "a second result reached the closed job"
    );
    let name = stackflow::steps::start_deployment::execution_name(job_id);
    let started = executions(env)
        .await
        .iter()
        .filter(|e| e.name() == name)
        .count();
    assert_eq!(started, 1, "executions for job {job_id}: {started}");
}
