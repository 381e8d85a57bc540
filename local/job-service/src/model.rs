//! The job record the control API shows, shared by the service and its client. Field names are
//! camelCase on the wire, like CodePipeline's own shapes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where a job stands. `InProgress` until the function reports or the reply timeout passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobStatus {
    InProgress,
    Succeeded,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::InProgress => "InProgress",
            JobStatus::Succeeded => "Succeeded",
            JobStatus::Failed => "Failed",
        }
    }
}

/// What closed a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClosedBy {
    /// PutJobSuccessResult without a continuation token: the action succeeded.
    Success,
    /// PutJobSuccessResult with a continuation token: this job succeeded and a new job continues
    /// the action (see `nextJobId`).
    ContinuationToken,
    /// PutJobFailureResult: the action failed.
    Failure,
    /// No report came within the reply timeout: the action failed.
    Timeout,
    /// The entry function could not be invoked at all: the action failed.
    InvokeFailed,
    /// The pipeline execution was stopped (or superseded) while the job was open: the action
    /// was abandoned and the job takes no result. Local test tooling:
    /// `POST /stackflow/jobs/{id}/stop`.
    Stopped,
}

impl ClosedBy {
    /// Whether this ends the action (everything but a continuation does).
    pub fn is_final(self) -> bool {
        !matches!(self, ClosedBy::ContinuationToken)
    }
}

/// An input or output artifact of the job, as stored in the artifact bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactRecord {
    pub name: String,
    pub bucket: String,
    pub key: String,
    /// The revision CodePipeline reports for an input artifact; none for output artifacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
}

/// PutJobFailureResult's `failureDetails`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureDetails {
    #[serde(rename = "type")]
    pub failure_type: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_execution_id: Option<String>,
}

/// PutJobSuccessResult's `executionDetails`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_execution_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_complete: Option<i32>,
}

/// PutJobSuccessResult's `currentRevision`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrentRevision {
    pub revision: String,
    pub change_identifier: String,
    /// Epoch seconds, as awsJson sends timestamps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_summary: Option<String>,
}

/// One job, as the control API shows it. Continuations of one action share
/// `pipelineExecutionId` and are linked by `previousJobId` / `nextJobId`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobRecord {
    pub id: String,
    pub account_id: String,
    pub pipeline_name: String,
    pub pipeline_execution_id: String,
    pub action_execution_id: String,
    pub function_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_parameters: Option<String>,
    pub input_artifacts: Vec<ArtifactRecord>,
    pub output_artifacts: Vec<ArtifactRecord>,
    pub status: JobStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_by: Option<ClosedBy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_details: Option<FailureDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_details: Option<ExecutionDetails>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_revision: Option<CurrentRevision>,
    /// What PutJobSuccessResult reported in `outputVariables`; `None` when it sent none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_variables: Option<BTreeMap<String, String>>,
    /// The continuation token this job's event carried (set on continuation jobs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_continuation_token: Option<String>,
    /// The continuation token the function reported when it closed this job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_job_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_job_id: Option<String>,
    /// Epoch milliseconds.
    pub created_at: u64,
    /// Epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<u64>,
    /// Whether AcknowledgeJob was called.
    #[serde(default)]
    pub acknowledged: bool,
    /// PutJobSuccessResult / PutJobFailureResult calls that came after the job was closed
    /// (each was refused with InvalidJobStateException).
    #[serde(default)]
    pub reports_after_close: u32,
}

impl JobRecord {
    /// Whether the job is closed, by whatever closed it.
    pub fn is_closed(&self) -> bool {
        self.closed_by.is_some()
    }

    /// Whether this job ends its action: closed by anything but a continuation.
    pub fn is_final(&self) -> bool {
        self.closed_by.is_some_and(ClosedBy::is_final)
    }

    /// Whether the action succeeded with this job (closed by a success without continuation).
    pub fn succeeded(&self) -> bool {
        self.closed_by == Some(ClosedBy::Success)
    }

    /// The reported failure type (`JobFailed`, `ConfigurationError`, ...), when the job failed.
    pub fn failure_type(&self) -> Option<String> {
        self.failure_details
            .as_ref()
            .map(|details| details.failure_type.clone())
    }

    /// The failure message of a failed job, else the execution summary of a succeeded one.
    pub fn message(&self) -> Option<String> {
        self.failure_details
            .as_ref()
            .map(|details| details.message.clone())
            .or_else(|| {
                self.execution_details
                    .as_ref()
                    .and_then(|details| details.summary.clone())
            })
    }
}

/// `POST /stackflow/jobs` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateJobRequest {
    /// The action's UserParameters (the `UserParameters` configuration entry); left out of the
    /// event when absent, as CodePipeline does for an action without them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_parameters: Option<String>,
    /// Input artifacts: each zip is uploaded to the artifact bucket.
    #[serde(default)]
    pub artifacts: Vec<ArtifactSource>,
    /// Output artifact names: each gets a location in the artifact bucket, nothing is uploaded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_artifacts: Vec<String>,
    /// Defaults to [`crate::DEFAULT_PIPELINE_NAME`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline_name: Option<String>,
    /// Test tooling: invoke the entry function this many times at once with the job's one
    /// event (1 to [`crate::MAX_DELIVERIES`]), as Lambda's at-least-once delivery of an
    /// asynchronous invocation may. Default 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliveries: Option<u32>,
}

/// One input artifact of [`CreateJobRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactSource {
    pub name: String,
    /// Absolute path of the zip on this machine.
    pub zip_path: String,
    /// The revision the event reports; a random 40-hex commit-like id when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
}

/// `POST /stackflow/jobs` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateJobResponse {
    pub job_id: String,
}

/// `GET /stackflow/jobs` response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobList {
    pub jobs: Vec<JobRecord>,
}
