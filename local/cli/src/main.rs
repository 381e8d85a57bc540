//! `stackflow-local`: run the whole stackflow action on this machine, no AWS account needed.
//! This file parses the command line and dispatches; each command lives in `commands/`, the
//! environment itself in the `stackflow-environment` crate.

mod commands;
mod knobs;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use stackflow_environment::error::LocalError;
use stackflow_environment::home::Home;

use commands::aws_fault::AwsFaultAction;
use commands::function_fault::FaultAction;
use commands::run::RunArgs;
use knobs::Knobs;

/// Run stackflow locally: moto serves S3, CloudFormation and Step Functions (running the real
/// statemachine file), a local Lambda service runs the real function executables, and a local
/// CodePipeline job service plays the pipeline. Everything listens on 127.0.0.1 only; state is kept
/// in $STACKFLOW_HOME (default: .stackflow/ in the project), so consecutive runs see the same
/// stacks until `down` (a `restart` of the services keeps them).
///
/// Exit status: 0 the job succeeded (or the command worked), 1 the job failed, 2 a usage or
/// environment error.
#[derive(Parser)]
#[command(name = "stackflow-local", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the local environment in the background (installs moto on first use). An
    /// environment already up with other knobs has its services restarted with these; moto
    /// and its stacks stay.
    Up {
        #[command(flatten)]
        knobs: Knobs,
    },
    /// Stop the local environment, moto with it: its stacks go.
    Down,
    /// Restart the environment's own services (the Lambda service with fresh function
    /// processes, the CodePipeline job service) with their knobs; moto keeps running, so the
    /// stacks stay. Starts the environment if it is down.
    Restart,
    /// Say whether the environment is up, where, and what stacks it holds.
    Status,
    /// Create a pipeline job, follow the execution's states live, then print the job result.
    /// Starts the environment if it is down (restarts it if it is up with other knobs) and
    /// leaves it up.
    Run(RunArgs),
    /// Test tooling: make chosen invocations of a function crash or time out in the running
    /// environment, to see what the deployment makes of it. Off until armed; `up` starts with
    /// none. The fault strikes as the function answers, after its work is done.
    #[command(subcommand)]
    FunctionFault(FaultAction),
    /// Test tooling: make the AWS APIs the functions call (S3, CloudFormation, CodePipeline)
    /// fail or stall for chosen requests in the running environment, through its fault proxy
    /// (`POST /stackflow/aws-faults` on the job service). Off until set; `up` starts with none.
    #[command(subcommand)]
    AwsFault(AwsFaultAction),
    /// Run the environment in the foreground (what `up` starts in the background).
    #[command(hide = true)]
    Serve {
        #[command(flatten)]
        knobs: Knobs,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let home = Home::from_env();
    match execute(cli.command, &home).await {
        Ok(code) => code,
        Err(err) => {
            eprintln!("stackflow-local: {err}");
            ExitCode::from(2)
        }
    }
}

async fn execute(command: Command, home: &Home) -> Result<ExitCode, LocalError> {
    match command {
        Command::Up { knobs } => commands::lifecycle::up(home, knobs).await,
        Command::Down => commands::lifecycle::down(home).await,
        Command::Restart => commands::lifecycle::restart(home).await,
        Command::Status => commands::lifecycle::status(home).await,
        Command::Run(args) => commands::run::run(home, args).await,
        Command::FunctionFault(action) => commands::function_fault::run(home, action).await,
        Command::AwsFault(action) => commands::aws_fault::run(home, action).await,
        Command::Serve { knobs } => commands::serve::serve(home, knobs).await,
    }
}
