//! Which IAM actions each function was seen to need. moto enforces no IAM, so nothing else
//! shows that a role allows what its function calls. The proxy sees every request the functions
//! make: the caller by the access key of its SigV4 `Authorization` header (each function runs
//! locally with its own, [`function_access_key`]), the action by the request. The record is a
//! JSON file (`{access key: [action, …]}`), which the IAM sufficiency check (tests/iam_calls)
//! holds the roles of infra/template.yaml against.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use axum::http::HeaderMap;
use stackflow_local_cloudformation::wire::form_value;

use super::service::Service;

/// Actions by access key.
pub type CallRecord = BTreeMap<String, BTreeSet<String>>;

/// The access key a function runs with locally: a name, not a secret.
pub fn function_access_key(binary: &str) -> String {
    format!("{FUNCTION_KEY_PREFIX}{binary}")
}

/// The function whose access key `key` is.
pub fn function_of(key: &str) -> Option<&str> {
    key.strip_prefix(FUNCTION_KEY_PREFIX)
}

const FUNCTION_KEY_PREFIX: &str = "stackflow-local-fn-";

/// The calls seen so far, kept in `file` (none: in memory only).
#[derive(Debug, Default)]
pub struct Calls {
    file: Option<PathBuf>,
    seen: Mutex<CallRecord>,
}

impl Calls {
    pub fn new(file: Option<PathBuf>) -> Self {
        Calls {
            file,
            seen: Mutex::default(),
        }
    }

    /// Notes that the holder of the request's access key needed `actions`.
    pub fn record(&self, headers: &HeaderMap, actions: Vec<String>) {
        let Some(key) = access_key(headers) else {
            return;
        };
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let known = seen.entry(key).or_default();
        let before = known.len();
        known.extend(actions);
        if known.len() == before {
            return;
        }
        if let Some(file) = &self.file {
            let text = serde_json::to_string_pretty(&*seen).unwrap_or_default();
            if let Err(error) = std::fs::write(file, text) {
                tracing::warn!(%error, file = %file.display(), "the call record was not written");
            }
        }
    }
}

/// The record in `file`.
pub fn read(file: &Path) -> Result<CallRecord, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|err| format!("reading {}: {err}", file.display()))?;
    serde_json::from_str(&text).map_err(|err| format!("reading {}: {err}", file.display()))
}

/// The access key id of a SigV4 `Authorization` header (`… Credential=<key>/<date>/…`).
fn access_key(headers: &HeaderMap) -> Option<String> {
    let header = headers.get("authorization")?.to_str().ok()?;
    let credential = header.split("Credential=").nth(1)?;
    let key = credential.split('/').next()?;
    (!key.is_empty()).then(|| key.to_string())
}

/// The IAM actions a request needs: its operation's, and for a stack operation those
/// CloudFormation checks against the caller too (passing its `RoleARN`, reading its
/// `TemplateURL`). An operation the proxy cannot name is recorded as `<prefix>:?` so the
/// check fails on it rather than passing it by.
pub fn iam_actions(service: Service, operation: Option<&str>, body: &[u8]) -> Vec<String> {
    let prefix = match service {
        Service::CloudFormation => "cloudformation",
        Service::S3 => "s3",
        Service::CodePipeline => "codepipeline",
        Service::StepFunctions => "states",
    };
    let Some(operation) = operation else {
        return vec![format!("{prefix}:?")];
    };
    if service == Service::S3 {
        return s3_actions(operation)
            .iter()
            .map(|action| format!("s3:{action}"))
            .collect();
    }
    let mut actions = vec![format!("{prefix}:{operation}")];
    if service == Service::CloudFormation {
        if form_value(body, "RoleARN").is_some() {
            actions.push("iam:PassRole".into());
        }
        if form_value(body, "TemplateURL").is_some() {
            actions.push("s3:GetObject".into());
        }
    }
    actions
}

/// S3's operations and the actions that authorize them.
fn s3_actions(operation: &str) -> &'static [&'static str] {
    match operation {
        "GetObject" | "HeadObject" => &["GetObject"],
        "PutObject" => &["PutObject"],
        "CopyObject" => &["GetObject", "PutObject"],
        "DeleteObject" => &["DeleteObject"],
        "ListObjects" | "ListObjectsV2" | "HeadBucket" => &["ListBucket"],
        "ListBuckets" => &["ListAllMyBuckets"],
        "CreateBucket" => &["CreateBucket"],
        "DeleteBucket" => &["DeleteBucket"],
        _ => &["?"],
    }
}

#[cfg(test)]
#[path = "calls_tests.rs"]
mod tests;
