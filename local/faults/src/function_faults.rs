//! The client behind `stackflow-local function-fault` (test tooling): arm, list and clear the
//! local Lambda service's faults in the running environment (`/stackflow/faults`; the Lambda
//! service keeps and strikes them, see its `faults` module).

use stackflow_lambda_service::FaultSpec;

use crate::{FaultToolError, Result};

fn url(lambda_url: &str) -> String {
    format!("{lambda_url}/stackflow/faults")
}

/// Arm a fault; returns every armed fault.
pub async fn arm(lambda_url: &str, spec: &FaultSpec) -> Result<Vec<FaultSpec>> {
    let response = reqwest::Client::new()
        .post(url(lambda_url))
        .json(spec)
        .send()
        .await;
    read(response).await
}

pub async fn armed(lambda_url: &str) -> Result<Vec<FaultSpec>> {
    read(reqwest::Client::new().get(url(lambda_url)).send().await).await
}

/// Disarm every fault.
pub async fn clear(lambda_url: &str) -> Result<()> {
    read(reqwest::Client::new().delete(url(lambda_url)).send().await)
        .await
        .map(|_| ())
}

async fn read(
    response: std::result::Result<reqwest::Response, reqwest::Error>,
) -> Result<Vec<FaultSpec>> {
    let unreachable =
        |err: reqwest::Error| FaultToolError::Unavailable(format!("the Lambda service: {err}"));
    let response = response.map_err(unreachable)?;
    let status = response.status();
    let body = response.bytes().await.map_err(unreachable)?;
    if !status.is_success() {
        let message =
            stackflow_job_service::body_message(String::from_utf8_lossy(&body).into_owned());
        return Err(FaultToolError::Refused(format!("fault refused: {message}")));
    }
    serde_json::from_slice(&body).map_err(|err| {
        FaultToolError::Unavailable(format!("the Lambda service's fault list: {err}"))
    })
}
