//! One job as the service keeps it: its record, its data and the exact event sent for it, and
//! how a job and its continuation are made.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::event::{lambda_event, ActionConfiguration, JobData};
use crate::model::{ArtifactRecord, JobRecord, JobStatus};
use crate::random::ArtifactCredentials;

/// A job with everything the service needs to answer for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobEntry {
    pub record: JobRecord,
    pub data: JobData,
    /// The event as sent to the entry function.
    pub event: Value,
}

/// The parts of a new job that come from the action, not from chance.
#[derive(Debug, Clone)]
pub struct JobSpec {
    pub account_id: String,
    pub pipeline_name: String,
    pub function_name: String,
    pub user_parameters: Option<String>,
    pub input_artifacts: Vec<ArtifactRecord>,
    pub output_artifacts: Vec<ArtifactRecord>,
    pub pipeline_execution_id: String,
    pub action_execution_id: String,
}

impl JobEntry {
    /// A new in-progress job with a fresh id and fresh artifact credentials.
    pub fn new(spec: JobSpec, now_ms: u64) -> Self {
        Self::build(spec, None, None, now_ms)
    }

    /// The job CodePipeline creates when `self` is closed with a continuation token: a new id,
    /// the same action (artifacts, UserParameters, execution), new credentials and the token.
    pub fn continuation(&self, token: &str, now_ms: u64) -> Self {
        let record = &self.record;
        let spec = JobSpec {
            account_id: record.account_id.clone(),
            pipeline_name: record.pipeline_name.clone(),
            function_name: record.function_name.clone(),
            user_parameters: record.user_parameters.clone(),
            input_artifacts: record.input_artifacts.clone(),
            output_artifacts: record.output_artifacts.clone(),
            pipeline_execution_id: record.pipeline_execution_id.clone(),
            action_execution_id: record.action_execution_id.clone(),
        };
        Self::build(
            spec,
            Some(token.to_string()),
            Some(record.id.clone()),
            now_ms,
        )
    }

    fn build(
        spec: JobSpec,
        continuation_token: Option<String>,
        previous_job_id: Option<String>,
        now_ms: u64,
    ) -> Self {
        let id = uuid::Uuid::new_v4().to_string();
        let data = JobData {
            action_configuration: ActionConfiguration::new(
                &spec.function_name,
                spec.user_parameters.as_deref(),
            ),
            input_artifacts: spec.input_artifacts.clone(),
            output_artifacts: spec.output_artifacts.clone(),
            artifact_credentials: ArtifactCredentials::generate(now_ms),
            continuation_token: continuation_token.clone(),
        };
        let event = lambda_event(&id, &spec.account_id, &data);
        let record = JobRecord {
            id,
            account_id: spec.account_id,
            pipeline_name: spec.pipeline_name,
            pipeline_execution_id: spec.pipeline_execution_id,
            action_execution_id: spec.action_execution_id,
            function_name: spec.function_name,
            user_parameters: spec.user_parameters,
            input_artifacts: spec.input_artifacts,
            output_artifacts: spec.output_artifacts,
            status: JobStatus::InProgress,
            closed_by: None,
            failure_details: None,
            execution_details: None,
            current_revision: None,
            output_variables: None,
            input_continuation_token: continuation_token,
            continuation_token: None,
            next_job_id: None,
            previous_job_id,
            created_at: now_ms,
            closed_at: None,
            acknowledged: false,
            reports_after_close: 0,
        };
        JobEntry {
            record,
            data,
            event,
        }
    }
}

#[cfg(test)]
#[path = "job_tests.rs"]
mod tests;
