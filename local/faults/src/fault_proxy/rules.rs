//! The faults set at runtime (`POST /stackflow/aws-faults`): which requests they strike, what
//! they answer, and for how long. A rule strikes the requests of one service that match all it
//! names (operation, a text in the request); it fails them with an AWS error, delays them, or
//! both, for its first `times` matches, or for `forSeconds` from its first match, or until it is
//! removed. It keeps counting the requests it matched after that, so a test can tell how many
//! retries came.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::service::Service;

/// One fault, as `POST /stackflow/aws-faults` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    /// `s3`, `cloudformation` or `codepipeline`.
    pub service: Service,
    /// Only this operation (`GetObject`, `DescribeStacks`, `PutJobSuccessResult`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// Only requests whose path, query or body (percent-decoded) contain this text: a stack
    /// name, an artifact name, a job id, so that concurrent jobs are not struck.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matching: Option<String>,
    /// Answer with this HTTP status (400–599) instead of forwarding the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The AWS error code of that answer (default: `ServiceUnavailable` for 503,
    /// `InternalFailure` for other 5xx; required for a 4xx).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Its message (default: says the fault was injected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Hold each struck request this long first (then answer `status`, or forward it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_seconds: Option<u64>,
    /// Strike only the first `times` matching requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    /// Strike matching requests for this long from the first one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub for_seconds: Option<u64>,
}

/// What the default message of an injected error says.
pub const INJECTED_MESSAGE: &str = "Injected by stackflow-local (test tooling)";

impl FaultRule {
    /// Why the rule cannot be set, if it cannot.
    pub fn problem(&self) -> Option<String> {
        if self.status.is_none() && self.delay_seconds.is_none() {
            return Some("a fault needs a status to answer or delaySeconds to wait".into());
        }
        if let Some(status) = self.status {
            if !(400..=599).contains(&status) {
                return Some(format!("status {status} is not an error status (400-599)"));
            }
            if status < 500 && self.code.is_none() {
                return Some(format!(
                    "status {status} needs the AWS error code to answer with (code)"
                ));
            }
        }
        if self.times == Some(0) {
            return Some("times must be at least 1".into());
        }
        if self.for_seconds == Some(0) {
            return Some("forSeconds must be at least 1".into());
        }
        if self.matching.as_deref().is_some_and(str::is_empty) {
            return Some("matching must not be empty".into());
        }
        None
    }

    fn error(&self) -> Option<InjectedError> {
        let status = StatusCode::from_u16(self.status?).ok()?;
        let code = self.code.clone().unwrap_or_else(|| {
            if status == StatusCode::SERVICE_UNAVAILABLE {
                "ServiceUnavailable".to_string()
            } else {
                "InternalFailure".to_string()
            }
        });
        let message = self
            .message
            .clone()
            .unwrap_or_else(|| INJECTED_MESSAGE.to_string());
        Some(InjectedError {
            status,
            code,
            message,
        })
    }
}

/// A rule as `GET /stackflow/aws-faults` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultRecord {
    pub id: String,
    pub rule: FaultRule,
    /// Requests that matched the rule, struck or not.
    pub matched: u32,
    /// Requests it struck.
    pub struck: u32,
    /// Whether it still strikes (its `times` or `forSeconds` are not used up).
    pub active: bool,
}

/// `GET /stackflow/aws-faults` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultList {
    pub faults: Vec<FaultRecord>,
}

/// An error answer to give instead of AWS's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InjectedError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
}

/// What to do to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Strike {
    pub rule_id: String,
    pub delay: Duration,
    /// `None`: forward the request after the delay.
    pub error: Option<InjectedError>,
}

/// A request, as far as the rules look at it.
pub struct Request<'a> {
    pub service: Service,
    pub operation: Option<&'a str>,
    /// The percent-decoded path, query and body.
    pub text: &'a str,
}

#[derive(Debug)]
struct Entry {
    id: String,
    rule: FaultRule,
    matched: u32,
    struck: u32,
    first_match: Option<Instant>,
}

impl Entry {
    fn matches(&self, request: &Request<'_>) -> bool {
        self.rule.service == request.service
            && self
                .rule
                .operation
                .as_deref()
                .is_none_or(|operation| request.operation == Some(operation))
            && self
                .rule
                .matching
                .as_deref()
                .is_none_or(|text| request.text.contains(text))
    }

    fn active(&self, now: Instant) -> bool {
        let within_times = self.rule.times.is_none_or(|times| self.struck < times);
        let within_window = match (self.rule.for_seconds, self.first_match) {
            (Some(seconds), Some(first)) => {
                now.duration_since(first) < Duration::from_secs(seconds)
            }
            _ => true,
        };
        within_times && within_window
    }

    fn record(&self, now: Instant) -> FaultRecord {
        FaultRecord {
            id: self.id.clone(),
            rule: self.rule.clone(),
            matched: self.matched,
            struck: self.struck,
            active: self.active(now),
        }
    }
}

/// The rules set, oldest first.
#[derive(Debug, Default)]
pub struct Faults {
    entries: Mutex<Vec<Entry>>,
    next_id: AtomicU64,
}

impl Faults {
    /// Set a rule; it strikes from the next matching request on.
    pub fn add(&self, rule: FaultRule) -> Result<FaultRecord, String> {
        if let Some(problem) = rule.problem() {
            return Err(problem);
        }
        let id = format!("fault-{}", self.next_id.fetch_add(1, Ordering::Relaxed) + 1);
        let entry = Entry {
            id,
            rule,
            matched: 0,
            struck: 0,
            first_match: None,
        };
        let record = entry.record(Instant::now());
        tracing::info!(id = record.id, rule = ?record.rule, "fault set (test tooling)");
        self.lock().push(entry);
        Ok(record)
    }

    pub fn list(&self) -> Vec<FaultRecord> {
        let now = Instant::now();
        self.lock().iter().map(|entry| entry.record(now)).collect()
    }

    pub fn get(&self, id: &str) -> Option<FaultRecord> {
        let now = Instant::now();
        self.lock()
            .iter()
            .find(|entry| entry.id == id)
            .map(|entry| entry.record(now))
    }

    pub fn remove(&self, id: &str) -> Option<FaultRecord> {
        let mut entries = self.lock();
        let at = entries.iter().position(|entry| entry.id == id)?;
        Some(entries.remove(at).record(Instant::now()))
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Whether any rule is set for `service` (if none, a request need not be looked at).
    pub fn any_for(&self, service: Service) -> bool {
        self.lock()
            .iter()
            .any(|entry| entry.rule.service == service)
    }

    /// Count the request on every rule it matches; the oldest active one strikes it.
    pub fn strike(&self, request: &Request<'_>) -> Option<Strike> {
        let now = Instant::now();
        let mut strike = None;
        for entry in self
            .lock()
            .iter_mut()
            .filter(|entry| entry.matches(request))
        {
            entry.matched += 1;
            entry.first_match.get_or_insert(now);
            if strike.is_none() && entry.active(now) {
                entry.struck += 1;
                strike = Some(Strike {
                    rule_id: entry.id.clone(),
                    delay: Duration::from_secs(entry.rule.delay_seconds.unwrap_or(0)),
                    error: entry.rule.error(),
                });
            }
        }
        strike
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
