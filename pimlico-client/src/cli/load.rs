//! `load`: put modules' data from dump files (made by `dump` here or by the original Pimlico)
//! into the output store. Each file is checked against the pipeline, extracted into the staging
//! area and swapped into place, so a failure or a kill leaves the previous data as it was. One
//! bad file does not stop the others.

use std::path::{Path, PathBuf};

use clap::Args;
use pimlico_core::archive::{
    ArchiveError, CleanupOptions, DEFAULT_RESUMABLE_MAX_AGE, Installed, cleanup_stale_staging_with,
    read_metadata_file,
};
use pimlico_core::ops::{LoadError, LoadPlan, load_into_store, plan_load};
use pimlico_core::transfer::resume_max_age;
use tokio::runtime::Runtime;

use super::Context;
use super::prompt::confirm;

/// Arguments of `load`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Dump files to load (.tar.gz, .tar.zst or .tar: the format is read from the content).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Replace a module's existing data without asking.
    #[arg(short = 'f', long)]
    pub force_overwrite: bool,
}

/// Runs the command.
pub fn run(ctx: &Context, args: &LoadArgs) -> i32 {
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
    clean_staging(ctx, &runtime);
    let mut failed: Vec<String> = Vec::new();
    for path in &args.paths {
        let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        if !load_one(ctx, &runtime, &path, args.force_overwrite) {
            failed.push(path.display().to_string());
        }
    }
    if failed.is_empty() {
        return 0;
    }
    eprintln!(
        "Error: {} of {} dumps were not loaded: {}",
        failed.len(),
        args.paths.len(),
        failed.join(", ")
    );
    1
}

/// Removes what killed loads left in the output store's staging area, and resumable transfer
/// slots idle for longer than the local config's `resume_max_age_hours` (a week by default).
fn clean_staging(ctx: &Context, runtime: &Runtime) {
    let variant_root = &ctx.stores.output().path;
    let resumable_max_age = match resume_max_age(&ctx.pipeline) {
        Ok(age) => age,
        Err(e) => {
            eprintln!("Warning: {e}; keeping resumable transfers for a week");
            DEFAULT_RESUMABLE_MAX_AGE
        }
    };
    let options = CleanupOptions { resumable_max_age };
    match runtime.block_on(cleanup_stale_staging_with(variant_root, options)) {
        Ok(report) => {
            for dir in &report.restored {
                println!(
                    "Restored module data left aside by an interrupted load: {}",
                    dir.display()
                );
            }
            for dir in &report.removed {
                println!(
                    "Removed data left by an interrupted load: {}",
                    dir.display()
                );
            }
        }
        Err(e) => eprintln!("Warning: could not clean up the staging area: {e}"),
    }
}

/// Loads one dump, printing what happens; returns whether its data was installed.
fn load_one(ctx: &Context, runtime: &Runtime, path: &Path, force: bool) -> bool {
    if path.is_dir() {
        eprintln!("Error: {} is a directory, not a dump file", path.display());
        return false;
    }
    let metadata = match runtime.block_on(read_metadata_file(path)) {
        Ok(metadata) => metadata,
        Err(e @ ArchiveError::Io { .. }) => {
            eprintln!("Error: {e}");
            return false;
        }
        Err(e) => {
            eprintln!("Error: cannot load {}: {e}", path.display());
            return false;
        }
    };
    println!(
        "== Loading data for '{}' from {} ==",
        metadata.module_name,
        path.display()
    );
    let plan = match plan_load(&ctx.pipeline, &ctx.stores, metadata) {
        Ok(plan) => plan,
        Err(e @ LoadError::VariantMismatch { .. }) => {
            eprintln!("Error: {e}. Load the correct variant with '-v'");
            return false;
        }
        Err(e) => {
            eprintln!("Error: {e}");
            return false;
        }
    };
    if plan.module != plan.metadata.module_name {
        println!(
            "'{}' is an alias of module '{}' in this pipeline",
            plan.metadata.module_name, plan.module
        );
    }
    println!("Extracting module data to {}", plan.target.display());
    if let Some(lock) = &plan.stale_lock {
        println!(
            "Module '{}' has a lock left by a process that is gone ({}); it is replaced with the \
             module's data",
            plan.module,
            lock.describe()
        );
    }
    if !plan.existing.is_empty() && !may_overwrite(ctx, &plan, force) {
        return false;
    }
    let file = match runtime.block_on(tokio::fs::File::open(path)) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("Error: cannot open {}: {e}", path.display());
            return false;
        }
    };
    // Replacing is allowed where it was agreed to; a directory that appears in the output store
    // while the dump is extracted is not replaced without -f.
    let overwrite = force || plan.replaces_output();
    match runtime.block_on(load_into_store(&ctx.stores, &plan, file, overwrite)) {
        Ok(loaded) => {
            if loaded.installed == Installed::Replaced {
                println!("Replaced the previous data");
            }
            for (store, dir) in plan.shadowed() {
                println!(
                    "Note: module '{}' also has data in store '{store}' ({}), left as it was; the \
                     loaded data in the output store is used instead of it",
                    plan.module,
                    dir.display()
                );
            }
            println!("Data loaded");
            true
        }
        Err(e) => {
            eprintln!("Error: loading {} failed: {e}", path.display());
            if !plan.existing.is_empty() {
                eprintln!("The previous data of '{}' is unchanged", plan.module);
            }
            false
        }
    }
}

/// Whether the module's existing data may be replaced (in the output store) or shadowed (in
/// another store): `-f`, or a yes to the question. Without a terminal nothing is asked and the
/// answer is no.
fn may_overwrite(ctx: &Context, plan: &LoadPlan, force: bool) -> bool {
    let replaces = plan.replaces_output();
    for (store, dir) in plan.shadowed() {
        println!(
            "Module '{}' already has data in store '{store}': {}",
            plan.module,
            dir.display()
        );
    }
    if !replaces {
        println!(
            "The loaded data goes to the output store, where it is used instead of that copy \
             (which is left as it is)"
        );
    }
    if force {
        return true;
    }
    if !ctx.interactive {
        eprintln!(
            "Error: not loading '{}': it already has data, and this is not an interactive \
             session to ask whether to {}. Use -f to load it anyway",
            plan.module,
            if replaces { "overwrite it" } else { "load it" }
        );
        return false;
    }
    let question = if replaces {
        "Module output dir already exists. Overwrite? [y/N] "
    } else {
        "Load it anyway? [y/N] "
    };
    if confirm(question) {
        true
    } else {
        println!("Skipping {}", plan.module);
        false
    }
}
