//! Pulls: this daemon fetches modules from another daemon, straight into its own stores,
//! through the same verified receive path as incremental uploads (manifest comparison, only
//! missing files sent, each checked against the source's manifest, resumable staging, atomic
//! install). Progress is visible as a transfer resource, whose record outlives the daemon
//! ([`records`]).

mod pull;
mod records;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indexmap::IndexMap;
use pimlico_core::transfer::Progress;
use pimlico_proto::{TransferInfo, TransferState};
use tokio::sync::watch;

pub use pull::start_pull;

use crate::error::ApiError;

struct Entry {
    info: TransferInfo,
    /// The live counters of a transfer under way; `None` once it has ended (its counters are
    /// then in `info`), and for the records of earlier lifetimes.
    progress: Option<Arc<Progress>>,
    /// Bumped at every change of the record, for long polls.
    changed: watch::Sender<u64>,
}

/// Every pull of this daemon, including those of its earlier lifetimes read back from
/// [`records`] (a cheap handle: clones share the records). The default keeps its records in
/// memory only.
#[derive(Default, Clone)]
pub struct Transfers {
    entries: Arc<Mutex<IndexMap<String, Entry>>>,
    counter: Arc<AtomicU64>,
    /// Where records are saved; `None`: nowhere.
    dir: Option<PathBuf>,
}

impl std::fmt::Debug for Transfers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transfers")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn now() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

impl Transfers {
    /// The transfers recorded in `dir` by earlier lifetimes of the daemon; new records are
    /// saved there too.
    pub fn new(dir: PathBuf) -> Self {
        let entries = records::load(&dir)
            .into_iter()
            .map(|info| {
                let entry = Entry {
                    info,
                    progress: None,
                    changed: watch::channel(0).0,
                };
                (entry.info.id.clone(), entry)
            })
            .collect();
        Self {
            entries: Arc::new(Mutex::new(entries)),
            counter: Arc::default(),
            dir: Some(dir),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, IndexMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh transfer id, sorting by start time, and unique also across restarts (a number
    /// already taken in the same second by an earlier lifetime, whose records are all loaded,
    /// is skipped).
    fn next_id(&self) -> String {
        let stamp = chrono::Local::now().format("%Y%m%d%H%M%S");
        loop {
            let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
            let id = format!("t{stamp}-{n}");
            if !self.lock().contains_key(&id) {
                return id;
            }
        }
    }

    /// Writes `info`; called after the lock is released, so that a slow state directory does
    /// not stall readers (only the transfer's own task changes its record).
    fn save(&self, info: &TransferInfo) {
        if let Some(dir) = &self.dir {
            records::save(dir, info);
        }
    }

    /// Records a new transfer, counting with `progress`.
    fn insert(&self, info: TransferInfo, progress: Arc<Progress>) {
        let entry = Entry {
            info,
            progress: Some(progress),
            changed: watch::channel(0).0,
        };
        self.save(&snapshot(&entry));
        self.lock().insert(entry.info.id.clone(), entry);
    }

    /// A transfer's record with its progress as of now.
    pub fn get(&self, id: &str) -> Result<TransferInfo, ApiError> {
        self.lock()
            .get(id)
            .map(snapshot)
            .ok_or_else(|| ApiError::NotFound(format!("no transfer '{id}' on this daemon")))
    }

    /// Every transfer, oldest first.
    pub fn list(&self) -> Vec<TransferInfo> {
        self.lock().values().map(snapshot).collect()
    }

    /// Transfers pending or running.
    pub fn active_count(&self) -> u64 {
        self.lock()
            .values()
            .filter(|e| !e.info.state.is_finished())
            .count() as u64
    }

    /// Updates a transfer's record (saving it, with its counters as of now, when it changed)
    /// and wakes its waiters.
    fn update(&self, id: &str, f: impl FnOnce(&mut TransferInfo)) {
        let changed = {
            let mut entries = self.lock();
            let Some(entry) = entries.get_mut(id) else {
                return;
            };
            let before = entry.info.clone();
            f(&mut entry.info);
            let changed = (entry.info != before).then(|| snapshot(entry));
            entry.changed.send_modify(|n| *n += 1);
            changed
        };
        if let Some(info) = changed {
            self.save(&info);
        }
    }

    /// Ends a transfer with `result`: its counters are frozen in the record, which is saved.
    fn finish(&self, id: &str, result: Result<(), String>) {
        let ended = {
            let mut entries = self.lock();
            let Some(entry) = entries.get_mut(id) else {
                return;
            };
            entry.info = snapshot(entry);
            entry.progress = None;
            let info = &mut entry.info;
            info.state = if result.is_ok() {
                TransferState::Succeeded
            } else {
                TransferState::Failed
            };
            info.current = None;
            info.error = result.err();
            info.finished = Some(now());
            let ended = info.clone();
            entry.changed.send_modify(|n| *n += 1);
            ended
        };
        self.save(&ended);
    }

    /// Waits until transfer `id` has ended or `timeout` has passed, then returns its record.
    pub async fn wait(&self, id: &str, timeout: Duration) -> Result<TransferInfo, ApiError> {
        let mut changed = self
            .lock()
            .get(id)
            .map(|e| e.changed.subscribe())
            .ok_or_else(|| ApiError::NotFound(format!("no transfer '{id}' on this daemon")))?;
        let _ = tokio::time::timeout(timeout, async {
            while !self.get(id).is_ok_and(|i| i.state.is_finished()) {
                if changed.changed().await.is_err() {
                    break;
                }
            }
        })
        .await;
        self.get(id)
    }
}

/// The record with the live counters of a transfer under way.
fn snapshot(entry: &Entry) -> TransferInfo {
    let Some(progress) = &entry.progress else {
        return entry.info.clone();
    };
    let p = progress.snapshot();
    let known = |n: u64| (n > 0).then_some(n);
    TransferInfo {
        bytes: p.wire_bytes,
        data_bytes: p.tar_bytes,
        total_bytes: known(p.total_bytes),
        files: p.files,
        total_files: known(p.total_files),
        rate: p.rate,
        ..entry.info.clone()
    }
}
