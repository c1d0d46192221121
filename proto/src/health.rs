//! Liveness.

use serde::{Deserialize, Serialize};

/// Response to `GET /v1/health` (the only endpoint that needs no token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthResponse {
    /// `ok`, or `shutting_down` once a shutdown has begun.
    pub status: String,
    /// The daemon's version (`CARGO_PKG_VERSION`).
    pub version: String,
}
