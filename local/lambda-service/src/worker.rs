//! One worker per function: it takes invocations from the function's queue one at a time, in
//! order (Lambda runs one event per execution environment; locally there is one environment),
//! keeps the process warm between them, starts a fresh one after a crash or timeout, and records
//! each invocation.

use std::fs::File;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use crate::faults::Faults;
use crate::invocation::Invocation;
use crate::outcome::{FunctionError, Outcome, INIT_ERROR};
use crate::records::{InvocationLog, InvocationRecord};
use crate::sandbox::{InvokeEnd, Sandbox};
use crate::{stopped, FunctionSpec, LambdaServiceError};

struct Job {
    invocation: Invocation,
    reply: oneshot::Sender<Outcome>,
}

/// The way into a function's queue.
#[derive(Clone)]
pub(crate) struct FunctionQueue(mpsc::UnboundedSender<Job>);

impl FunctionQueue {
    /// Queue the invocation and wait for its outcome.
    pub async fn invoke(&self, invocation: Invocation) -> Result<Outcome, LambdaServiceError> {
        let (reply, outcome) = oneshot::channel();
        self.0
            .send(Job { invocation, reply })
            .map_err(|_| LambdaServiceError::Stopped)?;
        outcome.await.map_err(|_| LambdaServiceError::Stopped)
    }
}

struct Worker {
    spec: Arc<FunctionSpec>,
    region: String,
    log: File,
    records: InvocationLog,
    faults: Faults,
    sandbox: Option<Sandbox>,
}

/// Start the worker of one function; it ends (killing its process) when `shutdown` turns true
/// or its sender is dropped.
pub(crate) fn spawn(
    spec: FunctionSpec,
    region: String,
    log: File,
    records: InvocationLog,
    faults: Faults,
    shutdown: watch::Receiver<bool>,
) -> (FunctionQueue, JoinHandle<()>) {
    let (queue, jobs) = mpsc::unbounded_channel();
    let worker = Worker {
        spec: Arc::new(spec),
        region,
        log,
        records,
        faults,
        sandbox: None,
    };
    let handle = tokio::spawn(worker.run(jobs, shutdown));
    (FunctionQueue(queue), handle)
}

impl Worker {
    async fn run(
        mut self,
        mut jobs: mpsc::UnboundedReceiver<Job>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        loop {
            let job = tokio::select! {
                biased;
                () = stopped(&mut shutdown) => break,
                job = jobs.recv() => match job {
                    Some(job) => job,
                    None => break,
                },
            };
            let outcome = tokio::select! {
                biased;
                () = stopped(&mut shutdown) => break,
                outcome = self.serve(&job.invocation) => outcome,
            };
            // The caller may have gone away (a dropped HTTP request); nothing to do then.
            let _ = job.reply.send(outcome);
        }
        self.discard_sandbox().await;
    }

    async fn serve(&mut self, invocation: &Invocation) -> Outcome {
        let started_at = SystemTime::now();
        let clock = Instant::now();
        let request_id = &invocation.request_id;
        self.log_line(&format!("START RequestId: {request_id} Version: $LATEST"));

        let (outcome, init) = self.run_in_sandbox(invocation).await;

        let duration = clock.elapsed();
        let pid = self.sandbox.as_ref().and_then(Sandbox::pid);
        let error_type = match &outcome {
            Outcome::Success(_) => None,
            Outcome::Failed(error) => Some(error.error_type.clone()),
        };
        self.log_line(&format!("END RequestId: {request_id}"));
        self.log_line(&report_line(
            request_id,
            duration,
            init,
            self.spec.memory_mb,
            error_type.as_deref(),
        ));
        tracing::info!(
            function = %self.spec.name,
            request_id = %request_id,
            invocation_type = invocation.invocation_type.as_str(),
            attempt = invocation.attempt,
            duration_ms = millis(duration),
            cold = init.is_some(),
            error_type = error_type.as_deref().unwrap_or("-"),
            "invocation finished"
        );
        self.records.push(InvocationRecord {
            function: self.spec.name.clone(),
            request_id: request_id.clone(),
            invocation_type: invocation.invocation_type.as_str().to_string(),
            attempt: invocation.attempt,
            started_at_ms: started_at
                .duration_since(UNIX_EPOCH)
                .map(millis)
                .unwrap_or_default(),
            duration_ms: millis(duration),
            init_duration_ms: init.map(millis),
            duration_us: micros(duration),
            init_duration_us: init.map(micros),
            pid,
            ok: error_type.is_none(),
            error_type,
        });
        outcome
    }

    /// Run the invocation in the warm process, starting one first if there is none (cold start;
    /// the init duration is returned then).
    async fn run_in_sandbox(&mut self, invocation: &Invocation) -> (Outcome, Option<Duration>) {
        if self.sandbox.as_mut().is_some_and(Sandbox::has_exited) {
            self.discard_sandbox().await;
        }
        let mut init = None;
        if self.sandbox.is_none() {
            match Sandbox::start(&self.spec, &self.region, &self.log).await {
                Ok((sandbox, init_duration)) => {
                    self.sandbox = Some(sandbox);
                    init = Some(init_duration);
                }
                Err(error) => return (Outcome::Failed(error), None),
            }
        }
        let Some(sandbox) = self.sandbox.as_mut() else {
            let error = FunctionError::new(INIT_ERROR, "no execution environment");
            return (Outcome::Failed(error), None);
        };
        // Test tooling: a fault armed for this invocation (none unless a test asked for one).
        let fault = self.faults.take(&self.spec.name, &invocation.payload);
        if let Some(fault) = fault {
            tracing::warn!(function = %self.spec.name, request_id = %invocation.request_id, ?fault, "injecting a fault (test tooling)");
        }
        match sandbox.invoke(invocation, self.spec.timeout, fault).await {
            InvokeEnd::Completed(outcome) => (outcome, init),
            InvokeEnd::Broken(error) => {
                self.discard_sandbox().await;
                (Outcome::Failed(error), init)
            }
        }
    }

    async fn discard_sandbox(&mut self) {
        if let Some(mut sandbox) = self.sandbox.take() {
            sandbox.kill().await;
        }
    }

    /// Lambda-style START/END/REPORT lines in the function's log, between its own output.
    fn log_line(&self, line: &str) {
        if let Err(err) = writeln!(&self.log, "{line}") {
            tracing::warn!(function = %self.spec.name, error = %err, "writing the function log");
        }
    }
}

fn report_line(
    request_id: &str,
    duration: Duration,
    init: Option<Duration>,
    memory_mb: u32,
    error_type: Option<&str>,
) -> String {
    let mut line = format!(
        "REPORT RequestId: {request_id} Duration: {:.2} ms Memory Size: {memory_mb} MB",
        duration.as_secs_f64() * 1000.0
    );
    if let Some(init) = init {
        line.push_str(&format!(
            " Init Duration: {:.2} ms",
            init.as_secs_f64() * 1000.0
        ));
    }
    if let Some(error_type) = error_type {
        line.push_str(&format!(" Status: error Error Type: {error_type}"));
    }
    line
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}
