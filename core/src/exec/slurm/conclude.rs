//! Settling a Slurm job's outcome once it has ended.
//!
//! The module's own process records its status, history and error log, and says so on its
//! output ([`Outcome`]); then the job's exit is its exit code. When it could not (the job
//! reached its time limit, ran out of memory, was cancelled, lost its node), the reason Slurm
//! gives is recorded here as the supervisor records a killed local process: a history line,
//! an error log with the output, `FAILED`, the lock removed; and a `failed` event carries the
//! reason to whoever follows the run. A job that ended before the module started changes
//! nothing but the history and is reported as refused.

use super::monitor::{End, Monitor, Outcome};
use super::state::JobInfo;
use crate::engine::child::{EXIT_COMPLETE, EXIT_FAILED, EXIT_REFUSED};
use crate::exec::{ChildEvent, JobEvent, JobExit, LogLevel};
use crate::status::statuses::FAILED;
use crate::status::{append_history, new_error_log, set_status};

/// Whether a lock's host is the node a job ran on (Slurm's node names are usually the short
/// host names).
fn same_host(lock_host: &str, node: &str) -> bool {
    let short = |h: &str| h.split('.').next().unwrap_or(h).to_ascii_lowercase();
    short(lock_host) == short(node)
}

impl Monitor {
    fn history(&self, message: &str) {
        if let Err(e) = append_history(&self.stores, &self.record.module, message) {
            self.log(LogLevel::Error, format!("could not write history: {e}"));
        }
    }

    fn emit(&self, event: ChildEvent) {
        let _ = self.events.send(JobEvent::Child(event));
    }

    /// Settles the outcome; returns the exit the supervisor sees.
    pub(super) fn conclude(&mut self, end: End) -> JobExit {
        let id = self.id().to_string();
        let info = match &end {
            End::Known(info) => Some(info.clone()),
            End::Unknown => None,
        };
        let ended = info.as_ref().map(JobInfo::describe_end);
        let completed = info.as_ref().is_some_and(|i| i.state == "COMPLETED");
        // The module recorded its outcome itself.
        let recorded = self.outcome.or_else(|| match info.as_ref() {
            Some(i) if i.state == "COMPLETED" => Some(Outcome::Finished),
            Some(i) if i.state == "FAILED" && i.exit == Some((EXIT_FAILED, 0)) => {
                Some(Outcome::Failed)
            }
            Some(i) if i.state == "FAILED" && i.exit == Some((EXIT_REFUSED, 0)) => {
                Some(Outcome::Refused)
            }
            _ => None,
        });
        if let Some(outcome) = recorded {
            if let (Some(ended), false, false) = (&ended, completed, outcome == Outcome::Refused) {
                self.history(&format!("Slurm job {id} {ended}"));
            }
            return JobExit::Code(match outcome {
                Outcome::Finished => EXIT_COMPLETE,
                Outcome::Failed => EXIT_FAILED,
                Outcome::Refused => EXIT_REFUSED,
            });
        }
        let ended = ended.unwrap_or_else(|| {
            "is no longer known to Slurm (squeue, scontrol and sacct do not report it)".into()
        });
        if !self.started() {
            let message = if self.cancelled() {
                format!("Slurm job {id} was cancelled before the module started")
            } else {
                format!("Slurm job {id} {ended} before the module started")
            };
            self.history(&message);
            self.emit(ChildEvent::Refused { message });
            return JobExit::Code(EXIT_REFUSED);
        }
        let module = self.record.module.clone();
        let node = info.as_ref().and_then(|i| i.nodes.clone());
        let (history, message, log) = if self.cancelled() {
            let message = format!("Execution of {module} halted by user (Slurm job {id} {ended})");
            (message.clone(), message, None)
        } else {
            let history = format!("Execution of {module} failed: Slurm job {id} {ended}");
            let log = self.error_log(&history);
            (history, format!("Slurm job {id} {ended}"), log)
        };
        self.history(&history);
        if let Some(log) = &log {
            self.history(&format!("Debugging output in {}", log.display()));
        }
        if let Err(e) = set_status(&self.stores, &module, FAILED) {
            self.log(LogLevel::Error, format!("could not record the status: {e}"));
        }
        if log.is_some() {
            self.history("Execution completed with status FAILED");
        }
        self.remove_lock(node.as_deref());
        self.emit(ChildEvent::Failed {
            message,
            error_log: log.map(|p| p.display().to_string()),
        });
        JobExit::Code(EXIT_FAILED)
    }

    fn error_log(&self, message: &str) -> Option<std::path::PathBuf> {
        let path = new_error_log(&self.module_dir).ok()?;
        let lines: Vec<&str> = self.kept.iter().map(String::as_str).collect();
        let text = format!(
            "Top-level error\n---------------\n{message}\n\nJob script: {}\nJob output: {} and \
             {}\n\nOutput before it ended (last {} lines):\n{}\n",
            self.record.script.display(),
            self.record.stdout.display(),
            self.record.stderr.display(),
            lines.len(),
            lines.join("\n")
        );
        match std::fs::write(&path, text) {
            Ok(()) => Some(path),
            Err(e) => {
                self.log(
                    LogLevel::Error,
                    format!("could not write {}: {e}", path.display()),
                );
                None
            }
        }
    }

    /// Removes the module's lock if the job's process held it: the lock seen while the job
    /// ran, or one taken on the job's node.
    fn remove_lock(&self, node: Option<&str>) {
        let module = &self.record.module;
        let Ok(Some(lock)) = crate::lock::inspect(&self.stores, module) else {
            return;
        };
        let Some(held) = lock.record else { return };
        let ours = self.lock_seen.as_ref() == Some(&held)
            || node.is_some_and(|node| same_host(&held.host, node));
        if !ours {
            return;
        }
        if let Err(e) = crate::lock::remove(&self.stores, module) {
            self.log(LogLevel::Error, format!("could not remove the lock: {e}"));
        }
    }
}
