//! `GET /v1/pipelines` and `GET /v1/pipelines/{pipeline}/{variant}/status`.

use axum::Json;
use axum::extract::State;
use pimlico_proto::PipelinesResponse;
use pimlico_proto::status::PipelineStatus;
use serde::Deserialize;

use crate::access::Full;
use crate::error::{ApiError, ApiPath, ApiQuery};
use crate::state::AppState;

/// The served pipelines with their variants and config fingerprints.
pub async fn list(
    _: Full,
    State(state): State<AppState>,
) -> Result<Json<PipelinesResponse>, ApiError> {
    let pipelines = state.pipelines().clone();
    let infos = tokio::task::spawn_blocking(move || pipelines.infos())
        .await
        .map_err(|e| ApiError::internal("listing pipelines", e))??;
    Ok(Json(PipelinesResponse { pipelines: infos }))
}

/// Query of the status endpoint.
#[derive(Debug, Deserialize)]
pub struct StatusQuery {
    /// List every module, not only the execution schedule (`status --all`).
    #[serde(default)]
    all: bool,
}

/// The status of the schedule, exactly as `pimlico status --json` prints it.
pub async fn status(
    _: Full,
    State(state): State<AppState>,
    ApiPath((pipeline, variant)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<StatusQuery>,
) -> Result<Json<PipelineStatus>, ApiError> {
    let loaded = state.pipelines().load(&pipeline, &variant).await?;
    let status = tokio::task::spawn_blocking(move || {
        pimlico_core::report::pipeline_status(&loaded.engine(), query.all)
    })
    .await
    .map_err(|e| ApiError::internal("reading statuses", e))?
    .map_err(|e| ApiError::internal("reading statuses", e))?;
    Ok(Json(status))
}
