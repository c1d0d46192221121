//! `StringList`: a list of strings in `data/data`, UTF-8, joined with `\n` (no final newline),
//! read back with Python's `splitlines()`.
//!
//! The format cannot represent every list: an item containing a line break reads back as
//! several items, and `[""]` reads back as `[]`. That is the original's format and is kept.

use std::path::{Path, PathBuf};

use super::error::{FormatError, Result};
use super::fsutil::{self, create_dir_all};
use super::metadata::{Metadata, write_metadata};
use super::pystr::splitlines;
use super::ready::{NotReady, base_ready, data_dir};

/// `data/data` under a dataset directory.
pub fn list_path(dir: &Path) -> PathBuf {
    data_dir(dir).join("data")
}

/// The original's readiness check: `data/data` exists.
pub fn ready(dir: &Path) -> Result<(), NotReady> {
    base_ready(dir, &["data"])
}

/// Reads the list.
pub fn read(dir: &Path) -> Result<Vec<String>> {
    let path = list_path(dir);
    let raw = fsutil::read(&path)?;
    let text = std::str::from_utf8(&raw).map_err(|e| {
        FormatError::malformed(
            &path,
            Some(e.valid_up_to() as u64),
            "string list is not valid UTF-8",
        )
    })?;
    Ok(splitlines(text).map(str::to_string).collect())
}

/// Writes the list (metadata `{}`, then the file, replaced atomically).
pub fn write<S: AsRef<str>>(dir: &Path, items: &[S]) -> Result<()> {
    create_dir_all(&data_dir(dir))?;
    write_metadata(dir, &Metadata::new())?;
    let mut text = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(item.as_ref());
    }
    fsutil::write_atomic(&list_path(dir), text.as_bytes())
}
