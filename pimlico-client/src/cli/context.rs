//! Loading the pipeline for a command, and turning module specifications into modules, with
//! the original's error messages and exit code 1.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use pimlico_config::{ModuleConfig, Pipeline};
use pimlico_core::engine::selection::{module_number_to_name, module_numbers_to_names};
use pimlico_core::engine::{Engine, LoadSpec};
use pimlico_core::store::Stores;
use pimlico_core::types::TypeRegistry;

use super::GlobalArgs;

/// A loaded pipeline and what commands need around it.
pub struct Context {
    /// The pipeline.
    pub pipeline: Pipeline,
    /// Module types and datatypes.
    pub registry: TypeRegistry,
    /// Its stores.
    pub stores: Stores,
    /// How it was loaded (for `internal-exec` children).
    pub load: LoadSpec,
    /// `--debug`.
    pub debug: bool,
    /// Questions may be asked and progress bars drawn.
    pub interactive: bool,
    /// `--non-interactive` or `PIM_NON_INT` asked for it explicitly.
    pub non_interactive_requested: bool,
}

fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    }
}

impl Context {
    /// Loads the local config and the pipeline; on error prints it and returns exit code 1.
    pub fn load(global: &GlobalArgs) -> Result<Self, i32> {
        let mut overrides: Vec<(String, String)> = global
            .overrides
            .iter()
            .map(|o| match o.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => (o.clone(), String::new()),
            })
            .collect();
        if let Some(processes) = global.processes {
            overrides.push(("processes".into(), processes.to_string()));
        }
        let load = LoadSpec {
            config: absolute(&global.config),
            variant: global.variant.clone(),
            local_config: global.local_config.as_deref().map(absolute),
            overrides,
            home: None,
        };
        let registry = crate::registry::registry();
        let pipeline = match pimlico_core::load::load(&load, &registry) {
            Ok(pipeline) => pipeline,
            Err(e) => {
                eprintln!("{}: {e}", e.cli_prefix());
                if let Some(explanation) = e.explanation() {
                    eprintln!("\n{explanation}");
                }
                return Err(1);
            }
        };
        let stores = match Stores::for_pipeline(&pipeline) {
            Ok(stores) => stores,
            Err(e) => {
                eprintln!("Error reading local config: {e}");
                return Err(1);
            }
        };
        let non_interactive = global.non_interactive
            || std::env::var_os("PIM_NON_INT").is_some_and(|v| !v.is_empty());
        Ok(Self {
            pipeline,
            registry,
            stores,
            load,
            debug: global.debug,
            interactive: !non_interactive && std::io::stdin().is_terminal(),
            non_interactive_requested: non_interactive,
        })
    }

    /// The engine view.
    pub fn engine(&self) -> Engine<'_> {
        Engine::new(&self.pipeline, &self.registry, &self.stores)
    }

    /// One module by name or number; prints the error and returns 1 if there is none.
    pub fn module(&self, spec: &str) -> Result<&ModuleConfig, i32> {
        let name = module_number_to_name(&self.pipeline, spec).map_err(|e| {
            eprintln!("Error in module specification: {e}");
            1
        })?;
        self.engine().module(&name).map_err(|e| {
            eprintln!("Error: {e}");
            1
        })
    }

    /// Module names from specifications (numbers, ranges, base names), each checked to exist.
    pub fn modules(&self, specs: &[String]) -> Result<Vec<String>, i32> {
        let names = module_numbers_to_names(&self.pipeline, specs).map_err(|e| {
            eprintln!("Error in module specification: {e}");
            1
        })?;
        let engine = self.engine();
        names
            .into_iter()
            .map(|name| {
                engine.module(&name).map(|m| m.name.clone()).map_err(|e| {
                    eprintln!("Error: {e}");
                    1
                })
            })
            .collect()
    }
}
