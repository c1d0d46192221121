//! Module runs on the daemon: a queue with a concurrency limit, one run per module at a time.

use serde::{Deserialize, Serialize};

/// Body of `POST /v1/pipelines/{pipeline}/{variant}/runs`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRequest {
    /// Modules to run, by expanded name (clients resolve numbers from their own copy of the
    /// config); run in the order given.
    pub modules: Vec<String>,
    /// `run -f`: run even if complete (as the original, complete modules are still skipped).
    #[serde(default)]
    pub force_rerun: bool,
    /// `run --all-deps`: run unexecuted dependencies first.
    #[serde(default)]
    pub all_deps: bool,
    /// `run --exit-on-error`: stop after the first failure.
    #[serde(default)]
    pub exit_on_error: bool,
    /// `run --all`: every module that can run now or once the earlier ones have, chosen by the
    /// daemon from its own stores (`modules` is then ignored).
    #[serde(default)]
    pub all: bool,
    /// `run --dry-run`: the pre-execution checks only; nothing executes.
    #[serde(default)]
    pub dry_run: bool,
}

/// State of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// Waiting for a free slot (see the daemon's `max_concurrent_runs`).
    Queued,
    /// Executing.
    Running,
    /// Every module completed (or was already complete).
    Succeeded,
    /// At least one module failed, or the run could not start (see `error`).
    Failed,
    /// Cancelled by `DELETE /v1/runs/{id}` or by the daemon shutting down.
    Cancelled,
}

impl RunState {
    /// Whether the run has ended.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Cancelled)
    }
}

/// Response to `POST .../runs`, `GET /v1/runs/{id}` and `DELETE /v1/runs/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInfo {
    /// Run identifier.
    pub id: String,
    /// Pipeline name.
    pub pipeline: String,
    /// Variant.
    pub variant: String,
    /// The modules requested.
    pub modules: Vec<String>,
    /// Where the run is.
    pub state: RunState,
    /// The module executing now, while running.
    pub current: Option<String>,
    /// Modules that completed.
    pub succeeded: Vec<String>,
    /// Modules that failed or could not run.
    pub failed: Vec<String>,
    /// Modules skipped because they were complete already.
    pub skipped: Vec<String>,
    /// Why the run failed before executing anything, or how it was stopped.
    pub error: Option<String>,
    /// When it was requested (`YYYY-MM-DD HH:MM:SS`, daemon's local time).
    pub created: String,
    /// When it ended.
    pub finished: Option<String>,
}

/// Response to `GET /v1/runs` (query: `pipeline`, `variant`, `module` narrow the list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunsResponse {
    /// Runs, oldest first.
    pub runs: Vec<RunInfo>,
}
