//! The local CodePipeline job service, driven through the real aws-sdk-codepipeline client (which
//! proves the wire protocol and error mapping) and its control API. A tiny in-test Lambda
//! endpoint records the invocations. The artifact test runs against a real moto server, and is
//! skipped with a notice when moto is not installed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_codepipeline::config::retry::RetryConfig;
use aws_sdk_codepipeline::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_codepipeline::operation::get_job_details::GetJobDetailsError;
use aws_sdk_codepipeline::operation::put_job_failure_result::PutJobFailureResultError;
use aws_sdk_codepipeline::operation::put_job_success_result::PutJobSuccessResultError;
use aws_sdk_codepipeline::types::{
    CurrentRevision, ExecutionDetails, FailureDetails, FailureType, JobStatus as ApiJobStatus,
};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use serde_json::Value;
use stackflow_job_service::{
    self as job_service, ArtifactSource, ClosedBy, CreateJobRequest, JobService, JobServiceClient,
    JobServiceConfig, JobServiceError, JobStatus,
};

const REGION: &str = "us-east-1";
const ACCOUNT: &str = "123456789012";
const BUCKET: &str = "stackflow-local-artifacts";
const ENTRY: &str = "stackflow-start-deployment";
const PARAMS: &str = r#"{"stack":"demo","artifact":"SourceArtifact","file":"template.yaml"}"#;
/// A port nothing listens on: tests without artifacts never reach S3.
const NO_S3: &str = "http://127.0.0.1:9";

// ---------------------------------------------------------------------------------------------
// Harness

#[derive(Debug, Clone)]
struct Invocation {
    function: String,
    invocation_type: Option<String>,
    event: Value,
}

#[derive(Debug, Clone, Default)]
struct FakeLambda {
    url: String,
    invocations: Arc<Mutex<Vec<Invocation>>>,
}

impl FakeLambda {
    /// An Invoke endpoint that records every call and answers 202, as the Lambda service does
    /// for `Event` invocations.
    async fn start() -> FakeLambda {
        let invocations = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .route(
                "/2015-03-31/functions/{name}/invocations",
                post(record_invocation),
            )
            .with_state(Arc::clone(&invocations));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeLambda { url, invocations }
    }

    fn all(&self) -> Vec<Invocation> {
        self.invocations.lock().unwrap().clone()
    }

    /// The invocations once there are at least `count` (continuations are invoked in the
    /// background).
    async fn wait_for(&self, count: usize) -> Vec<Invocation> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let all = self.all();
            if all.len() >= count || Instant::now() > deadline {
                return all;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

async fn record_invocation(
    State(invocations): State<Arc<Mutex<Vec<Invocation>>>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let invocation = Invocation {
        function: name,
        invocation_type: headers
            .get("x-amz-invocation-type")
            .and_then(|value| value.to_str().ok())
            .map(str::to_string),
        event: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    invocations.lock().unwrap().push(invocation);
    StatusCode::ACCEPTED
}

struct Env {
    service: JobService,
    client: JobServiceClient,
    api: aws_sdk_codepipeline::Client,
    lambda: FakeLambda,
}

fn s3_client(endpoint: &str) -> aws_sdk_s3::Client {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .http_client(stackflow::config::https_client())
        .region(aws_sdk_s3::config::Region::new(REGION))
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_s3::Client::from_conf(config)
}

/// The SDK client the functions use, pointed at the job service as
/// `AWS_ENDPOINT_URL_CODEPIPELINE` points them.
fn codepipeline_client(endpoint: &str) -> aws_sdk_codepipeline::Client {
    let config = aws_sdk_codepipeline::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(stackflow::config::https_client())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new(
            "AKIDLOCALTESTING1234",
            "secret",
            None,
            None,
            "test",
        ))
        .endpoint_url(endpoint)
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_codepipeline::Client::from_conf(config)
}

fn config(s3_endpoint: &str, lambda_url: &str, reply_timeout: Duration) -> JobServiceConfig {
    JobServiceConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        region: REGION.to_string(),
        account_id: ACCOUNT.to_string(),
        artifact_bucket: BUCKET.to_string(),
        s3: s3_client(s3_endpoint),
        lambda_url: lambda_url.to_string(),
        entry_function: ENTRY.to_string(),
        reply_timeout,
        state_file: None,
    }
}

async fn start_with(config: JobServiceConfig, lambda: FakeLambda) -> Env {
    let service = job_service::start(config).await.unwrap();
    let url = service.url();
    Env {
        client: JobServiceClient::new(url.clone()),
        api: codepipeline_client(&url),
        service,
        lambda,
    }
}

async fn start(reply_timeout: Duration) -> Env {
    let lambda = FakeLambda::start().await;
    start_with(config(NO_S3, &lambda.url, reply_timeout), lambda).await
}

async fn start_default() -> Env {
    start(job_service::DEFAULT_REPLY_TIMEOUT).await
}

/// A job without artifacts: no S3 involved.
async fn new_job(env: &Env) -> String {
    env.client.create_job(PARAMS, &[]).await.unwrap()
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("job-service-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ---------------------------------------------------------------------------------------------
// The CodePipeline protocol

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

    let acknowledged = env
        .api
        .acknowledge_job()
        .job_id(&job_id)
        .nonce("1")
        .send()
        .await
        .unwrap();
    assert_eq!(acknowledged.status(), Some(&ApiJobStatus::InProgress));

    env.api
        .put_job_failure_result()
        .job_id(&job_id)
        .failure_details(
            FailureDetails::builder()
                .r#type(FailureType::JobFailed)
                .message("no")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let acknowledged = env
        .api
        .acknowledge_job()
        .job_id(&job_id)
        .nonce("1")
        .send()
        .await
        .unwrap();
    assert_eq!(acknowledged.status(), Some(&ApiJobStatus::Failed));
    env.service.shutdown().await;
}

#[tokio::test]
async fn an_unknown_job_is_the_modeled_job_not_found_exception() {
    let env = start_default().await;
    let unknown = uuid::Uuid::new_v4().to_string();

    let error = env
        .api
        .put_job_success_result()
        .job_id(&unknown)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(error, PutJobSuccessResultError::JobNotFoundException(_)),
        "{error:?}"
    );
    assert!(error.to_string().contains(&unknown), "{error}");

    let error = env
        .api
        .get_job_details()
        .job_id(&unknown)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(error, GetJobDetailsError::JobNotFoundException(_)),
        "{error:?}"
    );
    env.service.shutdown().await;
}

#[tokio::test]
async fn a_second_report_is_the_modeled_invalid_job_state_exception() {
    let env = start_default().await;
    let job_id = new_job(&env).await;
    env.api
        .put_job_success_result()
        .job_id(&job_id)
        .send()
        .await
        .unwrap();

    let error = env
        .api
        .put_job_failure_result()
        .job_id(&job_id)
        .failure_details(
            FailureDetails::builder()
                .r#type(FailureType::JobFailed)
                .message("too late")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(error, PutJobFailureResultError::InvalidJobStateException(_)),
        "{error:?}"
    );
    let error = env
        .api
        .put_job_success_result()
        .job_id(&job_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(error, PutJobSuccessResultError::InvalidJobStateException(_)),
        "{error:?}"
    );

    let record = env.client.get_job(&job_id).await.unwrap();
    assert_eq!(record.reports_after_close, 2);
    // The first report stands.
    assert_eq!(record.closed_by, Some(ClosedBy::Success));
    assert!(record.failure_details.is_none());
    env.service.shutdown().await;
}

#[tokio::test]
async fn a_stopped_pipeline_refuses_the_in_progress_reply_of_its_job() {
    let env = start_default().await;
    let job_id = new_job(&env).await;

    let stopped = env.client.stop_job(&job_id).await.unwrap();
    assert_eq!(stopped.closed_by, Some(ClosedBy::Stopped));
    assert_eq!(stopped.status, JobStatus::Failed);
    assert!(stopped.is_final());

    // The deployment's next "in progress" reply is refused as CodePipeline refuses it.
    let error = env
        .api
        .put_job_success_result()
        .job_id(&job_id)
        .continuation_token("task-token")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(error, PutJobSuccessResultError::InvalidJobStateException(_)),
        "{error:?}"
    );
    let record = env.client.get_job(&job_id).await.unwrap();
    assert_eq!(record.reports_after_close, 1);
    assert_eq!(
        record.next_job_id, None,
        "a refused reply continues nothing"
    );

    // Stopping it again, or a job that does not exist, is refused.
    let again = env.client.stop_job(&job_id).await.unwrap_err();
    assert!(
        matches!(again, JobServiceError::Api { status: 409, .. }),
        "{again:?}"
    );
    let missing = env
        .client
        .stop_job("00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    assert!(
        matches!(missing, JobServiceError::Api { status: 404, .. }),
        "{missing:?}"
    );
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

#[tokio::test]
async fn a_continuation_token_closes_the_job_and_invokes_a_new_one() {
    let env = start_default().await;
    let first_id = new_job(&env).await;
    let first_event = env.client.get_event(&first_id).await.unwrap();

    env.api
        .put_job_success_result()
        .job_id(&first_id)
        .continuation_token(r#"{"previous_job_id":"x"}"#)
        .execution_details(
            ExecutionDetails::builder()
                .summary("Stack create started")
                .build(),
        )
        .send()
        .await
        .unwrap();

    let first = env.client.get_job(&first_id).await.unwrap();
    assert_eq!(first.status, JobStatus::Succeeded);
    assert_eq!(first.closed_by, Some(ClosedBy::ContinuationToken));
    assert_eq!(
        first.continuation_token.as_deref(),
        Some(r#"{"previous_job_id":"x"}"#)
    );
    let second_id = first.next_job_id.clone().unwrap();
    assert_ne!(second_id, first_id);

    let invocations = env.lambda.wait_for(2).await;
    assert_eq!(invocations.len(), 2);
    assert_eq!(invocations[1].function, ENTRY);
    assert_eq!(invocations[1].invocation_type.as_deref(), Some("Event"));
    let second_event = &invocations[1].event;
    assert_eq!(
        *second_event,
        env.client.get_event(&second_id).await.unwrap()
    );
    let job = &second_event["CodePipeline.job"];
    assert_eq!(job["id"], second_id.as_str());
    assert_eq!(
        job["data"]["continuationToken"],
        r#"{"previous_job_id":"x"}"#
    );
    let first_data = &first_event["CodePipeline.job"]["data"];
    assert_eq!(
        job["data"]["actionConfiguration"],
        first_data["actionConfiguration"]
    );
    assert_eq!(job["data"]["inputArtifacts"], first_data["inputArtifacts"]);
    assert_ne!(
        job["data"]["artifactCredentials"]["accessKeyId"],
        first_data["artifactCredentials"]["accessKeyId"]
    );

    let second = env.client.get_job(&second_id).await.unwrap();
    assert_eq!(second.status, JobStatus::InProgress);
    assert_eq!(second.previous_job_id.as_deref(), Some(first_id.as_str()));
    assert_eq!(second.pipeline_execution_id, first.pipeline_execution_id);
    let details = env
        .api
        .get_job_details()
        .job_id(&second_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        details
            .job_details()
            .unwrap()
            .data()
            .unwrap()
            .continuation_token(),
        Some(r#"{"previous_job_id":"x"}"#)
    );

    // The chain ends when the new job reports; waiting from the first job finds it.
    env.api
        .put_job_success_result()
        .job_id(&second_id)
        .output_variables("StackStatus", "CREATE_COMPLETE")
        .send()
        .await
        .unwrap();
    let last = env
        .client
        .wait_for_final(&first_id, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(last.id, second_id);
    assert!(last.succeeded());
    assert_eq!(
        last.output_variables.unwrap()["StackStatus"],
        "CREATE_COMPLETE"
    );
    env.service.shutdown().await;
}

#[tokio::test]
async fn an_unanswered_job_times_out_and_refuses_late_reports() {
    let env = start(Duration::from_secs(1)).await;
    let job_id = new_job(&env).await;

    let record = env
        .client
        .wait_for_final(&job_id, Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(record.id, job_id);
    assert_eq!(record.status, JobStatus::Failed);
    assert_eq!(record.closed_by, Some(ClosedBy::Timeout));
    let message = record.failure_details.unwrap().message;
    assert!(message.contains("within 1 seconds"), "{message}");

    let error = env
        .api
        .put_job_success_result()
        .job_id(&job_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(error, PutJobSuccessResultError::InvalidJobStateException(_)),
        "{error:?}"
    );
    let acknowledged = env
        .api
        .acknowledge_job()
        .job_id(&job_id)
        .nonce("n")
        .send()
        .await
        .unwrap();
    assert_eq!(acknowledged.status(), Some(&ApiJobStatus::TimedOut));
    assert_eq!(
        env.client
            .get_job(&job_id)
            .await
            .unwrap()
            .reports_after_close,
        1
    );
    env.service.shutdown().await;
}

#[tokio::test]
async fn a_continuation_gets_its_own_reply_timeout() {
    let env = start(Duration::from_secs(1)).await;
    let first_id = new_job(&env).await;
    env.api
        .put_job_success_result()
        .job_id(&first_id)
        .continuation_token("t")
        .send()
        .await
        .unwrap();

    let last = env
        .client
        .wait_for_final(&first_id, Duration::from_secs(20))
        .await
        .unwrap();
    assert_ne!(last.id, first_id);
    assert_eq!(last.closed_by, Some(ClosedBy::Timeout));
    // The first job stays closed by its continuation, not by the timer.
    let first = env.client.get_job(&first_id).await.unwrap();
    assert_eq!(first.closed_by, Some(ClosedBy::ContinuationToken));
    env.service.shutdown().await;
}

#[tokio::test]
async fn invalid_input_is_the_modeled_validation_exception() {
    let env = start_default().await;
    let job_id = new_job(&env).await;

    let failure = |message: String, failure_type: FailureType| {
        env.api
            .put_job_failure_result()
            .job_id(&job_id)
            .failure_details(
                FailureDetails::builder()
                    .r#type(failure_type)
                    .message(message)
                    .build()
                    .unwrap(),
            )
            .send()
    };
    let error = failure("x".repeat(5001), FailureType::JobFailed)
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(error, PutJobFailureResultError::ValidationException(_)),
        "{error:?}"
    );
    assert!(error.to_string().contains("5000"), "{error}");

    let error = failure("bad type".into(), FailureType::from("NotAType"))
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(error, PutJobFailureResultError::ValidationException(_)),
        "{error:?}"
    );

    let success_error = |request: aws_sdk_codepipeline::operation::put_job_success_result::builders::PutJobSuccessResultFluentBuilder| async move {
        request.send().await.unwrap_err().into_service_error()
    };
    let long_summary = env
        .api
        .put_job_success_result()
        .job_id(&job_id)
        .execution_details(
            ExecutionDetails::builder()
                .summary("s".repeat(2049))
                .build(),
        );
    assert!(matches!(
        success_error(long_summary).await,
        PutJobSuccessResultError::ValidationException(_)
    ));
    let bad_name = env
        .api
        .put_job_success_result()
        .job_id(&job_id)
        .output_variables("not a name", "v");
    assert!(matches!(
        success_error(bad_name).await,
        PutJobSuccessResultError::ValidationException(_)
    ));
    let variables_with_token = env
        .api
        .put_job_success_result()
        .job_id(&job_id)
        .continuation_token("t")
        .output_variables("Name", "v");
    assert!(matches!(
        success_error(variables_with_token).await,
        PutJobSuccessResultError::ValidationException(_)
    ));
    let too_big = env
        .api
        .put_job_success_result()
        .job_id(&job_id)
        .output_variables("Big", "v".repeat(122_881));
    assert!(matches!(
        success_error(too_big).await,
        PutJobSuccessResultError::OutputVariablesSizeExceededException(_)
    ));
    let not_a_job_id = env.api.put_job_success_result().job_id("not-a-job-id");
    assert!(matches!(
        success_error(not_a_job_id).await,
        PutJobSuccessResultError::ValidationException(_)
    ));

    // Refused input leaves the job open and is not a report.
    let record = env.client.get_job(&job_id).await.unwrap();
    assert_eq!(record.status, JobStatus::InProgress);
    assert_eq!(record.reports_after_close, 0);
    env.api
        .put_job_failure_result()
        .job_id(&job_id)
        .failure_details(
            FailureDetails::builder()
                .r#type(FailureType::JobFailed)
                .message("x".repeat(5000))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    env.service.shutdown().await;
}

#[tokio::test]
async fn an_unknown_target_is_unknown_operation_exception() {
    let env = start_default().await;
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(env.service.url())
        .header("X-Amz-Target", "CodePipeline_20150709.PollForJobs")
        .header("Content-Type", "application/x-amz-json-1.1")
        .header("Authorization", "AWS4-HMAC-SHA256 Credential=anything")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::BAD_REQUEST);
    assert_eq!(
        response.headers()["content-type"],
        "application/x-amz-json-1.1"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["__type"], "UnknownOperationException");
    assert!(body["message"].as_str().unwrap().contains("PollForJobs"));
    env.service.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// The control API

#[tokio::test]
async fn a_failed_invocation_fails_the_job_and_the_request() {
    // Nothing listens on the Lambda URL.
    let lambda = FakeLambda::default();
    let env = start_with(
        config(
            NO_S3,
            "http://127.0.0.1:9",
            job_service::DEFAULT_REPLY_TIMEOUT,
        ),
        lambda,
    )
    .await;
    let error = env.client.create_job(PARAMS, &[]).await.unwrap_err();
    assert!(
        matches!(error, JobServiceError::Api { status: 502, .. }),
        "{error:?}"
    );
    let jobs = env.client.list_jobs().await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].status, JobStatus::Failed);
    assert_eq!(jobs[0].closed_by, Some(ClosedBy::InvokeFailed));
    assert!(jobs[0].message().unwrap().contains(ENTRY));
    env.service.shutdown().await;
}

#[tokio::test]
async fn the_control_api_refuses_bad_requests_and_unknown_jobs() {
    let env = start_default().await;
    let error = env.client.get_job("nope").await.unwrap_err();
    assert!(
        matches!(error, JobServiceError::Api { status: 404, .. }),
        "{error:?}"
    );
    let error = env.client.get_event("nope").await.unwrap_err();
    assert!(
        matches!(error, JobServiceError::Api { status: 404, .. }),
        "{error:?}"
    );

    let relative = CreateJobRequest {
        artifacts: vec![ArtifactSource {
            name: "SourceArtifact".into(),
            zip_path: "relative.zip".into(),
            revision: None,
        }],
        ..CreateJobRequest::default()
    };
    let error = env.client.create(&relative).await.unwrap_err();
    assert!(
        matches!(error, JobServiceError::Api { status: 400, .. }),
        "{error:?}"
    );
    let missing = CreateJobRequest {
        artifacts: vec![ArtifactSource {
            name: "SourceArtifact".into(),
            zip_path: "/nonexistent/source.zip".into(),
            revision: None,
        }],
        ..CreateJobRequest::default()
    };
    let error = env.client.create(&missing).await.unwrap_err();
    match error {
        JobServiceError::Api { status, message } => {
            assert_eq!(status, 400);
            assert!(message.contains("/nonexistent/source.zip"), "{message}");
        }
        other => panic!("unexpected {other:?}"),
    }
    // Nothing was created or invoked.
    assert!(env.client.list_jobs().await.unwrap().is_empty());
    assert!(env.lambda.all().is_empty());
    env.service.shutdown().await;
}

#[tokio::test]
async fn the_listener_must_be_loopback() {
    let mut config = config(NO_S3, NO_S3, job_service::DEFAULT_REPLY_TIMEOUT);
    config.listen = SocketAddr::from(([0, 0, 0, 0], 0));
    let error = job_service::start(config).await.unwrap_err();
    assert!(
        matches!(error, JobServiceError::NotLoopback(_)),
        "{error:?}"
    );
}

#[tokio::test]
async fn jobs_survive_a_restart_through_the_state_file() {
    let dir = temp_dir();
    let lambda = FakeLambda::start().await;
    let mut with_state = config(NO_S3, &lambda.url, Duration::from_secs(2));
    with_state.state_file = Some(dir.join("jobs.json"));

    let env = start_with(with_state.clone(), lambda.clone()).await;
    let done = new_job(&env).await;
    env.api
        .put_job_success_result()
        .job_id(&done)
        .output_variables("Kept", "yes")
        .send()
        .await
        .unwrap();
    let open = new_job(&env).await;
    let event = env.client.get_event(&open).await.unwrap();
    env.service.shutdown().await;

    let env = start_with(with_state, lambda).await;
    let restored = env.client.get_job(&done).await.unwrap();
    assert_eq!(restored.closed_by, Some(ClosedBy::Success));
    assert_eq!(restored.output_variables.unwrap()["Kept"], "yes");
    assert_eq!(env.client.get_event(&open).await.unwrap(), event);
    // The job left open keeps its reply deadline across the restart.
    let timed_out = env
        .client
        .wait_for_final(&open, Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(timed_out.closed_by, Some(ClosedBy::Timeout));
    env.service.shutdown().await;
    std::fs::remove_dir_all(dir).unwrap();
}

// ---------------------------------------------------------------------------------------------
// Artifacts in a real S3 (moto)

struct Moto {
    url: String,
    _child: tokio::process::Child,
}

/// moto as the lead installs it; `None` (with a notice) when it is not there.
async fn start_moto() -> Option<Moto> {
    let binary =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.stackflow/venv/bin/moto_server");
    if !binary.exists() {
        eprintln!(
            "SKIPPED: moto is not installed at {}; the artifact test needs a real S3",
            binary.display()
        );
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = tokio::process::Command::new(&binary)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while http.get(format!("{url}/moto-api/")).send().await.is_err() {
        assert!(Instant::now() < deadline, "moto did not start at {url}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Some(Moto { url, _child: child })
}

fn zip_with(file: &str, contents: &str) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    writer
        .start_file(file, zip::write::SimpleFileOptions::default())
        .unwrap();
    writer.write_all(contents.as_bytes()).unwrap();
    writer.finish().unwrap().into_inner()
}

#[tokio::test]
async fn a_job_uploads_its_artifacts_to_the_artifact_bucket_as_codepipeline_does() {
    let Some(moto) = start_moto().await else {
        return;
    };
    let dir = temp_dir();
    let zip = zip_with("template.yaml", "Resources: {}\n");
    let zip_path = dir.join("source.zip");
    std::fs::write(&zip_path, &zip).unwrap();

    let lambda = FakeLambda::start().await;
    let env = start_with(
        config(&moto.url, &lambda.url, job_service::DEFAULT_REPLY_TIMEOUT),
        lambda,
    )
    .await;
    let request = CreateJobRequest {
        user_parameters: Some(PARAMS.to_string()),
        artifacts: vec![ArtifactSource {
            name: "SourceArtifact".into(),
            zip_path: zip_path.to_string_lossy().into_owned(),
            revision: Some("0123456789abcdef0123456789abcdef01234567".into()),
        }],
        output_artifacts: vec!["DeployOutput".into()],
        pipeline_name: Some("my-pipeline".into()),
    };
    let job_id = env.client.create(&request).await.unwrap();

    let invocations = env.lambda.wait_for(1).await;
    assert_eq!(invocations.len(), 1);
    assert_eq!(invocations[0].invocation_type.as_deref(), Some("Event"));
    let data = &invocations[0].event["CodePipeline.job"]["data"];
    let input = &data["inputArtifacts"][0];
    assert_eq!(input["name"], "SourceArtifact");
    assert_eq!(
        input["revision"],
        "0123456789abcdef0123456789abcdef01234567"
    );
    assert_eq!(input["location"]["type"], "S3");
    let location = &input["location"]["s3Location"];
    assert_eq!(location["bucketName"], BUCKET);
    let key = location["objectKey"].as_str().unwrap();
    let suffix = key.strip_prefix("my-pipeline/SourceArti/").unwrap();
    assert_eq!(suffix.len(), 7, "{key}");
    let output = &data["outputArtifacts"][0];
    assert_eq!(output["name"], "DeployOutput");
    assert!(output["revision"].is_null());
    assert!(output["location"]["s3Location"]["objectKey"]
        .as_str()
        .unwrap()
        .starts_with("my-pipeline/DeployOutp/"));

    // The object really is in S3 (the bucket did not exist before), byte for byte.
    let s3 = s3_client(&moto.url);
    let object = s3
        .get_object()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .unwrap();
    let stored = object.body.collect().await.unwrap().into_bytes();
    assert_eq!(stored.as_ref(), zip.as_slice());

    // The record shows the same locations; a second job reuses the bucket.
    let record = env.client.get_job(&job_id).await.unwrap();
    assert_eq!(record.pipeline_name, "my-pipeline");
    assert_eq!(record.input_artifacts[0].key, key);
    let again = env.client.create(&request).await.unwrap();
    let second_key = env.client.get_job(&again).await.unwrap().input_artifacts[0]
        .key
        .clone();
    assert_ne!(second_key, key);
    let listed: HashMap<String, i64> = s3
        .list_objects_v2()
        .bucket(BUCKET)
        .send()
        .await
        .unwrap()
        .contents()
        .iter()
        .map(|object| {
            (
                object.key().unwrap_or_default().to_string(),
                object.size().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert_eq!(listed[&second_key], zip.len() as i64);

    env.service.shutdown().await;
    std::fs::remove_dir_all(dir).unwrap();
}
