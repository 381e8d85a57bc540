//! `up`, `down`, `restart` and `status`: the environment in the background.

use std::process::ExitCode;

use stackflow_environment::error::LocalError;
use stackflow_environment::home::Home;
use stackflow_environment::{lifecycle, status};

use crate::knobs::Knobs;

pub async fn up(home: &Home, knobs: Knobs) -> Result<ExitCode, LocalError> {
    let state = lifecycle::up(home, &knobs.up_options()).await?;
    println!(
        "stackflow local environment up: moto http://127.0.0.1:{}, Lambda http://127.0.0.1:{}, CodePipeline http://127.0.0.1:{} (state in {})",
        state.moto_port,
        state.lambda_port,
        state.jobs_port,
        home.root().display()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn down(home: &Home) -> Result<ExitCode, LocalError> {
    if lifecycle::down(home).await? {
        println!("stackflow local environment stopped");
    } else {
        println!("stackflow local environment was not running");
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn restart(home: &Home) -> Result<ExitCode, LocalError> {
    let state = lifecycle::restart(home).await?;
    println!(
        "stackflow local environment restarted: moto http://127.0.0.1:{} (kept), Lambda http://127.0.0.1:{}, CodePipeline http://127.0.0.1:{}",
        state.moto_port, state.lambda_port, state.jobs_port
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn status(home: &Home) -> Result<ExitCode, LocalError> {
    status::print(home, &mut std::io::stdout()).await?;
    Ok(ExitCode::SUCCESS)
}
