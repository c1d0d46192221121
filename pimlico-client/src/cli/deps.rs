//! `deps`: software dependencies of modules and whether they are installed.

use clap::Args;
use pimlico_core::ops::dependency_report;
use pimlico_core::text::{capitalize, title_box};

use super::Context;

/// Arguments of `deps`.
#[derive(Debug, Args)]
pub struct DepsArgs {
    /// Modules to check (names, numbers, ranges); all (or `all`) when none are given.
    pub modules: Vec<String>,
}

/// Runs the command.
pub fn run(ctx: &Context, args: &DepsArgs) -> i32 {
    let modules = if args.modules.is_empty() || args.modules.iter().any(|m| m == "all") {
        Vec::new()
    } else {
        match ctx.modules(&args.modules) {
            Ok(modules) => modules,
            Err(code) => return code,
        }
    };
    let report = dependency_report(&ctx.engine(), &modules);
    if report.dependencies.is_empty() {
        println!("No software dependencies to check");
    }
    for dep in &report.dependencies {
        println!();
        println!("{}", title_box(&capitalize(&dep.name)));
        if dep.available {
            println!("Installed");
            println!("Version: {}", dep.version.as_deref().unwrap_or("unknown"));
        } else {
            for problem in &dep.problems {
                println!(" - {problem}");
            }
            println!("Cannot be automatically installed");
            println!("{}", dep.instructions);
        }
    }
    for note in &report.notes {
        println!("\nNote: {note}");
    }
    i32::from(report.dependencies.iter().any(|d| !d.available))
}
