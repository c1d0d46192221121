//! The `run` command's flow (the original's `check_and_execute_modules`): choose the modules,
//! check all of them first (all or nothing), then execute them in order, continuing past
//! failures (skipping what depends on them) unless asked to stop.

use tokio_util::sync::CancellationToken;

use super::plan::{collect_runnable, collect_unexecuted_dependencies, default_module};
use super::{RunEvent, RunSink, Supervisor, execution_tree};
use crate::error::StoreError;
use crate::exec::LogLevel;
use crate::status::statuses::COMPLETE;

mod checks;

pub use checks::check_modules_ready;

/// What to run and how.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Module names (specifications already expanded); empty for the default choice.
    pub modules: Vec<String>,
    /// `--all`: every module that can run now or once the earlier ones have.
    pub all: bool,
    /// `--all-deps`: add unexecuted dependencies first.
    pub all_deps: bool,
    /// `--force-rerun`.
    pub force_rerun: bool,
    /// `--dry-run`: check only.
    pub dry_run: bool,
    /// `--exit-on-error`: stop after the first failure.
    pub exit_on_error: bool,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunSummary {
    /// Modules that completed.
    pub succeeded: Vec<String>,
    /// Modules that failed (or could not run after others failed).
    pub failed: Vec<String>,
    /// Modules skipped because they were already complete.
    pub skipped: Vec<String>,
    /// The user stopped the run.
    pub halted: bool,
}

impl RunSummary {
    /// 1 when anything failed, 130 when halted by the user, else 0.
    pub fn exit_code(&self) -> i32 {
        if self.halted {
            130
        } else if self.failed.is_empty() {
            0
        } else {
            1
        }
    }
}

/// Why a run did not execute anything. The CLI prints [`RunError::cli_message`] and exits 1.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// No module was named and none is ready.
    #[error(
        "No modules not already completed have all their inputs ready: no module name to default to"
    )]
    NoDefault,
    /// `--all` found nothing.
    #[error("None of the unexecuted modules are ready to run")]
    NoneRunnable,
    /// A module's inputs are not ready.
    #[error("{message}")]
    NotReady {
        /// The module.
        module: String,
        /// The original's message.
        message: String,
    },
    /// A check failed (type, dependencies, module checks, lock).
    #[error("{message}")]
    Check {
        /// The module.
        module: String,
        /// The message.
        message: String,
    },
    /// Reading module state failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl RunError {
    /// The text the CLI prints on stderr, as the original words it.
    pub fn cli_message(&self) -> String {
        match self {
            Self::NotReady { module, message } => {
                format!("Error: module '{module}' not ready to run: {message}")
            }
            Self::Check { module, message } => {
                format!("Error running module '{module}': {message}")
            }
            Self::Store(e) => format!("Error running modules: {e}"),
            other => other.to_string(),
        }
    }
}

/// Runs modules as `pimlico run` does.
pub async fn run_modules(
    sup: &Supervisor<'_>,
    options: &RunOptions,
    sink: &mut dyn RunSink,
    cancel: CancellationToken,
) -> Result<RunSummary, RunError> {
    let engine = &sup.engine;
    let log = |sink: &mut dyn RunSink, level: LogLevel, message: String| {
        sink.event(RunEvent::Log {
            level,
            logger: "Pimlico".into(),
            message,
        });
    };
    let mut modules = if options.all {
        if !options.modules.is_empty() {
            log(
                sink,
                LogLevel::Warning,
                "Ignoring modules specified and running all that can be run".into(),
            );
        }
        let runnable = collect_runnable(engine)?;
        if runnable.is_empty() {
            return Err(RunError::NoneRunnable);
        }
        log(
            sink,
            LogLevel::Info,
            format!("Found {} runnable, unexecuted modules", runnable.len()),
        );
        runnable
    } else if options.modules.is_empty() {
        let Some(module) = default_module(engine)? else {
            return Err(RunError::NoDefault);
        };
        log(
            sink,
            LogLevel::Info,
            format!(
                "No module name specified. Defaulting to next unexecuted, ready module: '{module}'"
            ),
        );
        vec![module]
    } else {
        options.modules.clone()
    };
    let pipeline = engine.pipeline;
    let name = if pipeline.variant == "main" {
        format!("'{}'", pipeline.name)
    } else {
        format!("'{}' (variant '{}')", pipeline.name, pipeline.variant)
    };
    log(sink, LogLevel::Info, format!("Using pipeline {name}"));
    if !pipeline.local.files.is_empty() {
        let files: Vec<String> = pipeline
            .local
            .files
            .iter()
            .map(|f| format!("file {}", f.display()))
            .collect();
        log(
            sink,
            LogLevel::Info,
            format!("Loaded local config from: {}", files.join(", ")),
        );
    }
    for module in &modules {
        engine.module(module).map_err(|e| RunError::Check {
            module: module.clone(),
            message: e.to_string(),
        })?;
    }
    if options.all_deps && !options.all {
        log(
            sink,
            LogLevel::Info,
            format!(
                "Checking for unexecuted dependencies of {}",
                modules.join(", ")
            ),
        );
        let with_deps = collect_unexecuted_dependencies(engine, &modules, options.force_rerun)?;
        let added: Vec<&String> = with_deps.iter().filter(|m| !modules.contains(m)).collect();
        if !added.is_empty() {
            let added: Vec<&str> = added.iter().map(|s| s.as_str()).collect();
            log(
                sink,
                LogLevel::Info,
                format!(
                    "Added unexecuted dependent modules to the execution list: {}",
                    added.join(", ")
                ),
            );
        }
        modules = with_deps;
    }
    if !options.force_rerun {
        let mut complete = Vec::new();
        for module in &modules {
            if engine.status(module)? == COMPLETE {
                complete.push(module.clone());
            }
        }
        if !complete.is_empty() {
            log(
                sink,
                LogLevel::Warning,
                format!(
                    "Removing modules already run to completion: {}",
                    complete.join(", ")
                ),
            );
            log(
                sink,
                LogLevel::Info,
                "Use --force-rerun if you want to run modules again and overwrite their output"
                    .into(),
            );
            modules.retain(|m| !complete.contains(m));
            if modules.is_empty() {
                log(sink, LogLevel::Warning, "No modules left to run!".into());
                return Ok(RunSummary::default());
            }
        }
    }
    checks::check_modules_ready(engine, &modules, sink)?;
    if options.dry_run {
        log(sink, LogLevel::Info, "All checks passed".into());
        return Ok(RunSummary::default());
    }
    execute(sup, &modules, options, sink, &cancel).await
}

async fn execute(
    sup: &Supervisor<'_>,
    modules: &[String],
    options: &RunOptions,
    sink: &mut dyn RunSink,
    cancel: &CancellationToken,
) -> Result<RunSummary, RunError> {
    let engine = &sup.engine;
    let log = |sink: &mut dyn RunSink, level: LogLevel, message: String| {
        sink.event(RunEvent::Log {
            level,
            logger: "Pimlico".into(),
            message,
        });
    };
    if modules.len() > 1 {
        log(
            sink,
            LogLevel::Info,
            format!("Executing a sequence of modules: {}", modules.join(", ")),
        );
    }
    let mut summary = RunSummary::default();
    for name in modules {
        // Interrupted between modules (or during the checks): start nothing more.
        if cancel.is_cancelled() {
            summary.halted = true;
            return Ok(summary);
        }
        let module = engine.module(name).map_err(|e| RunError::Check {
            module: name.clone(),
            message: e.to_string(),
        })?;
        if !summary.failed.is_empty() {
            let missing = engine.missing_data(module, &[], &summary.failed);
            if !missing.is_empty() {
                log(
                    sink,
                    LogLevel::Warning,
                    format!(
                        "Cannot execute module '{name}', since its inputs are not all ready ({}), after \
                     previous modules failed: {}",
                        missing.join(", "),
                        summary.failed.join("; ")
                    ),
                );
                summary.failed.push(name.clone());
                continue;
            }
        }
        if !options.force_rerun && engine.status(name)? == COMPLETE {
            log(
                sink,
                LogLevel::Warning,
                format!(
                    "module '{name}' has already been run to completion. Use --force-rerun if you want \
                 to run it again and overwrite the output. Rerun not forced, so skipping module"
                ),
            );
            summary.skipped.push(name.clone());
            continue;
        }
        if modules.len() > 1 {
            let message = format!("Executing {name}");
            let rule = "=".repeat(message.len() + 4);
            log(sink, LogLevel::Info, rule.clone());
            log(sink, LogLevel::Info, format!("| {message} |"));
            log(sink, LogLevel::Info, rule);
        }
        log(sink, LogLevel::Info, "Executing module tree:".into());
        for line in execution_tree(engine, module) {
            log(sink, LogLevel::Info, format!("  {line}"));
        }
        let result = sup
            .run_module(
                name,
                options.force_rerun,
                options.exit_on_error,
                sink,
                cancel,
            )
            .await;
        if result.halted {
            // Interrupted: the module either finished just in time or was stopped.
            if result.success {
                summary.succeeded.push(name.clone());
            } else {
                summary.failed.push(name.clone());
            }
            summary.halted = true;
            return Ok(summary);
        }
        if result.success {
            summary.succeeded.push(name.clone());
        } else {
            summary.failed.push(name.clone());
            if options.exit_on_error {
                break;
            }
        }
    }
    report(&summary, sink);
    Ok(summary)
}

fn report(summary: &RunSummary, sink: &mut dyn RunSink) {
    let mut log = |level: LogLevel, message: String| {
        sink.event(RunEvent::Log {
            level,
            logger: "Pimlico".into(),
            message,
        });
    };
    let (failed, succeeded) = (&summary.failed, &summary.succeeded);
    if failed.is_empty() {
        log(
            LogLevel::Info,
            format!(
                "Successfully executed all modules: {}",
                succeeded.join(", ")
            ),
        );
    } else if !succeeded.is_empty() {
        log(
            LogLevel::Error,
            format!(
                "Execution failed on {} modules: {}",
                failed.len(),
                failed.join(", ")
            ),
        );
        log(
            LogLevel::Info,
            format!(
                "Execution succeeded on {} modules: {}",
                succeeded.len(),
                succeeded.join(", ")
            ),
        );
    } else if failed.len() == 1 {
        log(
            LogLevel::Error,
            format!("Execution of {} failed", failed[0]),
        );
    } else {
        log(
            LogLevel::Error,
            format!("Execution failed on all modules ({})", failed.join(", ")),
        );
    }
    if !summary.skipped.is_empty() {
        log(
            LogLevel::Info,
            format!("Skipped modules: {}", summary.skipped.join(", ")),
        );
    }
}
