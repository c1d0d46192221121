//! Command-line arguments (clap derive). Global options come before the command, as in the
//! original (`status -d` is `--deps-of`, not `--debug`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Pimlico: run pipelines of modules over corpora, on one or several machines.
#[derive(Debug, Parser)]
#[command(name = "pimlico", version, about)]
pub struct Cli {
    /// Options that apply to every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Options before the command.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// The pipeline config file.
    pub config: PathBuf,
    /// Load this variant of the pipeline (see the `variants` command).
    #[arg(short = 'v', long, default_value = "main")]
    pub variant: String,
    /// Read the local config from this file only (not ~/.pimlico or host-specific files).
    #[arg(long = "local-config", visible_alias = "lc", value_name = "FILE")]
    pub local_config: Option<PathBuf>,
    /// Override a local config setting for this run (repeatable).
    #[arg(
        short = 'l',
        long = "override-local-config",
        visible_alias = "local",
        value_name = "KEY=VALUE"
    )]
    pub overrides: Vec<String>,
    /// Number of processes modules may use (same as `-l processes=N`).
    #[arg(short = 'p', long)]
    pub processes: Option<usize>,
    /// Never ask questions or draw progress bars (also when PIM_NON_INT is set).
    #[arg(long)]
    pub non_interactive: bool,
    /// Print debugging detail (error logs in full).
    #[arg(short = 'd', long)]
    pub debug: bool,
    /// Act on this pimlicod server (a name in ~/.config/pimlico/servers.toml, or a URL):
    /// status, run, reset, unlock, logs, verify and diff.
    #[arg(long, value_name = "SERVER")]
    pub server: Option<String>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the execution schedule with the status of every module, or one module in detail.
    Status(super::status::StatusArgs),
    /// List the pipeline's variants.
    Variants,
    /// Execute modules (checking all of them first).
    Run(super::run::RunArgs),
    /// Delete modules' output in every store and restore them to unexecuted state.
    Reset(super::reset::ResetArgs),
    /// Remove directories in the stores that belong to no module of this variant.
    Clean(super::clean::CleanArgs),
    /// List the stores and their paths (output store first).
    Stores,
    /// Move modules' data to another store, whole.
    Movestores(super::movestores::MovestoresArgs),
    /// Remove a module's execution lock.
    Unlock(super::unlock::UnlockArgs),
    /// Check software dependencies of modules.
    Deps(super::deps::DepsArgs),
    /// Show where a module's inputs are read from.
    Inputs(super::inputs::ModuleArg),
    /// Show where a module's output is written.
    Output(super::inputs::ModuleArg),
    /// List the modules of the loaded variant.
    Modules(super::modules::ModulesArgs),
    /// Load and check the pipeline (types and connections).
    Check,
    /// Dump modules' data to files, to load them on another machine.
    Dump(super::dump::DumpArgs),
    /// Load modules' data from files made by `dump`.
    Load(super::load::LoadArgs),
    /// Show the log of a module's latest run on a daemon (with --server).
    Logs(super::remote::LogsArgs),
    /// Fetch modules' data from a daemon into the local stores.
    Pull(super::remote::PullArgs),
    /// Send modules' data from the local stores to a daemon.
    Push(super::remote::PushArgs),
    /// Move modules' data from one daemon to another.
    Transfer(super::remote::TransferArgs),
    /// Re-check a module's stored data against its recorded manifest (here or with --server).
    Verify(super::remote::VerifyArgs),
    /// List the files of a module that differ between two servers, or a server and here.
    Diff(super::remote::DiffArgs),
}
