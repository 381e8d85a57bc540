//! The CodePipeline job event, reduced to what stackflow needs.
//!
//! The wire type carries temporary artifact credentials and its derived `Debug` prints them, so
//! start-deployment turns it into a [`JobRequest`] first thing: that type holds no credentials,
//! and nothing downstream can log what it does not have.

use aws_lambda_events::event::codepipeline_job::{CodePipelineInputLocation, CodePipelineJobEvent};

use crate::contract::{ArtifactLocation, CurrentJob, EncryptionKey, ExecutionInput};
use crate::error::Error;

/// A CodePipeline job, without its artifact credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRequest {
    pub job_id: String,
    pub account_id: String,
    /// The action's UserParameters as written; empty when the action has none (ValidateParams
    /// names that problem, so it reaches the pipeline as a job failure).
    pub user_parameters: String,
    pub input_artifacts: Vec<ArtifactLocation>,
    /// Where CodePipeline expects the action's output artifacts (no revision: they are not
    /// written yet).
    pub output_artifacts: Vec<ArtifactLocation>,
    /// The hand-over token (CodePipeline's `continuationToken`) when a hand-over passed the
    /// deployment on to this job; the field keeps the event's name.
    pub continuation_token: Option<String>,
    /// The artifact store's KMS key, when the event names one.
    pub encryption_key: Option<EncryptionKey>,
}

impl JobRequest {
    /// Redact the wire event. A missing job id is fatal: without it the job cannot be reported,
    /// so the error only reaches the function's logs and CodePipeline times the action out.
    pub fn from_event(event: CodePipelineJobEvent) -> Result<Self, Error> {
        let job = event.code_pipeline_job;
        let job_id = non_empty(job.id).ok_or_else(|| {
            Error::InvalidEvent(
                "the event has no \"CodePipeline.job\".id; this job cannot be reported to \
                 CodePipeline and will time out"
                    .to_string(),
            )
        })?;
        let data = job.data;
        // The library's event type keeps `encryptionKey` among the fields it does not model.
        let encryption_key = data
            .other
            .get("encryptionKey")
            .and_then(|key| serde_json::from_value::<EncryptionKey>(key.clone()).ok())
            .filter(|key| !key.id.trim().is_empty());
        let input_artifacts = data
            .input_artifacts
            .into_iter()
            .enumerate()
            .map(|(index, artifact)| {
                let revision = non_empty(artifact.revision);
                let found = (artifact.name, artifact.location);
                artifact_location(&job_id, "input", index, found, revision)
            })
            .collect::<Result<Vec<_>, _>>()?;
        // The library's field name for `outputArtifacts` is `out_put_artifacts`.
        let output_artifacts = data
            .out_put_artifacts
            .into_iter()
            .enumerate()
            .map(|(index, artifact)| {
                let found = (artifact.name, artifact.location);
                artifact_location(&job_id, "output", index, found, None)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(JobRequest {
            account_id: job.account_id.unwrap_or_default(),
            user_parameters: data
                .action_configuration
                .configuration
                .user_parameters
                .unwrap_or_default(),
            input_artifacts,
            output_artifacts,
            continuation_token: non_empty(data.continuation_token),
            encryption_key,
            job_id,
        })
    }

    /// The execution input: it shows in the Step Functions console, so only the job id, the
    /// UserParameters, where the artifacts are, and the job to answer (this one, until
    /// `hand_over_at`, Unix seconds).
    pub fn execution_input(&self, hand_over_at: i64) -> ExecutionInput {
        ExecutionInput {
            job_id: self.job_id.clone(),
            user_parameters: self.user_parameters.clone(),
            input_artifacts: self.input_artifacts.clone(),
            output_artifacts: self.output_artifacts.clone(),
            encryption_key: self.encryption_key.clone(),
            current_job: Some(CurrentJob {
                job_id: self.job_id.clone(),
                hand_over_at,
            }),
        }
    }
}

impl TryFrom<CodePipelineJobEvent> for JobRequest {
    type Error = Error;

    fn try_from(event: CodePipelineJobEvent) -> Result<Self, Error> {
        JobRequest::from_event(event)
    }
}

/// One artifact's name and S3 location; `kind` ("input" or "output") names it in errors. Input
/// and output artifacts share the library's location type.
fn artifact_location(
    job_id: &str,
    kind: &str,
    index: usize,
    (name, location): (Option<String>, CodePipelineInputLocation),
    revision: Option<String>,
) -> Result<ArtifactLocation, Error> {
    let s3 = location.s3_location;
    let Some(name) = non_empty(name) else {
        return Err(Error::InvalidEvent(format!(
            "job {job_id}: {kind} artifact #{} has no name",
            index + 1
        )));
    };
    match (non_empty(s3.bucket_name), non_empty(s3.object_key)) {
        (Some(bucket), Some(key)) => Ok(ArtifactLocation {
            name,
            bucket,
            key,
            revision,
        }),
        _ => Err(Error::InvalidEvent(format!(
            "job {job_id}: {kind} artifact {name} has no S3 location (bucketName and objectKey)"
        ))),
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|text| !text.trim().is_empty())
}

#[cfg(test)]
#[path = "job_event_props.rs"]
mod props;

#[cfg(test)]
#[path = "job_event_tests.rs"]
pub(crate) mod tests;
