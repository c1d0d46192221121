//! A submitted Slurm job as the engine sees it: its events come from its output files, its
//! exit from its monitor, and cancelling it runs `scancel`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use futures::FutureExt;
use futures::future::BoxFuture;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::watch;

use super::commands::Cluster;
use super::monitor::Shared;
use super::state::JobInfo;
use crate::exec::{Canceller, ExecError, Job, JobEvent, JobExit};

/// A job on the cluster, followed by a background task until it ends. Dropping the handle
/// does not stop the job, nor the task that records its outcome.
pub struct SlurmJob {
    pub(super) module: String,
    pub(super) job_id: String,
    pub(super) cluster: Arc<Cluster>,
    pub(super) shared: Arc<Shared>,
    pub(super) exit: watch::Receiver<Option<JobExit>>,
    pub(super) events: Option<UnboundedReceiver<JobEvent>>,
}

impl SlurmJob {
    /// Slurm's job id.
    pub fn job_id(&self) -> &str {
        &self.job_id
    }

    /// What Slurm said about the job at the last look (`None` before the first).
    pub fn info(&self) -> Option<JobInfo> {
        self.shared
            .info
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Job for SlurmJob {
    fn id(&self) -> String {
        format!("slurm:{}", self.job_id)
    }

    fn pid(&self) -> Option<u32> {
        None
    }

    fn take_events(&mut self) -> Option<UnboundedReceiver<JobEvent>> {
        self.events.take()
    }

    fn wait(&mut self) -> BoxFuture<'_, Result<JobExit, ExecError>> {
        async move {
            match self.exit.wait_for(Option::is_some).await {
                Ok(exit) => Ok(exit.expect("waited for an exit")),
                Err(_) => Err(ExecError::Control {
                    module: self.module.clone(),
                    source: std::io::Error::other(format!(
                        "stopped following Slurm job {} before it ended (the runtime is \
                         shutting down); it is followed again when the daemon restarts",
                        self.job_id
                    )),
                }),
            }
        }
        .boxed()
    }

    fn try_wait(&mut self) -> Result<Option<JobExit>, ExecError> {
        Ok(*self.exit.borrow())
    }

    fn canceller(&self) -> Canceller {
        let (cluster, shared) = (Arc::clone(&self.cluster), Arc::clone(&self.shared));
        let (module, id) = (self.module.clone(), self.job_id.clone());
        Arc::new(move || {
            if shared.exit.borrow().is_some() {
                return Ok(());
            }
            shared.cancelled.store(true, Ordering::SeqCst);
            cluster.scancel(&id).map_err(|message| ExecError::Control {
                module: module.clone(),
                source: std::io::Error::other(message),
            })
        })
    }
}
