//! Module and pipeline status, as shown by `pimlico ... status` and returned by the daemon.
//!
//! `pimlico status --json` prints exactly these values, so the CLI and the daemon
//! (`GET /v1/pipelines/{name}/status`, later) agree on what a status is.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The whole pipeline's status: `pimlico ... status --json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineStatus {
    /// Pipeline name (`[pipeline] name`).
    pub pipeline: String,
    /// The loaded variant.
    pub variant: String,
    /// Every variant, `main` first.
    pub variants: Vec<String>,
    /// The modules listed: the execution schedule, or every module with `--all`.
    pub modules: Vec<ModuleSummary>,
    /// The `##` heading tree, restricted to the listed modules; the root has an empty title.
    pub headings: HeadingStatus,
}

/// One node of the `##` heading tree.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HeadingStatus {
    /// Heading text (empty for the root).
    pub title: String,
    /// Dotted number as `status` shows it (`1.2`); empty for the root.
    pub number: String,
    /// Modules directly under this heading.
    pub modules: Vec<String>,
    /// Subheadings.
    pub children: Vec<HeadingStatus>,
}

/// The short status of one module: one entry of the `status` listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleSummary {
    /// 1-based position in the execution schedule; `None` for non-executable modules.
    pub number: Option<usize>,
    /// Expanded module name.
    pub name: String,
    /// Short type name (`store`, `grouped_corpus_input`, ...).
    pub type_name: String,
    /// Whether the module is run (appears in the schedule).
    pub executable: bool,
    /// Pimlico's status string (`UNEXECUTED`, `STARTED`, `COMPLETE`, `FAILED`, ...).
    pub status: String,
    /// Readiness of each input, in declaration order.
    pub inputs: Vec<InputReadiness>,
    /// Availability of each output, in order.
    pub outputs: Vec<OutputReadiness>,
    /// Whether every input (and the module's own source data) is ready.
    pub inputs_ready: bool,
    /// The execution lock, if the module is locked.
    pub lock: Option<LockStatus>,
    /// Why the module type cannot be used on this host, if it cannot.
    #[serde(default)]
    pub unavailable: Option<String>,
}

/// Whether one input's data is ready.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputReadiness {
    /// Input name.
    pub name: String,
    /// True when every connection's data is ready in some store.
    pub ready: bool,
}

/// Whether one output's data is available.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputReadiness {
    /// Output name.
    pub name: String,
    /// True when the data is ready in some store.
    pub ready: bool,
}

/// An execution lock (`.execution_lock` in the output store's module directory).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockStatus {
    /// Host that took the lock; `None` for a lock written by the original Pimlico.
    pub host: Option<String>,
    /// Process holding the lock.
    pub pid: Option<u32>,
    /// When the lock was taken (`YYYY-MM-DD HH:MM:SS`, local time of the locking host).
    pub started: Option<String>,
    /// The holding process is known to be gone (same host, no such process).
    pub stale: bool,
}

/// Where an input's data comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputSourceKind {
    /// An executable module's output, found in a store.
    Executable,
    /// A non-executable module with inputs (filter or view), computed when read.
    Filter,
    /// A pipeline input (datatype input or input reader).
    PipelineInput,
}

/// Detailed status of one connection of one input: `status MODULE`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputDetail {
    /// Input name.
    pub name: String,
    /// The module the connection comes from.
    pub from_module: String,
    /// The output name as written, `None` for the default output.
    pub from_output: Option<String>,
    /// Datatype name as Pimlico shows it (`grouped_corpus<RawTextDocumentType>`).
    pub datatype: String,
    /// Whether the data is ready.
    pub ready: bool,
    /// What kind of module it comes from.
    pub source: InputSourceKind,
    /// The directory the data is read from, when ready and stored in a directory.
    pub location: Option<String>,
}

/// Detailed status of one output: `status MODULE`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputDetail {
    /// Output name.
    pub name: String,
    /// Datatype name as Pimlico shows it.
    pub datatype: String,
    /// Whether the data is available.
    pub ready: bool,
    /// The directory holding the data, when available.
    pub location: Option<String>,
    /// The module is a filter: the output is computed when read.
    pub filter: bool,
}

/// Everything `status MODULE` shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleDetail {
    /// The short status.
    pub summary: ModuleSummary,
    /// The section's docstring.
    pub docstring: String,
    /// The type string as written in the config (`pimlico.modules.corpora.store`).
    pub type_string: String,
    /// One entry per input connection.
    pub inputs: Vec<InputDetail>,
    /// One entry per output.
    pub outputs: Vec<OutputDetail>,
    /// Options after conversion and defaults.
    pub options: Map<String, Value>,
    /// Module variables.
    pub modvars: Map<String, Value>,
    /// The module directory status and history are read from (first store holding it).
    pub module_dir: Option<String>,
    /// The full execution history, when requested.
    #[serde(default)]
    pub history: Option<String>,
}
