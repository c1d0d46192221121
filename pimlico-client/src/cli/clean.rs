//! `clean`: remove store directories that belong to no module of this variant.

use clap::Args;
use pimlico_core::ops::{clean_candidates, remove_dirs};

use super::Context;
use super::prompt::confirm;

/// Arguments of `clean`.
#[derive(Debug, Args)]
pub struct CleanArgs {
    /// Remove them without asking.
    #[arg(short = 'y', long)]
    pub yes: bool,
}

/// Runs the command.
pub fn run(ctx: &Context, args: &CleanArgs) -> i32 {
    let dirs = match clean_candidates(&ctx.engine()) {
        Ok(dirs) => dirs,
        Err(e) => {
            eprintln!("Error: {e}");
            return 1;
        }
    };
    if dirs.is_empty() {
        println!("Found no directories to clean");
        return 0;
    }
    println!("Directories that do not seem to correspond to pipeline modules:");
    for dir in &dirs {
        println!(" - {}", dir.display());
    }
    println!();
    let go = if args.yes {
        true
    } else if ctx.interactive {
        confirm("Do you want to remove these directories? [y/N]: ")
    } else {
        println!(
            "Not removing anything: this is not an interactive session (use -y to remove them)"
        );
        return 1;
    };
    if !go {
        println!("Cancelled");
        return 0;
    }
    match remove_dirs(&dirs) {
        Ok(()) => {
            println!("All unnecessary data directories cleaned up");
            0
        }
        Err(e) => {
            eprintln!("Error: {e}");
            1
        }
    }
}
