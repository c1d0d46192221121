//! Pimlico's pipeline config language and local config.
//!
//! The crate turns config files into a [`Pipeline`]: the expanded module list with inputs,
//! options and module variables resolved, exactly as the original Python Pimlico would have
//! produced it (see `docs/config.md` for where we deliberately differ). What a module *type*
//! looks like (inputs, outputs, options) comes from a [`TypeResolver`] supplied by the caller,
//! so built-in, external and datatype-input types all plug in the same way.
#![forbid(unsafe_code)]

mod alternatives;
pub mod error;
mod ini;
mod inputs;
pub mod load;
mod loc;
pub mod local;
pub mod model;
mod modvars;
mod options;
mod preprocess;
pub mod py;
pub mod release;
pub mod report;
pub mod signature;
mod subst;

pub use error::{ConfigError, ErrorKind};
pub use load::{LoadOptions, load_pipeline};
pub use local::{LocalConfigRequest, load_local_config};
pub use model::{
    Heading, InputConnection, LocalConfig, ModVarValue, ModuleConfig, Origin, Pipeline, StoreRoot,
};
pub use options::{process_options, str_to_bool};
pub use release::{PIMLICO_RELEASE, check_release};
pub use report::variant_report;
pub use signature::{
    DatatypeExpr, InputDecl, ModuleSignature, OptionDecl, OptionType, OutputDatatype, OutputDecl,
    OutputGroup, Resolution, SignatureKind, TypeResolver,
};
