//! Continuations (a job closed with a continuation token, and the new job CodePipeline starts
//! for it) and reply timeouts.

use std::time::Duration;

use aws_sdk_codepipeline::operation::put_job_success_result::PutJobSuccessResultError;
use aws_sdk_codepipeline::types::{ExecutionDetails, JobStatus as ApiJobStatus};
use serde_json::Value;
use stackflow_job_service::{ClosedBy, JobStatus};

use crate::support::*;

/// The continuation token the tests report.
const TOKEN: &str = r#"{"previous_job_id":"x"}"#;

/// The continuation's event (`second`, of job `second_id`): the token, the same action and
/// artifacts as the first job's, and fresh artifact credentials.
fn assert_continues(second: &Value, first: &Value, second_id: &str) {
    let job = &second["CodePipeline.job"];
    assert_eq!(job["id"], second_id);
    assert_eq!(job["data"]["continuationToken"], TOKEN);
    let first_data = &first["CodePipeline.job"]["data"];
    assert_eq!(
        job["data"]["actionConfiguration"],
        first_data["actionConfiguration"]
    );
    assert_eq!(job["data"]["inputArtifacts"], first_data["inputArtifacts"]);
    assert_ne!(
        job["data"]["artifactCredentials"]["accessKeyId"],
        first_data["artifactCredentials"]["accessKeyId"]
    );
}

#[tokio::test]
async fn a_continuation_token_closes_the_job_and_invokes_a_new_one() {
    let env = start_default().await;
    let first_id = new_job(&env).await;
    let first_event = env.client.get_event(&first_id).await.unwrap();

    env.api
        .put_job_success_result()
        .job_id(&first_id)
        .continuation_token(TOKEN)
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
    assert_eq!(first.continuation_token.as_deref(), Some(TOKEN));
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
    assert_continues(second_event, &first_event, &second_id);

    let second = env.client.get_job(&second_id).await.unwrap();
    assert_eq!(second.status, JobStatus::InProgress);
    assert_eq!(second.previous_job_id.as_deref(), Some(first_id.as_str()));
    assert_eq!(second.pipeline_execution_id, first.pipeline_execution_id);
    let details = env.api.get_job_details().job_id(&second_id).send();
    let details = details.await.unwrap();
    let data = details.job_details().and_then(|job| job.data()).unwrap();
    assert_eq!(data.continuation_token(), Some(TOKEN));

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

    let error = success_refused(env.api.put_job_success_result().job_id(&job_id)).await;
    assert!(
        matches!(error, PutJobSuccessResultError::InvalidJobStateException(_)),
        "{error:?}"
    );
    let status = acknowledged(&env, &job_id, "n").await;
    assert_eq!(status, Some(ApiJobStatus::TimedOut));
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
    // Long enough that the first job's continuation always comes before its timeout, however
    // loaded the machine.
    let env = start(Duration::from_secs(10)).await;
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
        .wait_for_final(&first_id, Duration::from_secs(120))
        .await
        .unwrap();
    assert_ne!(last.id, first_id);
    assert_eq!(last.closed_by, Some(ClosedBy::Timeout));
    // The first job stays closed by its continuation, not by the timer.
    let first = env.client.get_job(&first_id).await.unwrap();
    assert_eq!(first.closed_by, Some(ClosedBy::ContinuationToken));
    env.service.shutdown().await;
}
