//! The whole route table, and the layers around it.
//!
//! `tests/openapi.rs` reads this file to check that every route is in the OpenAPI document:
//! paths are literals or `MODULE`-based `format!`s.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use tower_http::trace::TraceLayer;

use crate::access::authenticate;
use crate::error::ApiError;
use crate::handlers::{data, health, meta, modules, pipelines, runs, tokens, transfers, verified};
use crate::state::AppState;
use crate::trace::{log_and_count, make_span};

/// Largest JSON body of the endpoints that take a manifest or a file list: a module of a
/// million files has a manifest of about 150 MB.
const MANIFEST_BODY_LIMIT: usize = 512 << 20;

/// The daemon's HTTP API.
pub fn router(state: AppState) -> Router {
    const MODULE: &str = "/v1/pipelines/{pipeline}/{variant}/modules/{module}";
    let authenticated = Router::new()
        .route("/metrics", get(meta::metrics))
        .route("/v1/openapi.json", get(meta::openapi))
        .route("/v1/pipelines", get(pipelines::list))
        .route(
            "/v1/pipelines/{pipeline}/{variant}/status",
            get(pipelines::status),
        )
        .route("/v1/pipelines/{pipeline}/{variant}/runs", post(runs::post))
        .route(
            "/v1/pipelines/{pipeline}/{variant}/pulls",
            post(transfers::post),
        )
        .route(MODULE, get(modules::get))
        .route(&format!("{MODULE}/definition"), get(modules::definition))
        .route(&format!("{MODULE}/unlock"), post(modules::unlock))
        .route(
            &format!("{MODULE}/data"),
            get(data::get).put(data::put).delete(data::delete),
        )
        .route(&format!("{MODULE}/manifest"), get(verified::manifest))
        .route(
            &format!("{MODULE}/data/files"),
            post(verified::files).layer(DefaultBodyLimit::max(MANIFEST_BODY_LIMIT)),
        )
        .route(
            &format!("{MODULE}/data/plan"),
            post(verified::plan).layer(DefaultBodyLimit::max(MANIFEST_BODY_LIMIT)),
        )
        .route(&format!("{MODULE}/verify"), post(verified::verify))
        .route("/v1/runs", get(runs::list))
        .route("/v1/runs/{id}", get(runs::get).delete(runs::delete))
        .route("/v1/runs/{id}/logs", get(runs::logs))
        .route("/v1/transfers", get(transfers::list))
        .route("/v1/transfers/{id}", get(transfers::get))
        .route("/v1/tokens", post(tokens::post))
        .route_layer(from_fn_with_state(state.clone(), authenticate));
    Router::new()
        .route("/v1/health", get(health::get))
        .merge(authenticated)
        .fallback(not_found)
        // Innermost first: errors are logged and counted inside the request's span.
        .layer(from_fn_with_state(state.clone(), log_and_count))
        .layer(TraceLayer::new_for_http().make_span_with(make_span))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such endpoint".into())
}
