#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

/// The event CodePipeline sends, as `sam local generate-event codepipeline job` shapes it.
pub(crate) const FIXTURE: &str = include_str!("../../../../tests/events/codepipeline-job.json");
/// The credential values in the fixture; none may ever leave [`JobRequest::from_event`].
pub(crate) const SECRETS: &[&str] = &[
    "ASIAFIXTUREACCESSKEY",
    "fixtureSecretAccessKey/DoNotLog+0123456789abcdef",
    "FixtureSessionToken//////////wEaDoNotLogThisTokenEver0123456789",
];

pub(crate) fn fixture_event() -> CodePipelineJobEvent {
    serde_json::from_str(FIXTURE).unwrap()
}

fn event_from(value: serde_json::Value) -> CodePipelineJobEvent {
    serde_json::from_value(value).unwrap()
}

fn fixture_value() -> serde_json::Value {
    serde_json::from_str(FIXTURE).unwrap()
}

pub(crate) fn fixture_job() -> JobRequest {
    JobRequest::from_event(fixture_event()).unwrap()
}

#[test]
fn the_fixture_parses_into_a_job_request() {
    let job = fixture_job();
    assert_eq!(job.job_id, "11111111-abcd-1111-abcd-111111abcdef");
    assert_eq!(job.account_id, "111111111111");
    assert_eq!(
        job.user_parameters,
        r#"{"stack":"my-stack","artifact":"SourceArtifact","file":"template.yaml"}"#
    );
    assert_eq!(
        job.input_artifacts,
        vec![ArtifactLocation {
            name: "SourceArtifact".into(),
            bucket: "stackflow-local-artifacts".into(),
            key: "my-pipeline/SourceArti/AbCdEfG".into(),
            revision: Some("0123456789abcdef0123456789abcdef01234567".into()),
        }]
    );
    assert_eq!(
        job.output_artifacts,
        vec![ArtifactLocation {
            name: "DeployOutput".into(),
            bucket: "stackflow-local-artifacts".into(),
            key: "my-pipeline/DeployOutp/HiJkLmN".into(),
            revision: None,
        }]
    );
    assert_eq!(job.continuation_token, None);
}

#[test]
fn an_event_without_output_artifacts_has_none() {
    let mut value = fixture_value();
    value["CodePipeline.job"]["data"]["outputArtifacts"] = serde_json::json!([]);
    let job = JobRequest::from_event(event_from(value)).unwrap();
    assert!(job.output_artifacts.is_empty());
    let input = serde_json::to_value(job.execution_input(1)).unwrap();
    assert_eq!(input["outputArtifacts"], serde_json::json!([]));
}

#[test]
fn every_output_artifact_is_kept_in_order() {
    let mut value = fixture_value();
    let second = serde_json::json!({
        "location": {"type": "S3", "s3Location": {"bucketName": "b2", "objectKey": "p/Second/k2"}},
        "revision": null,
        "name": "Second"
    });
    value["CodePipeline.job"]["data"]["outputArtifacts"]
        .as_array_mut()
        .unwrap()
        .push(second);
    let job = JobRequest::from_event(event_from(value)).unwrap();
    let names: Vec<_> = job
        .output_artifacts
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["DeployOutput", "Second"]);
    assert_eq!(job.output_artifacts[1].bucket, "b2");
    assert_eq!(job.output_artifacts[1].key, "p/Second/k2");
    assert_eq!(
        job.execution_input(1).output_artifacts,
        job.output_artifacts
    );
}

#[test]
fn an_output_artifact_revision_is_not_kept() {
    // CodePipeline sends `revision: null` for outputs; one that is set names nothing yet written.
    let mut value = fixture_value();
    value["CodePipeline.job"]["data"]["outputArtifacts"][0]["revision"] = "abc".into();
    let job = JobRequest::from_event(event_from(value)).unwrap();
    assert_eq!(job.output_artifacts[0].revision, None);
}

#[test]
fn an_execution_input_without_output_artifacts_reads_as_none() {
    // Executions started before the field existed still read.
    let input: ExecutionInput = serde_json::from_value(serde_json::json!({
        "jobId": "j", "userParameters": "{}", "inputArtifacts": []
    }))
    .unwrap();
    assert!(input.output_artifacts.is_empty());
}

#[test]
fn an_output_artifact_without_a_name_is_an_invalid_event() {
    let mut value = fixture_value();
    value["CodePipeline.job"]["data"]["outputArtifacts"][0]["name"] = serde_json::Value::Null;
    let err = JobRequest::from_event(event_from(value)).unwrap_err();
    assert_eq!(
        err,
        Error::InvalidEvent(
            "job 11111111-abcd-1111-abcd-111111abcdef: output artifact #1 has no name".into()
        )
    );
}

#[test]
fn an_output_artifact_without_an_s3_location_is_an_invalid_event_naming_it() {
    let mut value = fixture_value();
    value["CodePipeline.job"]["data"]["outputArtifacts"][0]["location"]["s3Location"] =
        serde_json::json!({"bucketName": "b"});
    let err = JobRequest::from_event(event_from(value)).unwrap_err();
    assert_eq!(
        err,
        Error::InvalidEvent(
            "job 11111111-abcd-1111-abcd-111111abcdef: output artifact DeployOutput has no S3 \
             location (bucketName and objectKey)"
                .into()
        )
    );
}

#[test]
fn the_fixture_really_carries_credentials() {
    // Guards the redaction tests below: they prove nothing if the fixture had no secrets.
    let debug = format!("{:?}", fixture_event());
    for secret in SECRETS {
        assert!(debug.contains(secret), "fixture lacks {secret}");
    }
}

#[test]
fn neither_the_job_request_nor_the_execution_input_holds_credentials() {
    let job = fixture_job();
    let debug = format!("{job:?}");
    let input = serde_json::to_string(&job.execution_input(1_700_000_900)).unwrap();
    for secret in SECRETS {
        assert!(
            !debug.contains(secret),
            "Debug of JobRequest shows {secret}"
        );
        assert!(!input.contains(secret), "execution input shows {secret}");
    }
    assert!(!input.contains("artifactCredentials"));
    assert!(!input.contains("accountId"));
}

#[test]
fn the_execution_input_has_job_id_parameters_artifacts_and_the_job_to_answer() {
    let job = fixture_job();
    let input = serde_json::to_value(job.execution_input(1_700_000_900)).unwrap();
    assert_eq!(
        input,
        serde_json::json!({
            "jobId": "11111111-abcd-1111-abcd-111111abcdef",
            "encryptionKey": null,
            "replyTo": {
                "jobId": "11111111-abcd-1111-abcd-111111abcdef",
                "handOverAt": 1_700_000_900
            },
            "userParameters": job.user_parameters,
            "inputArtifacts": [{
                "name": "SourceArtifact",
                "bucket": "stackflow-local-artifacts",
                "key": "my-pipeline/SourceArti/AbCdEfG",
                "revision": "0123456789abcdef0123456789abcdef01234567"
            }],
            "outputArtifacts": [{
                "name": "DeployOutput",
                "bucket": "stackflow-local-artifacts",
                "key": "my-pipeline/DeployOutp/HiJkLmN"
            }]
        })
    );
}

#[test]
fn the_artifact_stores_key_reaches_the_execution_input() {
    let mut value = fixture_value();
    value["CodePipeline.job"]["data"]["encryptionKey"] = serde_json::json!({
        "id": "arn:aws:kms:us-east-1:111111111111:key/1234", "type": "KMS"
    });
    let job = JobRequest::from_event(event_from(value)).unwrap();
    let input = serde_json::to_value(job.execution_input(1)).unwrap();
    assert_eq!(
        input["encryptionKey"],
        serde_json::json!({"id": "arn:aws:kms:us-east-1:111111111111:key/1234", "type": "KMS"})
    );
}

#[test]
fn a_missing_job_id_is_an_invalid_event() {
    let mut value = fixture_value();
    value["CodePipeline.job"]
        .as_object_mut()
        .unwrap()
        .remove("id");
    let err = JobRequest::from_event(event_from(value)).unwrap_err();
    assert_eq!(err.name(), "InvalidEvent");
    assert!(err.message().contains("cannot be reported"), "{err}");
}

#[test]
fn missing_user_parameters_become_an_empty_string() {
    let mut value = fixture_value();
    value["CodePipeline.job"]["data"]["actionConfiguration"]["configuration"]
        .as_object_mut()
        .unwrap()
        .remove("UserParameters");
    let job = JobRequest::from_event(event_from(value)).unwrap();
    assert_eq!(job.user_parameters, "");
}

#[test]
fn an_artifact_without_a_name_is_an_invalid_event() {
    let mut value = fixture_value();
    value["CodePipeline.job"]["data"]["inputArtifacts"][0]["name"] = serde_json::Value::Null;
    let err = JobRequest::from_event(event_from(value)).unwrap_err();
    assert_eq!(
        err,
        Error::InvalidEvent(
            "job 11111111-abcd-1111-abcd-111111abcdef: input artifact #1 has no name".into()
        )
    );
}

#[test]
fn an_artifact_without_an_s3_location_is_an_invalid_event_naming_it() {
    let mut value = fixture_value();
    value["CodePipeline.job"]["data"]["inputArtifacts"][0]["location"]["s3Location"] =
        serde_json::json!({});
    let err = JobRequest::from_event(event_from(value)).unwrap_err();
    assert_eq!(err.name(), "InvalidEvent");
    assert!(err.message().contains("SourceArtifact"), "{err}");
}

#[test]
fn a_continuation_token_is_kept() {
    let mut value = fixture_value();
    value["CodePipeline.job"]["data"]["continuationToken"] = "token-1".into();
    let job = JobRequest::from_event(event_from(value)).unwrap();
    assert_eq!(job.continuation_token.as_deref(), Some("token-1"));
}
