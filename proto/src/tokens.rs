//! Scoped tokens for daemon-to-daemon pulls.

use serde::{Deserialize, Serialize};

/// Body of `POST /v1/tokens`: mint a short-lived token that can only read the named modules of
/// one pipeline variant. Needs the daemon's full token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    /// Pipeline name.
    pub pipeline: String,
    /// Variant.
    pub variant: String,
    /// Modules the token may read (data and definition).
    pub modules: Vec<String>,
    /// Lifetime in seconds; the daemon caps it (one day) and defaults to one hour.
    #[serde(default)]
    pub ttl_secs: Option<u64>,
}

/// Response to `POST /v1/tokens`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// The token, sent as `Authorization: Bearer <token>`.
    pub token: String,
    /// Expiry, in seconds since the Unix epoch.
    pub expires_at: u64,
}
