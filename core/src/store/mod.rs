//! Stores: where module directories live on disk.
//!
//! A store is a root from the local config plus `<pipeline>/<variant>`. The first store is the
//! output store: everything is written there. Reads (status, readiness) search every store in
//! order, so data moved or copied into another store (or arriving from another machine) is
//! found and used.

mod fsutil;
mod movestores;

pub use fsutil::{copy_dir_all, dir_is_on_same_fs};
pub use movestores::{MoveOutcome, copy_then_swap, move_module};

use std::path::{Path, PathBuf};

use pimlico_config::Pipeline;

use crate::error::StoreError;

/// Name of our staging directory inside each store (never a module).
pub const STAGING_DIR: &str = crate::archive::STAGING_DIR_NAME;

/// One store: a named root, already extended with `<pipeline>/<variant>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    /// `default` for `store=`, `NAME` for `store_NAME=`.
    pub name: String,
    /// `<root>/<pipeline>/<variant>`: module directories live directly in here.
    pub path: PathBuf,
}

impl Store {
    /// The directory of a module in this store (which may not exist).
    pub fn module_dir(&self, module: &str) -> PathBuf {
        self.path.join(module)
    }

    /// Our staging area in this store.
    pub fn staging_dir(&self) -> PathBuf {
        self.path.join(STAGING_DIR)
    }
}

/// The stores of a loaded pipeline, in order; the first is the output store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stores {
    stores: Vec<Store>,
}

impl Stores {
    /// The stores of a pipeline's local config, extended with its name and variant.
    pub fn for_pipeline(pipeline: &Pipeline) -> Result<Self, StoreError> {
        let stores: Vec<Store> = pipeline
            .local
            .stores
            .iter()
            .map(|root| Store {
                name: root.name.clone(),
                path: root.root.join(&pipeline.name).join(&pipeline.variant),
            })
            .collect();
        if stores.is_empty() {
            return Err(StoreError::NoStores);
        }
        Ok(Self { stores })
    }

    /// Stores built from explicit `(name, <root>/<pipeline>/<variant>)` pairs.
    pub fn from_stores(stores: Vec<Store>) -> Result<Self, StoreError> {
        if stores.is_empty() {
            return Err(StoreError::NoStores);
        }
        Ok(Self { stores })
    }

    /// Every store, output store first.
    pub fn all(&self) -> &[Store] {
        &self.stores
    }

    /// The output store, which receives everything written.
    pub fn output(&self) -> &Store {
        &self.stores[0]
    }

    /// A store by name.
    pub fn by_name(&self, name: &str) -> Option<&Store> {
        self.stores.iter().find(|s| s.name == name)
    }

    /// The module's directory in the output store (where it is written).
    pub fn output_module_dir(&self, module: &str) -> PathBuf {
        self.output().module_dir(module)
    }

    /// The first store holding a directory for the module, and that directory.
    pub fn find_module_dir(&self, module: &str) -> Option<(&Store, PathBuf)> {
        self.stores
            .iter()
            .map(|s| (s, s.module_dir(module)))
            .find(|(_, dir)| dir.is_dir())
    }

    /// Every store holding a directory for the module, in store order.
    pub fn module_dirs(&self, module: &str) -> Vec<(&Store, PathBuf)> {
        self.stores
            .iter()
            .map(|s| (s, s.module_dir(module)))
            .filter(|(_, dir)| dir.is_dir())
            .collect()
    }

    /// The directory status and history are read from: the first store holding the module,
    /// else the output store.
    pub fn read_module_dir(&self, module: &str) -> PathBuf {
        self.find_module_dir(module)
            .map(|(_, dir)| dir)
            .unwrap_or_else(|| self.output_module_dir(module))
    }

    /// Candidate locations of one output, in store order.
    pub fn output_candidates(&self, module: &str, output: &str) -> Vec<PathBuf> {
        self.stores
            .iter()
            .map(|s| s.module_dir(module).join(output))
            .collect()
    }

    /// The store whose path contains `dir`, if any.
    pub fn store_of(&self, dir: &Path) -> Option<&Store> {
        self.stores.iter().find(|s| dir.starts_with(&s.path))
    }
}
