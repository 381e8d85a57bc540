//! The commands, one file each (`up`, `down`, `restart` and `status` share `lifecycle`).

pub mod aws_fault;
pub mod function_fault;
pub mod lifecycle;
pub mod run;
pub mod serve;

use stackflow_environment::error::LocalError;
use stackflow_environment::home::Home;
use stackflow_environment::lifecycle::running as running_environment;
use stackflow_environment::state::EnvironmentState;

/// The running environment, for the commands that need one up.
fn running(home: &Home) -> Result<EnvironmentState, LocalError> {
    running_environment(home)?.ok_or_else(|| {
        LocalError::Usage("the environment is not running; `stackflow-local up` starts it".into())
    })
}

fn pretty(value: &impl serde::Serialize) -> Result<String, LocalError> {
    serde_json::to_string_pretty(value)
        .map_err(|err| LocalError::Environment(format!("writing JSON: {err}")))
}
