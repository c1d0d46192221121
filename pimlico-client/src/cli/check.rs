//! `check`: load and typecheck the pipeline; list modules whose type is unavailable here.

use super::Context;

/// Runs the command (loading and the typecheck already happened to build the context).
pub fn run(ctx: &Context) -> i32 {
    let pipeline = &ctx.pipeline;
    for module in &pipeline.modules {
        if let Some(reason) = &module.unavailable {
            println!(
                "Warning: module '{}' cannot run here: {reason}",
                module.name
            );
        }
    }
    println!(
        "Pipeline '{}' (variant '{}') loaded and checked: {} modules, {} in the execution schedule",
        pipeline.name,
        pipeline.variant,
        pipeline.modules.len(),
        pipeline.schedule().count()
    );
    0
}
