//! Removal of staging slots left by processes that died (killed, crashed, power cut) and, in the
//! one case where a crash can leave module data only in a slot (between the two renames of the
//! journal fallback), putting that data back first.
//!
//! Resumable slots (`resume-*`, kept by verified transfers so that an interrupted transfer can
//! go on where it stopped) are the exception: their owner's death is expected, so they are kept
//! until they have been idle for longer than [`CleanupOptions::resumable_max_age`].

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fs::{OpenOptions, TryLockError};
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::error::{ArchiveError, Result};
use super::staging::{
    JOURNAL, OLD_DIR, OWNER_SUFFIX, OwnerRecord, RESUMABLE_PREFIX, STAGING_DIR_NAME, this_host,
};
use super::util::{blocking, remove_tree};

/// An owner file that is unlocked but still empty may belong to a process that has just created
/// it and is about to lock it; only after this long is it taken as abandoned.
const EMPTY_OWNER_GRACE: Duration = Duration::from_secs(600);

/// How long a resumable slot is kept after its last use when nothing else is configured: a
/// week, so that a transfer that failed on a Friday can still be resumed on Monday.
pub const DEFAULT_RESUMABLE_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);

/// How [`cleanup_stale_staging_with`] treats resumable slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CleanupOptions {
    /// A resumable slot not used for longer than this is removed (its owner file's
    /// modification time is its last use).
    pub resumable_max_age: Duration,
}

impl Default for CleanupOptions {
    fn default() -> Self {
        Self {
            resumable_max_age: DEFAULT_RESUMABLE_MAX_AGE,
        }
    }
}

/// What [`cleanup_stale_staging`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CleanupReport {
    /// Slots of dead processes, removed.
    pub removed: Vec<PathBuf>,
    /// Module directories moved back from a slot where an install was interrupted.
    pub restored: Vec<PathBuf>,
    /// Slots held by live processes, left alone.
    pub live: Vec<PathBuf>,
    /// Slots created on another host sharing this file system, left alone (we cannot tell if
    /// their owner is alive; remove them by hand once it is not).
    pub foreign: Vec<PathBuf>,
    /// Resumable slots not in use and younger than the maximum age, kept for a later transfer.
    pub resumable: Vec<PathBuf>,
}

/// Cleans the staging area of `variant_root`, keeping idle resumable slots for
/// [`DEFAULT_RESUMABLE_MAX_AGE`]. Call it when a store is first used by a process.
pub async fn cleanup_stale_staging(variant_root: &Path) -> Result<CleanupReport> {
    cleanup_stale_staging_with(variant_root, CleanupOptions::default()).await
}

/// [`cleanup_stale_staging`] with an explicit age limit for resumable slots.
pub async fn cleanup_stale_staging_with(
    variant_root: &Path,
    options: CleanupOptions,
) -> Result<CleanupReport> {
    let root = variant_root.join(STAGING_DIR_NAME);
    blocking(move || cleanup(&root, options)).await
}

fn cleanup(root: &Path, options: CleanupOptions) -> Result<CleanupReport> {
    let mut report = CleanupReport::default();
    let listing = match std::fs::read_dir(root) {
        Ok(listing) => listing,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(report),
        Err(e) => return Err(ArchiveError::io("list", root, e)),
    };
    let mut owners = BTreeSet::new();
    let mut dirs = BTreeSet::new();
    for entry in listing {
        let entry = entry.map_err(|e| ArchiveError::io("list", root, e))?;
        let name = entry.file_name();
        if let Some(id) = name.as_bytes().strip_suffix(OWNER_SUFFIX.as_bytes()) {
            owners.insert(OsStr::from_bytes(id).to_owned());
        } else if entry.file_type().is_ok_and(|t| t.is_dir()) {
            dirs.insert(name);
        }
    }
    for id in &owners {
        if id.as_bytes().starts_with(RESUMABLE_PREFIX.as_bytes()) {
            examine_resumable(root, id, options.resumable_max_age, &mut report)?;
        } else {
            examine(root, id, &mut report)?;
        }
    }
    for id in dirs.difference(&owners) {
        // Owners are created before their directory: one that exists now was merely missed by
        // the listing, and the next cleanup will look at it.
        if owner_path(root, id).exists() {
            continue;
        }
        let dir = root.join(id);
        remove_tree(&dir).map_err(|e| ArchiveError::io("remove", &dir, e))?;
        report.removed.push(dir);
    }
    Ok(report)
}

fn owner_path(root: &Path, id: &OsStr) -> PathBuf {
    let mut name = id.to_owned();
    name.push(OWNER_SUFFIX);
    root.join(name)
}

fn examine(root: &Path, id: &OsStr, report: &mut CleanupReport) -> Result<()> {
    let owner_path = owner_path(root, id);
    let dir = root.join(id);
    let mut owner = match OpenOptions::new().read(true).write(true).open(&owner_path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(ArchiveError::io("open", &owner_path, e)),
    };
    match owner.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            report.live.push(dir);
            return Ok(());
        }
        Err(TryLockError::Error(e)) => return Err(ArchiveError::io("lock", &owner_path, e)),
    }
    let mut text = String::new();
    let record = owner
        .read_to_string(&mut text)
        .ok()
        .and_then(|_| serde_json::from_str::<OwnerRecord>(&text).ok());
    match record {
        Some(record) if record.host != this_host() => {
            report.foreign.push(dir);
            return Ok(());
        }
        Some(_) => {}
        None => {
            let age = owner
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .unwrap_or_default();
            if age < EMPTY_OWNER_GRACE {
                report.live.push(dir);
                return Ok(());
            }
        }
    }
    if let Some(target) = recover(&dir)? {
        report.restored.push(target);
    }
    remove_tree(&dir).map_err(|e| ArchiveError::io("remove", &dir, e))?;
    std::fs::remove_file(&owner_path).map_err(|e| ArchiveError::io("remove", &owner_path, e))?;
    report.removed.push(dir);
    Ok(())
}

/// A resumable slot is removed once idle for longer than `max_age` and not in use. Its age is
/// read before anything is locked, so a young slot is never locked by a cleanup and a transfer
/// reopening it never finds it busy.
fn examine_resumable(
    root: &Path,
    id: &OsStr,
    max_age: Duration,
    report: &mut CleanupReport,
) -> Result<()> {
    let owner_path = owner_path(root, id);
    let dir = root.join(id);
    let age = match std::fs::metadata(&owner_path) {
        Ok(meta) => meta
            .modified()
            .ok()
            .and_then(|t| t.elapsed().ok())
            .unwrap_or_default(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(ArchiveError::io("stat", &owner_path, e)),
    };
    if age <= max_age {
        report.resumable.push(dir);
        return Ok(());
    }
    let owner = match OpenOptions::new().read(true).write(true).open(&owner_path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(ArchiveError::io("open", &owner_path, e)),
    };
    match owner.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            report.live.push(dir);
            return Ok(());
        }
        Err(TryLockError::Error(e)) => return Err(ArchiveError::io("lock", &owner_path, e)),
    }
    remove_tree(&dir).map_err(|e| ArchiveError::io("remove", &dir, e))?;
    std::fs::remove_file(&owner_path).map_err(|e| ArchiveError::io("remove", &owner_path, e))?;
    tracing::info!(slot = %dir.display(), "removed a resumable staging slot idle for longer than its maximum age");
    report.removed.push(dir);
    Ok(())
}

/// If an install by two renames was interrupted after the old data was moved into the slot and
/// before the new data took its place, moves the old data back.
fn recover(dir: &Path) -> Result<Option<PathBuf>> {
    let journal = dir.join(JOURNAL);
    let old = dir.join(OLD_DIR);
    let bytes = match std::fs::read(&journal) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(ArchiveError::io("read", &journal, e)),
    };
    let target = PathBuf::from(OsStr::from_bytes(&bytes));
    if std::fs::symlink_metadata(&old).is_err() || std::fs::symlink_metadata(&target).is_ok() {
        return Ok(None);
    }
    std::fs::rename(&old, &target)
        .map_err(|e| ArchiveError::io("restore the previous module data to", &target, e))?;
    tracing::warn!(module_dir = %target.display(), "restored module data from an interrupted install");
    Ok(Some(target))
}
