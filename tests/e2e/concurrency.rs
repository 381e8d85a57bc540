//! The same job delivered twice at the same moment (issue 16, item 6): Lambda may run two
//! deliveries of one asynchronous invocation at once, in two execution environments, and the
//! local Lambda service does too. Both reach StartExecution; one execution runs, one result.

use stackflow_environment::functions::ENTRY_FUNCTION;
use stackflow_job_service::{ArtifactSource, CreateJobRequest, JobServiceClient};

use crate::support::{
    assert_one_execution_one_result, environment, example, example_parameters, home, runtime,
    unique_stack,
};

#[test]
fn the_same_job_delivered_twice_at_once_starts_one_execution_and_ends_with_one_result() {
    let env = environment();
    runtime().block_on(async {
        let jobs = JobServiceClient::new(env.jobs_url());
        let zip = stackflow_environment::artifact::prepare(
            "SourceArtifact",
            &example(),
            &home().artifacts(),
        )
        .expect("artifact zip");
        let request = CreateJobRequest {
            user_parameters: Some(example_parameters(
                &unique_stack("e2e-at-once"),
                serde_json::json!({}),
            )),
            artifacts: vec![ArtifactSource {
                name: "SourceArtifact".into(),
                zip_path: zip.to_string_lossy().into_owned(),
                revision: None,
            }],
            deliveries: Some(2),
            ..CreateJobRequest::default()
        };
        let job_id = jobs.create(&request).await.expect("create the job");

        assert_one_execution_one_result(env, &jobs, &job_id).await;

        // Both deliveries reached StartExecution and neither failed: what each concluded is in
        // the entry function's log, one line each. (With the same name and input while the
        // execution is open, StartExecution answers success to both, as Step Functions does:
        // https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html)
        let log = std::fs::read_to_string(home().logs().join(format!("{ENTRY_FUNCTION}.log")))
            .expect("the entry function's log");
        let concluded: Vec<&str> = log
            .lines()
            .filter(|line| line.contains(&job_id))
            .filter(|line| line.contains("execution started") || line.contains("already exists"))
            .collect();
        assert_eq!(concluded.len(), 2, "{concluded:#?}");
    });
}
