//! The job's data as CodePipeline hands it out: the `"CodePipeline.job"` Lambda event and the
//! GetJobDetails `jobDetails`, both built from one [`JobData`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::model::{ArtifactRecord, JobRecord};
use crate::random::ArtifactCredentials;

/// CodePipeline keeps this many characters of the pipeline name in an artifact's object key.
const KEY_PIPELINE_CHARS: usize = 20;
/// ... and this many of the artifact name (`SourceArtifact` -> `SourceArti`).
const KEY_ARTIFACT_CHARS: usize = 10;

/// The stage and action names the local pipeline reports in `pipelineContext`.
pub const STAGE_NAME: &str = "Deploy";
pub const ACTION_NAME: &str = "Deploy";

/// What the function gets in `"CodePipeline.job".data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobData {
    pub action_configuration: ActionConfiguration,
    pub input_artifacts: Vec<ArtifactRecord>,
    pub output_artifacts: Vec<ArtifactRecord>,
    pub artifact_credentials: ArtifactCredentials,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
}

/// `actionConfiguration.configuration`: `FunctionName` and, when set, `UserParameters`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionConfiguration {
    pub configuration: BTreeMap<String, String>,
}

impl ActionConfiguration {
    pub fn new(function_name: &str, user_parameters: Option<&str>) -> Self {
        let mut configuration = BTreeMap::new();
        configuration.insert("FunctionName".to_string(), function_name.to_string());
        if let Some(user_parameters) = user_parameters {
            configuration.insert("UserParameters".to_string(), user_parameters.to_string());
        }
        ActionConfiguration { configuration }
    }
}

/// An artifact's object key as CodePipeline shapes it: `<pipeline>/<artifact>/<random>`, the
/// first two truncated.
pub fn artifact_key(pipeline_name: &str, artifact_name: &str, suffix: &str) -> String {
    let pipeline: String = pipeline_name.chars().take(KEY_PIPELINE_CHARS).collect();
    let artifact: String = artifact_name.chars().take(KEY_ARTIFACT_CHARS).collect();
    format!("{pipeline}/{artifact}/{suffix}")
}

/// The exact Lambda event: `{"CodePipeline.job": {id, accountId, data}}`. Artifacts carry
/// `revision: null` when they have none, as the real event does for output artifacts.
pub fn lambda_event(job_id: &str, account_id: &str, data: &JobData) -> Value {
    let mut wire_data = json!({
        "actionConfiguration": { "configuration": data.action_configuration.configuration },
        "inputArtifacts": wire_artifacts(&data.input_artifacts, true),
        "outputArtifacts": wire_artifacts(&data.output_artifacts, true),
        "artifactCredentials": {
            "accessKeyId": data.artifact_credentials.access_key_id,
            "secretAccessKey": data.artifact_credentials.secret_access_key,
            "sessionToken": data.artifact_credentials.session_token,
            "expirationTime": data.artifact_credentials.expiration_time,
        },
    });
    if let (Some(token), Some(object)) = (&data.continuation_token, wire_data.as_object_mut()) {
        object.insert("continuationToken".to_string(), json!(token));
    }
    json!({ "CodePipeline.job": { "id": job_id, "accountId": account_id, "data": wire_data } })
}

/// GetJobDetails' `jobDetails`, with the `actionTypeId` and `pipelineContext` of a Lambda invoke
/// action. The API's credentials shape has no `expirationTime`.
pub fn job_details(record: &JobRecord, data: &JobData, region: &str) -> Value {
    let mut wire_data = json!({
        "actionTypeId": { "category": "Invoke", "owner": "AWS", "provider": "Lambda", "version": "1" },
        "actionConfiguration": { "configuration": data.action_configuration.configuration },
        "pipelineContext": {
            "pipelineName": record.pipeline_name,
            "stage": { "name": STAGE_NAME },
            "action": { "name": ACTION_NAME, "actionExecutionId": record.action_execution_id },
            "pipelineArn": format!(
                "arn:aws:codepipeline:{region}:{}:{}",
                record.account_id, record.pipeline_name
            ),
            "pipelineExecutionId": record.pipeline_execution_id,
        },
        "inputArtifacts": wire_artifacts(&data.input_artifacts, false),
        "outputArtifacts": wire_artifacts(&data.output_artifacts, false),
        "artifactCredentials": {
            "accessKeyId": data.artifact_credentials.access_key_id,
            "secretAccessKey": data.artifact_credentials.secret_access_key,
            "sessionToken": data.artifact_credentials.session_token,
        },
    });
    if let (Some(token), Some(object)) = (&data.continuation_token, wire_data.as_object_mut()) {
        object.insert("continuationToken".to_string(), json!(token));
    }
    json!({ "id": record.id, "accountId": record.account_id, "data": wire_data })
}

fn wire_artifacts(artifacts: &[ArtifactRecord], null_revision: bool) -> Value {
    Value::Array(
        artifacts
            .iter()
            .map(|artifact| {
                let mut wire = json!({
                    "name": artifact.name,
                    "location": {
                        "type": "S3",
                        "s3Location": { "bucketName": artifact.bucket, "objectKey": artifact.key },
                    },
                });
                if let Some(object) = wire.as_object_mut() {
                    match (&artifact.revision, null_revision) {
                        (Some(revision), _) => {
                            object.insert("revision".to_string(), json!(revision));
                        }
                        (None, true) => {
                            object.insert("revision".to_string(), Value::Null);
                        }
                        (None, false) => {}
                    }
                }
                wire
            })
            .collect(),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
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
        let request =
            stackflow::job_event::JobRequest::from_event(serde_json::from_value(event).unwrap())
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
}
