//! A native module type as the engine sees it.

use std::sync::Arc;

use pimlico_config::{ModuleConfig, ModuleSignature, Pipeline};
use pimlico_core::types::{ModuleContext, ModuleError, ModuleType, Outcome, Problem};

use super::{Behaviour, TypeDef};
use crate::map::run_document_map;

/// A [`TypeDef`] registered with the engine's type registry.
pub struct NativeType {
    def: &'static TypeDef,
    signature: Arc<ModuleSignature>,
}

impl NativeType {
    /// Wraps a type definition.
    pub fn new(def: &'static TypeDef) -> Self {
        NativeType {
            def,
            signature: Arc::new((def.signature)()),
        }
    }
}

impl ModuleType for NativeType {
    fn signature(&self) -> Arc<ModuleSignature> {
        Arc::clone(&self.signature)
    }

    fn check_ready_to_run(&self, module: &ModuleConfig, pipeline: &Pipeline) -> Vec<Problem> {
        self.def
            .check
            .map_or_else(Vec::new, |check| check(module, pipeline))
    }

    fn source_ready(&self, module: &ModuleConfig) -> Result<(), String> {
        self.def.source_ready.map_or(Ok(()), |ready| ready(module))
    }

    fn execute(&self, ctx: &mut ModuleContext<'_>) -> Result<Outcome, ModuleError> {
        match &self.def.behaviour {
            Behaviour::DocMap(make) => run_document_map(ctx, *make),
            Behaviour::Execute(run) => run(ctx),
            Behaviour::View(_) | Behaviour::SignatureOnly => Err(ModuleError::new(format!(
                "module type '{}' is not executed",
                self.def.type_string
            ))),
        }
    }
}
