//! `aws-fault` (test tooling): set, list and remove the fault proxy's faults.

use std::process::ExitCode;

use clap::Subcommand;
use stackflow_environment::error::LocalError;
use stackflow_environment::home::Home;
use stackflow_fault_tools::fault_proxy::{FaultClient, FaultRule};

use super::{pretty, running};

/// What `aws-fault` does. Each prints JSON.
#[derive(Subcommand)]
pub enum AwsFaultAction {
    /// Set a fault, e.g. `{"service":"cloudformation","operation":"DescribeStacks",
    /// "matching":"my-stack","status":400,"code":"Throttling","message":"Rate exceeded",
    /// "times":5}`. Keys: service (s3, cloudformation, codepipeline); operation; matching (a
    /// text of the request: stack name, artifact name, job id); status (400-599) with code and
    /// message, and/or delaySeconds; times (first N matches) or forSeconds (from the first
    /// match), else until removed. Prints the fault with its id.
    Set {
        #[arg(value_name = "JSON")]
        rule: String,
    },
    /// Print every fault with its counts (matched, struck).
    List,
    /// Remove one fault; prints its last counts.
    Remove { id: String },
    /// Remove every fault.
    Clear,
}

pub async fn run(home: &Home, action: AwsFaultAction) -> Result<ExitCode, LocalError> {
    let env = running(home)?;
    let faults = FaultClient::new(env.jobs_url());
    let text = match action {
        AwsFaultAction::Set { rule } => {
            let rule: FaultRule = serde_json::from_str(&rule).map_err(|err| {
                LocalError::Usage(format!("the fault is not a fault rule: {err}"))
            })?;
            pretty(&faults.add(&rule).await?)?
        }
        AwsFaultAction::List => pretty(&faults.list().await?)?,
        AwsFaultAction::Remove { id } => pretty(&faults.remove(&id).await?)?,
        AwsFaultAction::Clear => {
            faults.clear().await?;
            "[]".to_string()
        }
    };
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}
