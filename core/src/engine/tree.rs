//! The execution tree logged before a module runs: the module, its inputs, and through
//! computed modules (filters, views) what they read in turn.

use pimlico_config::ModuleConfig;

use super::{Engine, is_computed};

/// `store1 (store)`, `|- sub.default_output (subset)`, `|  |- src.default_output (...)`.
pub fn execution_tree(engine: &Engine<'_>, module: &ModuleConfig) -> Vec<String> {
    let mut lines = vec![format!("{} ({})", module.name, module.type_name)];
    for conn in module.inputs.values().flatten() {
        let Some(prev) = engine.pipeline.module(&conn.module) else {
            continue;
        };
        let output = conn.output.as_deref().unwrap_or("default_output");
        lines.push(format!("|- {}.{output} ({})", prev.name, prev.type_name));
        if is_computed(prev) {
            lines.extend(
                execution_tree(engine, prev)
                    .into_iter()
                    .skip(1)
                    .map(|line| format!("|  {line}")),
            );
        }
    }
    lines
}
