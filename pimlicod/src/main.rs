//! The `pimlicod` binary: parses arguments, starts tracing, binds, tells systemd it is ready,
//! and hands over to the library. It also runs modules: the daemon re-executes itself as
//! `pimlicod internal-exec ...` for each.
#![forbid(unsafe_code)]

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::Path;

use anyhow::Context;
use clap::Parser;
use pimlico_core::engine::child::{INTERNAL_EXEC, internal_exec_main};
use pimlicod::cli::Args;
use pimlicod::notify::Notifier;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

fn main() -> anyhow::Result<()> {
    let args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == INTERNAL_EXEC) {
        let code = internal_exec_main(&args[2..], &pimlico_client::registry::registry());
        std::process::exit(code);
    }
    let args = Args::parse_from(args);
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                // Colour codes only for people: journald and log files get plain text.
                .with_ansi(std::io::stderr().is_terminal()),
        )
        .with(EnvFilter::try_from_default_env().unwrap_or_else(|_| "pimlicod=info".into()))
        .init();
    let notifier = Notifier::from_env()?;
    let settings = args.settings()?;
    let program = std::env::current_exe().context("finding the pimlicod executable")?;
    let state = settings.build_state(program)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the runtime")?;
    runtime.block_on(async {
        // Registered before systemd hears "ready", so a stop right after start is graceful.
        let stop = shutdown_signal()?;
        let listen = settings.listen();
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("binding {listen}"))?;
        let bound = listener.local_addr().context("reading the bound address")?;
        settings.check_exposure(bound, state.auth().enabled())?;
        if let Some(path) = &args.port_file {
            write_port_file(path, &bound.to_string())?;
        }
        let scheme = if state.tls().is_some() {
            "https"
        } else {
            "http"
        };
        pimlicod::reclaim::reclaim_staging(&state).await;
        tracing::info!(address = %bound, "listening on {scheme}://{bound}");
        // Bound means ready: connections made from now on wait in the backlog until served.
        if let Err(e) = notifier.ready(&format!("listening on {scheme}://{bound}")) {
            tracing::error!(error = %e, "could not tell systemd the daemon is ready");
        }
        let shutdown = async move {
            stop.await;
            if let Err(e) = notifier.stopping() {
                tracing::warn!(error = %e, "could not tell systemd the daemon is stopping");
            }
        };
        pimlicod::serve(listener, state, shutdown).await?;
        Ok(())
    })
}

/// Writes the bound address so that a reader never sees a partial file: scripts poll for it.
fn write_port_file(path: &Path, address: &str) -> anyhow::Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(format!(".{}.partial", std::process::id()));
    std::fs::write(&partial, address)
        .with_context(|| format!("writing {}", Path::new(&partial).display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("writing {}", path.display()))
}

/// Registers SIGINT and SIGTERM handlers now; the future completes when either arrives.
fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    let mut int = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM received"),
            _ = int.recv() => tracing::info!("SIGINT received"),
        }
    })
}
