//! Module runs: a queue with a concurrency limit, each run executing its modules through the
//! engine (`run_modules`, one `internal-exec` child per module, in its own process group, or
//! one Slurm job per module, see `docs/slurm.md`).
//!
//! A run holds its modules busy from the request until it ends, so a second request for one
//! of them gets 409. Cancelling (or the daemon shutting down) kills the running module's
//! process group; the engine records the halt in the module's status and history. A Slurm job
//! is cancelled with scancel, but left running when the daemon shuts down: at its next start
//! the daemon follows it again in a new run ([`reattach`]).

mod execute;
mod logs;
mod reattach;
mod records;
mod sink;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use indexmap::IndexMap;
use pimlico_proto::{RunInfo, RunState};
use tokio::sync::{Semaphore, watch};
use tokio_util::sync::CancellationToken;

pub use execute::start;
pub use logs::log_stream;
pub use reattach::reattach;

use crate::error::ApiError;

/// One run's record.
#[derive(Debug)]
struct Entry {
    info: RunInfo,
    cancel: CancellationToken,
    log: PathBuf,
    /// Bumped whenever the log grows or the run ends, for followers.
    changed: watch::Sender<u64>,
}

/// Every run of this daemon, including those of its earlier lifetimes read back from
/// [`records`] (a cheap handle: clones share the records).
#[derive(Debug, Clone)]
pub struct Runs {
    entries: Arc<Mutex<IndexMap<String, Entry>>>,
    slots: Arc<Semaphore>,
    log_dir: PathBuf,
    counter: Arc<AtomicU64>,
}

impl Runs {
    /// The runs recorded in `log_dir` by earlier lifetimes of the daemon; at most
    /// `max_concurrent` execute at once; logs and records go to `log_dir`.
    pub fn new(max_concurrent: usize, log_dir: PathBuf) -> Self {
        let entries = records::load(&log_dir)
            .into_iter()
            .map(|info| {
                let entry = Entry {
                    log: log_dir.join(format!("{}.log", info.id)),
                    info,
                    cancel: CancellationToken::new(),
                    changed: watch::channel(0).0,
                };
                (entry.info.id.clone(), entry)
            })
            .collect();
        Self {
            entries: Arc::new(Mutex::new(entries)),
            slots: Arc::new(Semaphore::new(max_concurrent.max(1))),
            log_dir,
            counter: Arc::default(),
        }
    }

    /// A fresh run id, sorting by start time, and unique also across restarts (a number
    /// already taken in the same second by an earlier lifetime is skipped).
    fn next_id(&self) -> String {
        let stamp = chrono::Local::now().format("%Y%m%d%H%M%S");
        loop {
            let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
            let id = format!("r{stamp}-{n}");
            if !self.lock().contains_key(&id) {
                return id;
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, IndexMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A run's current record.
    pub fn get(&self, id: &str) -> Result<RunInfo, ApiError> {
        self.lock()
            .get(id)
            .map(|e| e.info.clone())
            .ok_or_else(|| ApiError::NotFound(format!("no run '{id}' on this daemon")))
    }

    /// Runs, oldest first, narrowed by pipeline, variant and module.
    pub fn list(
        &self,
        pipeline: Option<&str>,
        variant: Option<&str>,
        module: Option<&str>,
    ) -> Vec<RunInfo> {
        self.lock()
            .values()
            .map(|e| &e.info)
            .filter(|i| pipeline.is_none_or(|p| i.pipeline == p))
            .filter(|i| variant.is_none_or(|v| i.variant == v))
            .filter(|i| module.is_none_or(|m| i.modules.iter().any(|x| x == m)))
            .cloned()
            .collect()
    }

    /// Asks a run to stop; returns its record as it stands.
    pub fn cancel(&self, id: &str) -> Result<RunInfo, ApiError> {
        let entries = self.lock();
        let entry = entries
            .get(id)
            .ok_or_else(|| ApiError::NotFound(format!("no run '{id}' on this daemon")))?;
        entry.cancel.cancel();
        Ok(entry.info.clone())
    }

    /// Runs queued or running.
    pub fn active_count(&self) -> u64 {
        self.lock()
            .values()
            .filter(|e| !e.info.state.is_finished())
            .count() as u64
    }

    /// Wakes a run's log followers: its log grew, its record did not change (called for every
    /// line a module prints, so it neither copies nor saves the record).
    fn log_grew(&self, id: &str) {
        if let Some(entry) = self.lock().get(id) {
            entry.changed.send_modify(|n| *n += 1);
        }
    }

    /// Updates a run's record (saving it when it changed) and wakes its log followers.
    fn update(&self, id: &str, f: impl FnOnce(&mut RunInfo)) {
        if let Some(entry) = self.lock().get_mut(id) {
            let before = entry.info.clone();
            f(&mut entry.info);
            if entry.info != before {
                records::save(&self.log_dir, &entry.info);
            }
            entry.changed.send_modify(|n| *n += 1);
        }
    }

    /// The log file and change notifications of a run, and whether it has ended.
    fn log_of(&self, id: &str) -> Result<(PathBuf, watch::Receiver<u64>), ApiError> {
        let entries = self.lock();
        let entry = entries
            .get(id)
            .ok_or_else(|| ApiError::NotFound(format!("no run '{id}' on this daemon")))?;
        Ok((entry.log.clone(), entry.changed.subscribe()))
    }

    /// Waits until run `id` has ended or `timeout` has passed, then returns its record.
    pub async fn wait(&self, id: &str, timeout: std::time::Duration) -> Result<RunInfo, ApiError> {
        let (_, mut changed) = self.log_of(id)?;
        let _ = tokio::time::timeout(timeout, async {
            while !self.is_finished(id) {
                if changed.changed().await.is_err() {
                    break;
                }
            }
        })
        .await;
        self.get(id)
    }

    fn is_finished(&self, id: &str) -> bool {
        self.lock()
            .get(id)
            .is_none_or(|e| e.info.state.is_finished())
    }
}

/// `RunState` as the metrics label.
fn state_label(state: RunState) -> &'static str {
    match state {
        RunState::Queued => "queued",
        RunState::Running => "running",
        RunState::Succeeded => "succeeded",
        RunState::Failed => "failed",
        RunState::Cancelled => "cancelled",
    }
}
