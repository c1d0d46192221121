//! Which executor runs each module, and with which Slurm resources: the daemon's default,
//! refined by the pipeline's local config for all modules or per module.
//!
//! Local config keys (`docs/slurm.md`): `executor` (`local` or `slurm`), `slurm_partition`,
//! `slurm_cpus`, `slurm_mem`, `slurm_time`, `slurm_account`, `slurm_sbatch_args`; each may be
//! given for one module as `KEY.MODULE`, where `MODULE` is the module's name or its config
//! section's name (so one key covers all the modules a section expands to). Local config keys
//! are case-insensitive. Without `slurm_cpus`, the local config's `processes` is the number of
//! CPUs a job asks for.

use std::collections::HashMap;
use std::str::FromStr;

use pimlico_config::{ModuleConfig, Pipeline};
use serde::{Deserialize, Serialize};

use super::{Resources, SlurmCluster, SlurmExecutor};
use crate::exec::{ExecError, Executor, Job, JobSpec, LocalExecutor};
use crate::store::Stores;

/// Where modules run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExecutorKind {
    /// Child processes of the running program.
    #[default]
    Local,
    /// Slurm jobs.
    Slurm,
}

impl FromStr for ExecutorKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "local" => Ok(Self::Local),
            "slurm" => Ok(Self::Slurm),
            _ => Err(format!("unknown executor '{s}': use 'local' or 'slurm'")),
        }
    }
}

/// A local config value that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("local config key '{key}' = '{value}' ({files}): {message}")]
pub struct ChoiceError {
    /// The key as found (`slurm_time.tokenize`).
    pub key: String,
    /// Its value.
    pub value: String,
    /// What is wrong.
    pub message: String,
    /// The local config files read.
    pub files: String,
}

/// How one module runs.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Plan {
    Local,
    Slurm(Resources),
}

/// Runs each module of a pipeline with the executor chosen for it.
#[derive(Debug)]
pub struct ModuleExecutors {
    default: ExecutorKind,
    slurm: SlurmExecutor,
    plans: HashMap<String, Plan>,
}

/// The local config's values with lower-case keys.
struct Keys<'a> {
    values: HashMap<String, &'a str>,
    files: String,
}

impl Keys<'_> {
    /// The module's own key, its section's, or the general one.
    fn get(&self, key: &str, module: &ModuleConfig) -> Option<(String, &str)> {
        [
            format!("{key}.{}", module.name.to_lowercase()),
            format!("{key}.{}", module.section.to_lowercase()),
            key.to_string(),
        ]
        .into_iter()
        .find_map(|k| self.values.get(&k).map(|v| (k, *v)))
    }

    fn error(&self, key: String, value: &str, message: impl Into<String>) -> ChoiceError {
        ChoiceError {
            key,
            value: value.to_string(),
            message: message.into(),
            files: self.files.clone(),
        }
    }

    fn string(&self, key: &str, module: &ModuleConfig) -> Option<String> {
        self.get(key, module).map(|(_, v)| v.trim().to_string())
    }

    fn cpus(&self, module: &ModuleConfig) -> Result<Option<u32>, ChoiceError> {
        let Some((key, value)) = self.get("slurm_cpus", module).or_else(|| {
            self.get("processes", module)
                .filter(|(k, _)| k == "processes")
        }) else {
            return Ok(None);
        };
        match value.trim().parse::<u32>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(self.error(key, value, "expected a whole number of CPUs, at least 1")),
        }
    }

    fn resources(&self, module: &ModuleConfig, base: &Resources) -> Result<Resources, ChoiceError> {
        let sbatch_args = match self.get("slurm_sbatch_args", module) {
            None => Vec::new(),
            Some((key, value)) => shlex::split(value).ok_or_else(|| {
                self.error(key, value, "unbalanced quotes in the sbatch arguments")
            })?,
        };
        let local = Resources {
            partition: self.string("slurm_partition", module),
            cpus: self.cpus(module)?,
            mem: self.string("slurm_mem", module),
            time: self.string("slurm_time", module),
            account: self.string("slurm_account", module),
            sbatch_args,
        };
        let resources = base.overlay(&local);
        resources.check().map_err(|invalid| {
            let (key, value) = first_slurm_key(self, module);
            self.error(key, &value, invalid.0)
        })?;
        Ok(resources)
    }
}

/// The local config's Slurm key that applies to the module, for error messages.
fn first_slurm_key(keys: &Keys<'_>, module: &ModuleConfig) -> (String, String) {
    [
        "slurm_partition",
        "slurm_cpus",
        "slurm_mem",
        "slurm_time",
        "slurm_account",
        "slurm_sbatch_args",
    ]
    .into_iter()
    .find_map(|k| keys.get(k, module))
    .map_or_else(
        || ("(daemon settings)".into(), String::new()),
        |(k, v)| (k, v.to_string()),
    )
}

impl ModuleExecutors {
    /// Decides, for every module of the pipeline, where it runs: `default` unless the local
    /// config says otherwise. Fails on a value that cannot be used, naming the key.
    pub fn for_pipeline(
        pipeline: &Pipeline,
        stores: &Stores,
        default: ExecutorKind,
        cluster: &SlurmCluster,
    ) -> Result<Self, ChoiceError> {
        let base = cluster.config().resources();
        let slurm = SlurmExecutor::new(cluster, stores.clone());
        let local = &pipeline.local;
        let keys = Keys {
            values: local
                .values
                .iter()
                .map(|(k, v)| (k.to_lowercase(), v.as_str()))
                .collect(),
            files: if local.files.is_empty() {
                "no local config file".into()
            } else {
                local
                    .files
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        };
        let mut plans = HashMap::new();
        for module in &pipeline.modules {
            let kind = match keys.get("executor", module) {
                Some((key, value)) => value
                    .parse::<ExecutorKind>()
                    .map_err(|message| keys.error(key, value, message))?,
                None => default,
            };
            let plan = match kind {
                ExecutorKind::Local => Plan::Local,
                ExecutorKind::Slurm => Plan::Slurm(keys.resources(module, &base)?),
            };
            plans.insert(module.name.clone(), plan);
        }
        Ok(Self {
            default,
            slurm,
            plans,
        })
    }

    /// Where a module runs.
    pub fn kind(&self, module: &str) -> ExecutorKind {
        match self.plans.get(module) {
            Some(Plan::Local) => ExecutorKind::Local,
            Some(Plan::Slurm(_)) => ExecutorKind::Slurm,
            None => self.default,
        }
    }

    /// The Slurm resources of a module that runs on Slurm.
    pub fn resources(&self, module: &str) -> Option<&Resources> {
        match self.plans.get(module) {
            Some(Plan::Slurm(resources)) => Some(resources),
            _ => None,
        }
    }

    /// The Slurm executor (for following jobs again after a restart).
    pub fn slurm(&self) -> &SlurmExecutor {
        &self.slurm
    }
}

impl Executor for ModuleExecutors {
    fn start(&self, spec: JobSpec) -> Result<Box<dyn Job>, ExecError> {
        match self.plans.get(&spec.module) {
            Some(Plan::Slurm(resources)) => Ok(Box::new(self.slurm.submit(spec, resources)?)),
            Some(Plan::Local) => LocalExecutor.start(spec),
            None => match self.default {
                ExecutorKind::Local => LocalExecutor.start(spec),
                ExecutorKind::Slurm => self.slurm.start(spec),
            },
        }
    }
}
