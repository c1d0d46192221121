//! Who may do what: the authentication middleware (every route except health) and the two
//! extractors handlers declare their needs with.
//!
//! - [`Full`]: the daemon's full token (or a daemon without authentication).
//! - [`Reader`]: also scoped tokens; the handler checks the scope with
//!   [`Access::require_read`] once it knows the module.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;

use crate::auth::{Access, now_secs};
use crate::error::ApiError;
use crate::state::AppState;

/// Checks the bearer token and records what it allows; 401 without a valid one.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let header = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let access = state.auth().check(header, now_secs())?;
    request.extensions_mut().insert(access);
    Ok(next.run(request).await)
}

fn access(parts: &Parts) -> Result<Access, ApiError> {
    // A route outside the authenticated router has no Access: refuse rather than allow.
    parts
        .extensions
        .get::<Access>()
        .cloned()
        .ok_or_else(|| ApiError::Unauthorized("a token is required".into()))
}

/// The request carries the daemon's full token.
#[derive(Debug, Clone, Copy)]
pub struct Full;

impl<S: Send + Sync> FromRequestParts<S> for Full {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        access(parts)?.require_full()?;
        Ok(Full)
    }
}

/// The request carries the full token or a scoped one, still to be checked against the module.
#[derive(Debug, Clone)]
pub struct Reader(pub Access);

impl<S: Send + Sync> FromRequestParts<S> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        Ok(Reader(access(parts)?))
    }
}
