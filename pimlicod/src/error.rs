//! `ApiError`: the one error type of every handler, and its single mapping to a response.
//!
//! Handlers return `Result<_, ApiError>` and use `?`. The status is chosen in one match below;
//! the body is a [`pimlico_proto::ErrorResponse`]. Internal detail (file system errors, engine
//! failures) is never sent: it travels to the logging middleware as a response extension and
//! is logged there, inside the request's span.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pimlico_proto::ErrorResponse;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No token, a wrong token, or an expired scoped token.
    #[error("{0}")]
    Unauthorized(String),
    /// A valid token that does not allow this request (a scoped token used out of scope).
    #[error("{0}")]
    Forbidden(String),
    /// No such pipeline, variant, module, run, transfer or route.
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the state: data exists, the module is running.
    #[error("{0}")]
    Conflict(String),
    /// The request is malformed or asks for something impossible.
    #[error("{0}")]
    BadRequest(String),
    /// The daemon is shutting down.
    #[error("the daemon is shutting down")]
    ShuttingDown,
    /// Anything else: logged in full, answered with a generic message.
    #[error("internal error while {context}")]
    Internal {
        /// What the daemon was doing, phrased to follow "while".
        context: String,
        /// The cause (logged, never sent).
        #[source]
        source: anyhow::Error,
    },
}

impl ApiError {
    /// An internal error with context.
    pub fn internal(context: impl Into<String>, source: impl Into<anyhow::Error>) -> Self {
        Self::Internal {
            context: context.into(),
            source: source.into(),
        }
    }

    /// The status and the stable code sent in the body.
    pub fn status(&self) -> (StatusCode, &'static str) {
        use ApiError as E;
        use StatusCode as S;
        match self {
            E::Unauthorized(_) => (S::UNAUTHORIZED, "unauthorized"),
            E::Forbidden(_) => (S::FORBIDDEN, "forbidden"),
            E::NotFound(_) => (S::NOT_FOUND, "not_found"),
            E::Conflict(_) => (S::CONFLICT, "conflict"),
            E::BadRequest(_) => (S::BAD_REQUEST, "bad_request"),
            E::ShuttingDown => (S::SERVICE_UNAVAILABLE, "unavailable"),
            E::Internal { .. } => (S::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

/// The error behind a response, for the logging middleware.
#[derive(Debug, Clone)]
pub struct LoggedError(pub Arc<ApiError>);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status();
        let body = ErrorResponse {
            code: code.to_string(),
            message: self.to_string(),
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
            .extensions_mut()
            .insert(LoggedError(Arc::new(self)));
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        Self::BadRequest(rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::BadRequest(rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::BadRequest(rejection.body_text())
    }
}

/// `Json` whose rejections are [`ApiError`]s, so malformed bodies get our error body.
#[derive(Debug, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

/// `Query` whose rejections are [`ApiError`]s.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// `Path` whose rejections are [`ApiError`]s.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_has_its_status_and_internal_detail_stays_home() {
        let cases = [
            (ApiError::Unauthorized("x".into()), 401),
            (ApiError::Forbidden("x".into()), 403),
            (ApiError::NotFound("x".into()), 404),
            (ApiError::Conflict("x".into()), 409),
            (ApiError::BadRequest("x".into()), 400),
            (ApiError::ShuttingDown, 503),
        ];
        for (error, status) in cases {
            assert_eq!(error.into_response().status().as_u16(), status);
        }
        let internal = ApiError::internal("reading the store", anyhow::anyhow!("secret /path"));
        assert_eq!(
            internal.to_string(),
            "internal error while reading the store"
        );
        assert_eq!(internal.into_response().status().as_u16(), 500);
    }
}
