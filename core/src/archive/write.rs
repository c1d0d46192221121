//! Writing a dump into any `AsyncWrite`: a file, an HTTP response body, a pipe to another daemon.
//!
//! Three stages overlap: a producer thread reads the module directory and builds the tar stream,
//! compression threads turn it into gzip members or a zstd frame, and this async function writes
//! the result in order. Memory stays bounded (a few MiB per thread) whatever the module's size.

use std::io;
use std::path::Path;

use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};

use super::compression::Compression;
use super::encode::{Encoder, GZIP_POISON, OutMsg};
use super::error::{ArchiveError, Result};
use super::metadata::DumpMetadata;
use super::names::validate_module_name;
use super::produce::{DumpSummary, produce};
use super::source::Selection;

/// How to write a dump.
#[derive(Debug, Clone, Default)]
pub struct DumpOptions {
    /// Compression and level; gzip at [`Compression::DEFAULT_GZIP_LEVEL`] by default.
    pub compression: Compression,
    /// Dump only these paths (relative to the module directory, `/`-separated) and their parent
    /// directories, for incremental transfers. A selected directory contributes its own entry,
    /// not its contents. `None` dumps everything.
    pub only: Option<Vec<String>>,
    /// gzip compression threads; 0 means one per CPU.
    pub threads: usize,
}

/// Streams `module_dir` as a dump archive (metadata member first, then the directory under
/// `<module_name>/`) into `out`, and flushes it.
///
/// On error nothing more is written except, for gzip, the start of a member that never ends, so
/// the partial output cannot pass for a complete archive. The caller must still treat the
/// output as failed: delete the file, abort the HTTP response.
pub async fn write_dump<W>(
    module_dir: &Path,
    metadata: &DumpMetadata,
    options: &DumpOptions,
    out: &mut W,
) -> Result<DumpSummary>
where
    W: AsyncWrite + Unpin + ?Sized,
{
    validate_module_name(&metadata.module_name)?;
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let (tx, mut rx) = mpsc::channel(threads * 2 + 2);
    let encoder = Encoder::new(options.compression, threads, tx)?;
    let (done_tx, done_rx) = oneshot::channel();
    let module_dir = module_dir.to_path_buf();
    let metadata = metadata.clone();
    let only = options.only.clone();
    std::thread::Builder::new()
        .name("pimlico-dump".into())
        .spawn(move || {
            let selection = match &only {
                Some(paths) => Selection::Only(paths),
                None => Selection::All,
            };
            let _ = done_tx.send(produce(&module_dir, &metadata, selection, encoder));
        })
        .map_err(|e| ArchiveError::Output(io::Error::other(e)))?;

    let mut archive_bytes = 0u64;
    while let Some(msg) = rx.recv().await {
        let data = match msg {
            OutMsg::Data(data) => data,
            OutMsg::Pending(member) => match member.await {
                Ok(Ok(data)) => data,
                Ok(Err(e)) => {
                    return Err(ArchiveError::Output(io::Error::other(format!(
                        "gzip compression failed: {e}"
                    ))));
                }
                Err(_) => {
                    return Err(ArchiveError::Output(io::Error::other(
                        "a gzip compression thread died",
                    )));
                }
            },
        };
        // Returning drops `rx`, which stops the producer at its next chunk.
        out.write_all(&data).await.map_err(ArchiveError::Output)?;
        archive_bytes += data.len() as u64;
    }
    let produced = done_rx.await.unwrap_or_else(|_| {
        Err(ArchiveError::Output(io::Error::other(
            "the dump thread panicked",
        )))
    });
    match produced {
        Ok(mut summary) => {
            out.flush().await.map_err(ArchiveError::Output)?;
            summary.archive_bytes = archive_bytes;
            Ok(summary)
        }
        Err(e) => {
            if matches!(options.compression, Compression::Gzip { .. }) {
                // Best effort: the output is already failed, the error below is what matters.
                let _ = out.write_all(&GZIP_POISON).await;
            }
            let _ = out.flush().await;
            Err(e)
        }
    }
}
