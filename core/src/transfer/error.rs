//! Errors of transfers.

use std::path::PathBuf;

use crate::archive::ArchiveError;

/// Why module data could not be sent or received.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// Reading, writing, extracting or installing the archive failed.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// The destination has the module already and overwriting was not asked for.
    #[error(
        "module '{module}' already has data in {}; nothing was changed (use --force-overwrite to \
         replace it)",
        dir.display()
    )]
    Exists {
        /// The module.
        module: String,
        /// Its existing directory.
        dir: PathBuf,
    },
    /// The archive is of another pipeline or variant.
    #[error(
        "the archive holds module '{module}' of pipeline '{found_pipeline}' variant \
         '{found_variant}', but it is being installed into pipeline '{pipeline}' variant \
         '{variant}'"
    )]
    WrongPipeline {
        /// The module.
        module: String,
        /// Pipeline expected.
        pipeline: String,
        /// Variant expected.
        variant: String,
        /// Pipeline in the archive.
        found_pipeline: String,
        /// Variant in the archive.
        found_variant: String,
    },
    /// The module has no data in any store.
    #[error("module '{module}' has no data in any store (looked in {looked})")]
    NoData {
        /// The module.
        module: String,
        /// The stores searched, comma-separated.
        looked: String,
    },
    /// Reading a module directory failed.
    #[error("cannot {op} {}: {source}", path.display())]
    Io {
        /// What was being done.
        op: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}
