//! Loading: a dump's metadata checked against the pipeline, then extraction into the output
//! store's staging area and an atomic install under the module's lock.

use std::path::PathBuf;

use pimlico_config::Pipeline;
use tokio::io::AsyncRead;

use super::{is_live, module_locks};
use crate::archive::{
    ArchiveError, DumpMetadata, ExtractLimits, ExtractOptions, ExtractSummary, InstallError,
    Installed, LimitSettingError, Staging, extract_into_staging, install,
};
use crate::error::StoreError;
use crate::lock::{self, LockError, LockInfo};
use crate::store::Stores;

/// Why a dump was not loaded. In every case the module's previous data is as it was.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The dump comes from a pipeline with another name.
    #[error(
        "the dumped data came from a pipeline called '{dumped}', but you're trying to load it \
         into '{pipeline}'"
    )]
    PipelineMismatch {
        /// `pipeline_name` in the dump.
        dumped: String,
        /// The loaded pipeline's name.
        pipeline: String,
    },
    /// The dump comes from another variant.
    #[error(
        "the dumped data came from the '{dumped}' variant of the pipeline, but you're trying to \
         load it into '{variant}'"
    )]
    VariantMismatch {
        /// `variant` in the dump.
        dumped: String,
        /// The loaded variant.
        variant: String,
    },
    /// The dumped module is not in the loaded pipeline (aliases followed).
    #[error("module with name '{0}' does not exist in the pipeline")]
    UnknownModule(String),
    /// A live process (or one on another host) holds the module's lock.
    #[error(
        "not loading '{module}': it is locked ({lock}); its data cannot be replaced while it \
         may be running. If no execution is running, remove the lock with the 'unlock' command"
    )]
    Locked {
        /// The module.
        module: String,
        /// Who holds the lock.
        lock: String,
    },
    /// The module directory exists and replacing it was not allowed.
    #[error("module output dir {} already exists; not overwriting it", target.display())]
    TargetExists {
        /// The existing directory.
        target: PathBuf,
    },
    /// The archive's metadata differs from what [`plan_load`] checked (the file was replaced
    /// in the meantime).
    #[error(
        "the dump changed while it was being loaded: it now holds '{found}' instead of \
         '{expected}'"
    )]
    Changed {
        /// What was checked.
        expected: String,
        /// What was extracted.
        found: String,
    },
    /// Reading, extracting or installing the archive failed.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// An archive limit in the local config is not a number.
    #[error("in the local config: {0}")]
    Limits(#[from] LimitSettingError),
    /// Reading or taking the module's lock failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A dump checked against the loaded pipeline, and what loading it would replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadPlan {
    /// The dump's `dump_metadata.json`.
    pub metadata: DumpMetadata,
    /// The module in this pipeline: the dumped name, with aliases followed.
    pub module: String,
    /// Where the data goes: the module's directory in the output store.
    pub target: PathBuf,
    /// The stores already holding a directory for the module, with those directories, in store
    /// order.
    pub existing: Vec<(String, PathBuf)>,
    /// A lock left by a process that is gone; it is replaced along with the directory.
    pub stale_lock: Option<LockInfo>,
    /// Limits against decompression bombs: the defaults, changed by the local config's
    /// `archive_max_bytes`, `archive_max_file_bytes` and `archive_max_entries`.
    pub limits: ExtractLimits,
}

impl LoadPlan {
    /// Whether the output store already has the module's directory (loading replaces it).
    pub fn replaces_output(&self) -> bool {
        self.existing.iter().any(|(_, dir)| *dir == self.target)
    }

    /// Directories of the module in other stores. They are left alone; once loaded, the copy
    /// in the output store shadows them (status, history and data are read from the first
    /// store that has the module).
    pub fn shadowed(&self) -> impl Iterator<Item = &(String, PathBuf)> {
        self.existing.iter().filter(|(_, dir)| *dir != self.target)
    }
}

/// Checks a dump's metadata against the pipeline (name, variant, module) and the module's
/// locks, and finds the data it would replace. Nothing is written.
pub fn plan_load(
    pipeline: &Pipeline,
    stores: &Stores,
    metadata: DumpMetadata,
) -> Result<LoadPlan, LoadError> {
    if metadata.pipeline_name != pipeline.name {
        return Err(LoadError::PipelineMismatch {
            dumped: metadata.pipeline_name,
            pipeline: pipeline.name.clone(),
        });
    }
    if metadata.variant != pipeline.variant {
        return Err(LoadError::VariantMismatch {
            dumped: metadata.variant,
            variant: pipeline.variant.clone(),
        });
    }
    let Some(module) = pipeline.module(&metadata.module_name) else {
        return Err(LoadError::UnknownModule(metadata.module_name));
    };
    let module = module.name.clone();
    let values = &pipeline.local.values;
    let limits =
        ExtractLimits::default().with_settings(|key| values.get(key).map(String::as_str))?;
    let locks = module_locks(stores, &module)?;
    if let Some(live) = locks.iter().find(|l| is_live(l)) {
        return Err(LoadError::Locked {
            module,
            lock: live.describe(),
        });
    }
    let existing = stores
        .module_dirs(&module)
        .into_iter()
        .map(|(store, dir)| (store.name.clone(), dir))
        .collect();
    Ok(LoadPlan {
        target: stores.output_module_dir(&module),
        metadata,
        module,
        existing,
        stale_lock: locks.into_iter().next(),
        limits,
    })
}

/// What [`load_into_store`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// Whether an existing directory in the output store was replaced.
    pub installed: Installed,
    /// What was extracted.
    pub summary: ExtractSummary,
}

/// Extracts the dump read from `reader` (the one `plan` was made from) into the output store's
/// staging area and installs it as the module's directory there, replacing an existing one only
/// if `overwrite`. The module's lock is held for the swap, so a run cannot start on the module
/// while its directory is replaced; a module locked meanwhile by a live process is refused.
///
/// On any error, cancellation (dropping the future) or kill, the previous data is intact.
pub async fn load_into_store<R>(
    stores: &Stores,
    plan: &LoadPlan,
    reader: R,
    overwrite: bool,
) -> Result<Loaded, LoadError>
where
    R: AsyncRead + Send + Unpin,
{
    let staging = Staging::new(&stores.output().path);
    let options = ExtractOptions {
        expected_module: Some(plan.metadata.module_name.clone()),
        limits: plan.limits,
    };
    let staged = extract_into_staging(&staging, reader, &options).await?;
    let found = &staged.metadata;
    if found.pipeline_name != plan.metadata.pipeline_name || found.variant != plan.metadata.variant
    {
        return Err(LoadError::Changed {
            expected: describe(&plan.metadata),
            found: describe(found),
        });
    }
    let summary = staged.summary.clone();
    let guard = {
        let (stores, module, target) = (stores.clone(), plan.module.clone(), plan.target.clone());
        tokio::task::spawn_blocking(move || InstallGuard::take(stores, module, target, overwrite))
            .await
            .map_err(|e| ArchiveError::Output(std::io::Error::other(e)))??
    };
    let result = install(staged, &plan.target, true).await;
    let created_by_lock = guard.created_dir;
    if result.is_err() {
        tokio::task::spawn_blocking(move || guard.undo())
            .await
            .map_err(|e| ArchiveError::Output(std::io::Error::other(e)))?;
    }
    match result {
        Ok(installed) => Ok(Loaded {
            installed: if created_by_lock {
                Installed::Created
            } else {
                installed
            },
            summary,
        }),
        Err(InstallError::TargetExists { target, .. }) => Err(LoadError::TargetExists { target }),
        Err(InstallError::Failed(e)) => Err(e.into()),
    }
}

fn describe(metadata: &DumpMetadata) -> String {
    format!(
        "module '{}' of pipeline '{}', variant '{}'",
        metadata.module_name, metadata.pipeline_name, metadata.variant
    )
}

/// The module's lock, taken for the install. Taking it creates the module directory if it is
/// missing (an empty directory holding only the lock), which the install then replaces; the lock
/// file leaves with the old directory. If the install fails, [`InstallGuard::undo`] releases the
/// lock and removes the directory it created.
struct InstallGuard {
    stores: Stores,
    module: String,
    target: PathBuf,
    /// We hold the lock (not taken when a stale lock is there: it blocks runs just as well).
    held: bool,
    /// The module directory did not exist before the lock was taken.
    created_dir: bool,
}

impl InstallGuard {
    fn take(
        stores: Stores,
        module: String,
        target: PathBuf,
        overwrite: bool,
    ) -> Result<Self, LoadError> {
        let existed = target.symlink_metadata().is_ok();
        if existed && !overwrite {
            return Err(LoadError::TargetExists { target });
        }
        let held = match lock::acquire(&stores, &module, std::process::id()) {
            Ok(_) => true,
            Err(LockError::Held(info)) if info.stale => false,
            Err(LockError::Held(info)) => {
                return Err(LoadError::Locked {
                    module,
                    lock: info.describe(),
                });
            }
            Err(LockError::Io(e)) => return Err(StoreError::from(e).into()),
        };
        Ok(Self {
            stores,
            module,
            target,
            held,
            created_dir: !existed,
        })
    }

    /// After a failed install (the old directory, with our lock, is still in place): releases
    /// the lock and removes the directory taking it created. After a successful one there is
    /// nothing to do, since the lock left with the old directory.
    fn undo(self) {
        if self.held {
            let _ = lock::release(&self.stores, &self.module, std::process::id());
        }
        if self.created_dir {
            // Only succeeds if the directory is still the empty one the lock created.
            let _ = std::fs::remove_dir(&self.target);
        }
    }
}
