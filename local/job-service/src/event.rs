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
#[path = "event_tests.rs"]
mod tests;
