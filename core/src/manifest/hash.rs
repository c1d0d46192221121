//! Hashing files with BLAKE3, with reading and hashing overlapped.
//!
//! Many files: a pool of threads (one per CPU) takes files in turn, so one thread's reads
//! overlap the others' hashing. A large file: one thread reads it in 4 MiB blocks into a small
//! ring of buffers while the caller hashes the previous block with BLAKE3's multi-threaded
//! `update_rayon`, so the disk and every core are busy at once. Files are read with plain
//! `read` calls, never memory-mapped: a file truncated under a mapping would kill the process
//! with SIGBUS, and reads are as fast for sequential access.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;

use super::walk::StatKey;
use crate::archive::read_full;

/// Files at least this large are hashed with a reader thread and multi-threaded hashing.
const LARGE_FILE: u64 = 16 << 20;
/// Block size for large files: BLAKE3's parallel hashing pays off from 128 KiB on.
const BLOCK: usize = 4 << 20;
/// Read size for small files.
const SMALL_READ: usize = 256 << 10;
/// Blocks in flight between the reader and the hasher.
const RING: usize = 3;

/// Hashes one file; returns its hash and the number of bytes read. Symbolic links are not
/// followed.
pub fn hash_path(path: &Path) -> io::Result<(blake3::Hash, u64)> {
    let (hash, bytes, _) = hash_with(path, &mut Vec::new())?;
    Ok((hash, bytes))
}

/// [`hash_path`] reading small files through `buf` (reused from file to file: a fresh 256 KiB
/// buffer per file was a `mmap`, page faults and a `munmap` for every 1 KB file), and also
/// returning the file's state once read, from its descriptor (no second walk of its path).
fn hash_with(path: &Path, buf: &mut Vec<u8>) -> io::Result<(blake3::Hash, u64, StatKey)> {
    let mut file = OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NOFOLLOW.bits())
        .open(path)?;
    let size = file.metadata()?.len();
    let (hash, bytes) = if size >= LARGE_FILE {
        hash_large(&mut file)?
    } else {
        hash_small(&mut file, buf)?
    };
    Ok((hash, bytes, StatKey::of(&file.metadata()?)))
}

fn hash_small(file: &mut File, buf: &mut Vec<u8>) -> io::Result<(blake3::Hash, u64)> {
    let mut hasher = blake3::Hasher::new();
    buf.resize(SMALL_READ, 0);
    let mut total = 0u64;
    loop {
        match file.read(buf) {
            Ok(0) => return Ok((hasher.finalize(), total)),
            Ok(n) => {
                hasher.update(&buf[..n]);
                total += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

fn hash_large(file: &mut File) -> io::Result<(blake3::Hash, u64)> {
    let (full_tx, full_rx) = sync_channel::<Vec<u8>>(RING);
    let (empty_tx, empty_rx) = sync_channel::<Vec<u8>>(RING);
    for _ in 0..RING {
        let _ = empty_tx.send(vec![0u8; BLOCK]);
    }
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || -> io::Result<()> {
            while let Ok(mut buf) = empty_rx.recv() {
                buf.resize(BLOCK, 0);
                let n = read_full(file, &mut buf)?;
                buf.truncate(n);
                if full_tx.send(buf).is_err() || n < BLOCK {
                    break;
                }
            }
            Ok(())
        });
        let mut hasher = blake3::Hasher::new();
        let mut total = 0u64;
        for buf in full_rx {
            hasher.update_rayon(&buf);
            total += buf.len() as u64;
            let _ = empty_tx.send(buf);
        }
        reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the reading thread panicked")))?;
        Ok((hasher.finalize(), total))
    })
}

/// A file's hash, the bytes read and its state once read, or why it could not be read.
type Hashed = io::Result<(blake3::Hash, u64, StatKey)>;

/// Hashes many files on a pool of threads; results are in the order of `paths`.
pub(crate) fn hash_many(paths: &[PathBuf]) -> Vec<Hashed> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(paths.len());
    if threads <= 1 {
        let mut buf = Vec::new();
        return paths.iter().map(|p| hash_with(p, &mut buf)).collect();
    }
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<Hashed>> = (0..paths.len()).map(|_| None).collect();
    let done: Vec<Vec<(usize, Hashed)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    let mut buf = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = paths.get(i) else { break };
                        mine.push((i, hash_with(path, &mut buf)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_default())
            .collect()
    });
    for (i, result) in done.into_iter().flatten() {
        results[i] = Some(result);
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(io::Error::other("a hashing thread panicked"))))
        .collect()
}

/// Hashes data as it is written somewhere else, for receivers that check what they write.
#[derive(Debug, Default, Clone)]
pub struct HashWriter {
    hasher: blake3::Hasher,
    bytes: u64,
}

impl HashWriter {
    /// Adds data; large pieces are hashed on several threads.
    pub fn update(&mut self, data: &[u8]) {
        if data.len() >= 256 << 10 {
            self.hasher.update_rayon(data);
        } else {
            self.hasher.update(data);
        }
        self.bytes += data.len() as u64;
    }

    /// Bytes hashed so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The hash, as 64 lowercase hex digits.
    pub fn hex(&self) -> String {
        self.hasher.finalize().to_hex().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_large_and_many_agree_with_one_shot_hashing() {
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for (i, size) in [0usize, 1, 300_000, LARGE_FILE as usize + 12_345]
            .iter()
            .enumerate()
        {
            let data: Vec<u8> = (0..*size).map(|j| (j * 7 + i) as u8).collect();
            let path = dir.path().join(format!("f{i}"));
            std::fs::write(&path, &data).unwrap();
            let (hash, n) = hash_path(&path).unwrap();
            assert_eq!(hash, blake3::hash(&data), "size {size}");
            assert_eq!(n, *size as u64);
            let mut w = HashWriter::default();
            for chunk in data.chunks(300_000) {
                w.update(chunk);
            }
            assert_eq!(w.hex(), blake3::hash(&data).to_hex().to_string());
            paths.push(path);
        }
        paths.push(dir.path().join("missing"));
        let many = hash_many(&paths);
        assert_eq!(many.len(), paths.len());
        for (path, result) in paths.iter().zip(&many).take(4) {
            assert_eq!(result.as_ref().unwrap().0, hash_path(path).unwrap().0);
        }
        assert!(many[4].is_err());
    }
}
