//! `stackflow-local`: run the whole stackflow action on this machine, no AWS account needed.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use stackflow_local::control::{self, UpOptions};
use stackflow_local::daemon::{self, ServeOptions};
use stackflow_local::error::LocalError;
use stackflow_local::home::Home;
use stackflow_local::{artifact, run};

/// Run stackflow locally: moto serves S3, CloudFormation and Step Functions (running the real
/// statemachine file), a local Lambda service runs the real function executables, and a local
/// CodePipeline job service plays the pipeline. Everything listens on 127.0.0.1 only; state is kept
/// in $STACKFLOW_HOME (default: .stackflow/ in the project), so consecutive runs see the same
/// stacks while the environment is up.
///
/// Exit status: 0 the job succeeded (or the command worked), 1 the job failed, 2 a usage or
/// environment error.
#[derive(Parser)]
#[command(name = "stackflow-local", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The environment's knobs, the same on `up`, `run` and `serve`.
#[derive(clap::Args, Debug, Clone, Copy)]
struct Knobs {
    /// Seconds the local CodePipeline gives a job to reply before failing it (CodePipeline:
    /// 1200). start-deployment hands a job over after half of it (at most 900 s, as on AWS).
    #[arg(long, value_name = "SECONDS", default_value_t = 1200, value_parser = clap::value_parser!(u64).range(1..))]
    job_reply_timeout: u64,
    /// Test tooling: report every stack create or update as *_IN_PROGRESS for this many seconds
    /// (moto completes them at once). 0, the default, is off.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    hold_in_progress: u64,
}

impl Knobs {
    fn up_options(self) -> UpOptions {
        UpOptions {
            job_reply_timeout: Duration::from_secs(self.job_reply_timeout),
            hold_in_progress: Duration::from_secs(self.hold_in_progress),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Start the local environment in the background (installs moto on first use). An
    /// environment already up with other knobs is restarted with these.
    Up {
        #[command(flatten)]
        knobs: Knobs,
    },
    /// Stop the local environment. Its stacks go with it.
    Down,
    /// Say whether the environment is up, where, and what stacks it holds.
    Status,
    /// Create a pipeline job, follow the execution's states live, then print the job result.
    /// Starts the environment if it is down (restarts it if it is up with other knobs) and
    /// leaves it up.
    Run {
        /// An input artifact: NAME=PATH, where PATH is a folder (zipped as CodePipeline would) or a
        /// .zip file. Repeat for several artifacts.
        #[arg(long = "artifact", value_name = "NAME=PATH", required = true)]
        artifacts: Vec<String>,
        /// The action's UserParameters (a JSON text; see the README for the keys).
        #[arg(long, value_name = "JSON")]
        user_parameters: String,
        /// Print one JSON document at the end instead of text; the live states go to stderr.
        #[arg(long)]
        json: bool,
        /// Seconds to wait for the job to end.
        #[arg(long, default_value_t = 3600)]
        timeout: u64,
        #[command(flatten)]
        knobs: Knobs,
    },
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
        Command::Up { knobs } => {
            let state = control::up(home, &knobs.up_options()).await?;
            println!(
                "stackflow local environment up: moto http://127.0.0.1:{}, Lambda http://127.0.0.1:{}, CodePipeline http://127.0.0.1:{} (state in {})",
                state.moto_port,
                state.lambda_port,
                state.jobs_port,
                home.root().display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Down => {
            if control::down(home).await? {
                println!("stackflow local environment stopped");
            } else {
                println!("stackflow local environment was not running");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Status => {
            stackflow_local::status::print(home, &mut std::io::stdout()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Run {
            artifacts,
            user_parameters,
            json,
            timeout,
            knobs,
        } => {
            let artifacts = artifacts
                .iter()
                .map(|spec| artifact::parse_spec(spec))
                .collect::<Result<Vec<_>, _>>()?;
            let env = control::up(home, &knobs.up_options()).await?;
            let options = run::RunOptions {
                artifacts,
                user_parameters,
                timeout: Duration::from_secs(timeout),
            };
            let report = if json {
                run::run(home, &env, &options, &mut std::io::stderr()).await?
            } else {
                run::run(home, &env, &options, &mut std::io::stdout()).await?
            };
            if json {
                let text = serde_json::to_string_pretty(&report)
                    .map_err(|err| LocalError::Environment(format!("writing the report: {err}")))?;
                println!("{text}");
            } else {
                run::print_result(&report, &mut std::io::stdout());
            }
            let _ = std::io::stdout().flush();
            Ok(if report.succeeded() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Serve { knobs } => {
            tracing_subscriber::fmt()
                .with_ansi(false)
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_default_env()
                        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
                )
                .init();
            daemon::serve(
                home,
                ServeOptions {
                    job_reply_timeout: Duration::from_secs(knobs.job_reply_timeout),
                    hold_in_progress: Duration::from_secs(knobs.hold_in_progress),
                    log_level: std::env::var("STACKFLOW_FUNCTION_LOG_LEVEL")
                        .unwrap_or_else(|_| "info".into()),
                },
            )
            .await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
