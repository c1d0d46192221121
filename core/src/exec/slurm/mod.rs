//! Running module jobs on a Slurm cluster (see `docs/slurm.md`).
//!
//! A job is the same `internal-exec` command a local run starts, written into a job script
//! kept in the module directory (`slurm-<id>.sh`) and submitted with `sbatch`. The binary and
//! the stores must be on a filesystem the compute nodes share. The module's process writes its
//! own status, history and lock as in a local run; its events go to the job's output file
//! (`slurm-<id>.out`), which is followed while the job runs. The job's state is polled with
//! squeue (then `scontrol show job` and sacct for how it ended); when the module could not
//! record its outcome (time limit, out of memory, cancelled, node failure) the Slurm reason is
//! recorded for it. `.slurm_job` in the module directory names the job until its outcome is
//! recorded, so that a restarted daemon can follow it again ([`SlurmExecutor::reattach`]).

mod choice;
mod commands;
mod conclude;
mod config;
mod job;
mod monitor;
mod record;
mod script;
mod squeue;
mod state;
mod tail;

pub use choice::{ChoiceError, ExecutorKind, ModuleExecutors};
pub use config::{InvalidSettings, Resources, SlurmConfig};
pub use job::SlurmJob;
pub use record::{JobRecord, QUEUED, RECORD_FILE, queued_job, read_record};
pub use state::{JobInfo, Phase};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::mpsc::unbounded_channel;

use self::commands::Cluster;
use self::monitor::{Monitor, Shared};
use self::script::{ScriptSpec, job_name, job_script};
use super::{ExecError, Executor, Job, JobSpec};
use crate::lock::this_host;
use crate::status::append_history;
use crate::store::Stores;
use crate::time::now_stamp;

/// A Slurm cluster as the executors use it: its settings, and one squeue shared by every
/// job followed through it. Cheap to clone; a daemon keeps one for all its runs.
#[derive(Debug, Clone)]
pub struct SlurmCluster(Arc<Cluster>);

impl SlurmCluster {
    /// A handle for these settings; fails if they are unusable.
    pub fn new(config: SlurmConfig) -> Result<Self, InvalidSettings> {
        config.check()?;
        Ok(Self(Arc::new(Cluster::new(config))))
    }

    /// The cluster-wide settings.
    pub fn config(&self) -> &SlurmConfig {
        &self.0.config
    }
}

/// Submits jobs of one pipeline (its stores hold the job scripts and output) to Slurm. Must
/// be used inside a tokio runtime: each job is followed by a task.
#[derive(Debug, Clone)]
pub struct SlurmExecutor {
    cluster: Arc<Cluster>,
    stores: Stores,
}

fn submit_error(module: &str, message: String) -> ExecError {
    ExecError::Spawn {
        module: module.to_string(),
        program: "sbatch".into(),
        source: std::io::Error::other(message),
    }
}

impl SlurmExecutor {
    /// An executor for a pipeline's stores.
    pub fn new(cluster: &SlurmCluster, stores: Stores) -> Self {
        Self {
            cluster: Arc::clone(&cluster.0),
            stores,
        }
    }

    /// The cluster-wide settings.
    pub fn config(&self) -> &SlurmConfig {
        &self.cluster.config
    }

    /// Submits a job asking for `resources` (refined from the cluster-wide ones).
    pub fn submit(&self, spec: JobSpec, resources: &Resources) -> Result<SlurmJob, ExecError> {
        let module = spec.module.clone();
        let fail = |message: String| submit_error(&module, message);
        resources
            .check()
            .map_err(|m| fail(format!("invalid Slurm resources: {m}")))?;
        let dir = self.stores.output_module_dir(&module);
        std::fs::create_dir_all(&dir)
            .map_err(|e| fail(format!("creating module directory {}: {e}", dir.display())))?;
        self.refuse_if_queued(&module, &dir)?;
        let program = self
            .cluster
            .config
            .program
            .clone()
            .unwrap_or(spec.program.clone());
        let header = format!(
            "Job script of Pimlico module '{module}', written on {} at {}.\nIts output goes \
             to slurm-<job id>.out and slurm-<job id>.err in this directory.",
            this_host(),
            now_stamp()
        );
        let text = job_script(&ScriptSpec {
            spec: &spec,
            program: &program,
            module_dir: &dir,
            resources,
            header: &header,
        })
        .map_err(|m| fail(format!("cannot write a job script: {m}")))?;
        let pending = dir.join("slurm-submit.sh");
        std::fs::write(&pending, text)
            .map_err(|e| fail(format!("writing {}: {e}", pending.display())))?;
        let job_id = match self.cluster.sbatch(&pending, &dir) {
            Ok(id) => id,
            Err(message) => {
                let _ = std::fs::remove_file(&pending);
                return Err(fail(message));
            }
        };
        let script = dir.join(format!("slurm-{job_id}.sh"));
        let script = match std::fs::rename(&pending, &script) {
            Ok(()) => script,
            Err(_) => pending,
        };
        let record = JobRecord {
            job_name: job_name(&module),
            module: module.clone(),
            stdout: dir.join(format!("slurm-{job_id}.out")),
            stderr: dir.join(format!("slurm-{job_id}.err")),
            script: script.clone(),
            submitted: now_stamp(),
            submit_host: this_host(),
            state: String::new(),
            reason: None,
            job_id,
        };
        let message = format!(
            "Submitted Slurm job {} (job script {})",
            record.job_id,
            script.display()
        );
        let _ = append_history(&self.stores, &module, &message);
        if let Err(e) = record::write_record(&dir, &record) {
            // The job runs and is followed; only a restarted daemon would not find it.
            tracing::warn!("Slurm job {} of module '{module}': {e}", record.job_id);
        }
        Ok(self.follow(record, message))
    }

    /// A module whose last job is still queued or running is not submitted again.
    fn refuse_if_queued(&self, module: &str, dir: &Path) -> Result<(), ExecError> {
        let Ok(Some(record)) = read_record(dir) else {
            return Ok(());
        };
        match self.cluster.live_blocking(&record.job_id) {
            Ok(Some(info)) if info.name.as_deref().is_none_or(|n| n == record.job_name) => {
                Err(submit_error(
                    module,
                    format!(
                        "module '{module}' already has Slurm job {} ({}): wait for it, or \
                         cancel it (scancel {})",
                        record.job_id, info.state, record.job_id
                    ),
                ))
            }
            _ => Ok(()),
        }
    }

    /// Follows the module's job again, if it has one that was not seen to its end (after a
    /// restart). Its output is read from the start, so its events are reported again.
    pub fn reattach(&self, module: &str) -> Result<Option<SlurmJob>, ExecError> {
        let dir = self.stores.output_module_dir(module);
        let record = read_record(&dir).map_err(|e| ExecError::Control {
            module: module.to_string(),
            source: std::io::Error::other(e.to_string()),
        })?;
        let Some(record) = record.filter(|r| r.module == module) else {
            return Ok(None);
        };
        let message = format!("Following Slurm job {} again", record.job_id);
        let _ = append_history(&self.stores, module, &message);
        Ok(Some(self.follow(record, message)))
    }

    /// Modules of these stores' output store with a job record: the jobs to follow again.
    pub fn recorded_modules(&self) -> Vec<String> {
        let root = &self.stores.output().path;
        let Ok(entries) = std::fs::read_dir(root) else {
            return Vec::new();
        };
        let mut modules: Vec<String> = entries
            .flatten()
            .filter(|e| e.path().join(RECORD_FILE).is_file())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .collect();
        modules.sort();
        modules
    }

    /// Starts following a job; `intro` is its first log message.
    fn follow(&self, record: JobRecord, intro: String) -> SlurmJob {
        let shared = Shared::new();
        let (tx, rx) = unbounded_channel();
        let job = SlurmJob {
            module: record.module.clone(),
            job_id: record.job_id.clone(),
            cluster: Arc::clone(&self.cluster),
            shared: Arc::clone(&shared),
            exit: shared.exit.subscribe(),
            events: Some(rx),
        };
        let monitor = Monitor::new(
            Arc::clone(&self.cluster),
            self.stores.clone(),
            record,
            shared,
            tx,
        );
        tokio::spawn(monitor.run(intro));
        job
    }

    /// Where a module's job files go.
    pub fn module_dir(&self, module: &str) -> PathBuf {
        self.stores.output_module_dir(module)
    }
}

impl Executor for SlurmExecutor {
    fn start(&self, spec: JobSpec) -> Result<Box<dyn Job>, ExecError> {
        let resources = self.cluster.config.resources();
        Ok(Box::new(self.submit(spec, &resources)?))
    }
}
