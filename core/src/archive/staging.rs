//! The staging area, `<store>/<pipeline>/<variant>/.pimlico-staging/`: extraction happens there,
//! on the same file system as the module directories, so installing is a rename.
//!
//! Each extraction gets a slot: a directory `<id>/` and, next to it, an owner file `<id>.owner`
//! recording the pid, host and time, on which the owning process holds an exclusive `flock` for
//! as long as the slot exists. The kernel drops the lock when the process dies, however it dies,
//! which is how [`cleanup_stale_staging`](super::cleanup_stale_staging) tells a live slot from
//! a leftover without trusting pids (which get reused). The owner file is created and locked
//! before the directory, and removed after it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::{ArchiveError, Result};
use super::limits::ExtractSummary;
use super::metadata::DumpMetadata;
use super::names::validate_module_name;
use super::util::{blocking, remove_tree, unique_id};

/// Name of the staging directory inside a variant root. It starts with a dot, and module names
/// starting with `.pimlico` are refused, so it can never be mistaken for a module.
pub const STAGING_DIR_NAME: &str = ".pimlico-staging";
pub(crate) const OWNER_SUFFIX: &str = ".owner";
/// Prefix of resumable slots: kept across their owner's death, for a transfer to go on where it
/// stopped, until they are older than a maximum age (see `cleanup_stale_staging_with`). They
/// hold verified pieces of a module, never a module that could be installed as it is.
pub const RESUMABLE_PREFIX: &str = "resume-";
/// Inside a slot: the extracted module.
const NEW_DIR: &str = "new";
/// Inside a slot: replaced module data awaiting deletion (journal fallback only).
pub(crate) const OLD_DIR: &str = "old";
/// Inside a slot: the install target, written before a two-rename swap.
pub(crate) const JOURNAL: &str = "journal";

/// The staging area of one variant root (`<store>/<pipeline>/<variant>`).
#[derive(Debug, Clone)]
pub struct Staging {
    variant_root: PathBuf,
    root: PathBuf,
}

/// Contents of an owner file.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct OwnerRecord {
    pub(crate) pid: u32,
    pub(crate) host: String,
    pub(crate) created: String,
}

impl Staging {
    /// The staging area of `variant_root`; nothing is created until it is used.
    pub fn new(variant_root: impl Into<PathBuf>) -> Self {
        let variant_root = variant_root.into();
        let root = variant_root.join(STAGING_DIR_NAME);
        Staging { variant_root, root }
    }

    /// The variant root this staging area belongs to.
    pub fn variant_root(&self) -> &Path {
        &self.variant_root
    }

    /// `<variant root>/.pimlico-staging`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where module `module_name` lives in this variant root (the usual install target).
    pub fn module_dir(&self, module_name: &str) -> Result<PathBuf> {
        validate_module_name(module_name)?;
        Ok(self.variant_root.join(module_name))
    }

    /// Creates a new slot (and the staging area and variant root if needed).
    pub(crate) async fn create_slot(&self) -> Result<Slot> {
        let root = self.root.clone();
        blocking(move || Slot::create(&root)).await
    }
}

/// One extraction's corner of the staging area.
#[derive(Debug)]
pub(crate) struct Slot {
    dir: PathBuf,
    owner_path: PathBuf,
    /// Open and locked while the slot exists.
    owner: Option<File>,
    removed: bool,
}

impl Slot {
    fn create(root: &Path) -> Result<Slot> {
        std::fs::create_dir_all(root)
            .map_err(|e| ArchiveError::io("create the staging directory", root, e))?;
        let record = OwnerRecord {
            pid: std::process::id(),
            host: this_host(),
            created: chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string(),
        };
        loop {
            let id = unique_id();
            let owner_path = root.join(format!("{id}{OWNER_SUFFIX}"));
            let mut owner = match OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&owner_path)
            {
                Ok(file) => file,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(ArchiveError::io("create", &owner_path, e)),
            };
            match owner.try_lock() {
                Ok(()) => {}
                // A concurrent cleanup grabbed the fresh, still empty file first; it will
                // remove it later. Take another name.
                Err(TryLockError::WouldBlock) => continue,
                Err(TryLockError::Error(e)) => {
                    let _ = std::fs::remove_file(&owner_path);
                    return Err(ArchiveError::io("lock", &owner_path, e));
                }
            }
            let mut slot = Slot {
                dir: root.join(&id),
                owner_path,
                owner: None,
                removed: false,
            };
            let json = serde_json::to_string(&record).unwrap_or_default();
            owner
                .write_all(json.as_bytes())
                .map_err(|e| ArchiveError::io("write", &slot.owner_path, e))?;
            slot.owner = Some(owner);
            std::fs::create_dir(&slot.dir).map_err(|e| ArchiveError::io("create", &slot.dir, e))?;
            return Ok(slot);
        }
    }

    /// Where the extracted module goes.
    pub(crate) fn new_dir(&self) -> PathBuf {
        self.dir.join(NEW_DIR)
    }

    /// Where a replaced module waits for deletion when installing without `RENAME_EXCHANGE`.
    pub(crate) fn old_dir(&self) -> PathBuf {
        self.dir.join(OLD_DIR)
    }

    /// Records the install target before the first of two renames, for crash recovery.
    pub(crate) fn journal_path(&self) -> PathBuf {
        self.dir.join(JOURNAL)
    }

    /// Removes the slot off the async runtime; errors only leave a leftover for cleanup.
    pub(crate) async fn remove(self) {
        let mut slot = self;
        let _ = blocking(move || {
            slot.remove_now();
            Ok(())
        })
        .await;
    }

    /// Removes the directory, then the owner file, then releases the lock. If the directory
    /// cannot be removed the owner file stays, so a later cleanup retries.
    pub(crate) fn remove_now(&mut self) {
        if self.removed {
            return;
        }
        self.removed = true;
        match remove_tree(&self.dir) {
            Ok(()) => {
                let _ = std::fs::remove_file(&self.owner_path);
            }
            Err(e) => {
                tracing::warn!(dir = %self.dir.display(), error = %e, "cannot remove a staging slot; a later cleanup will retry");
            }
        }
        self.owner.take();
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.remove_now();
    }
}

/// The host name recorded in owner files.
pub(crate) fn this_host() -> String {
    hostname::get()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A module extracted and checked in the staging area, not yet visible as module data. Dropping
/// it without [`install`](super::install) removes it.
#[derive(Debug)]
pub struct StagedModule {
    /// The archive's `dump_metadata.json`.
    pub metadata: DumpMetadata,
    /// The extracted module directory inside the staging slot.
    pub dir: PathBuf,
    /// What was extracted.
    pub summary: ExtractSummary,
    pub(crate) slot: Slot,
}
