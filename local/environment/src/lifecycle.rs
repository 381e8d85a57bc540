//! `up`, `down` and `restart`: start the environment in the background, stop it, restart its
//! services; `running` finds it.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::error::{LocalError, Result};
use crate::functions;
use crate::home::{self, Home};
use crate::moto;
use crate::process::{pid_alive, stop_group};
use crate::state::EnvironmentState;

/// Options `up` passes on to the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpOptions {
    /// How long the local CodePipeline waits for a job's reply (CodePipeline: 20 minutes).
    pub job_reply_timeout: Duration,
    /// Test tooling: how long a stack create or update is reported in progress (zero: off).
    pub hold_in_progress: Duration,
}

impl Default for UpOptions {
    fn default() -> Self {
        UpOptions {
            job_reply_timeout: Duration::from_secs(20 * 60),
            hold_in_progress: Duration::ZERO,
        }
    }
}

impl UpOptions {
    /// The options a running environment was started with.
    fn of(state: &EnvironmentState) -> UpOptions {
        UpOptions {
            job_reply_timeout: Duration::from_secs(state.job_reply_timeout_seconds),
            hold_in_progress: Duration::from_secs(state.hold_in_progress_seconds),
        }
    }
}

/// The running environment, if there is one.
pub fn running(home: &Home) -> Result<Option<EnvironmentState>> {
    match EnvironmentState::read(&home.state_file())? {
        Some(state) if pid_alive(state.pid) => Ok(Some(state)),
        Some(_) => {
            // A stale file from an environment that died; forget it.
            let _ = std::fs::remove_file(home.state_file());
            Ok(None)
        }
        None => Ok(None),
    }
}

/// Start the environment unless it runs with these options; return it once it is ready. An
/// environment up with other options has its services restarted with these (moto and its
/// stacks stay), so a run always gets the knobs it asked for. A moto left running by an earlier
/// start (a restart, a crashed environment) is adopted with its stacks.
pub async fn up(home: &Home, options: &UpOptions) -> Result<EnvironmentState> {
    if let Some(state) = running(home)? {
        let current = UpOptions::of(&state);
        if current == *options {
            return Ok(state);
        }
        eprintln!(
            "stackflow-local: the environment is up with {}; restarting its services with {} (moto and its stacks stay)",
            describe(&current),
            describe(options)
        );
        stop_services(home).await?;
    }
    std::fs::create_dir_all(home.logs()).map_err(LocalError::io(format!(
        "creating {}",
        home.logs().display()
    )))?;
    ensure_executables().await?;
    moto::ensure_installed(&home.venv()).await?;

    let exe =
        std::env::current_exe().map_err(LocalError::io("finding stackflow-local's own path"))?;
    let log_path = home.logs().join("environment.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(LocalError::io(format!("opening {}", log_path.display())))?;
    let log_err = log
        .try_clone()
        .map_err(LocalError::io("sharing the environment log"))?;
    let mut command = std::process::Command::new(exe);
    command
        .arg("serve")
        .arg("--job-reply-timeout")
        .arg(options.job_reply_timeout.as_secs().to_string())
        .arg("--hold-in-progress")
        .arg(options.hold_in_progress.as_secs().to_string())
        .env("STACKFLOW_HOME", home.root())
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    // Its own process group: it outlives this command, and stopping it stops the function
    // processes with it (moto has a group of its own).
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .spawn()
        .map_err(LocalError::io("starting the environment"))?;

    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(120) {
        if let Some(state) = EnvironmentState::read(&home.state_file())? {
            if state.pid == child.id() {
                return Ok(state);
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(LocalError::Environment(format!(
                "the environment exited during start-up ({status}):\n{}",
                tail(&log_path, 20)
            )));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let _ = child.kill();
    Err(LocalError::Environment(format!(
        "the environment did not become ready within 120 s:\n{}",
        tail(&log_path, 20)
    )))
}

/// The knobs, as the CLI spells them.
fn describe(options: &UpOptions) -> String {
    format!(
        "--job-reply-timeout {} --hold-in-progress {}",
        options.job_reply_timeout.as_secs(),
        options.hold_in_progress.as_secs()
    )
}

/// Stop the environment, moto and its stacks with it. Stopping one that is not running is fine.
pub async fn down(home: &Home) -> Result<bool> {
    let services = stop_services(home).await?;
    let moto = moto::stop(&home.moto_file()).await;
    Ok(services || moto)
}

/// Restart the environment's own services (the Lambda service with fresh function processes,
/// the CodePipeline job service, the proxies) with the knobs they run with, keeping moto and so
/// the stacks. An environment that is down is started.
pub async fn restart(home: &Home) -> Result<EnvironmentState> {
    let options = match running(home)? {
        Some(state) => UpOptions::of(&state),
        None => UpOptions::default(),
    };
    stop_services(home).await?;
    up(home, &options).await
}

/// Stop the environment's services; moto keeps running (see `moto`).
async fn stop_services(home: &Home) -> Result<bool> {
    let Some(state) = running(home)? else {
        return Ok(false);
    };
    stop_group(state.pid, Duration::from_secs(15)).await;
    let _ = std::fs::remove_file(home.state_file());
    Ok(true)
}

/// Build the function executables if any is missing, with the profile stackflow-local was built with.
async fn ensure_executables() -> Result<()> {
    let dir = functions::executables_dir()?;
    let missing = functions::missing_executables(&dir);
    if missing.is_empty() {
        return Ok(());
    }
    if std::env::var_os("STACKFLOW_FUNCTIONS_DIR").is_some() {
        return Err(LocalError::Environment(format!(
            "STACKFLOW_FUNCTIONS_DIR={} lacks {}",
            dir.display(),
            missing.join(", ")
        )));
    }
    eprintln!(
        "stackflow-local: building the functions ({})",
        missing.join(", ")
    );
    let mut command =
        tokio::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.arg("build").current_dir(home::project_root());
    if dir.file_name().is_some_and(|name| name == "release") {
        command.arg("--release");
    }
    for def in functions::FUNCTIONS {
        command.arg("-p").arg(def.binary);
    }
    let status = command
        .stdin(Stdio::null())
        .status()
        .await
        .map_err(LocalError::io("running cargo build"))?;
    let still_missing = functions::missing_executables(&dir);
    if !status.success() || !still_missing.is_empty() {
        return Err(LocalError::Environment(format!(
            "could not build the function executables into {} (cargo: {status})",
            dir.display()
        )));
    }
    Ok(())
}

/// The last lines of a log, for an error message.
pub fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
