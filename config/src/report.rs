//! The module listing of a loaded pipeline as JSON, in the format of the original's probe
//! listings (`pimlico CONF modules --json`).

use serde_json::{Map, Value, json};

use crate::model::{ModVarValue, ModuleConfig, Pipeline};

fn modvar(v: &ModVarValue) -> Value {
    match v {
        ModVarValue::Str(s) => Value::String(s.clone()),
        ModVarValue::List(items) => json!(items),
    }
}

fn module(m: &ModuleConfig) -> Value {
    let inputs: Map<String, Value> = m
        .inputs
        .iter()
        .map(|(name, conns)| {
            let conns: Vec<Value> = conns.iter().map(|c| json!([c.module, c.output])).collect();
            (name.clone(), Value::Array(conns))
        })
        .collect();
    json!({
        "type": m.type_string,
        "type_name": m.type_name,
        "unavailable": m.unavailable,
        "inputs": inputs,
        "options": m.options,
        "modvars": m.modvars.iter().map(|(k, v)| (k.clone(), modvar(v))).collect::<Map<_, _>>(),
        "executable": m.executable,
    })
}

/// The JSON object describing one loaded variant:
///
/// `pipeline` (name), `variant`, `variants` (`main` first, then the others in order),
/// `order` (expanded module names), `schedule` (executable modules, as `status` numbers them),
/// `aliases`, `pipeline_config`, and `modules`: per module `type` (the type string), `type_name`,
/// `unavailable` (the reason, or null), `inputs` (input name to `[module, output or null]`
/// pairs), `options`, `modvars` and `executable`.
pub fn variant_report(pipeline: &Pipeline) -> Value {
    let variants: Vec<&str> = std::iter::once("main")
        .chain(pipeline.variants.iter().map(String::as_str))
        .collect();
    let modules: Map<String, Value> = pipeline
        .modules
        .iter()
        .map(|m| (m.name.clone(), module(m)))
        .collect();
    json!({
        "pipeline": pipeline.name,
        "variant": pipeline.variant,
        "variants": variants,
        "order": pipeline.modules.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
        "schedule": pipeline.schedule().map(|m| m.name.as_str()).collect::<Vec<_>>(),
        "aliases": pipeline.aliases,
        "pipeline_config": pipeline.pipeline_config,
        "modules": modules,
    })
}
