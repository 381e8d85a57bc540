//! The environment's processes: whether one is alive, and stopping a process group (the
//! environment's services, moto) politely, then firmly.

use std::process::Stdio;
use std::time::{Duration, Instant};

/// Whether a process with this pid is alive (Linux: it has a /proc entry that is not a zombie).
pub fn pid_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.trim_start().starts_with('Z'))
            .unwrap_or(false),
        Err(_) => false,
    }
}

/// TERM the process group led by `pid`, and KILL it if the leader outlives `grace`.
pub async fn stop_group(pid: u32, grace: Duration) {
    signal_group(pid, "TERM");
    let started = Instant::now();
    while pid_alive(pid) && started.elapsed() < grace {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if pid_alive(pid) {
        signal_group(pid, "KILL");
    }
}

fn signal_group(pid: u32, signal: &str) {
    let _ = std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg("--")
        .arg(format!("-{pid}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}
