//! A typed client of `/stackflow/aws-faults`, for the CLI and the tests.

use serde::de::DeserializeOwned;

use super::rules::{FaultList, FaultRecord, FaultRule};
use super::rules_api::PATH;
use crate::{FaultToolError, Result};

#[derive(Debug, Clone)]
pub struct FaultClient {
    base_url: String,
    http: reqwest::Client,
}

impl FaultClient {
    /// `base_url`: the environment's control API (the job service's URL).
    pub fn new(base_url: impl Into<String>) -> Self {
        FaultClient {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .unwrap_or_else(|_| reqwest::Client::new()),
        }
    }

    pub async fn add(&self, rule: &FaultRule) -> Result<FaultRecord> {
        let response = self
            .http
            .post(format!("{}{PATH}", self.base_url))
            .json(rule)
            .send()
            .await;
        read(response).await
    }

    pub async fn get(&self, id: &str) -> Result<FaultRecord> {
        let response = self
            .http
            .get(format!("{}{PATH}/{id}", self.base_url))
            .send()
            .await;
        read(response).await
    }

    pub async fn list(&self) -> Result<Vec<FaultRecord>> {
        let response = self
            .http
            .get(format!("{}{PATH}", self.base_url))
            .send()
            .await;
        read::<FaultList>(response).await.map(|list| list.faults)
    }

    /// Remove one rule; returns its last counts.
    pub async fn remove(&self, id: &str) -> Result<FaultRecord> {
        let response = self
            .http
            .delete(format!("{}{PATH}/{id}", self.base_url))
            .send()
            .await;
        read(response).await
    }

    pub async fn clear(&self) -> Result<()> {
        let response = self
            .http
            .delete(format!("{}{PATH}", self.base_url))
            .send()
            .await
            .map_err(http_error)?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(api_error(response).await)
        }
    }
}

fn http_error(error: reqwest::Error) -> FaultToolError {
    FaultToolError::Unavailable(format!("the environment's control API: {error}"))
}

async fn api_error(response: reqwest::Response) -> FaultToolError {
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    let message = stackflow_job_service::body_message(text);
    FaultToolError::Refused(format!("the environment refused ({status}): {message}"))
}

async fn read<T: DeserializeOwned>(
    response: std::result::Result<reqwest::Response, reqwest::Error>,
) -> Result<T> {
    let response = response.map_err(http_error)?;
    if !response.status().is_success() {
        return Err(api_error(response).await);
    }
    response.json().await.map_err(http_error)
}
