//! Installing a staged module: one atomic rename, so at every instant the module directory holds
//! either its complete old data or its complete new data.
//!
//! - No module directory yet: `renameat2(RENAME_NOREPLACE)` moves the staged directory in (and
//!   fails rather than clobber a directory that appeared meanwhile).
//! - Replacing: `renameat2(RENAME_EXCHANGE)` swaps the two directories in one step; the old data
//!   ends up in the staging slot and is deleted afterwards. A crash after the swap leaves only
//!   old data in a dead slot, which cleanup deletes: no state needs recovery.
//! - File systems without `renameat2` flags (some network file systems answer `EINVAL`) use two
//!   renames with a journal written first; [`cleanup_stale_staging`](super::cleanup_stale_staging)
//!   moves the old data back if a crash falls between them.

use std::fs::File;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{AT_FDCWD, RenameFlags, renameat2};

use super::error::ArchiveError;
use super::staging::{Slot, StagedModule};

/// How [`install_with`] swaps directories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SwapMethod {
    /// `renameat2` with `RENAME_NOREPLACE`/`RENAME_EXCHANGE`, falling back to
    /// [`SwapMethod::Journal`] where the file system does not support them.
    #[default]
    Auto,
    /// Two plain renames, recoverable through a journal in the staging slot.
    Journal,
}

/// What [`install`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Installed {
    /// The module directory did not exist and was created.
    Created,
    /// The module directory existed and its old contents were replaced (and deleted).
    Replaced,
}

/// Why a staged module was not installed.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// The module directory exists and `overwrite` was false. The staged module is handed back
    /// so the caller can ask the user and call [`install`] again with `overwrite` set.
    #[error("module output dir {} already exists", target.display())]
    TargetExists {
        /// The existing module directory.
        target: PathBuf,
        /// The untouched staged module.
        staged: Box<StagedModule>,
    },
    /// Installing failed; the previous module data is as it was.
    #[error(transparent)]
    Failed(#[from] ArchiveError),
}

/// Moves a staged module to `target` (normally `<variant root>/<module>`, on the same file
/// system as the staging area). An existing `target` is replaced only if `overwrite` is true.
pub async fn install(
    staged: StagedModule,
    target: &Path,
    overwrite: bool,
) -> Result<Installed, InstallError> {
    install_with(staged, target, overwrite, SwapMethod::Auto).await
}

/// [`install`] with an explicit [`SwapMethod`].
pub async fn install_with(
    staged: StagedModule,
    target: &Path,
    overwrite: bool,
    method: SwapMethod,
) -> Result<Installed, InstallError> {
    let target = target.to_path_buf();
    tokio::task::spawn_blocking(move || install_blocking(staged, target, overwrite, method))
        .await
        .unwrap_or_else(|e| {
            Err(InstallError::Failed(ArchiveError::Output(
                io::Error::other(format!("the install task failed: {e}")),
            )))
        })
}

fn install_blocking(
    mut staged: StagedModule,
    target: PathBuf,
    overwrite: bool,
    method: SwapMethod,
) -> Result<Installed, InstallError> {
    let exists = match std::fs::symlink_metadata(&target) {
        Ok(_) => true,
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(ArchiveError::io("check", &target, e).into()),
    };
    if exists && !overwrite {
        return Err(InstallError::TargetExists {
            target,
            staged: Box::new(staged),
        });
    }
    let outcome = if exists {
        replace(&staged.slot, &target, method)?;
        Installed::Replaced
    } else {
        match create(&staged.slot.new_dir(), &target, method) {
            Ok(()) => Installed::Created,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && overwrite => {
                replace(&staged.slot, &target, method)?;
                Installed::Replaced
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(InstallError::TargetExists {
                    target,
                    staged: Box::new(staged),
                });
            }
            Err(e) => return Err(ArchiveError::io("move the staged module to", &target, e).into()),
        }
    };
    // The slot now holds the old data (or nothing); deleting it is not part of the install.
    staged.slot.remove_now();
    Ok(outcome)
}

fn create(new: &Path, target: &Path, method: SwapMethod) -> io::Result<()> {
    if method == SwapMethod::Auto {
        match renameat2(
            AT_FDCWD,
            new,
            AT_FDCWD,
            target,
            RenameFlags::RENAME_NOREPLACE,
        ) {
            Ok(()) => return Ok(()),
            Err(Errno::EINVAL | Errno::ENOSYS) => {}
            Err(e) => return Err(e.into()),
        }
    }
    // Without RENAME_NOREPLACE a rename would silently replace an empty directory.
    if std::fs::symlink_metadata(target).is_ok() {
        return Err(io::ErrorKind::AlreadyExists.into());
    }
    std::fs::rename(new, target)
}

fn replace(slot: &Slot, target: &Path, method: SwapMethod) -> Result<(), ArchiveError> {
    let new = slot.new_dir();
    if method == SwapMethod::Auto {
        match renameat2(
            AT_FDCWD,
            &new,
            AT_FDCWD,
            target,
            RenameFlags::RENAME_EXCHANGE,
        ) {
            Ok(()) => return Ok(()),
            Err(Errno::EINVAL | Errno::ENOSYS) => {}
            Err(e) => {
                return Err(ArchiveError::io(
                    "swap the staged module with",
                    target,
                    e.into(),
                ));
            }
        }
    }
    let journal = slot.journal_path();
    write_journal(&journal, target).map_err(|e| ArchiveError::io("write", &journal, e))?;
    let old = slot.old_dir();
    std::fs::rename(target, &old)
        .map_err(|e| ArchiveError::io("move the old module data away from", target, e))?;
    if let Err(e) = std::fs::rename(&new, target) {
        // Put the old data back; if even that fails, cleanup will (the journal says where).
        let _ = std::fs::rename(&old, target);
        return Err(ArchiveError::io("move the staged module to", target, e));
    }
    Ok(())
}

/// The journal holds the target path's raw bytes; it is synced, with its directory, before the
/// first rename so that recovery can always find where the old data belongs.
fn write_journal(journal: &Path, target: &Path) -> io::Result<()> {
    let absolute = std::path::absolute(target)?;
    let mut file = File::create(journal)?;
    file.write_all(absolute.as_os_str().as_bytes())?;
    file.sync_all()?;
    if let Some(dir) = journal.parent() {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}
