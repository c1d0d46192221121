//! `GET /v1/health`: the one endpoint without authentication (load balancers, scripts
//! waiting for start-up). It tells nothing about the pipelines.

use axum::Json;
use axum::extract::State;
use pimlico_proto::HealthResponse;

use crate::state::AppState;

/// Liveness, and whether a shutdown has begun.
pub async fn get(State(state): State<AppState>) -> Json<HealthResponse> {
    let status = if state.shutting_down() {
        "shutting_down"
    } else {
        "ok"
    };
    Json(HealthResponse {
        status: status.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    })
}
