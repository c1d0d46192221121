//! Errors of manifests.

use std::path::PathBuf;

/// Why a manifest could not be computed, read or accepted.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// A file-system operation failed.
    #[error("cannot {op} {}: {source}", path.display())]
    Io {
        /// What was being done, phrased to follow "cannot".
        op: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The module directory holds something a manifest (and a dump) cannot describe.
    #[error("cannot describe {} in a manifest: {reason}", path.display())]
    Unsupported {
        /// The offending file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A manifest received from elsewhere is malformed or unsafe.
    #[error("invalid manifest: {0}")]
    Invalid(String),
}

impl ManifestError {
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            op,
            path: path.into(),
            source,
        }
    }
}
