//! The local control API (stackflow's, not AWS's), under `/stackflow/`: create a job the way a
//! pipeline execution would, look at jobs and the events sent for them, and (test tooling) stop
//! the pipeline at a job: `POST /stackflow/jobs/{id}/stop` closes an open job as CodePipeline
//! does when its pipeline execution is stopped or superseded.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::Value;

use crate::error::JobServiceError;
use crate::model::{CreateJobRequest, CreateJobResponse, JobList, JobRecord};
use crate::AppState;

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/stackflow/jobs", post(create_job).get(list_jobs))
        .route("/stackflow/jobs/{id}", get(get_job))
        .route("/stackflow/jobs/{id}/event", get(get_event))
        .route("/stackflow/jobs/{id}/stop", post(stop_job))
}

async fn create_job(
    State(state): State<Arc<AppState>>,
    body: Bytes,
) -> Result<(StatusCode, Json<CreateJobResponse>), JobServiceError> {
    let request: CreateJobRequest = serde_json::from_slice(&body).map_err(|error| {
        JobServiceError::Serialization(format!("the body is not a job request: {error}"))
    })?;
    let job_id = state.create_job(request).await?;
    Ok((StatusCode::CREATED, Json(CreateJobResponse { job_id })))
}

async fn list_jobs(State(state): State<Arc<AppState>>) -> Json<JobList> {
    Json(JobList {
        jobs: state.store.records(),
    })
}

async fn get_job(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<JobRecord>, JobServiceError> {
    let entry = state.store.get(&id).ok_or_else(|| missing(&id))?;
    Ok(Json(entry.record))
}

async fn get_event(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<Value>, JobServiceError> {
    let entry = state.store.get(&id).ok_or_else(|| missing(&id))?;
    Ok(Json(entry.event))
}

async fn stop_job(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Json<JobRecord>, JobServiceError> {
    let record = state.store.stop(&id, crate::random::now_ms())?;
    tracing::info!(job_id = id, "the pipeline was stopped at this job");
    Ok(Json(record))
}

fn missing(id: &str) -> JobServiceError {
    JobServiceError::NotFound(format!("no job {id}"))
}
