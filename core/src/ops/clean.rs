//! `clean`: directories in the stores that belong to no module of the loaded variant.

use std::path::{Path, PathBuf};

use crate::engine::Engine;
use crate::error::{IoContext, IoError};
use crate::store::STAGING_DIR;

/// Store subdirectories whose name is neither a module nor an alias (our staging area is not
/// listed), store by store.
pub fn clean_candidates(engine: &Engine<'_>) -> Result<Vec<PathBuf>, IoError> {
    let mut found = Vec::new();
    for store in engine.stores.all() {
        let entries = match std::fs::read_dir(&store.path) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(IoError::new("listing store", &store.path, e)),
        };
        let mut dirs = Vec::new();
        for entry in entries {
            let entry = entry.ctx("listing store", &store.path)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !entry.path().is_dir() || name == STAGING_DIR {
                continue;
            }
            if engine.pipeline.module(&name).is_none() {
                dirs.push(entry.path());
            }
        }
        dirs.sort();
        found.extend(dirs);
    }
    Ok(found)
}

/// Deletes the directories.
pub fn remove_dirs(dirs: &[PathBuf]) -> Result<(), IoError> {
    dirs.iter()
        .try_for_each(|d: &PathBuf| std::fs::remove_dir_all(d).ctx("removing", Path::new(d)))
}
