//! A typed client of the control API, for the CLI and the tests.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::JobServiceError;
use crate::model::{ArtifactSource, CreateJobRequest, CreateJobResponse, JobList, JobRecord};

/// How often [`JobServiceClient::wait_for_final`] looks at the job.
const POLL_INTERVAL: Duration = Duration::from_millis(200);

#[derive(Debug, Clone)]
pub struct JobServiceClient {
    base_url: String,
    http: reqwest::Client,
}

impl JobServiceClient {
    /// `base_url` like `http://127.0.0.1:4599` (the job service's listener).
    pub fn new(base_url: impl Into<String>) -> Self {
        JobServiceClient {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            http: local_http_client(),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Create a job with these UserParameters (left out when empty) and input artifacts (name,
    /// absolute zip path); returns its id. See [`JobServiceClient::create`] for every option.
    pub async fn create_job(
        &self,
        user_parameters: &str,
        artifacts: &[(String, PathBuf)],
    ) -> Result<String, JobServiceError> {
        self.create(&Self::job_request(user_parameters, artifacts))
            .await
    }

    /// The request [`JobServiceClient::create_job`] sends, for callers that set more options.
    pub fn job_request(user_parameters: &str, artifacts: &[(String, PathBuf)]) -> CreateJobRequest {
        CreateJobRequest {
            user_parameters: Some(user_parameters.to_string()).filter(|p| !p.is_empty()),
            artifacts: artifacts
                .iter()
                .map(|(name, path)| ArtifactSource {
                    name: name.clone(),
                    zip_path: path.to_string_lossy().into_owned(),
                    revision: None,
                })
                .collect(),
            ..CreateJobRequest::default()
        }
    }

    /// Create a job (uploads the artifacts, invokes the entry function); returns its id.
    pub async fn create(&self, request: &CreateJobRequest) -> Result<String, JobServiceError> {
        let response = self
            .http
            .post(format!("{}/stackflow/jobs", self.base_url))
            .json(request)
            .send()
            .await?;
        let created: CreateJobResponse = read(response).await?;
        Ok(created.job_id)
    }

    pub async fn get_job(&self, id: &str) -> Result<JobRecord, JobServiceError> {
        self.get(&format!("/stackflow/jobs/{id}")).await
    }

    /// The exact event sent to the entry function for this job.
    pub async fn get_event(&self, id: &str) -> Result<Value, JobServiceError> {
        self.get(&format!("/stackflow/jobs/{id}/event")).await
    }

    /// Stop the pipeline at open job `id` (test tooling): it closes failed, as `Stopped`, and
    /// refuses every later result.
    pub async fn stop_job(&self, id: &str) -> Result<JobRecord, JobServiceError> {
        let response = self
            .http
            .post(format!("{}/stackflow/jobs/{id}/stop", self.base_url))
            .send()
            .await?;
        read(response).await
    }

    /// All jobs, oldest first.
    pub async fn list_jobs(&self) -> Result<Vec<JobRecord>, JobServiceError> {
        let list: JobList = self.get("/stackflow/jobs").await?;
        Ok(list.jobs)
    }

    /// The newest job of the continuation chain that starts at `id`, as it is now.
    pub async fn newest_in_chain(&self, id: &str) -> Result<JobRecord, JobServiceError> {
        let mut record = self.get_job(id).await?;
        while let Some(next) = record.next_job_id.clone() {
            record = self.get_job(&next).await?;
        }
        Ok(record)
    }

    /// Follow the continuation chain from `id` (each `nextJobId`) to its newest job and return
    /// it once it ends the action (closed by success, failure, timeout or a failed invocation).
    pub async fn wait_for_final(
        &self,
        id: &str,
        timeout: Duration,
    ) -> Result<JobRecord, JobServiceError> {
        let started = Instant::now();
        let mut current = id.to_string();
        loop {
            let record = self.newest_in_chain(&current).await?;
            current = record.id.clone();
            if record.is_final() {
                return Ok(record);
            }
            if started.elapsed() >= timeout {
                return Err(JobServiceError::WaitTimedOut {
                    first_job_id: id.to_string(),
                    job_id: record.id,
                    status: record.status.as_str().to_string(),
                    waited: started.elapsed(),
                });
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, JobServiceError> {
        let response = self
            .http
            .get(format!("{}{path}", self.base_url))
            .send()
            .await?;
        read(response).await
    }
}

/// An HTTP client for 127.0.0.1: a proxy from the environment must not see local traffic.
pub(super) fn local_http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        // Building fails only when a TLS backend cannot start; this client has none.
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// The body of a successful answer, or the service's `{"message"}` as an error.
async fn read<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, JobServiceError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response.json().await?);
    }
    let text = response.text().await.unwrap_or_default();
    Err(JobServiceError::Api {
        status: status.as_u16(),
        message: crate::body_message(text),
    })
}
