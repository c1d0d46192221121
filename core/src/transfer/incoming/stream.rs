//! Reading a dump stream into a resumable slot, checking every file against the manifest.
//!
//! The archive layer's checks apply unchanged (member types and names, duplicates, sizes,
//! limits, the end of the archive); on top of them every file must be one the manifest lists
//! (in a dump of the whole module, one it does not list is skipped unwritten), with the
//! manifest's size. A thread writes each file straight at its path in the slot's
//! tree while hashing it, then compares the hash with the manifest's: a match gives it the
//! manifest's mode and time and records it in the slot's `verified` journal, a mismatch
//! deletes it and fails the transfer naming the file. Decompression runs in the async task
//! and writing plus hashing on the thread, so the two overlap. Files verified before a failure
//! stay in the slot (the journal is appended after every batch).

use std::collections::{HashMap, HashSet};
use std::fs::{DirBuilder, File, FileTimes, OpenOptions, Permissions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use tokio::io::AsyncRead;
use tokio::sync::{mpsc, oneshot};

use super::super::error::TransferError;
use super::super::partial::{self, Toucher, slot_file};
use crate::archive::{
    ArchiveError, ExtractLimits, ExtractOptions, HEADER_SLACK, Kind, METADATA_MEMBER, Tree,
    check_limits, check_trailer, inspect, is_excluded_name, next_entry, open_dump,
    parse_entry_path, read_chunk,
};
use crate::manifest::{HashWriter, StatKey};
use pimlico_proto::ManifestFile;

/// What the manifest says about one file.
#[derive(Debug, Clone)]
pub(crate) struct Expected {
    pub(crate) blake3: String,
    pub(crate) mode: u32,
    pub(crate) mtime: i64,
}

/// Where and against what a stream is received.
pub(crate) struct Target<'a> {
    pub(crate) module: &'a str,
    pub(crate) pipeline: &'a str,
    pub(crate) variant: &'a str,
    pub(crate) index: &'a HashMap<&'a str, &'a ManifestFile>,
    /// The resumable slot's directory.
    pub(crate) slot_dir: PathBuf,
    /// Its journal of verified files.
    pub(crate) journal: PathBuf,
    /// Paths verified already: a file sent again is written under another name first, so
    /// that a verified file is never replaced by one that fails its check.
    pub(crate) done: HashSet<String>,
    pub(crate) owner: Option<File>,
    pub(crate) limits: ExtractLimits,
    /// Skip files the manifest does not list instead of refusing them (a dump of the whole
    /// module, made after the manifest).
    pub(crate) skip_unlisted: bool,
}

/// Files verified and kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Verified {
    pub(crate) files: u64,
    pub(crate) bytes: u64,
}

/// What one stream kept: the counts, and each file as its journal line says, with its state
/// taken from its descriptor once its mode and time were set (for the manifest cache, without
/// a `stat` by path).
#[derive(Debug, Default)]
pub(crate) struct FromStream {
    pub(crate) verified: Verified,
    pub(crate) files: Vec<(partial::Kept, StatKey)>,
}

/// Reads a (decompressed) dump from `reader` into the slot.
pub(crate) async fn receive_verified<R>(
    reader: R,
    target: Target<'_>,
) -> Result<FromStream, TransferError>
where
    R: AsyncRead + Send + Unpin,
{
    let mut dump = open_dump(reader).await?;
    let meta = &dump.metadata;
    if meta.module_name != target.module {
        return Err(ArchiveError::ModuleMismatch {
            expected: target.module.to_string(),
            found: meta.module_name.clone(),
        }
        .into());
    }
    if meta.pipeline_name != target.pipeline || meta.variant != target.variant {
        return Err(TransferError::WrongPipeline {
            module: target.module.to_string(),
            pipeline: target.pipeline.to_string(),
            variant: target.variant.to_string(),
            found_pipeline: meta.pipeline_name.clone(),
            found_variant: meta.variant.clone(),
        });
    }
    let mut writer = VerifyWriter::spawn(&target)?;
    let options = ExtractOptions {
        limits: target.limits,
        expected_module: None,
    };
    let mut tree = Tree::default();
    let (mut count, mut total) = (0u64, 0u64);
    let mut last_end = dump.metadata_end;
    let mut last_name = METADATA_MEMBER.to_owned();
    let result: Result<(), TransferError> = async {
        loop {
            dump.guard.set_limit(last_end.saturating_add(HEADER_SLACK));
            let context = || format!("reading the member after {last_name:?}");
            let Some(mut entry) = next_entry(&mut dump.entries, &dump.guard, context).await? else {
                break;
            };
            let member = inspect(&mut entry).await?;
            last_end = member.data_end;
            last_name.clone_from(&member.shown);
            dump.guard.set_limit(last_end.saturating_add(HEADER_SLACK));
            count += 1;
            total = total.saturating_add(member.size);
            check_limits(&member, count, total, &options)?;
            let rel = parse_entry_path(&member.raw_name, target.module, member.kind == Kind::Dir)?;
            if rel.0.iter().any(|c| is_excluded_name(c)) {
                continue;
            }
            tree.add(&rel, member.kind, &member.shown)?;
            if member.kind == Kind::Dir {
                continue;
            }
            let path = rel.joined();
            let unexpected = |reason: String| TransferError::Unexpected {
                module: target.module.to_string(),
                entry: member.shown.clone(),
                reason,
            };
            let Some(expected) = target.index.get(path.as_str()) else {
                if target.skip_unlisted {
                    // Its data is skipped by the tar reader when the next member is asked for.
                    tracing::info!(module = target.module, entry = %member.shown, "skipping a file the manifest does not list");
                    continue;
                }
                return Err(unexpected("the manifest does not list this file".into()));
            };
            if expected.size != member.size {
                return Err(unexpected(format!(
                    "it is {} bytes, but the manifest says {}",
                    member.size, expected.size
                )));
            }
            let expected = Expected {
                blake3: expected.blake3.clone(),
                mode: expected.mode,
                mtime: expected.mtime,
            };
            writer.start(path, expected).await?;
            let mut copied = 0u64;
            while copied < member.size {
                let chunk = read_chunk(&mut entry, &member, copied).await?;
                copied += chunk.len() as u64;
                writer.data(chunk).await?;
            }
            writer.end().await?;
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        // A file that failed its check is the better explanation than whatever followed it.
        return Err(match writer.finish().await {
            Err(writer_error @ TransferError::Mismatch { .. }) => writer_error,
            _ => e,
        });
    }
    let guard = dump.guard.clone();
    drop(dump.entries);
    let trailer = check_trailer(dump.archive, &guard, last_end, &last_name).await;
    let verified = writer.finish().await?;
    trailer?;
    Ok(verified)
}

enum Op {
    Start { path: String, expected: Expected },
    Data(Bytes),
    End,
}

/// Most operations in one batch to the writer thread.
const BATCH_OPS: usize = 256;
/// Most file data in one batch (a chunk may take it a little over).
const BATCH_BYTES: usize = 1 << 20;
/// Batches queued for the thread: a few MiB in flight at most.
const QUEUED_BATCHES: usize = 4;

/// Handle to the writer thread. Operations travel in batches: one message per operation cost
/// two thread wake-ups per small file (see `docs/performance.md`).
struct VerifyWriter {
    ops: Option<mpsc::Sender<Vec<Op>>>,
    batch: Vec<Op>,
    batch_bytes: usize,
    done: Option<oneshot::Receiver<Result<FromStream, TransferError>>>,
}

impl VerifyWriter {
    fn spawn(target: &Target<'_>) -> Result<Self, TransferError> {
        let (ops, rx) = mpsc::channel(QUEUED_BATCHES);
        let (done_tx, done) = oneshot::channel();
        let journal = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&target.journal)
            .map_err(|source| io("open", &target.journal, source))?;
        let mut dirs = DirBuilder::new();
        dirs.mode(0o755).recursive(true);
        let mut thread = WriterThread {
            module: target.module.to_string(),
            slot: target.slot_dir.clone(),
            journal,
            journal_path: target.journal.clone(),
            pending: String::new(),
            done: target.done.clone(),
            dirs,
            last_parent: None,
            toucher: Toucher::new(target.owner.as_ref().and_then(|o| o.try_clone().ok())),
            kept: FromStream::default(),
        };
        std::thread::Builder::new()
            .name("pimlico-receive".into())
            .spawn(move || {
                let result = thread.run(rx);
                // Its handle on the owner file shares the slot's lock: close it before anyone
                // learns that the thread is done.
                drop(thread);
                let _ = done_tx.send(result);
            })
            .map_err(|e| TransferError::Io {
                op: "start a thread for",
                path: "receiving".into(),
                source: e,
            })?;
        Ok(Self {
            ops: Some(ops),
            batch: Vec::with_capacity(BATCH_OPS),
            batch_bytes: 0,
            done: Some(done),
        })
    }

    async fn start(&mut self, path: String, expected: Expected) -> Result<(), TransferError> {
        self.send(Op::Start { path, expected }).await
    }

    async fn data(&mut self, data: Bytes) -> Result<(), TransferError> {
        self.send(Op::Data(data)).await
    }

    async fn end(&mut self) -> Result<(), TransferError> {
        self.send(Op::End).await
    }

    /// Queues `op`, and sends the batch once it is full.
    async fn send(&mut self, op: Op) -> Result<(), TransferError> {
        if let Op::Data(data) = &op {
            self.batch_bytes += data.len();
        }
        self.batch.push(op);
        if self.batch.len() >= BATCH_OPS || self.batch_bytes >= BATCH_BYTES {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), TransferError> {
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH_OPS));
        self.batch_bytes = 0;
        if let Some(ops) = &self.ops
            && ops.send(batch).await.is_ok()
        {
            return Ok(());
        }
        // The thread stopped: its result says why (a mismatch, a full disk).
        self.join().await.and_then(|_| Err(thread_died()))
    }

    /// Lets the thread finish what it was given and returns what it verified.
    async fn finish(&mut self) -> Result<FromStream, TransferError> {
        if !self.batch.is_empty() {
            let batch = std::mem::take(&mut self.batch);
            if let Some(ops) = &self.ops {
                // If the thread has stopped, its result below says why.
                let _ = ops.send(batch).await;
            }
        }
        self.join().await
    }

    async fn join(&mut self) -> Result<FromStream, TransferError> {
        self.ops.take();
        match self.done.take() {
            Some(done) => done.await.unwrap_or_else(|_| Err(thread_died())),
            None => Err(thread_died()),
        }
    }
}

fn thread_died() -> TransferError {
    TransferError::Io {
        op: "write",
        path: "the resumable staging slot".into(),
        source: std::io::Error::other("the receiving thread stopped unexpectedly"),
    }
}

struct Current {
    file: File,
    /// Where it is written: its place in the tree, or a temporary name next to it.
    written: PathBuf,
    /// Its place in the tree.
    dest: PathBuf,
    path: String,
    expected: Expected,
    hash: HashWriter,
}

struct WriterThread {
    module: String,
    slot: PathBuf,
    journal: File,
    journal_path: PathBuf,
    /// Journal lines of files verified since the last batch ended.
    pending: String,
    /// Paths verified by earlier attempts (a path comes at most once per stream).
    done: HashSet<String>,
    dirs: DirBuilder,
    /// Parent directory of the last file, created already (files come grouped by directory).
    last_parent: Option<PathBuf>,
    toucher: Toucher,
    kept: FromStream,
}

impl WriterThread {
    fn run(&mut self, mut ops: mpsc::Receiver<Vec<Op>>) -> Result<FromStream, TransferError> {
        let mut current: Option<Current> = None;
        let result = self.process(&mut ops, &mut current);
        if let Some(open) = current {
            let _ = std::fs::remove_file(&open.written);
        }
        let journal = self.write_journal();
        result.and(journal).map(|()| std::mem::take(&mut self.kept))
    }

    fn process(
        &mut self,
        ops: &mut mpsc::Receiver<Vec<Op>>,
        current: &mut Option<Current>,
    ) -> Result<(), TransferError> {
        while let Some(batch) = ops.blocking_recv() {
            for op in batch {
                match op {
                    Op::Start { path, expected } => {
                        *current = Some(self.create(path, expected)?);
                    }
                    Op::Data(data) => {
                        let open = current.as_mut().ok_or_else(thread_died)?;
                        open.file
                            .write_all(&data)
                            .map_err(|source| io("write", &open.written, source))?;
                        open.hash.update(&data);
                    }
                    Op::End => {
                        let open = current.take().ok_or_else(thread_died)?;
                        self.commit(open)?;
                        self.toucher.tick();
                    }
                }
            }
            self.write_journal()?;
        }
        Ok(())
    }

    /// Appends the lines of the files verified since the last call: one write per batch.
    fn write_journal(&mut self) -> Result<(), TransferError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let lines = std::mem::take(&mut self.pending);
        self.journal
            .write_all(lines.as_bytes())
            .map_err(|source| io("write", &self.journal_path, source))
    }

    fn create(&mut self, path: String, expected: Expected) -> Result<Current, TransferError> {
        let dest = slot_file(&self.slot, &path);
        if let Some(parent) = dest.parent()
            && self.last_parent.as_deref() != Some(parent)
        {
            self.dirs
                .create(parent)
                .map_err(|source| io("create", parent, source))?;
            self.last_parent = Some(parent.to_path_buf());
        }
        let written = if self.done.contains(&path) {
            dest.with_file_name(".pimlico-receiving")
        } else {
            dest.clone()
        };
        let open = || {
            OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&written)
        };
        let file = match open() {
            // Left by an interrupted attempt, with its final (read-only) mode already.
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                let _ = std::fs::remove_file(&written);
                open()
            }
            other => other,
        }
        .map_err(|source| io("create", &written, source))?;
        Ok(Current {
            file,
            written,
            dest,
            path,
            expected,
            hash: HashWriter::default(),
        })
    }

    fn commit(&mut self, open: Current) -> Result<(), TransferError> {
        let found = open.hash.hex();
        if found != open.expected.blake3 {
            drop(open.file);
            let _ = std::fs::remove_file(&open.written);
            tracing::warn!(module = %self.module, file = %open.path, "a received file does not match its manifest");
            return Err(TransferError::Mismatch {
                module: self.module.clone(),
                path: open.path,
                expected: open.expected.blake3,
                found,
            });
        }
        let mtime =
            UNIX_EPOCH + Duration::from_secs(u64::try_from(open.expected.mtime).unwrap_or(0));
        open.file
            .set_times(FileTimes::new().set_modified(mtime).set_accessed(mtime))
            .map_err(|source| io("set the modification time of", &open.written, source))?;
        open.file
            .set_permissions(Permissions::from_mode(open.expected.mode))
            .map_err(|source| io("set permissions of", &open.written, source))?;
        // Through the descriptor: no walk of the path. A rename below keeps the inode.
        let stat = open
            .file
            .metadata()
            .map(|meta| StatKey::of(&meta))
            .map_err(|source| io("stat", &open.written, source))?;
        drop(open.file);
        if open.written != open.dest {
            std::fs::rename(&open.written, &open.dest)
                .map_err(|source| io("keep", &open.dest, source))?;
        }
        let kept = partial::Kept {
            path: open.path,
            blake3: found,
            size: open.hash.bytes(),
            mode: open.expected.mode,
            mtime: open.expected.mtime,
        };
        self.pending.push_str(&kept.line());
        self.kept.verified.files += 1;
        self.kept.verified.bytes += kept.size;
        self.kept.files.push((kept, stat));
        Ok(())
    }
}

fn io(op: &'static str, path: &Path, source: std::io::Error) -> TransferError {
    TransferError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}
