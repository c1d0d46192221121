//! Computing a module's manifest, reusing cached hashes of unchanged files.

use std::path::{Path, PathBuf};

use pimlico_proto::{MANIFEST_VERSION, Manifest, ManifestDir, ManifestFile};

use super::cache::{CacheEntry, now_ns, read_cache_sorted, write_cache};
use super::error::ManifestError;
use super::hash::hash_many;
use super::walk::walk;

/// A manifest and what it cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Computed {
    /// The manifest.
    pub manifest: Manifest,
    /// Files hashed now (new, changed, or not cached).
    pub hashed_files: u64,
    /// Bytes read for them.
    pub hashed_bytes: u64,
    /// Files whose hash came from the cache.
    pub cached_files: u64,
}

/// The manifest of the module directory `dir`. Hashes only files that are new or changed since
/// the cache was written, and updates the cache (when the directory is writable). Blocking:
/// call it off the async runtime.
pub fn module_manifest(dir: &Path) -> Result<Computed, ManifestError> {
    let started = now_ns();
    let walked = walk(dir)?;
    let cache = read_cache_sorted(dir);
    let had_cache = cache.is_some();
    let cache = cache.unwrap_or_default();
    let cached_len = cache.len();
    // Both lists are sorted by path: one merge pass matches them, without a map of every
    // path (a cached manifest of 100,000 files is mostly this loop; see docs/performance.md).
    let mut cached = cache.into_iter().peekable();
    let mut entries: Vec<Option<CacheEntry>> = Vec::with_capacity(walked.files.len());
    let mut jobs: Vec<usize> = Vec::new();
    for (i, file) in walked.files.iter().enumerate() {
        while cached.next_if(|e| e.file.path < file.rel).is_some() {}
        match cached.next_if(|e| e.file.path == file.rel) {
            Some(mut entry) if entry.valid_for(file.stat) => {
                // A mode change keeps the content (and the mtime) but must show.
                entry.file.mode = file.mode;
                entries.push(Some(entry));
            }
            _ => {
                entries.push(None);
                jobs.push(i);
            }
        }
    }
    let paths: Vec<PathBuf> = jobs.iter().map(|&i| walked.files[i].abs(dir)).collect();
    let hashes = hash_many(&paths);
    let mut hashed_bytes = 0;
    let dirty = !had_cache || cached_len != walked.files.len() || !jobs.is_empty();
    for ((&i, result), abs) in jobs.iter().zip(hashes).zip(&paths) {
        let file = &walked.files[i];
        let (hash, bytes, now) = result.map_err(|e| ManifestError::io("hash", abs, e))?;
        hashed_bytes += bytes;
        // The state of what was read (its descriptor, after reading) against the walk's.
        if now != file.stat || bytes != file.stat.size {
            return Err(ManifestError::Unsupported {
                path: abs.clone(),
                reason: "it changed while it was being hashed; is a module still writing it?"
                    .into(),
            });
        }
        let entry = ManifestFile {
            path: file.rel.clone(),
            size: file.stat.size,
            mode: file.mode,
            mtime: file.mtime,
            blake3: hash.to_hex().to_string(),
        };
        entries[i] = Some(CacheEntry::new(entry, file.stat, started));
    }
    let entries: Vec<CacheEntry> = entries.into_iter().flatten().collect();
    let files = if dirty {
        let files = entries.iter().map(|e| e.file.clone()).collect();
        if let Err(e) = write_cache(dir, entries) {
            // A read-only store, for example: the manifest is still right, only slower next
            // time.
            tracing::debug!(dir = %dir.display(), error = %e, "cannot write the manifest cache");
        }
        files
    } else {
        entries.into_iter().map(|e| e.file).collect()
    };
    let manifest = Manifest {
        version: MANIFEST_VERSION,
        files,
        dirs: walked
            .dirs
            .iter()
            .map(|d| ManifestDir {
                path: d.rel.clone(),
                mode: d.mode,
                mtime: d.mtime,
            })
            .collect(),
    };
    Ok(Computed {
        manifest,
        hashed_files: jobs.len() as u64,
        hashed_bytes,
        cached_files: (walked.files.len() - jobs.len()) as u64,
    })
}

/// Identifies a manifest: the BLAKE3 hash of its JSON form, 64 hex digits.
pub fn manifest_digest(manifest: &Manifest) -> String {
    let json = serde_json::to_vec(manifest).expect("a manifest serialises");
    blake3::hash(&json).to_hex().to_string()
}
