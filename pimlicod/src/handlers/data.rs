//! Module data: `GET` streams it as a dump, `PUT` installs one, `DELETE` removes it (from every
//! store, as `reset` does).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderName;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{AppendHeaders, IntoResponse, Response};
use futures::{StreamExt, TryStreamExt};
use pimlico_core::archive::{ArchiveError, CompressionKind};
use pimlico_core::ops::{ResetError, reset_module};
use pimlico_core::transfer::{
    Incoming, ModuleData, TransferError, locate_module, receive, send_stream, wire_compression,
};
use pimlico_proto::data::headers;
use pimlico_proto::{DataCompression, DeleteResponse, DownloadQuery, UploadQuery, UploadResponse};
use tokio_util::io::StreamReader;

use super::modules::ModulePath;
use super::verified::{manifest_error, receive_options};
use crate::access::{Full, Reader};
use crate::busy::BusyGuard;
use crate::error::{ApiError, ApiPath, ApiQuery, is_storage_full};
use crate::pipelines::Loaded;
use crate::state::AppState;

/// Streams the module in the dump format. A failure half-way aborts the response.
pub async fn get(
    Reader(access): Reader,
    State(state): State<AppState>,
    ApiPath((pipeline, variant, module)): ModulePath,
    ApiQuery(query): ApiQuery<DownloadQuery>,
) -> Result<Response, ApiError> {
    let loaded = state.pipelines().load(&pipeline, &variant).await?;
    let name = loaded.module_name(&module)?;
    access.require_read(&pipeline, &variant, &name)?;
    let roots = loaded.variant_roots();
    let (p, v, m) = (pipeline.clone(), variant.clone(), name.clone());
    let data = tokio::task::spawn_blocking(move || locate_module(&roots, &p, &v, &m))
        .await
        .map_err(|e| ApiError::internal("finding module data", e))?
        .map_err(|e| transfer_error(e, READING))?;
    let totals = Some((data.files, data.tar_bytes));
    Ok(dump_response(
        &state,
        &name,
        query.compression,
        data,
        totals,
    ))
}

/// The response streaming `data` as a dump (counted in the metrics), with the totals when
/// they are known. A failure half-way aborts it.
pub(crate) fn dump_response(
    state: &AppState,
    module: &str,
    compression: DataCompression,
    data: ModuleData,
    totals: Option<(u64, u64)>,
) -> Response {
    let headers = download_headers(module, compression, totals);
    let metrics = state.clone();
    let stream = send_stream(data, wire_compression(compression), None)
        .inspect_ok(move |chunk| metrics.metrics().bytes_out(chunk.len() as u64));
    (headers, Body::from_stream(stream)).into_response()
}

fn kind(compression: DataCompression) -> CompressionKind {
    match compression {
        DataCompression::Auto | DataCompression::Zstd => CompressionKind::Zstd,
        DataCompression::Gzip => CompressionKind::Gzip,
        DataCompression::None => CompressionKind::None,
    }
}

/// Type, file name, and the size announcement clients show progress against.
pub(crate) fn download_headers(
    module: &str,
    compression: DataCompression,
    totals: Option<(u64, u64)>,
) -> AppendHeaders<Vec<(HeaderName, String)>> {
    let filename = format!("{module}.{}", kind(compression).extension()).replace('"', "_");
    let mut list = vec![
        (CONTENT_TYPE, compression.content_type().to_string()),
        (
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ),
    ];
    if let Some((files, tar_bytes)) = totals {
        list.push((HeaderName::from_static(headers::FILES), files.to_string()));
        list.push((
            HeaderName::from_static(headers::DATA_BYTES),
            tar_bytes.to_string(),
        ));
    }
    AppendHeaders(list)
}

/// Installs a dump read from the request body; 409 if the module has data (without
/// `overwrite`) or is busy. The previous data stays whole whatever goes wrong. With
/// `?manifest=DIGEST` the body holds only the files planned by `POST .../data/plan`: each is
/// verified against the planned manifest and kept for a retry, and the module is installed
/// only when complete.
pub async fn put(
    _: Full,
    State(state): State<AppState>,
    ApiPath((pipeline, variant, module)): ModulePath,
    ApiQuery(query): ApiQuery<UploadQuery>,
    body: Body,
) -> Result<Json<UploadResponse>, ApiError> {
    let (loaded, name, _guard) = claim_for_receiving(&state, &pipeline, &variant, &module).await?;
    let metrics = state.clone();
    let stream = body.into_data_stream().map(move |chunk| {
        let chunk = chunk.map_err(std::io::Error::other)?;
        metrics.metrics().bytes_in(chunk.len() as u64);
        Ok::<_, std::io::Error>(chunk)
    });
    let options = receive_options(&state, &loaded, &name, query.overwrite)?;
    let received = match &query.manifest {
        None => receive(StreamReader::new(stream), &options, None).await,
        Some(digest) => match Incoming::open_planned(options, digest).await {
            Ok(mut incoming) => match incoming.receive(StreamReader::new(stream), None).await {
                Ok(()) => incoming.install().await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        },
    }
    .map_err(|e| transfer_error(e, receiving(&name)))?;
    Ok(Json(UploadResponse {
        module: received.module,
        files: received.files,
        bytes: received.bytes,
        replaced: received.replaced,
        transferred_files: received.transferred_files,
        transferred_bytes: received.transferred_bytes,
        reused_files: received.reused_files,
        reused_bytes: received.reused_bytes,
        resumed_files: received.resumed_files,
        resumed_bytes: received.resumed_bytes,
        unchanged: received.unchanged,
    }))
}

/// Deletes the module's data in every store; refused while it runs or receives data.
pub async fn delete(
    _: Full,
    State(state): State<AppState>,
    ApiPath((pipeline, variant, module)): ModulePath,
) -> Result<Json<DeleteResponse>, ApiError> {
    let loaded = state.pipelines().load(&pipeline, &variant).await?;
    let name = loaded.module_name(&module)?;
    let _guard =
        state
            .busy()
            .claim(&pipeline, &variant, std::slice::from_ref(&name), "deleting")?;
    let removed = reset_module(&loaded.engine(), &name).map_err(|e| match e {
        ResetError::Locked { .. } => ApiError::Conflict(e.to_string()),
        other => ApiError::internal("deleting module data", other),
    })?;
    Ok(Json(DeleteResponse {
        module: name,
        removed: removed.iter().map(|d| d.display().to_string()).collect(),
    }))
}

/// What every handler that receives module data does first: refuses during shutdown, loads
/// the pipeline, and claims the module (409 if it is running, locked by a `pimlico run` on
/// this host, or receiving data already). The claim lasts as long as the guard.
pub(crate) async fn claim_for_receiving(
    state: &AppState,
    pipeline: &str,
    variant: &str,
    module: &str,
) -> Result<(std::sync::Arc<Loaded>, String, BusyGuard), ApiError> {
    if state.shutting_down() {
        return Err(ApiError::ShuttingDown);
    }
    let loaded = state.pipelines().load(pipeline, variant).await?;
    let name = loaded.module_name(module)?;
    let guard = state.busy().claim(
        pipeline,
        variant,
        std::slice::from_ref(&name),
        "receiving data",
    )?;
    let lock = pimlico_core::lock::inspect(&loaded.stores, &name)
        .map_err(|e| ApiError::internal("reading a module lock", e))?;
    if let Some(info) = lock.filter(|l| !l.stale) {
        return Err(ApiError::Conflict(format!(
            "module '{name}' is running ({})",
            info.describe()
        )));
    }
    Ok((loaded, name, guard))
}

/// The response to a failed transfer: the client's fault (a bad archive, existing data) or
/// ours (the file system, a full disk). `doing` says what the daemon was doing, phrased to
/// follow "while" ("reading module data", "receiving module 'x'"); the same file system error
/// can come from reading or from writing, and only the caller knows which it was doing.
pub fn transfer_error(error: TransferError, doing: impl Into<String>) -> ApiError {
    // A full disk may surface through any layer (a write failing inside the tar reader comes
    // back as the archive's error); it is never the archive's fault.
    if is_storage_full(&error) {
        return ApiError::storage_full(doing, error);
    }
    match error {
        TransferError::Exists { .. }
        | TransferError::Busy { .. }
        | TransferError::NoPlan { .. } => ApiError::Conflict(error.to_string()),
        TransferError::NoData { .. } | TransferError::NoFile { .. } => {
            ApiError::NotFound(error.to_string())
        }
        TransferError::Mismatch { .. }
        | TransferError::Unexpected { .. }
        | TransferError::Incomplete { .. } => {
            ApiError::BadRequest(format!("the data was refused: {error}"))
        }
        TransferError::Manifest(e) => manifest_error(e),
        TransferError::WrongPipeline { .. } => ApiError::BadRequest(error.to_string()),
        TransferError::Io { .. } => ApiError::internal(doing, error),
        TransferError::Archive(ref e) => match e {
            ArchiveError::Io { .. } | ArchiveError::Output(_) => ApiError::internal(doing, error),
            _ => ApiError::BadRequest(format!("the archive was refused: {error}")),
        },
    }
}

/// What a failed receive of `module` was doing, for [`transfer_error`].
pub fn receiving(module: &str) -> String {
    format!("receiving module '{module}'")
}

/// What a failed send was doing, for [`transfer_error`].
pub const READING: &str = "reading module data";
