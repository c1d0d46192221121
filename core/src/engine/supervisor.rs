//! Supervising one module's job: start the `internal-exec` child through an executor, relay
//! its events, cancel it on request, and record the outcome when the child could not (it was
//! killed, crashed, or was stopped by the user).

use std::collections::VecDeque;
use std::path::PathBuf;

use tokio::sync::mpsc::UnboundedReceiver;
use tokio_util::sync::CancellationToken;

use super::child::internal_exec_args;
use super::{Engine, ExecRequest, LoadSpec, RunEvent, RunSink};
use crate::exec::{ChildEvent, Executor, Job, JobEvent, JobExit, JobSpec, LogLevel};
use crate::lock;
use crate::status::statuses::{COMPLETE, FAILED};
use crate::status::{append_history, new_error_log, set_status};

/// Lines of output kept for an error log written by the supervisor.
const KEPT_LINES: usize = 500;

/// Runs module jobs for one loaded pipeline.
pub struct Supervisor<'a> {
    /// The pipeline, registry and stores.
    pub engine: Engine<'a>,
    /// Where jobs run.
    pub executor: &'a dyn Executor,
    /// The binary to re-execute (normally `std::env::current_exe()`).
    pub program: PathBuf,
    /// How the child loads the pipeline.
    pub load: LoadSpec,
    /// `--debug`: print error logs instead of pointing at them.
    pub debug: bool,
}

/// How one module's job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleRunResult {
    /// It completed.
    pub success: bool,
    /// Its end status (as recorded), or empty when it was not run.
    pub status: String,
    /// The user stopped it.
    pub halted: bool,
    /// The error message, when it failed.
    pub error: Option<String>,
    /// The error log, when one was written.
    pub error_log: Option<PathBuf>,
}

/// What the child told us.
#[derive(Default)]
struct Report {
    finished: Option<String>,
    failed: Option<(String, Option<String>)>,
    refused: Option<String>,
    tail: VecDeque<String>,
}

impl Supervisor<'_> {
    fn log(&self, sink: &mut dyn RunSink, level: LogLevel, message: String) {
        sink.event(RunEvent::Log {
            level,
            logger: "Pimlico".into(),
            message,
        });
    }

    /// Runs one module in a child process and waits for it; `cancel` stops it (the user's
    /// Ctrl-C): its process group is killed and the halt is recorded.
    pub async fn run_module(
        &self,
        module: &str,
        force_rerun: bool,
        exit_on_error: bool,
        sink: &mut dyn RunSink,
        cancel: &CancellationToken,
    ) -> ModuleRunResult {
        let request = ExecRequest {
            load: self.load.clone(),
            module: module.to_string(),
            force_rerun,
            debug: self.debug,
            supervisor_pid: Some(std::process::id()),
        };
        let spec = JobSpec {
            module: module.to_string(),
            program: self.program.clone(),
            args: internal_exec_args(&request),
            env: Vec::new(),
        };
        let job = match self.executor.start(spec) {
            Ok(job) => job,
            Err(e) => return self.not_run(module, e.to_string(), sink),
        };
        self.follow(module, job, exit_on_error, sink, cancel).await
    }

    /// Follows a started job of a module to its end, as [`Supervisor::run_module`] does; also
    /// for a job started by an earlier process (a Slurm job followed again after a restart).
    pub async fn follow(
        &self,
        module: &str,
        mut job: Box<dyn Job>,
        exit_on_error: bool,
        sink: &mut dyn RunSink,
        cancel: &CancellationToken,
    ) -> ModuleRunResult {
        sink.event(RunEvent::ModuleStarted {
            module: module.to_string(),
            job: job.id(),
        });
        let pid = job.pid();
        let canceller = job.canceller();
        let mut events = job.take_events();
        let mut report = Report::default();
        let mut halted = false;
        let exit = loop {
            tokio::select! {
                _ = cancel.cancelled(), if !halted => {
                    halted = true;
                    if let Err(e) = canceller() {
                        self.log(sink, LogLevel::Error, e.to_string());
                    }
                }
                Some(event) = next(&mut events) => self.relay(module, event, &mut report, sink),
                exit = job.wait() => break exit,
            }
        };
        while let Some(event) = next(&mut events).await {
            self.relay(module, event, &mut report, sink);
        }
        let exit = match exit {
            Ok(exit) => exit,
            Err(e) => return self.not_run(module, e.to_string(), sink),
        };
        self.conclude(module, exit, pid, halted, exit_on_error, report, sink)
    }

    fn relay(&self, module: &str, event: JobEvent, report: &mut Report, sink: &mut dyn RunSink) {
        let keep = |report: &mut Report, line: String| {
            if report.tail.len() == KEPT_LINES {
                report.tail.pop_front();
            }
            report.tail.push_back(line);
        };
        match event {
            JobEvent::Child(ChildEvent::Log {
                level,
                logger,
                message,
            }) => sink.event(RunEvent::Log {
                level,
                logger,
                message,
            }),
            JobEvent::Child(ChildEvent::Output { stream, line })
            | JobEvent::Output { stream, line } => {
                keep(report, line.clone());
                sink.event(RunEvent::Output {
                    module: module.to_string(),
                    stream,
                    line,
                });
            }
            JobEvent::Child(ChildEvent::Progress {
                done,
                total,
                message,
            }) => sink.event(RunEvent::Progress {
                module: module.to_string(),
                done,
                total,
                message,
            }),
            JobEvent::Child(ChildEvent::Failed { message, error_log }) => {
                report.failed = Some((message, error_log));
            }
            JobEvent::Child(ChildEvent::Refused { message }) => report.refused = Some(message),
            JobEvent::Child(ChildEvent::Finished { status }) => report.finished = Some(status),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn conclude(
        &self,
        module: &str,
        exit: JobExit,
        pid: Option<u32>,
        halted: bool,
        exit_on_error: bool,
        report: Report,
        sink: &mut dyn RunSink,
    ) -> ModuleRunResult {
        let finished = |success: bool, status: String, sink: &mut dyn RunSink| {
            sink.event(RunEvent::ModuleFinished {
                module: module.to_string(),
                success,
                status,
            });
        };
        use super::child::{EXIT_COMPLETE, EXIT_FAILED, EXIT_REFUSED};
        match exit {
            JobExit::Code(EXIT_COMPLETE) => {
                // The child recorded the outcome; its event says which status, else read it.
                let status = report.finished.unwrap_or_else(|| {
                    crate::status::read_status(self.engine.stores, module)
                        .unwrap_or_else(|_| COMPLETE.to_string())
                });
                finished(true, status.clone(), sink);
                return ModuleRunResult {
                    success: true,
                    status,
                    halted,
                    error: None,
                    error_log: None,
                };
            }
            JobExit::Code(EXIT_REFUSED) => {
                let message = report
                    .refused
                    .unwrap_or_else(|| "the module process refused to run it".into());
                // A job cancelled before it started (a queued Slurm job) was still halted.
                let not_run = self.not_run(module, message, sink);
                return ModuleRunResult { halted, ..not_run };
            }
            JobExit::Code(EXIT_FAILED) => {
                let (message, log) = report.failed.unwrap_or_else(|| {
                    (
                        "the module failed (its history and error log say why)".into(),
                        None,
                    )
                });
                self.log(
                    sink,
                    LogLevel::Error,
                    format!("Error executing module '{module}': {message}"),
                );
                let log = log.map(PathBuf::from);
                self.point_at_log(log.as_ref(), exit_on_error, sink);
                finished(false, FAILED.into(), sink);
                return ModuleRunResult {
                    success: false,
                    status: FAILED.into(),
                    halted,
                    error: Some(message),
                    error_log: log,
                };
            }
            _ => {}
        }
        // The child did not record an outcome: it was killed or crashed.
        let owned = pid.is_some_and(|pid| self.lock_held_by(module, pid));
        let (message, error_log) = if halted {
            let message = format!("Execution of {module} halted by user");
            if owned {
                self.record(module, &message, None, pid);
            }
            (message, None)
        } else {
            let message = format!(
                "Execution of {module} failed: its process ended without recording a result ({})",
                exit.describe()
            );
            let log = if owned {
                self.record(module, &message, Some(&report.tail), pid)
            } else {
                None
            };
            (message, log)
        };
        self.log(sink, LogLevel::Error, message.clone());
        if !halted {
            self.point_at_log(error_log.as_ref(), exit_on_error, sink);
        }
        finished(false, FAILED.into(), sink);
        ModuleRunResult {
            success: false,
            status: FAILED.into(),
            halted,
            error: Some(message),
            error_log,
        }
    }

    fn point_at_log(&self, log: Option<&PathBuf>, exit_on_error: bool, sink: &mut dyn RunSink) {
        let Some(log) = log else { return };
        if self.debug || exit_on_error {
            if let Ok(text) = std::fs::read_to_string(log) {
                sink.event(RunEvent::Print { text });
            }
        } else {
            self.log(
                sink,
                LogLevel::Error,
                format!("Full debug info output to {}", log.display()),
            );
            self.log(
                sink,
                LogLevel::Error,
                "Append '-e' to run command to view the full log".into(),
            );
        }
    }

    fn lock_held_by(&self, module: &str, pid: u32) -> bool {
        matches!(
            lock::inspect(self.engine.stores, module),
            Ok(Some(lock::LockInfo { record: Some(r), .. })) if r.pid == pid
        )
    }

    /// Records a death the child could not record: history, error log, `FAILED`, unlock.
    fn record(
        &self,
        module: &str,
        message: &str,
        output: Option<&VecDeque<String>>,
        pid: Option<u32>,
    ) -> Option<PathBuf> {
        let stores = self.engine.stores;
        let _ = append_history(stores, module, message);
        let mut log_path = None;
        if let Some(output) = output {
            let dir = stores.output_module_dir(module);
            if let Ok(path) = new_error_log(&dir) {
                let lines: Vec<&str> = output.iter().map(String::as_str).collect();
                let text = format!(
                    "Top-level error\n---------------\n{message}\n\nOutput before it ended (last {} \
                     lines):\n{}\n",
                    lines.len(),
                    lines.join("\n")
                );
                if std::fs::write(&path, text).is_ok() {
                    let _ = append_history(
                        stores,
                        module,
                        &format!("Debugging output in {}", path.display()),
                    );
                    log_path = Some(path);
                }
            }
        }
        let _ = set_status(stores, module, FAILED);
        if output.is_some() {
            let _ = append_history(stores, module, "Execution completed with status FAILED");
        }
        if let Some(pid) = pid {
            let _ = lock::release(stores, module, pid);
        }
        log_path
    }

    fn not_run(&self, module: &str, message: String, sink: &mut dyn RunSink) -> ModuleRunResult {
        self.log(
            sink,
            LogLevel::Error,
            format!("Error running module '{module}': {message}"),
        );
        sink.event(RunEvent::ModuleFinished {
            module: module.to_string(),
            success: false,
            status: String::new(),
        });
        ModuleRunResult {
            success: false,
            status: String::new(),
            halted: false,
            error: Some(message),
            error_log: None,
        }
    }
}

async fn next(events: &mut Option<UnboundedReceiver<JobEvent>>) -> Option<JobEvent> {
    match events {
        Some(rx) => rx.recv().await,
        None => None,
    }
}
