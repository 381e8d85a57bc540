//! Making a job happen: creating it as CodePipeline does (artifacts into the artifact bucket, a
//! fresh event), invoking the entry function asynchronously, and timing out unanswered jobs.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::http::header;

use crate::artifacts;
use crate::error::JobServiceError;
use crate::event::artifact_key;
use crate::job::{JobEntry, JobSpec};
use crate::model::{ArtifactRecord, ClosedBy, CreateJobRequest};
use crate::random::{self, now_ms};
use crate::validation::{Violations, ARTIFACTS_MAX, CONFIGURATION_VALUE_MAX};
use crate::{AppState, DEFAULT_PIPELINE_NAME, MAX_DELIVERIES};

impl AppState {
    /// Create a job for a new action execution and invoke the entry function with it. When the
    /// invocation fails the job is closed as failed and the error returned.
    pub(super) async fn create_job(
        self: &Arc<Self>,
        request: CreateJobRequest,
    ) -> Result<String, JobServiceError> {
        check_request(&request)?;
        let pipeline_name = request
            .pipeline_name
            .clone()
            .unwrap_or_else(|| DEFAULT_PIPELINE_NAME.to_string());

        // Read every zip before touching S3, so a bad path leaves nothing behind.
        let zips = read_zips(&request).await?;
        let (input_artifacts, output_artifacts) =
            self.stage_artifacts(&request, &pipeline_name, zips).await?;

        let entry = JobEntry::new(
            JobSpec {
                account_id: self.account_id.clone(),
                pipeline_name,
                function_name: self.entry_function.clone(),
                user_parameters: request.user_parameters,
                input_artifacts,
                output_artifacts,
                pipeline_execution_id: uuid::Uuid::new_v4().to_string(),
                action_execution_id: uuid::Uuid::new_v4().to_string(),
            },
            now_ms(),
        );
        let job_id = entry.record.id.clone();
        tracing::info!(
            job_id,
            pipeline_execution_id = entry.record.pipeline_execution_id,
            "created a CodePipeline job"
        );
        self.store.insert(entry.clone());
        self.schedule_reply_timeout(job_id.clone(), self.reply_timeout);
        if let Err(error) = self.deliver(&entry, request.deliveries.unwrap_or(1)).await {
            self.store.fail_unanswered(
                &job_id,
                ClosedBy::InvokeFailed,
                error.to_string(),
                now_ms(),
            );
            return Err(error);
        }
        Ok(job_id)
    }

    /// Upload the input artifacts into the artifact bucket and give the output artifacts their
    /// keys in it, as CodePipeline does for an action execution.
    async fn stage_artifacts(
        &self,
        request: &CreateJobRequest,
        pipeline_name: &str,
        zips: Vec<Vec<u8>>,
    ) -> Result<(Vec<ArtifactRecord>, Vec<ArtifactRecord>), JobServiceError> {
        if !request.artifacts.is_empty() || !request.output_artifacts.is_empty() {
            self.bucket_ready
                .get_or_try_init(|| {
                    artifacts::ensure_bucket(&self.s3, &self.artifact_bucket, &self.region)
                })
                .await?;
        }
        let mut input_artifacts = Vec::with_capacity(zips.len());
        for (artifact, zip) in request.artifacts.iter().zip(zips) {
            let key = artifact_key(pipeline_name, &artifact.name, &random::object_key_suffix());
            artifacts::upload(&self.s3, &self.artifact_bucket, &key, zip).await?;
            input_artifacts.push(ArtifactRecord {
                name: artifact.name.clone(),
                bucket: self.artifact_bucket.clone(),
                key,
                revision: Some(artifact.revision.clone().unwrap_or_else(random::revision)),
            });
        }
        let output_artifacts = request
            .output_artifacts
            .iter()
            .map(|name| ArtifactRecord {
                name: name.clone(),
                bucket: self.artifact_bucket.clone(),
                key: artifact_key(pipeline_name, name, &random::object_key_suffix()),
                revision: None,
            })
            .collect();
        Ok((input_artifacts, output_artifacts))
    }

    /// Start a job the store already holds (a continuation): time it and invoke the function in
    /// the background, as CodePipeline does some time after the previous job's report.
    pub(super) fn dispatch(self: &Arc<Self>, entry: JobEntry) {
        self.schedule_reply_timeout(entry.record.id.clone(), self.reply_timeout);
        let state = Arc::clone(self);
        tokio::spawn(async move {
            if let Err(error) = state.invoke(&entry).await {
                tracing::warn!(job_id = entry.record.id, %error, "could not invoke the function");
                state.store.fail_unanswered(
                    &entry.record.id,
                    ClosedBy::InvokeFailed,
                    error.to_string(),
                    now_ms(),
                );
            }
        });
    }

    /// Fail the job as timed out if no report came within `after`. Stops at shutdown.
    pub(super) fn schedule_reply_timeout(self: &Arc<Self>, job_id: String, after: Duration) {
        let state = Arc::clone(self);
        let mut shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = tokio::time::sleep(after) => {
                    let message = timeout_message(&job_id, state.reply_timeout);
                    if state.store.fail_unanswered(&job_id, ClosedBy::Timeout, message, now_ms()) {
                        tracing::warn!(job_id, "job timed out: no result was reported");
                    }
                }
                _ = shutdown.changed() => {}
            }
        });
    }

    /// [`AppState::invoke`] `times` times at once with the same event (duplicate deliveries);
    /// the first error, once all have answered.
    async fn deliver(
        self: &Arc<Self>,
        entry: &JobEntry,
        times: u32,
    ) -> Result<(), JobServiceError> {
        if times <= 1 {
            return self.invoke(entry).await;
        }
        let mut invokes = tokio::task::JoinSet::new();
        for _ in 0..times {
            let (state, entry) = (Arc::clone(self), entry.clone());
            invokes.spawn(async move { state.invoke(&entry).await });
        }
        let mut first_error = None;
        while let Some(done) = invokes.join_next().await {
            let result = done.map_err(|error| JobServiceError::Invoke {
                function: entry.record.function_name.clone(),
                message: error.to_string(),
            });
            if let Err(error) = result.and_then(|invoked| invoked) {
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// `Invoke` with `X-Amz-Invocation-Type: Event`, as CodePipeline invokes an action's function.
    async fn invoke(&self, entry: &JobEntry) -> Result<(), JobServiceError> {
        let function = &entry.record.function_name;
        let url = format!(
            "{}/2015-03-31/functions/{function}/invocations",
            self.lambda_url.trim_end_matches('/')
        );
        let error = |message: String| JobServiceError::Invoke {
            function: function.clone(),
            message,
        };
        let body = serde_json::to_vec(&entry.event).map_err(|e| error(e.to_string()))?;
        let response = self
            .http
            .post(url)
            .header("X-Amz-Invocation-Type", "Event")
            .header(header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| error(e.to_string()))?;
        let status = response.status();
        if !status.is_success() {
            let text = response.text().await.unwrap_or_default();
            return Err(error(format!(
                "the Lambda service answered {status}: {text}"
            )));
        }
        tracing::info!(job_id = entry.record.id, function, "invoked the function");
        Ok(())
    }
}

/// The failure message of a job that got no report in time.
pub fn timeout_message(job_id: &str, reply_timeout: Duration) -> String {
    let seconds = if reply_timeout.subsec_millis() == 0 {
        reply_timeout.as_secs().to_string()
    } else {
        format!("{:.3}", reply_timeout.as_secs_f64())
    };
    format!(
        "The action timed out: no result (PutJobSuccessResult or PutJobFailureResult) was \
         reported for job {job_id} within {seconds} seconds"
    )
}

/// Every input artifact's zip, read from its path.
async fn read_zips(request: &CreateJobRequest) -> Result<Vec<Vec<u8>>, JobServiceError> {
    let mut zips = Vec::with_capacity(request.artifacts.len());
    for artifact in &request.artifacts {
        let path = PathBuf::from(&artifact.zip_path);
        let zip = tokio::fs::read(&path)
            .await
            .map_err(|source| JobServiceError::ArtifactRead {
                name: artifact.name.clone(),
                path: path.clone(),
                source,
            })?;
        zips.push(zip);
    }
    Ok(zips)
}

/// The control API's input rules: those CodePipeline puts on a pipeline's names and
/// configuration, and absolute, distinct artifact paths and names.
fn check_request(request: &CreateJobRequest) -> Result<(), JobServiceError> {
    let mut violations = Violations::new();
    violations.pipeline_name("pipelineName", request.pipeline_name.as_deref());
    violations.length(
        "userParameters",
        request.user_parameters.as_deref(),
        1,
        CONFIGURATION_VALUE_MAX,
    );
    for (what, count) in [
        ("input", request.artifacts.len()),
        ("output", request.output_artifacts.len()),
    ] {
        if count > ARTIFACTS_MAX {
            violations.other(format!(
                "a Lambda invoke action takes at most {ARTIFACTS_MAX} {what} artifacts, not {count}"
            ));
        }
    }
    let mut names = std::collections::BTreeSet::new();
    let all_names = request
        .artifacts
        .iter()
        .map(|artifact| artifact.name.as_str())
        .chain(request.output_artifacts.iter().map(String::as_str));
    for name in all_names {
        violations.artifact_name("artifacts.name", name);
        if !names.insert(name) {
            violations.other(format!("artifact name {name:?} is used twice"));
        }
    }
    if let Some(deliveries) = request.deliveries {
        if !(1..=MAX_DELIVERIES).contains(&deliveries) {
            violations.other(format!(
                "deliveries must be 1 to {MAX_DELIVERIES}, not {deliveries}"
            ));
        }
    }
    for artifact in &request.artifacts {
        if !Path::new(&artifact.zip_path).is_absolute() {
            violations.other(format!(
                "artifact {:?}: zipPath must be an absolute path, not {:?}",
                artifact.name, artifact.zip_path
            ));
        }
    }
    violations.into_result()
}

#[cfg(test)]
#[path = "dispatch_tests.rs"]
mod tests;
