//! Pulls from another daemon, and their progress.

use serde::{Deserialize, Serialize};

use crate::data::DataCompression;

/// Body of `POST /v1/pipelines/{pipeline}/{variant}/pulls`: fetch modules from another daemon
/// straight into this one's stores.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    /// Base URL of the source daemon (`https://host:7878`).
    pub source: String,
    /// A token for the source: normally one minted there with `POST /v1/tokens`, scoped to
    /// reading these modules.
    pub token: String,
    /// Modules to fetch, by expanded name.
    pub modules: Vec<String>,
    /// Replace data that already exists here.
    #[serde(default)]
    pub overwrite: bool,
    /// Install even when the source defines the module differently.
    #[serde(default)]
    pub ignore_definition_mismatch: bool,
    /// Compression on the wire.
    #[serde(default)]
    pub compression: DataCompression,
    /// PEM certificate(s) to trust for the source, in addition to the system roots.
    #[serde(default)]
    pub ca_pem: Option<String>,
}

/// State of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferState {
    /// Accepted, not started.
    Pending,
    /// Moving data.
    Running,
    /// Every module installed.
    Succeeded,
    /// Stopped by an error (see `error`); modules installed before it stay installed, the
    /// module being moved is left as it was.
    Failed,
}

impl TransferState {
    /// Whether the transfer has ended.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }
}

/// Response to `POST .../pulls` and `GET /v1/transfers/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferInfo {
    /// Transfer identifier.
    pub id: String,
    /// Pipeline name.
    pub pipeline: String,
    /// Variant.
    pub variant: String,
    /// Source daemon.
    pub source: String,
    /// Modules requested.
    pub modules: Vec<String>,
    /// Modules installed so far.
    pub done: Vec<String>,
    /// The module moving now.
    pub current: Option<String>,
    /// Where it is.
    pub state: TransferState,
    /// Archive bytes received (as sent on the wire).
    pub bytes: u64,
    /// Uncompressed tar bytes received: comparable with `total_bytes`.
    pub data_bytes: u64,
    /// Sum of the modules' sizes as announced by the source, when known so far.
    pub total_bytes: Option<u64>,
    /// Files installed.
    pub files: u64,
    /// Number of files announced by the source, when known so far.
    pub total_files: Option<u64>,
    /// Average rate in wire bytes per second since the start.
    pub rate: f64,
    /// Files not sent because this daemon already held their content.
    #[serde(default)]
    pub reused_files: u64,
    /// Their bytes.
    #[serde(default)]
    pub reused_bytes: u64,
    /// Files not sent because an earlier, interrupted transfer had received them.
    #[serde(default)]
    pub resumed_files: u64,
    /// Their bytes.
    #[serde(default)]
    pub resumed_bytes: u64,
    /// Why it failed.
    pub error: Option<String>,
    /// When it was requested (`YYYY-MM-DD HH:MM:SS`, daemon's local time).
    pub created: String,
    /// When it ended.
    pub finished: Option<String>,
}

/// Response to `GET /v1/transfers`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransfersResponse {
    /// Transfers, oldest first.
    pub transfers: Vec<TransferInfo>,
}
