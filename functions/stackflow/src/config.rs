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

/// An optional environment variable; `None` when unset or blank.
pub fn optional_env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

/// The AWS configuration from the standard chain: region, credentials and the
/// `AWS_ENDPOINT_URL*` variables, so the same binary runs locally and on AWS.
pub async fn aws_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(https_client())
        .load()
        .await
}

/// The one HTTP(S) client of every AWS client: rustls with ring. The SDK's default would link
/// aws-lc, a C library larger than the rest of a function (see docs/performance.md).
pub fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
    drop_a_missing_ca_bundle();
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// The variable that names the one CA bundle the HTTPS client loads (set by the SAM template and
/// the local environment, for a faster cold start).
pub const CA_BUNDLE: &str = "SSL_CERT_FILE";

/// With `SSL_CERT_FILE` set, the client loads that file alone; if it is no file, the client
/// would trust no root and every AWS call would fail. Such a value is dropped, with a warning,
/// so the system's usual places are searched instead: slower to start, never broken.
fn drop_a_missing_ca_bundle() {
    let Some(path) = std::env::var_os(CA_BUNDLE) else {
        return;
    };
    if !names_a_file(&path) {
        tracing::warn!(
            path = ?path,
            "SSL_CERT_FILE names no file; loading the system's CA certificates instead"
        );
        // Still at start-up: nothing else reads the environment yet.
        std::env::remove_var(CA_BUNDLE);
    }
}

fn names_a_file(path: &std::ffi::OsStr) -> bool {
    std::path::Path::new(path).is_file()
}

/// The state machine ARN start-deployment starts executions of.
pub const STATE_MACHINE_ARN: &str = "STATE_MACHINE_ARN";
/// The bucket fetch-template stages templates in.
pub const STAGING_BUCKET: &str = "STAGING_BUCKET";

/// validate-params and deploy-stack: the CloudFormation service roles a deployment may use,
/// comma-separated; the first is the default (template parameter `CloudFormationRoleArn`).
pub const CLOUDFORMATION_ROLE_ARNS: &str = "CLOUDFORMATION_ROLE_ARNS";
/// validate-params: the artifact bucket fetch-template may read (`ArtifactBucketName`).
pub const ARTIFACT_BUCKET: &str = "ARTIFACT_BUCKET";
/// validate-params: the customer managed KMS key fetch-template may decrypt with, or empty
/// (`ArtifactKeyArn`).
pub const ARTIFACT_KEY_ARN: &str = "ARTIFACT_KEY_ARN";

/// start-deployment: seconds a job is answered before the deployment hands it over to
/// the next job (optional; [`DEFAULT_JOB_HANDOVER_SECONDS`]).
pub const JOB_HANDOVER_SECONDS: &str = "JOB_HANDOVER_SECONDS";
/// The default is the longest `JOB_HANDOVER_SECONDS_RANGE` allows.
pub const DEFAULT_JOB_HANDOVER_SECONDS: u32 = 300;
/// What `JOB_HANDOVER_SECONDS` may be. Only 5 of CodePipeline's 20 minutes: after the hand-over
/// time, the step that notices it and the hand-over itself may each go through every retry of
/// the state machine's Retry blocks, every attempt running to its function's timeout (about 14
/// minutes at worst), and the next job reaches start-deployment some time after the
/// "in progress" reply restarts CodePipeline's timer. tests/agreement/budgets.rs derives the
/// bound from the statemachine file and the template.
pub const JOB_HANDOVER_SECONDS_RANGE: std::ops::RangeInclusive<u32> = 1..=300;

/// An optional environment variable of whole seconds within `range`; `default` when unset.
pub fn seconds_env(
    name: &str,
    default: u32,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, Error> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => parse_seconds(name, &value, range),
        _ => Ok(default),
    }
}

fn parse_seconds(
    name: &str,
    value: &str,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, Error> {
    value
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|seconds| range.contains(seconds))
        .ok_or_else(|| {
            Error::Misconfigured(format!(
                "environment variable {name} is {value:?}; it must be whole seconds from {} to {}",
                range.start(),
                range.end()
            ))
        })
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
