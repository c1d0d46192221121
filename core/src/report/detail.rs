//! `status MODULE`: inputs with their sources and datatypes, outputs, options, variables and
//! (on request) the history.

use pimlico_config::ModuleConfig;
use pimlico_proto::{InputDetail, InputSourceKind, ModuleDetail, OutputDetail};
use serde_json::{Map, Value};

use super::{module_summary, schedule_number};
use crate::datatypes::output_datatype;
use crate::engine::{Engine, is_computed};
use crate::error::StoreError;
use crate::status::read_history;

/// Everything `status MODULE` shows; `history` adds the execution history.
pub fn module_detail(
    engine: &Engine<'_>,
    module: &ModuleConfig,
    history: bool,
) -> Result<ModuleDetail, StoreError> {
    let summary = module_summary(engine, module, schedule_number(engine, &module.name))?;
    let mut inputs = Vec::new();
    for (input, conns) in &module.inputs {
        for conn in conns {
            let Some(prev) = engine.pipeline.module(&conn.module) else {
                continue;
            };
            let output = engine.resolve_output(prev, conn.output.as_deref()).ok();
            let state = output.as_deref().map(|o| engine.output_state(prev, o));
            let source = if prev.executable {
                InputSourceKind::Executable
            } else if is_computed(prev) {
                InputSourceKind::Filter
            } else {
                InputSourceKind::PipelineInput
            };
            inputs.push(InputDetail {
                name: input.clone(),
                from_module: prev.name.clone(),
                from_output: conn.output.clone(),
                datatype: datatype_name(engine, &prev.name, output.as_deref()),
                ready: engine.missing_for_input(module, input, &[], &[]).is_empty()
                    && state.as_ref().is_some_and(|s| s.is_ready()),
                source,
                location: state.and_then(|s| s.dir().map(|d| d.display().to_string())),
            });
        }
    }
    let outputs = module
        .outputs
        .iter()
        .map(|output| {
            let state = engine.output_state(module, output);
            OutputDetail {
                name: output.clone(),
                datatype: datatype_name(engine, &module.name, Some(output)),
                ready: state.is_ready(),
                location: state.dir().map(|d| d.display().to_string()),
                filter: is_computed(module),
            }
        })
        .collect();
    let options: Map<String, Value> = module
        .options
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let modvars: Map<String, Value> = module
        .modvars
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                serde_json::to_value(v).expect("modvars serialise"),
            )
        })
        .collect();
    Ok(ModuleDetail {
        summary,
        docstring: module.docstring.clone(),
        type_string: module.type_string.clone(),
        inputs,
        outputs,
        options,
        modvars,
        module_dir: engine
            .stores
            .find_module_dir(&module.name)
            .map(|(_, dir)| dir.display().to_string()),
        history: if history {
            Some(read_history(engine.stores, &module.name)?)
        } else {
            None
        },
    })
}

fn datatype_name(engine: &Engine<'_>, module: &str, output: Option<&str>) -> String {
    let datatypes = engine.registry.datatypes();
    match output_datatype(engine.pipeline, datatypes, module, output) {
        Ok(Some(datatype)) => datatypes.display_name(&datatype),
        _ => "unknown".to_string(),
    }
}
