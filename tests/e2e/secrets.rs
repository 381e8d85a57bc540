//! The job's artifact credentials are in the event CodePipeline sends, and nowhere after it: not
//! in an execution's input, output or history, not in a job's failure message or the CLI's
//! report, not in any log, at any log level, on the success path and the failure paths alike.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{json, Value};
use stackflow_local::job_service::JobServiceClient;
use stackflow_local::state::EnvironmentState;

use crate::aftermath::history;
use crate::support::{
    environment, example, example_parameters, fixture, home, run, run_with, runtime, sfn,
    unique_stack, OwnEnvironment, Run, RUN_TIMEOUT,
};

/// The three credentials of each job's event.
async fn credentials(jobs: &JobServiceClient, job_ids: &[String]) -> Vec<String> {
    let mut secrets = Vec::new();
    for id in job_ids {
        let event = jobs.get_event(id).await.unwrap();
        let creds = &event["CodePipeline.job"]["data"]["artifactCredentials"];
        for field in ["accessKeyId", "secretAccessKey", "sessionToken"] {
            let value = creds[field].as_str().unwrap_or_default().to_string();
            assert!(
                value.len() >= 16,
                "the event has no real-looking {field}: {creds}"
            );
            secrets.push(value);
        }
    }
    secrets
}

fn assert_absent(secrets: &[String], text: &str, place: &str) {
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "a credential is in {place}"
        );
    }
}

/// Asserts that no credential is in any execution (its input, output, error and history), any
/// job record (failure messages included), the given texts (the CLI's reports and live output)
/// or any log file under `logs`. Returns the log levels the function logs hold.
async fn assert_nowhere(
    env: &EnvironmentState,
    logs: &Path,
    secrets: &[String],
    texts: &[String],
) -> BTreeSet<String> {
    let client = sfn(env).await;
    let executions = crate::support::executions(env).await;
    assert!(!executions.is_empty());
    for execution in &executions {
        let arn = execution.execution_arn();
        let described = client
            .describe_execution()
            .execution_arn(arn)
            .send()
            .await
            .unwrap();
        assert!(described.input().is_some(), "no input to search: {arn}");
        assert_absent(secrets, &format!("{described:?}"), arn);
        let history = history(env, arn).await;
        assert!(!history.is_empty());
        assert_absent(
            secrets,
            &format!("{history:?}"),
            &format!("the history of {arn}"),
        );
    }

    let jobs = JobServiceClient::new(env.jobs_url());
    for job in jobs.list_jobs().await.unwrap() {
        let record = serde_json::to_string(&job).unwrap();
        assert_absent(secrets, &record, &format!("job record {}", job.id));
    }
    for text in texts {
        assert_absent(secrets, text, "the CLI's output");
    }

    let mut levels = BTreeSet::new();
    let mut read_any = false;
    for entry in std::fs::read_dir(logs).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        read_any |= !text.is_empty();
        assert_absent(secrets, &text, &path.display().to_string());
        levels.extend(text.lines().filter_map(|line| {
            let record: Value = serde_json::from_str(line).ok()?;
            record["level"].as_str().map(str::to_string)
        }));
    }
    assert!(read_any, "no function logs were written to search");
    levels
}

/// One success and the failure paths of a job: a missing file, a corrupt zip, bad
/// UserParameters.
fn runs_to_search(run: impl Fn(&str, &Path) -> Run) -> Vec<Run> {
    let example = example();
    let bad_zip = fixture("not-a-zip").join("artifact.zip");
    let runs = vec![
        run(
            &example_parameters(&unique_stack("e2e-secret"), json!({})),
            &example,
        ),
        run(
            &example_parameters(&unique_stack("e2e-secret"), json!({"file": "nope.yaml"})),
            &example,
        ),
        run(
            &example_parameters(&unique_stack("e2e-secret"), json!({})),
            &bad_zip,
        ),
        run(
            &example_parameters(&unique_stack("e2e-secret"), json!({"stack": "1-bad"})),
            &example,
        ),
    ];
    let codes: Vec<i32> = runs.iter().map(|run| run.code).collect();
    assert_eq!(
        codes,
        [0, 1, 1, 1],
        "{:#?}",
        runs.iter().map(|r| &r.report).collect::<Vec<_>>()
    );
    runs
}

/// Asserts that no credential of the runs' jobs is anywhere [`assert_nowhere`] looks, the runs'
/// reports and live output among the texts; the log levels the function logs hold.
fn assert_credentials_nowhere(
    env: &EnvironmentState,
    logs: &Path,
    runs: &[Run],
) -> BTreeSet<String> {
    let texts: Vec<String> = runs
        .iter()
        .flat_map(|run| [run.report.to_string(), run.live.clone()])
        .collect();
    runtime().block_on(async {
        let jobs = JobServiceClient::new(env.jobs_url());
        let ids: Vec<String> = runs.iter().map(|run| run.job_id().to_string()).collect();
        let secrets = credentials(&jobs, &ids).await;
        assert_nowhere(env, logs, &secrets, &texts).await
    })
}

#[test]
fn credentials_appear_in_no_execution_no_job_result_and_no_log() {
    let env = environment();
    let runs = runs_to_search(|params, artifact| run(&[("SourceArtifact", artifact)], params));
    assert_credentials_nowhere(env, &home().logs(), &runs);
}

/// The most a log level can ask for: everything at TRACE, and TRACE asked for by name for the
/// runtime crates that log the raw event (with its credentials) at TRACE.
const TRACE_EVERYTHING: &str = "trace,lambda_runtime=trace,lambda_runtime::layers=trace,\
                                lambda_runtime::layers::api_response=trace,\
                                lambda_runtime_api_client=trace";

#[test]
fn credentials_appear_in_no_log_even_at_trace_level() {
    let trace = OwnEnvironment::fresh(
        "e2e-secrets-trace",
        &[("STACKFLOW_FUNCTION_LOG_LEVEL", TRACE_EVERYTHING)],
    );
    // Its logs are this test's alone.
    let _ = std::fs::remove_dir_all(trace.home.logs());
    let env = trace.up(&[]);

    let runs = runs_to_search(|params, artifact| {
        run_with(
            trace.cli(),
            RUN_TIMEOUT,
            &[],
            &[("SourceArtifact", artifact)],
            params,
        )
    });
    let levels = assert_credentials_nowhere(&env, &trace.home.logs(), &runs);
    // The search means something only if the functions really logged at TRACE.
    assert!(levels.contains("TRACE"), "no TRACE lines: {levels:?}");
    assert!(levels.contains("DEBUG"), "no DEBUG lines: {levels:?}");
}
