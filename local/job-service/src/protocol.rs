//! CodePipeline's wire protocol, awsJson1.1: `POST /` with `X-Amz-Target:
//! CodePipeline_20150709.<Operation>`. SigV4 is not checked: any Authorization is accepted.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{JobServiceError, AWS_JSON_CONTENT_TYPE};
use crate::model::{CurrentRevision, ExecutionDetails, FailureDetails};
use crate::random::now_ms;
use crate::store::SuccessReport;
use crate::validation::{self as limits, Violations};
use crate::AppState;

const TARGET_PREFIX: &str = "CodePipeline_20150709.";

/// `POST /`: dispatch on `X-Amz-Target`.
pub async fn handle(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers
        .get("x-amz-target")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let operation = target.strip_prefix(TARGET_PREFIX).unwrap_or_default();
    let result = match operation {
        "PutJobSuccessResult" => put_job_success_result(&state, &body),
        "PutJobFailureResult" => put_job_failure_result(&state, &body),
        "GetJobDetails" => get_job_details(&state, &body),
        "AcknowledgeJob" => acknowledge_job(&state, &body),
        _ => Err(JobServiceError::UnknownOperation(format!(
            "Operation {target:?} is not supported by the local CodePipeline job service"
        ))),
    };
    match result {
        Ok(output) => {
            tracing::info!(operation, "CodePipeline call answered");
            aws_json(output)
        }
        Err(error) => {
            tracing::info!(operation, error_type = error.aws_error_type(), %error, "CodePipeline call refused");
            error.into_aws_response()
        }
    }
}

fn aws_json(output: Value) -> Response {
    let mut response = (StatusCode::OK, output.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(AWS_JSON_CONTENT_TYPE),
    );
    if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        response.headers_mut().insert("x-amzn-requestid", id);
    }
    response
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, JobServiceError> {
    // The SDK sends `{}` for an input with no members set; an empty body means the same.
    let body = if body.is_empty() {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|error| {
        JobServiceError::Serialization(format!(
            "The request body is not valid JSON for this operation: {error}"
        ))
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PutJobSuccessResultInput {
    job_id: Option<String>,
    current_revision: Option<WireCurrentRevision>,
    continuation_token: Option<String>,
    execution_details: Option<ExecutionDetails>,
    output_variables: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireCurrentRevision {
    revision: Option<String>,
    change_identifier: Option<String>,
    created: Option<f64>,
    revision_summary: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PutJobFailureResultInput {
    job_id: Option<String>,
    failure_details: Option<WireFailureDetails>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireFailureDetails {
    #[serde(rename = "type")]
    failure_type: Option<String>,
    message: Option<String>,
    external_execution_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct JobIdInput {
    job_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AcknowledgeJobInput {
    job_id: Option<String>,
    nonce: Option<String>,
}

fn put_job_success_result(state: &Arc<AppState>, body: &[u8]) -> Result<Value, JobServiceError> {
    let input: PutJobSuccessResultInput = parse(body)?;
    let mut violations = Violations::new();
    let job_id = required_job_id(&mut violations, input.job_id.as_deref());
    if let Some(revision) = &input.current_revision {
        violations.required("currentRevision.revision", revision.revision.as_ref());
        violations.length(
            "currentRevision.revision",
            revision.revision.as_deref(),
            1,
            limits::REVISION_MAX,
        );
        violations.required(
            "currentRevision.changeIdentifier",
            revision.change_identifier.as_ref(),
        );
        violations.length(
            "currentRevision.changeIdentifier",
            revision.change_identifier.as_deref(),
            1,
            limits::CHANGE_IDENTIFIER_MAX,
        );
        violations.length(
            "currentRevision.revisionSummary",
            revision.revision_summary.as_deref(),
            1,
            limits::REVISION_SUMMARY_MAX,
        );
    }
    violations.length(
        "continuationToken",
        input.continuation_token.as_deref(),
        1,
        limits::CONTINUATION_TOKEN_MAX,
    );
    if let Some(details) = &input.execution_details {
        check_execution_details(&mut violations, details);
    }
    let output_variables = input.output_variables.unwrap_or_default();
    violations.output_variable_keys("outputVariables", &output_variables);
    if input.continuation_token.is_some() && !output_variables.is_empty() {
        violations.other(
            "outputVariables can be included only when there is no continuation token on the request".to_string(),
        );
    }
    violations.into_result()?;
    let size = limits::output_variables_size(&output_variables);
    if size > limits::OUTPUT_VARIABLES_MAX_BYTES {
        return Err(JobServiceError::OutputVariablesSizeExceeded(format!(
            "The output variables of this action are {size} bytes; the limit is {} bytes",
            limits::OUTPUT_VARIABLES_MAX_BYTES
        )));
    }

    let report = SuccessReport {
        current_revision: input.current_revision.map(|revision| CurrentRevision {
            revision: revision.revision.unwrap_or_default(),
            change_identifier: revision.change_identifier.unwrap_or_default(),
            created: revision.created,
            revision_summary: revision.revision_summary,
        }),
        continuation_token: input.continuation_token,
        execution_details: input.execution_details,
        output_variables,
    };
    if let Some(next) = state.store.succeed(&job_id, report, now_ms())? {
        tracing::info!(
            job_id,
            next_job_id = next.record.id,
            "job continued with a new job"
        );
        state.dispatch(next);
    } else {
        tracing::info!(job_id, "job succeeded");
    }
    Ok(json!({}))
}

fn put_job_failure_result(state: &AppState, body: &[u8]) -> Result<Value, JobServiceError> {
    let input: PutJobFailureResultInput = parse(body)?;
    let mut violations = Violations::new();
    let job_id = required_job_id(&mut violations, input.job_id.as_deref());
    violations.required("failureDetails", input.failure_details.as_ref());
    if let Some(details) = &input.failure_details {
        violations.required("failureDetails.type", details.failure_type.as_ref());
        violations.one_of(
            "failureDetails.type",
            details.failure_type.as_deref(),
            &limits::FAILURE_TYPES,
        );
        violations.required("failureDetails.message", details.message.as_ref());
        violations.length(
            "failureDetails.message",
            details.message.as_deref(),
            1,
            limits::FAILURE_MESSAGE_MAX,
        );
        violations.length(
            "failureDetails.externalExecutionId",
            details.external_execution_id.as_deref(),
            1,
            limits::EXECUTION_ID_MAX,
        );
    }
    violations.into_result()?;
    let details = input.failure_details.map(|details| FailureDetails {
        failure_type: details.failure_type.unwrap_or_default(),
        message: details.message.unwrap_or_default(),
        external_execution_id: details.external_execution_id,
    });
    let Some(details) = details else {
        return Err(JobServiceError::Validation(
            "failureDetails is required".to_string(),
        ));
    };
    let failure_type = details.failure_type.clone();
    state.store.fail(&job_id, details, now_ms())?;
    tracing::info!(job_id, failure_type, "job failed");
    Ok(json!({}))
}

fn get_job_details(state: &AppState, body: &[u8]) -> Result<Value, JobServiceError> {
    let input: JobIdInput = parse(body)?;
    let mut violations = Violations::new();
    let job_id = required_job_id(&mut violations, input.job_id.as_deref());
    violations.into_result()?;
    let entry = state
        .store
        .get(&job_id)
        .ok_or_else(|| JobServiceError::JobNotFound(format!("The job was not found: {job_id}")))?;
    Ok(
        json!({ "jobDetails": crate::event::job_details(&entry.record, &entry.data, &state.region) }),
    )
}

fn acknowledge_job(state: &AppState, body: &[u8]) -> Result<Value, JobServiceError> {
    let input: AcknowledgeJobInput = parse(body)?;
    let mut violations = Violations::new();
    let job_id = required_job_id(&mut violations, input.job_id.as_deref());
    // Lambda-invoked jobs have no nonce from PollForJobs, so any well-formed nonce is accepted.
    violations.required("nonce", input.nonce.as_ref());
    violations.length("nonce", input.nonce.as_deref(), 1, limits::NONCE_MAX);
    violations.into_result()?;
    let status = state.store.acknowledge(&job_id)?;
    Ok(json!({ "status": status }))
}

fn required_job_id(violations: &mut Violations, job_id: Option<&str>) -> String {
    violations.required("jobId", job_id);
    violations.job_id("jobId", job_id);
    job_id.unwrap_or_default().to_string()
}

fn check_execution_details(violations: &mut Violations, details: &ExecutionDetails) {
    violations.length(
        "executionDetails.summary",
        details.summary.as_deref(),
        1,
        limits::EXECUTION_SUMMARY_MAX,
    );
    violations.length(
        "executionDetails.externalExecutionId",
        details.external_execution_id.as_deref(),
        1,
        limits::EXECUTION_ID_MAX,
    );
    violations.range(
        "executionDetails.percentComplete",
        details.percent_complete.map(i64::from),
        0,
        100,
    );
}
