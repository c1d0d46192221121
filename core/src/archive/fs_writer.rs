//! The extractor's file-system side: a thread that creates the directories and files of a
//! staged module, so disk writes overlap decompression.
//!
//! It only ever writes below its root, a directory it creates itself inside a fresh staging
//! slot, at paths built from validated components. Files are opened with `create_new`
//! (`O_EXCL`), which also refuses to follow a symlink, and nothing here creates a symlink.
//! Permissions (masked to `rwx` bits) and mtimes are set through the open handle; directories
//! get theirs last, deepest first, so a read-only directory cannot block its own extraction.
//!
//! Operations travel to the thread in batches (up to [`BATCH_OPS`] operations or
//! [`BATCH_BYTES`] of data): one message per operation cost two thread wake-ups per small file,
//! which made extracting 100,000 small files mostly a matter of context switches.

use std::fs::{DirBuilder, File, FileTimes, OpenOptions, Permissions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};

use super::error::{ArchiveError, Result};

enum Op {
    Dir {
        rel: String,
        mode: u32,
        mtime: SystemTime,
    },
    File {
        rel: String,
        mode: u32,
        mtime: SystemTime,
    },
    Data(Bytes),
    EndFile,
    Finish,
}

/// Most operations in one batch.
const BATCH_OPS: usize = 256;
/// Most file data in one batch (a chunk may take it a little over).
const BATCH_BYTES: usize = 1 << 20;
/// Batches queued for the thread: with [`BATCH_BYTES`], a few MiB in flight at most.
const QUEUED_BATCHES: usize = 4;

/// Handle to the writer thread.
pub(crate) struct FsWriter {
    ops: mpsc::Sender<Vec<Op>>,
    /// Operations not sent yet, and their bytes of data.
    batch: Vec<Op>,
    batch_bytes: usize,
    /// Taken once the thread's result has been received.
    done: Option<oneshot::Receiver<Result<()>>>,
}

impl FsWriter {
    /// Starts the thread; it creates `root` (which must not exist yet) first.
    pub(crate) fn spawn(root: PathBuf) -> Result<Self> {
        let (ops, rx) = mpsc::channel(QUEUED_BATCHES);
        let (done_tx, done) = oneshot::channel();
        std::thread::Builder::new()
            .name("pimlico-extract".into())
            .spawn(move || {
                let _ = done_tx.send(run(&root, rx));
            })
            .map_err(|e| ArchiveError::io("start a thread for", "extraction", e))?;
        Ok(FsWriter {
            ops,
            batch: Vec::with_capacity(BATCH_OPS),
            batch_bytes: 0,
            done: Some(done),
        })
    }

    pub(crate) async fn dir(&mut self, rel: String, mode: u32, mtime: SystemTime) -> Result<()> {
        self.send(Op::Dir { rel, mode, mtime }).await
    }

    pub(crate) async fn start_file(
        &mut self,
        rel: String,
        mode: u32,
        mtime: SystemTime,
    ) -> Result<()> {
        self.send(Op::File { rel, mode, mtime }).await
    }

    pub(crate) async fn data(&mut self, data: Bytes) -> Result<()> {
        self.send(Op::Data(data)).await
    }

    pub(crate) async fn end_file(&mut self) -> Result<()> {
        self.send(Op::EndFile).await
    }

    /// Applies directory permissions and times and waits until everything is on disk (in the
    /// page cache).
    pub(crate) async fn finish(mut self) -> Result<()> {
        self.send(Op::Finish).await?;
        self.flush().await?;
        drop(self.ops);
        match self.done.take() {
            Some(done) => done.await.unwrap_or_else(|_| Err(thread_died())),
            None => Err(thread_died()),
        }
    }

    /// Stops the thread after an error elsewhere and waits until it has stopped writing.
    pub(crate) async fn abort(self) {
        drop(self.ops);
        if let Some(done) = self.done {
            let _ = done.await;
        }
    }

    /// Queues `op`, and sends the batch once it is full.
    async fn send(&mut self, op: Op) -> Result<()> {
        if let Op::Data(data) = &op {
            self.batch_bytes += data.len();
        }
        self.batch.push(op);
        if self.batch.len() >= BATCH_OPS || self.batch_bytes >= BATCH_BYTES {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<()> {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH_OPS));
        self.batch_bytes = 0;
        if self.ops.send(batch).await.is_ok() {
            return Ok(());
        }
        // The thread stopped early: its result says why (a full disk, a permission problem).
        match self.done.take() {
            Some(done) => match done.await {
                Ok(Err(e)) => Err(e),
                _ => Err(thread_died()),
            },
            None => Err(thread_died()),
        }
    }
}

fn thread_died() -> ArchiveError {
    ArchiveError::io(
        "write",
        "the staging directory",
        std::io::Error::other("the extraction thread stopped unexpectedly"),
    )
}

struct OpenFile {
    file: File,
    path: PathBuf,
    mode: u32,
    mtime: SystemTime,
}

fn run(root: &Path, mut batches: mpsc::Receiver<Vec<Op>>) -> Result<()> {
    let mut dirs = DirBuilder::new();
    dirs.mode(0o755).recursive(true);
    std::fs::create_dir(root).map_err(|e| ArchiveError::io("create", root, e))?;
    let mut dir_attrs: Vec<(PathBuf, u32, SystemTime)> = Vec::new();
    let mut current: Option<OpenFile> = None;
    let mut last_parent = root.to_path_buf();
    while let Some(batch) = batches.blocking_recv() {
        for op in batch {
            match op {
                Op::Dir { rel, mode, mtime } => {
                    let path = root.join(&rel);
                    dirs.create(&path)
                        .map_err(|e| ArchiveError::io("create directory", &path, e))?;
                    dir_attrs.push((path, mode, mtime));
                }
                Op::File { rel, mode, mtime } => {
                    let path = root.join(&rel);
                    let parent = path.parent().unwrap_or(root);
                    if parent != last_parent {
                        dirs.create(parent)
                            .map_err(|e| ArchiveError::io("create directory", parent, e))?;
                        last_parent = parent.to_path_buf();
                    }
                    let file = OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .mode(0o600)
                        .open(&path)
                        .map_err(|e| ArchiveError::io("create", &path, e))?;
                    current = Some(OpenFile {
                        file,
                        path,
                        mode,
                        mtime,
                    });
                }
                Op::Data(data) => {
                    let open = current.as_mut().ok_or_else(protocol_error)?;
                    open.file
                        .write_all(&data)
                        .map_err(|e| ArchiveError::io("write", &open.path, e))?;
                }
                Op::EndFile => {
                    let open = current.take().ok_or_else(protocol_error)?;
                    set_attributes(&open.file, &open.path, open.mode, open.mtime)?;
                }
                Op::Finish => {
                    // Deepest first, so children are done before a parent may become read-only.
                    dir_attrs
                        .sort_by_key(|(path, _, _)| std::cmp::Reverse(path.components().count()));
                    for (path, mode, mtime) in &dir_attrs {
                        let dir =
                            File::open(path).map_err(|e| ArchiveError::io("open", path, e))?;
                        set_attributes(&dir, path, *mode, *mtime)?;
                    }
                    return Ok(());
                }
            }
        }
    }
    Err(ArchiveError::Cancelled)
}

fn set_attributes(file: &File, path: &Path, mode: u32, mtime: SystemTime) -> Result<()> {
    file.set_permissions(Permissions::from_mode(mode))
        .map_err(|e| ArchiveError::io("set permissions of", path, e))?;
    file.set_times(FileTimes::new().set_accessed(mtime).set_modified(mtime))
        .map_err(|e| ArchiveError::io("set the modification time of", path, e))
}

fn protocol_error() -> ArchiveError {
    ArchiveError::io(
        "write",
        "the staging directory",
        std::io::Error::other("file data without a file (internal error)"),
    )
}
