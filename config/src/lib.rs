//! Pimlico's pipeline config language and local config.
//!
//! The crate turns config files into a [`Pipeline`]: the expanded module list with inputs,
//! options and module variables resolved, exactly as the original Python Pimlico would have
//! produced it (see `docs/config.md` for where we deliberately differ). What a module *type*
//! looks like (inputs, outputs, options) comes from a [`TypeResolver`] supplied by the caller,
//! so built-in, external and datatype-input types all plug in the same way.
#![forbid(unsafe_code)]

pub mod error;
pub mod load;
pub mod local;
pub mod model;
pub mod signature;

pub use error::{ConfigError, ErrorKind};
pub use load::{LoadOptions, load_pipeline};
pub use local::{LocalConfigRequest, load_local_config};
pub use model::{
    Heading, InputConnection, LocalConfig, ModVarValue, ModuleConfig, Origin, Pipeline, StoreRoot,
};
pub use signature::{
    DatatypeExpr, InputDecl, ModuleSignature, OptionDecl, OptionType, OutputDatatype, OutputDecl,
    OutputGroup, Resolution, SignatureKind, TypeResolver,
};
