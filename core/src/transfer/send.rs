//! The source side: find a module's data and stream it as a dump archive.
//!
//! A failure while streaming (a file removed or unreadable half-way) must never look like the
//! end of a smaller archive: the error is logged and forwarded into the stream as its last
//! item, so an HTTP response built from it is aborted rather than ended cleanly.

use nix::fcntl::AtFlags;
use nix::sys::stat::{SFlag, fstatat};
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::Stream;
use tokio::io::AsyncWrite;
use tokio::sync::mpsc;
use tokio_util::sync::PollSender;

use super::error::TransferError;
use super::progress::Progress;
use pimlico_proto::DataCompression;

use crate::archive::{
    Compression, CompressionKind, DumpMetadata, DumpOptions, is_excluded_name, write_dump,
};

/// A stream of archive bytes that ends with an `Err` item if the archive could not be finished.
pub type DataStream = Pin<Box<dyn Stream<Item = io::Result<Bytes>> + Send>>;

/// A module's data, found and measured, ready to be streamed.
#[derive(Debug, Clone)]
pub struct ModuleData {
    /// The module directory.
    pub dir: PathBuf,
    /// The metadata member to write first.
    pub metadata: DumpMetadata,
    /// Regular files in it (excluding locks and our own files, as the dump does).
    pub files: u64,
    /// Its approximate size as an uncompressed tar (headers and padding included).
    pub tar_bytes: u64,
    /// Only these files (paths relative to the module directory), for incremental transfers;
    /// `None` sends everything.
    pub only: Option<Vec<String>>,
}

/// Finds `module` in the first of `variant_roots` (`<store>/<pipeline>/<variant>`, output
/// store first) that holds it, and measures it. Blocking: call off the async runtime.
pub fn locate_module(
    variant_roots: &[PathBuf],
    pipeline: &str,
    variant: &str,
    module: &str,
) -> Result<ModuleData, TransferError> {
    let data = find_module(variant_roots, pipeline, variant, module)?;
    let (files, tar_bytes) = measure(&data.dir)?;
    Ok(ModuleData {
        files,
        tar_bytes,
        ..data
    })
}

/// [`locate_module`] without measuring (`files` and `tar_bytes` are 0): for callers that only
/// need the directory, or [`ModuleData::select`] some files, which measures those.
pub fn find_module(
    variant_roots: &[PathBuf],
    pipeline: &str,
    variant: &str,
    module: &str,
) -> Result<ModuleData, TransferError> {
    let dir = variant_roots
        .iter()
        .map(|root| root.join(module))
        .find(|dir| dir.is_dir())
        .ok_or_else(|| TransferError::NoData {
            module: module.to_string(),
            looked: variant_roots
                .iter()
                .map(|r| r.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    Ok(ModuleData {
        metadata: DumpMetadata::now(pipeline, module, variant),
        dir,
        files: 0,
        tar_bytes: 0,
        only: None,
    })
}

impl ModuleData {
    /// Narrows the data to the regular files `paths` (relative, `/`-separated, as in the
    /// module's manifest), measuring them. A path that is not a regular file of the module is
    /// an error naming it, before anything is sent. Blocking.
    pub fn select(mut self, paths: Vec<String>) -> Result<Self, TransferError> {
        let mut bytes = 3 * 512 + 1024;
        // Each file is looked at relative to its directory (`fstatat`), kept open while files
        // of the same directory follow one another (they come in manifest order), not by
        // walking its whole path.
        let mut parent: Option<(String, Option<std::fs::File>)> = None;
        for path in &paths {
            let missing = || TransferError::NoFile {
                module: self.metadata.module_name.clone(),
                path: path.clone(),
            };
            if path.is_empty()
                || path
                    .split('/')
                    .any(|c| c.is_empty() || c == "." || c == ".." || is_excluded_name(c))
            {
                return Err(missing());
            }
            let (dir_rel, name) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
            let (_, dir) = match parent.take() {
                Some((open, dir)) if open == dir_rel => parent.insert((open, dir)),
                _ => {
                    let dir = std::fs::File::open(self.dir.join(dir_rel)).ok();
                    parent.insert((dir_rel.to_owned(), dir))
                }
            };
            let dir = dir.as_ref().ok_or_else(missing)?;
            let stat = fstatat(dir, name, AtFlags::AT_SYMLINK_NOFOLLOW).map_err(|_| missing())?;
            if SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT != SFlag::S_IFREG {
                return Err(missing());
            }
            let size = u64::try_from(stat.st_size).unwrap_or(0);
            bytes += 512 + size.div_ceil(512) * 512 + 512 * path.matches('/').count() as u64;
        }
        self.files = paths.len() as u64;
        self.tar_bytes = bytes;
        self.only = Some(paths);
        Ok(self)
    }
}

/// Counts files and tar bytes below `dir` (the metadata member and the trailer included).
fn measure(dir: &Path) -> Result<(u64, u64), TransferError> {
    let mut files = 0;
    let mut bytes = 3 * 512 + 1024;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let io_err = |op, path: &Path| {
            let path = path.to_path_buf();
            move |source| TransferError::Io { op, path, source }
        };
        for entry in std::fs::read_dir(&dir).map_err(io_err("list", &dir))? {
            let entry = entry.map_err(io_err("list", &dir))?;
            if is_excluded_name(&entry.file_name().to_string_lossy()) {
                continue;
            }
            // Relative to the open directory (fstatat), not a walk of the whole path.
            let meta = entry.metadata().map_err(io_err("stat", &entry.path()))?;
            bytes += 512;
            if meta.is_dir() {
                stack.push(entry.path());
            } else if meta.is_file() {
                files += 1;
                bytes += meta.len().div_ceil(512) * 512;
            }
        }
    }
    Ok((files, bytes))
}

/// zstd level for data on the wire: the fastest level. Networks are rarely slower than a core
/// compressing at level 1, so higher levels would make transfers slower, not faster.
pub const WIRE_ZSTD_LEVEL: i32 = 1;

/// The archive compression used on the wire for a requested compression. `Auto` reaching
/// the sender unresolved (the link is not known here) is zstd.
pub fn wire_compression(requested: DataCompression) -> Compression {
    match requested {
        DataCompression::Auto | DataCompression::Zstd => Compression::Zstd {
            level: WIRE_ZSTD_LEVEL,
        },
        DataCompression::Gzip => Compression::default_for(CompressionKind::Gzip),
        DataCompression::None => Compression::None,
    }
}

/// Streams a module as a dump archive. The archive is produced by a background task with
/// bounded buffering, so memory stays small whatever the module's size; dropping the stream
/// stops the task.
pub fn send_stream(
    data: ModuleData,
    compression: Compression,
    progress: Option<Arc<Progress>>,
) -> DataStream {
    let (tx, rx) = mpsc::channel::<io::Result<Bytes>>(8);
    tokio::spawn(async move {
        let mut writer = ChannelWriter {
            sender: PollSender::new(tx.clone()),
            progress,
        };
        let options = DumpOptions {
            compression,
            only: data.only.clone(),
            ..DumpOptions::default()
        };
        if let Err(e) = write_dump(&data.dir, &data.metadata, &options, &mut writer).await {
            tracing::error!(
                module = %data.metadata.module_name,
                error = %e,
                "module data stream failed; aborting it"
            );
            let _ = tx
                .send(Err(io::Error::other(format!(
                    "the archive is incomplete: {e}"
                ))))
                .await;
        }
    });
    Box::pin(tokio_stream::wrappers::ReceiverStream::new(rx))
}

/// An `AsyncWrite` that hands each write to a channel as one `Bytes` chunk.
struct ChannelWriter {
    sender: PollSender<io::Result<Bytes>>,
    progress: Option<Arc<Progress>>,
}

impl AsyncWrite for ChannelWriter {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let gone = || io::Error::new(io::ErrorKind::BrokenPipe, "the receiver went away");
        match self.sender.poll_reserve(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Err(_)) => return Poll::Ready(Err(gone())),
            Poll::Ready(Ok(())) => {}
        }
        self.sender
            .send_item(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| gone())?;
        if let Some(progress) = &self.progress {
            progress.add_wire(buf.len() as u64);
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
