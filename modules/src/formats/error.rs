//! Errors of the data layer.
//!
//! Every error that comes from a file names the file, and where it helps the byte offset, so
//! that a user looking at a broken corpus knows which archive to inspect or rebuild.

use std::io;
use std::path::{Path, PathBuf};

/// Result type of the data layer.
pub type Result<T, E = FormatError> = std::result::Result<T, E>;

/// Anything that can go wrong reading or writing Pimlico's on-disk formats.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// An I/O operation on a file failed.
    #[error("could not {op} {}: {source}", path.display())]
    Io {
        /// What we were doing, e.g. "open", "read", "write".
        op: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A file's contents do not follow the format.
    #[error("{}{}: {detail}", path.display(), offset.map(|o| format!(" (byte {o})")).unwrap_or_default())]
    Malformed {
        /// The file concerned.
        path: PathBuf,
        /// Byte offset where the problem was found, if known.
        offset: Option<u64>,
        /// What is wrong.
        detail: String,
    },
    /// A name is already in an archive (Pimarc names are unique per archive).
    #[error("filename '{name}' already in archive {}: cannot add it again", path.display())]
    DuplicateName {
        /// The archive.
        path: PathBuf,
        /// The repeated name.
        name: String,
    },
    /// A name was asked for that is not in an archive.
    #[error("filename '{name}' not found in archive {}", path.display())]
    NameNotFound {
        /// The archive.
        path: PathBuf,
        /// The missing name.
        name: String,
    },
    /// A document's bytes could not be decoded (or a document could not be encoded) as its
    /// document type requires.
    #[error("document '{name}' in archive '{archive}': {source}")]
    Document {
        /// Archive the document belongs to.
        archive: String,
        /// Document name.
        name: String,
        /// What went wrong.
        #[source]
        source: DocError,
    },
    /// The caller asked for something the format cannot represent or the writer forbids.
    #[error("{0}")]
    Invalid(String),
}

impl FormatError {
    /// Wraps an I/O error with the operation and the path.
    pub fn io(op: &'static str, path: impl AsRef<Path>, source: io::Error) -> Self {
        FormatError::Io {
            op,
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// A format violation in `path`.
    pub fn malformed(
        path: impl AsRef<Path>,
        offset: Option<u64>,
        detail: impl Into<String>,
    ) -> Self {
        FormatError::Malformed {
            path: path.as_ref().to_path_buf(),
            offset,
            detail: detail.into(),
        }
    }
}

/// Decoding or encoding one document failed. Documents live in memory, so this carries no path;
/// the corpus reader wraps it in [`FormatError::Document`] with the archive and name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{doc_type}: {detail}")]
pub struct DocError {
    /// Document type whose encoding was violated.
    pub doc_type: &'static str,
    /// What is wrong.
    pub detail: String,
}

impl DocError {
    /// A new document error for the named document type.
    pub fn new(doc_type: &'static str, detail: impl Into<String>) -> Self {
        DocError {
            doc_type,
            detail: detail.into(),
        }
    }
}
