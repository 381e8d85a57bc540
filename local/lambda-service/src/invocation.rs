//! One invocation as the Invoke API queues it, the worker serves it and the sandbox runs it.

use axum::body::Bytes;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InvocationType {
    RequestResponse,
    Event,
}

impl InvocationType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RequestResponse => "RequestResponse",
            Self::Event => "Event",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Invocation {
    pub request_id: String,
    pub payload: Bytes,
    pub invoked_arn: String,
    pub invocation_type: InvocationType,
    pub attempt: u32,
}
