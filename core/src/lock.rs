//! Execution locks: `.execution_lock` in the output store's module directory.
//!
//! Unlike the original (an existence check on a file with fixed text), the lock is created
//! atomically and records who holds it, so that two runs never execute one module at once and
//! a lock left by a process that died on this host is recognisable as stale.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{IoContext, IoError, StoreError};
use crate::store::Stores;
use crate::time::now_stamp;

/// Name of the lock file inside the module directory.
pub const LOCK_FILE: &str = ".execution_lock";

/// The text the original Pimlico writes into its locks; kept in ours for humans.
const LOCK_MESSAGE: &str = "This module cannot be executed, because it is locked";

/// What a lock file records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockRecord {
    /// Host name of the locking process.
    pub host: String,
    /// Its process id.
    pub pid: u32,
    /// When it took the lock (`YYYY-MM-DD HH:MM:SS`).
    pub started: String,
    /// The original's lock text.
    #[serde(default)]
    pub message: String,
}

/// A lock found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockInfo {
    /// The lock file.
    pub path: PathBuf,
    /// Who holds it; `None` when the file is not ours (e.g. written by the original Pimlico).
    pub record: Option<LockRecord>,
    /// The holder ran on this host and is gone.
    pub stale: bool,
}

impl LockInfo {
    /// `ongoing execution`, or who holds the lock and whether it is stale.
    pub fn describe(&self) -> String {
        match &self.record {
            None => "ongoing execution".to_string(),
            Some(r) if self.stale => format!(
                "stale: process {} on {} (since {}) is no longer running; use the 'unlock' command",
                r.pid, r.host, r.started
            ),
            Some(r) => format!(
                "ongoing execution by process {} on {} since {}",
                r.pid, r.host, r.started
            ),
        }
    }

    /// The wire form used by `status --json`.
    pub fn to_proto(&self) -> pimlico_proto::LockStatus {
        pimlico_proto::LockStatus {
            host: self.record.as_ref().map(|r| r.host.clone()),
            pid: self.record.as_ref().map(|r| r.pid),
            started: self.record.as_ref().map(|r| r.started.clone()),
            stale: self.stale,
        }
    }
}

/// Why a lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Somebody holds it already.
    #[error("module is locked ({})", .0.describe())]
    Held(LockInfo),
    /// The filesystem failed.
    #[error(transparent)]
    Io(#[from] IoError),
}

/// This machine's host name, as recorded in locks.
pub fn this_host() -> String {
    hostname::get()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "localhost".to_string())
}

/// The lock path of a module (always in the output store).
pub fn lock_path(stores: &Stores, module: &str) -> PathBuf {
    stores.output_module_dir(module).join(LOCK_FILE)
}

/// Takes the lock for process `pid`, atomically: the record is written to a temporary file
/// and hard-linked into place, which fails if a lock exists, so a lock is never seen half
/// written.
pub fn acquire(stores: &Stores, module: &str, pid: u32) -> Result<LockRecord, LockError> {
    let dir = stores.output_module_dir(module);
    fs::create_dir_all(&dir).ctx("creating module directory", &dir)?;
    let path = dir.join(LOCK_FILE);
    let record = LockRecord {
        host: this_host(),
        pid,
        started: now_stamp(),
        message: LOCK_MESSAGE.to_string(),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".lock-")
        .tempfile_in(&dir)
        .ctx("creating temporary lock in", &dir)?;
    let text = serde_json::to_string(&record).expect("lock record serialises");
    fs::write(tmp.path(), text).ctx("writing", tmp.path())?;
    match fs::hard_link(tmp.path(), &path) {
        Ok(()) => Ok(record),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => match inspect_path(&path)? {
            Some(info) => Err(LockError::Held(info)),
            // Released between our attempt and our look: the caller may simply retry.
            None => Err(LockError::Io(IoError::new("creating lock", &path, e))),
        },
        Err(e) => Err(IoError::new("creating lock", &path, e).into()),
    }
}

/// The module's lock, if it is locked.
pub fn inspect(stores: &Stores, module: &str) -> Result<Option<LockInfo>, StoreError> {
    Ok(inspect_path(&lock_path(stores, module))?)
}

fn inspect_path(path: &Path) -> Result<Option<LockInfo>, IoError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        // A lock we cannot read as text (e.g. odd bytes) is still a lock.
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => String::new(),
        Err(e) => return Err(IoError::new("reading lock", path, e)),
    };
    let record = serde_json::from_str::<LockRecord>(&text).ok();
    let stale = record
        .as_ref()
        .is_some_and(|r| r.host == this_host() && !process_alive(r.pid));
    Ok(Some(LockInfo {
        path: path.to_path_buf(),
        record,
        stale,
    }))
}

/// Removes the lock whatever holds it (`unlock`). Returns whether there was one.
pub fn remove(stores: &Stores, module: &str) -> Result<bool, IoError> {
    let path = lock_path(stores, module);
    match fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(IoError::new("removing lock", &path, e)),
    }
}

/// Removes the lock only if process `pid` on this host holds it. Returns whether it did.
pub fn release(stores: &Stores, module: &str, pid: u32) -> Result<bool, IoError> {
    let path = lock_path(stores, module);
    match inspect_path(&path)? {
        Some(LockInfo {
            record: Some(r), ..
        }) if r.pid == pid && r.host == this_host() => {
            fs::remove_file(&path).ctx("removing lock", &path)?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// Whether a process exists on this host (zombies count as gone).
pub fn process_alive(pid: u32) -> bool {
    let Ok(raw) = i32::try_from(pid) else {
        return false;
    };
    if raw <= 0 {
        return false;
    }
    match nix::sys::signal::kill(nix::unistd::Pid::from_raw(raw), None) {
        Ok(()) => !is_zombie(pid),
        Err(nix::errno::Errno::EPERM) => true,
        Err(_) => false,
    }
}

fn is_zombie(pid: u32) -> bool {
    // `/proc/<pid>/stat` is `pid (comm) state ...`; comm may contain spaces and parentheses.
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            let after = stat.rsplit_once(')')?.1;
            after
                .split_whitespace()
                .next()
                .map(|s| s == "Z" || s == "X")
        })
        .unwrap_or(false)
}
