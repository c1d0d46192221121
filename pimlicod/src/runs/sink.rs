//! The run log: engine events written as the CLI prints them, one line each, to a file that
//! `GET /v1/runs/{id}/logs` serves and follows.

use pimlico_core::engine::{RunEvent, RunSink};
use pimlico_core::exec::LogLevel;
use std::fs::File;
use std::io::{BufWriter, Write};

use super::Runs;

/// Writes a run's events to its log and keeps its record's current module up to date.
pub(super) struct LogSink {
    pub(super) file: BufWriter<File>,
    pub(super) runs: Runs,
    pub(super) id: String,
}

impl LogSink {
    fn line(&mut self, text: &str) {
        // A failing log write must not stop the run; the run's status is recorded anyway.
        let _ = writeln!(self.file, "{text}");
        let _ = self.file.flush();
    }

    fn log(&mut self, level: LogLevel, logger: &str, message: &str) {
        if level == LogLevel::Debug {
            return;
        }
        let now = chrono::Local::now().format("%Y-%m-%d %H:%M:%S");
        self.line(&format!(
            "{now} - {logger} - {} - {message}",
            level.as_str()
        ));
    }
}

impl RunSink for LogSink {
    fn event(&mut self, event: RunEvent) {
        match event {
            RunEvent::Log {
                level,
                logger,
                message,
            } => self.log(level, &logger, &message),
            RunEvent::Print { text } => self.line(&text),
            RunEvent::Output { line, .. } => self.line(&line),
            RunEvent::ModuleStarted { module, .. } => {
                self.runs
                    .update(&self.id, |info| info.current = Some(module));
                return;
            }
            RunEvent::ModuleFinished { .. } => {
                self.runs.update(&self.id, |info| info.current = None);
                return;
            }
            RunEvent::Progress { .. } => return,
        }
        self.runs.log_grew(&self.id);
    }
}
