//! The pipelines a daemon serves, loaded fresh for each request so that edits to a config file
//! are seen without a restart (loading is cheap next to anything a request then does).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pimlico_config::Pipeline;
use pimlico_core::engine::{Engine, LoadSpec};
use pimlico_core::store::Stores;
use pimlico_core::types::TypeRegistry;
use pimlico_proto::PipelineInfo;

use crate::error::ApiError;

/// How to load one served pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineSpec {
    /// The pipeline config file.
    pub config: PathBuf,
    /// `--local-config FILE` (else `~/.pimlico` and host-specific files, as the CLI).
    pub local_config: Option<PathBuf>,
}

/// Why the daemon cannot serve its pipelines.
#[derive(Debug, thiserror::Error)]
pub enum PipelinesError {
    /// A pipeline does not load.
    #[error("{}: {message}", config.display())]
    Load {
        /// The config file.
        config: PathBuf,
        /// Why.
        message: String,
    },
    /// Two configs define pipelines of the same name.
    #[error("two served configs define pipeline '{name}': {} and {}", first.display(), second.display())]
    Duplicate {
        /// The pipeline name.
        name: String,
        /// One config.
        first: PathBuf,
        /// The other.
        second: PathBuf,
    },
}

/// A pipeline variant loaded for one request: the config, its module types and its stores.
pub struct Loaded {
    /// The loaded pipeline.
    pub pipeline: Pipeline,
    /// Its module types.
    pub registry: TypeRegistry,
    /// Its stores.
    pub stores: Stores,
    /// How it was loaded (handed to `internal-exec` children).
    pub load: LoadSpec,
}

impl Loaded {
    /// The engine view of it.
    pub fn engine(&self) -> Engine<'_> {
        Engine::new(&self.pipeline, &self.registry, &self.stores)
    }

    /// `<store>/<pipeline>/<variant>` of every store, output store first.
    pub fn variant_roots(&self) -> Vec<PathBuf> {
        self.stores.all().iter().map(|s| s.path.clone()).collect()
    }

    /// The module's expanded name, or 404 naming the pipeline it was looked for in.
    pub fn module_name(&self, module: &str) -> Result<String, ApiError> {
        self.engine()
            .module(module)
            .map(|m| m.name.clone())
            .map_err(|e| ApiError::NotFound(e.to_string()))
    }
}

/// The served pipelines, by name.
#[derive(Debug, Clone)]
pub struct Pipelines {
    served: Vec<(String, PipelineSpec)>,
}

impl Pipelines {
    /// Loads every config once (main variant) to learn the pipeline names, and checks they are
    /// distinct. Blocking.
    pub fn new(specs: Vec<PipelineSpec>) -> Result<Self, PipelinesError> {
        let mut served: Vec<(String, PipelineSpec)> = Vec::new();
        for spec in specs {
            let loaded = load_blocking(&spec, "main").map_err(|message| PipelinesError::Load {
                config: spec.config.clone(),
                message,
            })?;
            let name = loaded.pipeline.name.clone();
            if let Some((_, first)) = served.iter().find(|(n, _)| *n == name) {
                return Err(PipelinesError::Duplicate {
                    name,
                    first: first.config.clone(),
                    second: spec.config,
                });
            }
            served.push((name, spec));
        }
        Ok(Self { served })
    }

    /// Loads `pipeline` in `variant` off the async runtime.
    pub async fn load(&self, pipeline: &str, variant: &str) -> Result<Arc<Loaded>, ApiError> {
        let spec = self.spec(pipeline)?.clone();
        let variant = variant.to_string();
        let pipeline = pipeline.to_string();
        tokio::task::spawn_blocking(move || {
            let load = |variant: &str| {
                load_blocking(&spec, variant).map_err(|message| {
                    ApiError::internal(
                        format!("loading pipeline '{pipeline}'"),
                        anyhow::anyhow!(message),
                    )
                })
            };
            let main = load("main")?;
            if variant == "main" {
                return Ok(Arc::new(main));
            }
            // The variant comes from the request: only one the config declares is loaded, so a
            // name such as `..` never reaches the loader or the store paths.
            if !main.pipeline.variants.contains(&variant) {
                return Err(ApiError::NotFound(format!(
                    "pipeline '{pipeline}' has no variant '{variant}'"
                )));
            }
            Ok(Arc::new(load(&variant)?))
        })
        .await
        .map_err(|e| ApiError::internal("loading a pipeline", e))?
    }

    /// A description of every served pipeline. Blocking.
    pub fn infos(&self) -> Result<Vec<PipelineInfo>, ApiError> {
        self.served
            .iter()
            .map(|(name, spec)| {
                let loaded = load_blocking(spec, "main").map_err(|message| {
                    ApiError::internal(
                        format!("loading pipeline '{name}'"),
                        anyhow::anyhow!(message),
                    )
                })?;
                let mut variants = vec!["main".to_string()];
                variants.extend(loaded.pipeline.variants.iter().cloned());
                Ok(PipelineInfo {
                    name: name.clone(),
                    variants,
                    fingerprint: fingerprint(&loaded.pipeline.files)
                        .map_err(|e| ApiError::internal("reading the config files", e))?,
                    config: spec.config.display().to_string(),
                })
            })
            .collect()
    }

    fn spec(&self, pipeline: &str) -> Result<&PipelineSpec, ApiError> {
        self.served
            .iter()
            .find(|(name, _)| name == pipeline)
            .map(|(_, spec)| spec)
            .ok_or_else(|| {
                let names: Vec<&str> = self.served.iter().map(|(n, _)| n.as_str()).collect();
                ApiError::NotFound(format!(
                    "this daemon does not serve pipeline '{pipeline}' (it serves: {})",
                    names.join(", ")
                ))
            })
    }
}

fn load_blocking(spec: &PipelineSpec, variant: &str) -> Result<Loaded, String> {
    let config = std::path::absolute(&spec.config).unwrap_or_else(|_| spec.config.clone());
    let load = LoadSpec {
        config,
        variant: variant.to_string(),
        local_config: spec.local_config.clone(),
        overrides: Vec::new(),
        home: None,
    };
    let registry = pimlico_client::registry::registry();
    let pipeline = pimlico_core::load::load(&load, &registry)
        .map_err(|e| format!("{}: {e}", e.cli_prefix()))?;
    let stores = Stores::for_pipeline(&pipeline).map_err(|e| e.to_string())?;
    Ok(Loaded {
        pipeline,
        registry,
        stores,
        load,
    })
}

/// BLAKE3 over the config files, each preceded by its path's length-prefixed contents.
fn fingerprint(files: &[PathBuf]) -> std::io::Result<String> {
    let mut hasher = blake3::Hasher::new();
    for file in files {
        let text = std::fs::read(Path::new(file))?;
        hasher.update(&(text.len() as u64).to_le_bytes());
        hasher.update(&text);
    }
    Ok(hasher.finalize().to_hex().to_string())
}
