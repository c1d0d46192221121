//! `Dict`: a Python dict pickled to `data/data` (protocol -1), with metadata `{}`.
//!
//! Values are whatever the writing module put there; they are read as [`PyValue`]s.

use std::path::{Path, PathBuf};

use super::error::{FormatError, Result};
use super::fsutil::{self, create_dir_all};
use super::metadata::{Metadata, write_metadata};
use super::pickle::{self, PyValue};
use super::ready::{NotReady, base_ready, data_dir};

/// `data/data` under a dataset directory.
pub fn dict_path(dir: &Path) -> PathBuf {
    data_dir(dir).join("data")
}

/// The original's readiness check: `data/data` exists.
pub fn ready(dir: &Path) -> std::result::Result<(), NotReady> {
    base_ready(dir, &["data"])
}

/// Reads the dict, as its `(key, value)` pairs in order.
pub fn read(dir: &Path) -> Result<Vec<(PyValue, PyValue)>> {
    let path = dict_path(dir);
    let value = pickle::loads(&fsutil::read(&path)?)
        .map_err(|e| FormatError::malformed(&path, Some(e.offset as u64), e.detail))?;
    match value {
        PyValue::Dict(items) => Ok(items),
        other => Err(FormatError::malformed(
            &path,
            None,
            format!("expected a pickled dict, found a {}", other.type_name()),
        )),
    }
}

/// Writes a dict.
pub fn write(dir: &Path, items: Vec<(PyValue, PyValue)>) -> Result<()> {
    create_dir_all(&data_dir(dir))?;
    write_metadata(dir, &Metadata::new())?;
    fsutil::write_atomic(&dict_path(dir), &pickle::dumps(&PyValue::Dict(items)))
}
