//! Configuration from the environment, read once at start-up by each function's `main`.

use crate::error::Error;

/// A required environment variable; its absence is a deployment mistake, named as such.
pub fn required_env(name: &str) -> Result<String, Error> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        _ => Err(Error::Misconfigured(format!(
            "environment variable {name} is not set; the function's deployment must set it"
        ))),
    }
}

/// The AWS configuration from the standard chain: region, credentials and the
/// `AWS_ENDPOINT_URL*` variables, so the same binary runs locally and on AWS.
pub async fn aws_config() -> aws_config::SdkConfig {
    aws_config::load_from_env().await
}

/// The state machine ARN start-deployment starts executions of.
pub const STATE_MACHINE_ARN: &str = "STATE_MACHINE_ARN";
/// The bucket fetch-template stages templates in.
pub const STAGING_BUCKET: &str = "STAGING_BUCKET";
