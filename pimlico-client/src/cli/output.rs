//! `output`: where a module's output is written (always the output store).

use super::Context;
use super::inputs::ModuleArg;

/// Runs the command.
pub fn run(ctx: &Context, args: &ModuleArg) -> i32 {
    let module = match ctx.module(&args.module) {
        Ok(module) => module,
        Err(code) => return code,
    };
    println!(
        "Output location for module '{}': {}",
        args.module,
        ctx.stores.output_module_dir(&module.name).display()
    );
    0
}
