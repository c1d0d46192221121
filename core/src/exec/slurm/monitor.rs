//! Following one Slurm job: its output files become the job's events while it runs, its state
//! is polled until it ends, and then its outcome is settled (see `conclude.rs`).

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;
use tokio::time::Instant;

use super::commands::{Cluster, Query};
use super::record::{JobRecord, remove_record, write_record};
use super::state::{JobInfo, Phase};
use super::tail::Tail;
use crate::exec::{ChildEvent, JobEvent, JobExit, LogLevel, OutputStream};
use crate::lock::LockRecord;
use crate::store::Stores;

/// Lines of output kept for an error log.
const KEPT_LINES: usize = 500;

/// Polls in a row that must find the job unknown before it counts as gone (one may race
/// with the controller forgetting it between two commands).
const UNKNOWN_POLLS: u32 = 2;

/// What the job handle, its canceller and its monitor share.
#[derive(Debug)]
pub(super) struct Shared {
    /// The user asked to stop the job.
    pub(super) cancelled: AtomicBool,
    /// The job's exit, once its outcome is settled.
    pub(super) exit: watch::Sender<Option<JobExit>>,
    /// What Slurm said last.
    pub(super) info: Mutex<Option<JobInfo>>,
}

impl Shared {
    pub(super) fn new() -> Arc<Self> {
        Arc::new(Self {
            cancelled: AtomicBool::new(false),
            exit: watch::channel(None).0,
            info: Mutex::new(None),
        })
    }
}

/// What the module's own process reported about its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Finished,
    Failed,
    Refused,
}

/// How the job ended, as far as Slurm knows.
pub(super) enum End {
    Known(JobInfo),
    /// No Slurm command knows the job any more.
    Unknown,
}

pub(super) struct Monitor {
    pub(super) cluster: Arc<Cluster>,
    pub(super) stores: Stores,
    pub(super) record: JobRecord,
    pub(super) module_dir: PathBuf,
    pub(super) shared: Arc<Shared>,
    pub(super) events: UnboundedSender<JobEvent>,
    pub(super) outcome: Option<Outcome>,
    /// Output lines kept for the error log.
    pub(super) kept: VecDeque<String>,
    pub(super) seen_running: bool,
    /// The module's lock as seen while the job ran (so that we only remove that one).
    pub(super) lock_seen: Option<LockRecord>,
    stdout: Tail,
    stderr: Tail,
    last_error: Option<String>,
}

impl Monitor {
    pub(super) fn new(
        cluster: Arc<Cluster>,
        stores: Stores,
        record: JobRecord,
        shared: Arc<Shared>,
        events: UnboundedSender<JobEvent>,
    ) -> Self {
        let module_dir = stores.output_module_dir(&record.module);
        Self {
            stdout: Tail::new(record.stdout.clone()),
            stderr: Tail::new(record.stderr.clone()),
            cluster,
            stores,
            record,
            module_dir,
            shared,
            events,
            outcome: None,
            kept: VecDeque::new(),
            seen_running: false,
            lock_seen: None,
            last_error: None,
        }
    }

    pub(super) fn id(&self) -> &str {
        &self.record.job_id
    }

    pub(super) fn log(&self, level: LogLevel, message: String) {
        let _ = self.events.send(JobEvent::Child(ChildEvent::Log {
            level,
            logger: "Pimlico".into(),
            message,
        }));
    }

    fn keep(&mut self, line: String) {
        if self.kept.len() == KEPT_LINES {
            self.kept.pop_front();
        }
        self.kept.push_back(line);
    }

    /// Follows the job to its end, settles its outcome and publishes its exit.
    pub(super) async fn run(self, intro: String) {
        self.log(LogLevel::Info, intro);
        let cluster = Arc::clone(&self.cluster);
        let id = self.id().to_string();
        cluster.follow(&id);
        self.follow_to_end().await;
        cluster.unfollow(&id);
    }

    async fn follow_to_end(mut self) {
        let config = &self.cluster.config;
        let (poll, output) = (config.poll(), config.output());
        let mut next_poll = Instant::now();
        let mut unknown = 0;
        let end = loop {
            self.read_output().await;
            if Instant::now() >= next_poll {
                next_poll = Instant::now() + poll;
                match self.cluster.query(self.id()).await {
                    Ok(Query::Known(info)) if self.is_ours(&info) => {
                        unknown = 0;
                        self.observe(&info);
                        if info.phase() == Phase::Ended {
                            break End::Known(info);
                        }
                    }
                    Ok(_) => {
                        unknown += 1;
                        if unknown >= UNKNOWN_POLLS {
                            break End::Unknown;
                        }
                    }
                    Err(message) => self.query_failed(message),
                }
            }
            let wait = output.min(next_poll.saturating_duration_since(Instant::now()));
            tokio::time::sleep(wait).await;
        };
        self.read_output().await;
        for (stream, rest) in [
            (OutputStream::Stdout, self.stdout.rest()),
            (OutputStream::Stderr, self.stderr.rest()),
        ] {
            if let Some(line) = rest {
                self.line(stream, line);
            }
        }
        let exit = self.conclude(end);
        if let Err(e) = remove_record(&self.module_dir, &self.record.job_id) {
            self.log(LogLevel::Warning, e.to_string());
        }
        let shared = Arc::clone(&self.shared);
        // The event stream ends before the exit is published.
        drop(self);
        shared.exit.send_replace(Some(exit));
    }

    /// A job id that now names another job (ids restart when a cluster's state is reset) is
    /// not ours.
    fn is_ours(&self, info: &JobInfo) -> bool {
        info.name
            .as_ref()
            .is_none_or(|name| *name == self.record.job_name)
    }

    fn query_failed(&mut self, message: String) {
        if self.last_error.as_ref() != Some(&message) {
            self.log(
                LogLevel::Warning,
                format!(
                    "could not look up Slurm job {} (trying again): {message}",
                    self.id()
                ),
            );
            self.last_error = Some(message);
        }
    }

    /// Reports a change of state (queued, running) and remembers it in the record (before
    /// [`SlurmJob::info`](super::SlurmJob::info) shows it).
    fn observe(&mut self, info: &JobInfo) {
        self.last_error = None;
        if info.phase() == Phase::Running {
            self.seen_running = true;
            if self.lock_seen.is_none() {
                self.lock_seen = crate::lock::inspect(&self.stores, &self.record.module)
                    .ok()
                    .flatten()
                    .and_then(|l| l.record);
            }
        }
        let changed = info.state != self.record.state || info.reason != self.record.reason;
        if changed && info.phase() != Phase::Ended {
            self.record.state = info.state.clone();
            self.record.reason = info.reason.clone();
            self.log(LogLevel::Info, self.describe_state(info));
            if let Err(e) = write_record(&self.module_dir, &self.record) {
                self.log(LogLevel::Warning, e.to_string());
            }
        }
        *self.shared.info.lock().unwrap_or_else(|e| e.into_inner()) = Some(info.clone());
    }

    fn describe_state(&self, info: &JobInfo) -> String {
        let id = self.id();
        match (info.phase(), &info.reason, &info.nodes) {
            (Phase::Queued, Some(reason), _) if reason != "None" => {
                format!("Slurm job {id} is queued ({}, reason {reason})", info.state)
            }
            (Phase::Queued, _, _) => format!("Slurm job {id} is queued ({})", info.state),
            (_, _, Some(nodes)) => {
                format!("Slurm job {id} is {} on {nodes}", info.state.to_lowercase())
            }
            _ => format!("Slurm job {id} is {}", info.state.to_lowercase()),
        }
    }

    async fn read_output(&mut self) {
        for line in self.stdout.read_lines().await {
            self.line(OutputStream::Stdout, line);
        }
        for line in self.stderr.read_lines().await {
            self.line(OutputStream::Stderr, line);
        }
    }

    fn line(&mut self, stream: OutputStream, line: String) {
        let event = match stream {
            OutputStream::Stdout => ChildEvent::parse(&line),
            OutputStream::Stderr => None,
        };
        let event = match event {
            Some(event) => {
                match &event {
                    ChildEvent::Finished { .. } => self.outcome = Some(Outcome::Finished),
                    ChildEvent::Failed { .. } => self.outcome = Some(Outcome::Failed),
                    ChildEvent::Refused { .. } => self.outcome = Some(Outcome::Refused),
                    ChildEvent::Output { line, .. } => self.keep(line.clone()),
                    _ => {}
                }
                JobEvent::Child(event)
            }
            None => {
                self.keep(line.clone());
                JobEvent::Output { stream, line }
            }
        };
        let _ = self.events.send(event);
    }

    /// Whether the job got as far as starting (Slurm creates its output files then).
    pub(super) fn started(&self) -> bool {
        self.seen_running || self.stdout.exists() || self.stderr.exists()
    }

    pub(super) fn cancelled(&self) -> bool {
        self.shared.cancelled.load(Ordering::SeqCst)
    }
}
