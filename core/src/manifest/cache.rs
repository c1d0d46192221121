//! The manifest cache, `.pimlico-manifest` in the module directory: each file's manifest entry
//! with the state it was hashed in (size, modification time in nanoseconds, inode). It is
//! written atomically (a temporary `.pimlico-manifest.tmp-*` renamed over it); a missing,
//! unreadable or malformed cache only means hashing again.

use std::collections::HashMap;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use pimlico_proto::ManifestFile;
use serde::{Deserialize, Serialize};

use super::walk::StatKey;

/// Name of the cache file inside a module directory.
pub const CACHE_FILE_NAME: &str = ".pimlico-manifest";
const CACHE_VERSION: u32 = 1;
/// A file modified less than this before it was hashed may be modified again without its
/// timestamp changing (timestamps are coarser than the clock); its hash is not trusted later.
pub(crate) const SETTLE_NS: i64 = 1_000_000_000;

#[derive(Debug, Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    files: Vec<CacheEntry>,
}

/// One file's manifest entry and the state it was hashed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CacheEntry {
    #[serde(flatten)]
    pub(crate) file: ManifestFile,
    pub(crate) mtime_ns: i64,
    pub(crate) ino: u64,
    /// The file had not been modified for [`SETTLE_NS`] when it was hashed.
    pub(crate) settled: bool,
}

impl CacheEntry {
    pub(crate) fn new(file: ManifestFile, stat: StatKey, hashed_at_ns: i64) -> Self {
        Self {
            file,
            mtime_ns: stat.mtime_ns,
            ino: stat.ino,
            settled: stat.mtime_ns.saturating_add(SETTLE_NS) < hashed_at_ns,
        }
    }

    /// The cached hash still describes a file in this state.
    pub(crate) fn valid_for(&self, stat: StatKey) -> bool {
        self.settled && self.same_state(stat)
    }

    pub(crate) fn same_state(&self, stat: StatKey) -> bool {
        self.file.size == stat.size && self.mtime_ns == stat.mtime_ns && self.ino == stat.ino
    }
}

/// The cached entries of a module directory by path, or `None` when there is no usable cache.
pub(crate) fn read_cache(dir: &Path) -> Option<HashMap<String, CacheEntry>> {
    Some(
        read_cache_sorted(dir)?
            .into_iter()
            .map(|e| (e.file.path.clone(), e))
            .collect(),
    )
}

/// The cached entries of a module directory sorted by path (as they are written; sorting them
/// again costs one pass then), or `None` when there is no usable cache.
pub(crate) fn read_cache_sorted(dir: &Path) -> Option<Vec<CacheEntry>> {
    let path = dir.join(CACHE_FILE_NAME);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            tracing::debug!(file = %path.display(), error = %e, "cannot read the manifest cache");
            return None;
        }
    };
    match serde_json::from_slice::<CacheFile>(&bytes) {
        Ok(mut cache) if cache.version == CACHE_VERSION => {
            cache.files.sort_by(|a, b| a.file.path.cmp(&b.file.path));
            Some(cache.files)
        }
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(file = %path.display(), error = %e, "ignoring a malformed manifest cache");
            None
        }
    }
}

/// Replaces the cache of `dir` with `entries` (sorted by path by the caller).
pub(crate) fn write_cache(dir: &Path, entries: Vec<CacheEntry>) -> std::io::Result<()> {
    let cache = CacheFile {
        version: CACHE_VERSION,
        files: entries,
    };
    let json = serde_json::to_vec(&cache).map_err(std::io::Error::other)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!("{CACHE_FILE_NAME}.tmp-"))
        .tempfile_in(dir)?;
    tmp.write_all(&json)?;
    tmp.persist(dir.join(CACHE_FILE_NAME))
        .map_err(|e| e.error)?;
    Ok(())
}

/// Records `files` (whose hashes are known, for example because they were verified while
/// received) as the cache of `dir`, with the state each file has now. Files missing from `dir`
/// are left out. Used by receivers after assembling a module, so that the received module is
/// never hashed again and `verify` has a reference. `known` gives the state of files the
/// receiver took from their open descriptors after their last change (mode and time set): a
/// `stat` by path for 100,000 received files cost a quarter of a second (see
/// `docs/performance.md`); the others are looked at in `dir`.
pub(crate) fn record_cache(
    dir: &Path,
    files: &[ManifestFile],
    known: &HashMap<String, StatKey>,
) -> std::io::Result<()> {
    let now = now_ns();
    let mut entries = Vec::with_capacity(files.len());
    for file in files {
        let (stat, mode) = match known.get(&file.path) {
            Some(stat) if stat.size == file.size => (*stat, file.mode),
            _ => {
                let Ok(meta) = std::fs::symlink_metadata(dir.join(&file.path)) else {
                    continue;
                };
                if !meta.is_file() || meta.len() != file.size {
                    continue;
                }
                (StatKey::of(&meta), meta.mode() & 0o777)
            }
        };
        let mut file = file.clone();
        file.mode = mode;
        entries.push(CacheEntry::new(file, stat, now));
    }
    write_cache(dir, entries)
}

/// Nanoseconds since the Unix epoch, as file timestamps count them.
pub(crate) fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}
