//! Request tracing and the middleware around every handler: one span per request named by the
//! matched route, error logging inside that span, request metrics.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Span;

use crate::error::LoggedError;
use crate::state::AppState;

/// The span of one request. The matched route template (`/v1/runs/{id}`) rather than the raw
/// URI keeps the field low-cardinality and keeps module names out of span names.
pub fn make_span(request: &Request) -> Span {
    let route = route_of(request);
    let method = request.method().as_str();
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default();
    if route == "/v1/health" {
        tracing::debug_span!("request", method, route, client)
    } else {
        tracing::info_span!("request", method, route, client)
    }
}

fn route_of(request: &Request) -> &str {
    request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", MatchedPath::as_str)
}

/// Logs the error behind an error response (with its internal cause) and counts the request.
/// Runs inside the trace layer, so the log line belongs to the request's span.
pub async fn log_and_count(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let route = route_of(&request).to_string();
    let method = request.method().to_string();
    let response = next.run(request).await;
    let status = response.status();
    if let Some(LoggedError(error)) = response.extensions().get::<LoggedError>() {
        // The whole chain of the cause of an internal error or a full disk; refusals carry
        // no hidden cause.
        let cause = error.hidden_cause().map(|source| format!("{source:#}"));
        if cause.is_some() {
            tracing::error!(%status, error = %error, cause = cause.as_deref(), "request failed");
        } else {
            tracing::info!(%status, error = %error, "request refused");
        }
    }
    state.metrics().request(&route, &method, status.as_u16());
    response
}
