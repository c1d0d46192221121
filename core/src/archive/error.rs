//! Errors of the archive layer. Every rejection of an archive names the entry it is about, so a
//! user can find the offending member with `tar tvf`.

use std::io;
use std::path::PathBuf;

/// Result type of the archive layer.
pub type Result<T, E = ArchiveError> = std::result::Result<T, E>;

/// Everything that can go wrong while dumping, reading, extracting or installing a module archive.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// A file-system operation on our side failed (reading the module, writing the staging area).
    #[error("cannot {op} {}: {source}", path.display())]
    Io {
        /// What we were doing, phrased to follow "cannot".
        op: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },

    /// Writing the archive to its destination failed (a full disk, a client that went away).
    #[error("cannot write the archive: {0}")]
    Output(#[source] io::Error),

    /// The archive stream could not be read: bad compressed data, a bad checksum, a tar header
    /// that makes no sense, or a stream that ends early.
    #[error("corrupt or truncated archive ({context}): {source}")]
    Corrupt {
        /// Where in the archive the problem showed up.
        context: String,
        /// The decoder's or tar reader's error.
        #[source]
        source: io::Error,
    },

    /// The stream holds no bytes at all.
    #[error("the archive is empty")]
    Empty,

    /// The stream is compressed with something we do not read (bzip2, xz, ...).
    #[error(
        "unsupported archive format: {0}; dumps are tar files, plain or compressed with gzip or zstd"
    )]
    UnsupportedFormat(&'static str),

    /// The first member is not `dump_metadata.json`.
    #[error(
        "not a Pimlico dump: dump_metadata.json must be the first member of the archive, {found}"
    )]
    MissingMetadata {
        /// What was found instead, phrased to follow "found".
        found: String,
    },

    /// `dump_metadata.json` is present but unusable.
    #[error("dump_metadata.json is malformed: {0}")]
    BadMetadata(String),

    /// An entry breaks the safety rules (path, type, duplicates, sizes that disagree, ...).
    #[error("unsafe archive entry {entry:?}: {reason}")]
    UnsafeEntry {
        /// The entry's name as stored in the archive (lossily decoded if it is not UTF-8).
        entry: String,
        /// Which rule it breaks.
        reason: String,
    },

    /// An entry pushes the archive over one of the configured [`ExtractLimits`](super::ExtractLimits).
    #[error("archive entry {entry:?} exceeds a limit: {reason}")]
    Limit {
        /// The entry that crossed the limit.
        entry: String,
        /// Which limit, and how to raise it.
        reason: String,
    },

    /// An entry's data stops before the size its header announces.
    #[error(
        "archive entry {entry:?} is truncated: its header announces {expected} bytes but the stream holds only {found}"
    )]
    TruncatedEntry {
        /// The truncated entry.
        entry: String,
        /// The size from the header.
        expected: u64,
        /// The bytes actually present.
        found: u64,
    },

    /// The tar stream ends without its end-of-archive blocks.
    #[error("the archive is truncated: {0}")]
    Truncated(String),

    /// Non-zero bytes follow the end-of-archive blocks.
    #[error("unexpected data after the end of the tar archive ({0})")]
    TrailingData(String),

    /// The archive holds a different module than the caller expected.
    #[error("the archive holds data for module '{found}', but module '{expected}' was expected")]
    ModuleMismatch {
        /// The module the caller asked for.
        expected: String,
        /// The module named in `dump_metadata.json`.
        found: String,
    },

    /// A module name that cannot be a directory name in a store or a dump file name.
    #[error("invalid module name {name:?}: {reason}")]
    InvalidModuleName {
        /// The rejected name.
        name: String,
        /// Why.
        reason: &'static str,
    },

    /// Something in a module directory cannot be put in a dump (a symlink, a socket, a name that
    /// is not UTF-8, a file that changed while it was read, a bad file selection).
    #[error("cannot dump {}: {reason}", path.display())]
    CannotDump {
        /// The file or directory concerned.
        path: PathBuf,
        /// Why.
        reason: String,
    },

    /// The operation was abandoned because its consumer went away.
    #[error("the archive operation was cancelled")]
    Cancelled,
}

impl ArchiveError {
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        ArchiveError::Io {
            op,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn unsafe_entry(entry: impl Into<String>, reason: impl Into<String>) -> Self {
        ArchiveError::UnsafeEntry {
            entry: entry.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn corrupt(context: impl Into<String>, source: io::Error) -> Self {
        ArchiveError::Corrupt {
            context: context.into(),
            source: tidy(source),
        }
    }

    pub(crate) fn cannot_dump(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        ArchiveError::CannotDump {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

/// The tar reader quotes raw header bytes in some messages; for garbage input that is a screen
/// of replacement characters. Keep such messages short and printable.
fn tidy(error: io::Error) -> io::Error {
    let text = error.to_string();
    let garbled = |c: char| c.is_control() || c == '\u{FFFD}';
    if text.len() <= 200 && !text.chars().any(garbled) {
        return error;
    }
    let mut clean: String = text.chars().filter(|&c| !garbled(c)).take(120).collect();
    clean.push_str("...");
    io::Error::new(error.kind(), clean)
}
