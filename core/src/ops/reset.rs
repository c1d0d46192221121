//! `reset`: delete a module's directory in every store, after finding the dependents whose
//! data would be invalidated.

use std::path::PathBuf;

use pimlico_config::Pipeline;

use crate::engine::Engine;
use crate::error::{IoError, StoreError};
use crate::lock;
use crate::status::statuses::UNEXECUTED;

/// Why a module was not reset.
#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    /// It is running (or locked by a process we cannot see).
    #[error(
        "not resetting module '{module}': it is locked ({lock}). If no execution is running, \
         remove the lock with the 'unlock' command first"
    )]
    Locked {
        /// The module.
        module: String,
        /// Who holds the lock.
        lock: String,
    },
    /// Deleting failed.
    #[error(transparent)]
    Io(#[from] IoError),
    /// Reading state failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Every module depending on `module`, directly or through others, in pipeline order.
pub fn dependent_modules(pipeline: &Pipeline, module: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut frontier = vec![module.to_string()];
    while let Some(current) = frontier.pop() {
        for candidate in &pipeline.modules {
            let depends = candidate.inputs.values().flatten().any(|c| {
                pipeline
                    .module(&c.module)
                    .is_some_and(|m| m.name == current)
            });
            if depends && !found.contains(&candidate.name) && candidate.name != module {
                found.push(candidate.name.clone());
                frontier.push(candidate.name.clone());
            }
        }
    }
    pipeline
        .modules
        .iter()
        .filter(|m| found.contains(&m.name))
        .map(|m| m.name.clone())
        .collect()
}

/// The dependents of `modules` (not themselves named) whose status is not `UNEXECUTED`.
pub fn resettable_dependents(
    engine: &Engine<'_>,
    modules: &[String],
) -> Result<Vec<String>, StoreError> {
    let mut out: Vec<String> = Vec::new();
    for module in modules {
        for dep in dependent_modules(engine.pipeline, module) {
            if modules.contains(&dep) || out.contains(&dep) {
                continue;
            }
            let executed = engine.pipeline.module(&dep).is_some_and(|m| m.executable)
                && engine.status(&dep)? != UNEXECUTED;
            if executed {
                out.push(dep);
            }
        }
    }
    Ok(out)
}

/// Deletes the module's directory in every store. Refuses while a live process holds its lock
/// (a stale lock goes with the directory). Returns the directories removed.
pub fn reset_module(engine: &Engine<'_>, module: &str) -> Result<Vec<PathBuf>, ResetError> {
    if let Some(info) = lock::inspect(engine.stores, module)?
        && !info.stale
    {
        return Err(ResetError::Locked {
            module: module.to_string(),
            lock: info.describe(),
        });
    }
    let mut removed = Vec::new();
    for (_, dir) in engine.stores.module_dirs(module) {
        std::fs::remove_dir_all(&dir).map_err(|e| IoError::new("removing", &dir, e))?;
        removed.push(dir);
    }
    Ok(removed)
}
