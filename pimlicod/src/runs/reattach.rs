//! Following Slurm jobs again when the daemon starts: every module of a served pipeline whose
//! directory still names a Slurm job (`.slurm_job`, kept until the job's outcome has been
//! recorded) gets a run that follows the job to its end, as if the daemon had never stopped.

use std::sync::Arc;

use pimlico_core::engine::Supervisor;
use pimlico_core::exec::{SlurmExecutor, slurm::SlurmJob};
use pimlico_proto::{RunInfo, RunState};

use super::execute::register;
use super::{Runs, state_label};
use crate::busy::BusyGuard;
use crate::pipelines::Loaded;
use crate::state::AppState;

fn now() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Looks for Slurm jobs left by an earlier daemon, in the background, and follows each.
pub fn reattach(state: &AppState) {
    let state_for_task = state.clone();
    state.tasks().spawn(async move {
        if let Err(e) = reattach_all(&state_for_task).await {
            tracing::error!("looking for Slurm jobs to follow again: {e}");
        }
    });
}

async fn reattach_all(state: &AppState) -> Result<(), String> {
    let pipelines = state.pipelines().clone();
    let infos = tokio::task::spawn_blocking(move || pipelines.infos())
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    for info in infos {
        for variant in &info.variants {
            let loaded = state
                .pipelines()
                .load(&info.name, variant)
                .await
                .map_err(|e| e.to_string())?;
            let slurm = SlurmExecutor::new(&state.execution().cluster, loaded.stores.clone());
            for module in slurm.recorded_modules() {
                match slurm.reattach(&module) {
                    Ok(Some(job)) => follow(state, &loaded, &slurm, module, job),
                    Ok(None) => {}
                    Err(e) => tracing::error!("following module '{module}' again: {e}"),
                }
            }
        }
    }
    Ok(())
}

/// A run for a job followed again: running from the start (the job exists already).
fn follow(
    state: &AppState,
    loaded: &Arc<Loaded>,
    slurm: &SlurmExecutor,
    module: String,
    job: SlurmJob,
) {
    let (pipeline, variant) = (&loaded.pipeline.name, &loaded.pipeline.variant);
    let guard =
        match state
            .busy()
            .claim(pipeline, variant, std::slice::from_ref(&module), "running")
        {
            Ok(guard) => guard,
            Err(e) => {
                tracing::error!("following module '{module}' again: {e}");
                return;
            }
        };
    let runs = state.runs().clone();
    let info = RunInfo {
        id: runs.next_id(),
        pipeline: pipeline.clone(),
        variant: variant.clone(),
        modules: vec![module.clone()],
        state: RunState::Running,
        current: Some(module.clone()),
        succeeded: Vec::new(),
        failed: Vec::new(),
        skipped: Vec::new(),
        error: None,
        created: now(),
        finished: None,
    };
    let (sink, cancel) = match register(&runs, &info) {
        Ok(registered) => registered,
        Err(e) => {
            tracing::error!("following module '{module}' again: {e}");
            return;
        }
    };
    tracing::info!(run = %info.id, module = %module, job = %job.job_id(), "following a Slurm job again");
    let task = FollowTask {
        state: state.clone(),
        loaded: Arc::clone(loaded),
        slurm: slurm.clone(),
        module,
        job,
        sink,
        cancel,
        id: info.id,
        _guard: guard,
    };
    state.tasks().spawn(task.run());
}

struct FollowTask {
    state: AppState,
    loaded: Arc<Loaded>,
    slurm: SlurmExecutor,
    module: String,
    job: SlurmJob,
    sink: super::sink::LogSink,
    cancel: tokio_util::sync::CancellationToken,
    id: String,
    _guard: BusyGuard,
}

impl FollowTask {
    async fn run(mut self) {
        let runs: Runs = self.state.runs().clone();
        let supervisor = Supervisor {
            engine: self.loaded.engine(),
            executor: &self.slurm,
            program: self.state.options().program.clone(),
            load: self.loaded.load.clone(),
            debug: false,
        };
        let (id, module) = (self.id.clone(), self.module.clone());
        let job = Box::new(self.job);
        let shutdown = self.state.shutdown_token().clone();
        let followed = tokio::select! {
            result = supervisor.follow(&module, job, false, &mut self.sink, &self.cancel) => Some(result),
            () = shutdown.cancelled() => None,
        };
        let final_state = match followed {
            None => {
                runs.update(&id, |i| {
                    i.error = Some(super::execute::left_message(&module))
                });
                RunState::Cancelled
            }
            Some(result) => {
                runs.update(&id, |i| {
                    if result.success {
                        i.succeeded.push(module.clone());
                    } else {
                        i.failed.push(module.clone());
                    }
                    if result.halted {
                        i.error = Some("cancelled".into());
                    }
                });
                if result.halted {
                    RunState::Cancelled
                } else if result.success {
                    RunState::Succeeded
                } else {
                    RunState::Failed
                }
            }
        };
        runs.update(&id, |i| {
            i.state = final_state;
            i.current = None;
            i.finished = Some(now());
        });
        self.state.metrics().run_finished(state_label(final_state));
    }
}
