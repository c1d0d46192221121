//! Verified transfers: `GET .../manifest` (every file with its BLAKE3 hash, from the cache
//! where files are unchanged), `POST .../data/files` (a dump of only some files),
//! `POST .../data/plan` (what an upload still needs; the data follows with
//! `PUT .../data?manifest=`) and `POST .../verify` (re-check stored data).

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use pimlico_core::manifest::{ManifestError, module_manifest, verify_module};
use pimlico_core::transfer::{Incoming, ReceiveOptions, TransferError, find_module};
use pimlico_proto::{FilesRequest, ManifestResponse, PlanRequest, PlanResponse, VerifyResponse};

use super::data::{READING, claim_for_receiving, dump_response, receiving, transfer_error};
use super::modules::ModulePath;
use crate::access::{Full, Reader};
use crate::error::{ApiError, ApiJson, ApiPath};
use crate::pipelines::Loaded;
use crate::state::AppState;

/// The module's manifest. Allowed with a scoped token naming the module.
pub async fn manifest(
    Reader(access): Reader,
    State(state): State<AppState>,
    ApiPath((pipeline, variant, module)): ModulePath,
) -> Result<Json<ManifestResponse>, ApiError> {
    let loaded = state.pipelines().load(&pipeline, &variant).await?;
    let name = loaded.module_name(&module)?;
    access.require_read(&pipeline, &variant, &name)?;
    let roots = loaded.variant_roots();
    let (p, v, m) = (pipeline.clone(), variant.clone(), name.clone());
    let computed = tokio::task::spawn_blocking(move || {
        let data = find_module(&roots, &p, &v, &m)?;
        Ok::<_, TransferError>(module_manifest(&data.dir)?)
    })
    .await
    .map_err(|e| ApiError::internal("computing a manifest", e))?
    .map_err(|e| transfer_error(e, READING))?;
    state
        .metrics()
        .manifest_files(computed.hashed_files, computed.cached_files);
    Ok(Json(ManifestResponse {
        module: name,
        manifest: computed.manifest,
        hashed_files: computed.hashed_files,
        hashed_bytes: computed.hashed_bytes,
        cached_files: computed.cached_files,
    }))
}

/// A dump of only the files asked for. Allowed with a scoped token naming the module. A file
/// that is not there is answered with 404 before anything is sent; a failure half-way aborts
/// the response, as for full downloads.
pub async fn files(
    Reader(access): Reader,
    State(state): State<AppState>,
    ApiPath((pipeline, variant, module)): ModulePath,
    ApiJson(request): ApiJson<FilesRequest>,
) -> Result<Response, ApiError> {
    let loaded = state.pipelines().load(&pipeline, &variant).await?;
    let name = loaded.module_name(&module)?;
    access.require_read(&pipeline, &variant, &name)?;
    let roots = loaded.variant_roots();
    let (p, v, m) = (pipeline.clone(), variant.clone(), name.clone());
    let (all, compression) = (request.all, request.compression);
    let data = tokio::task::spawn_blocking(move || {
        let data = find_module(&roots, &p, &v, &m)?;
        if all {
            Ok(data)
        } else {
            data.select(request.files)
        }
    })
    .await
    .map_err(|e| ApiError::internal("finding module data", e))?
    .map_err(|e| transfer_error(e, READING))?;
    let totals = (!all).then_some((data.files, data.tar_bytes));
    Ok(dump_response(&state, &name, compression, data, totals))
}

/// The first step of an incremental upload: compares the sender's manifest with what this
/// daemon holds (and what an interrupted upload left), records the manifest, and answers with
/// the files still needed.
pub async fn plan(
    _: Full,
    State(state): State<AppState>,
    ApiPath((pipeline, variant, module)): ModulePath,
    ApiJson(request): ApiJson<PlanRequest>,
) -> Result<Json<PlanResponse>, ApiError> {
    let (loaded, name, _guard) = claim_for_receiving(&state, &pipeline, &variant, &module).await?;
    let options = receive_options(&state, &loaded, &name, request.overwrite)?;
    let incoming = Incoming::open(options, request.manifest)
        .await
        .map_err(|e| transfer_error(e, receiving(&name)))?;
    Ok(Json(incoming.plan()))
}

/// Re-hashes the module's files (in the first store holding it) and compares them with the
/// manifest recorded for them.
pub async fn verify(
    _: Full,
    State(state): State<AppState>,
    ApiPath((pipeline, variant, module)): ModulePath,
) -> Result<Json<VerifyResponse>, ApiError> {
    let loaded = state.pipelines().load(&pipeline, &variant).await?;
    let name = loaded.module_name(&module)?;
    let (store, dir) = loaded
        .stores
        .find_module_dir(&name)
        .map(|(store, dir)| (store.name.clone(), dir))
        .ok_or_else(|| ApiError::NotFound(format!("module '{name}' has no data on this daemon")))?;
    let report = tokio::task::spawn_blocking(move || verify_module(&dir))
        .await
        .map_err(|e| ApiError::internal("verifying module data", e))?
        .map_err(|e| transfer_error(TransferError::Manifest(e), "verifying module data"))?;
    Ok(Json(VerifyResponse {
        module: name,
        store,
        files: report.files,
        bytes: report.bytes,
        recorded: report.recorded,
        problems: report.problems,
    }))
}

/// Where and how a module is received into this daemon's stores.
pub fn receive_options(
    state: &AppState,
    loaded: &Loaded,
    module: &str,
    overwrite: bool,
) -> Result<ReceiveOptions, ApiError> {
    let resume_max_age = state.options().resume_max_age.unwrap_or_else(|| {
        pimlico_core::transfer::resume_max_age(&loaded.pipeline).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "using the default maximum age of resumable staging");
            pimlico_core::archive::DEFAULT_RESUMABLE_MAX_AGE
        })
    });
    Ok(ReceiveOptions {
        variant_roots: loaded.variant_roots(),
        pipeline: loaded.pipeline.name.clone(),
        variant: loaded.pipeline.variant.clone(),
        module: module.to_string(),
        overwrite,
        limits: state.extract_limits(loaded)?,
        resume_max_age,
    })
}

/// The response to a manifest that cannot be computed or accepted.
pub fn manifest_error(error: ManifestError) -> ApiError {
    match error {
        ManifestError::Invalid(_) => ApiError::BadRequest(error.to_string()),
        ManifestError::Unsupported { .. } => ApiError::Conflict(error.to_string()),
        ManifestError::Io { .. } => ApiError::internal("computing a manifest", error),
    }
}
