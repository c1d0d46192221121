//! `modules`: the modules of the loaded variant.

use clap::Args;

use super::Context;

/// Arguments of `modules`.
#[derive(Debug, Args)]
pub struct ModulesArgs {
    /// Print the module list as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs the command.
pub fn run(ctx: &Context, args: &ModulesArgs) -> i32 {
    if args.json {
        let report = pimlico_config::report::variant_report(&ctx.pipeline);
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(e) => {
                eprintln!("Error: {e}");
                return 1;
            }
        }
        return 0;
    }
    for module in &ctx.pipeline.modules {
        let mut line = format!("{} ({})", module.name, module.type_name);
        if !module.executable {
            line.push_str(" not executable");
        }
        if let Some(reason) = &module.unavailable {
            line.push_str(&format!(" unavailable: {reason}"));
        }
        println!("{line}");
    }
    0
}
