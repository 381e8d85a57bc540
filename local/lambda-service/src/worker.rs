//! One worker per function: it takes invocations from the function's queue and runs each in an
//! execution environment of its own while it lasts, as Lambda does: one event at a time per
//! environment, a warm process kept between events, a new environment (a cold start) when every
//! one is busy, up to [`MAX_INSTANCES`]. An environment whose process crashed or timed out starts
//! a fresh one on its next event. Each invocation is recorded.

use std::fs::File;
use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::{JoinHandle, JoinSet};

use crate::faults::Faults;
use crate::invocation::Invocation;
use crate::outcome::{FunctionError, Outcome, INIT_ERROR};
use crate::records::{InvocationLog, InvocationRecord};
use crate::sandbox::{InvokeEnd, Sandbox};
use crate::{stopped, FunctionSpec, LambdaServiceError};

/// The most execution environments of one function at once (Lambda scales to the account's
/// concurrency; locally a few are enough to overlap the invocations that overlap on AWS).
pub const MAX_INSTANCES: usize = 4;

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

/// What every execution environment of one function shares.
struct Shared {
    spec: FunctionSpec,
    region: String,
    log: File,
    records: InvocationLog,
    faults: Faults,
}

/// One execution environment: at most one warm process, serving one invocation at a time.
struct Instance {
    shared: Arc<Shared>,
    sandbox: Option<Sandbox>,
}

/// Start the worker of one function; it ends (killing its processes) when `shutdown` turns true
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
    let shared = Arc::new(Shared {
        spec,
        region,
        log,
        records,
        faults,
    });
    let handle = tokio::spawn(run(shared, jobs, shutdown));
    (FunctionQueue(queue), handle)
}

/// The warm processes not serving an event, the most recently used last.
#[derive(Default)]
struct Idle(Mutex<Vec<Sandbox>>);

impl Idle {
    fn pop(&self) -> Option<Sandbox> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).pop()
    }
    fn push(&self, sandbox: Sandbox) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(sandbox);
    }
    fn drain(&self) -> Vec<Sandbox> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// Hand each invocation to an idle execution environment (the most recently used, so a lone
/// caller keeps one warm process), or to a new one while fewer than [`MAX_INSTANCES`] are busy;
/// beyond that invocations wait in order for the first one free.
async fn run(
    shared: Arc<Shared>,
    mut jobs: mpsc::UnboundedReceiver<Job>,
    mut shutdown: watch::Receiver<bool>,
) {
    let idle = Arc::new(Idle::default());
    let mut busy = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            () = stopped(&mut shutdown) => break,
            Some(_) = busy.join_next() => {}
            job = jobs.recv(), if busy.len() < MAX_INSTANCES => match job {
                Some(job) => {
                    let instance = Instance {
                        shared: Arc::clone(&shared),
                        sandbox: idle.pop(),
                    };
                    busy.spawn(instance.take(job, Arc::clone(&idle), shutdown.clone()));
                }
                None => break,
            },
        }
    }
    // Busy instances stop on shutdown themselves; after the last sender is gone they finish.
    while busy.join_next().await.is_some() {}
    for mut sandbox in idle.drain() {
        sandbox.kill().await;
    }
}

impl Instance {
    /// Serve one invocation. The warm process goes back to `idle` before the caller hears the
    /// outcome, so the caller's next invocation finds it warm.
    async fn take(mut self, job: Job, idle: Arc<Idle>, mut shutdown: watch::Receiver<bool>) {
        let outcome = tokio::select! {
            biased;
            () = stopped(&mut shutdown) => None,
            outcome = self.serve(&job.invocation) => Some(outcome),
        };
        let Some(outcome) = outcome else {
            self.discard_sandbox().await;
            return;
        };
        if let Some(sandbox) = self.sandbox.take() {
            idle.push(sandbox);
        }
        // The caller may have gone away (a dropped HTTP request); nothing to do then.
        let _ = job.reply.send(outcome);
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
            self.shared.spec.memory_mb,
            error_type.as_deref(),
        ));
        tracing::info!(
            function = %self.shared.spec.name,
            request_id = %request_id,
            invocation_type = invocation.invocation_type.as_str(),
            attempt = invocation.attempt,
            duration_ms = millis(duration),
            cold = init.is_some(),
            error_type = error_type.as_deref().unwrap_or("-"),
            "invocation finished"
        );
        self.shared.records.push(InvocationRecord {
            function: self.shared.spec.name.clone(),
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
            match Sandbox::start(&self.shared.spec, &self.shared.region, &self.shared.log).await {
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
        let fault = self
            .shared
            .faults
            .take(&self.shared.spec.name, &invocation.payload);
        if let Some(fault) = fault {
            tracing::warn!(function = %self.shared.spec.name, request_id = %invocation.request_id, ?fault, "injecting a fault (test tooling)");
        }
        match sandbox
            .invoke(invocation, self.shared.spec.timeout, fault)
            .await
        {
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
        // One write per line: the function's instances share the log.
        if let Err(err) = (&self.shared.log).write_all(format!("{line}\n").as_bytes()) {
            tracing::warn!(function = %self.shared.spec.name, error = %err, "writing the function log");
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
