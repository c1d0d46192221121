//! Building the complete module in an ordinary staging slot from verified pieces, before the
//! archive layer's atomic install swaps it in.
//!
//! Each file comes from the resumable slot (received and verified) or from the receiver's data
//! (unchanged since it was hashed). Pieces are hard-linked when that is safe and copied
//! otherwise:
//! - a received content is linked into its first path (the slot is deleted after the install,
//!   so the module is then its only name) and copied into any further path with the same
//!   content, so that two files of a module never share an inode that a later in-place write
//!   to one would change in both;
//! - a file of the data being replaced is linked only if its mode and modification time are
//!   already right (setting them would change the old data before the swap) and only once;
//!   after the swap the old directory is deleted, leaving the new module the only name;
//! - files of a copy that stays (in another store) are always copied;
//! - a link that fails (another file system, a link limit) falls back to a copy.
//!
//! The module's status `metadata` is placed last, and the directory only becomes visible as a
//! whole, by the install's rename.

use std::collections::{HashMap, HashSet};
use std::fs::{DirBuilder, File, FileTimes, Permissions};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pimlico_proto::{Manifest, ManifestFile};

use super::super::error::TransferError;
use super::plan::LocalData;

/// The status file of a module directory, placed last.
const STATUS_FILE: &str = "metadata";

/// The verified contents of the resumable slot.
pub(crate) struct Objects<'a> {
    /// Where they are (`objects/`, each named by its hash).
    pub(crate) dir: &'a Path,
    /// Hash to size of each, as listed under the slot's lock (no need to look at each again).
    pub(crate) present: &'a HashMap<String, u64>,
}

/// Builds the module described by `manifest` in `new_dir` (which must not exist). Blocking.
pub(crate) fn assemble(
    new_dir: &Path,
    manifest: &Manifest,
    objects: &Objects<'_>,
    local: Option<&LocalData>,
    module: &str,
) -> Result<(), TransferError> {
    let mut dirs = DirBuilder::new();
    dirs.mode(0o755);
    dirs.create(new_dir).map_err(|e| io("create", new_dir, e))?;
    dirs.recursive(true);
    for dir in &manifest.dirs {
        let path = new_dir.join(&dir.path);
        dirs.create(&path).map_err(|e| io("create", &path, e))?;
    }
    let mut linked_objects = HashSet::new();
    let mut linked_local = HashSet::new();
    let (status, others): (Vec<&ManifestFile>, Vec<&ManifestFile>) =
        manifest.files.iter().partition(|f| f.path == STATUS_FILE);
    for file in others.into_iter().chain(status) {
        let dest = new_dir.join(&file.path);
        if let Some(parent) = dest.parent() {
            dirs.create(parent).map_err(|e| io("create", parent, e))?;
        }
        if objects.present.get(&file.blake3) == Some(&file.size) {
            let object = objects.dir.join(&file.blake3);
            if linked_objects.insert(file.blake3.clone()) {
                link_or_copy(&object, &dest)?;
            } else {
                copy(&object, &dest)?;
            }
            set_attributes(&dest, file)?;
            continue;
        }
        let Some((found, data)) =
            local.and_then(|l| Some((l.find(&file.blake3, file.size, &file.path)?, l)))
        else {
            return Err(TransferError::Incomplete {
                module: module.to_string(),
                missing: 1,
                first: file.path.clone(),
            });
        };
        let source = data.dir.join(&found.path);
        let unchanged_attrs = found.mode == file.mode && found.mtime == file.mtime;
        if data.is_target && unchanged_attrs && linked_local.insert(found.path.clone()) {
            link_or_copy(&source, &dest)?;
        } else {
            copy(&source, &dest)?;
            set_attributes(&dest, file)?;
        }
    }
    // Directory modes and times last, deepest first, so a read-only directory cannot block
    // the files below it.
    let mut ordered: Vec<_> = manifest.dirs.iter().collect();
    ordered.sort_by_key(|d| std::cmp::Reverse(d.path.matches('/').count()));
    for dir in ordered {
        let path = new_dir.join(&dir.path);
        let handle = File::open(&path).map_err(|e| io("open", &path, e))?;
        handle
            .set_permissions(Permissions::from_mode(dir.mode))
            .map_err(|e| io("set permissions of", &path, e))?;
        handle
            .set_times(FileTimes::new().set_modified(time(dir.mtime)))
            .map_err(|e| io("set the modification time of", &path, e))?;
    }
    Ok(())
}

fn link_or_copy(source: &Path, dest: &Path) -> Result<(), TransferError> {
    match std::fs::hard_link(source, dest) {
        Ok(()) => Ok(()),
        Err(e) => {
            tracing::debug!(from = %source.display(), error = %e, "cannot hard-link; copying");
            copy(source, dest)
        }
    }
}

fn copy(source: &Path, dest: &Path) -> Result<(), TransferError> {
    std::fs::copy(source, dest)
        .map(|_| ())
        .map_err(|e| io("copy into the staging area", source, e))
}

/// Sets the manifest's mode and modification time. The file is made readable first, so that
/// even a file whose mode forbids reading can be opened to set its time.
fn set_attributes(path: &Path, file: &ManifestFile) -> Result<(), TransferError> {
    let chmod = |mode: u32| {
        std::fs::set_permissions(path, Permissions::from_mode(mode))
            .map_err(|e| io("set permissions of", path, e))
    };
    chmod(0o600 | file.mode)?;
    File::open(path)
        .and_then(|handle| {
            handle.set_times(
                FileTimes::new()
                    .set_accessed(time(file.mtime))
                    .set_modified(time(file.mtime)),
            )
        })
        .map_err(|e| io("set the modification time of", path, e))?;
    chmod(file.mode)
}

fn time(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap_or(0))
}

fn io(op: &'static str, path: &Path, source: std::io::Error) -> TransferError {
    TransferError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}
