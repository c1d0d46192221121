//! Loading a pipeline for the engine: local config, pipeline config, and the typecheck right
//! after loading.
//!
//! External module types are found on the pipeline's module path, which is only known once the
//! `[pipeline]` section has been read. The config crate's resolver interface has no way to
//! pass it in during loading, so when the loaded pipeline names a module path the registry did
//! not have yet, the pipeline is loaded a second time with it.

use pimlico_config::{
    ConfigError, ErrorKind, LoadOptions, Pipeline, load_local_config, load_pipeline,
};

use crate::datatypes::{TypecheckError, typecheck_pipeline};
use crate::engine::LoadSpec;
use crate::types::TypeRegistry;

/// Why a pipeline could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The local config or pipeline config is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A connection's datatypes do not match.
    #[error(transparent)]
    Typecheck(#[from] TypecheckError),
}

impl LoadError {
    /// The prefix the original prints before the message.
    pub fn cli_prefix(&self) -> &'static str {
        match self {
            Self::Config(e) if e.kind == ErrorKind::ModuleOption => {
                "Error in module options specified in config file"
            }
            Self::Config(e) if e.kind == ErrorKind::LocalConfig => "Error reading local config",
            _ => "Error reading pipeline config",
        }
    }

    /// The detailed explanation printed after the message, if any.
    pub fn explanation(&self) -> Option<&str> {
        match self {
            Self::Typecheck(e) => e.explanation.as_deref(),
            Self::Config(_) => None,
        }
    }
}

/// Loads the local config and the pipeline, then typechecks it.
pub fn load(spec: &LoadSpec, registry: &TypeRegistry) -> Result<Pipeline, LoadError> {
    let local = load_local_config(&spec.local_request())?;
    let load_once = |local| {
        load_pipeline(
            &spec.config,
            LoadOptions {
                variant: &spec.variant,
                local,
                resolver: registry,
            },
        )
    };
    let mut pipeline = load_once(local.clone())?;
    if registry.set_module_path(pipeline.module_path.clone()) {
        pipeline = load_once(local)?;
    }
    typecheck_pipeline(&pipeline, registry.datatypes())?;
    Ok(pipeline)
}
