//! Moving a module's directory from one store to another without ever leaving a half-moved
//! module: a rename when both stores share a filesystem; otherwise a copy into a slot of the
//! destination's staging area (the archive layer's, so its cleanup sees the copy as live), a
//! rename into place, and only then removal of the source.

use std::fs;
use std::path::{Path, PathBuf};

use super::{Store, Stores, fsutil::copy_dir_all};
use crate::archive::Staging;
use crate::error::{IoContext, IoError, StoreError};
use crate::lock::LOCK_FILE;

/// What happened to one module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoveOutcome {
    /// The directory was moved.
    Moved {
        /// Store it came from.
        from_store: String,
        /// Its old location.
        from: PathBuf,
        /// Its new location.
        to: PathBuf,
    },
    /// The module's data is already in the destination store.
    AlreadyThere,
    /// No store holds a directory for the module.
    NotFound,
}

/// Moves the module's directory (from the first store holding it) into `dest`.
pub async fn move_module(
    stores: &Stores,
    module: &str,
    dest: &Store,
) -> Result<MoveOutcome, StoreError> {
    let Some((src_store, src)) = stores.find_module_dir(module) else {
        return Ok(MoveOutcome::NotFound);
    };
    if src_store.name == dest.name {
        return Ok(MoveOutcome::AlreadyThere);
    }
    let target = dest.module_dir(module);
    if target.symlink_metadata().is_ok() {
        return Err(StoreError::Invalid(format!(
            "cannot move '{module}' to store '{}': {} already exists there (the copy in store \
             '{}' shadows it); remove one of the two first",
            dest.name,
            target.display(),
            src_store.name
        )));
    }
    if src.join(LOCK_FILE).exists() {
        return Err(StoreError::Invalid(format!(
            "cannot move '{module}': it is locked ({}); wait for its execution to finish or use \
             the 'unlock' command",
            src.join(LOCK_FILE).display()
        )));
    }
    fs::create_dir_all(&dest.path).ctx("creating store directory", &dest.path)?;
    match fs::rename(&src, &target) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(nix::errno::Errno::EXDEV as i32) => {
            copy_then_swap(&src, &target, &dest.path).await?;
        }
        Err(e) => return Err(IoError::new("moving module directory to", &target, e).into()),
    }
    Ok(MoveOutcome::Moved {
        from_store: src_store.name.clone(),
        from: src,
        to: target,
    })
}

/// Moves `src` to `target` across filesystems: copy into a staging slot of `variant_root` (the
/// target's `<store>/<pipeline>/<variant>`), rename into place, then delete the source. At
/// every moment either the source or the complete target exists.
pub async fn copy_then_swap(
    src: &Path,
    target: &Path,
    variant_root: &Path,
) -> Result<(), StoreError> {
    let slot = Staging::new(variant_root)
        .create_slot()
        .await
        .map_err(|e| StoreError::Invalid(e.to_string()))?;
    let staged = slot.new_dir();
    let (from, to, staged_copy) = (src.to_path_buf(), target.to_path_buf(), staged.clone());
    let copied = tokio::task::spawn_blocking(move || -> Result<(), IoError> {
        copy_dir_all(&from, &staged_copy)?;
        fs::rename(&staged_copy, &to).ctx("moving staged copy to", &to)
    })
    .await
    .map_err(|e| StoreError::Invalid(format!("the copy task failed: {e}")))?;
    slot.remove().await;
    copied?;
    let source = src.to_path_buf();
    tokio::task::spawn_blocking(move || {
        fs::remove_dir_all(&source).ctx("removing moved source directory", &source)
    })
    .await
    .map_err(|e| StoreError::Invalid(format!("the removal task failed: {e}")))??;
    Ok(())
}
