//! The local config: `~/.pimlico`, host-specific files, `--local-config` and `-l` overrides.

use std::path::PathBuf;

use crate::error::ConfigError;
use crate::model::LocalConfig;

/// Where to look for the local config and what to override.
#[derive(Debug, Clone, Default)]
pub struct LocalConfigRequest {
    /// `--local-config FILE`: use only this file.
    pub file: Option<PathBuf>,
    /// `-l key=value` overrides, in order.
    pub overrides: Vec<(String, String)>,
    /// Home directory to search (defaults to `$HOME`).
    pub home: Option<PathBuf>,
    /// Host name to match host-specific files against (defaults to the machine's).
    pub hostname: Option<String>,
}

/// Reads and merges the local config.
pub fn load_local_config(request: &LocalConfigRequest) -> Result<LocalConfig, ConfigError> {
    let _ = request;
    todo!("local config loading is being written (issue 2)")
}
