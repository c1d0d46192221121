//! `inputs`: where a module's inputs are read from, or looked for.

use clap::Args;
use pimlico_core::engine::OutputState;
use pimlico_core::ops::input_locations;

use super::Context;

/// A single module argument.
#[derive(Debug, Args)]
pub struct ModuleArg {
    /// The module (name or number).
    pub module: String,
}

/// Runs `inputs`.
pub fn run(ctx: &Context, args: &ModuleArg) -> i32 {
    println!("Input locations for module '{}'", args.module);
    let module = match ctx.module(&args.module) {
        Ok(module) => module,
        Err(code) => return code,
    };
    for input in input_locations(&ctx.engine(), module) {
        println!("\nInput '{}'", input.input);
        let multiple = input.sources.len() > 1;
        if multiple {
            println!("Multiple input sources: showing locations for all");
        }
        for (i, source) in input.sources.iter().enumerate() {
            if multiple {
                println!("## Input source {i} ##");
            }
            match &source.state {
                OutputState::Stored(dir) => {
                    println!("Data ({}) available in:", source.datatype);
                    println!(" - {}", dir.display());
                }
                OutputState::Computed => println!(
                    "Data ({}) available, but no directory given: perhaps a filter datatype",
                    source.datatype
                ),
                OutputState::Missing if source.candidates.is_empty() => println!(
                    "Data not available. No possible data locations available, perhaps a filter datatype"
                ),
                OutputState::Missing => {
                    println!(
                        "Data not available. Data will be found in any of the following locations:"
                    );
                    for dir in &source.candidates {
                        println!(" - {}", dir.display());
                    }
                }
            }
        }
    }
    0
}
