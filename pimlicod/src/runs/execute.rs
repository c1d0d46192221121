//! Starting a run and carrying it out in the background.

use std::fs::File;
use std::io::BufWriter;
use std::sync::Arc;

use pimlico_core::engine::{
    RunOptions, Supervisor, collect_runnable, collect_unexecuted_dependencies, run_modules,
};
use pimlico_core::exec::{ExecutorKind, ModuleExecutors};
use pimlico_core::lock;
use pimlico_proto::{RunInfo, RunRequest, RunState};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::sink::LogSink;
use super::{Entry, Runs, state_label};
use crate::busy::BusyGuard;
use crate::error::ApiError;
use crate::pipelines::Loaded;
use crate::state::AppState;

fn now() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Queues a run of `request`'s modules; 409 if one of them is running or being written.
pub fn start(
    state: &AppState,
    loaded: Arc<Loaded>,
    request: RunRequest,
) -> Result<RunInfo, ApiError> {
    if state.shutting_down() {
        return Err(ApiError::ShuttingDown);
    }
    let modules = requested_modules(&loaded, &request)?;
    let mut claimed = modules.clone();
    if request.all_deps {
        let deps = collect_unexecuted_dependencies(&loaded.engine(), &modules, false)
            .map_err(|e| ApiError::internal("reading module statuses", e))?;
        claimed.extend(deps.into_iter().filter(|d| !modules.contains(d)));
    }
    let (pipeline, variant) = (
        loaded.pipeline.name.clone(),
        loaded.pipeline.variant.clone(),
    );
    let guard = state
        .busy()
        .claim(&pipeline, &variant, &claimed, "running")?;
    for module in &claimed {
        let held = lock::inspect(&loaded.stores, module)
            .map_err(|e| ApiError::internal("reading a module lock", e))?;
        if let Some(info) = held.filter(|i| !i.stale) {
            return Err(ApiError::Conflict(format!(
                "module '{module}' is locked ({})",
                info.describe()
            )));
        }
    }
    let executors = state
        .execution()
        .executors(&loaded)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let runs = state.runs().clone();
    let info = RunInfo {
        id: runs.next_id(),
        pipeline,
        variant,
        modules,
        state: RunState::Queued,
        current: None,
        succeeded: Vec::new(),
        failed: Vec::new(),
        skipped: Vec::new(),
        error: None,
        created: now(),
        finished: None,
    };
    let (sink, cancel) = register(&runs, &info)?;
    let options = RunOptions {
        modules: info.modules.clone(),
        all_deps: request.all_deps,
        force_rerun: request.force_rerun,
        exit_on_error: request.exit_on_error,
        dry_run: request.dry_run,
        all: false,
    };
    let task = RunTask {
        state: state.clone(),
        loaded,
        executors,
        options,
        sink,
        cancel,
        _guard: guard,
    };
    state.tasks().spawn(task.run());
    Ok(info)
}

/// The modules a request names, or with `all` those this daemon's stores let run now or once
/// the earlier ones have (chosen here, so that they can be claimed before the run starts).
fn requested_modules(loaded: &Loaded, request: &RunRequest) -> Result<Vec<String>, ApiError> {
    if request.all {
        let runnable = collect_runnable(&loaded.engine())
            .map_err(|e| ApiError::internal("reading module statuses", e))?;
        if runnable.is_empty() {
            return Err(ApiError::BadRequest(
                "none of the unexecuted modules are ready to run".into(),
            ));
        }
        return Ok(runnable);
    }
    if request.modules.is_empty() {
        return Err(ApiError::BadRequest("name the modules to run".into()));
    }
    request
        .modules
        .iter()
        .map(|m| loaded.module_name(m))
        .collect()
}

/// Records a new run and opens its log; returns the log's sink and the run's cancel token
/// (cancelled by `DELETE /v1/runs/{id}`; a shutdown is watched separately).
pub(super) fn register(
    runs: &Runs,
    info: &RunInfo,
) -> Result<(LogSink, CancellationToken), ApiError> {
    // The paths go to the log with the cause, not into the answer (a full disk is answered).
    let failed = |path: &std::path::Path, e| {
        let cause = anyhow::Error::new(e).context(format!("creating {}", path.display()));
        ApiError::internal("creating the run's log", cause)
    };
    std::fs::create_dir_all(&runs.log_dir).map_err(|e| failed(&runs.log_dir, e))?;
    let log = runs.log_dir.join(format!("{}.log", info.id));
    let file = File::create(&log).map_err(|e| failed(&log, e))?;
    let cancel = CancellationToken::new();
    super::records::save(&runs.log_dir, info);
    runs.lock().insert(
        info.id.clone(),
        Entry {
            info: info.clone(),
            cancel: cancel.clone(),
            log,
            changed: watch::channel(0).0,
        },
    );
    let sink = LogSink {
        file: BufWriter::new(file),
        runs: runs.clone(),
        id: info.id.clone(),
    };
    Ok((sink, cancel))
}

/// Resolves when the daemon shuts down while a module of the run executes on Slurm, with that
/// module: its job goes on and is followed again when the daemon restarts. A local module is
/// cancelled instead (its process is killed and the halt recorded), and this never resolves.
pub(super) async fn left_on_shutdown(
    state: &AppState,
    runs: &Runs,
    id: &str,
    executors: &ModuleExecutors,
    cancel: &CancellationToken,
) -> String {
    state.shutdown_token().cancelled().await;
    let current = runs.get(id).ok().and_then(|i| i.current);
    match current {
        Some(module) if executors.kind(&module) == ExecutorKind::Slurm => module,
        _ => {
            cancel.cancel();
            std::future::pending().await
        }
    }
}

/// The run's error when the daemon stopped while `module` ran on Slurm.
pub(super) fn left_message(module: &str) -> String {
    format!(
        "the daemon stopped while module '{module}' ran on Slurm: its job goes on, and the \
         daemon follows it again when it restarts"
    )
}

struct RunTask {
    state: AppState,
    loaded: Arc<Loaded>,
    executors: ModuleExecutors,
    options: RunOptions,
    sink: LogSink,
    cancel: tokio_util::sync::CancellationToken,
    /// Released when the run ends.
    _guard: BusyGuard,
}

impl RunTask {
    async fn run(mut self) {
        let runs = self.sink.runs.clone();
        let id = self.sink.id.clone();
        let permit = tokio::select! {
            permit = runs.slots.clone().acquire_owned() => permit.ok(),
            () = self.cancel.cancelled() => None,
            () = self.state.shutdown_token().cancelled() => None,
        };
        let final_state = match permit {
            None => {
                runs.update(&id, |i| {
                    i.error = Some("cancelled before it started".into())
                });
                RunState::Cancelled
            }
            Some(_permit) => {
                runs.update(&id, |i| i.state = RunState::Running);
                self.execute(&runs, &id).await
            }
        };
        runs.update(&id, |i| {
            i.state = final_state;
            i.current = None;
            i.finished = Some(now());
        });
        self.state.metrics().run_finished(state_label(final_state));
    }

    async fn execute(&mut self, runs: &Runs, id: &str) -> RunState {
        let supervisor = Supervisor {
            engine: self.loaded.engine(),
            executor: &self.executors,
            program: self.state.options().program.clone(),
            load: self.loaded.load.clone(),
            debug: false,
        };
        let left = left_on_shutdown(&self.state, runs, id, &self.executors, &self.cancel);
        let result = tokio::select! {
            result = run_modules(&supervisor, &self.options, &mut self.sink, self.cancel.clone()) => result,
            module = left => {
                runs.update(id, |i| i.error = Some(left_message(&module)));
                return RunState::Cancelled;
            }
        };
        match result {
            Err(e) => {
                let message = e.cli_message();
                runs.update(id, |i| i.error = Some(message));
                RunState::Failed
            }
            Ok(summary) => {
                let halted = summary.halted;
                let failed = !summary.failed.is_empty();
                runs.update(id, |i| {
                    i.succeeded = summary.succeeded;
                    i.failed = summary.failed;
                    i.skipped = summary.skipped;
                    if halted {
                        i.error = Some("cancelled".into());
                    }
                });
                if halted {
                    RunState::Cancelled
                } else if failed {
                    RunState::Failed
                } else {
                    RunState::Succeeded
                }
            }
        }
    }
}
