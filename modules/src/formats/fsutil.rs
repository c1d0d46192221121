//! File helpers shared by the writers.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::error::{FormatError, Result};

/// Writes `bytes` to `path` so that readers see either the old file or the complete new one:
/// the data goes to a hidden temporary file in the same directory, is synced, and is renamed
/// over `path`. The original writes in place; a reader checking readiness mid-write could see
/// a half-written dictionary or metadata file there, never here.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = File::create(&tmp).map_err(|e| FormatError::io("create", &tmp, e))?;
        f.write_all(bytes)
            .map_err(|e| FormatError::io("write", &tmp, e))?;
        f.sync_all().map_err(|e| FormatError::io("sync", &tmp, e))?;
        fs::rename(&tmp, path).map_err(|e| FormatError::io("rename into place", path, e))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// `dir/.name.pimlico-tmp`: hidden, and never a name a datatype requires.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.pimlico-tmp"))
}

/// Creates `dir` and its parents.
pub fn create_dir_all(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| FormatError::io("create directory", dir, e))
}

/// Reads a whole (small) file.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    fs::read(path).map_err(|e| FormatError::io("read", path, e))
}
