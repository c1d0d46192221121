//! `reset`: delete modules' output in every store (and, after asking, their dependents').

use clap::Args;
use pimlico_core::ops::{reset_module, resettable_dependents};

use super::Context;
use super::prompt::confirm;

/// Arguments of `reset`.
#[derive(Debug, Args)]
pub struct ResetArgs {
    /// Modules to reset (names, numbers, ranges), or `all`.
    pub modules: Vec<String>,
    /// Reset only these modules, not the executed modules that depend on them.
    #[arg(short = 'n', long)]
    pub no_deps: bool,
    /// Also reset executed dependent modules without asking.
    #[arg(short = 'f', long)]
    pub force_deps: bool,
}

/// Runs the command.
pub fn run(ctx: &Context, args: &ResetArgs) -> i32 {
    let engine = ctx.engine();
    let (modules, dependents) = if args.modules.iter().any(|m| m == "all") {
        println!("Resetting execution state of all modules");
        let all: Vec<String> = ctx
            .pipeline
            .modules
            .iter()
            .map(|m| m.name.clone())
            .collect();
        (all, Vec::new())
    } else {
        if args.modules.is_empty() {
            eprintln!("Error: name the modules to reset (or 'all')");
            return 1;
        }
        let modules = match ctx.modules(&args.modules) {
            Ok(modules) => modules,
            Err(code) => return code,
        };
        let dependents = if args.no_deps {
            Vec::new()
        } else {
            match resettable_dependents(&engine, &modules) {
                Ok(deps) => deps,
                Err(e) => {
                    eprintln!("Error: {e}");
                    return 1;
                }
            }
        };
        if !dependents.is_empty() {
            println!(
                "The following modules depend on {}. Their execution state will be reset too if you continue.",
                modules.join(", ")
            );
            println!("  {}", dependents.join(", "));
            if args.force_deps {
                println!("Resetting all");
            } else if !ctx.interactive {
                eprintln!(
                    "Error: not resetting anything: confirmation is needed but this is not an \
                     interactive session. Use -f to reset the dependent modules too, or -n to \
                     reset only {}",
                    modules.join(", ")
                );
                return 1;
            } else if !confirm("Do you want to continue? [y/N] ") {
                println!("Cancelled");
                return 0;
            }
        }
        (modules, dependents)
    };
    let mut code = 0;
    for module in modules.iter().chain(&dependents) {
        println!("Resetting execution state of module {module}");
        if let Err(e) = reset_module(&engine, module) {
            eprintln!("Error: {e}");
            code = 1;
        }
    }
    code
}
