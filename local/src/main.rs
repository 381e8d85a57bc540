//! `stackflow-local`: run the whole stackflow action on this machine, no AWS account needed.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use stackflow_local::control::{self, UpOptions};
use stackflow_local::daemon::{self, ServeOptions};
use stackflow_local::error::LocalError;
use stackflow_local::fault_proxy::{FaultClient, FaultRule};
use stackflow_local::home::Home;
use stackflow_local::lambda_service::{FaultKind, FaultSpec};
use stackflow_local::state::EnvironmentState;
use stackflow_local::{artifact, function_faults, run};

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

/// The environment's knobs, the same on `up`, `run` and `serve`.
#[derive(clap::Args, Debug, Clone, Copy)]
struct Knobs {
    /// Seconds the local CodePipeline gives a job to reply before failing it (CodePipeline:
    /// 1200). start-deployment hands a job over after half of it (at most 300 s, the default on AWS).
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

/// What `aws-fault` does. Each prints JSON.
#[derive(Subcommand)]
enum AwsFaultAction {
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

/// What `function-fault` does.
#[derive(Subcommand)]
enum FaultAction {
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
struct FaultTarget {
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
            function: function_faults::function_name(&self.function),
            fault,
            times: self.times,
            matching: self.matching,
            timeout_seconds,
        }
    }
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
        Command::Restart => {
            let state = control::restart(home).await?;
            println!(
                "stackflow local environment restarted: moto http://127.0.0.1:{} (kept), Lambda http://127.0.0.1:{}, CodePipeline http://127.0.0.1:{}",
                state.moto_port, state.lambda_port, state.jobs_port
            );
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
                println!("{}", pretty(&report)?);
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
        Command::FunctionFault(action) => {
            let env = running(home)?;
            let armed = match action {
                FaultAction::Clear => {
                    function_faults::clear(&env).await?;
                    Vec::new()
                }
                FaultAction::List => function_faults::armed(&env).await?,
                FaultAction::Crash { target } => {
                    function_faults::arm(&env, &target.spec(FaultKind::Crash, None)).await?
                }
                FaultAction::Timeout {
                    target,
                    timeout_seconds,
                } => {
                    let spec = target.spec(FaultKind::Timeout, timeout_seconds);
                    function_faults::arm(&env, &spec).await?
                }
            };
            println!("{}", pretty(&armed)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::AwsFault(action) => {
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
        Command::Serve { knobs } => {
            use tracing_subscriber::layer::SubscriberExt;
            use tracing_subscriber::util::SubscriberInitExt;
            tracing_subscriber::registry()
                .with(tracing_subscriber::fmt::layer().with_ansi(false))
                .with(stackflow::telemetry::requested_filter(
                    &std::env::var("RUST_LOG").unwrap_or_default(),
                ))
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

/// The running environment, for the commands that need one up.
fn running(home: &Home) -> Result<EnvironmentState, LocalError> {
    control::running(home)?.ok_or_else(|| {
        LocalError::Usage("the environment is not running; `stackflow-local up` starts it".into())
    })
}

fn pretty(value: &impl serde::Serialize) -> Result<String, LocalError> {
    serde_json::to_string_pretty(value)
        .map_err(|err| LocalError::Environment(format!("writing JSON: {err}")))
}
