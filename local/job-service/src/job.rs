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
mod tests {
    use super::*;

    fn spec() -> JobSpec {
        JobSpec {
            account_id: "123456789012".into(),
            pipeline_name: "pipe".into(),
            function_name: "entry".into(),
            user_parameters: Some("{}".into()),
            input_artifacts: vec![ArtifactRecord {
                name: "Src".into(),
                bucket: "b".into(),
                key: "pipe/Src/abc".into(),
                revision: Some("r".into()),
            }],
            output_artifacts: vec![],
            pipeline_execution_id: "exec".into(),
            action_execution_id: "action".into(),
        }
    }

    #[test]
    fn a_new_job_is_in_progress_and_its_event_names_it() {
        let job = JobEntry::new(spec(), 5);
        assert_eq!(job.record.status, JobStatus::InProgress);
        assert_eq!(job.record.created_at, 5);
        assert_eq!(job.event["CodePipeline.job"]["id"], job.record.id.as_str());
        assert!(crate::validation::is_job_id(&job.record.id));
        assert!(job.data.continuation_token.is_none());
    }

    #[test]
    fn a_continuation_is_a_new_job_of_the_same_action() {
        let first = JobEntry::new(spec(), 1);
        let next = first.continuation("token-1", 2);
        assert_ne!(next.record.id, first.record.id);
        assert_eq!(
            next.record.previous_job_id.as_deref(),
            Some(first.record.id.as_str())
        );
        assert_eq!(
            next.record.pipeline_execution_id,
            first.record.pipeline_execution_id
        );
        assert_eq!(next.record.input_artifacts, first.record.input_artifacts);
        assert_eq!(next.record.user_parameters, first.record.user_parameters);
        assert_eq!(
            next.event["CodePipeline.job"]["data"]["continuationToken"],
            "token-1"
        );
        assert_ne!(
            next.data.artifact_credentials.access_key_id,
            first.data.artifact_credentials.access_key_id
        );
    }
}
