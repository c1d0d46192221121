//! Settings of the Slurm executor: the cluster-wide ones (the daemon's `[slurm]` section) and
//! the resources a job asks for, which a local config can refine per module.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Slurm settings that cannot be used: what is wrong, naming the setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidSettings(pub String);

/// What a job asks Slurm for. Every field is optional: what is not set is left to the
/// cluster's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Resources {
    /// `--partition`.
    pub partition: Option<String>,
    /// `--cpus-per-task`.
    pub cpus: Option<u32>,
    /// `--mem`, in Slurm's syntax (`4G`, `500M`).
    pub mem: Option<String>,
    /// `--time`, in Slurm's syntax (`30`, `2:00:00`, `1-00:00:00`).
    pub time: Option<String>,
    /// `--account`.
    pub account: Option<String>,
    /// Further sbatch options, one per item (`--qos=long`, `--gres=gpu:1`).
    pub sbatch_args: Vec<String>,
}

impl Resources {
    /// These resources with everything `over` sets taking precedence; extra sbatch options
    /// accumulate (later ones win in sbatch when they repeat an option).
    pub fn overlay(&self, over: &Resources) -> Resources {
        Resources {
            partition: over.partition.clone().or_else(|| self.partition.clone()),
            cpus: over.cpus.or(self.cpus),
            mem: over.mem.clone().or_else(|| self.mem.clone()),
            time: over.time.clone().or_else(|| self.time.clone()),
            account: over.account.clone().or_else(|| self.account.clone()),
            sbatch_args: self
                .sbatch_args
                .iter()
                .chain(&over.sbatch_args)
                .cloned()
                .collect(),
        }
    }

    /// The sbatch options, in the order they go into the job script.
    pub fn sbatch_options(&self) -> Vec<String> {
        let mut options = Vec::new();
        let mut add = |name: &str, value: &Option<String>| {
            if let Some(value) = value {
                options.push(format!("--{name}={value}"));
            }
        };
        add("partition", &self.partition);
        add("cpus-per-task", &self.cpus.map(|c| c.to_string()));
        add("mem", &self.mem);
        add("time", &self.time);
        add("account", &self.account);
        options.extend(self.sbatch_args.iter().cloned());
        options
    }

    /// Checks values that would break the job script: empty values, line breaks, quotes.
    pub fn check(&self) -> Result<(), InvalidSettings> {
        if self.cpus == Some(0) {
            return Err(InvalidSettings("cpus must be at least 1".into()));
        }
        let named = [
            ("partition", &self.partition),
            ("mem", &self.mem),
            ("time", &self.time),
            ("account", &self.account),
        ];
        for (name, value) in named {
            if let Some(value) = value
                && (value.trim().is_empty() || value.chars().any(char::is_whitespace))
            {
                return Err(InvalidSettings(format!(
                    "{name} '{value}' is empty or contains spaces"
                )));
            }
        }
        for arg in &self.sbatch_args {
            if !arg.starts_with('-') || arg.contains(['\n', '\r']) {
                return Err(InvalidSettings(format!(
                    "sbatch argument '{arg}' is not an option (options start with '-' and fit \
                     on one line)"
                )));
            }
        }
        Ok(())
    }
}

/// Cluster-wide settings of the Slurm executor: the daemon's `[slurm]` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlurmConfig {
    /// Directory holding `sbatch`, `squeue`, `scontrol`, `sacct` and `scancel` (default:
    /// found on `PATH`).
    pub bin_dir: Option<PathBuf>,
    /// The binary compute nodes run (default: the running binary, which must then be on the
    /// shared filesystem at the same path).
    pub program: Option<PathBuf>,
    /// Seconds between two looks at a job's state (squeue, scontrol, sacct).
    pub poll_interval: f64,
    /// Seconds between two reads of a job's output files.
    pub output_interval: f64,
    /// `--partition` of every job, unless the local config says otherwise.
    pub partition: Option<String>,
    /// `--cpus-per-task` (the local config's `processes` or `slurm_cpus` take precedence).
    pub cpus: Option<u32>,
    /// `--mem`.
    pub mem: Option<String>,
    /// `--time`.
    pub time: Option<String>,
    /// `--account`.
    pub account: Option<String>,
    /// Further sbatch options for every job.
    pub sbatch_args: Vec<String>,
}

impl Default for SlurmConfig {
    fn default() -> Self {
        Self {
            bin_dir: None,
            program: None,
            poll_interval: 5.0,
            output_interval: 1.0,
            partition: None,
            cpus: None,
            mem: None,
            time: None,
            account: None,
            sbatch_args: Vec::new(),
        }
    }
}

/// Shortest polling interval accepted, so that a typo cannot flood the controller.
const MIN_INTERVAL: f64 = 0.05;

impl SlurmConfig {
    /// The resources every job asks for unless the local config refines them.
    pub fn resources(&self) -> Resources {
        Resources {
            partition: self.partition.clone(),
            cpus: self.cpus,
            mem: self.mem.clone(),
            time: self.time.clone(),
            account: self.account.clone(),
            sbatch_args: self.sbatch_args.clone(),
        }
    }

    /// Checks the intervals and the resources.
    pub fn check(&self) -> Result<(), InvalidSettings> {
        for (name, value) in [
            ("poll_interval", self.poll_interval),
            ("output_interval", self.output_interval),
        ] {
            if !value.is_finite() || value < MIN_INTERVAL {
                return Err(InvalidSettings(format!(
                    "{name} = {value}: must be a number of seconds of at least {MIN_INTERVAL}"
                )));
            }
        }
        self.resources().check()
    }

    pub(super) fn poll(&self) -> Duration {
        Duration::from_secs_f64(self.poll_interval.max(MIN_INTERVAL))
    }

    pub(super) fn output(&self) -> Duration {
        Duration::from_secs_f64(self.output_interval.max(MIN_INTERVAL))
    }

    /// The path of one of Slurm's commands.
    pub(super) fn command(&self, name: &str) -> PathBuf {
        match &self.bin_dir {
            Some(dir) => dir.join(name),
            None => PathBuf::from(name),
        }
    }
}
