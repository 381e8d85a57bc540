//! The one error type of the job service, and how each variant goes on the wire: the CodePipeline
//! protocol (awsJson1.1 `__type` errors) and the local control API (`{"message"}` with a status).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The CodePipeline protocol's content type (awsJson1.1), on its answers and its errors.
pub const AWS_JSON_CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// Everything the job service, its control API and its client can fail with.
#[derive(Debug, thiserror::Error)]
pub enum JobServiceError {
    /// The listen address is not a loopback address: the local environment listens on 127.0.0.1 only.
    #[error("the job service listens on loopback only; {0} is not a loopback address")]
    NotLoopback(SocketAddr),
    /// The listener could not be bound.
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    /// The state file could not be read or parsed at start.
    #[error("job state file {path}: {message}")]
    StateFile { path: PathBuf, message: String },

    // CodePipeline's modeled errors, named as the API names them.
    /// No job has this id.
    #[error("{0}")]
    JobNotFound(String),
    /// The job is closed (succeeded, failed or timed out) and takes no more results.
    #[error("{0}")]
    InvalidJobState(String),
    /// The request breaks a constraint of the API model.
    #[error("{0}")]
    Validation(String),
    /// The output variables are larger than CodePipeline allows for one action.
    #[error("{0}")]
    OutputVariablesSizeExceeded(String),
    /// The `X-Amz-Target` names no operation this service implements.
    #[error("{0}")]
    UnknownOperation(String),
    /// The body is not the JSON the operation expects.
    #[error("{0}")]
    Serialization(String),

    // Creating and dispatching jobs.
    /// An artifact zip could not be read.
    #[error("artifact {name}: cannot read {path}: {source}")]
    ArtifactRead {
        name: String,
        path: PathBuf,
        source: std::io::Error,
    },
    /// S3 (the artifact store) refused or failed a call.
    #[error("S3 {operation} on bucket {bucket}: {message}")]
    S3 {
        operation: &'static str,
        bucket: String,
        message: String,
    },
    /// The entry function could not be invoked.
    #[error("invoking function {function}: {message}")]
    Invoke { function: String, message: String },
    /// A control API path names no job.
    #[error("{0}")]
    NotFound(String),

    // The control API client.
    /// The HTTP call to the job service failed.
    #[error("job service request failed: {0}")]
    Http(#[from] reqwest::Error),
    /// The job service answered with an error.
    #[error("job service answered {status}: {message}")]
    Api { status: u16, message: String },
    /// The job chain did not reach a final result in time.
    #[error("job {job_id} (started as {first_job_id}) was still {status} after {waited:?}")]
    WaitTimedOut {
        first_job_id: String,
        job_id: String,
        status: String,
        waited: Duration,
    },
}

impl JobServiceError {
    /// The awsJson `__type` of a protocol error.
    pub fn aws_error_type(&self) -> &'static str {
        match self {
            JobServiceError::JobNotFound(_) => "JobNotFoundException",
            JobServiceError::InvalidJobState(_) => "InvalidJobStateException",
            JobServiceError::Validation(_) => "ValidationException",
            JobServiceError::OutputVariablesSizeExceeded(_) => {
                "OutputVariablesSizeExceededException"
            }
            JobServiceError::UnknownOperation(_) => "UnknownOperationException",
            JobServiceError::Serialization(_) => "SerializationException",
            _ => "InternalFailure",
        }
    }

    fn control_status(&self) -> StatusCode {
        match self {
            JobServiceError::Validation(_)
            | JobServiceError::Serialization(_)
            | JobServiceError::ArtifactRead { .. } => StatusCode::BAD_REQUEST,
            JobServiceError::NotFound(_) | JobServiceError::JobNotFound(_) => StatusCode::NOT_FOUND,
            JobServiceError::S3 { .. } | JobServiceError::Invoke { .. } => StatusCode::BAD_GATEWAY,
            // Stopping a job that is already closed.
            JobServiceError::InvalidJobState(_) => StatusCode::CONFLICT,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The response of the CodePipeline protocol: 400 for the modeled errors, 500 otherwise.
    pub fn into_aws_response(self) -> Response {
        let error_type = self.aws_error_type();
        let status = if error_type == "InternalFailure" {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::BAD_REQUEST
        };
        let body = serde_json::json!({ "__type": error_type, "message": self.to_string() });
        let mut response = (status, body.to_string()).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(AWS_JSON_CONTENT_TYPE),
        );
        if let Ok(value) = HeaderValue::from_str(error_type) {
            response.headers_mut().insert("x-amzn-errortype", value);
        }
        response
    }
}

/// The control API's error response: `{"message": ...}` with a status that fits the variant.
impl IntoResponse for JobServiceError {
    fn into_response(self) -> Response {
        let status = self.control_status();
        (
            status,
            axum::Json(serde_json::json!({ "message": self.to_string() })),
        )
            .into_response()
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
