#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn data(continuation_token: Option<&str>) -> JobData {
    JobData {
        action_configuration: ActionConfiguration::new("entry", Some("{\"stack\":\"s\"}")),
        input_artifacts: vec![ArtifactRecord {
            name: "SourceArtifact".into(),
            bucket: "bucket".into(),
            key: "pipe/SourceArti/AbCdEfG".into(),
            revision: Some("abc".into()),
        }],
        output_artifacts: vec![ArtifactRecord {
            name: "Out".into(),
            bucket: "bucket".into(),
            key: "pipe/Out/HiJkLmN".into(),
            revision: None,
        }],
        artifact_credentials: ArtifactCredentials::generate(0),
        continuation_token: continuation_token.map(str::to_string),
    }
}

#[test]
fn keys_truncate_pipeline_and_artifact_names_like_codepipeline() {
    assert_eq!(
        artifact_key("my-pipeline", "SourceArtifact", "TdOSFRV"),
        "my-pipeline/SourceArti/TdOSFRV"
    );
    assert_eq!(
        artifact_key("a-very-long-pipeline-name-indeed", "out", "x"),
        "a-very-long-pipeline/out/x"
    );
}

#[test]
fn event_has_the_codepipeline_job_shape() {
    let data = data(None);
    let event = lambda_event("job-1", "123456789012", &data);
    let job = &event["CodePipeline.job"];
    assert_eq!(job["id"], "job-1");
    assert_eq!(job["accountId"], "123456789012");
    let config = &job["data"]["actionConfiguration"]["configuration"];
    assert_eq!(config["FunctionName"], "entry");
    assert_eq!(config["UserParameters"], "{\"stack\":\"s\"}");
    let input = &job["data"]["inputArtifacts"][0];
    assert_eq!(input["name"], "SourceArtifact");
    assert_eq!(input["revision"], "abc");
    assert_eq!(input["location"]["type"], "S3");
    assert_eq!(input["location"]["s3Location"]["bucketName"], "bucket");
    assert_eq!(
        input["location"]["s3Location"]["objectKey"],
        "pipe/SourceArti/AbCdEfG"
    );
    assert!(job["data"]["outputArtifacts"][0]["revision"].is_null());
    let credentials = &job["data"]["artifactCredentials"];
    assert_eq!(
        credentials["accessKeyId"],
        data.artifact_credentials.access_key_id.as_str()
    );
    assert!(credentials["expirationTime"].is_u64());
    assert!(job["data"].get("continuationToken").is_none());
}

#[test]
fn event_parses_as_the_functions_parse_it() {
    let event = lambda_event("job-1", "123456789012", &data(Some("token")));
    // The exact wire type start-deployment deserialises, inferred from `from_event`.
    let request = stackflow::codepipeline::job_event::JobRequest::from_event(
        serde_json::from_value(event).unwrap(),
    )
    .unwrap();
    assert_eq!(request.job_id, "job-1");
    assert_eq!(request.account_id, "123456789012");
    assert_eq!(request.user_parameters, "{\"stack\":\"s\"}");
    assert_eq!(request.continuation_token.as_deref(), Some("token"));
    assert_eq!(request.input_artifacts.len(), 1);
    assert_eq!(request.input_artifacts[0].key, "pipe/SourceArti/AbCdEfG");
    assert_eq!(request.input_artifacts[0].revision.as_deref(), Some("abc"));
}

#[test]
fn user_parameters_are_left_out_when_absent() {
    let configuration = ActionConfiguration::new("entry", None);
    assert!(!configuration.configuration.contains_key("UserParameters"));
}
