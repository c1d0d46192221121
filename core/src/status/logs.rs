//! Error logs: `error000.log`, `error001.log`, ... in the output store's module directory.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{IoContext, IoError};

/// Existing error logs of a module directory with their numbers, oldest first.
pub fn error_logs(module_dir: &Path) -> Result<Vec<(u32, PathBuf)>, IoError> {
    let entries = match fs::read_dir(module_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(IoError::new("listing", module_dir, e)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.ctx("listing", module_dir)?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let number = name
            .strip_prefix("error")
            .and_then(|rest| rest.strip_suffix(".log"))
            .filter(|digits| digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|digits| digits.parse::<u32>().ok());
        if let Some(number) = number {
            found.push((number, entry.path()));
        }
    }
    found.sort();
    Ok(found)
}

/// A fresh error log path: one more than the highest existing number (the directory is created).
pub fn new_error_log(module_dir: &Path) -> Result<PathBuf, IoError> {
    fs::create_dir_all(module_dir).ctx("creating module directory", module_dir)?;
    let next = error_logs(module_dir)?
        .last()
        .map_or(0, |(number, _)| number + 1);
    Ok(module_dir.join(format!("error{next:03}.log")))
}

/// The newest error log, if any.
pub fn last_error_log(module_dir: &Path) -> Result<Option<PathBuf>, IoError> {
    Ok(error_logs(module_dir)?.pop().map(|(_, path)| path))
}
