//! Errors of transfers.

use std::path::PathBuf;

use crate::archive::ArchiveError;
use crate::manifest::ManifestError;

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
    /// A file asked for is not a regular file of the module.
    #[error("module '{module}' has no file '{path}' (it changed since its manifest was read?)")]
    NoFile {
        /// The module.
        module: String,
        /// The path asked for.
        path: String,
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
    /// Computing or accepting a manifest failed.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// Another transfer of the module into this store is using its resumable slot.
    #[error(
        "another transfer of module '{module}' into this store is in progress ({holder}); try \
         again when it has finished"
    )]
    Busy {
        /// The module.
        module: String,
        /// Who holds the slot.
        holder: String,
    },
    /// A received file does not match the sender's manifest.
    #[error(
        "file '{path}' of module '{module}' does not match the sender's manifest (received \
         BLAKE3 {found}, expected {expected}): it was changed at the source after its manifest \
         was read, or damaged on the way. Nothing was installed; the files verified so far are \
         kept, and running the transfer again sends only the rest"
    )]
    Mismatch {
        /// The module.
        module: String,
        /// The file, relative to the module directory.
        path: String,
        /// Hash in the manifest.
        expected: String,
        /// Hash of what arrived.
        found: String,
    },
    /// The stream holds a file the transfer did not ask for, or with another size than the
    /// manifest's.
    #[error("unexpected archive entry {entry:?} for module '{module}': {reason}")]
    Unexpected {
        /// The module.
        module: String,
        /// The entry as named in the archive.
        entry: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The stream ended without every file the transfer needs.
    #[error(
        "the data received for module '{module}' lacks {missing} of the files it needs (first: \
         '{first}'); nothing was installed, and what arrived is kept for the next attempt"
    )]
    Incomplete {
        /// The module.
        module: String,
        /// How many files are missing.
        missing: usize,
        /// One of them.
        first: String,
    },
    /// An incremental upload names a plan that does not exist here (never made, superseded by
    /// another plan, or reclaimed).
    #[error(
        "no upload of module '{module}' with manifest {digest} is planned here (it was never \
         planned, another plan replaced it, or it was reclaimed): plan the upload again"
    )]
    NoPlan {
        /// The module.
        module: String,
        /// The manifest digest given.
        digest: String,
    },
}
