//! moto, from PyPI, in the project's own virtualenv: installed on first use, started by the
//! environment, with its Step Functions engine switched on to run our statemachine file.
//!
//! moto keeps its state (stacks, buckets, executions) in memory only, so it runs in a process
//! group of its own, recorded in `$STACKFLOW_HOME/moto.json`: a restart of the environment's own
//! services (`restart`, `up` with other knobs, a crashed environment) adopts the running moto
//! and the stacks stay. `down` stops it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::process::{Child, Command};

use crate::error::{LocalError, Result};
use crate::process::{pid_alive, stop_group};

/// The moto release the environment is tested with.
pub const MOTO_VERSION: &str = "5.2.5";

fn marker(venv: &Path) -> PathBuf {
    venv.join(format!(".stackflow-moto-{MOTO_VERSION}"))
}

/// The `moto_server` executable in `venv`, installing moto there first if needed.
pub async fn ensure_installed(venv: &Path) -> Result<PathBuf> {
    let server = venv.join("bin").join("moto_server");
    if server.is_file() && marker(venv).is_file() {
        return Ok(server);
    }
    let python = std::env::var("STACKFLOW_PYTHON").unwrap_or_else(|_| "python3".to_string());
    eprintln!(
        "stackflow-local: installing moto[server]=={MOTO_VERSION} into {} (once)",
        venv.display()
    );
    if !venv.join("bin").join("python").is_file() {
        run_step(
            Command::new(&python).arg("-m").arg("venv").arg(venv),
            "creating the virtualenv",
        )
        .await?;
    }
    let pip = venv.join("bin").join("pip");
    run_step(
        Command::new(&pip)
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .arg(format!("moto[server]=={MOTO_VERSION}")),
        "installing moto with pip",
    )
    .await?;
    if !server.is_file() {
        return Err(LocalError::Environment(format!(
            "pip installed moto but {} is missing",
            server.display()
        )));
    }
    tokio::fs::write(marker(venv), MOTO_VERSION)
        .await
        .map_err(LocalError::io("marking the virtualenv as ready"))?;
    Ok(server)
}

async fn run_step(command: &mut Command, what: &str) -> Result<()> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(LocalError::io(format!("{what} (is Python 3 installed?)")))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(LocalError::Environment(format!(
        "{what} failed ({}): {}",
        output.status,
        stderr.trim()
    )))
}

/// The running moto, as `moto.json` records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MotoRecord {
    pub pid: u32,
    pub port: u16,
    /// The Lambda service's port, fixed in moto's environment (MOTO_PORT) when it started: a
    /// restarted Lambda service must listen there again.
    pub lambda_port: u16,
}

impl MotoRecord {
    pub fn read(path: &Path) -> Option<MotoRecord> {
        let bytes = std::fs::read(path).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_vec(self)
            .map_err(|err| LocalError::Environment(format!("serialising moto's record: {err}")))?;
        std::fs::write(path, text).map_err(LocalError::io(format!("writing {}", path.display())))
    }
}

/// The moto an earlier start of the environment left running, if its process is alive and
/// answers on its port; a stale one is stopped and its record removed.
pub async fn adoptable(http: &reqwest::Client, record_file: &Path) -> Option<MotoRecord> {
    let record = MotoRecord::read(record_file)?;
    let answers = pid_alive(record.pid)
        && http
            .get(format!("http://127.0.0.1:{}/moto-api/config", record.port))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .is_ok_and(|response| response.status().is_success());
    if !answers {
        // Gone, or alive but not moto any more: make sure nothing of it is left.
        stop(record_file).await;
        return None;
    }
    Some(record)
}

/// Stop the recorded moto (and its process group) and forget it. Returns whether one ran.
pub async fn stop(record_file: &Path) -> bool {
    let Some(record) = MotoRecord::read(record_file) else {
        return false;
    };
    let was_running = pid_alive(record.pid);
    if was_running {
        stop_group(record.pid, Duration::from_secs(10)).await;
    }
    let _ = std::fs::remove_file(record_file);
    was_running
}

/// Resolves when the moto process `pid` (not a child of this process) is gone.
pub async fn exited(pid: u32) {
    while pid_alive(pid) {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Start moto on `addr`, in a process group of its own so that it outlives the environment's
/// services (see the module docs). moto's Step Functions engine calls Lambda at
/// `localhost:$MOTO_PORT`, so MOTO_PORT is our Lambda service's port, not moto's own.
pub fn spawn(server: &Path, addr: SocketAddr, lambda_port: u16, log: &Path) -> Result<Child> {
    let log_file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(LocalError::io(format!("opening {}", log.display())))?;
    let err_file = log_file
        .try_clone()
        .map_err(LocalError::io("sharing moto's log file"))?;
    Command::new(server)
        .arg("-H")
        .arg(addr.ip().to_string())
        .arg("-p")
        .arg(addr.port().to_string())
        .env("MOTO_PORT", lambda_port.to_string())
        .stdin(Stdio::null())
        .stdout(log_file)
        .stderr(err_file)
        .process_group(0)
        .spawn()
        .map_err(LocalError::io(format!("starting {}", server.display())))
}

/// Wait for moto to answer, then switch on state machine execution.
pub async fn configure(http: &reqwest::Client, addr: SocketAddr) -> Result<()> {
    let base = format!("http://{addr}");
    let mut last_error = String::new();
    for _ in 0..150 {
        match http.get(format!("{base}/moto-api/config")).send().await {
            Ok(response) if response.status().is_success() => {
                last_error.clear();
                break;
            }
            Ok(response) => last_error = format!("HTTP {}", response.status()),
            Err(err) => last_error = err.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    if !last_error.is_empty() {
        return Err(LocalError::Environment(format!(
            "moto did not start on {addr}: {last_error}"
        )));
    }
    let response = http
        .post(format!("{base}/moto-api/config"))
        .json(&serde_json::json!({"stepfunctions": {"execute_state_machine": true}}))
        .send()
        .await
        .map_err(|err| LocalError::Environment(format!("configuring moto: {err}")))?;
    if !response.status().is_success() {
        return Err(LocalError::Environment(format!(
            "moto refused the Step Functions configuration: HTTP {}",
            response.status()
        )));
    }
    Ok(())
}
