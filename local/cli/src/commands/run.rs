//! `run`: one pipeline job, start to end; the exit status says how it ended.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use stackflow_environment::error::LocalError;
use stackflow_environment::home::Home;
use stackflow_environment::{artifact, lifecycle, run as job_run};

use super::pretty;
use crate::knobs::Knobs;

/// What `run` takes.
#[derive(clap::Args)]
pub struct RunArgs {
    /// An input artifact: NAME=PATH, where PATH is a folder (zipped as CodePipeline would) or a
    /// .zip file. Repeat for several artifacts; none for a mode that reads no template
    /// (`executeChangeSet`, `delete`), whose action has no input artifact.
    #[arg(long = "artifact", value_name = "NAME=PATH")]
    pub artifacts: Vec<String>,
    /// The action's UserParameters (a JSON text; see the README for the keys).
    #[arg(long, value_name = "JSON")]
    pub user_parameters: String,
    /// Print one JSON document at the end instead of text; the live states go to stderr.
    #[arg(long)]
    pub json: bool,
    /// An output artifact of the action: the job gets a location for it in the artifact bucket,
    /// and once it ends, what it wrote there is listed (`outputArtifact` in `--json`).
    #[arg(long = "output-artifact", value_name = "NAME")]
    pub output_artifact: Option<String>,
    /// Seconds to wait for the job to end.
    #[arg(long, default_value_t = 3600)]
    pub timeout: u64,
    #[command(flatten)]
    pub knobs: Knobs,
}

pub async fn run(home: &Home, args: RunArgs) -> Result<ExitCode, LocalError> {
    let artifacts = args
        .artifacts
        .iter()
        .map(|spec| artifact::parse_spec(spec))
        .collect::<Result<Vec<_>, _>>()?;
    let env = lifecycle::up(home, &args.knobs.up_options()).await?;
    let options = job_run::RunOptions {
        artifacts,
        user_parameters: args.user_parameters,
        timeout: Duration::from_secs(args.timeout),
        output_artifact: args.output_artifact,
    };
    let report = if args.json {
        job_run::run(home, &env, &options, &mut std::io::stderr()).await?
    } else {
        job_run::run(home, &env, &options, &mut std::io::stdout()).await?
    };
    if args.json {
        println!("{}", pretty(&report)?);
    } else {
        job_run::print_result(&report, &mut std::io::stdout());
    }
    let _ = std::io::stdout().flush();
    Ok(if report.succeeded() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
