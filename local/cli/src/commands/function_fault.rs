//! `function-fault` (test tooling): arm, list and clear the local Lambda service's faults.

use std::process::ExitCode;

use clap::Subcommand;
use stackflow_environment::error::LocalError;
use stackflow_environment::functions;
use stackflow_environment::home::Home;
use stackflow_fault_tools::function_faults;
use stackflow_lambda_service::{FaultKind, FaultSpec};

use super::{pretty, running};

/// What `function-fault` does.
#[derive(Subcommand)]
pub enum FaultAction {
    /// Kill the function's process with SIGKILL as it answers: Lambda's `Runtime.ExitError`.
    Crash {
        #[command(flatten)]
        target: FaultTarget,
    },
    /// Hold the function's answer past its timeout: Lambda's `Sandbox.Timedout`.
    Timeout {
        #[command(flatten)]
        target: FaultTarget,
        /// The invocation's timeout instead of the function's own.
        #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
        timeout_seconds: Option<u64>,
    },
    /// Print the armed faults as JSON.
    List,
    /// Disarm every fault.
    Clear,
}

#[derive(clap::Args)]
pub struct FaultTarget {
    /// The function: its name (stackflow-deploy-stack) or crate name (deploy-stack).
    function: String,
    /// How many matching invocations get the fault.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    times: u32,
    /// Only invocations whose event contains this text (e.g. the stack name).
    #[arg(long, value_name = "TEXT")]
    matching: Option<String>,
}

impl FaultTarget {
    fn spec(self, fault: FaultKind, timeout_seconds: Option<u64>) -> FaultSpec {
        FaultSpec {
            function: functions::function_name(&self.function),
            fault,
            times: self.times,
            matching: self.matching,
            timeout_seconds,
        }
    }
}

pub async fn run(home: &Home, action: FaultAction) -> Result<ExitCode, LocalError> {
    let lambda_url = running(home)?.lambda_url();
    let armed = match action {
        FaultAction::Clear => {
            function_faults::clear(&lambda_url).await?;
            Vec::new()
        }
        FaultAction::List => function_faults::armed(&lambda_url).await?,
        FaultAction::Crash { target } => {
            function_faults::arm(&lambda_url, &target.spec(FaultKind::Crash, None)).await?
        }
        FaultAction::Timeout {
            target,
            timeout_seconds,
        } => {
            let spec = target.spec(FaultKind::Timeout, timeout_seconds);
            function_faults::arm(&lambda_url, &spec).await?
        }
    };
    println!("{}", pretty(&armed)?);
    Ok(ExitCode::SUCCESS)
}
