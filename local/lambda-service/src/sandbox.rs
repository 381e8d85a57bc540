//! One warm execution environment: a function process started with only the environment Lambda
//! would give it, plus the Runtime API listener it polls. The worker runs invocations in it one at
//! a time and throws it away when the process dies, times out or fails init.

use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

use crate::faults::Fault;
use crate::invocation::Invocation;
use crate::outcome::{
    FunctionError, Outcome, EXIT_ERROR, INIT_ERROR, INVALID_ENTRYPOINT, TIMED_OUT,
};
use crate::runtime_api::{self, NextEvent, RuntimeApiLink, RuntimeSignal};
use crate::FunctionSpec;

/// Lambda's limit on the init phase of an on-demand function.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// PATH when the spec does not set one, so `#!/usr/bin/env` executables work.
const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

pub(crate) struct Sandbox {
    child: Child,
    link: RuntimeApiLink,
    server: JoinHandle<()>,
}

/// How an invocation left the sandbox.
pub(crate) enum InvokeEnd {
    /// The runtime answered (response or function error); the process stays warm.
    Completed(Outcome),
    /// The process died, timed out or misbehaved; it must be killed and not reused.
    Broken(FunctionError),
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // The child goes with `kill_on_drop`; the listener goes here.
        self.server.abort();
    }
}

impl Sandbox {
    /// Start the process and wait until it asks for its first event. Returns the init duration:
    /// from spawning the process to its first `next` request.
    pub async fn start(
        spec: &FunctionSpec,
        region: &str,
        log: &File,
    ) -> Result<(Self, Duration), FunctionError> {
        let init_error = |what: &str, err: std::io::Error| {
            FunctionError::new(INIT_ERROR, format!("{what}: {err}"))
        };

        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(|e| init_error("binding the Runtime API", e))?;
        let api_addr = listener
            .local_addr()
            .map_err(|e| init_error("binding the Runtime API", e))?;
        let link = runtime_api::link();
        let router = runtime_api::router(link.state.clone());
        let server = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, router).await {
                tracing::warn!(error = %err, "Runtime API listener stopped");
            }
        });

        let stdout = log
            .try_clone()
            .map_err(|e| init_error("opening the log file", e));
        let stderr = log
            .try_clone()
            .map_err(|e| init_error("opening the log file", e));
        let (stdout, stderr) = match (stdout, stderr) {
            (Ok(out), Ok(err)) => (out, err),
            (Err(e), _) | (_, Err(e)) => {
                server.abort();
                return Err(e);
            }
        };
        let started = Instant::now();
        let child = command(spec, region, api_addr)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn();
        let child = match child {
            Ok(child) => child,
            Err(err) => {
                server.abort();
                let message = format!("starting {}: {err}", spec.executable.display());
                return Err(FunctionError::new(INVALID_ENTRYPOINT, message));
            }
        };

        let mut sandbox = Self {
            child,
            link,
            server,
        };
        match sandbox.wait_for_init().await {
            Ok(()) => Ok((sandbox, started.elapsed())),
            Err(err) => {
                sandbox.kill().await;
                Err(err)
            }
        }
    }

    async fn wait_for_init(&mut self) -> Result<(), FunctionError> {
        let deadline = tokio::time::sleep(INIT_TIMEOUT);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                biased;
                signal = self.link.signals.recv() => match signal {
                    Some(RuntimeSignal::Polled) => return Ok(()),
                    Some(RuntimeSignal::InitError { body }) => {
                        return Err(FunctionError::new(INIT_ERROR, FunctionError::message_of(&body)));
                    }
                    // Results need a current request id; there is none yet, so none arrive.
                    Some(_) => continue,
                    None => return Err(FunctionError::new(INIT_ERROR, "Runtime API closed")),
                },
                status = self.child.wait() => {
                    return Err(FunctionError::new(INIT_ERROR, exit_message(status)));
                }
                () = &mut deadline => {
                    let message = format!("Init timed out after {:.2} seconds", INIT_TIMEOUT.as_secs_f64());
                    return Err(FunctionError::new(INIT_ERROR, message));
                }
            }
        }
    }

    /// The process id while the process runs (None once it has been reaped).
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Whether the process has exited while idle (it must not be handed another event).
    pub fn has_exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }

    /// Hand the event to the process and wait for its answer, its death or the timeout. A
    /// `fault` (test tooling) turns the answer into a crash or a timeout.
    pub async fn invoke(
        &mut self,
        invocation: &Invocation,
        timeout: Duration,
        fault: Option<Fault>,
    ) -> InvokeEnd {
        let timeout = match fault {
            Some(Fault::Timeout(Some(shorter))) => shorter,
            _ => timeout,
        };
        let request_id = invocation.request_id.clone();
        let deadline = tokio::time::Instant::now() + timeout;
        self.link.state.set_current(Some(request_id.clone()));
        let event = NextEvent {
            request_id: request_id.clone(),
            payload: invocation.payload.clone(),
            deadline_ms: deadline_ms(timeout),
            invoked_arn: invocation.invoked_arn.clone(),
            trace_id: trace_id(),
        };
        let end = if self.link.events.send(event).await.is_err() {
            InvokeEnd::Broken(FunctionError::new(EXIT_ERROR, "Runtime API closed"))
        } else {
            self.await_result(&request_id, deadline, timeout, fault)
                .await
        };
        self.link.state.set_current(None);
        end
    }

    async fn await_result(
        &mut self,
        request_id: &str,
        deadline: tokio::time::Instant,
        timeout: Duration,
        fault: Option<Fault>,
    ) -> InvokeEnd {
        loop {
            tokio::select! {
                // Results first: a process that answers and then exits still answered.
                biased;
                signal = self.link.signals.recv() => match signal {
                    Some(RuntimeSignal::Response { request_id: id, .. } | RuntimeSignal::Error { request_id: id, .. })
                        if id == request_id && fault.is_some() => match fault {
                            // The answer is lost with the process: it dies as it answers.
                            Some(Fault::Crash) => return self.crash().await,
                            // The answer comes too late: wait out the deadline.
                            _ => continue,
                        },
                    Some(RuntimeSignal::Response { request_id: id, body }) if id == request_id => {
                        return InvokeEnd::Completed(Outcome::Success(body));
                    }
                    Some(RuntimeSignal::Error { request_id: id, error_type, body }) if id == request_id => {
                        let error = FunctionError::from_runtime(error_type.as_deref(), &body);
                        return InvokeEnd::Completed(Outcome::Failed(error));
                    }
                    Some(RuntimeSignal::InitError { body }) => {
                        return InvokeEnd::Broken(FunctionError::new(INIT_ERROR, FunctionError::message_of(&body)));
                    }
                    Some(_) => continue,
                    None => return InvokeEnd::Broken(FunctionError::new(EXIT_ERROR, "Runtime API closed")),
                },
                status = self.child.wait() => {
                    return InvokeEnd::Broken(FunctionError::new(EXIT_ERROR, exit_message(status)));
                }
                () = tokio::time::sleep_until(deadline) => {
                    let message = format!("Task timed out after {:.2} seconds", timeout.as_secs_f64());
                    return InvokeEnd::Broken(FunctionError::new(TIMED_OUT, message));
                }
            }
        }
    }

    /// Test tooling: kill the process with SIGKILL mid-invocation; the answer is what Lambda gives
    /// for a runtime that died.
    async fn crash(&mut self) -> InvokeEnd {
        if let Err(err) = self.child.start_kill() {
            tracing::warn!(error = %err, "killing a function process");
        }
        let status = self.child.wait().await;
        InvokeEnd::Broken(FunctionError::new(EXIT_ERROR, exit_message(status)))
    }

    /// Kill the process (if still running) and reap it.
    pub async fn kill(&mut self) {
        // A reaped child cannot be killed again (tokio reports an error for it).
        if matches!(self.child.try_wait(), Ok(None)) {
            if let Err(err) = self.child.kill().await {
                tracing::warn!(error = %err, "killing a function process");
            }
        }
        self.server.abort();
    }
}

/// The process: the executable, run from its folder (LAMBDA_TASK_ROOT) with a cleared
/// environment holding the spec's variables and the ones Lambda sets (which win).
fn command(spec: &FunctionSpec, region: &str, api_addr: SocketAddr) -> Command {
    let task_root = spec
        .executable
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let handler = spec
        .executable
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();

    let mut command = Command::new(&spec.executable);
    command
        .env_clear()
        .current_dir(task_root)
        .env("PATH", DEFAULT_PATH)
        .envs(&spec.env);
    command
        .env("AWS_LAMBDA_RUNTIME_API", api_addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", &spec.name)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env(
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            spec.memory_mb.to_string(),
        )
        .env(
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{}", spec.name),
        )
        .env("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
        .env("AWS_REGION", region)
        .env("AWS_DEFAULT_REGION", region)
        .env("_HANDLER", handler)
        .env("LAMBDA_TASK_ROOT", task_root);
    command
}

/// Lambda's wording: "Runtime exited with error: exit status 3" / "... signal: killed".
fn exit_message(status: std::io::Result<ExitStatus>) -> String {
    match status {
        Ok(status) => match (status.code(), status.signal()) {
            (Some(code), _) => format!("Runtime exited with error: exit status {code}"),
            (None, Some(signal)) => {
                format!("Runtime exited with error: signal: {}", signal_name(signal))
            }
            (None, None) => format!("Runtime exited with error: {status}"),
        },
        Err(err) => format!("Runtime exited: {err}"),
    }
}

/// How Lambda (Go's os/exec) names the signals a runtime commonly dies of.
fn signal_name(signal: i32) -> String {
    match signal {
        6 => "aborted".into(),
        9 => "killed".into(),
        11 => "segmentation fault".into(),
        15 => "terminated".into(),
        other => format!("signal {other}"),
    }
}

fn deadline_ms(timeout: Duration) -> u64 {
    let deadline = SystemTime::now() + timeout;
    let ms = deadline
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    u64::try_from(ms).unwrap_or(u64::MAX)
}

/// An X-Ray style trace header (nothing reads it locally, but runtimes expect one).
fn trace_id() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let root = uuid::Uuid::new_v4().simple().to_string();
    let parent = uuid::Uuid::new_v4().simple().to_string();
    format!(
        "Root=1-{now:08x}-{};Parent={};Sampled=0",
        root.get(..24).unwrap_or(&root),
        parent.get(..16).unwrap_or(&parent)
    )
}

#[cfg(test)]
#[path = "sandbox_tests.rs"]
mod tests;
