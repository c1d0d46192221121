//! Executors: where and how a module job runs. The engine describes a job as a command line
//! (the running binary re-executed with `internal-exec`); an executor starts it, reports its
//! events and exit, and cancels it. [`LocalExecutor`] runs it as a local child process in its
//! own process group; [`slurm::SlurmExecutor`] submits it to a Slurm cluster, and
//! [`ModuleExecutors`] chooses between them per module.

mod event;
mod local;
pub mod slurm;

pub use event::{ChildEvent, LogLevel, OutputStream};
pub use local::LocalExecutor;
pub use slurm::{ExecutorKind, ModuleExecutors, SlurmCluster, SlurmConfig, SlurmExecutor};

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;

use futures::future::BoxFuture;
use tokio::sync::mpsc::UnboundedReceiver;

/// A job to start: a program and its arguments and environment.
#[derive(Debug, Clone)]
pub struct JobSpec {
    /// The module the job executes (for naming and logs).
    pub module: String,
    /// The program (normally `std::env::current_exe()`).
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// Extra environment variables.
    pub env: Vec<(OsString, OsString)>,
}

/// What a running job reports.
#[derive(Debug, Clone, PartialEq)]
pub enum JobEvent {
    /// A structured event from the child (a JSON line on its stdout).
    Child(ChildEvent),
    /// A line of unstructured output (the child's stderr, or stdout that is not an event).
    Output {
        /// Which stream.
        stream: OutputStream,
        /// The line, without its newline.
        line: String,
    },
}

/// How a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobExit {
    /// Exited with this code.
    Code(i32),
    /// Killed by this signal.
    Signal(i32),
}

impl JobExit {
    /// `exit code N` / `signal 9 (SIGKILL)`, for history lines and messages.
    pub fn describe(&self) -> String {
        match self {
            Self::Code(code) => format!("exit code {code}"),
            Self::Signal(sig) => match nix::sys::signal::Signal::try_from(*sig) {
                Ok(s) => format!("signal {sig} ({})", s.as_str()),
                Err(_) => format!("signal {sig}"),
            },
        }
    }
}

/// Errors starting or controlling a job.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// The program could not be started.
    #[error("could not start {program} for module '{module}': {source}")]
    Spawn {
        /// Module name.
        module: String,
        /// Program path.
        program: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Waiting for or signalling the job failed.
    #[error("controlling the job of module '{module}': {source}")]
    Control {
        /// Module name.
        module: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// A started job.
pub trait Job: Send {
    /// An identifier of the job (the process id for local jobs).
    fn id(&self) -> String;
    /// The process id, when the job is a local process.
    fn pid(&self) -> Option<u32>;
    /// Takes the job's event stream (once); it ends when the job's output is closed.
    fn take_events(&mut self) -> Option<UnboundedReceiver<JobEvent>>;
    /// Waits for the job to end.
    fn wait(&mut self) -> BoxFuture<'_, Result<JobExit, ExecError>>;
    /// Returns the exit if the job has ended, without waiting.
    fn try_wait(&mut self) -> Result<Option<JobExit>, ExecError>;
    /// A handle that stops the job and everything it started (the whole process group);
    /// usable while another task waits for the job.
    fn canceller(&self) -> Canceller;

    /// Stops the job now.
    fn cancel(&self) -> Result<(), ExecError> {
        (self.canceller())()
    }
}

/// Stops a job (see [`Job::canceller`]). Stopping a job that has ended does nothing.
pub type Canceller = Arc<dyn Fn() -> Result<(), ExecError> + Send + Sync>;

/// Starts jobs.
pub trait Executor: Send + Sync {
    /// Starts a job.
    fn start(&self, spec: JobSpec) -> Result<Box<dyn Job>, ExecError>;
}
