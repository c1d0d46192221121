//! What the `internal-exec` child needs to load the pipeline again and run one module.

use std::path::PathBuf;

use pimlico_config::LocalConfigRequest;
use serde::{Deserialize, Serialize};

/// How a pipeline was loaded: enough to load it again identically in another process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadSpec {
    /// The pipeline config file (absolute).
    pub config: PathBuf,
    /// The variant.
    pub variant: String,
    /// `--local-config FILE`.
    pub local_config: Option<PathBuf>,
    /// `-l key=value` overrides (and `processes` from `-p`), in order.
    pub overrides: Vec<(String, String)>,
    /// Home directory searched for `.pimlico` files (`None`: `$HOME`).
    pub home: Option<PathBuf>,
}

impl LoadSpec {
    /// The config crate's request for the local config.
    pub fn local_request(&self) -> LocalConfigRequest {
        LocalConfigRequest {
            file: self.local_config.clone(),
            overrides: self.overrides.clone(),
            home: self.home.clone(),
            hostname: None,
        }
    }
}

/// The request passed to `internal-exec` (as JSON, in one argument).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecRequest {
    /// How to load the pipeline.
    pub load: LoadSpec,
    /// The module to run.
    pub module: String,
    /// `--force-rerun`.
    pub force_rerun: bool,
    /// `--debug`.
    pub debug: bool,
    /// The supervising process: the child stops (recording why) if it goes away.
    pub supervisor_pid: Option<u32>,
}
