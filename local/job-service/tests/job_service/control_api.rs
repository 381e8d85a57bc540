//! The local control API (`/stackflow/jobs`): creating jobs, refusing bad requests, and the
//! service's own start and restart.

use std::net::SocketAddr;
use std::time::Duration;

use stackflow_job_service::{
    self as job_service, ArtifactSource, ClosedBy, CreateJobRequest, JobServiceError, JobStatus,
};

use crate::support::*;

/// A request for a job with one input artifact, the zip at `zip_path`.
fn from_zip(zip_path: &str) -> CreateJobRequest {
    CreateJobRequest {
        artifacts: vec![ArtifactSource {
            name: "SourceArtifact".into(),
            zip_path: zip_path.into(),
            revision: None,
        }],
        ..CreateJobRequest::default()
    }
}

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

    let error = env
        .client
        .create(&from_zip("relative.zip"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, JobServiceError::Api { status: 400, .. }),
        "{error:?}"
    );
    let missing = from_zip("/nonexistent/source.zip");
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
    // Long enough that the first job's report always comes before its timeout.
    let mut with_state = config(NO_S3, &lambda.url, Duration::from_secs(10));
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
        .wait_for_final(&open, Duration::from_secs(120))
        .await
        .unwrap();
    assert_eq!(timed_out.closed_by, Some(ClosedBy::Timeout));
    env.service.shutdown().await;
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn deliveries_invoke_the_entry_function_that_many_times_with_one_event() {
    let env = start_default().await;
    let request = CreateJobRequest {
        user_parameters: Some(PARAMS.into()),
        deliveries: Some(2),
        ..CreateJobRequest::default()
    };
    let job_id = env.client.create(&request).await.unwrap();
    // Both were invoked before the create answered.
    let invocations = env.lambda.all();
    assert_eq!(invocations.len(), 2, "{invocations:?}");
    let event = env.client.get_event(&job_id).await.unwrap();
    for invocation in &invocations {
        assert_eq!(invocation.function, ENTRY);
        assert_eq!(invocation.invocation_type.as_deref(), Some("Event"));
        assert_eq!(invocation.event, event);
    }
    env.service.shutdown().await;
}
