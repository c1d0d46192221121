//! One pull: checks the request, claims the modules, and moves them one by one in a
//! background task that records its progress in [`Transfers`](super::Transfers).

use std::sync::Arc;

use futures::FutureExt;
use pimlico_client::remote::{Client, MoveError, ServerSpec, pull_module};
use pimlico_core::transfer::{Progress, compare_definitions, module_definition};
use pimlico_proto::{PullRequest, TransferInfo, TransferState};

use crate::busy::BusyGuard;
use crate::error::ApiError;
use crate::handlers::data::{receiving, transfer_error};
use crate::handlers::verified::receive_options;
use crate::pipelines::Loaded;
use crate::state::AppState;

use super::now;

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
    transfers.insert(info.clone(), progress.clone());
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
        let label = if result.is_ok() {
            "succeeded"
        } else {
            "failed"
        };
        transfers.finish(&id, result);
        metrics_state.metrics().transfer_finished(label);
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
                i.done.push(module.clone());
            });
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
