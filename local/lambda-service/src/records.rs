//! The record of every invocation (no payloads), served at `GET /stackflow/invocations` so tests
//! and the CLI can see what ran, how often and how it ended.

use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvocationRecord {
    pub function: String,
    pub request_id: String,
    /// `RequestResponse` or `Event`.
    pub invocation_type: String,
    /// 1 for the first try; async invocations count their retries up from there.
    pub attempt: u32,
    /// Unix time in milliseconds when the service took the invocation up.
    pub started_at_ms: u64,
    pub duration_ms: u64,
    /// Set when this invocation started a fresh process (a cold start).
    pub init_duration_ms: Option<u64>,
    /// `duration_ms` in microseconds, for the benchmark (bench/): a warm invocation can take
    /// less than a millisecond.
    #[serde(default)]
    pub duration_us: u64,
    /// `init_duration_ms` in microseconds: from spawning the process to its first `next`.
    #[serde(default)]
    pub init_duration_us: Option<u64>,
    /// The function process that served it, so its memory can be read from /proc (none when
    /// no process was left running).
    #[serde(default)]
    pub pid: Option<u32>,
    pub ok: bool,
    /// The Lambda errorType when it failed.
    pub error_type: Option<String>,
}

/// How an `Event` invocation ended: written once its last attempt is recorded, so a test can wait
/// for it instead of waiting a while for a retry that should not come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsyncOutcomeRecord {
    pub function: String,
    pub request_id: String,
    /// The attempts made: the first and the retries.
    pub attempts: u32,
    /// `false`: every attempt failed, the retries are exhausted and the event is dropped.
    pub succeeded: bool,
}

/// Records, appended as they come.
#[derive(Debug)]
pub(crate) struct Log<T>(Arc<Mutex<Vec<T>>>);

pub(crate) type InvocationLog = Log<InvocationRecord>;
pub(crate) type AsyncOutcomeLog = Log<AsyncOutcomeRecord>;

impl<T> Default for Log<T> {
    fn default() -> Self {
        Log(Arc::default())
    }
}

impl<T> Clone for Log<T> {
    fn clone(&self) -> Self {
        Log(Arc::clone(&self.0))
    }
}

impl<T: Clone> Log<T> {
    pub fn push(&self, record: T) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(record);
    }

    pub fn all(&self) -> Vec<T> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
