//! Test tooling, off until armed: make chosen invocations of a function fail the way a broken
//! Lambda execution environment does, so the end-to-end tests can show what the state machine
//! makes of it. Armed at runtime through `POST /stackflow/faults` (or `stackflow-local
//! function-fault`), so one running environment serves many tests.
//!
//! Both faults strike when the function posts its answer, after its work is done (an AWS call
//! made, a report sent): the worst case for a retry, which must recognise its own earlier work.
//! - `crash`: the process is killed with SIGKILL and the answer dropped: `Runtime.ExitError`.
//! - `timeout`: the answer is held until the invocation's timeout (`timeoutSeconds`, or the
//!   function's own), then the process is killed: `Sandbox.Timedout`.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FaultKind {
    Crash,
    Timeout,
}

/// One armed fault, as `POST /stackflow/faults` takes it and `GET /stackflow/faults` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultSpec {
    /// The function name (not its ARN), e.g. `stackflow-deploy-stack`.
    pub function: String,
    pub fault: FaultKind,
    /// How many of the matching invocations get the fault; then it is disarmed.
    #[serde(default = "one")]
    pub times: u32,
    /// Only invocations whose payload contains this text (a stack name, a job id), so that
    /// concurrent jobs in the same environment are not hit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matching: Option<String>,
    /// `timeout` only: the invocation's timeout instead of the function's own (at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u64>,
}

fn one() -> u32 {
    1
}

impl FaultSpec {
    /// Why the spec cannot be armed, if it cannot.
    pub fn problem(&self, known_function: impl Fn(&str) -> bool) -> Option<String> {
        if !known_function(&self.function) {
            return Some(format!("no function {}", self.function));
        }
        if self.times == 0 {
            return Some("times must be at least 1".into());
        }
        match (self.fault, self.timeout_seconds) {
            (FaultKind::Crash, Some(_)) => Some("timeoutSeconds is for the timeout fault".into()),
            (FaultKind::Timeout, Some(0)) => Some("timeoutSeconds must be at least 1".into()),
            _ => None,
        }
    }

    fn applies_to(&self, function: &str, payload: &[u8]) -> bool {
        self.function == function
            && self
                .matching
                .as_deref()
                .is_none_or(|needle| contains(payload, needle.as_bytes()))
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// What one invocation gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    Crash,
    /// Hold the answer past this timeout (`None`: the function's own).
    Timeout(Option<Duration>),
}

/// The armed faults, shared by the control endpoint and the workers.
#[derive(Debug, Clone, Default)]
pub(crate) struct Faults(Arc<Mutex<Vec<FaultSpec>>>);

impl Faults {
    pub fn arm(&self, spec: FaultSpec) {
        self.lock().push(spec);
    }

    pub fn armed(&self) -> Vec<FaultSpec> {
        self.lock().clone()
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    /// The fault for this invocation, if one is armed for it; counts it off (first armed first).
    pub fn take(&self, function: &str, payload: &[u8]) -> Option<Fault> {
        let mut armed = self.lock();
        let index = armed
            .iter()
            .position(|spec| spec.applies_to(function, payload))?;
        let spec = &mut armed[index];
        let fault = match spec.fault {
            FaultKind::Crash => Fault::Crash,
            FaultKind::Timeout => Fault::Timeout(spec.timeout_seconds.map(Duration::from_secs)),
        };
        spec.times -= 1;
        if spec.times == 0 {
            armed.remove(index);
        }
        Some(fault)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<FaultSpec>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
#[path = "faults_tests.rs"]
mod tests;
