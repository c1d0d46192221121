//! Module types: the [`ModuleType`] trait for Rust implementations, the registry that resolves
//! `type=` values (built-in, external, datatype inputs, signature-only fallbacks), the built-in
//! `command` type and external module types described by a TOML manifest.

mod command;
mod context;
mod datatype_input;
pub mod external;
mod program;
mod registry;

pub use command::CommandType;
pub use context::{
    EventSink, InputData, ModuleContext, ModuleLogger, OutputData, ProgressReporter,
};
pub use datatype_input::datatype_input_signature;
pub use program::{PROTOCOL_PREFIX, ProgramCommand, run_program, task_env, task_json};
pub use registry::{TypeLookupError, TypeRegistry};

use std::sync::Arc;

use pimlico_config::{ModuleConfig, ModuleSignature, Pipeline};

use crate::deps::Dependency;

/// A problem that stops a module from running: a short name and a description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Short name of the problem.
    pub name: String,
    /// What is wrong and how to fix it.
    pub description: String,
}

/// How a successful execution ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// A custom end status; `None` means `COMPLETE`.
    pub status: Option<String>,
}

/// A failed execution.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ModuleError {
    /// The one-line message (goes into history: `Error executing X: <message>`).
    pub message: String,
    /// The status to record instead of `FAILED` (e.g. `PARTIALLY_PROCESSED`).
    pub end_status: Option<String>,
    /// Everything that helps debugging (goes into `errorNNN.log`).
    pub details: String,
}

impl ModuleError {
    /// An error with a message and no further details.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            end_status: None,
            details: String::new(),
        }
    }

    /// Adds debugging details.
    pub fn with_details(mut self, details: impl Into<String>) -> Self {
        self.details = details.into();
        self
    }
}

/// A module type implemented in Rust (or by a program, for external types).
///
/// The engine calls `dependencies` and `check_ready_to_run` only for modules about to run,
/// and `execute` only in the `internal-exec` child process.
pub trait ModuleType: Send + Sync {
    /// What the config language needs to know about the type.
    fn signature(&self) -> Arc<ModuleSignature>;

    /// Software needed to run a module of this type.
    fn dependencies(&self, _module: &ModuleConfig) -> Vec<Dependency> {
        Vec::new()
    }

    /// Checks beyond software dependencies and input data (e.g. models present).
    fn check_ready_to_run(&self, _module: &ModuleConfig, _pipeline: &Pipeline) -> Vec<Problem> {
        Vec::new()
    }

    /// For an input reader (not executable, no inputs): whether the data it reads is there,
    /// or why not. Other types never need to say.
    fn source_ready(&self, _module: &ModuleConfig) -> Result<(), String> {
        Ok(())
    }

    /// Runs the module: reads `ctx.inputs`, writes into `ctx.outputs`.
    fn execute(&self, ctx: &mut ModuleContext<'_>) -> Result<Outcome, ModuleError>;
}

/// Inputs coming from computed (non-stored) modules cannot be handed to a program, which only
/// reads directories: a problem for each such connection.
pub(crate) fn stored_inputs_only(module: &ModuleConfig, pipeline: &Pipeline) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (input, connections) in &module.inputs {
        for conn in connections {
            let Some(upstream) = pipeline.module(&conn.module) else {
                continue;
            };
            let is_datatype_input = upstream.signature.as_ref().is_some_and(|s| {
                matches!(s.kind, pimlico_config::SignatureKind::DatatypeInput { .. })
            });
            if !upstream.executable && !is_datatype_input {
                problems.push(Problem {
                    name: format!("input '{input}' is computed, not stored"),
                    description: format!(
                        "input '{input}' comes from '{}' ({}), which is computed when it is read; \
                         '{}' modules run a program that can only read stored data. Store the \
                         data first (e.g. with a store module) and connect to that instead",
                        upstream.name, upstream.type_name, module.type_name
                    ),
                });
            }
        }
    }
    problems
}
