//! `run`: check, then execute modules, each in a child process.

use std::io::IsTerminal;

use clap::Args;
use pimlico_core::engine::{RunOptions, Supervisor, run_modules};
use pimlico_core::exec::LocalExecutor;
use pimlico_core::status::last_error_log;
use tokio::signal::unix::{SignalKind, signal};
use tokio_util::sync::CancellationToken;

use super::Context;
use super::log::{info, warn};
use super::sink::CliSink;

/// Arguments of `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Modules to run (names, numbers, `A...B` ranges, base names of expanded modules). If
    /// none, the next incomplete module with all its inputs ready.
    pub modules: Vec<String>,
    /// Run modules even if they have already completed.
    #[arg(short = 'f', long)]
    pub force_rerun: bool,
    /// Also run the given modules' unexecuted dependencies, first.
    #[arg(short = 'a', long)]
    pub all_deps: bool,
    /// Run every module that can run now, or once the earlier ones have.
    #[arg(long)]
    pub all: bool,
    /// Only run the checks.
    #[arg(long, visible_aliases = ["dry", "check"])]
    pub dry_run: bool,
    /// Stop at the first module that fails (and print its error log).
    #[arg(long)]
    pub exit_on_error: bool,
    /// Print the last error log of the given modules instead of running them.
    #[arg(short = 'e', long)]
    pub last_error: bool,
}

/// Runs the command.
pub fn run(ctx: &Context, args: &RunArgs) -> i32 {
    if args.dry_run {
        info("DRY RUN");
        info("Running all pre-execution checks, but not executing any modules");
    }
    if !ctx.interactive {
        info(
            "NON-INTERACTIVE MODE: dynamic output like progress bars will be skipped in many cases",
        );
    }
    let modules = if args.all || args.modules.is_empty() {
        Vec::new()
    } else {
        match ctx.modules(&args.modules) {
            Ok(modules) => modules,
            Err(code) => return code,
        }
    };
    if args.last_error {
        return print_last_errors(ctx, &modules);
    }
    if args.all && !args.modules.is_empty() {
        warn("Ignoring modules specified and running all that can be run");
    }
    let options = RunOptions {
        modules,
        all: args.all,
        all_deps: args.all_deps && !args.all,
        force_rerun: args.force_rerun,
        dry_run: args.dry_run,
        exit_on_error: args.exit_on_error,
    };
    let program = match std::env::current_exe() {
        Ok(program) => program,
        Err(e) => {
            eprintln!(
                "Error running modules: cannot find the pimlico executable to run modules with: {e}"
            );
            return 1;
        }
    };
    let supervisor = Supervisor {
        engine: ctx.engine(),
        executor: &LocalExecutor,
        program,
        load: ctx.load.clone(),
        debug: ctx.debug,
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("Error running modules: could not start the runtime: {e}");
            return 1;
        }
    };
    let progress = ctx.interactive && std::io::stderr().is_terminal();
    let mut sink = CliSink::new(ctx.debug, progress);
    let result = runtime.block_on(async {
        let cancel = CancellationToken::new();
        // Registered before anything runs, so an early Ctrl-C is not lost.
        match signal(SignalKind::interrupt()) {
            Ok(mut interrupt) => {
                let on_interrupt = cancel.clone();
                tokio::spawn(async move {
                    if interrupt.recv().await.is_some() {
                        on_interrupt.cancel();
                    }
                });
            }
            Err(e) => warn(&format!("Ctrl-C will not stop modules cleanly: {e}")),
        }
        run_modules(&supervisor, &options, &mut sink, cancel).await
    });
    match result {
        Err(e) => {
            eprintln!("{}", e.cli_message());
            1
        }
        Ok(summary) => {
            if summary.halted {
                eprintln!("Exiting before execution completed due to user interrupt");
            } else if args.dry_run {
                info("All checks were successful. Modules are ready to run");
            }
            summary.exit_code()
        }
    }
}

fn print_last_errors(ctx: &Context, modules: &[String]) -> i32 {
    for module in modules {
        let dir = ctx.stores.read_module_dir(module);
        match last_error_log(&dir) {
            Ok(Some(path)) => {
                info(&format!(
                    "Outputting error log for {module} from {}",
                    path.display()
                ));
                match std::fs::read_to_string(&path) {
                    Ok(text) => println!("{text}"),
                    Err(e) => eprintln!("Error reading {}: {e}", path.display()),
                }
            }
            Ok(None) => info(&format!("No error logs found for module {module}")),
            Err(e) => eprintln!("Error: {e}"),
        }
    }
    0
}
