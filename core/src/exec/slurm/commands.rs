//! Slurm's commands: `sbatch` to submit, `squeue`, `scontrol show job` and `sacct` to follow a
//! job, `scancel` to stop it.
//!
//! A live job is looked up with squeue (answered from the controller's memory). An ended job's
//! exit code and reason come from `scontrol show job`, which knows jobs for `MinJobAge`
//! seconds after they end, then from sacct, which needs accounting storage (slurmdbd); when
//! neither knows a job any more, it is [`Query::Unknown`].

use std::path::Path;
use std::process::Output;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::config::SlurmConfig;
use super::squeue::{Batch, new_batch};
use super::state::{JobInfo, Phase, parse_sacct, parse_scontrol, parse_squeue};

/// How long one query command may take before it counts as failed (a controller that does
/// not answer makes squeue wait for its `MessageTimeout`, several times over).
const QUERY_TIMEOUT: Duration = Duration::from_secs(120);

/// The cluster: its settings and what we learnt about it.
#[derive(Debug)]
pub(super) struct Cluster {
    pub(super) config: SlurmConfig,
    /// sacct said accounting storage is disabled; it is not asked again.
    sacct_disabled: AtomicBool,
    /// The jobs followed, asked about together (see `squeue.rs`).
    pub(super) batch: Mutex<Batch>,
    /// Held while squeue is asked.
    pub(super) asking: tokio::sync::Mutex<()>,
}

/// What Slurm knows about a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Query {
    /// Its state.
    Known(JobInfo),
    /// No Slurm command knows the job (ended and forgotten, or never existed).
    Unknown,
}

pub(super) fn describe(command: &str, args: &[&str], output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let said = if stderr.trim().is_empty() {
        stdout.trim().to_string()
    } else {
        stderr.trim().to_string()
    };
    format!(
        "`{command} {}` failed ({}): {said}",
        args.join(" "),
        output.status
    )
}

pub(super) fn unknown_job(output: &Output) -> bool {
    String::from_utf8_lossy(&output.stderr).contains("Invalid job id")
}

impl Cluster {
    pub(super) fn new(config: SlurmConfig) -> Self {
        Self {
            config,
            sacct_disabled: AtomicBool::new(false),
            batch: new_batch(),
            asking: tokio::sync::Mutex::new(()),
        }
    }

    pub(super) async fn run(&self, name: &str, args: &[&str]) -> Result<Output, String> {
        let program = self.config.command(name);
        let mut command = tokio::process::Command::new(&program);
        command.args(args).kill_on_drop(true);
        match tokio::time::timeout(QUERY_TIMEOUT, command.output()).await {
            Ok(Ok(output)) => Ok(output),
            Ok(Err(e)) => Err(format!("could not run {}: {e}", program.display())),
            Err(_) => Err(format!(
                "`{name} {}` did not answer within {} s",
                args.join(" "),
                QUERY_TIMEOUT.as_secs()
            )),
        }
    }

    /// Submits a job script; returns the job id.
    pub(super) fn sbatch(&self, script: &Path, dir: &Path) -> Result<String, String> {
        let program = self.config.command("sbatch");
        let output = std::process::Command::new(&program)
            .arg("--parsable")
            .arg(script)
            .current_dir(dir)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| {
                format!(
                    "could not run {} (is Slurm installed here? The daemon's [slurm] bin_dir \
                     names the directory of its commands): {e}",
                    program.display()
                )
            })?;
        let script_arg = script.display().to_string();
        if !output.status.success() {
            return Err(describe("sbatch", &["--parsable", &script_arg], &output));
        }
        // `12` or `12;cluster`.
        let stdout = String::from_utf8_lossy(&output.stdout);
        let id = stdout
            .lines()
            .last()
            .and_then(|l| l.split(';').next())
            .map(str::trim)
            .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| {
                format!(
                    "sbatch did not print a job id (it printed '{}')",
                    stdout.trim()
                )
            })?;
        Ok(id.to_string())
    }

    /// Stops a job (`scancel`); a job that has ended already is not an error.
    pub(super) fn scancel(&self, id: &str) -> Result<(), String> {
        let program = self.config.command("scancel");
        let output = std::process::Command::new(&program)
            .arg(id)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| format!("could not run {}: {e}", program.display()))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        if output.status.success() || stderr.contains("already completing or completed") {
            Ok(())
        } else {
            Err(describe("scancel", &[id], &output))
        }
    }

    /// The job's state if it is queued or running (squeue, waiting for the answer).
    pub(super) fn live_blocking(&self, id: &str) -> Result<Option<JobInfo>, String> {
        let args = ["-h", "-t", "all", "-j", id, "-o", "%T|%r|%N|%j"];
        let program = self.config.command("squeue");
        let output = std::process::Command::new(&program)
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| format!("could not run {}: {e}", program.display()))?;
        if !output.status.success() {
            return if unknown_job(&output) {
                Ok(None)
            } else {
                Err(describe("squeue", &args, &output))
            };
        }
        Ok(String::from_utf8_lossy(&output.stdout)
            .lines()
            .find_map(parse_squeue)
            .filter(|info| info.phase() != Phase::Ended))
    }

    /// The job's state: squeue while it lives, then `scontrol show job`, then sacct.
    pub(super) async fn query(&self, id: &str) -> Result<Query, String> {
        let queued = self.squeue(id).await?;
        if let Some(info) = queued.as_ref().filter(|i| i.phase() != Phase::Ended) {
            return Ok(Query::Known(info.clone()));
        }
        if let Some(info) = self.scontrol(id).await? {
            return Ok(Query::Known(info));
        }
        if let Some(info) = self.sacct(id).await? {
            return Ok(Query::Known(info));
        }
        // Forgotten between the two questions: squeue's answer (without exit code) is all.
        Ok(queued.map_or(Query::Unknown, Query::Known))
    }

    async fn scontrol(&self, id: &str) -> Result<Option<JobInfo>, String> {
        let args = ["show", "job", "-o", id];
        let output = self.run("scontrol", &args).await?;
        if !output.status.success() {
            return if unknown_job(&output) {
                Ok(None)
            } else {
                Err(describe("scontrol", &args, &output))
            };
        }
        Ok(parse_scontrol(&String::from_utf8_lossy(&output.stdout)))
    }

    /// sacct's record of a job; `None` when it has none or accounting is disabled.
    async fn sacct(&self, id: &str) -> Result<Option<JobInfo>, String> {
        if self.sacct_disabled.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let args = [
            "-X",
            "-n",
            "-P",
            "-j",
            id,
            "-o",
            "State,ExitCode,NodeList,JobName",
        ];
        let output = self.run("sacct", &args).await?;
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        if said.contains("accounting storage is disabled") {
            self.sacct_disabled.store(true, Ordering::Relaxed);
            return Ok(None);
        }
        if !output.status.success() {
            return Err(describe("sacct", &args, &output));
        }
        Ok(String::from_utf8_lossy(&output.stdout)
            .lines()
            .find_map(parse_sacct)
            // Accounting lags behind the controller: a job it still thinks runs is not known.
            .filter(|info| info.phase() == Phase::Ended))
    }
}
