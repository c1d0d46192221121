//! Runs: `POST .../runs` queues one, `GET /v1/runs[/{id}]` reports, `DELETE /v1/runs/{id}`
//! cancels, `GET /v1/runs/{id}/logs` serves (and follows) the log.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use pimlico_proto::{RunInfo, RunRequest, RunsResponse};
use serde::Deserialize;

use crate::access::Full;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery};
use crate::runs;
use crate::state::AppState;

/// Queues a run; 409 if one of its modules is running or busy.
pub async fn post(
    _: Full,
    State(state): State<AppState>,
    ApiPath((pipeline, variant)): ApiPath<(String, String)>,
    ApiJson(request): ApiJson<RunRequest>,
) -> Result<(StatusCode, Json<RunInfo>), ApiError> {
    let loaded = state.pipelines().load(&pipeline, &variant).await?;
    let info = runs::start(&state, loaded, request)?;
    Ok((StatusCode::ACCEPTED, Json(info)))
}

/// Filters of the run list.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pipeline: Option<String>,
    variant: Option<String>,
    module: Option<String>,
}

/// Every run, oldest first.
pub async fn list(
    _: Full,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Json<RunsResponse> {
    let runs = state.runs().list(
        q.pipeline.as_deref(),
        q.variant.as_deref(),
        q.module.as_deref(),
    );
    Json(RunsResponse { runs })
}

/// Query of the run and transfer endpoints.
#[derive(Debug, Deserialize)]
pub struct WaitQuery {
    /// Long poll: answer when it has ended, or after this many seconds (at most 60).
    pub wait: Option<u64>,
}

/// The longest long poll.
pub const MAX_WAIT_SECS: u64 = 60;

/// One run.
pub async fn get(
    _: Full,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<WaitQuery>,
) -> Result<Json<RunInfo>, ApiError> {
    let info = match query.wait {
        Some(secs) => {
            let timeout = std::time::Duration::from_secs(secs.min(MAX_WAIT_SECS));
            state.runs().wait(&id, timeout).await?
        }
        None => state.runs().get(&id)?,
    };
    Ok(Json(info))
}

/// Cancels a run: its running module's process group is killed and the halt recorded.
pub async fn delete(
    _: Full,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<RunInfo>, ApiError> {
    Ok(Json(state.runs().cancel(&id)?))
}

/// Query of the log endpoint.
#[derive(Debug, Deserialize)]
pub struct LogsQuery {
    /// Keep the response open and send new lines until the run ends.
    #[serde(default)]
    follow: bool,
}

/// The run's log, as plain text.
pub async fn logs(
    _: Full,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<LogsQuery>,
) -> Result<Response, ApiError> {
    let stream = runs::log_stream(state.runs(), &id, query.follow)?;
    Ok((
        [(CONTENT_TYPE, "text/plain; charset=utf-8")],
        Body::from_stream(stream),
    )
        .into_response())
}
