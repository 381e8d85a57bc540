//! What the job service refuses as CodePipeline does, with CodePipeline's modeled errors.

use aws_sdk_codepipeline::operation::get_job_details::GetJobDetailsError;
use aws_sdk_codepipeline::operation::put_job_failure_result::PutJobFailureResultError;
use aws_sdk_codepipeline::operation::put_job_success_result::PutJobSuccessResultError;
use aws_sdk_codepipeline::types::{ExecutionDetails, FailureType};
use serde_json::Value;
use stackflow_job_service::{ClosedBy, JobServiceError, JobStatus};

use crate::support::*;

#[tokio::test]
async fn an_unknown_job_is_the_modeled_job_not_found_exception() {
    let env = start_default().await;
    let unknown = uuid::Uuid::new_v4().to_string();

    let error = success_refused(env.api.put_job_success_result().job_id(&unknown)).await;
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

    let error = failure(&env, &job_id, FailureType::JobFailed, "too late")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(error, PutJobFailureResultError::InvalidJobStateException(_)),
        "{error:?}"
    );
    let error = success_refused(env.api.put_job_success_result().job_id(&job_id)).await;
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
    let in_progress = env
        .api
        .put_job_success_result()
        .job_id(&job_id)
        .continuation_token("task-token");
    let error = success_refused(in_progress).await;
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
async fn invalid_input_is_the_modeled_validation_exception() {
    let env = start_default().await;
    let job_id = new_job(&env).await;

    for (message, failure_type) in [
        ("x".repeat(5001), FailureType::JobFailed),
        ("bad type".into(), FailureType::from("NotAType")),
    ] {
        let error = failure(&env, &job_id, failure_type, message.clone())
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(
            matches!(error, PutJobFailureResultError::ValidationException(_)),
            "{error:?}"
        );
        if message.len() > 5000 {
            assert!(error.to_string().contains("5000"), "{error}");
        }
    }

    let success = || env.api.put_job_success_result().job_id(&job_id);
    let long_summary = ExecutionDetails::builder()
        .summary("s".repeat(2049))
        .build();
    let invalid = [
        success().execution_details(long_summary),
        success().output_variables("not a name", "v"),
        success()
            .continuation_token("t")
            .output_variables("Name", "v"),
        env.api.put_job_success_result().job_id("not-a-job-id"),
    ];
    for request in invalid {
        let error = success_refused(request).await;
        assert!(
            matches!(error, PutJobSuccessResultError::ValidationException(_)),
            "{error:?}"
        );
    }
    let too_big = success().output_variables("Big", "v".repeat(122_881));
    assert!(matches!(
        success_refused(too_big).await,
        PutJobSuccessResultError::OutputVariablesSizeExceededException(_)
    ));

    // Refused input leaves the job open and is not a report.
    let record = env.client.get_job(&job_id).await.unwrap();
    assert_eq!(record.status, JobStatus::InProgress);
    assert_eq!(record.reports_after_close, 0);
    let longest = failure(&env, &job_id, FailureType::JobFailed, "x".repeat(5000));
    longest.send().await.unwrap();
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
