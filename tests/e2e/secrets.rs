//! The job's artifact credentials are in the event CodePipeline sends, and nowhere after it.

use serde_json::json;
use stackflow_local::job_service::JobServiceClient;

use crate::support::{
    environment, example, example_parameters, executions, home, run, runtime, sfn, unique_stack,
};

#[test]
fn credentials_appear_in_no_execution_history_and_no_log() {
    let env = environment();
    // One success and one failure, so both report paths are covered.
    let ok = run(
        &[("SourceArtifact", example().as_path())],
        &example_parameters(&unique_stack("e2e-secret"), json!({})),
    );
    assert_eq!(ok.code, 0, "{}", ok.report);
    let failed = run(
        &[("SourceArtifact", example().as_path())],
        &example_parameters(&unique_stack("e2e-secret"), json!({"file": "nope.yaml"})),
    );
    assert_eq!(failed.code, 1, "{}", failed.report);

    let rt = runtime();
    rt.block_on(async {
        let jobs = JobServiceClient::new(env.jobs_url());
        let mut secrets = Vec::new();
        for run in [&ok, &failed] {
            let event = jobs.get_event(run.job_id()).await.unwrap();
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

        let client = sfn(env).await;
        let executions = executions(env).await;
        assert!(!executions.is_empty());
        let mut searched = 0;
        for execution in &executions {
            let history = client
                .get_execution_history()
                .execution_arn(execution.execution_arn())
                .max_results(1000)
                .send()
                .await
                .unwrap();
            let text = format!("{:?}", history.events());
            searched += text.len();
            for secret in &secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "a credential is in the history of {}",
                    execution.name()
                );
            }
        }
        assert!(searched > 0);

        for job in [&ok, &failed] {
            assert!(!secrets
                .iter()
                .any(|s| job.report.to_string().contains(s.as_str())));
        }
        let logs = std::fs::read_dir(home().logs()).unwrap();
        let mut read_any = false;
        for entry in logs {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            read_any |= !text.is_empty();
            for secret in &secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "a credential is in {}",
                    path.display()
                );
            }
        }
        assert!(read_any, "no function logs were written to search");
    });
}
