//! The harness: the job service with a recording Invoke endpoint in place of Lambda, the SDK
//! clients the functions use, and the requests the tests repeat.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_codepipeline::config::retry::RetryConfig;
use aws_sdk_codepipeline::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_codepipeline::operation::put_job_failure_result::builders::PutJobFailureResultFluentBuilder;
use aws_sdk_codepipeline::operation::put_job_success_result::builders::PutJobSuccessResultFluentBuilder;
use aws_sdk_codepipeline::operation::put_job_success_result::PutJobSuccessResultError;
use aws_sdk_codepipeline::types::{FailureDetails, FailureType, JobStatus as ApiJobStatus};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use serde_json::Value;
use stackflow_job_service::{self as job_service, JobService, JobServiceClient, JobServiceConfig};

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";
pub const BUCKET: &str = "stackflow-local-artifacts";
pub const ENTRY: &str = "stackflow-start-deployment";
pub const PARAMS: &str = r#"{"stack":"demo","artifact":"SourceArtifact","file":"template.yaml"}"#;
/// A port nothing listens on: tests without artifacts never reach S3.
pub const NO_S3: &str = "http://127.0.0.1:9";

#[derive(Debug, Clone)]
pub struct Invocation {
    pub function: String,
    pub invocation_type: Option<String>,
    pub event: Value,
}

#[derive(Debug, Clone, Default)]
pub struct FakeLambda {
    pub url: String,
    pub invocations: Arc<Mutex<Vec<Invocation>>>,
}

impl FakeLambda {
    /// An Invoke endpoint that records every call and answers 202, as the Lambda service does
    /// for `Event` invocations.
    pub async fn start() -> FakeLambda {
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

    pub fn all(&self) -> Vec<Invocation> {
        self.invocations.lock().unwrap().clone()
    }

    /// The invocations once there are at least `count` (continuations are invoked in the
    /// background).
    pub async fn wait_for(&self, count: usize) -> Vec<Invocation> {
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

pub struct Env {
    pub service: JobService,
    pub client: JobServiceClient,
    pub api: aws_sdk_codepipeline::Client,
    pub lambda: FakeLambda,
}

pub fn s3_client(endpoint: &str) -> aws_sdk_s3::Client {
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
pub fn codepipeline_client(endpoint: &str) -> aws_sdk_codepipeline::Client {
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

pub fn config(s3_endpoint: &str, lambda_url: &str, reply_timeout: Duration) -> JobServiceConfig {
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

pub async fn start_with(config: JobServiceConfig, lambda: FakeLambda) -> Env {
    let service = job_service::start(config).await.unwrap();
    let url = service.url();
    Env {
        client: JobServiceClient::new(url.clone()),
        api: codepipeline_client(&url),
        service,
        lambda,
    }
}

pub async fn start(reply_timeout: Duration) -> Env {
    let lambda = FakeLambda::start().await;
    start_with(config(NO_S3, &lambda.url, reply_timeout), lambda).await
}

pub async fn start_default() -> Env {
    start(job_service::DEFAULT_REPLY_TIMEOUT).await
}

/// A job without artifacts: no S3 involved.
pub async fn new_job(env: &Env) -> String {
    env.client.create_job(PARAMS, &[]).await.unwrap()
}

pub fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("job-service-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A `PutJobFailureResult` for the job, ready to send.
pub fn failure(
    env: &Env,
    job_id: &str,
    failure_type: FailureType,
    message: impl Into<String>,
) -> PutJobFailureResultFluentBuilder {
    env.api
        .put_job_failure_result()
        .job_id(job_id)
        .failure_details(
            FailureDetails::builder()
                .r#type(failure_type)
                .message(message)
                .build()
                .unwrap(),
        )
}

/// How the job service refuses a `PutJobSuccessResult`.
pub async fn success_refused(
    request: PutJobSuccessResultFluentBuilder,
) -> PutJobSuccessResultError {
    request.send().await.unwrap_err().into_service_error()
}

/// The job's status as `AcknowledgeJob` answers it.
pub async fn acknowledged(env: &Env, job_id: &str, nonce: &str) -> Option<ApiJobStatus> {
    let answer = env
        .api
        .acknowledge_job()
        .job_id(job_id)
        .nonce(nonce)
        .send()
        .await
        .unwrap();
    answer.status().cloned()
}
