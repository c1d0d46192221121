//! Completing the module in the resumable slot's tree, before it is moved into an ordinary
//! staging slot and swapped in by the archive layer's atomic install.
//!
//! Received files are in place already (written at their paths, with their modes and times,
//! as they were verified). What is left:
//! - a further file with the content of a received one is copied from it, so that two files
//!   of a module never share an inode that a later in-place write to one would change in both;
//! - a file of the data being replaced is linked only if its mode and modification time are
//!   already right (setting them would change the old data before the swap) and only once;
//!   after the swap the old directory is deleted, leaving the new module the only name;
//! - files of a copy that stays (in another store) are always copied;
//! - a link that fails (another file system, a link limit) falls back to a copy.
//!
//! The module's status `metadata` is placed last, and the directory only becomes visible as a
//! whole, by the install's rename. If this is interrupted, the files added here are not in the
//! slot's journal and are deleted when the slot is opened again.

use std::collections::{HashMap, HashSet};
use std::fs::{DirBuilder, File, FileTimes, Permissions};
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nix::fcntl::AT_FDCWD;
use nix::sys::stat::{UtimensatFlags, utimensat};
use nix::sys::time::TimeSpec;
use pimlico_proto::{Manifest, ManifestFile};

use super::super::error::TransferError;
use super::super::partial::{Kept, STATUS_FILE, slot_file};
use super::plan::LocalData;

/// Completes the module described by `manifest` in the tree of the resumable slot `slot`,
/// whose verified files are `kept`. Blocking.
pub(crate) fn assemble(
    slot: &Path,
    tree: &Path,
    manifest: &Manifest,
    kept: &HashMap<String, Kept>,
    local: Option<&LocalData>,
    module: &str,
) -> Result<(), TransferError> {
    let mut dirs = DirBuilder::new();
    dirs.mode(0o755).recursive(true);
    dirs.create(tree).map_err(|e| io("create", tree, e))?;
    for dir in &manifest.dirs {
        let path = tree.join(&dir.path);
        dirs.create(&path).map_err(|e| io("create", &path, e))?;
    }
    // Where each verified content is in the slot (its first path), built only if a file
    // needs it: when every file was received, nothing below does.
    let mut received: Option<HashMap<(&str, u64), PathBuf>> = None;
    let mut linked_local = HashSet::new();
    // Files come grouped by directory: create each parent once, not once per file.
    let mut last_parent = None;
    let (status, others): (Vec<&ManifestFile>, Vec<&ManifestFile>) =
        manifest.files.iter().partition(|f| f.path == STATUS_FILE);
    for file in others.into_iter().chain(status) {
        if let Some(k) = kept.get(&file.path)
            && k.blake3 == file.blake3
            && k.size == file.size
        {
            // At its place in the tree already, except the status file (kept aside).
            let in_place = file.path != STATUS_FILE;
            if !in_place || k.mode != file.mode || k.mtime != file.mtime {
                let here = slot_file(slot, &file.path);
                if k.mode != file.mode || k.mtime != file.mtime {
                    set_attributes(&here, file)?;
                }
                if !in_place {
                    let dest = tree.join(&file.path);
                    std::fs::rename(&here, &dest)
                        .map_err(|e| io("move into the module", &here, e))?;
                }
            }
            continue;
        }
        let dest = tree.join(&file.path);
        let received = received.get_or_insert_with(|| {
            let mut map = HashMap::new();
            for k in kept.values() {
                map.entry((k.blake3.as_str(), k.size))
                    .or_insert_with(|| slot_file(slot, &k.path));
            }
            map
        });
        if let Some(parent) = dest.parent()
            && last_parent.as_deref() != Some(parent)
        {
            dirs.create(parent).map_err(|e| io("create", parent, e))?;
            last_parent = Some(parent.to_path_buf());
        }
        if let Some(source) = received.get(&(file.blake3.as_str(), file.size)) {
            copy(source, &dest)?;
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
        let path = tree.join(&dir.path);
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

/// Sets the manifest's modification time and mode, by path: two system calls, where opening
/// the file to set its time took five (and a mode making it readable first).
fn set_attributes(path: &Path, file: &ManifestFile) -> Result<(), TransferError> {
    let mtime = TimeSpec::from(Duration::from_secs(u64::try_from(file.mtime).unwrap_or(0)));
    utimensat(
        AT_FDCWD,
        path,
        &mtime,
        &mtime,
        UtimensatFlags::NoFollowSymlink,
    )
    .map_err(|e| io("set the modification time of", path, e.into()))?;
    std::fs::set_permissions(path, Permissions::from_mode(file.mode))
        .map_err(|e| io("set permissions of", path, e))
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
