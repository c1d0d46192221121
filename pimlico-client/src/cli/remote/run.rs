//! `--server S run MODULES`: queue a run on the daemon, print its log as it runs, and exit
//! as the local command would (0 when everything completed, 1 otherwise).

use std::io::{IsTerminal, Write};

use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use pimlico_proto::{RunInfo, RunRequest, RunState};

use super::super::run::RunArgs;
use super::{Context, block_on, connect, target};

/// Runs modules on a daemon.
pub fn run(ctx: &Context, server: &str, args: &RunArgs) -> i32 {
    if args.last_error {
        eprintln!(
            "Error: --last-error is not available with --server; see `--server {server} logs`"
        );
        return 1;
    }
    if args.modules.is_empty() && !args.all {
        eprintln!("Error: name the modules to run on {server}, or use --all");
        return 1;
    }
    if args.all && !args.modules.is_empty() {
        eprintln!(
            "Warning: ignoring modules specified and running all that can be run on {server}"
        );
    }
    let modules = if args.all {
        Vec::new()
    } else {
        match ctx.modules(&args.modules) {
            Ok(m) => m,
            Err(code) => return code,
        }
    };
    let (client, _) = match connect(server) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let (pipeline, variant) = target(ctx);
    let request = RunRequest {
        modules,
        force_rerun: args.force_rerun,
        all_deps: args.all_deps,
        exit_on_error: args.exit_on_error,
        all: args.all,
        dry_run: args.dry_run,
    };
    let show = ctx.interactive && std::io::stderr().is_terminal();
    let result = block_on(async {
        let started = client
            .start_run(&pipeline, &variant, &request)
            .await
            .map_err(|e| e.to_string())?;
        eprintln!("Run {} queued on {server}", started.id);
        let spinner = show.then(|| {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar.set_message(format!("run {} on {server}", started.id));
            bar
        });
        let mut log = client
            .run_logs(&started.id, true)
            .await
            .map_err(|e| e.to_string())?;
        while let Some(chunk) = log.next().await {
            let chunk = chunk.map_err(|e| format!("reading the run's log: {e}"))?;
            let print = || {
                let _ = std::io::stdout().write_all(&chunk);
                let _ = std::io::stdout().flush();
            };
            match &spinner {
                Some(bar) => bar.suspend(print),
                None => print(),
            }
        }
        if let Some(bar) = spinner {
            bar.finish_and_clear();
        }
        client
            .run_to_end(&started.id)
            .await
            .map_err(|e| e.to_string())
    });
    match result {
        Err(code) => code,
        Ok(Err(e)) => {
            eprintln!("Error: {e}");
            1
        }
        Ok(Ok(info)) => finish(&info),
    }
}

fn finish(info: &RunInfo) -> i32 {
    if let Some(error) = &info.error {
        eprintln!("Run {} ended {:?}: {error}", info.id, info.state);
    }
    match info.state {
        RunState::Succeeded => 0,
        RunState::Cancelled => 130,
        _ => 1,
    }
}
