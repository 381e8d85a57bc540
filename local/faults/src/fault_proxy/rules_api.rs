//! The faults' part of the environment's control API (served by the job service's listener,
//! next to `/stackflow/jobs`):
//! - `POST /stackflow/aws-faults` with a [`FaultRule`]: set it; answers its [`FaultRecord`].
//! - `GET /stackflow/aws-faults`: every rule with its counts; `GET …/{id}`: one.
//! - `DELETE /stackflow/aws-faults/{id}`: remove one (answers its last counts);
//!   `DELETE /stackflow/aws-faults`: remove all.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use super::rules::{FaultList, FaultRule, Faults};

pub const PATH: &str = "/stackflow/aws-faults";

pub fn routes(faults: Arc<Faults>) -> Router {
    Router::new()
        .route(PATH, get(list).post(add).delete(clear))
        .route(&format!("{PATH}/{{id}}"), get(one).delete(remove))
        .with_state(faults)
}

fn refused(status: StatusCode, message: String) -> Response {
    (status, Json(serde_json::json!({ "message": message }))).into_response()
}

async fn add(State(faults): State<Arc<Faults>>, body: Bytes) -> Response {
    let rule: FaultRule = match serde_json::from_slice(&body) {
        Ok(rule) => rule,
        Err(error) => {
            return refused(
                StatusCode::BAD_REQUEST,
                format!("the body is not a fault rule: {error}"),
            )
        }
    };
    match faults.add(rule) {
        Ok(record) => (StatusCode::CREATED, Json(record)).into_response(),
        Err(problem) => refused(StatusCode::BAD_REQUEST, problem),
    }
}

async fn list(State(faults): State<Arc<Faults>>) -> Json<FaultList> {
    Json(FaultList {
        faults: faults.list(),
    })
}

async fn one(State(faults): State<Arc<Faults>>, Path(id): Path<String>) -> Response {
    match faults.get(&id) {
        Some(record) => Json(record).into_response(),
        None => refused(StatusCode::NOT_FOUND, format!("no fault {id}")),
    }
}

async fn remove(State(faults): State<Arc<Faults>>, Path(id): Path<String>) -> Response {
    match faults.remove(&id) {
        Some(record) => {
            tracing::info!(id, struck = record.struck, "fault removed");
            Json(record).into_response()
        }
        None => refused(StatusCode::NOT_FOUND, format!("no fault {id}")),
    }
}

async fn clear(State(faults): State<Arc<Faults>>) -> StatusCode {
    faults.clear();
    tracing::info!("every fault removed");
    StatusCode::NO_CONTENT
}
