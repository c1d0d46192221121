//! `unlock`: remove a module's execution lock.

use clap::Args;
use pimlico_core::lock;

use super::Context;

/// Arguments of `unlock`.
#[derive(Debug, Args)]
pub struct UnlockArgs {
    /// The module (name or number).
    pub module: String,
}

/// Runs the command.
pub fn run(ctx: &Context, args: &UnlockArgs) -> i32 {
    let module = match ctx.module(&args.module) {
        Ok(module) => module.name.clone(),
        Err(code) => return code,
    };
    let info = match lock::inspect(&ctx.stores, &module) {
        Ok(info) => info,
        Err(e) => {
            eprintln!("Error: {e}");
            return 1;
        }
    };
    let Some(info) = info else {
        println!("Module '{module}' is not locked");
        return 0;
    };
    if info.record.is_some() && !info.stale {
        println!(
            "Warning: removing the lock of a module that may still be running ({})",
            info.describe()
        );
    }
    match lock::remove(&ctx.stores, &module) {
        Ok(_) => {
            println!("Module unlocked");
            0
        }
        Err(e) => {
            eprintln!("Error: {e}");
            1
        }
    }
}
