//! `dump`: write modules' data to `<DIR>/<module>.tar.gz` (or `.tar.zst`, `.tar`) for `load`
//! on another machine, with the original's messages.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use pimlico_core::archive::{Compression, CompressionKind, DumpOptions, dump_file_name};
use pimlico_core::ops::{dump_to_dir, find_dump_source, input_source_modules};
use pimlico_core::status::statuses::COMPLETE;

use super::Context;

/// Arguments of `dump`.
#[derive(Debug, Args)]
pub struct DumpArgs {
    /// Modules whose data to dump (names, numbers, ranges); one file per module.
    #[arg(required = true)]
    pub modules: Vec<String>,
    /// Directory to write the dumps to (created if missing). Defaults to your home directory.
    #[arg(short = 'o', long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Dump the modules whose data feeds the named modules' inputs (through filters and
    /// views), instead of the named modules.
    #[arg(short = 'i', long)]
    pub inputs: bool,
    /// Dump modules even while they are locked by a running execution.
    #[arg(long)]
    pub force: bool,
    /// Compression: gzip (.tar.gz, readable by the original Pimlico), zstd (.tar.zst) or none
    /// (.tar).
    #[arg(long, value_enum, default_value_t = CompressionArg::Gzip)]
    pub compression: CompressionArg,
}

/// `--compression` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompressionArg {
    /// gzip, the original's format.
    Gzip,
    /// Zstandard: faster and smaller; the original cannot read it.
    Zstd,
    /// An uncompressed tar, for data that is already compressed.
    None,
}

impl From<CompressionArg> for CompressionKind {
    fn from(arg: CompressionArg) -> Self {
        match arg {
            CompressionArg::Gzip => CompressionKind::Gzip,
            CompressionArg::Zstd => CompressionKind::Zstd,
            CompressionArg::None => CompressionKind::None,
        }
    }
}

/// Runs the command.
pub fn run(ctx: &Context, args: &DumpArgs) -> i32 {
    let named = match ctx.modules(&args.modules) {
        Ok(modules) => dedup(modules),
        Err(code) => return code,
    };
    let Some(output_dir) = output_dir(args.output.as_deref()) else {
        eprintln!("Error: cannot find your home directory; give the output directory with -o");
        return 1;
    };
    let modules = if args.inputs {
        let sources = input_source_modules(&ctx.pipeline, &named);
        println!("Dumping data for inputs to {}", named.join(", "));
        if !sources.unstored.is_empty() {
            println!(
                "Not dumped, since their data is not kept in a store: {}",
                sources.unstored.join(", ")
            );
        }
        println!("Modules: {}\n", sources.stored.join(", "));
        sources.stored
    } else {
        named
    };
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
    let options = DumpOptions {
        compression: Compression::default_for(args.compression.into()),
        ..DumpOptions::default()
    };
    let mut failed = 0;
    for module in &modules {
        if !dump_one(ctx, &runtime, module, &output_dir, &options, args.force) {
            failed += 1;
        }
    }
    if failed > 0 {
        eprintln!(
            "Error: {failed} of {} modules were not dumped",
            modules.len()
        );
        return 1;
    }
    0
}

/// Dumps one module, printing what happens; returns whether a dump was written.
fn dump_one(
    ctx: &Context,
    runtime: &tokio::runtime::Runtime,
    module: &str,
    output_dir: &Path,
    options: &DumpOptions,
    force: bool,
) -> bool {
    println!("== Dumping data for '{module}' ==");
    let source = match find_dump_source(&ctx.stores, module, force) {
        Ok(Some(source)) => source,
        Ok(None) => {
            println!("Could not find any output data for module '{module}'. Not dumping anything");
            return false;
        }
        Err(e) => {
            eprintln!("Error: {e}\n");
            return false;
        }
    };
    println!("Data found in {} store", source.store);
    if let Some(lock) = source.lock.as_ref().filter(|l| !l.stale) {
        println!(
            "Warning: module '{module}' is locked ({}); dumping it anyway (--force), but its data \
             may be incomplete",
            lock.describe()
        );
    }
    match ctx.engine().status(module) {
        Ok(status) if status != COMPLETE => {
            println!("Warning: module '{module}' has status {status}; dumping its data as it is")
        }
        _ => {}
    }
    let file_name = match dump_file_name(module, options.compression.kind()) {
        Ok(name) => name,
        Err(e) => {
            eprintln!("Error: cannot dump '{module}': {e}\n");
            return false;
        }
    };
    println!("Dumping to {}\n", output_dir.join(file_name).display());
    match runtime.block_on(dump_to_dir(&ctx.pipeline, &source, output_dir, options)) {
        Ok(_) => true,
        Err(e) => {
            eprintln!("Error: {e}\n");
            false
        }
    }
}

/// `-o DIR` made absolute, or the home directory.
fn output_dir(output: Option<&Path>) -> Option<PathBuf> {
    let dir = match output {
        Some(dir) => dir.to_path_buf(),
        None => std::env::home_dir()?,
    };
    std::path::absolute(&dir).ok()
}

/// Drops repeated modules (`dump a 1` where 1 is `a`), keeping the first occurrence.
fn dedup(modules: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(modules.len());
    for module in modules {
        if !out.contains(&module) {
            out.push(module);
        }
    }
    out
}
