//! Running pipelines with this crate's registry from another program, exactly as `pimlico run`
//! does (each module in an `internal-exec` child process of the same binary): for tests and
//! benchmarks whose binary is not `pimlico`.
//!
//! Such a binary calls [`dispatch_internal_exec`] first thing in `main`, so that when the
//! engine re-executes it to run a module, it runs the module instead of its own `main`.

use std::ffi::OsString;
use std::path::PathBuf;

use pimlico_core::engine::child::{INTERNAL_EXEC, internal_exec_main};
use pimlico_core::engine::{
    CollectSink, LoadSpec, RunOptions, RunSummary, Supervisor, run_modules,
};
use pimlico_core::exec::LocalExecutor;
use pimlico_core::store::Stores;
use tokio_util::sync::CancellationToken;

use crate::registry;

/// If this process was started as `BINARY internal-exec <request>`, runs that module and exits
/// with its exit code; otherwise returns.
pub fn dispatch_internal_exec() {
    let args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == INTERNAL_EXEC) {
        std::process::exit(internal_exec_main(&args[2..], &registry()));
    }
}

/// What a run did, with every event it reported.
pub struct RunReport {
    /// The summary (`succeeded`, `failed`, ...), or the message of a run that did not start.
    pub summary: Result<RunSummary, String>,
    /// The events (log messages, module output).
    pub events: CollectSink,
}

/// Loads a pipeline as `pimlico CONFIG --local-config LOCAL -l key=value ... run` would and
/// runs it with `options`.
pub fn run_pipeline(
    config: PathBuf,
    local_config: PathBuf,
    overrides: Vec<(String, String)>,
    options: &RunOptions,
) -> RunReport {
    let mut events = CollectSink::default();
    let load = LoadSpec {
        config,
        variant: "main".into(),
        local_config: Some(local_config),
        overrides,
        home: None,
    };
    let summary = run_inner(load, options, &mut events);
    RunReport { summary, events }
}

fn run_inner(
    load: LoadSpec,
    options: &RunOptions,
    events: &mut CollectSink,
) -> Result<RunSummary, String> {
    let registry = registry();
    let pipeline = pimlico_core::load::load(&load, &registry).map_err(|e| e.to_string())?;
    let stores = Stores::for_pipeline(&pipeline).map_err(|e| e.to_string())?;
    let program = std::env::current_exe().map_err(|e| format!("no current executable: {e}"))?;
    let supervisor = Supervisor {
        engine: pimlico_core::engine::Engine::new(&pipeline, &registry, &stores),
        executor: &LocalExecutor,
        program,
        load,
        debug: false,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start a runtime: {e}"))?;
    runtime
        .block_on(run_modules(
            &supervisor,
            options,
            events,
            CancellationToken::new(),
        ))
        .map_err(|e| e.cli_message())
}
