//! Where the daemon runs modules: as local processes (the default) or as Slurm jobs, chosen
//! in `pimlicod.toml` (`executor`, `[slurm]`) and refined per module by the pipeline's local
//! config (see `docs/slurm.md`).

use pimlico_core::exec::slurm::ChoiceError;
use pimlico_core::exec::{ExecutorKind, ModuleExecutors, SlurmCluster, SlurmConfig};

use crate::pipelines::Loaded;

/// The daemon's executor settings.
#[derive(Debug, Clone)]
pub struct Execution {
    /// Where modules run unless the local config says otherwise.
    pub default: ExecutorKind,
    /// The cluster, shared by every run (one squeue follows all their jobs).
    pub cluster: SlurmCluster,
}

impl Default for Execution {
    fn default() -> Self {
        Self {
            default: ExecutorKind::Local,
            cluster: SlurmCluster::new(SlurmConfig::default())
                .expect("the default Slurm settings are valid"),
        }
    }
}

impl Execution {
    /// The executors of a loaded pipeline's modules.
    pub fn executors(&self, loaded: &Loaded) -> Result<ModuleExecutors, ChoiceError> {
        ModuleExecutors::for_pipeline(
            &loaded.pipeline,
            &loaded.stores,
            self.default,
            &self.cluster,
        )
    }
}
