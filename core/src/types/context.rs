//! What a module type gets when it runs: the pipeline, the registry, resolved input locations
//! (in any store), output directories (in the output store), options, module variables, the
//! number of processes, a logger and progress reporting.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use pimlico_config::{DatatypeExpr, ModVarValue, ModuleConfig, Pipeline};
use serde_json::Value;

use super::TypeRegistry;
use crate::exec::{ChildEvent, LogLevel};
use crate::store::Stores;

/// Receives the events of a running module (the child sends them to its supervisor).
pub trait EventSink: Send + Sync {
    /// Delivers one event.
    fn emit(&self, event: ChildEvent);
}

/// Logging for a module type; messages reach the supervisor (and the user) as log lines.
#[derive(Clone)]
pub struct ModuleLogger {
    sink: Arc<dyn EventSink>,
    logger: String,
}

impl ModuleLogger {
    /// A logger named `logger` (`Pimlico.<module>` for module types).
    pub fn new(sink: Arc<dyn EventSink>, logger: impl Into<String>) -> Self {
        Self {
            sink,
            logger: logger.into(),
        }
    }

    /// Logs at a level.
    pub fn log(&self, level: LogLevel, message: impl Into<String>) {
        self.sink.emit(ChildEvent::Log {
            level,
            logger: self.logger.clone(),
            message: message.into(),
        });
    }

    /// Logs an informational message.
    pub fn info(&self, message: impl Into<String>) {
        self.log(LogLevel::Info, message);
    }

    /// Logs a warning.
    pub fn warn(&self, message: impl Into<String>) {
        self.log(LogLevel::Warning, message);
    }

    /// Logs an error.
    pub fn error(&self, message: impl Into<String>) {
        self.log(LogLevel::Error, message);
    }

    pub(crate) fn sink(&self) -> &Arc<dyn EventSink> {
        &self.sink
    }
}

/// Progress reporting for a module type.
#[derive(Clone)]
pub struct ProgressReporter {
    sink: Arc<dyn EventSink>,
}

impl ProgressReporter {
    /// Reports to a sink.
    pub fn new(sink: Arc<dyn EventSink>) -> Self {
        Self { sink }
    }

    /// `done` of `total` units are done.
    pub fn report(&self, done: u64, total: Option<u64>, message: Option<&str>) {
        self.sink.emit(ChildEvent::Progress {
            done,
            total,
            message: message.map(str::to_string),
        });
    }
}

/// One connection of an input, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct InputData {
    /// The module the data comes from.
    pub module: String,
    /// Its output (resolved: never the implicit default).
    pub output: String,
    /// The datatype it provides, when known.
    pub datatype: Option<DatatypeExpr>,
    /// Where the data is (`<store>/<module>/<output>` or a datatype input's `dir`); `None` when
    /// the upstream module is computed when read (a filter or a view such as `subset`).
    pub base_dir: Option<PathBuf>,
}

impl InputData {
    /// The `data/` directory inside the base directory.
    pub fn data_dir(&self) -> Option<PathBuf> {
        self.base_dir.as_ref().map(|d| d.join("data"))
    }
}

/// One output, in the output store.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputData {
    /// Output name.
    pub name: String,
    /// Its datatype, when known.
    pub datatype: Option<DatatypeExpr>,
    /// `<output store>/<module>/<output>`; created, with `data/`, before the module runs.
    pub base_dir: PathBuf,
}

impl OutputData {
    /// The `data/` directory inside the base directory.
    pub fn data_dir(&self) -> PathBuf {
        self.base_dir.join("data")
    }
}

/// Everything a running module type needs.
pub struct ModuleContext<'a> {
    /// The loaded pipeline.
    pub pipeline: &'a Pipeline,
    /// The type registry (datatypes, other module types).
    pub registry: &'a TypeRegistry,
    /// The pipeline's stores.
    pub stores: &'a Stores,
    /// The module being run.
    pub module: &'a ModuleConfig,
    /// Each input's connections, resolved to where their data is.
    pub inputs: IndexMap<String, Vec<InputData>>,
    /// Each output's directory.
    pub outputs: IndexMap<String, OutputData>,
    /// The module's directory in the output store.
    pub module_dir: PathBuf,
    /// How many processes the module may use (`processes` in the local config, `-p`).
    pub processes: usize,
    /// The run was forced (`--force-rerun`).
    pub force_rerun: bool,
    /// Debug output was asked for (`--debug`).
    pub debug: bool,
    /// Logging.
    pub log: ModuleLogger,
    /// Progress reporting.
    pub progress: ProgressReporter,
}

impl ModuleContext<'_> {
    /// The module's options (after conversion and defaults).
    pub fn options(&self) -> &IndexMap<String, Value> {
        &self.module.options
    }

    /// The module's variables.
    pub fn modvars(&self) -> &IndexMap<String, ModVarValue> {
        &self.module.modvars
    }

    /// The directory of the main config file (working directory of programs).
    pub fn config_dir(&self) -> PathBuf {
        self.pipeline
            .files
            .first()
            .and_then(|f| f.parent())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }
}
