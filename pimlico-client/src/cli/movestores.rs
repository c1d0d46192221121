//! `movestores`: move modules' directories to another store, never leaving one half moved.

use clap::Args;
use pimlico_core::store::{MoveOutcome, move_module};

use super::Context;

/// Arguments of `movestores`.
#[derive(Debug, Args)]
pub struct MovestoresArgs {
    /// The store to move to (a name from the `stores` command).
    pub dest: String,
    /// Modules to move (names, numbers, ranges); all modules when none are given.
    pub modules: Vec<String>,
}

/// Runs the command.
pub fn run(ctx: &Context, args: &MovestoresArgs) -> i32 {
    let Some(dest) = ctx.stores.by_name(&args.dest) else {
        let names: Vec<&str> = ctx.stores.all().iter().map(|s| s.name.as_str()).collect();
        eprintln!("No such store: {}", args.dest);
        eprintln!("Available store names: {}", names.join(", "));
        return 1;
    };
    let modules = if args.modules.is_empty() {
        ctx.pipeline
            .modules
            .iter()
            .map(|m| m.name.clone())
            .collect()
    } else {
        match ctx.modules(&args.modules) {
            Ok(modules) => modules,
            Err(code) => return code,
        }
    };
    println!(
        "Moving modules to store '{}': {}",
        dest.name,
        modules.join(", ")
    );
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("Error: could not start the runtime: {e}");
            return 1;
        }
    };
    let mut code = 0;
    for module in &modules {
        match runtime.block_on(move_module(&ctx.stores, module, dest)) {
            Ok(MoveOutcome::Moved {
                from_store,
                from,
                to,
            }) => println!(
                "Moved '{module}' from store '{from_store}' ({}) to {}",
                from.display(),
                to.display()
            ),
            Ok(MoveOutcome::AlreadyThere) => {
                println!(
                    "Skipping '{module}': its data is already in store '{}'",
                    dest.name
                )
            }
            Ok(MoveOutcome::NotFound) if args.modules.is_empty() => {}
            Ok(MoveOutcome::NotFound) => {
                eprintln!("Cannot move data for '{module}' as it wasn't found in any store");
                code = 1;
            }
            Err(e) => {
                eprintln!("Error: {e}");
                code = 1;
            }
        }
    }
    code
}
