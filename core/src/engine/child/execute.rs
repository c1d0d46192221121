//! Running one module in this process, with all its bookkeeping, as the original's
//! `execute_modules` does for each module (history messages are the original's).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;

use indexmap::IndexMap;
use pimlico_config::{ModuleConfig, Pipeline};

use super::halt::HaltGuard;
use super::{EXIT_COMPLETE, EXIT_FAILED, EXIT_REFUSED};
use crate::datatypes::metadata::{clear_writing, mark_writing};
use crate::datatypes::output_datatype;
use crate::engine::Engine;
use crate::exec::ChildEvent;
use crate::lock::{self, LockError};
use crate::status::statuses::{COMPLETE, FAILED, STARTED, UNEXECUTED};
use crate::status::{
    append_history, new_error_log, read_status, set_status, write_config_snapshot,
};
use crate::store::Stores;
use crate::types::{
    EventSink, InputData, ModuleContext, ModuleError, ModuleLogger, Outcome, OutputData,
    ProgressReporter, TypeRegistry,
};

/// How the module is to be run.
#[derive(Debug, Clone, Default)]
pub struct ChildOptions {
    /// `--force-rerun`.
    pub force_rerun: bool,
    /// `--debug`.
    pub debug: bool,
    /// The supervising process, if any (for halt messages).
    pub supervisor_pid: Option<u32>,
    /// Handle SIGTERM and SIGHUP by recording the halt (only in a dedicated child process:
    /// the handler ends the process).
    pub handle_signals: bool,
}

/// Runs one module here, with its lock, status, history, snapshot and error log. Returns the
/// exit code ([`EXIT_COMPLETE`], [`EXIT_FAILED`] or [`EXIT_REFUSED`]).
pub fn execute_module_here(
    pipeline: &Pipeline,
    registry: &TypeRegistry,
    module_name: &str,
    options: &ChildOptions,
    sink: Arc<dyn EventSink>,
) -> i32 {
    let refuse = |message: String| {
        sink.emit(ChildEvent::Refused { message });
        EXIT_REFUSED
    };
    let stores = match Stores::for_pipeline(pipeline) {
        Ok(stores) => stores,
        Err(e) => return refuse(e.to_string()),
    };
    let engine = Engine::new(pipeline, registry, &stores);
    let module = match engine.module(module_name) {
        Ok(module) => module,
        Err(e) => return refuse(e.to_string()),
    };
    if !module.executable {
        return refuse(format!(
            "module '{}' ({}) is not executable: there is nothing to run",
            module.name, module.type_name
        ));
    }
    let pid = std::process::id();
    match lock::acquire(&stores, &module.name, pid) {
        Ok(_) => {}
        Err(LockError::Held(info)) => {
            return refuse(format!(
                "module is locked: is it currently being executed? If not, remove the lock using \
                 the 'unlock' command ({})",
                info.describe()
            ));
        }
        Err(e) => return refuse(format!("could not lock module '{}': {e}", module.name)),
    }
    let halt = options
        .handle_signals
        .then(|| HaltGuard::install(&stores, &module.name, options.supervisor_pid));
    let run = Run {
        engine,
        module,
        options,
        log: ModuleLogger::new(Arc::clone(&sink), "Pimlico"),
        sink: Arc::clone(&sink),
    };
    let result = run.execute();
    match &halt {
        Some(halt) => halt.finish(|| run.finish(result, pid)),
        None => run.finish(result, pid),
    }
}

struct Run<'a> {
    engine: Engine<'a>,
    module: &'a ModuleConfig,
    options: &'a ChildOptions,
    log: ModuleLogger,
    sink: Arc<dyn EventSink>,
}

/// How far execution got.
enum Stage {
    /// The module type ran (successfully or not).
    Ran(Result<Outcome, ModuleError>),
    /// The type could not be loaded (or bookkeeping before running failed).
    NotLoaded(String),
}

impl Run<'_> {
    fn stores(&self) -> &Stores {
        self.engine.stores
    }

    fn name(&self) -> &str {
        &self.module.name
    }

    fn history(&self, message: &str) {
        if let Err(e) = append_history(self.stores(), self.name(), message) {
            self.log.error(format!("could not write history: {e}"));
        }
    }

    fn execute(&self) -> Stage {
        match self.prepare() {
            Ok(()) => {}
            Err(message) => return Stage::NotLoaded(message),
        }
        let implementation = match self.engine.registry.implementation(self.module) {
            Ok(implementation) => implementation,
            Err(e) => return Stage::NotLoaded(e.to_string()),
        };
        if let Err(message) = self.mark_outputs() {
            return Stage::NotLoaded(message);
        }
        let mut ctx = match self.context() {
            Ok(ctx) => ctx,
            Err(message) => return Stage::NotLoaded(message),
        };
        let result = catch_unwind(AssertUnwindSafe(|| implementation.execute(&mut ctx)));
        Stage::Ran(result.unwrap_or_else(|panic| {
            let text = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(ModuleError::new(format!("module type panicked: {text}")))
        }))
    }

    /// Status, history and snapshot before running, as the original writes them.
    fn prepare(&self) -> Result<(), String> {
        let (stores, name) = (self.stores(), self.name());
        let status = read_status(stores, name).map_err(|e| e.to_string())?;
        if status == COMPLETE {
            self.log.info(format!(
                "module '{name}' already fully run, but forcing rerun. If you want to be sure of \
                 clearing old data, use the 'reset' command"
            ));
            set_status(stores, name, STARTED).map_err(|e| e.to_string())?;
        } else if status == UNEXECUTED {
            set_status(stores, name, STARTED).map_err(|e| e.to_string())?;
            self.history("Starting execution from the beginning");
        } else {
            self.log.warn(format!(
                "module '{name}' has been partially completed before and left with status \
                 '{status}'. Starting executor"
            ));
            self.history(&format!("Starting executor with status '{status}'"));
        }
        for output in &self.module.outputs {
            let dir = stores.output_module_dir(name).join(output);
            self.log
                .info(format!("Outputting '{output}' in {}", dir.display()));
        }
        let module_dir = stores.output_module_dir(name);
        let snapshot = tokio::runtime::Builder::new_current_thread()
            .build()
            .map_err(|e| format!("could not start a runtime for the config snapshot: {e}"))?
            .block_on(write_config_snapshot(
                &module_dir,
                &self.engine.pipeline.files,
            ))
            .map_err(|e| e.to_string())?;
        self.history(&format!(
            "Storing full pipeline config used to execute {name} in {}",
            snapshot.display()
        ));
        Ok(())
    }

    /// Marks every output as being written (creating its `data/`), once the type is loaded.
    fn mark_outputs(&self) -> Result<(), String> {
        let module_dir = self.stores().output_module_dir(self.name());
        for output in &self.module.outputs {
            mark_writing(&module_dir.join(output)).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn context(&self) -> Result<ModuleContext<'_>, String> {
        let engine = &self.engine;
        let datatypes = engine.registry.datatypes();
        let mut inputs = IndexMap::new();
        for (input, conns) in &self.module.inputs {
            let mut resolved = Vec::new();
            for conn in conns {
                let prev = engine.module(&conn.module).map_err(|e| e.to_string())?;
                let output = engine.resolve_output(prev, conn.output.as_deref())?;
                let datatype =
                    output_datatype(engine.pipeline, datatypes, &prev.name, Some(&output))
                        .ok()
                        .flatten();
                let base_dir = engine.output_state(prev, &output).dir().cloned();
                resolved.push(InputData {
                    module: prev.name.clone(),
                    output,
                    datatype,
                    base_dir,
                });
            }
            inputs.insert(input.clone(), resolved);
        }
        let module_dir = engine.stores.output_module_dir(self.name());
        let outputs = self
            .module
            .outputs
            .iter()
            .map(|o| {
                let datatype = output_datatype(engine.pipeline, datatypes, self.name(), Some(o))
                    .ok()
                    .flatten();
                let data = OutputData {
                    name: o.clone(),
                    datatype,
                    base_dir: module_dir.join(o),
                };
                (o.clone(), data)
            })
            .collect();
        Ok(ModuleContext {
            pipeline: engine.pipeline,
            registry: engine.registry,
            stores: engine.stores,
            module: self.module,
            inputs,
            outputs,
            module_dir,
            processes: engine.processes(),
            force_rerun: self.options.force_rerun,
            debug: self.options.debug,
            log: ModuleLogger::new(Arc::clone(&self.sink), format!("Pimlico.{}", self.name())),
            progress: ProgressReporter::new(Arc::clone(&self.sink)),
        })
    }

    /// Final status, history, error log and unlock.
    fn finish(&self, stage: Stage, pid: u32) -> i32 {
        let (stores, name) = (self.stores(), self.name());
        let code = match stage {
            Stage::Ran(Ok(outcome)) => self.complete(outcome),
            Stage::Ran(Err(error)) => {
                self.history(&format!("Error executing {name}: {}", error.message));
                let end_status = error.end_status.clone().unwrap_or_else(|| FAILED.into());
                self.fail(&error.message, &error.details, &end_status)
            }
            Stage::NotLoaded(message) => {
                self.history(&format!("Error loading {name} for execution: {message}"));
                self.fail(&message, "", FAILED)
            }
        };
        if let Err(e) = lock::release(stores, name, pid) {
            self.log
                .error(format!("could not remove the execution lock: {e}"));
        }
        code
    }

    fn complete(&self, outcome: Outcome) -> i32 {
        let (stores, name) = (self.stores(), self.name());
        for output in &self.module.outputs {
            if let Err(e) = clear_writing(&stores.output_module_dir(name).join(output)) {
                return self.fail(
                    &format!("could not finish output '{output}': {e}"),
                    "",
                    FAILED,
                );
            }
        }
        let status = outcome.status.unwrap_or_else(|| COMPLETE.to_string());
        if let Err(e) = set_status(stores, name, &status) {
            return self.fail(&format!("could not record the status: {e}"), "", FAILED);
        }
        if status == COMPLETE {
            self.history("Execution completed successfully");
        } else {
            self.history(&format!("Execution completed with status {status}"));
        }
        self.sink.emit(ChildEvent::Finished { status });
        EXIT_COMPLETE
    }

    fn fail(&self, message: &str, details: &str, end_status: &str) -> i32 {
        let (stores, name) = (self.stores(), self.name());
        let log_path = self.write_error_log(message, details);
        if let Some(path) = &log_path {
            self.history(&format!("Debugging output in {}", path.display()));
        }
        if let Err(e) = set_status(stores, name, end_status) {
            self.log.error(format!("could not record the status: {e}"));
        }
        self.history(&format!("Execution completed with status {end_status}"));
        self.sink.emit(ChildEvent::Failed {
            message: message.to_string(),
            error_log: log_path.map(|p| p.display().to_string()),
        });
        EXIT_FAILED
    }

    fn write_error_log(&self, message: &str, details: &str) -> Option<PathBuf> {
        let dir = self.stores().output_module_dir(self.name());
        let path = new_error_log(&dir).ok()?;
        let mut text = format!(
            "Top-level error\n---------------\nError executing module '{}': {message}\n",
            self.name()
        );
        if !details.trim().is_empty() {
            text.push_str(&format!(
                "\nDetails of error\n----------------\n{details}\n"
            ));
        }
        match std::fs::write(&path, text) {
            Ok(()) => Some(path),
            Err(e) => {
                self.log
                    .error(format!("could not write {}: {e}", path.display()));
                None
            }
        }
    }
}
