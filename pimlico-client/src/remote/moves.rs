//! Moving one module with verification, incrementally and resumably, whichever way it goes:
//! a daemon or the CLI pulling from a daemon ([`pull_module`]), the CLI pushing to a daemon
//! ([`push_module`]), and the CLI relaying from one daemon to another ([`relay_module`]). The
//! receiving side always decides what travels: it compares the sender's manifest with what it
//! holds and asks for the rest; it checks every file against the manifest as it arrives.

use std::path::PathBuf;
use std::sync::Arc;

use futures::StreamExt;
use pimlico_core::manifest::module_manifest;
use pimlico_core::transfer::{
    Incoming, Progress, ReceiveOptions, Received, TransferError, find_module, send_stream,
    wire_compression,
};
use pimlico_proto::{DataCompression, PlanRequest, UploadResponse};
use tokio_util::io::StreamReader;

use super::client::Client;
use super::error::Error;

/// Why a move failed: the remote side (a request, an answer) or the data (a mismatch, the
/// local store).
#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    /// A request to a daemon failed or was refused.
    #[error(transparent)]
    Client(#[from] Error),
    /// Receiving, verifying or reading module data failed.
    #[error(transparent)]
    Transfer(#[from] TransferError),
}

/// What a push or relay did, as the receiving daemon reports it.
pub type Moved = UploadResponse;

/// Pulls `options.module` from `client` into the stores of `options`: fetches the manifest,
/// asks only for what is missing (or not yet received by an earlier attempt), verifies every
/// file, and installs the complete module atomically.
pub async fn pull_module(
    client: &Client,
    options: ReceiveOptions,
    compression: DataCompression,
    progress: Option<Arc<Progress>>,
) -> Result<Received, MoveError> {
    let (p, v, m) = (
        options.pipeline.clone(),
        options.variant.clone(),
        options.module.clone(),
    );
    // Each step's time in the debug log: where a slow pull spends it.
    let started = std::time::Instant::now();
    let manifest = client.manifest(&p, &v, &m).await?.manifest;
    let files = manifest.files.len();
    tracing::debug!(module = m, files, elapsed = ?started.elapsed(), "pull: manifest fetched");
    let mut incoming = Incoming::open(options, manifest).await?;
    let needed = incoming.needed().len();
    tracing::debug!(module = m, needed, elapsed = ?started.elapsed(), "pull: planned");
    if needed > 0 {
        let whole = if incoming.needs_everything() {
            let whole = client.download_all_files(&p, &v, &m, compression).await?;
            // A daemon that knows `all` announces no totals; an older one ignores it, sends
            // an empty selection with its totals, and is asked again with the list.
            whole.files.is_none().then_some(whole)
        } else {
            None
        };
        tracing::debug!(module = m, elapsed = ?started.elapsed(), "pull: data requested");
        if let Some(whole) = whole {
            incoming
                .receive_whole(StreamReader::new(whole.body), progress)
                .await?;
        } else {
            let listed = client
                .download_files(&p, &v, &m, incoming.needed(), compression)
                .await?;
            incoming
                .receive(StreamReader::new(listed.body), progress)
                .await?;
        }
        tracing::debug!(module = m, elapsed = ?started.elapsed(), "pull: data received");
    }
    let received = incoming.install().await?;
    tracing::debug!(module = m, elapsed = ?started.elapsed(), "pull: installed");
    Ok(received)
}

/// What [`push_module`] sends where.
#[derive(Debug, Clone)]
pub struct PushSource<'a> {
    /// The local stores' variant roots, output store first.
    pub variant_roots: &'a [PathBuf],
    /// Pipeline name.
    pub pipeline: &'a str,
    /// Variant.
    pub variant: &'a str,
    /// Module.
    pub module: &'a str,
}

/// Pushes a module from the local stores to `client`: sends the local manifest (from the
/// cache where files are unchanged), then only the files the daemon asks for.
pub async fn push_module(
    client: &Client,
    source: PushSource<'_>,
    overwrite: bool,
    compression: DataCompression,
    progress: Option<Arc<Progress>>,
) -> Result<Moved, MoveError> {
    let (roots, p, v, m) = (
        source.variant_roots.to_vec(),
        source.pipeline.to_string(),
        source.variant.to_string(),
        source.module.to_string(),
    );
    let (data, manifest) = tokio::task::spawn_blocking(move || {
        let data = find_module(&roots, &p, &v, &m)?;
        let manifest = module_manifest(&data.dir)?.manifest;
        Ok::<_, TransferError>((data, manifest))
    })
    .await
    .map_err(|e| TransferError::Io {
        op: "read",
        path: "the local module".into(),
        source: std::io::Error::other(e.to_string()),
    })??;
    let (p, v, m) = (source.pipeline, source.variant, source.module);
    let plan = client
        .plan_upload(
            p,
            v,
            m,
            &PlanRequest {
                manifest,
                overwrite,
            },
        )
        .await?;
    let needed = plan.needed.clone();
    let data = tokio::task::spawn_blocking(move || data.select(needed))
        .await
        .map_err(|e| TransferError::Io {
            op: "read",
            path: "the local module".into(),
            source: std::io::Error::other(e.to_string()),
        })??;
    let compression = wire_compression(client.link_compression(compression));
    let stream = send_stream(data, compression, progress);
    Ok(client
        .upload_planned(p, v, m, &plan.manifest_digest, overwrite, stream)
        .await?)
}

/// Moves a module from daemon `a` to daemon `b` through this machine: `b` plans against
/// `a`'s manifest, `a` sends only what `b` needs, and the data streams through unchanged.
pub async fn relay_module(
    a: &Client,
    b: &Client,
    (p, v, m): (&str, &str, &str),
    overwrite: bool,
    compression: DataCompression,
    progress: Option<Arc<Progress>>,
) -> Result<Moved, MoveError> {
    let manifest = a.manifest(p, v, m).await?.manifest;
    let plan = b
        .plan_upload(
            p,
            v,
            m,
            &PlanRequest {
                manifest,
                overwrite,
            },
        )
        .await?;
    // Through this machine the data crosses two links: compress unless both are loopback.
    let compression = compression.for_link(a.is_loopback() && b.is_loopback());
    // Always the list: `b` checks what it receives against the planned manifest, so a file
    // written at `a` after its manifest must not be in the stream.
    let download = a.download_files(p, v, m, &plan.needed, compression).await?;
    let body = download.body.inspect(move |chunk| {
        if let (Some(progress), Ok(chunk)) = (&progress, chunk) {
            progress.add_wire(chunk.len() as u64);
        }
    });
    Ok(
        b.upload_planned(p, v, m, &plan.manifest_digest, overwrite, body)
            .await?,
    )
}
