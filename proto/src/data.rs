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
    /// Chosen for the link (the default): none over loopback, where compressing costs more
    /// CPU time than moving the bytes, zstd elsewhere. Clients resolve it from the daemon's
    /// address before asking ([`DataCompression::for_link`]); a daemon asked for it sends zstd.
    #[default]
    Auto,
    /// zstd at a low level: fastest for the size on real networks.
    Zstd,
    /// gzip, as the original's dumps.
    Gzip,
    /// Plain tar, for fast networks or already compressed data.
    None,
}

impl DataCompression {
    /// What `Auto` means on a link: no compression over loopback, zstd otherwise; other
    /// values are what the user asked for and stay.
    pub fn for_link(self, loopback: bool) -> Self {
        match self {
            Self::Auto if loopback => Self::None,
            Self::Auto => Self::Zstd,
            other => other,
        }
    }

    /// Whether this is `Auto` (left out when serialised, so older daemons see their default).
    pub fn is_auto(&self) -> bool {
        *self == Self::Auto
    }

    /// The `Content-Type` of a stream in this compression.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Auto | Self::Zstd => "application/zstd",
            Self::Gzip => "application/gzip",
            Self::None => "application/x-tar",
        }
    }

    /// The query parameter value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Zstd => "zstd",
            Self::Gzip => "gzip",
            Self::None => "none",
        }
    }
}

/// Query of `GET .../modules/{module}/data`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadQuery {
    /// Compression of the response body (`auto`, or absent: zstd).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_depends_on_the_link_and_nothing_else_does() {
        assert_eq!(DataCompression::default(), DataCompression::Auto);
        assert_eq!(DataCompression::Auto.for_link(true), DataCompression::None);
        assert_eq!(DataCompression::Auto.for_link(false), DataCompression::Zstd);
        for explicit in [
            DataCompression::Zstd,
            DataCompression::Gzip,
            DataCompression::None,
        ] {
            assert_eq!(explicit.for_link(true), explicit);
            assert_eq!(explicit.for_link(false), explicit);
        }
    }
}
