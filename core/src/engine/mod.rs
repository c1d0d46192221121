//! The engine: readiness (data presence in any store), module selection, the `run` plan and
//! checks, the supervisor of module jobs and the `internal-exec` child entry point.

pub mod child;
mod events;
mod plan;
mod readiness;
mod request;
mod run;
pub mod selection;
mod supervisor;
mod tree;

pub use events::{CollectSink, RunEvent, RunSink};
pub use plan::{collect_runnable, collect_unexecuted_dependencies, default_module};
pub use readiness::OutputState;
pub use request::{ExecRequest, LoadSpec};
pub use run::{RunError, RunOptions, RunSummary, check_modules_ready, run_modules};
pub use supervisor::{ModuleRunResult, Supervisor};
pub use tree::execution_tree;

use pimlico_config::{ModuleConfig, Pipeline, SignatureKind};

use crate::error::StoreError;
use crate::store::Stores;
use crate::types::TypeRegistry;

/// A loaded pipeline with its type registry and stores: what every engine operation reads.
#[derive(Clone, Copy)]
pub struct Engine<'a> {
    /// The loaded pipeline.
    pub pipeline: &'a Pipeline,
    /// Module types and datatypes.
    pub registry: &'a TypeRegistry,
    /// The pipeline's stores.
    pub stores: &'a Stores,
}

/// A module name that is not in the pipeline.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "module '{name}' does not exist in pipeline '{pipeline}' (variant '{variant}', loaded from \
     {config}). Its modules are: {modules}"
)]
pub struct UnknownModule {
    /// The name asked for.
    pub name: String,
    /// Pipeline name.
    pub pipeline: String,
    /// Variant.
    pub variant: String,
    /// Main config file.
    pub config: String,
    /// The pipeline's module names.
    pub modules: String,
}

impl<'a> Engine<'a> {
    /// The engine view of a loaded pipeline.
    pub fn new(pipeline: &'a Pipeline, registry: &'a TypeRegistry, stores: &'a Stores) -> Self {
        Self {
            pipeline,
            registry,
            stores,
        }
    }

    /// A module by name (aliases followed), or an error saying what was looked for and where.
    pub fn module(&self, name: &str) -> Result<&'a ModuleConfig, UnknownModule> {
        self.pipeline.module(name).ok_or_else(|| UnknownModule {
            name: name.to_string(),
            pipeline: self.pipeline.name.clone(),
            variant: self.pipeline.variant.clone(),
            config: self
                .pipeline
                .files
                .first()
                .map_or_else(|| "?".into(), |f| f.display().to_string()),
            modules: self
                .pipeline
                .modules
                .iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// The module's status (`UNEXECUTED` when it has no metadata in any store).
    pub fn status(&self, module: &str) -> Result<String, StoreError> {
        crate::status::read_status(self.stores, module)
    }

    /// Whether the module's lock file exists.
    pub fn is_locked(&self, module: &str) -> bool {
        crate::lock::lock_path(self.stores, module).exists()
    }

    /// The number of processes from the local config (`processes`, `-p`), at least 1.
    pub fn processes(&self) -> usize {
        self.pipeline
            .local
            .values
            .get("processes")
            .and_then(|v| v.trim().parse().ok())
            .filter(|&n: &usize| n > 0)
            .unwrap_or(1)
    }
}

/// A datatype input module (`type=<datatype>`, reads `dir`).
pub fn is_datatype_input(module: &ModuleConfig) -> bool {
    module
        .signature
        .as_ref()
        .is_some_and(|s| matches!(s.kind, SignatureKind::DatatypeInput { .. }))
}

/// A module computed when read (Pimlico's `is_filter()`): not executable, with inputs.
pub fn is_computed(module: &ModuleConfig) -> bool {
    !module.executable && !is_datatype_input(module) && !module.inputs.is_empty()
}
