//! `ApiError`: the one error type of every handler, and its single mapping to a response.
//!
//! Handlers return `Result<_, ApiError>` and use `?`. The status is chosen in one match below;
//! the body is a [`pimlico_proto::ErrorResponse`]. Internal detail (file system errors, engine
//! failures) is never sent: it travels to the logging middleware as a response extension and
//! is logged there, inside the request's span. One file system error is said, without its
//! detail: a full disk, because only the people running the daemon can fix it, and they can
//! only do so if the person who met it is told.

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
    /// The daemon's disk (or its user's quota) is full. Said plainly, because no change to
    /// the request helps and the fix is simple; the cause (with its paths) is logged, never
    /// sent, as for internal errors.
    #[error(
        "the daemon's disk is full (or its disk quota is used up) while {context}: free space \
         on the daemon's store and try again"
    )]
    StorageFull {
        /// What the daemon was doing, phrased to follow "while"; never a path.
        context: String,
        /// The cause (logged, never sent).
        #[source]
        source: anyhow::Error,
    },
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
    /// An internal error with context; [`ApiError::StorageFull`] instead when the cause is a
    /// full disk, so that every handler's file system failures say so without each checking.
    pub fn internal(context: impl Into<String>, source: impl Into<anyhow::Error>) -> Self {
        let source = source.into();
        if is_storage_full(source.as_ref()) {
            return Self::storage_full(context, source);
        }
        Self::Internal {
            context: context.into(),
            source,
        }
    }

    /// A full disk, for callers that found the cause themselves ([`is_storage_full`]).
    pub fn storage_full(context: impl Into<String>, source: impl Into<anyhow::Error>) -> Self {
        Self::StorageFull {
            context: context.into(),
            source: source.into(),
        }
    }

    /// The cause the client is not sent, for the log.
    pub fn hidden_cause(&self) -> Option<&anyhow::Error> {
        match self {
            Self::Internal { source, .. } | Self::StorageFull { source, .. } => Some(source),
            _ => None,
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
            E::StorageFull { .. } => (S::INSUFFICIENT_STORAGE, "storage_full"),
            E::Internal { .. } => (S::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

/// Whether `error` or anything in its chain of causes is an I/O error saying the disk or the
/// quota is full (`ENOSPC`, `EDQUOT`). An I/O error wrapping another error (`io::Error::new`)
/// hides that error from `source()` (it returns the wrapped error's own source), so the
/// wrapped error is looked into as well.
pub fn is_storage_full(error: &(dyn std::error::Error + 'static)) -> bool {
    use std::io::ErrorKind;
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            if matches!(io.kind(), ErrorKind::StorageFull | ErrorKind::QuotaExceeded) {
                return true;
            }
            if io.get_ref().is_some_and(|inner| is_storage_full(inner)) {
                return true;
            }
        }
        next = error.source();
    }
    false
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

    fn os_error(code: i32) -> std::io::Error {
        std::io::Error::from_raw_os_error(code)
    }

    #[test]
    fn a_full_disk_is_said_without_its_path_wherever_it_is_in_the_chain() {
        for code in [nix::libc::ENOSPC, nix::libc::EDQUOT] {
            let cause = anyhow::Error::new(os_error(code)).context("writing /secret/path/file");
            let error = ApiError::internal("receiving module 'm'", cause);
            let message = error.to_string();
            assert!(
                message.starts_with("the daemon's disk is full"),
                "{message}"
            );
            assert!(message.contains("while receiving module 'm'"), "{message}");
            assert!(
                message.contains("free space on the daemon's store"),
                "{message}"
            );
            assert!(!message.contains("/secret"), "{message}");
            let cause = format!("{:#}", error.hidden_cause().unwrap());
            assert!(
                cause.contains("/secret/path/file"),
                "the log gets it: {cause}"
            );
            let response = error.into_response();
            assert_eq!(response.status().as_u16(), 507);
        }
        // Wrapped in an I/O error of another kind, as stream adapters do.
        let wrapped = std::io::Error::other(os_error(nix::libc::ENOSPC));
        assert!(is_storage_full(&wrapped));
        let nested = std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            std::io::Error::other("tar: failed to unpack"),
        );
        assert!(is_storage_full(&nested));
        // Other file system errors stay internal.
        let other = ApiError::internal("x", os_error(nix::libc::EACCES));
        assert!(matches!(other, ApiError::Internal { .. }));
        assert!(!is_storage_full(&os_error(nix::libc::EFBIG)));
    }
}
