//! The built-in `command` module type: runs a shell command (option `cmd`) with the same
//! environment and task file as external module types.

use std::path::PathBuf;
use std::sync::Arc;

use pimlico_config::{
    DatatypeExpr, InputDecl, ModuleConfig, ModuleSignature, OptionDecl, OptionType, OutputDatatype,
    OutputDecl, Pipeline, SignatureKind,
};
use serde_json::Value;

use super::{
    ModuleContext, ModuleError, ModuleType, Outcome, Problem, ProgramCommand, run_program,
    stored_inputs_only,
};
use crate::deps::Dependency;

/// Type string of the built-in command type.
pub const COMMAND_TYPE: &str = "command";

/// Runs `sh -c "$cmd"` in the config file's directory.
pub struct CommandType {
    signature: Arc<ModuleSignature>,
}

impl Default for CommandType {
    fn default() -> Self {
        Self::new()
    }
}

impl CommandType {
    /// The type with its signature.
    pub fn new() -> Self {
        let any = DatatypeExpr::new(crate::datatypes::ROOT_DATATYPE);
        Self {
            signature: Arc::new(ModuleSignature {
                type_name: COMMAND_TYPE.into(),
                description: "Runs a shell command. Inputs and outputs are passed to it as \
                              PIMLICO_INPUT_*/PIMLICO_OUTPUT_* environment variables and in the \
                              JSON task file named by PIMLICO_TASK_FILE"
                    .into(),
                inputs: vec![InputDecl {
                    name: "data".into(),
                    datatype: any.clone(),
                    optional: true,
                    multiple: true,
                }],
                outputs: vec![OutputDecl {
                    name: "output".into(),
                    datatype: OutputDatatype::Fixed(any),
                }],
                optional_outputs: Vec::new(),
                output_groups: Vec::new(),
                options: vec![OptionDecl {
                    name: "cmd".into(),
                    help: "Shell command to run (with sh -c), in the directory of the pipeline's \
                           config file"
                        .into(),
                    ty: OptionType::String,
                    default: Value::Null,
                    required: true,
                }],
                executable: true,
                document_map: false,
                kind: SignatureKind::Module,
            }),
        }
    }
}

impl ModuleType for CommandType {
    fn signature(&self) -> Arc<ModuleSignature> {
        Arc::clone(&self.signature)
    }

    fn dependencies(&self, _module: &ModuleConfig) -> Vec<Dependency> {
        vec![Dependency::Command {
            name: "sh".into(),
            version_args: Vec::new(),
            min_version: None,
        }]
    }

    fn check_ready_to_run(&self, module: &ModuleConfig, pipeline: &Pipeline) -> Vec<Problem> {
        stored_inputs_only(module, pipeline)
    }

    fn execute(&self, ctx: &mut ModuleContext<'_>) -> Result<Outcome, ModuleError> {
        let cmd = match ctx.options().get("cmd") {
            Some(Value::String(cmd)) if !cmd.trim().is_empty() => cmd.clone(),
            _ => return Err(ModuleError::new("option 'cmd' is empty: nothing to run")),
        };
        ctx.log.info(format!("Running: {cmd}"));
        run_program(
            ctx,
            ProgramCommand {
                program: PathBuf::from("sh"),
                args: vec!["-c".into(), cmd],
                cwd: ctx.config_dir(),
                env: Vec::new(),
            },
        )
    }
}
