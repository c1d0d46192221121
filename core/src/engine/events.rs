//! What a `run` reports while it works. The CLI prints these; the daemon will stream them.

use serde::{Deserialize, Serialize};

use crate::exec::{LogLevel, OutputStream};

/// One thing that happened during a run (serialisable, so a daemon can stream or keep them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEvent {
    /// A log message; `logger` is `Pimlico`, or `Pimlico.<module>` for a module's own messages.
    Log {
        /// Level.
        level: LogLevel,
        /// Logger name.
        logger: String,
        /// The message, in the original's wording.
        message: String,
    },
    /// Text the original prints on standard output (dependency reports, check problems).
    Print {
        /// The text (may span lines).
        text: String,
    },
    /// A line of a module's own output.
    Output {
        /// The module.
        module: String,
        /// Which stream.
        stream: OutputStream,
        /// The line.
        line: String,
    },
    /// Progress of a module.
    Progress {
        /// The module.
        module: String,
        /// Units done.
        done: u64,
        /// Total, when known.
        total: Option<u64>,
        /// What is being done.
        message: Option<String>,
    },
    /// A module's job started.
    ModuleStarted {
        /// The module.
        module: String,
        /// The job's id (process id for local jobs).
        job: String,
    },
    /// A module's job ended.
    ModuleFinished {
        /// The module.
        module: String,
        /// Whether it succeeded.
        success: bool,
        /// Its end status.
        status: String,
    },
}

/// Receives run events.
pub trait RunSink: Send {
    /// Handles one event.
    fn event(&mut self, event: RunEvent);
}

/// Keeps every event (for the daemon's job records and for tests).
#[derive(Debug, Default)]
pub struct CollectSink {
    /// Events in order.
    pub events: Vec<RunEvent>,
}

impl RunSink for CollectSink {
    fn event(&mut self, event: RunEvent) {
        self.events.push(event);
    }
}

impl CollectSink {
    /// All log and print messages, in order (for assertions and summaries).
    pub fn messages(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e {
                RunEvent::Log { message, .. } => Some(message.clone()),
                RunEvent::Print { text } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_serialise_with_a_tag() {
        let event = RunEvent::Progress {
            module: "m".into(),
            done: 3,
            total: Some(10),
            message: None,
        };
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(
            json,
            r#"{"event":"progress","module":"m","done":3,"total":10,"message":null}"#
        );
        assert_eq!(serde_json::from_str::<RunEvent>(&json).unwrap(), event);
    }
}
