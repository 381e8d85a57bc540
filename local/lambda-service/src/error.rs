//! The one error type of the local Lambda service: start-up failures, and the Lambda Invoke API
//! errors answered to callers (shaped like Lambda's own error responses).

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum LambdaServiceError {
    #[error("the Lambda service must listen on a loopback address, not {0}")]
    NotLoopback(SocketAddr),

    #[error("binding {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },

    #[error("function {0} is configured more than once")]
    DuplicateFunction(String),

    #[error("function {name}: executable {} does not exist", path.display())]
    ExecutableNotFound { name: String, path: PathBuf },

    #[error("function {name}: opening log file {}: {source}", path.display())]
    LogFile {
        name: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Invoke API: no such function (the message carries its ARN, as Lambda's does).
    #[error("Function not found: {0}")]
    FunctionNotFound(String),

    /// Invoke API: a header or parameter Lambda would reject.
    #[error("{0}")]
    InvalidParameter(String),

    /// Invoke API: the payload is not JSON.
    #[error("Could not parse request body into json: {0}")]
    InvalidRequestContent(String),

    /// Invoke API: the service is shutting down and the invocation could not run.
    #[error("the local Lambda service is shutting down")]
    Stopped,
}

impl LambdaServiceError {
    /// Lambda's error code (the `x-amzn-ErrorType` header), status and fault side.
    fn wire(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            Self::FunctionNotFound(_) => {
                (StatusCode::NOT_FOUND, "ResourceNotFoundException", "User")
            }
            Self::InvalidParameter(_) => (
                StatusCode::BAD_REQUEST,
                "InvalidParameterValueException",
                "User",
            ),
            Self::InvalidRequestContent(_) => (
                StatusCode::BAD_REQUEST,
                "InvalidRequestContentException",
                "User",
            ),
            Self::Stopped
            | Self::NotLoopback(_)
            | Self::Bind { .. }
            | Self::DuplicateFunction(_)
            | Self::ExecutableNotFound { .. }
            | Self::LogFile { .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceException",
                "Service",
            ),
        }
    }
}

impl IntoResponse for LambdaServiceError {
    fn into_response(self) -> Response {
        let (status, code, fault) = self.wire();
        let body = serde_json::json!({ "Type": fault, "message": self.to_string() });
        let mut response = (status, axum::Json(body)).into_response();
        response
            .headers_mut()
            .insert("x-amzn-ErrorType", HeaderValue::from_static(code));
        response
    }
}
