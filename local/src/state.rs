//! The running environment as the CLI finds it: written by the environment once it is ready.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{LocalError, Result};

pub const REGION: &str = "us-east-1";
/// moto's default account; resources it creates carry it in their ARNs.
pub const ACCOUNT_ID: &str = "123456789012";
pub const STATE_MACHINE_NAME: &str = "stackflow";
pub const ARTIFACT_BUCKET: &str = "stackflow-local-artifacts";
/// The CloudFormation service role stacks are deployed with locally (the SAM template's
/// `CloudFormationRoleArn`). moto checks no IAM, so the role need not exist.
pub const SERVICE_ROLE_ARN: &str = "arn:aws:iam::123456789012:role/stackflow-local-deployer";
pub const STAGING_BUCKET: &str = "stackflow-local-staging";

/// The ARN moto gives the state machine the environment creates.
pub fn state_machine_arn() -> String {
    format!("arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:{STATE_MACHINE_NAME}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentState {
    pub pid: u32,
    pub moto_port: u16,
    pub lambda_port: u16,
    pub jobs_port: u16,
    pub region: String,
    pub state_machine_arn: String,
    pub artifact_bucket: String,
    pub staging_bucket: String,
    pub job_reply_timeout_seconds: u64,
    /// Test tooling: seconds a stack create or update is reported in progress (0: off).
    #[serde(default)]
    pub hold_in_progress_seconds: u64,
}

impl EnvironmentState {
    pub fn moto_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.moto_port)
    }
    pub fn lambda_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.lambda_port)
    }
    pub fn jobs_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.jobs_port)
    }

    pub fn read(path: &Path) -> Result<Option<EnvironmentState>> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|err| {
                LocalError::Environment(format!(
                    "{} is not readable ({err}); run `stackflow-local down`",
                    path.display()
                ))
            }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(LocalError::Io {
                context: format!("reading {}", path.display()),
                source: err,
            }),
        }
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_vec_pretty(self)
            .map_err(|err| LocalError::Environment(format!("serialising the state: {err}")))?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text).map_err(LocalError::io(format!("writing {}", tmp.display())))?;
        std::fs::rename(&tmp, path).map_err(LocalError::io(format!("writing {}", path.display())))
    }
}

/// The AWS SDK configuration the CLI and the environment use to reach moto.
pub async fn moto_sdk_config(moto_url: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(stackflow::config::https_client())
        .region(aws_config::Region::new(REGION))
        .endpoint_url(moto_url)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "stackflow-local",
            "stackflow-local",
            None,
            None,
            "stackflow-local",
        ))
        .load()
        .await
}

/// Whether a process with this pid is alive (Linux: it has a /proc entry that is not a zombie).
pub fn pid_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.trim_start().starts_with('Z'))
            .unwrap_or(false),
        Err(_) => false,
    }
}
