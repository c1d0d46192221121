//! Listing a module directory the way a dump sees it: regular files and directories, locks and
//! `.pimlico*` files left out, anything a dump would refuse (symlinks, sockets, devices, names
//! that are not UTF-8) refused here too, so a manifest always describes a dumpable module.

use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::error::ManifestError;
use crate::archive::{component_problem, is_excluded_name};

/// What identifies a file's state for the cache: any write changes the modification time, and
/// a replaced file has a new inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StatKey {
    pub(crate) size: u64,
    pub(crate) mtime_ns: i64,
    pub(crate) ino: u64,
}

impl StatKey {
    pub(crate) fn of(meta: &Metadata) -> Self {
        Self {
            size: meta.len(),
            mtime_ns: meta
                .mtime()
                .saturating_mul(1_000_000_000)
                .saturating_add(meta.mtime_nsec()),
            ino: meta.ino(),
        }
    }
}

/// One regular file found. Its absolute path is made only when needed ([`WalkedFile::abs`]):
/// a cached manifest of 100,000 files never needs one.
#[derive(Debug, Clone)]
pub(crate) struct WalkedFile {
    pub(crate) rel: String,
    pub(crate) mode: u32,
    pub(crate) mtime: i64,
    pub(crate) stat: StatKey,
}

impl WalkedFile {
    /// Its path below the module directory `dir` that was walked.
    pub(crate) fn abs(&self, dir: &Path) -> PathBuf {
        dir.join(&self.rel)
    }
}

/// One directory found (not the module directory itself).
#[derive(Debug, Clone)]
pub(crate) struct WalkedDir {
    pub(crate) rel: String,
    pub(crate) mode: u32,
    pub(crate) mtime: i64,
}

/// Everything below a module directory, each list sorted by path.
#[derive(Debug, Default)]
pub(crate) struct Walked {
    pub(crate) files: Vec<WalkedFile>,
    pub(crate) dirs: Vec<WalkedDir>,
}

/// Lists `dir`, which must be a directory.
pub(crate) fn walk(dir: &Path) -> Result<Walked, ManifestError> {
    let meta = std::fs::metadata(dir).map_err(|e| ManifestError::io("read", dir, e))?;
    if !meta.is_dir() {
        return Err(ManifestError::Unsupported {
            path: dir.to_path_buf(),
            reason: "it is not a directory".into(),
        });
    }
    let mut walked = Walked::default();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((abs_dir, rel_dir)) = stack.pop() {
        let listing =
            std::fs::read_dir(&abs_dir).map_err(|e| ManifestError::io("list", &abs_dir, e))?;
        for entry in listing {
            let entry = entry.map_err(|e| ManifestError::io("list", &abs_dir, e))?;
            let name = entry.file_name();
            let name = name.to_str().ok_or_else(|| ManifestError::Unsupported {
                path: entry.path(),
                reason: "its name is not valid UTF-8".into(),
            })?;
            if is_excluded_name(name) {
                continue;
            }
            if let Some(reason) = component_problem(name) {
                return Err(ManifestError::Unsupported {
                    path: entry.path(),
                    reason: reason.into(),
                });
            }
            let rel = if rel_dir.is_empty() {
                name.to_owned()
            } else {
                format!("{rel_dir}/{name}")
            };
            // Relative to the open directory (`fstatat`/`statx` on its descriptor, not following
            // a symbolic link), not a walk of the whole path for every file.
            let meta = entry
                .metadata()
                .map_err(|e| ManifestError::io("stat", entry.path(), e))?;
            let mode = meta.mode() & 0o777;
            let mtime = meta.mtime().max(0);
            if meta.is_dir() {
                walked.dirs.push(WalkedDir {
                    rel: rel.clone(),
                    mode,
                    mtime,
                });
                stack.push((entry.path(), rel));
            } else if meta.is_file() {
                walked.files.push(WalkedFile {
                    rel,
                    mode,
                    mtime,
                    stat: StatKey::of(&meta),
                });
            } else {
                let what = if meta.file_type().is_symlink() {
                    "it is a symbolic link"
                } else {
                    "it is not a regular file or directory (a socket, FIFO or device)"
                };
                return Err(ManifestError::Unsupported {
                    path: entry.path(),
                    reason: format!("{what}; module data holds only regular files and directories"),
                });
            }
        }
    }
    walked.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    walked.dirs.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(walked)
}
