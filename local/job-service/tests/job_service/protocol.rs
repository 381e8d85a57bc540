//! The CodePipeline protocol as the functions use it: the job's event, its details, and the
//! results it reports.

use aws_sdk_codepipeline::types::{
    CurrentRevision, ExecutionDetails, FailureDetails, FailureType, JobStatus as ApiJobStatus,
};
use stackflow_job_service::{self as job_service, ClosedBy, JobStatus};

use crate::support::*;

#[tokio::test]
async fn a_new_job_invokes_the_entry_function_asynchronously_with_its_event() {
    let env = start_default().await;
    let job_id = new_job(&env).await;

    let invocations = env.lambda.wait_for(1).await;
    assert_eq!(invocations.len(), 1);
    let invocation = &invocations[0];
    assert_eq!(invocation.function, ENTRY);
    assert_eq!(invocation.invocation_type.as_deref(), Some("Event"));
    assert_eq!(
        invocation.event,
        env.client.get_event(&job_id).await.unwrap()
    );

    let job = &invocation.event["CodePipeline.job"];
    assert_eq!(job["id"], job_id.as_str());
    assert_eq!(job["accountId"], ACCOUNT);
    let configuration = &job["data"]["actionConfiguration"]["configuration"];
    assert_eq!(configuration["FunctionName"], ENTRY);
    assert_eq!(configuration["UserParameters"], PARAMS);
    assert!(job["data"]["inputArtifacts"].as_array().unwrap().is_empty());
    assert!(job["data"]["outputArtifacts"].is_array());
    assert!(job["data"].get("continuationToken").is_none());
    let credentials = &job["data"]["artifactCredentials"];
    assert!(credentials["accessKeyId"]
        .as_str()
        .unwrap()
        .starts_with("ASIA"));
    assert_eq!(credentials["secretAccessKey"].as_str().unwrap().len(), 40);
    assert!(credentials["sessionToken"].as_str().unwrap().len() > 100);
    assert!(credentials["expirationTime"].as_u64().unwrap() > 1_500_000_000_000);

    let record = env.client.get_job(&job_id).await.unwrap();
    assert_eq!(record.status, JobStatus::InProgress);
    assert_eq!(record.closed_by, None);
    env.service.shutdown().await;
}

#[tokio::test]
async fn success_with_output_variables_is_recorded() {
    let env = start_default().await;
    let job_id = new_job(&env).await;

    env.api
        .put_job_success_result()
        .job_id(&job_id)
        .output_variables("StackName", "demo")
        .output_variables(
            "StackId",
            "arn:aws:cloudformation:us-east-1:123456789012:stack/demo/1",
        )
        .execution_details(
            ExecutionDetails::builder()
                .summary("Stack demo is UPDATE_COMPLETE")
                .external_execution_id("exec-1")
                .percent_complete(100)
                .build(),
        )
        .current_revision(
            CurrentRevision::builder()
                .revision("rev-1")
                .change_identifier("change-1")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    let record = env.client.get_job(&job_id).await.unwrap();
    assert_eq!(record.status, JobStatus::Succeeded);
    assert_eq!(record.closed_by, Some(ClosedBy::Success));
    assert!(record.succeeded());
    assert!(record.closed_at.is_some());
    let variables = record.output_variables.clone().unwrap();
    assert_eq!(variables["StackName"], "demo");
    assert_eq!(variables.len(), 2);
    let details = record.execution_details.clone().unwrap();
    assert_eq!(
        details.summary.as_deref(),
        Some("Stack demo is UPDATE_COMPLETE")
    );
    assert_eq!(details.percent_complete, Some(100));
    assert_eq!(
        record.current_revision.unwrap().change_identifier,
        "change-1"
    );
    assert_eq!(record.reports_after_close, 0);

    let listed = env.client.list_jobs().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, job_id);
    env.service.shutdown().await;
}

#[tokio::test]
async fn get_job_details_and_acknowledge_job_answer_in_the_api_shapes() {
    let env = start_default().await;
    let job_id = new_job(&env).await;
    let event = env.client.get_event(&job_id).await.unwrap();

    let details = env
        .api
        .get_job_details()
        .job_id(&job_id)
        .send()
        .await
        .unwrap();
    let job = details.job_details().unwrap();
    assert_eq!(job.id(), Some(job_id.as_str()));
    assert_eq!(job.account_id(), Some(ACCOUNT));
    let data = job.data().unwrap();
    let configuration = data
        .action_configuration()
        .unwrap()
        .configuration()
        .unwrap();
    assert_eq!(configuration["UserParameters"], PARAMS);
    assert_eq!(configuration["FunctionName"], ENTRY);
    let context = data.pipeline_context().unwrap();
    assert_eq!(
        context.pipeline_name(),
        Some(job_service::DEFAULT_PIPELINE_NAME)
    );
    let record = env.client.get_job(&job_id).await.unwrap();
    assert_eq!(
        context.pipeline_execution_id(),
        Some(record.pipeline_execution_id.as_str())
    );
    assert_eq!(
        data.artifact_credentials().unwrap().access_key_id(),
        event["CodePipeline.job"]["data"]["artifactCredentials"]["accessKeyId"]
            .as_str()
            .unwrap()
    );
    assert_eq!(data.action_type_id().unwrap().provider(), "Lambda");
    assert!(data.continuation_token().is_none());

    let status = acknowledged(&env, &job_id, "1").await;
    assert_eq!(status, Some(ApiJobStatus::InProgress));

    let no = failure(&env, &job_id, FailureType::JobFailed, "no");
    no.send().await.unwrap();
    let status = acknowledged(&env, &job_id, "1").await;
    assert_eq!(status, Some(ApiJobStatus::Failed));
    env.service.shutdown().await;
}

#[tokio::test]
async fn a_failure_is_recorded_with_its_type_and_message() {
    let env = start_default().await;
    let job_id = new_job(&env).await;
    env.api
        .put_job_failure_result()
        .job_id(&job_id)
        .failure_details(
            FailureDetails::builder()
                .r#type(FailureType::ConfigurationError)
                .message("UserParameters: stack is missing")
                .external_execution_id("arn:aws:states:us-east-1:123456789012:execution:sm:x")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    let record = env.client.get_job(&job_id).await.unwrap();
    assert_eq!(record.status, JobStatus::Failed);
    assert_eq!(record.closed_by, Some(ClosedBy::Failure));
    let details = record.failure_details.clone().unwrap();
    assert_eq!(details.failure_type, "ConfigurationError");
    assert_eq!(details.message, "UserParameters: stack is missing");
    assert_eq!(
        details.external_execution_id.as_deref(),
        Some("arn:aws:states:us-east-1:123456789012:execution:sm:x")
    );
    assert_eq!(record.failure_type().as_deref(), Some("ConfigurationError"));
    assert!(!record.succeeded());
    env.service.shutdown().await;
}
