//! `stackflow-local function-fault` (test tooling): arm, list and clear the local Lambda
//! service's faults in the running environment (`/stackflow/faults`, see `lambda_service`).

use crate::error::{LocalError, Result};
use crate::functions::FUNCTIONS;
use crate::lambda_service::FaultSpec;
use crate::state::EnvironmentState;

/// The deployed function name for a function name or a crate name (`deploy-stack`).
pub fn function_name(name: &str) -> String {
    FUNCTIONS
        .iter()
        .find(|def| def.binary == name)
        .map(|def| def.function_name.to_string())
        .unwrap_or_else(|| name.to_string())
}

fn url(env: &EnvironmentState) -> String {
    format!("{}/stackflow/faults", env.lambda_url())
}

/// Arm a fault; returns every armed fault.
pub async fn arm(env: &EnvironmentState, spec: &FaultSpec) -> Result<Vec<FaultSpec>> {
    let response = reqwest::Client::new()
        .post(url(env))
        .json(spec)
        .send()
        .await;
    read(response).await
}

pub async fn armed(env: &EnvironmentState) -> Result<Vec<FaultSpec>> {
    read(reqwest::Client::new().get(url(env)).send().await).await
}

/// Disarm every fault.
pub async fn clear(env: &EnvironmentState) -> Result<()> {
    read(reqwest::Client::new().delete(url(env)).send().await)
        .await
        .map(|_| ())
}

async fn read(
    response: std::result::Result<reqwest::Response, reqwest::Error>,
) -> Result<Vec<FaultSpec>> {
    let unreachable =
        |err: reqwest::Error| LocalError::Environment(format!("the Lambda service: {err}"));
    let response = response.map_err(unreachable)?;
    let status = response.status();
    let body = response.bytes().await.map_err(unreachable)?;
    if !status.is_success() {
        let message = crate::error::body_message(String::from_utf8_lossy(&body).into_owned());
        return Err(LocalError::Usage(format!("fault refused: {message}")));
    }
    serde_json::from_slice(&body)
        .map_err(|err| LocalError::Environment(format!("the Lambda service's fault list: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_become_function_names() {
        assert_eq!(function_name("deploy-stack"), "stackflow-deploy-stack");
        assert_eq!(
            function_name("stackflow-check-stack"),
            "stackflow-check-stack"
        );
        assert_eq!(function_name("other"), "other");
    }
}
