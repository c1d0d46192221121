//! Resumable slots: where a verified transfer keeps what it has received, so that running the
//! same transfer again after an interruption sends only the rest.
//!
//! ```text
//! .pimlico-staging/resume-<hash of the module name>.owner   {"pid", "host", "created", "module"}
//! .pimlico-staging/resume-<hash of the module name>/
//!     manifest.json      the manifest being received
//!     objects/<blake3>   file contents received and verified, named by their hash
//!     tmp/               the file being received (cleared whenever the slot is opened)
//! ```
//!
//! There is one slot per module and store. Its owner holds an exclusive `flock` on the owner
//! file while it uses the slot, so two transfers of one module never share it; unlike ordinary
//! staging slots it survives its owner's death, and is reclaimed by the staging cleanup once it
//! has not been used for its maximum age (the owner file's modification time is its last use).
//! A slot holds content, not a module: nothing in it is ever installed as it is. A content
//! exists under `objects/` only once its hash has been checked, so whatever is there can be
//! trusted by the next transfer.

use std::collections::HashMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use pimlico_proto::Manifest;
use serde::{Deserialize, Serialize};

use super::error::TransferError;
use crate::archive::{OWNER_SUFFIX, RESUMABLE_PREFIX, remove_tree, this_host};

const MANIFEST_FILE: &str = "manifest.json";
const OBJECTS: &str = "objects";
const TMP: &str = "tmp";
/// How often a slot in use refreshes its last-use time.
pub(crate) const TOUCH_EVERY: Duration = Duration::from_secs(30);

#[derive(Debug, Serialize, Deserialize)]
struct PartialOwner {
    pid: u32,
    host: String,
    created: String,
    module: String,
}

/// A resumable slot, locked by this process while the value lives.
#[derive(Debug)]
pub(crate) struct Partial {
    dir: PathBuf,
    owner_path: PathBuf,
    owner: File,
}

/// The slot name for `module`: module names may be up to 255 bytes and hold any character a
/// file name can, so the slot is named by a hash.
fn slot_id(module: &str) -> String {
    let hash = blake3::hash(module.as_bytes()).to_hex();
    format!("{RESUMABLE_PREFIX}{}", &hash[..32])
}

impl Partial {
    /// Opens (or creates) the slot of `module` in the staging area `staging_root`, and locks
    /// it. Blocking.
    pub(crate) fn open(staging_root: &Path, module: &str) -> Result<Self, TransferError> {
        let io = |op, path: &Path| {
            let path = path.to_path_buf();
            move |source| TransferError::Io { op, path, source }
        };
        std::fs::create_dir_all(staging_root).map_err(io("create", staging_root))?;
        let id = slot_id(module);
        let dir = staging_root.join(&id);
        let owner_path = staging_root.join(format!("{id}{OWNER_SUFFIX}"));
        let owner = loop {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&owner_path)
                .map_err(io("open", &owner_path))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    let holder = std::fs::read_to_string(&owner_path)
                        .ok()
                        .and_then(|t| serde_json::from_str::<PartialOwner>(&t).ok())
                        .map(|o| format!("process {} on {}", o.pid, o.host))
                        .unwrap_or_else(|| "another process".into());
                    return Err(TransferError::Busy {
                        module: module.to_string(),
                        holder,
                    });
                }
                Err(TryLockError::Error(e)) => return Err(io("lock", &owner_path)(e)),
            }
            // A cleanup may have removed the file between our open and our lock: then we hold
            // a lock on a file nobody else can see, and must start again.
            let same = match (file.metadata(), std::fs::metadata(&owner_path)) {
                (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
                _ => false,
            };
            if same {
                break file;
            }
        };
        let mut partial = Partial {
            dir,
            owner_path,
            owner,
        };
        partial.write_owner(module)?;
        let tmp = partial.dir.join(TMP);
        remove_tree(&tmp).map_err(io("clear", &tmp))?;
        for sub in [OBJECTS, TMP] {
            let path = partial.dir.join(sub);
            std::fs::create_dir_all(&path).map_err(io("create", &path))?;
        }
        Ok(partial)
    }

    fn write_owner(&mut self, module: &str) -> Result<(), TransferError> {
        let record = PartialOwner {
            pid: std::process::id(),
            host: this_host(),
            created: chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string(),
            module: module.to_string(),
        };
        let json = serde_json::to_string(&record).unwrap_or_default();
        let path = self.owner_path.clone();
        let io = |source| TransferError::Io {
            op: "write",
            path: path.clone(),
            source,
        };
        self.owner.set_len(0).map_err(io)?;
        self.owner.write_all(json.as_bytes()).map_err(io)?;
        touch(&self.owner);
        Ok(())
    }

    /// The slot's directory.
    #[cfg(test)]
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where verified contents are kept.
    pub(crate) fn objects_dir(&self) -> PathBuf {
        self.dir.join(OBJECTS)
    }

    /// Where the file being received is written.
    pub(crate) fn tmp_dir(&self) -> PathBuf {
        self.dir.join(TMP)
    }

    /// The verified content with this hash (which may not exist).
    #[cfg(test)]
    pub(crate) fn object(&self, hash: &str) -> PathBuf {
        self.objects_dir().join(hash)
    }

    /// A handle on the owner file, for refreshing the last-use time from another thread.
    pub(crate) fn owner_handle(&self) -> Option<File> {
        self.owner.try_clone().ok()
    }

    /// The verified contents present: hash to size. Blocking.
    pub(crate) fn objects(&self) -> Result<HashMap<String, u64>, TransferError> {
        let dir = self.objects_dir();
        let mut found = HashMap::new();
        let listing = std::fs::read_dir(&dir).map_err(|source| TransferError::Io {
            op: "list",
            path: dir.clone(),
            source,
        })?;
        for entry in listing.flatten() {
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if let Ok(meta) = entry.metadata()
                && meta.is_file()
                && name.len() == 64
            {
                found.insert(name, meta.len());
            }
        }
        Ok(found)
    }

    /// Keeps only the contents `keep` names; others belong to an older version of the module
    /// and can never be used again. Blocking.
    pub(crate) fn retain_objects(&self, keep: &dyn Fn(&str) -> bool) {
        let Ok(listing) = std::fs::read_dir(self.objects_dir()) else {
            return;
        };
        for entry in listing.flatten() {
            let name = entry.file_name();
            if !name.to_str().is_some_and(keep) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Records the manifest being received (for uploads, whose data arrives in a second
    /// request). Blocking.
    pub(crate) fn save_manifest(&self, manifest: &Manifest) -> Result<(), TransferError> {
        let path = self.dir.join(MANIFEST_FILE);
        let json = serde_json::to_vec(manifest).expect("a manifest serialises");
        let io = |source| TransferError::Io {
            op: "write",
            path: path.clone(),
            source,
        };
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(io)?;
        tmp.write_all(&json).map_err(io)?;
        tmp.persist(&path).map_err(|e| io(e.error))?;
        Ok(())
    }

    /// The manifest recorded by [`Partial::save_manifest`], if any. Blocking.
    pub(crate) fn load_manifest(&self) -> Option<Manifest> {
        let bytes = std::fs::read(self.dir.join(MANIFEST_FILE)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Removes the slot (its directory, then its owner file) once its module is installed.
    /// Blocking; a failure only leaves the slot for the cleanup.
    pub(crate) fn remove(self) {
        match remove_tree(&self.dir) {
            Ok(()) => {
                let _ = std::fs::remove_file(&self.owner_path);
            }
            Err(e) => {
                tracing::warn!(dir = %self.dir.display(), error = %e, "cannot remove a resumable staging slot; the cleanup will");
            }
        }
    }
}

/// Sets the owner file's modification time to now: the slot's last use.
pub(crate) fn touch(owner: &File) {
    let _ = owner.set_modified(SystemTime::now());
}

/// Refreshes the last-use time at most every [`TOUCH_EVERY`].
#[derive(Debug)]
pub(crate) struct Toucher {
    owner: Option<File>,
    last: Instant,
}

impl Toucher {
    pub(crate) fn new(owner: Option<File>) -> Self {
        Self {
            owner,
            last: Instant::now(),
        }
    }

    pub(crate) fn tick(&mut self) {
        if self.last.elapsed() >= TOUCH_EVERY {
            if let Some(owner) = &self.owner {
                touch(owner);
            }
            self.last = Instant::now();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_contents_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let staging = dir.path().join(".pimlico-staging");
        let first = Partial::open(&staging, "m[x=1]").unwrap();
        assert!(matches!(
            Partial::open(&staging, "m[x=1]"),
            Err(TransferError::Busy { .. })
        ));
        std::fs::write(first.object(&"a".repeat(64)), b"abc").unwrap();
        std::fs::write(first.tmp_dir().join("half"), b"ab").unwrap();
        drop(first);
        let again = Partial::open(&staging, "m[x=1]").unwrap();
        assert_eq!(again.objects().unwrap().get(&"a".repeat(64)), Some(&3));
        assert!(!again.tmp_dir().join("half").exists(), "tmp/ is cleared");
        let other = Partial::open(&staging, "other").unwrap();
        assert_ne!(other.dir(), again.dir());
        again.remove();
        assert_eq!(
            std::fs::read_dir(&staging).unwrap().count(),
            2,
            "only the other slot"
        );
    }
}
