//! Serving: the accept loop (plain TCP or TLS), and the bounded graceful shutdown.
//!
//! On shutdown the listener is closed first. Runs are cancelled at once (their module
//! processes are killed and the halt is recorded), except that a module running on Slurm is
//! left running: its job goes on and is followed again when the daemon restarts. Connections
//! get the deadline to finish what they are sending or receiving; those still open after it
//! are cut, which removes the staging slot of an unfinished upload and leaves the module's data
//! as it was. Pulls get the same deadline.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;

use crate::router::router;
use crate::state::AppState;

/// Serves the API on `listener` until `shutdown` completes, then shuts down gracefully.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Slurm jobs an earlier daemon left running are followed again (in the background).
    crate::runs::reattach(&state);
    let app = router(state.clone());
    let tls = state.tls().cloned().map(TlsAcceptor::from);
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (tcp, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let watcher = graceful.watcher();
                let app = app.clone();
                let tls = tls.clone();
                connections.spawn(async move {
                    serve_connection(tcp, peer, tls, app, watcher).await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tracing::info!("shutting down: no new connections; cancelling runs");
    state.shutdown_token().cancel();
    let deadline = state.options().shutdown_deadline;
    let drained = tokio::time::timeout(deadline, async {
        graceful.shutdown().await;
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = connections.len(),
            "connections still open after the shutdown deadline; closing them"
        );
        connections.shutdown().await;
    }
    state.tasks().close();
    state.tasks().wait().await;
    tracing::info!("shut down");
    Ok(())
}

async fn serve_connection(
    tcp: TcpStream,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
    app: axum::Router,
    watcher: hyper_util::server::graceful::Watcher,
) {
    let _ = tcp.set_nodelay(true);
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(request)
    });
    let builder = auto::Builder::new(TokioExecutor::new());
    let result = match tls {
        None => {
            let conn = builder.serve_connection_with_upgrades(TokioIo::new(tcp), service);
            watcher.watch(conn.into_owned()).await
        }
        Some(acceptor) => match acceptor.accept(tcp).await {
            Ok(stream) => {
                let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
                watcher.watch(conn.into_owned()).await
            }
            Err(e) => {
                tracing::debug!(%peer, error = %e, "TLS handshake failed");
                return;
            }
        },
    };
    if let Err(e) = result {
        tracing::debug!(%peer, error = %e, "connection ended with an error");
    }
}
