//! Errors of the core library. Every filesystem error says what was being done and where.

use std::io;
use std::path::{Path, PathBuf};

/// A failed filesystem operation, with the operation and the path it concerned.
#[derive(Debug, thiserror::Error)]
#[error("{op} {}: {source}", path.display())]
pub struct IoError {
    /// What was being done (`reading`, `creating directory`, ...).
    pub op: &'static str,
    /// The file or directory concerned.
    pub path: PathBuf,
    /// The underlying error.
    #[source]
    pub source: io::Error,
}

impl IoError {
    /// Wraps an I/O error with its operation and path.
    pub fn new(op: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        Self {
            op,
            path: path.into(),
            source,
        }
    }

    /// The underlying error kind, for callers that treat "not found" specially.
    pub fn kind(&self) -> io::ErrorKind {
        self.source.kind()
    }
}

/// Attaches an operation and a path to `io::Result`s.
pub trait IoContext<T> {
    /// Turns the error into an [`IoError`] naming `op` and `path`.
    fn ctx(self, op: &'static str, path: &Path) -> Result<T, IoError>;
}

impl<T> IoContext<T> for io::Result<T> {
    fn ctx(self, op: &'static str, path: &Path) -> Result<T, IoError> {
        self.map_err(|e| IoError::new(op, path, e))
    }
}

/// Errors of the store layer: module metadata, history, logs, locks, moves.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A filesystem operation failed.
    #[error(transparent)]
    Io(#[from] IoError),
    /// A JSON file (metadata, corpus metadata, lock) could not be parsed.
    #[error("invalid JSON in {}: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// The local config names no store.
    #[error(
        "no storage location was found in local config. You should specify at least one, either \
         as a default 'store' parameter, or a named storage location 'store_<name>'"
    )]
    NoStores,
    /// Anything else, with a message saying what and where.
    #[error("{0}")]
    Invalid(String),
}
