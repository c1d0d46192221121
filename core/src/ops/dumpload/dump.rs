//! Dumping: where a module's data is taken from, and which modules `--inputs` means.

use std::path::{Path, PathBuf};

use pimlico_config::{ModuleConfig, Pipeline};

use super::{is_live, module_locks};
use crate::archive::{ArchiveError, DumpMetadata, DumpOptions, DumpSummary, dump_module_to_dir};
use crate::engine::{is_computed, is_datatype_input};
use crate::error::StoreError;
use crate::lock::LockInfo;
use crate::store::Stores;

/// Why a module was not dumped.
#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    /// A live process (or one on another host, which we cannot check) holds the module's lock.
    #[error(
        "not dumping '{module}': it is locked ({lock}), so its data may be incomplete. Use \
         --force to dump it anyway, or 'unlock' if no execution is running"
    )]
    Locked {
        /// The module.
        module: String,
        /// Who holds the lock.
        lock: String,
    },
    /// Writing the dump failed; no dump file was left behind.
    #[error("dumping '{module}' failed: {source}")]
    Archive {
        /// The module.
        module: String,
        /// What went wrong.
        #[source]
        source: ArchiveError,
    },
    /// Reading the module's lock failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where a dump of a module is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpSource {
    /// The module.
    pub module: String,
    /// The store holding its data (the first that has its directory).
    pub store: String,
    /// Its directory there.
    pub dir: PathBuf,
    /// A lock on the module: stale, or live and overridden by `force`. Lock files are never
    /// put in a dump.
    pub lock: Option<LockInfo>,
}

/// Finds the data to dump for `module`: its directory in the first store that has one (`None`
/// when no store does). A module locked by a live process is refused unless `force`.
pub fn find_dump_source(
    stores: &Stores,
    module: &str,
    force: bool,
) -> Result<Option<DumpSource>, DumpError> {
    let Some((store, dir)) = stores.find_module_dir(module) else {
        return Ok(None);
    };
    let locks = module_locks(stores, module)?;
    let live = locks.iter().find(|l| is_live(l));
    if let Some(live) = live
        && !force
    {
        return Err(DumpError::Locked {
            module: module.to_string(),
            lock: live.describe(),
        });
    }
    let lock = live.or(locks.first()).cloned();
    Ok(Some(DumpSource {
        module: module.to_string(),
        store: store.name.clone(),
        dir,
        lock,
    }))
}

/// The metadata of a dump of `module` made now from `pipeline`.
pub fn dump_metadata(pipeline: &Pipeline, module: &str) -> DumpMetadata {
    DumpMetadata::now(&pipeline.name, module, &pipeline.variant)
}

/// Dumps a module's data to `output_dir/<module>.<ext>` (the directory is created if needed)
/// and returns the file's path. The file appears only once complete.
pub async fn dump_to_dir(
    pipeline: &Pipeline,
    source: &DumpSource,
    output_dir: &Path,
    options: &DumpOptions,
) -> Result<(PathBuf, DumpSummary), DumpError> {
    let metadata = dump_metadata(pipeline, &source.module);
    dump_module_to_dir(&source.dir, output_dir, &metadata, options)
        .await
        .map_err(|source_err| DumpError::Archive {
            module: source.module.clone(),
            source: source_err,
        })
}

/// The modules `dump --inputs` dumps for some modules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputSources {
    /// Modules whose data feeds the inputs and lives in the stores, in order of first use.
    pub stored: Vec<String>,
    /// Upstream modules without data in the stores: datatype inputs (which read their `dir`)
    /// and input readers. Filters and views are not listed: what they read is followed.
    pub unstored: Vec<String>,
}

/// The modules whose stored data the inputs of `modules` read: each upstream module that is
/// run, and through filters and views (computed when read), the run modules they read from.
/// The original followed only direct connections, so a filter upstream gave nothing.
pub fn input_source_modules(pipeline: &Pipeline, modules: &[String]) -> InputSources {
    let mut found = InputSources::default();
    let mut visited: Vec<String> = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    for module in modules.iter().rev() {
        if let Some(m) = pipeline.module(module) {
            push_inputs(m, &mut stack);
        }
    }
    while let Some(name) = stack.pop() {
        let Some(upstream) = pipeline.module(&name) else {
            continue;
        };
        if visited.contains(&upstream.name) {
            continue;
        }
        visited.push(upstream.name.clone());
        if upstream.executable {
            found.stored.push(upstream.name.clone());
        } else if is_computed(upstream) {
            push_inputs(upstream, &mut stack);
        } else {
            debug_assert!(is_datatype_input(upstream) || upstream.inputs.is_empty());
            found.unstored.push(upstream.name.clone());
        }
    }
    found
}

/// Pushes a module's upstream modules so that they pop in connection order.
fn push_inputs(module: &ModuleConfig, stack: &mut Vec<String>) {
    let upstream: Vec<&String> = module
        .inputs
        .values()
        .flatten()
        .map(|c| &c.module)
        .collect();
    stack.extend(upstream.into_iter().rev().cloned());
}
