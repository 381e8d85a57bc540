//! CodePipeline (or Lambda's async retry) may deliver one job twice: one execution, one report.

use stackflow_environment::functions::ENTRY_FUNCTION;
use stackflow_job_service::JobServiceClient;

use crate::support::{
    assert_one_execution_one_result, create_example_job, environment, home, runtime, unique_stack,
};

#[test]
fn the_entry_function_invoked_twice_starts_one_execution_and_reports_once() {
    let env = environment();
    let rt = runtime();
    rt.block_on(async {
        let jobs = JobServiceClient::new(env.jobs_url());
        let job_id = create_example_job(&jobs, &home(), &unique_stack("e2e-twice")).await;

        // The same event again, synchronously, while the first delivery is under way.
        let event = jobs.get_event(&job_id).await.unwrap();
        let http = reqwest::Client::new();
        let response = http
            .post(format!(
                "{}/2015-03-31/functions/{ENTRY_FUNCTION}/invocations",
                env.lambda_url()
            ))
            .json(&event)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert!(
            response.headers().get("x-amz-function-error").is_none(),
            "the second delivery was an error: {:?}",
            response.text().await
        );

        assert_one_execution_one_result(env, &jobs, &job_id).await;
    });
}
