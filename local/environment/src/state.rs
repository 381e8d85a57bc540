//! The running environment as the CLI finds it: written by the environment once it is ready
//! (`state.json` in the home).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{LocalError, Result};

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
    /// The functions' CloudFormation endpoint (the fault proxy, with the CloudFormation layer):
    /// where the CLI reads a stack as the functions see it. `None` from an older environment.
    #[serde(default)]
    pub cloudformation_url: Option<String>,
}

impl EnvironmentState {
    pub fn moto_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.moto_port)
    }
    /// Where the CLI reads stacks: as the functions see them, through the CloudFormation
    /// layer (which shows a create or update moto failed as rolled back); moto itself for an
    /// environment that did not record the layer's endpoint.
    pub fn stacks_url(&self) -> String {
        self.cloudformation_url
            .clone()
            .unwrap_or_else(|| self.moto_url())
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
