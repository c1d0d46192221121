//! Arguments of the commands that only exist for daemons.

use clap::Args;

/// Arguments of `logs` (needs `--server`).
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The module (name or number) whose latest run's log to show.
    pub module: String,
    /// Keep printing new lines until the run ends.
    #[arg(short = 'f', long)]
    pub follow: bool,
}

/// Arguments of `pull`.
#[derive(Debug, Args)]
pub struct PullArgs {
    /// Modules to fetch (names, numbers, ranges).
    #[arg(required = true)]
    pub modules: Vec<String>,
    /// The server to fetch from (a name in servers.toml, or a URL).
    #[arg(long, value_name = "SERVER")]
    pub from: String,
    #[command(flatten)]
    pub common: MoveArgs,
}

/// Arguments of `push`.
#[derive(Debug, Args)]
pub struct PushArgs {
    /// Modules to send (names, numbers, ranges).
    #[arg(required = true)]
    pub modules: Vec<String>,
    /// The server to send to.
    #[arg(long, value_name = "SERVER")]
    pub to: String,
    #[command(flatten)]
    pub common: MoveArgs,
}

/// Arguments of `transfer`.
#[derive(Debug, Args)]
pub struct TransferArgs {
    /// Modules to move (names, numbers, ranges).
    #[arg(required = true)]
    pub modules: Vec<String>,
    /// The server holding the data.
    #[arg(long, value_name = "SERVER")]
    pub from: String,
    /// The server to move it to.
    #[arg(long, value_name = "SERVER")]
    pub to: String,
    /// Stream the data through this machine (when the destination cannot reach the source).
    #[arg(long)]
    pub via_client: bool,
    #[command(flatten)]
    pub common: MoveArgs,
}

/// Options of every data move.
#[derive(Debug, Clone, Args)]
pub struct MoveArgs {
    /// Replace data that already exists at the destination.
    #[arg(short = 'f', long)]
    pub force_overwrite: bool,
    /// Move the data even if the two sides define the module differently.
    #[arg(long)]
    pub ignore_definition_mismatch: bool,
    /// Compression on the wire: zstd (default), gzip or none.
    #[arg(long, default_value = "zstd", value_parser = ["zstd", "gzip", "none"])]
    pub compression: String,
    /// Print the result as JSON instead of progress and messages.
    #[arg(long)]
    pub json: bool,
}

impl MoveArgs {
    /// The wire compression.
    pub fn compression(&self) -> pimlico_proto::DataCompression {
        match self.compression.as_str() {
            "gzip" => pimlico_proto::DataCompression::Gzip,
            "none" => pimlico_proto::DataCompression::None,
            _ => pimlico_proto::DataCompression::Zstd,
        }
    }
}
