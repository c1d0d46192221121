//! Small filesystem helpers: recursive copy keeping permissions and symlinks.

use std::fs;
use std::path::Path;

use crate::error::{IoContext, IoError};

/// Copies a directory tree. Symlinks are copied as symlinks, permissions are kept; `dest`
/// must not exist.
pub fn copy_dir_all(src: &Path, dest: &Path) -> Result<(), IoError> {
    fs::create_dir(dest).ctx("creating directory", dest)?;
    for entry in fs::read_dir(src).ctx("listing directory", src)? {
        let entry = entry.ctx("listing directory", src)?;
        let from = entry.path();
        let to = dest.join(entry.file_name());
        let kind = entry.file_type().ctx("reading file type of", &from)?;
        if kind.is_symlink() {
            let target = fs::read_link(&from).ctx("reading symlink", &from)?;
            std::os::unix::fs::symlink(&target, &to).ctx("creating symlink", &to)?;
        } else if kind.is_dir() {
            copy_dir_all(&from, &to)?;
        } else {
            fs::copy(&from, &to).ctx("copying file to", &to)?;
        }
    }
    let perms = fs::metadata(src)
        .ctx("reading metadata of", src)?
        .permissions();
    fs::set_permissions(dest, perms).ctx("setting permissions of", dest)?;
    Ok(())
}

/// Whether two existing paths are on the same filesystem (so `rename` between them works).
pub fn dir_is_on_same_fs(a: &Path, b: &Path) -> Result<bool, IoError> {
    use std::os::unix::fs::MetadataExt;
    let da = fs::metadata(a).ctx("reading metadata of", a)?.dev();
    let db = fs::metadata(b).ctx("reading metadata of", b)?.dev();
    Ok(da == db)
}
