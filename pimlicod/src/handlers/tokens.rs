//! `POST /v1/tokens`: mint a short-lived token scoped to reading some modules, for a peer to
//! pull them with. Only the full token can mint.

use axum::Json;
use axum::extract::State;
use pimlico_proto::{TokenRequest, TokenResponse};

use crate::access::Full;
use crate::auth::{DEFAULT_TTL_SECS, MAX_TTL_SECS, Scope, now_secs};
use crate::error::{ApiError, ApiJson};
use crate::state::AppState;

/// Mints a scoped token.
pub async fn post(
    _: Full,
    State(state): State<AppState>,
    ApiJson(request): ApiJson<TokenRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    if request.modules.is_empty() {
        return Err(ApiError::BadRequest(
            "name the modules the token may read".into(),
        ));
    }
    let loaded = state
        .pipelines()
        .load(&request.pipeline, &request.variant)
        .await?;
    let modules = request
        .modules
        .iter()
        .map(|m| loaded.module_name(m))
        .collect::<Result<Vec<_>, _>>()?;
    let ttl = request
        .ttl_secs
        .unwrap_or(DEFAULT_TTL_SECS)
        .clamp(1, MAX_TTL_SECS);
    let scope = Scope {
        pipeline: request.pipeline,
        variant: request.variant,
        modules,
        expires_at: now_secs() + ttl,
    };
    Ok(Json(TokenResponse {
        token: state.auth().mint(&scope),
        expires_at: scope.expires_at,
    }))
}
