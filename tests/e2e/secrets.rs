//! The job's artifact credentials are in the event CodePipeline sends, and nowhere after it: not
//! in an execution's input, output or history, not in a job's failure message or the CLI's
//! report, not in any log, at any log level, on the success path and the failure paths alike.
//!
//! The value of a parameter the template declares NoEcho is nowhere either, whether the
//! configuration file gives it, the UserParameters or the template's Default, even when an
//! Output shows it: in no state, job record, output variable, log or CLI output. The one
//! exception is the raw UserParameters, pipeline configuration, which carry what they are given.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{json, Value};
use stackflow_environment::state::EnvironmentState;
use stackflow_job_service::JobServiceClient;

use crate::aftermath::history;
use crate::support::{
    environment, example, example_parameters, fixture, home, run, run_with, runtime, sfn,
    unique_stack, OwnEnvironment, Run, RUN_TIMEOUT,
};

/// The three credentials of each job's event.
pub async fn credentials(jobs: &JobServiceClient, job_ids: &[String]) -> Vec<String> {
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

/// What may hold a secret and is disregarded: raw UserParameters (pipeline configuration, which
/// carry what they are given), wherever they are copied whole, however deeply JSON- or
/// Debug-escaped.
struct Exceptions(Vec<String>);

impl Exceptions {
    fn none() -> Exceptions {
        Exceptions(Vec::new())
    }

    /// Each of the raw UserParameters `raws`, as it reads at each depth of quoting.
    fn of(raws: &[&str]) -> Exceptions {
        let unquote = |quoted: String| quoted[1..quoted.len() - 1].to_string();
        let json = |text: &str| unquote(serde_json::to_string(text).unwrap());
        let debug = |text: &str| unquote(format!("{text:?}"));
        let mut forms = Vec::new();
        for raw in raws {
            let mut form = raw.to_string();
            for _ in 0..4 {
                forms.push(debug(&form));
                let deeper = json(&form);
                forms.push(form);
                form = deeper;
            }
        }
        forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
        Exceptions(forms)
    }

    fn strip(&self, text: &str) -> String {
        self.0.iter().fold(text.to_string(), |text, form| {
            text.replace(form.as_str(), "")
        })
    }
}

fn assert_absent(secrets: &[String], text: &str, place: &str) {
    for secret in secrets {
        assert!(!text.contains(secret.as_str()), "a secret is in {place}");
    }
}

/// Asserts that no credential is in any execution (its input, output, error and history), any
/// job record (failure messages included), the given texts (the CLI's reports and live output)
/// or any log file under `logs`. Returns the log levels the function logs hold.
pub async fn assert_nowhere(
    env: &EnvironmentState,
    logs: &Path,
    secrets: &[String],
    texts: &[String],
) -> BTreeSet<String> {
    assert_nowhere_but(env, logs, secrets, texts, &Exceptions::none()).await
}

/// [`assert_nowhere`], disregarding the `exceptions`.
async fn assert_nowhere_but(
    env: &EnvironmentState,
    logs: &Path,
    secrets: &[String],
    texts: &[String],
    exceptions: &Exceptions,
) -> BTreeSet<String> {
    let assert_absent = |secrets: &[String], text: &str, place: &str| {
        assert_absent(secrets, &exceptions.strip(text), place)
    };
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

    let traced = |params: &str, artifact: &Path| {
        run_with(
            trace.cli(),
            RUN_TIMEOUT,
            &[],
            &[("SourceArtifact", artifact)],
            params,
        )
    };
    let runs = runs_to_search(traced);
    let levels = assert_credentials_nowhere(&env, &trace.home.logs(), &runs);

    // The AWS SDK logs the requests it sends and the answers it gets at its lowest levels: a
    // CreateStack with the parameter values, a DescribeStacks with the Outputs.
    let no_echo = no_echo_runs(traced);
    assert_no_echo_values_nowhere(&env, &trace.home.logs(), &no_echo);

    // The search means something only if the functions really logged at TRACE.
    assert!(levels.contains("TRACE"), "no TRACE lines: {levels:?}");
    assert!(levels.contains("DEBUG"), "no DEBUG lines: {levels:?}");
}

/// The NoEcho values of tests/fixtures/no-echo, each shown by an Output of its template: from
/// its configuration file, and from the UserParameters of [`no_echo_runs`]. Letters, digits and
/// hyphens, so that no quoting hides one from the search. (A NoEcho Default is masked too; the
/// unit tests show it: moto sees no "no changes" for a template with Defaults.)
const CONFIG_SECRET: &str = "cfgSecret-7d3f0a91c2";
const USER_PARAMETERS_SECRET: &str = "upSecret-4b8e21d6f0";

/// Two deployments of the NoEcho fixture to one stack: a create (its outputs come from Check
/// stack) and one with no changes (from Deploy stack). Each succeeds with its NoEcho outputs
/// masked, while CloudFormation itself shows them (what the CLI reports as the stack's state).
fn no_echo_runs(run: impl Fn(&str, &Path) -> Run) -> Vec<Run> {
    let params = json!({
        "stack": unique_stack("e2e-noecho"),
        "artifact": "SourceArtifact",
        "file": "template.yaml",
        "config": "config.json",
        "parameters": {"ApiToken": USER_PARAMETERS_SECRET},
        "pollSeconds": 1,
        "timeoutMinutes": 5
    })
    .to_string();
    let artifact = fixture("no-echo");
    let runs = vec![run(&params, &artifact), run(&params, &artifact)];
    for (run, summary) in runs.iter().zip(["CREATE_COMPLETE", "no changes"]) {
        assert_eq!(run.code, 0, "{:#}", run.report);
        assert!(run.message().contains(summary), "{:#}", run.report);
        for masked in ["Dsn", "TokenUrl"] {
            assert_eq!(run.output(masked), Some("****"), "{:#}", run.report);
        }
        assert_eq!(run.output("Environment"), Some("dev"), "{:#}", run.report);
        assert!(run
            .output("QueueUrl")
            .is_some_and(|url| url.contains("/e2e-noecho")));
        // CloudFormation does not mask Outputs: the values were there to leak.
        let outputs = run.stack_outputs();
        assert_eq!(
            outputs.get("Dsn").map(String::as_str),
            Some(format!("postgres://admin:{CONFIG_SECRET}@db.internal").as_str()),
            "{outputs:?}"
        );
        assert_eq!(
            outputs.get("TokenUrl").map(String::as_str),
            Some(format!("https://api.internal/?token={USER_PARAMETERS_SECRET}").as_str())
        );
    }
    runs
}

/// Asserts that no NoEcho value of the runs is anywhere [`assert_nowhere`] looks, but in the
/// raw UserParameters that were given one, and in the CLI's report of the stack as
/// CloudFormation describes it (its `stack.outputs`, which are CloudFormation's, as in its
/// console).
fn assert_no_echo_values_nowhere(
    env: &EnvironmentState,
    logs: &Path,
    runs: &[Run],
) -> BTreeSet<String> {
    let texts: Vec<String> = runs
        .iter()
        .flat_map(|run| {
            // The stack's outputs are CloudFormation's own: not searched.
            let mut report = run.report.clone();
            if let Some(stack) = &mut report.stack {
                stack.outputs.clear();
            }
            [report.to_string(), run.live.clone()]
        })
        .collect();
    let secrets = [CONFIG_SECRET, USER_PARAMETERS_SECRET].map(str::to_string);
    runtime().block_on(async {
        // The UserParameters of every job the environment made (earlier runs' too).
        let jobs = JobServiceClient::new(env.jobs_url())
            .list_jobs()
            .await
            .unwrap();
        let raws: Vec<&str> = jobs
            .iter()
            .filter_map(|job| job.user_parameters.as_deref())
            .collect();
        for run in runs {
            let job = jobs.iter().find(|job| job.id == run.job_id()).unwrap();
            let raw = job.user_parameters.as_deref().unwrap_or_default();
            assert!(raw.contains(USER_PARAMETERS_SECRET), "{raw}");
        }
        assert_nowhere_but(env, logs, &secrets, &texts, &Exceptions::of(&raws)).await
    })
}

#[test]
fn no_echo_values_appear_in_no_state_no_output_variable_and_no_log() {
    let env = environment();
    let runs = no_echo_runs(|params, artifact| run(&[("SourceArtifact", artifact)], params));
    assert_no_echo_values_nowhere(env, &home().logs(), &runs);
}
