//! Loading a pipeline config file (with includes) into a [`Pipeline`].

use std::path::Path;

use crate::error::ConfigError;
use crate::model::{LocalConfig, Pipeline};
use crate::signature::TypeResolver;

/// What to load besides the file itself.
pub struct LoadOptions<'a> {
    /// Variant to load (`main` unless `-v` was given).
    pub variant: &'a str,
    /// The local config (stores, special-variable overrides, ...).
    pub local: LocalConfig,
    /// Where module types come from.
    pub resolver: &'a dyn TypeResolver,
}

/// Loads, expands and checks a pipeline config file for one variant.
pub fn load_pipeline(path: &Path, options: LoadOptions<'_>) -> Result<Pipeline, ConfigError> {
    let _ = (path, options);
    todo!("pipeline loading is being written (issue 2)")
}
