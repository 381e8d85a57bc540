//! stackflow-bench: the measurements behind `bench/run` (docs/performance.md). Sizes of the
//! deployment zips and release executables, cold starts and peak memory under the local Lambda
//! service beside the classic Python handler's, and the example deployment end to end. Prints
//! tables and writes the same figures as JSON. Timings are measured here, never asserted.

mod cold_start;
mod deployment;
mod intervals;
mod machine;
mod procfs;
mod report;
mod sizes;
mod split;
mod stats;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Parser;
use stackflow_environment::functions::FUNCTIONS;
use stackflow_environment::home::project_root;

use crate::cold_start::ColdStarts;
use crate::deployment::Deployment;
use crate::report::{FunctionResult, Phase, Results};

#[derive(Parser)]
#[command(name = "stackflow-bench")]
struct Args {
    /// Where the functions' release executables are.
    #[arg(long)]
    release_dir: PathBuf,
    /// The stackflow-local executable that runs the example deployment.
    #[arg(long)]
    cli: PathBuf,
    /// Where infra/checks/sam-build put the zips (<binary>/bootstrap.zip).
    #[arg(long)]
    zips_dir: PathBuf,
    /// The virtualenv python that has awslambdaric and boto3 (bench/python/requirements.txt).
    #[arg(long)]
    python: PathBuf,
    /// Measured cold-start rounds (one warm-up round comes first).
    #[arg(long, default_value_t = 20)]
    rounds: usize,
    /// $STACKFLOW_HOME for the example deployment; cleared first.
    #[arg(long)]
    home: PathBuf,
    /// The JSON results file.
    #[arg(long)]
    out: PathBuf,
    /// bench/run's step timings: lines of `name<TAB>seconds`.
    #[arg(long)]
    phases: Option<PathBuf>,
    /// When bench/run started, in Unix seconds, for the total time.
    #[arg(long)]
    started_at: Option<f64>,
    /// Measure sizes and cold starts only (no example deployment): a quicker look.
    #[arg(long)]
    skip_deployment: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match bench(&args).await {
        Ok((results, complete)) => {
            print!("{}", report::render(&results));
            if complete {
                ExitCode::SUCCESS
            } else {
                eprintln!("stackflow-bench: some measurements failed; see above");
                ExitCode::from(1)
            }
        }
        Err(err) => {
            eprintln!("stackflow-bench: {err}");
            ExitCode::from(2)
        }
    }
}

async fn bench(args: &Args) -> Result<(Results, bool), String> {
    let root = project_root();
    let args = &absolute_args(args)?;
    let mut machine = machine::Machine::describe();
    let mut cold = cold_starts(args, &root).await?;
    let python = cold
        .remove(cold_start::PYTHON_FUNCTION)
        .ok_or("the Python comparison has no result")?;
    let variants: Vec<ColdStarts> = cold
        .remove(cold_start::NO_CERT_FILE_VARIANT_NAME)
        .into_iter()
        .collect();

    let (deployment, deployment_error) = match example_deployment(args, &root).await {
        Ok(d) => (Some(d), None),
        Err(err) => (None, Some(err)),
    };
    machine.load_after = machine::load();
    let functions = function_results(args, cold, deployment.as_ref(), &python);
    let complete = deployment_error.is_none()
        && deployment
            .as_ref()
            .is_some_and(|d| d.runs.iter().all(|r| r.job_status == "Succeeded"))
        && functions.len() == FUNCTIONS.len()
        && functions.iter().all(|f| f.cold.init_ms.is_some())
        && python.init_ms.is_some();
    let results = Results {
        machine,
        rounds: args.rounds,
        phases: args.phases.as_ref().map(read_phases).unwrap_or_default(),
        total_seconds: args.started_at.map(|start| now_seconds() - start),
        targets: report::targets(&functions),
        functions,
        python,
        variants,
        deployment,
        deployment_error,
    };
    write_json(&args.out, &results)?;
    Ok((results, complete))
}

/// The arguments with every path absolute: the service runs each executable from its own folder.
fn absolute_args(args: &Args) -> Result<Args, String> {
    Ok(Args {
        release_dir: absolute(&args.release_dir)?,
        cli: absolute(&args.cli)?,
        zips_dir: absolute(&args.zips_dir)?,
        python: absolute(&args.python)?,
        home: absolute(&args.home)?,
        out: absolute(&args.out)?,
        phases: args.phases.clone(),
        ..*args
    })
}

/// Every function's cold starts (and the Python comparison's), by function name.
async fn cold_starts(args: &Args, root: &Path) -> Result<BTreeMap<String, ColdStarts>, String> {
    eprintln!("== cold starts: 1 warm-up + {} rounds", args.rounds);
    let work = args.out.with_file_name("cold-start-logs");
    let cold = cold_start::measure(&cold_start::Plan {
        functions: FUNCTIONS,
        functions_dir: &args.release_dir,
        python_bootstrap: &root.join("bench").join("python").join("bootstrap"),
        python: &args.python,
        rounds: args.rounds,
        log_dir: &work,
    })
    .await?;
    Ok(cold.into_iter().map(|c| (c.function.clone(), c)).collect())
}

/// The example deployment, created then repeated; unless --skip-deployment.
async fn example_deployment(args: &Args, root: &Path) -> Result<Deployment, String> {
    if args.skip_deployment {
        return Err("skipped (--skip-deployment)".to_string());
    }
    eprintln!("== the example deployment: create, then repeat");
    let (artifact, user_parameters) = deployment::example(root)?;
    deployment::measure(&deployment::Plan {
        cli: &args.cli,
        functions_dir: &args.release_dir,
        home: &args.home,
        artifact: &artifact,
        user_parameters: &user_parameters,
        functions: FUNCTIONS,
    })
    .await
}

/// One row a function: its sizes, its cold starts and its share of the deployment.
fn function_results(
    args: &Args,
    mut cold: BTreeMap<String, ColdStarts>,
    deployment: Option<&Deployment>,
    python: &ColdStarts,
) -> Vec<FunctionResult> {
    FUNCTIONS
        .iter()
        .filter_map(|def| Some((def, cold.remove(def.function_name)?)))
        .map(|(def, mut cold)| {
            cold.function = def.binary.to_string();
            let deployed = deployment.and_then(|d| {
                d.functions
                    .iter()
                    .find(|f| f.function == def.binary)
                    .cloned()
            });
            FunctionResult::new(
                def.binary.to_string(),
                sizes::of(def.binary, &args.release_dir, &args.zips_dir),
                cold,
                deployed,
                python,
            )
        })
        .collect()
}

fn absolute(path: &Path) -> Result<PathBuf, String> {
    std::path::absolute(path).map_err(|err| format!("{}: {err}", path.display()))
}

fn write_json(path: &PathBuf, results: &Results) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|err| format!("creating {}: {err}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(results).map_err(|err| err.to_string())?;
    std::fs::write(path, text + "\n").map_err(|err| format!("writing {}: {err}", path.display()))
}

fn read_phases(path: &PathBuf) -> Vec<Phase> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let (name, seconds) = line.split_once('\t')?;
            Some(Phase {
                name: name.to_string(),
                seconds: seconds.trim().parse().ok()?,
            })
        })
        .collect()
}

fn now_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}
