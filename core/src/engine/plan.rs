//! Which modules a `run` executes: the default choice, `--all` and `--all-deps`.

use pimlico_config::ModuleConfig;

use super::Engine;
use crate::error::StoreError;
use crate::status::statuses::COMPLETE;

/// The first executable module in config order that is not locked, not `COMPLETE` and has all
/// its inputs ready.
pub fn default_module(engine: &Engine<'_>) -> Result<Option<String>, StoreError> {
    for module in engine.pipeline.schedule() {
        if engine.is_locked(&module.name) || engine.status(&module.name)? == COMPLETE {
            continue;
        }
        if engine.all_inputs_ready(module) {
            return Ok(Some(module.name.clone()));
        }
    }
    Ok(None)
}

/// Every executable non-`COMPLETE` module whose inputs are ready, or will be once the earlier
/// ones in the list have run.
pub fn collect_runnable(engine: &Engine<'_>) -> Result<Vec<String>, StoreError> {
    let mut runnable: Vec<String> = Vec::new();
    for module in engine.pipeline.schedule() {
        if engine.status(&module.name)? == COMPLETE {
            continue;
        }
        if engine.missing_data(module, &runnable, &[]).is_empty() {
            runnable.push(module.name.clone());
        }
    }
    Ok(runnable)
}

/// The requested modules preceded by their unexecuted dependencies (depth first, each once,
/// dependencies before dependents). Computed modules are traversed but not added.
///
/// The original dropped a requested module that was already `COMPLETE` even with
/// `--force-rerun`; with `keep_requested` (set for `--force-rerun`) requested modules stay.
pub fn collect_unexecuted_dependencies(
    engine: &Engine<'_>,
    requested: &[String],
    keep_requested: bool,
) -> Result<Vec<String>, StoreError> {
    let mut out: Vec<String> = Vec::new();
    for name in requested {
        let Some(module) = engine.pipeline.module(name) else {
            continue;
        };
        let mut found = Vec::new();
        deps_of(engine, module, keep_requested, &mut found, 0)?;
        for m in found {
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    Ok(out)
}

fn deps_of(
    engine: &Engine<'_>,
    module: &ModuleConfig,
    force_self: bool,
    out: &mut Vec<String>,
    depth: usize,
) -> Result<(), StoreError> {
    let incomplete = !module.executable || engine.status(&module.name)? != COMPLETE;
    if !(incomplete || force_self) || depth > engine.pipeline.modules.len() {
        return Ok(());
    }
    for conn in module.inputs.values().flatten() {
        if let Some(dep) = engine.pipeline.module(&conn.module) {
            deps_of(engine, dep, false, out, depth + 1)?;
        }
    }
    if module.executable {
        out.push(module.name.clone());
    }
    Ok(())
}
