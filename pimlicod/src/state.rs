//! `AppState`: everything handlers share, behind one `Arc`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth::Auth;
use crate::busy::Busy;
use crate::execution::Execution;
use crate::limits::ArchiveLimitSettings;
use crate::metrics::{Gauges, Metrics};
use crate::pipelines::Pipelines;
use crate::runs::Runs;
use crate::transfers::Transfers;

/// How the daemon behaves, beyond which pipelines it serves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Runs executing at once; more wait in the queue.
    pub max_concurrent_runs: usize,
    /// How long a shutdown waits for open transfers before cutting them.
    pub shutdown_deadline: Duration,
    /// Where run logs and the records of runs and transfers are kept.
    pub state_dir: PathBuf,
    /// The binary that runs modules (`BINARY internal-exec ...`): normally the daemon itself.
    pub program: PathBuf,
    /// How long an interrupted transfer's verified data is kept for resuming; `None`: the
    /// pipeline's local config (`resume_max_age_hours`), else a week.
    pub resume_max_age: Option<Duration>,
}

/// The shared state of one daemon.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    options: Options,
    execution: Execution,
    auth: Auth,
    pipelines: Pipelines,
    metrics: Metrics,
    busy: Busy,
    runs: Runs,
    transfers: Transfers,
    shutdown: CancellationToken,
    tasks: TaskTracker,
    tls: Option<Arc<rustls::ServerConfig>>,
    archive_limits: ArchiveLimitSettings,
}

impl AppState {
    /// A daemon serving `pipelines`, with `auth`, and TLS when `tls` is given.
    pub fn new(
        pipelines: Pipelines,
        auth: Auth,
        options: Options,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> Self {
        let runs = Runs::new(options.max_concurrent_runs, options.state_dir.join("runs"));
        let transfers = Transfers::new(options.state_dir.join("transfers"));
        Self(Arc::new(Inner {
            options,
            execution: Execution::default(),
            auth,
            pipelines,
            metrics: Metrics::default(),
            busy: Busy::default(),
            runs,
            transfers,
            shutdown: CancellationToken::new(),
            tasks: TaskTracker::new(),
            tls,
            archive_limits: Default::default(),
        }))
    }

    /// Applies the archive limits of `pimlicod.toml`, which override the pipelines' local
    /// configs for everything this daemon receives. Only before the state is shared.
    pub fn with_archive_limits(mut self, settings: ArchiveLimitSettings) -> Self {
        Arc::get_mut(&mut self.0)
            .expect("limits are set before the state is shared")
            .archive_limits = settings;
        self
    }

    /// The archive limits of `pimlicod.toml`.
    pub fn archive_limits(&self) -> &ArchiveLimitSettings {
        &self.0.archive_limits
    }

    /// Daemon options.
    pub fn options(&self) -> &Options {
        &self.0.options
    }

    /// Runs modules with `execution` (local processes unless this is called). Only before the
    /// state is shared.
    pub fn with_execution(mut self, execution: Execution) -> Self {
        Arc::get_mut(&mut self.0)
            .expect("executors are set before the state is shared")
            .execution = execution;
        self
    }

    /// Where modules run.
    pub fn execution(&self) -> &Execution {
        &self.0.execution
    }

    /// Authentication and scoped tokens.
    pub fn auth(&self) -> &Auth {
        &self.0.auth
    }

    /// The pipelines served.
    pub fn pipelines(&self) -> &Pipelines {
        &self.0.pipelines
    }

    /// Counters for `/metrics`.
    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    /// Modules being run or written.
    pub fn busy(&self) -> &Busy {
        &self.0.busy
    }

    /// Runs.
    pub fn runs(&self) -> &Runs {
        &self.0.runs
    }

    /// Pulls from other daemons, including those of earlier lifetimes.
    pub fn transfers(&self) -> &Transfers {
        &self.0.transfers
    }

    /// Cancelled when the daemon begins shutting down.
    pub fn shutdown_token(&self) -> &CancellationToken {
        &self.0.shutdown
    }

    /// Whether a shutdown has begun.
    pub fn shutting_down(&self) -> bool {
        self.0.shutdown.is_cancelled()
    }

    /// Background work (runs, pulls) that a shutdown waits for.
    pub fn tasks(&self) -> &TaskTracker {
        &self.0.tasks
    }

    /// The TLS configuration, when serving HTTPS.
    pub fn tls(&self) -> Option<&Arc<rustls::ServerConfig>> {
        self.0.tls.as_ref()
    }

    /// Current gauges for `/metrics`.
    pub fn gauges(&self) -> Gauges {
        Gauges {
            runs_active: self.runs().active_count(),
            transfers_active: self.transfers().active_count(),
        }
    }
}
