//! The pipelines a daemon serves.

use serde::{Deserialize, Serialize};

/// Response to `GET /v1/pipelines`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelinesResponse {
    /// Every pipeline the daemon serves, in the order it was configured.
    pub pipelines: Vec<PipelineInfo>,
}

/// One served pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineInfo {
    /// `[pipeline] name`: the `{pipeline}` path segment of every other endpoint.
    pub name: String,
    /// Every variant, `main` first.
    pub variants: Vec<String>,
    /// BLAKE3 (hex) over the config files as read (main file first, then includes, each
    /// preceded by its length), so clients can tell whether two hosts load the same text.
    pub fingerprint: String,
    /// The main config file on the daemon's host.
    pub config: String,
}
