//! Module data: download, upload and deletion.
//!
//! `GET /v1/pipelines/{pipeline}/{variant}/modules/{module}/data` answers with the module in
//! Pimlico's dump format (a tar whose first member is `dump_metadata.json`), compressed as asked
//! by the `compression` query parameter. `PUT` on the same path takes a dump in any of the three
//! compressions (detected by content).

use serde::{Deserialize, Serialize};

/// Compression of a module data stream.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataCompression {
    /// zstd (the default: fastest for the same size).
    #[default]
    Zstd,
    /// gzip, as the original's dumps.
    Gzip,
    /// Plain tar, for fast networks or already compressed data.
    None,
}

impl DataCompression {
    /// The `Content-Type` of a stream in this compression.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Zstd => "application/zstd",
            Self::Gzip => "application/gzip",
            Self::None => "application/x-tar",
        }
    }

    /// The query parameter value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zstd => "zstd",
            Self::Gzip => "gzip",
            Self::None => "none",
        }
    }
}

/// Query of `GET .../modules/{module}/data`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadQuery {
    /// Compression of the response body.
    #[serde(default)]
    pub compression: DataCompression,
}

/// Query of `PUT .../modules/{module}/data`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadQuery {
    /// Replace data that already exists (`--force-overwrite`); without it an existing module
    /// directory is answered with 409 and left alone.
    #[serde(default)]
    pub overwrite: bool,
    /// Incremental upload: the `manifest_digest` of an earlier `POST .../data/plan`. The body
    /// then holds only the files the plan asked for; every file is verified against the
    /// planned manifest and the rest is taken from data already here.
    #[serde(default)]
    pub manifest: Option<String>,
}

/// Response to `PUT .../modules/{module}/data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadResponse {
    /// The module installed.
    pub module: String,
    /// Regular files installed.
    pub files: u64,
    /// Bytes of file data installed.
    pub bytes: u64,
    /// Whether existing data was replaced.
    pub replaced: bool,
    /// Files whose data travelled in this request (incremental uploads; all files otherwise).
    #[serde(default)]
    pub transferred_files: u64,
    /// Their bytes.
    #[serde(default)]
    pub transferred_bytes: u64,
    /// Files taken from the data already here.
    #[serde(default)]
    pub reused_files: u64,
    /// Their bytes.
    #[serde(default)]
    pub reused_bytes: u64,
    /// Files received by an earlier, interrupted upload.
    #[serde(default)]
    pub resumed_files: u64,
    /// Their bytes.
    #[serde(default)]
    pub resumed_bytes: u64,
    /// The data here was already identical: nothing was changed.
    #[serde(default)]
    pub unchanged: bool,
}

/// Response to `DELETE .../modules/{module}/data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteResponse {
    /// The module.
    pub module: String,
    /// Module directories removed (one per store that held the module).
    pub removed: Vec<String>,
}

/// Response to `POST .../modules/{module}/reset` and `.../unlock`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleActionResponse {
    /// The module.
    pub module: String,
    /// What was done, in words (as the CLI prints it).
    pub message: String,
}

/// Response headers of a download that describe the module before its data arrives, so that
/// clients can show progress against a total.
pub mod headers {
    /// Bytes of file data in the module (uncompressed, without tar framing).
    pub const DATA_BYTES: &str = "x-pimlico-data-bytes";
    /// Number of regular files in the module.
    pub const FILES: &str = "x-pimlico-files";
}
