//! The Lambda Invoke API (2015-03-31) as moto's Step Functions engine and the job service call it,
//! plus `GET /stackflow/invocations`, the record of what ran, and `GET /stackflow/async-outcomes`,
//! how the `Event` invocations ended.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio::sync::watch;

use crate::faults::{FaultSpec, Faults};
use crate::invocation::{Invocation, InvocationType};
use crate::outcome::Outcome;
use crate::records::{AsyncOutcomeLog, AsyncOutcomeRecord, InvocationLog};
use crate::resolve::Partition;
use crate::runtime_api::MAX_PAYLOAD_BYTES;
use crate::worker::FunctionQueue;
use crate::{stopped, LambdaServiceError};

pub(crate) struct InvokeApiState {
    pub functions: HashMap<String, FunctionQueue>,
    pub partition: Partition,
    pub records: InvocationLog,
    pub async_outcomes: AsyncOutcomeLog,
    pub faults: Faults,
    pub async_retry_delays: Vec<Duration>,
    pub shutdown: watch::Receiver<bool>,
}

pub(crate) fn router(state: Arc<InvokeApiState>) -> Router {
    Router::new()
        .route(
            "/2015-03-31/functions/{function_name}/invocations",
            post(invoke),
        )
        .route("/stackflow/invocations", get(invocations))
        .route("/stackflow/async-outcomes", get(async_outcomes))
        .route(
            "/stackflow/faults",
            get(armed_faults).post(arm_fault).delete(clear_faults),
        )
        .layer(DefaultBodyLimit::max(MAX_PAYLOAD_BYTES))
        .with_state(state)
}

/// What `X-Amz-Invocation-Type` asks for.
enum Requested {
    Run(InvocationType),
    DryRun,
}

fn requested(headers: &HeaderMap) -> Result<Requested, LambdaServiceError> {
    let Some(value) = headers.get("x-amz-invocation-type") else {
        return Ok(Requested::Run(InvocationType::RequestResponse));
    };
    match value.to_str().unwrap_or_default() {
        "RequestResponse" => Ok(Requested::Run(InvocationType::RequestResponse)),
        "Event" => Ok(Requested::Run(InvocationType::Event)),
        "DryRun" => Ok(Requested::DryRun),
        other => Err(LambdaServiceError::InvalidParameter(format!(
            "1 validation error detected: Value '{other}' at 'invocationType' failed to satisfy constraint: \
             Member must satisfy enum value set: [Event, RequestResponse, DryRun]"
        ))),
    }
}

/// The payload the function gets: JSON, `{}` when none was sent (as Lambda does).
fn payload(body: Bytes) -> Result<Bytes, LambdaServiceError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Bytes::from_static(b"{}"));
    }
    serde_json::from_slice::<serde::de::IgnoredAny>(&body)
        .map_err(|err| LambdaServiceError::InvalidRequestContent(err.to_string()))?;
    Ok(body)
}

async fn invoke(
    State(state): State<Arc<InvokeApiState>>,
    Path(function_name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, LambdaServiceError> {
    let mut function = state
        .partition
        .resolve(&function_name)
        .ok_or_else(|| LambdaServiceError::FunctionNotFound(function_name.clone()))?;
    if function.qualifier.is_none() {
        function.qualifier = query.get("Qualifier").filter(|q| !q.is_empty()).cloned();
    }
    let Some(queue) = state.functions.get(&function.name) else {
        return Err(LambdaServiceError::FunctionNotFound(
            state.partition.invoked_arn(&function),
        ));
    };
    let invocation_type = match requested(&headers)? {
        Requested::DryRun => return Ok(StatusCode::NO_CONTENT.into_response()),
        Requested::Run(invocation_type) => invocation_type,
    };
    let invocation = Invocation {
        request_id: uuid::Uuid::new_v4().to_string(),
        payload: payload(body)?,
        invoked_arn: state.partition.invoked_arn(&function),
        invocation_type,
        attempt: 1,
    };
    let request_id = invocation.request_id.clone();
    match invocation_type {
        InvocationType::Event => {
            tokio::spawn(run_async(
                queue.clone(),
                function.name.clone(),
                invocation,
                state.async_retry_delays.clone(),
                state.async_outcomes.clone(),
                state.shutdown.clone(),
            ));
            Ok((StatusCode::ACCEPTED, request_id_header(&request_id)).into_response())
        }
        InvocationType::RequestResponse => {
            let outcome = queue.invoke(invocation).await?;
            Ok(sync_response(&request_id, outcome))
        }
    }
}

fn request_id_header(request_id: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", value);
    }
    headers
}

/// A function error is still HTTP 200: Lambda flags it with `X-Amz-Function-Error`.
fn sync_response(request_id: &str, outcome: Outcome) -> Response {
    let mut headers = request_id_header(request_id);
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    headers.insert(
        "x-amz-executed-version",
        HeaderValue::from_static("$LATEST"),
    );
    let body = match outcome {
        Outcome::Success(body) => body,
        Outcome::Failed(error) => {
            headers.insert(
                "x-amz-function-error",
                HeaderValue::from_static("Unhandled"),
            );
            error.body
        }
    };
    (StatusCode::OK, headers, body).into_response()
}

/// An Event invocation: the first attempt plus one retry per configured delay, as Lambda retries
/// failed async invocations (there: after 1 and 2 minutes; here: the configured, shorter delays).
/// The request id stays the same across attempts, as in Lambda.
async fn run_async(
    queue: FunctionQueue,
    function: String,
    mut invocation: Invocation,
    delays: Vec<Duration>,
    outcomes: AsyncOutcomeLog,
    mut shutdown: watch::Receiver<bool>,
) {
    let attempts = delays.len() + 1;
    let ended = |attempts: u32, succeeded: bool, invocation: &Invocation| {
        outcomes.push(AsyncOutcomeRecord {
            function: function.clone(),
            request_id: invocation.request_id.clone(),
            attempts,
            succeeded,
        });
    };
    for (attempt, delay) in (1..).zip(delays.iter().map(Some).chain([None])) {
        invocation.attempt = attempt;
        match queue.invoke(invocation.clone()).await {
            Ok(Outcome::Success(_)) => return ended(attempt, true, &invocation),
            Ok(Outcome::Failed(error)) => tracing::warn!(
                request_id = %invocation.request_id,
                attempt,
                error_type = %error.error_type,
                "async invocation failed"
            ),
            Err(_) => return,
        }
        if let Some(delay) = delay {
            tokio::select! {
                () = tokio::time::sleep(*delay) => {}
                () = stopped(&mut shutdown) => return,
            }
        }
    }
    tracing::error!(
        request_id = %invocation.request_id,
        attempts,
        "async invocation failed on every attempt; the event is dropped"
    );
    ended(invocation.attempt, false, &invocation);
}

async fn invocations(State(state): State<Arc<InvokeApiState>>) -> Response {
    Json(state.records.all()).into_response()
}

async fn async_outcomes(State(state): State<Arc<InvokeApiState>>) -> Response {
    Json(state.async_outcomes.all()).into_response()
}

/// Test tooling: arm a fault (see `faults`). 400 with the reason when it cannot work.
async fn arm_fault(State(state): State<Arc<InvokeApiState>>, body: Bytes) -> Response {
    let spec = match serde_json::from_slice::<FaultSpec>(&body) {
        Ok(spec) => spec,
        Err(err) => return refuse_fault(&format!("not a fault: {err}")),
    };
    if let Some(problem) = spec.problem(|name| state.functions.contains_key(name)) {
        return refuse_fault(&problem);
    }
    tracing::warn!(?spec, "fault armed (test tooling)");
    state.faults.arm(spec);
    Json(state.faults.armed()).into_response()
}

fn refuse_fault(message: &str) -> Response {
    let body = serde_json::json!({ "message": message });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

async fn armed_faults(State(state): State<Arc<InvokeApiState>>) -> Response {
    Json(state.faults.armed()).into_response()
}

async fn clear_faults(State(state): State<Arc<InvokeApiState>>) -> Response {
    state.faults.clear();
    Json(state.faults.armed()).into_response()
}
