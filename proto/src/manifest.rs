//! Manifests: what a module directory holds, file by file, with a BLAKE3 hash of each file.
//! Transfers compare them to send only what the destination lacks, and verify every file
//! received against them; `verify` and `diff` compare stored data with them.

use serde::{Deserialize, Serialize};

use crate::data::DataCompression;

/// Version of the manifest format.
pub const MANIFEST_VERSION: u32 = 1;

/// Every regular file and directory of a module directory (locks and our own `.pimlico*`
/// files excluded, as in dumps), sorted by path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Format version ([`MANIFEST_VERSION`]).
    pub version: u32,
    /// Regular files, sorted by path.
    pub files: Vec<ManifestFile>,
    /// Directories below the module directory (not the module directory itself), sorted by
    /// path. Listed so that empty directories travel too.
    #[serde(default)]
    pub dirs: Vec<ManifestDir>,
}

/// One regular file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Path relative to the module directory, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Permission bits (`rwx` for user, group and others).
    pub mode: u32,
    /// Modification time, whole seconds since the Unix epoch (what a dump carries).
    pub mtime: i64,
    /// BLAKE3 hash of the content, 64 lowercase hex digits.
    pub blake3: String,
}

/// One directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestDir {
    /// Path relative to the module directory, `/`-separated.
    pub path: String,
    /// Permission bits.
    pub mode: u32,
    /// Modification time, whole seconds since the Unix epoch.
    pub mtime: i64,
}

impl Manifest {
    /// Total bytes of file data.
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }
}

/// Response to `GET .../modules/{module}/manifest`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestResponse {
    /// The module.
    pub module: String,
    /// Its manifest.
    pub manifest: Manifest,
    /// Files whose hash had to be computed for this answer (new or changed since the
    /// daemon's cached manifest).
    pub hashed_files: u64,
    /// Bytes read to compute those hashes.
    pub hashed_bytes: u64,
    /// Files whose hash came from the cache (unchanged size, modification time and inode).
    pub cached_files: u64,
}

/// Body of `POST .../modules/{module}/data/files`: a dump of only these files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilesRequest {
    /// Paths relative to the module directory, as in its manifest.
    #[serde(default)]
    pub files: Vec<String>,
    /// Compression of the response body.
    #[serde(default)]
    pub compression: DataCompression,
    /// Every file of the module instead of a list (`files` is then ignored): what a receiver
    /// that needs everything asks for, so that neither side handles a list of every path.
    /// The response then has no `X-Pimlico-Files`/`X-Pimlico-Data-Bytes` totals (the
    /// receiver has them from the manifest).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
}

/// Body of `POST .../modules/{module}/data/plan`: the first step of an incremental upload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRequest {
    /// The manifest of the module as the sender has it.
    pub manifest: Manifest,
    /// Replace data that already exists here.
    #[serde(default)]
    pub overwrite: bool,
}

/// What the destination of a transfer already has, and what it still needs. Response to
/// `POST .../data/plan`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanResponse {
    /// The module.
    pub module: String,
    /// Identifies the planned manifest: give it as `?manifest=` to `PUT .../data`.
    pub manifest_digest: String,
    /// Paths the sender must send (one per distinct content still missing).
    pub needed: Vec<String>,
    /// Bytes of file data in `needed`.
    pub needed_bytes: u64,
    /// Files that will be taken from the data the destination already holds.
    pub reused_files: u64,
    /// Their bytes.
    pub reused_bytes: u64,
    /// Files already received and verified by an earlier, interrupted transfer.
    pub resumed_files: u64,
    /// Their bytes.
    pub resumed_bytes: u64,
    /// The destination already holds exactly this data: nothing will be sent or changed.
    pub up_to_date: bool,
}

/// What is wrong with one file, found by `verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// In the manifest, not on disk.
    Missing,
    /// On disk, not in the manifest.
    Unexpected,
    /// The content no longer matches the manifest although size and modification time do:
    /// the file was damaged on disk (or edited with its timestamp restored).
    Corrupt,
    /// The file was modified since the manifest was recorded.
    Modified,
    /// Only the permission bits differ.
    Mode,
}

/// One file that does not match the recorded manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileProblem {
    /// Path relative to the module directory.
    pub path: String,
    /// What is wrong.
    pub kind: ProblemKind,
    /// In words, with the values found and expected.
    pub detail: String,
}

/// Response to `POST .../modules/{module}/verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyResponse {
    /// The module.
    pub module: String,
    /// The store holding the data that was checked (its name in the local config).
    pub store: String,
    /// Files read and hashed.
    pub files: u64,
    /// Bytes read.
    pub bytes: u64,
    /// No manifest had been recorded for this data: one was recorded now, and there was
    /// nothing to compare against.
    pub recorded: bool,
    /// Every file that does not match (empty when the data is intact).
    pub problems: Vec<FileProblem>,
}
