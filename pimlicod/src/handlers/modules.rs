//! One module: `GET .../modules/{module}` (status detail), `.../definition`, `.../unlock`.

use axum::Json;
use axum::extract::State;
use pimlico_core::lock;
use pimlico_core::transfer::module_definition;
use pimlico_proto::status::ModuleDetail;
use pimlico_proto::{DefinitionResponse, ModuleActionResponse};
use serde::Deserialize;

use crate::access::{Full, Reader};
use crate::error::{ApiError, ApiPath, ApiQuery};
use crate::state::AppState;

/// Path of every module endpoint.
pub type ModulePath = ApiPath<(String, String, String)>;

/// Query of the detail endpoint.
#[derive(Debug, Deserialize)]
pub struct DetailQuery {
    /// Include the execution history.
    #[serde(default)]
    history: bool,
}

/// The detailed status, exactly as `pimlico status MODULE --json` prints it.
pub async fn get(
    _: Full,
    State(state): State<AppState>,
    ApiPath((pipeline, variant, module)): ModulePath,
    ApiQuery(query): ApiQuery<DetailQuery>,
) -> Result<Json<ModuleDetail>, ApiError> {
    let loaded = state.pipelines().load(&pipeline, &variant).await?;
    let name = loaded.module_name(&module)?;
    let detail = tokio::task::spawn_blocking(move || {
        let engine = loaded.engine();
        let module = engine.module(&name).expect("resolved above");
        pimlico_core::report::module_detail(&engine, module, query.history)
    })
    .await
    .map_err(|e| ApiError::internal("reading the module status", e))?
    .map_err(|e| ApiError::internal("reading the module status", e))?;
    Ok(Json(detail))
}

/// The module's definition and its dependencies', for comparison before moving data.
pub async fn definition(
    Reader(access): Reader,
    State(state): State<AppState>,
    ApiPath((pipeline, variant, module)): ModulePath,
) -> Result<Json<DefinitionResponse>, ApiError> {
    let loaded = state.pipelines().load(&pipeline, &variant).await?;
    let name = loaded.module_name(&module)?;
    access.require_read(&pipeline, &variant, &name)?;
    let definition = module_definition(&loaded.pipeline, &name)
        .ok_or_else(|| ApiError::NotFound(format!("no module '{name}'")))?;
    Ok(Json(definition))
}

/// Removes the module's execution lock (`pimlico unlock`); refused while this daemon runs it.
pub async fn unlock(
    _: Full,
    State(state): State<AppState>,
    ApiPath((pipeline, variant, module)): ModulePath,
) -> Result<Json<ModuleActionResponse>, ApiError> {
    let loaded = state.pipelines().load(&pipeline, &variant).await?;
    let name = loaded.module_name(&module)?;
    let _guard = state.busy().claim(
        &pipeline,
        &variant,
        std::slice::from_ref(&name),
        "unlocking",
    )?;
    let removed = lock::remove(&loaded.stores, &name)
        .map_err(|e| ApiError::internal("removing a lock", e))?;
    let message = if removed {
        "Module unlocked".to_string()
    } else {
        format!("Module '{name}' is not locked")
    };
    Ok(Json(ModuleActionResponse {
        module: name,
        message,
    }))
}
