//! The Lambda Runtime API (2018-06-01) one function process talks to: it long-polls
//! `invocation/next` for events and posts each result or error back. Each process gets its own
//! listener, so a killed process's stale connections can never take or answer another's events.

use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio::sync::mpsc;

/// Lambda's limit for a synchronous payload or response.
pub(crate) const MAX_PAYLOAD_BYTES: usize = 6 * 1024 * 1024;

const ERROR_TYPE_HEADER: &str = "lambda-runtime-function-error-type";

/// One event handed to the process by `invocation/next`.
#[derive(Debug)]
pub(crate) struct NextEvent {
    pub request_id: String,
    pub payload: Bytes,
    pub deadline_ms: u64,
    pub invoked_arn: String,
    pub trace_id: String,
}

/// What the process did, as seen by the Runtime API.
#[derive(Debug)]
pub(crate) enum RuntimeSignal {
    /// It asked for the next event: init is done / it is idle again.
    Polled,
    Response {
        request_id: String,
        body: Bytes,
    },
    Error {
        request_id: String,
        error_type: Option<String>,
        body: Bytes,
    },
    InitError {
        body: Bytes,
    },
}

pub(crate) struct RuntimeApiState {
    events: tokio::sync::Mutex<mpsc::Receiver<NextEvent>>,
    signals: mpsc::UnboundedSender<RuntimeSignal>,
    /// The request id being served; results for any other id are refused.
    current: Mutex<Option<String>>,
}

/// The side the sandbox keeps: it feeds events and reads signals.
pub(crate) struct RuntimeApiLink {
    pub events: mpsc::Sender<NextEvent>,
    pub signals: mpsc::UnboundedReceiver<RuntimeSignal>,
    pub state: Arc<RuntimeApiState>,
}

impl RuntimeApiState {
    pub fn set_current(&self, request_id: Option<String>) {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = request_id;
    }

    fn is_current(&self, request_id: &str) -> bool {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_deref()
            == Some(request_id)
    }
}

pub(crate) fn link() -> RuntimeApiLink {
    let (events_tx, events_rx) = mpsc::channel(1);
    let (signals_tx, signals_rx) = mpsc::unbounded_channel();
    let state = Arc::new(RuntimeApiState {
        events: tokio::sync::Mutex::new(events_rx),
        signals: signals_tx,
        current: Mutex::new(None),
    });
    RuntimeApiLink {
        events: events_tx,
        signals: signals_rx,
        state,
    }
}

pub(crate) fn router(state: Arc<RuntimeApiState>) -> Router {
    Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route(
            "/2018-06-01/runtime/invocation/{request_id}/response",
            post(response),
        )
        .route(
            "/2018-06-01/runtime/invocation/{request_id}/error",
            post(error),
        )
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .layer(DefaultBodyLimit::max(MAX_PAYLOAD_BYTES))
        .with_state(state)
}

async fn next(State(state): State<Arc<RuntimeApiState>>) -> Response {
    // A send failure means the sandbox is gone; the process is about to be killed anyway.
    let _ = state.signals.send(RuntimeSignal::Polled);
    let event = state.events.lock().await.recv().await;
    let Some(event) = event else {
        return runtime_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Runtime.ExitError",
            "sandbox shutting down",
        );
    };
    let mut headers = HeaderMap::new();
    let mut put = |name: &'static str, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    put("lambda-runtime-aws-request-id", &event.request_id);
    put("lambda-runtime-deadline-ms", &event.deadline_ms.to_string());
    put("lambda-runtime-invoked-function-arn", &event.invoked_arn);
    put("lambda-runtime-trace-id", &event.trace_id);
    put("content-type", "application/json");
    (StatusCode::OK, headers, event.payload).into_response()
}

async fn response(
    State(state): State<Arc<RuntimeApiState>>,
    Path(request_id): Path<String>,
    body: Bytes,
) -> Response {
    if !state.is_current(&request_id) {
        return invalid_request_id(&request_id);
    }
    let _ = state
        .signals
        .send(RuntimeSignal::Response { request_id, body });
    accepted()
}

async fn error(
    State(state): State<Arc<RuntimeApiState>>,
    Path(request_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !state.is_current(&request_id) {
        return invalid_request_id(&request_id);
    }
    let error_type = header_error_type(&headers);
    let _ = state.signals.send(RuntimeSignal::Error {
        request_id,
        error_type,
        body,
    });
    accepted()
}

async fn init_error(State(state): State<Arc<RuntimeApiState>>, body: Bytes) -> Response {
    // The errorType is always Runtime.InitError; the body's message says what went wrong.
    let _ = state.signals.send(RuntimeSignal::InitError { body });
    accepted()
}

fn header_error_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(ERROR_TYPE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn accepted() -> Response {
    (
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "status": "OK" })),
    )
        .into_response()
}

fn invalid_request_id(request_id: &str) -> Response {
    runtime_error(
        StatusCode::BAD_REQUEST,
        "InvalidRequestID",
        &format!("Invalid request ID: {request_id}"),
    )
}

fn runtime_error(status: StatusCode, error_type: &str, message: &str) -> Response {
    let body = serde_json::json!({ "errorType": error_type, "errorMessage": message });
    (status, Json(body)).into_response()
}
