//! The daemon describing itself: `GET /v1/openapi.json` and `GET /metrics`.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

use crate::access::Full;
use crate::state::AppState;

/// The OpenAPI document, the same bytes as `docs/openapi.json` in the repository.
pub const OPENAPI: &str = include_str!("../../../docs/openapi.json");

/// `GET /v1/openapi.json`.
pub async fn openapi(_: Full) -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], OPENAPI)
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(_: Full, State(state): State<AppState>) -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics().render(state.gauges()),
    )
}
