//! How an invocation ended: the function's response, or a function error in Lambda's
//! `{"errorType", "errorMessage"}` shape (answered with `X-Amz-Function-Error: Unhandled`).

use axum::body::Bytes;
use serde_json::Value;

/// Lambda's errorType when the process exits during an invocation.
pub(crate) const EXIT_ERROR: &str = "Runtime.ExitError";
/// Lambda's errorType when an invocation runs past the function's timeout.
pub(crate) const TIMED_OUT: &str = "Sandbox.Timedout";
/// Lambda's errorType when the process fails before asking for its first event.
pub(crate) const INIT_ERROR: &str = "Runtime.InitError";
/// Lambda's errorType when the executable cannot be started at all.
pub(crate) const INVALID_ENTRYPOINT: &str = "Runtime.InvalidEntrypoint";

/// Used when neither the body nor the header names the error.
const UNNAMED_ERROR: &str = "Unhandled";

#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    Success(Bytes),
    Failed(FunctionError),
}

#[derive(Debug, Clone)]
pub(crate) struct FunctionError {
    pub error_type: String,
    /// A JSON object with at least `errorType` and `errorMessage`.
    pub body: Bytes,
}

impl FunctionError {
    pub fn new(error_type: &str, message: impl Into<String>) -> Self {
        let body = serde_json::json!({ "errorType": error_type, "errorMessage": message.into() });
        Self {
            error_type: error_type.to_string(),
            body: Bytes::from(body.to_string()),
        }
    }

    /// From what a runtime posted to `invocation/{id}/error`. The body's errorType wins over the
    /// header: lambda_runtime sends the header as plain `unhandled` and names the error in the body.
    pub fn from_runtime(header_type: Option<&str>, body: &[u8]) -> Self {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(mut fields)) => {
                let error_type = fields
                    .get("errorType")
                    .and_then(Value::as_str)
                    .or(header_type)
                    .unwrap_or(UNNAMED_ERROR)
                    .to_string();
                fields.insert("errorType".into(), Value::String(error_type.clone()));
                fields
                    .entry("errorMessage")
                    .or_insert_with(|| Value::String(String::new()));
                Self {
                    error_type,
                    body: Bytes::from(Value::Object(fields).to_string()),
                }
            }
            _ => Self::new(
                header_type.unwrap_or(UNNAMED_ERROR),
                String::from_utf8_lossy(body),
            ),
        }
    }

    /// The errorMessage of a runtime-posted error body, for wrapping it in another error.
    pub fn message_of(body: &[u8]) -> String {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(fields)) => match fields.get("errorMessage").and_then(Value::as_str) {
                Some(message) => message.to_string(),
                None => Value::Object(fields).to_string(),
            },
            _ => String::from_utf8_lossy(body).into_owned(),
        }
    }
}

#[cfg(test)]
#[path = "outcome_tests.rs"]
mod tests;
