//! The check phase of `run`: for every module, in order, its type can run here, its software
//! dependencies are installed, its own checks pass, its inputs are ready (assuming the earlier
//! modules have run) and it is not locked. Any failure stops the run before anything executes.

use pimlico_config::ModuleConfig;

use super::RunError;
use crate::deps::{Dependency, DependencyStatus};
use crate::engine::{Engine, RunEvent, RunSink, is_computed};
use crate::exec::LogLevel;
use crate::lock;
use crate::text::{capitalize, title_box};

/// Checks modules before running them, in order, each assuming the earlier ones have run; the
/// first problem is returned (after printing its report through `sink`).
pub fn check_modules_ready(
    engine: &Engine<'_>,
    modules: &[String],
    sink: &mut dyn RunSink,
) -> Result<(), RunError> {
    sink.event(RunEvent::Log {
        level: LogLevel::Info,
        logger: "Pimlico".into(),
        message: format!(
            "Checking dependencies and inputs for module{}: {}",
            if modules.len() > 1 { "s" } else { "" },
            modules.join(", ")
        ),
    });
    let mut already_run: Vec<String> = Vec::new();
    for name in modules {
        let check_error = |message: String| RunError::Check {
            module: name.clone(),
            message,
        };
        let module = engine
            .module(name)
            .map_err(|e| check_error(e.to_string()))?;
        let implementation = engine
            .registry
            .implementation(module)
            .map_err(|e| check_error(e.to_string()))?;

        let mut deps = implementation.dependencies(module);
        deps.extend(filter_dependencies(engine, module));
        let missing: Vec<DependencyStatus> = dedup(deps)
            .iter()
            .map(Dependency::check)
            .filter(|status| !status.available)
            .collect();
        if !missing.is_empty() {
            sink.event(RunEvent::Print {
                text: missing_dependencies_report(&missing),
            });
            return Err(check_error(format!(
                "runtime dependencies not satisfied for executing module '{name}'"
            )));
        }

        let problems = implementation.check_ready_to_run(module, engine.pipeline);
        if let Some(problem) = problems.first() {
            sink.event(RunEvent::Print {
                text: format!(
                    "Module '{name}' cannot run: {}\n  {}",
                    problem.name, problem.description
                ),
            });
            return Err(check_error(format!(
                "runtime checks failed for module '{name}'"
            )));
        }

        let missing_inputs = engine.missing_data(module, &already_run, &[]);
        if !missing_inputs.is_empty() {
            let assuming = if already_run.is_empty() {
                String::new()
            } else {
                format!(". Assuming {} already run", already_run.join(", "))
            };
            return Err(RunError::NotReady {
                module: name.clone(),
                message: format!(
                    "cannot execute module '{name}', since its inputs are not all ready: {}{assuming}",
                    missing_inputs.join(", ")
                ),
            });
        }

        if let Some(info) = lock::inspect(engine.stores, name)? {
            let mut message = "module is locked: is it currently being executed? If not, remove \
                               the lock using the 'unlock' command"
                .to_string();
            if info.record.is_some() {
                message.push_str(&format!(" ({})", info.describe()));
            }
            return Err(check_error(message));
        }
        already_run.push(name.clone());
    }
    Ok(())
}

/// Dependencies of the computed modules (filters) feeding the module, which run inside it.
fn filter_dependencies(engine: &Engine<'_>, module: &ModuleConfig) -> Vec<Dependency> {
    let mut deps = Vec::new();
    for conn in module.inputs.values().flatten() {
        let Some(prev) = engine.pipeline.module(&conn.module) else {
            continue;
        };
        if is_computed(prev) && prev.filter {
            let mut as_run = prev.clone();
            as_run.executable = true;
            if let Ok(implementation) = engine.registry.implementation(&as_run) {
                deps.extend(implementation.dependencies(prev));
            }
            deps.extend(filter_dependencies(engine, prev));
        }
    }
    deps
}

fn dedup(deps: Vec<Dependency>) -> Vec<Dependency> {
    let mut out: Vec<Dependency> = Vec::new();
    for dep in deps {
        if !out.contains(&dep) {
            out.push(dep);
        }
    }
    out
}

/// The original's report of unsatisfied dependencies (`print_missing_dependencies`).
fn missing_dependencies_report(missing: &[DependencyStatus]) -> String {
    let mut text = String::from("Some library dependencies were not satisfied\n");
    for dep in missing {
        text.push('\n');
        text.push_str(&title_box(&capitalize(&dep.name)));
        text.push_str(&format!(
            "\nDependency '{}' not satisfied because of the following problems:\n",
            dep.name
        ));
        for problem in &dep.problems {
            text.push_str(&format!(" - {problem}\n"));
        }
        text.push_str("Cannot be installed automatically\n");
        if !dep.instructions.is_empty() {
            text.push_str(&format!(
                "\nInstallation instructions:\n  {}\n",
                dep.instructions
            ));
        }
    }
    text
}
