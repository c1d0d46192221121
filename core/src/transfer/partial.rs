//! Resumable slots: where a verified transfer keeps what it has received, so that running the
//! same transfer again after an interruption sends only the rest.
//!
//! ```text
//! .pimlico-staging/resume-<hash of the module name>.owner   {"pid", "host", "created", "module"}
//! .pimlico-staging/resume-<hash of the module name>/
//!     manifest.json      the manifest being received
//!     verified           one JSON line per file received and verified (path, hash, size, ...)
//!     tree/<path>        the module being received: each file at its own path
//!     status             a received status file (`metadata`), moved into `tree/` last
//! ```
//!
//! A received file is written straight at its path in `tree/` (one create in a small
//! directory, where a flat store of contents cost a create, a rename and a link in a directory
//! of as many entries as the module has files, see `docs/performance.md`). Only the files the
//! `verified` journal lists count: a file that was being written when the receiver died, or
//! anything else not listed, is deleted when the slot is opened again.
//!
//! There is one slot per module and store. Its owner holds an exclusive `flock` on the owner
//! file while it uses the slot, so two transfers of one module never share it; unlike ordinary
//! staging slots it survives its owner's death, and is reclaimed by the staging cleanup once it
//! has not been used for its maximum age (the owner file's modification time is its last use).
//! The tree is installed (moved into an ordinary staging slot and swapped in) only once every
//! file of the manifest is verified; a slot of the older layout (`objects/`, `tmp/`) is simply
//! cleared.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use pimlico_proto::Manifest;
use serde::{Deserialize, Serialize};

use super::error::TransferError;
use crate::archive::{OWNER_SUFFIX, RESUMABLE_PREFIX, remove_tree, this_host};

const MANIFEST_FILE: &str = "manifest.json";
const JOURNAL: &str = "verified";
const TREE: &str = "tree";
const STATUS: &str = "status";
/// The module's status file, kept outside the tree until the module is complete.
pub(crate) const STATUS_FILE: &str = "metadata";
/// Directories of the older slot layout, cleared on opening.
const OLD_LAYOUT: [&str; 2] = ["objects", "tmp"];
/// How often a slot in use refreshes its last-use time.
pub(crate) const TOUCH_EVERY: Duration = Duration::from_secs(30);

/// One file received and verified: a line of the `verified` journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Kept {
    #[serde(rename = "p")]
    pub(crate) path: String,
    #[serde(rename = "h")]
    pub(crate) blake3: String,
    #[serde(rename = "s")]
    pub(crate) size: u64,
    #[serde(rename = "m")]
    pub(crate) mode: u32,
    #[serde(rename = "t")]
    pub(crate) mtime: i64,
}

impl Kept {
    /// The journal line (with its newline).
    pub(crate) fn line(&self) -> String {
        let mut line = serde_json::to_string(self).expect("a journal entry serialises");
        line.push('\n');
        line
    }
}

/// Where the file `path` of the module is kept in the slot `dir`.
pub(crate) fn slot_file(dir: &Path, path: &str) -> PathBuf {
    if path == STATUS_FILE {
        dir.join(STATUS)
    } else {
        dir.join(TREE).join(path)
    }
}

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
        for sub in OLD_LAYOUT {
            let old = partial.dir.join(sub);
            remove_tree(&old).map_err(io("clear", &old))?;
        }
        let tree = partial.tree_dir();
        std::fs::create_dir_all(&tree).map_err(io("create", &tree))?;
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
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The module being received.
    pub(crate) fn tree_dir(&self) -> PathBuf {
        self.dir.join(TREE)
    }

    /// Where a received status file waits until the module is complete.
    pub(crate) fn status_path(&self) -> PathBuf {
        self.dir.join(STATUS)
    }

    /// The journal of verified files.
    pub(crate) fn journal_path(&self) -> PathBuf {
        self.dir.join(JOURNAL)
    }

    /// A handle on the owner file, for refreshing the last-use time from another thread.
    pub(crate) fn owner_handle(&self) -> Option<File> {
        self.owner.try_clone().ok()
    }

    /// The files verified so far, by path (the last line for a path wins; a torn last line is
    /// ignored). Blocking.
    pub(crate) fn verified(&self) -> HashMap<String, Kept> {
        let Ok(text) = std::fs::read_to_string(self.journal_path()) else {
            return HashMap::new();
        };
        text.lines()
            .filter_map(|line| serde_json::from_str::<Kept>(line).ok())
            .map(|k| (k.path.clone(), k))
            .collect()
    }

    /// Keeps only the verified files that `manifest` lists at the same path with the same
    /// content and that are still there; deletes everything else in the tree (files of an
    /// older version of the module, a file that was being written when its receiver died,
    /// directories the manifest does not have) and rewrites the journal. Blocking.
    pub(crate) fn retain(
        &self,
        manifest: &Manifest,
    ) -> Result<HashMap<String, Kept>, TransferError> {
        let wanted: HashMap<&str, (&str, u64)> = manifest
            .files
            .iter()
            .map(|f| (f.path.as_str(), (f.blake3.as_str(), f.size)))
            .collect();
        let dirs: HashSet<&str> = manifest.dirs.iter().map(|d| d.path.as_str()).collect();
        let mut kept: HashMap<String, Kept> = self
            .verified()
            .into_iter()
            .filter_map(|(path, mut k)| {
                if wanted.get(path.as_str()) != Some(&(k.blake3.as_str(), k.size)) {
                    return None;
                }
                let meta = std::fs::symlink_metadata(slot_file(&self.dir, &path)).ok()?;
                if !meta.is_file() || meta.len() != k.size {
                    return None;
                }
                // An install that failed after setting other attributes gave the tree back:
                // record what the file has, so that the next assembly corrects it.
                k.mode = meta.mode() & 0o777;
                k.mtime = meta.mtime();
                Some((path, k))
            })
            .collect();
        let tree = self.tree_dir();
        prune(&tree, "", &kept, &dirs);
        if let Some(status) = kept.get(STATUS_FILE).cloned()
            && !self.status_path().is_file()
        {
            kept.remove(&status.path);
        }
        if !kept.contains_key(STATUS_FILE) {
            let _ = std::fs::remove_file(self.status_path());
        }
        let journal = self.journal_path();
        let io = |source| TransferError::Io {
            op: "write",
            path: journal.clone(),
            source,
        };
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(io)?;
        let text: String = kept.values().map(Kept::line).collect();
        tmp.write_all(text.as_bytes()).map_err(io)?;
        tmp.persist(&journal).map_err(|e| io(e.error))?;
        Ok(kept)
    }

    /// Records the manifest being received (for uploads, whose data arrives in a second
    /// request) and returns its digest ([`crate::manifest::manifest_digest`], from the same
    /// JSON: serialising 100,000 entries twice cost 30 ms). Blocking.
    pub(crate) fn save_manifest(&self, manifest: &Manifest) -> Result<String, TransferError> {
        let path = self.dir.join(MANIFEST_FILE);
        let json = serde_json::to_vec(manifest).expect("a manifest serialises");
        let digest = blake3::hash(&json).to_hex().to_string();
        let io = |source| TransferError::Io {
            op: "write",
            path: path.clone(),
            source,
        };
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(io)?;
        tmp.write_all(&json).map_err(io)?;
        tmp.persist(&path).map_err(|e| io(e.error))?;
        Ok(digest)
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

/// Deletes from the tree under `dir` (`rel` is its path in the module) every file `kept` does
/// not list and every directory `dirs` does not list, and makes the directories writable
/// again (an install that failed may have given them their final, read-only, modes). Errors
/// only leave something that the next install then refuses to count.
fn prune(dir: &Path, rel: &str, kept: &HashMap<String, Kept>, dirs: &HashSet<&str>) {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return;
    };
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755));
    for entry in listing.flatten() {
        let path = entry.path();
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            if remove_tree(&path).is_err() {
                let _ = std::fs::remove_file(&path);
            }
            continue;
        };
        let child = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        match entry.file_type() {
            Ok(t) if t.is_dir() && dirs.contains(child.as_str()) => {
                prune(&path, &child, kept, dirs);
            }
            Ok(t) if t.is_file() && child != STATUS_FILE && kept.contains_key(&child) => {}
            Ok(t) if t.is_dir() => {
                let _ = remove_tree(&path);
            }
            _ => {
                let _ = std::fs::remove_file(&path);
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
        let entry = |path: &str, hash: char| Kept {
            path: path.into(),
            blake3: hash.to_string().repeat(64),
            size: 3,
            mode: 0o644,
            mtime: 1,
        };
        let tree = first.tree_dir();
        std::fs::create_dir_all(tree.join("d/gone")).unwrap();
        for (path, body) in [
            ("d/a", "abc"),
            ("d/b", "abc"),
            ("d/half", "ab"),
            ("c", "abc"),
        ] {
            std::fs::write(tree.join(path), body).unwrap();
        }
        let lines = [entry("d/a", 'a'), entry("d/b", 'b'), entry("c", 'c')];
        let journal: String = lines.iter().map(Kept::line).collect();
        std::fs::write(first.journal_path(), journal + "{\"p\":\"torn").unwrap();
        drop(first);
        let again = Partial::open(&staging, "m[x=1]").unwrap();
        assert_eq!(again.verified().len(), 3, "a torn line is ignored");
        let file = |path: &str, hash: char| pimlico_proto::ManifestFile {
            path: path.into(),
            size: 3,
            mode: 0o644,
            mtime: 1,
            blake3: hash.to_string().repeat(64),
        };
        let manifest = Manifest {
            version: 1,
            files: vec![file("d/a", 'a'), file("d/b", 'x'), file("d/half", 'h')],
            dirs: vec![pimlico_proto::ManifestDir {
                path: "d".into(),
                mode: 0o755,
                mtime: 1,
            }],
        };
        let kept = again.retain(&manifest).unwrap();
        assert_eq!(
            kept.keys().collect::<Vec<_>>(),
            ["d/a"],
            "same path and content only"
        );
        assert_eq!(again.verified(), kept, "the journal is rewritten");
        let mut left: Vec<_> = std::fs::read_dir(again.tree_dir().join("d"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        left.sort();
        assert_eq!(
            left,
            ["a"],
            "unverified files, stale files and directories go"
        );
        assert!(!again.tree_dir().join("c").exists());
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
