//! Pulls: this daemon fetches modules from another daemon, straight into its own stores,
//! through the same verified receive path as incremental uploads (manifest comparison, only
//! missing files sent, each checked against the source's manifest, resumable staging, atomic
//! install). Progress is visible as a transfer resource.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use indexmap::IndexMap;
use pimlico_client::remote::{Client, MoveError, ServerSpec, pull_module};
use pimlico_core::transfer::{Progress, compare_definitions, module_definition};
use pimlico_proto::{PullRequest, TransferInfo, TransferState};
use tokio::sync::watch;

use crate::busy::BusyGuard;
use crate::error::ApiError;
use crate::handlers::data::{receiving, transfer_error};
use crate::handlers::verified::receive_options;
use crate::pipelines::Loaded;
use crate::state::AppState;

struct Entry {
    info: TransferInfo,
    progress: Arc<Progress>,
    /// Bumped at every change of the record, for long polls.
    changed: watch::Sender<u64>,
}

/// Every pull of this daemon's lifetime.
#[derive(Default, Clone)]
pub struct Transfers {
    entries: Arc<Mutex<IndexMap<String, Entry>>>,
    counter: Arc<AtomicU64>,
}

impl std::fmt::Debug for Transfers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transfers").finish_non_exhaustive()
    }
}

fn now() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

impl Transfers {
    fn lock(&self) -> std::sync::MutexGuard<'_, IndexMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh transfer id, unique in this daemon's lifetime.
    fn next_id(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        format!("t{}-{n}", chrono::Local::now().format("%Y%m%d%H%M%S"))
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

    fn update(&self, id: &str, f: impl FnOnce(&mut TransferInfo)) {
        if let Some(entry) = self.lock().get_mut(id) {
            f(&mut entry.info);
            entry.changed.send_modify(|n| *n += 1);
        }
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

fn snapshot(entry: &Entry) -> TransferInfo {
    let p = entry.progress.snapshot();
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

/// Starts pulling `request.modules` from `request.source` into `loaded`'s stores.
pub fn start_pull(
    state: &AppState,
    loaded: Arc<Loaded>,
    request: PullRequest,
) -> Result<TransferInfo, ApiError> {
    if state.shutting_down() {
        return Err(ApiError::ShuttingDown);
    }
    if request.modules.is_empty() {
        return Err(ApiError::BadRequest("name the modules to pull".into()));
    }
    let modules = request
        .modules
        .iter()
        .map(|m| loaded.module_name(m))
        .collect::<Result<Vec<_>, _>>()?;
    let (pipeline, variant) = (
        loaded.pipeline.name.clone(),
        loaded.pipeline.variant.clone(),
    );
    let guard = state
        .busy()
        .claim(&pipeline, &variant, &modules, "receiving data")?;
    if !request.overwrite {
        for module in &modules {
            if let Some((_, dir)) = loaded.stores.find_module_dir(module) {
                return Err(ApiError::Conflict(format!(
                    "module '{module}' already has data in {}; ask for overwrite to replace it",
                    dir.display()
                )));
            }
        }
    }
    let client = Client::new(&ServerSpec {
        url: request.source.clone(),
        token: Some(request.token.clone()),
        ca_file: None,
        ca_pem: request.ca_pem.clone(),
    })
    .map_err(|e| ApiError::BadRequest(format!("cannot use the source: {e}")))?;
    let transfers = state.transfers().clone();
    let info = TransferInfo {
        id: transfers.next_id(),
        pipeline,
        variant,
        source: request.source.clone(),
        modules,
        done: Vec::new(),
        current: None,
        state: TransferState::Running,
        bytes: 0,
        data_bytes: 0,
        total_bytes: None,
        files: 0,
        total_files: None,
        rate: 0.0,
        reused_files: 0,
        reused_bytes: 0,
        resumed_files: 0,
        resumed_bytes: 0,
        error: None,
        created: now(),
        finished: None,
    };
    let progress = Arc::new(Progress::default());
    transfers.lock().insert(
        info.id.clone(),
        Entry {
            info: info.clone(),
            progress: progress.clone(),
            changed: watch::channel(0).0,
        },
    );
    let pull = Pull {
        state: state.clone(),
        loaded,
        client,
        request,
        id: info.id.clone(),
        progress,
        _guard: guard,
    };
    let cancel = state.shutdown_token().clone();
    let deadline = state.options().shutdown_deadline;
    state.tasks().spawn(async move {
        let id = pull.id.clone();
        let transfers = pull.state.transfers().clone();
        let metrics_state = pull.state.clone();
        // On shutdown a pull gets the deadline to finish; after it, it is dropped, which
        // leaves the module as it was and keeps the files verified so far in the module's
        // resumable staging slot, for the next pull.
        let result = tokio::select! {
            // A panic (a bug) must still end the transfer, or it would show as running forever.
            result = std::panic::AssertUnwindSafe(pull.run()).catch_unwind() => {
                result.unwrap_or_else(|_| {
                    Err("internal error in the daemon (see its log)".to_string())
                })
            }
            () = async { cancel.cancelled().await; tokio::time::sleep(deadline).await } => {
                Err("the daemon shut down before the transfer finished".to_string())
            }
        };
        // Release the modules (the busy claim) before the record says the transfer ended, so
        // that whoever waits for the end can start the next transfer of them at once.
        drop(pull);
        let state = if result.is_ok() {
            TransferState::Succeeded
        } else {
            TransferState::Failed
        };
        transfers.update(&id, |i| {
            i.state = state;
            i.current = None;
            i.error = result.err();
            i.finished = Some(now());
        });
        metrics_state
            .metrics()
            .transfer_finished(if state == TransferState::Succeeded {
                "succeeded"
            } else {
                "failed"
            });
    });
    Ok(info)
}

struct Pull {
    state: AppState,
    loaded: Arc<Loaded>,
    client: Client,
    request: PullRequest,
    id: String,
    progress: Arc<Progress>,
    _guard: BusyGuard,
}

impl Pull {
    async fn run(&self) -> Result<(), String> {
        let transfers = self.state.transfers();
        let modules = transfers.get(&self.id).map_err(|e| e.to_string())?.modules;
        for module in &modules {
            transfers.update(&self.id, |i| i.current = Some(module.clone()));
            if !self.request.ignore_definition_mismatch {
                self.check_definition(module).await?;
            }
            let options =
                receive_options(&self.state, &self.loaded, module, self.request.overwrite)
                    .map_err(|e| e.to_string())?;
            let before = self.progress.snapshot().wire_bytes;
            let received = pull_module(
                &self.client,
                options,
                self.request.compression,
                Some(self.progress.clone()),
            )
            .await;
            let wire = self.progress.snapshot().wire_bytes.saturating_sub(before);
            self.state.metrics().bytes_in(wire);
            let received = received.map_err(|e| match e {
                MoveError::Transfer(e) => {
                    let error = transfer_error(e, receiving(module));
                    // The record, like a response, says what failed; the log says why.
                    if let Some(source) = error.hidden_cause() {
                        tracing::error!(module, transfer = %self.id, cause = %format!("{source:#}"), "pull failed");
                    }
                    error.to_string()
                }
                MoveError::Client(e) => e.to_string(),
            })?;
            transfers.update(&self.id, |i| {
                i.reused_files += received.reused_files;
                i.reused_bytes += received.reused_bytes;
                i.resumed_files += received.resumed_files;
                i.resumed_bytes += received.resumed_bytes;
            });
            transfers.update(&self.id, |i| i.done.push(module.clone()));
        }
        Ok(())
    }

    async fn check_definition(&self, module: &str) -> Result<(), String> {
        let (p, v) = (&self.loaded.pipeline.name, &self.loaded.pipeline.variant);
        let there = self
            .client
            .definition(p, v, module)
            .await
            .map_err(|e| e.to_string())?;
        let here = module_definition(&self.loaded.pipeline, module)
            .ok_or_else(|| format!("module '{module}' is not defined here"))?;
        let diffs = compare_definitions(&here, &there);
        if diffs.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = diffs.iter().map(ToString::to_string).collect();
        Err(format!(
            "module '{module}' is defined differently here (first) and at the source (second): \
             {}; pull with ignore_definition_mismatch to install it anyway",
            list.join("; ")
        ))
    }
}
