//! The `pimlicod` binary: parses arguments, starts tracing, binds, and hands over to the library.
//! It also runs modules: the daemon re-executes itself as `pimlicod internal-exec ...` for each.
#![forbid(unsafe_code)]

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use pimlico_core::engine::child::{INTERNAL_EXEC, internal_exec_main};
use pimlicod::settings::Settings;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The Pimlico daemon: serves this server's pipeline stores over HTTP.
#[derive(Debug, Parser)]
#[command(name = "pimlicod", version, about)]
struct Args {
    /// Settings file (TOML); options given here override it.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:7878].
    #[arg(long, value_name = "ADDR")]
    listen: Option<String>,
    /// A pipeline config to serve (repeatable).
    #[arg(long = "pipeline", value_name = "CONF")]
    pipelines: Vec<PathBuf>,
    /// Local config file for every pipeline (else ~/.pimlico, as the CLI).
    #[arg(long, value_name = "FILE")]
    local_config: Option<PathBuf>,
    /// File holding the bearer token clients must send.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// PEM certificate chain: serve HTTPS.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key of the certificate.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Allow a non-loopback address without a token (trusted networks only).
    #[arg(long)]
    insecure_no_auth: bool,
    /// Write the bound address here once listening (for scripts that listen on port 0).
    #[arg(long, value_name = "FILE")]
    port_file: Option<PathBuf>,
    /// Where run logs are kept [default: $XDG_STATE_HOME/pimlicod].
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
    /// Runs executing at once [default: 1].
    #[arg(long, value_name = "N")]
    max_concurrent_runs: Option<usize>,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == INTERNAL_EXEC) {
        let code = internal_exec_main(&args[2..], &pimlico_client::registry::registry());
        std::process::exit(code);
    }
    let args = Args::parse_from(args);
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(EnvFilter::try_from_default_env().unwrap_or_else(|_| "pimlicod=info".into()))
        .init();
    let settings = merge(args.config.as_deref(), &args)?;
    let program = std::env::current_exe().context("finding the pimlicod executable")?;
    let state = settings.build_state(program)?;
    let runtime = tokio::runtime::Runtime::new().context("starting the runtime")?;
    runtime.block_on(async {
        let listen = settings.listen();
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("binding {listen}"))?;
        let bound = listener.local_addr().context("reading the bound address")?;
        settings.check_exposure(bound, state.auth().enabled())?;
        if let Some(path) = &args.port_file {
            std::fs::write(path, bound.to_string())
                .with_context(|| format!("writing {}", path.display()))?;
        }
        let scheme = if state.tls().is_some() {
            "https"
        } else {
            "http"
        };
        pimlicod::reclaim::reclaim_staging(&state).await;
        tracing::info!(address = %bound, "listening on {scheme}://{bound}");
        pimlicod::serve(listener, state, shutdown_signal()).await?;
        Ok(())
    })
}

fn merge(file: Option<&std::path::Path>, args: &Args) -> anyhow::Result<Settings> {
    let mut s = match file {
        Some(path) => Settings::from_file(path)?,
        None => Settings::default(),
    };
    s.pipelines.extend(args.pipelines.iter().cloned());
    let replace = |slot: &mut Option<PathBuf>, value: &Option<PathBuf>| {
        if value.is_some() {
            slot.clone_from(value);
        }
    };
    replace(&mut s.local_config, &args.local_config);
    replace(&mut s.token_file, &args.token_file);
    replace(&mut s.tls_cert, &args.tls_cert);
    replace(&mut s.tls_key, &args.tls_key);
    replace(&mut s.state_dir, &args.state_dir);
    if args.listen.is_some() {
        s.listen.clone_from(&args.listen);
    }
    s.insecure_no_auth |= args.insecure_no_auth;
    s.max_concurrent_runs = args.max_concurrent_runs.or(s.max_concurrent_runs);
    Ok(s)
}

/// Completes on SIGINT or SIGTERM; both are registered once, before anything waits on them.
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot listen for SIGTERM/SIGINT; stop the daemon with SIGKILL");
        return std::future::pending().await;
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM received"),
        _ = int.recv() => tracing::info!("SIGINT received"),
    }
}
