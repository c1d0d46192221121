//! Reading a dump stream into a resumable slot, checking every file against the manifest.
//!
//! The archive layer's checks apply unchanged (member types and names, duplicates, sizes,
//! limits, the end of the archive); on top of them every file must be one the manifest lists,
//! with the manifest's size. A thread writes each file to `tmp/` while hashing it, then
//! compares the hash with the manifest's: a match moves it to `objects/<hash>`, a mismatch
//! deletes it and fails the transfer naming the file. Decompression runs in the async task
//! and writing plus hashing on the thread, so the two overlap. Files verified before a failure
//! stay in the slot.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::{mpsc, oneshot};

use super::super::error::TransferError;
use super::super::partial::Toucher;
use crate::archive::{
    ArchiveError, ExtractLimits, ExtractOptions, HEADER_SLACK, Kind, METADATA_MEMBER, Tree,
    check_limits, check_trailer, inspect, is_excluded_name, next_entry, open_dump,
    parse_entry_path,
};
use crate::manifest::HashWriter;

/// Largest piece of file data handed to the writer thread at once.
const DATA_CHUNK: usize = 256 * 1024;

/// What the manifest says about one file.
#[derive(Debug, Clone)]
pub(crate) struct Expected {
    pub(crate) size: u64,
    pub(crate) blake3: String,
}

/// Where and against what a stream is received.
pub(crate) struct Target<'a> {
    pub(crate) module: &'a str,
    pub(crate) pipeline: &'a str,
    pub(crate) variant: &'a str,
    pub(crate) index: &'a HashMap<String, Expected>,
    pub(crate) objects_dir: PathBuf,
    pub(crate) tmp_dir: PathBuf,
    pub(crate) owner: Option<File>,
    pub(crate) limits: ExtractLimits,
}

/// Files verified and kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Verified {
    pub(crate) files: u64,
    pub(crate) bytes: u64,
}

/// Reads a (decompressed) dump from `reader` into the slot.
pub(crate) async fn receive_verified<R>(
    reader: R,
    target: Target<'_>,
) -> Result<Verified, TransferError>
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
            let context = format!("reading the member after {last_name:?}");
            let Some(mut entry) = next_entry(&mut dump.entries, &dump.guard, &context).await?
            else {
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
            let expected = target
                .index
                .get(&path)
                .ok_or_else(|| unexpected("the manifest does not list this file".into()))?;
            if expected.size != member.size {
                return Err(unexpected(format!(
                    "it is {} bytes, but the manifest says {}",
                    member.size, expected.size
                )));
            }
            writer.start(path, expected.blake3.clone()).await?;
            let mut copied = 0u64;
            while copied < member.size {
                let want = usize::try_from(member.size - copied)
                    .unwrap_or(usize::MAX)
                    .min(DATA_CHUNK);
                let mut chunk = BytesMut::with_capacity(want);
                while chunk.len() < want {
                    let n = entry.read_buf(&mut chunk).await.map_err(|e| {
                        ArchiveError::corrupt(format!("reading the data of {:?}", member.shown), e)
                    })?;
                    if n == 0 {
                        return Err(ArchiveError::TruncatedEntry {
                            entry: member.shown.clone(),
                            expected: member.size,
                            found: copied + chunk.len() as u64,
                        }
                        .into());
                    }
                }
                copied += chunk.len() as u64;
                writer.data(chunk.freeze()).await?;
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
    Start { path: String, expected: String },
    Data(Bytes),
    End,
}

struct VerifyWriter {
    ops: Option<mpsc::Sender<Op>>,
    done: Option<oneshot::Receiver<Result<Verified, TransferError>>>,
}

impl VerifyWriter {
    fn spawn(target: &Target<'_>) -> Result<Self, TransferError> {
        let (ops, rx) = mpsc::channel(64);
        let (done_tx, done) = oneshot::channel();
        let mut thread = WriterThread {
            module: target.module.to_string(),
            objects: target.objects_dir.clone(),
            tmp: target.tmp_dir.clone(),
            toucher: Toucher::new(target.owner.as_ref().and_then(|o| o.try_clone().ok())),
            verified: Verified::default(),
            counter: 0,
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
            done: Some(done),
        })
    }

    async fn start(&mut self, path: String, expected: String) -> Result<(), TransferError> {
        self.send(Op::Start { path, expected }).await
    }

    async fn data(&mut self, data: Bytes) -> Result<(), TransferError> {
        self.send(Op::Data(data)).await
    }

    async fn end(&mut self) -> Result<(), TransferError> {
        self.send(Op::End).await
    }

    async fn send(&mut self, op: Op) -> Result<(), TransferError> {
        if let Some(ops) = &self.ops
            && ops.send(op).await.is_ok()
        {
            return Ok(());
        }
        // The thread stopped: its result says why (a mismatch, a full disk).
        self.finish().await.and_then(|_| Err(thread_died()))
    }

    /// Lets the thread finish what it was given and returns what it verified.
    async fn finish(&mut self) -> Result<Verified, TransferError> {
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
    tmp: PathBuf,
    path: String,
    expected: String,
    hash: HashWriter,
}

struct WriterThread {
    module: String,
    objects: PathBuf,
    tmp: PathBuf,
    toucher: Toucher,
    verified: Verified,
    counter: u64,
}

impl WriterThread {
    fn run(&mut self, mut ops: mpsc::Receiver<Op>) -> Result<Verified, TransferError> {
        let mut current: Option<Current> = None;
        let result = self.process(&mut ops, &mut current);
        if let Some(open) = current {
            let _ = std::fs::remove_file(&open.tmp);
        }
        result.map(|()| self.verified)
    }

    fn process(
        &mut self,
        ops: &mut mpsc::Receiver<Op>,
        current: &mut Option<Current>,
    ) -> Result<(), TransferError> {
        while let Some(op) = ops.blocking_recv() {
            match op {
                Op::Start { path, expected } => {
                    self.counter += 1;
                    let tmp = self.tmp.join(self.counter.to_string());
                    let file = OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .mode(0o600)
                        .open(&tmp)
                        .map_err(|source| io("create", &tmp, source))?;
                    *current = Some(Current {
                        file,
                        tmp,
                        path,
                        expected,
                        hash: HashWriter::default(),
                    });
                }
                Op::Data(data) => {
                    let open = current.as_mut().ok_or_else(thread_died)?;
                    open.file
                        .write_all(&data)
                        .map_err(|source| io("write", &open.tmp, source))?;
                    open.hash.update(&data);
                }
                Op::End => {
                    let open = current.take().ok_or_else(thread_died)?;
                    self.commit(open)?;
                    self.toucher.tick();
                }
            }
        }
        Ok(())
    }

    fn commit(&mut self, open: Current) -> Result<(), TransferError> {
        drop(open.file);
        let found = open.hash.hex();
        if found != open.expected {
            let _ = std::fs::remove_file(&open.tmp);
            tracing::warn!(module = %self.module, file = %open.path, "a received file does not match its manifest");
            return Err(TransferError::Mismatch {
                module: self.module.clone(),
                path: open.path,
                expected: open.expected,
                found,
            });
        }
        let object = self.objects.join(&found);
        std::fs::rename(&open.tmp, &object).map_err(|source| io("keep", &object, source))?;
        self.verified.files += 1;
        self.verified.bytes += open.hash.bytes();
        Ok(())
    }
}

fn io(op: &'static str, path: &std::path::Path, source: std::io::Error) -> TransferError {
    TransferError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}
