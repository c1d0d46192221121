//! The body of every error response.

use serde::{Deserialize, Serialize};

/// Body of every non-2xx response of pimlicod (except `GET /v1/health`, which never fails).
///
/// `code` is stable and meant for programs; `message` is for people and never contains internal
/// detail (file system errors are logged by the daemon, not sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    /// One of `bad_request`, `unauthorized`, `forbidden`, `not_found`, `conflict`,
    /// `unavailable`, `internal`.
    pub code: String,
    /// What went wrong, in words.
    pub message: String,
}
