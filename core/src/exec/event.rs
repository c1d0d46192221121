//! The child-to-supervisor protocol: one JSON object per line on the child's stdout.

use serde::{Deserialize, Serialize};

/// Log levels of child log messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    /// Debugging detail.
    Debug,
    /// Normal progress messages.
    Info,
    /// Something odd that does not stop execution.
    Warning,
    /// A failure.
    Error,
}

impl LogLevel {
    /// The name Pimlico's log lines use.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Debug => "DEBUG",
            Self::Info => "INFO",
            Self::Warning => "WARNING",
            Self::Error => "ERROR",
        }
    }
}

/// Which output stream a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputStream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// An event sent by the `internal-exec` child.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ChildEvent {
    /// A log message of the engine or the module type.
    Log {
        /// Level.
        level: LogLevel,
        /// `Pimlico` for the engine, `Pimlico.<module>` for the module type.
        logger: String,
        /// The message.
        message: String,
    },
    /// A line the module's program printed.
    Output {
        /// Which stream.
        stream: OutputStream,
        /// The line.
        line: String,
    },
    /// Progress of the module.
    Progress {
        /// Units done.
        done: u64,
        /// Units in total, when known.
        total: Option<u64>,
        /// What is being done.
        message: Option<String>,
    },
    /// The module failed (its status and history have been written).
    Failed {
        /// The error message.
        message: String,
        /// The error log written.
        error_log: Option<String>,
    },
    /// The child could not execute the module and changed nothing (locked, not found, ...).
    Refused {
        /// Why.
        message: String,
    },
    /// The module finished with this status (its status and history have been written).
    Finished {
        /// The end status.
        status: String,
    },
}

impl ChildEvent {
    /// Parses a stdout line; `None` when it is not an event.
    pub fn parse(line: &str) -> Option<Self> {
        line.starts_with('{')
            .then(|| serde_json::from_str(line).ok())
            .flatten()
    }

    /// The JSON line for this event.
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("events serialise")
    }
}
