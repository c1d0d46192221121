//! Pulls from other daemons: `POST .../pulls` starts one, `GET /v1/transfers[/{id}]` shows
//! progress.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use pimlico_proto::{PullRequest, TransferInfo, TransfersResponse};

use super::runs::{MAX_WAIT_SECS, WaitQuery};
use crate::access::Full;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use crate::transfers::start_pull;

/// Starts pulling modules from another daemon into this one's stores.
pub async fn post(
    _: Full,
    State(state): State<AppState>,
    ApiPath((pipeline, variant)): ApiPath<(String, String)>,
    ApiJson(request): ApiJson<PullRequest>,
) -> Result<(StatusCode, Json<TransferInfo>), ApiError> {
    let loaded = state.pipelines().load(&pipeline, &variant).await?;
    let info = start_pull(&state, loaded, request)?;
    Ok((StatusCode::ACCEPTED, Json(info)))
}

/// Every transfer, oldest first.
pub async fn list(_: Full, State(state): State<AppState>) -> Json<TransfersResponse> {
    Json(TransfersResponse {
        transfers: state.transfers().list(),
    })
}

/// One transfer with its progress.
pub async fn get(
    _: Full,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<WaitQuery>,
) -> Result<Json<TransferInfo>, ApiError> {
    let info = match query.wait {
        Some(secs) => {
            let timeout = std::time::Duration::from_secs(secs.min(MAX_WAIT_SECS));
            state.transfers().wait(&id, timeout).await?
        }
        None => state.transfers().get(&id)?,
    };
    Ok(Json(info))
}
