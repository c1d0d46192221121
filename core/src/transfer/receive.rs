//! The destination side: read a dump stream into the staging area of the output store, check
//! it, and install it with one atomic rename. Whatever goes wrong (a source that dies, a
//! corrupt archive, a concurrent install), the module's previous data stays as it was.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::AsyncRead;

use super::counting::{CountingReader, decoded_counting};
use super::error::TransferError;
use super::progress::Progress;
use crate::archive::{
    ArchiveError, ExtractLimits, ExtractOptions, InstallError, Installed, Staging,
    extract_into_staging, install,
};

/// Where and how to install a received module.
#[derive(Debug, Clone)]
pub struct ReceiveOptions {
    /// The stores' variant roots (`<store>/<pipeline>/<variant>`), output store first: data is
    /// installed into the first; "exists" means present in any.
    pub variant_roots: Vec<PathBuf>,
    /// Pipeline the archive must belong to.
    pub pipeline: String,
    /// Variant the archive must belong to.
    pub variant: String,
    /// The module the archive must hold.
    pub module: String,
    /// Replace existing data.
    pub overwrite: bool,
    /// Size limits for the extraction.
    pub limits: ExtractLimits,
    /// Resumable staging slots idle for longer than this are reclaimed before receiving.
    pub resume_max_age: Duration,
}

/// What was installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The module.
    pub module: String,
    /// Regular files installed.
    pub files: u64,
    /// Bytes of file data installed.
    pub bytes: u64,
    /// Existing data was replaced.
    pub replaced: bool,
    /// Where it was installed.
    pub dir: PathBuf,
    /// Files whose data travelled in this transfer.
    pub transferred_files: u64,
    /// Their bytes.
    pub transferred_bytes: u64,
    /// Files taken from the data already held by the receiver.
    pub reused_files: u64,
    /// Their bytes.
    pub reused_bytes: u64,
    /// Files received by an earlier, interrupted transfer.
    pub resumed_files: u64,
    /// Their bytes.
    pub resumed_bytes: u64,
    /// The receiver already held exactly this data; nothing was changed.
    pub unchanged: bool,
}

/// Refuses, before anything is read, a module that exists in one of the stores unless
/// overwriting was asked for, so a refused transfer costs no bandwidth; the install checks
/// again atomically.
pub(super) fn refuse_existing(options: &ReceiveOptions) -> Result<(), TransferError> {
    match options
        .variant_roots
        .iter()
        .map(|root| root.join(&options.module))
        .find(|dir| dir.exists())
    {
        Some(dir) if !options.overwrite => Err(TransferError::Exists {
            module: options.module.clone(),
            dir,
        }),
        _ => Ok(()),
    }
}

/// Receives one module's whole archive from `reader` and installs it (plain uploads, which
/// carry no manifest; verified transfers use [`Incoming`](super::Incoming)).
pub async fn receive<R>(
    reader: R,
    options: &ReceiveOptions,
    progress: Option<Arc<Progress>>,
) -> Result<Received, TransferError>
where
    R: AsyncRead + Send + Unpin + 'static,
{
    let output_root = options.variant_roots.first().cloned().unwrap_or_default();
    let staging = Staging::new(&output_root);
    let target = staging.module_dir(&options.module)?;
    refuse_existing(options)?;
    let progress = progress.unwrap_or_default();
    let wire = CountingReader::wire(reader, progress.clone());
    let tar = decoded_counting(wire, progress)
        .await
        .map_err(|e| ArchiveError::Corrupt {
            context: "reading the start of the stream".into(),
            source: e,
        })?;
    let extract = ExtractOptions {
        limits: options.limits,
        expected_module: Some(options.module.clone()),
    };
    let staged = extract_into_staging(&staging, tar, &extract).await?;
    let meta = &staged.metadata;
    if meta.pipeline_name != options.pipeline || meta.variant != options.variant {
        return Err(TransferError::WrongPipeline {
            module: options.module.clone(),
            pipeline: options.pipeline.clone(),
            variant: options.variant.clone(),
            found_pipeline: meta.pipeline_name.clone(),
            found_variant: meta.variant.clone(),
        });
    }
    let (files, bytes) = (staged.summary.files, staged.summary.bytes);
    let installed = install(staged, &target, options.overwrite)
        .await
        .map_err(|e| match e {
            InstallError::TargetExists { target, .. } => TransferError::Exists {
                module: options.module.clone(),
                dir: target,
            },
            InstallError::Failed(e) => TransferError::Archive(e),
        })?;
    Ok(Received {
        module: options.module.clone(),
        files,
        bytes,
        replaced: installed == Installed::Replaced,
        dir: target,
        transferred_files: files,
        transferred_bytes: bytes,
        reused_files: 0,
        reused_bytes: 0,
        resumed_files: 0,
        resumed_bytes: 0,
        unchanged: false,
    })
}
