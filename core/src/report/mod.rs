//! Status reports (`status`, `status MODULE`, `--json`) as the wire types of `pimlico-proto`,
//! so that the CLI and the daemon show exactly the same information.

mod detail;
mod headings;

pub use detail::module_detail;
pub use headings::heading_tree;

use pimlico_config::ModuleConfig;
use pimlico_proto::{InputReadiness, ModuleSummary, OutputReadiness, PipelineStatus};

use crate::engine::Engine;
use crate::error::StoreError;
use crate::lock;

/// The status of the execution schedule (or, with `all`, of every module).
pub fn pipeline_status(engine: &Engine<'_>, all: bool) -> Result<PipelineStatus, StoreError> {
    let pipeline = engine.pipeline;
    let mut modules = Vec::new();
    let mut number = 0;
    for module in &pipeline.modules {
        if module.executable {
            number += 1;
        } else if !all {
            continue;
        }
        let n = module.executable.then_some(number);
        modules.push(module_summary(engine, module, n)?);
    }
    let listed: Vec<String> = modules.iter().map(|m| m.name.clone()).collect();
    let mut variants = vec!["main".to_string()];
    variants.extend(pipeline.variants.iter().cloned());
    Ok(PipelineStatus {
        pipeline: pipeline.name.clone(),
        variant: pipeline.variant.clone(),
        variants,
        modules,
        headings: heading_tree(&pipeline.headings, &listed),
    })
}

/// One module's short status; `number` is its place in the schedule.
pub fn module_summary(
    engine: &Engine<'_>,
    module: &ModuleConfig,
    number: Option<usize>,
) -> Result<ModuleSummary, StoreError> {
    let status = if module.executable {
        let dir = engine.stores.output_module_dir(&module.name);
        match crate::exec::slurm::queued_job(&dir) {
            Some(_) => crate::exec::slurm::QUEUED.to_string(),
            None => engine.status(&module.name)?,
        }
    } else {
        "not executable".to_string()
    };
    let inputs = module
        .inputs
        .keys()
        .map(|input| InputReadiness {
            name: input.clone(),
            ready: engine.input_ready(module, input),
        })
        .collect();
    let outputs = module
        .outputs
        .iter()
        .map(|output| OutputReadiness {
            name: output.clone(),
            ready: engine.output_state(module, output).is_ready(),
        })
        .collect();
    let lock = lock::inspect(engine.stores, &module.name)?.map(|info| info.to_proto());
    Ok(ModuleSummary {
        number,
        name: module.name.clone(),
        type_name: module.type_name.clone(),
        executable: module.executable,
        status,
        inputs,
        outputs,
        inputs_ready: engine.all_inputs_ready(module),
        lock,
        unavailable: module.unavailable.clone(),
    })
}

/// The schedule number of a module (1-based), if it is executable.
pub fn schedule_number(engine: &Engine<'_>, module: &str) -> Option<usize> {
    engine
        .pipeline
        .schedule()
        .position(|m| m.name == module)
        .map(|i| i + 1)
}
