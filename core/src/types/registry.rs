//! The module type registry: resolves `type=` values for the config loader and gives the
//! engine the implementation of a module about to run.
//!
//! Lookup order, as in the original (datatypes first): a datatype name makes a datatype
//! input; then built-in Rust types; then external types on the module path; then the
//! signature-only fallbacks (Pimlico's own types whose native implementation may not exist
//! yet).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use indexmap::IndexMap;
use pimlico_config::{ModuleConfig, Resolution, SignatureKind, TypeResolver};

use super::external::{ExternalType, find_external_type};
use super::{CommandType, ModuleType, datatype_input_signature};
use crate::datatypes::DatatypeRegistry;

/// Why a module has no implementation to run here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypeLookupError {
    /// The type could not be resolved on this host.
    #[error("module type '{type_string}' of module '{module}' is not available here: {reason}")]
    Unavailable {
        /// Module name.
        module: String,
        /// Its type string.
        type_string: String,
        /// Why.
        reason: String,
    },
    /// The module is not run (datatype input, filter, view).
    #[error(
        "module '{module}' ({type_name}) is not executable: its data is read or computed when \
         another module uses it, so there is nothing to run"
    )]
    NotExecutable {
        /// Module name.
        module: String,
        /// Its type name.
        type_name: String,
    },
    /// Only the signature is known: no implementation has been built.
    #[error(
        "module type '{type_string}' of module '{module}' is known here only by its signature: \
         Pimlico in Rust does not implement it yet, so the module cannot be run. Run it with the \
         original Pimlico and bring its output here, or use another module type"
    )]
    NotImplemented {
        /// Module name.
        module: String,
        /// Its type string.
        type_string: String,
    },
}

/// Resolves module types; implements the config crate's [`TypeResolver`].
pub struct TypeRegistry {
    datatypes: Arc<DatatypeRegistry>,
    builtins: IndexMap<String, Arc<dyn ModuleType>>,
    fallbacks: Vec<Box<dyn TypeResolver>>,
    module_path: RwLock<Vec<PathBuf>>,
    externals: Mutex<HashMap<String, Result<Arc<ExternalType>, String>>>,
}

impl TypeRegistry {
    /// A registry with the given datatypes and the built-in `command` type.
    pub fn new(datatypes: DatatypeRegistry) -> Self {
        let mut registry = Self {
            datatypes: Arc::new(datatypes),
            builtins: IndexMap::new(),
            fallbacks: Vec::new(),
            module_path: RwLock::new(Vec::new()),
            externals: Mutex::new(HashMap::new()),
        };
        registry.register(super::command::COMMAND_TYPE, Arc::new(CommandType::new()));
        registry
    }

    /// Registers a built-in type under a type string.
    pub fn register(&mut self, type_string: &str, module_type: Arc<dyn ModuleType>) {
        self.builtins.insert(type_string.to_string(), module_type);
    }

    /// The built-in type registered under a type string (whether or not it is executable).
    pub fn builtin(&self, type_string: &str) -> Option<Arc<dyn ModuleType>> {
        self.builtins.get(type_string).cloned()
    }

    /// Adds a signature-only resolver consulted last (e.g. the Pimlico catalogue).
    pub fn add_fallback(&mut self, resolver: Box<dyn TypeResolver>) {
        self.fallbacks.push(resolver);
    }

    /// The datatype registry.
    pub fn datatypes(&self) -> &DatatypeRegistry {
        &self.datatypes
    }

    /// Replaces the datatype registry (before loading any pipeline).
    pub fn set_datatypes(&mut self, datatypes: DatatypeRegistry) {
        self.datatypes = Arc::new(datatypes);
    }

    /// The directories searched for external types.
    pub fn module_path(&self) -> Vec<PathBuf> {
        self.module_path.read().expect("module path lock").clone()
    }

    /// Sets the directories searched for external types; returns whether they changed.
    pub fn set_module_path(&self, paths: Vec<PathBuf>) -> bool {
        let mut current = self.module_path.write().expect("module path lock");
        if *current == paths {
            return false;
        }
        *current = paths;
        self.externals.lock().expect("external type cache").clear();
        true
    }

    /// The external type for a type string, if one is on the module path.
    fn external(&self, type_string: &str) -> Option<Result<Arc<ExternalType>, String>> {
        let mut cache = self.externals.lock().expect("external type cache");
        if let Some(found) = cache.get(type_string) {
            return Some(found.clone());
        }
        let dir = find_external_type(&self.module_path(), type_string)?;
        let loaded = ExternalType::load(type_string, &dir)
            .map(Arc::new)
            .map_err(|e| e.to_string());
        cache.insert(type_string.to_string(), loaded.clone());
        Some(loaded)
    }

    /// The implementation of a module about to run.
    pub fn implementation(
        &self,
        module: &ModuleConfig,
    ) -> Result<Arc<dyn ModuleType>, TypeLookupError> {
        let Some(signature) = &module.signature else {
            return Err(TypeLookupError::Unavailable {
                module: module.name.clone(),
                type_string: module.type_string.clone(),
                reason: module
                    .unavailable
                    .clone()
                    .unwrap_or_else(|| "its type could not be loaded".into()),
            });
        };
        if !module.executable || matches!(signature.kind, SignatureKind::DatatypeInput { .. }) {
            return Err(TypeLookupError::NotExecutable {
                module: module.name.clone(),
                type_name: module.type_name.clone(),
            });
        }
        if let Some(builtin) = self.builtins.get(&module.type_string) {
            return Ok(Arc::clone(builtin));
        }
        match self.external(&module.type_string) {
            Some(Ok(external)) => return Ok(external),
            Some(Err(reason)) => {
                return Err(TypeLookupError::Unavailable {
                    module: module.name.clone(),
                    type_string: module.type_string.clone(),
                    reason,
                });
            }
            None => {}
        }
        Err(TypeLookupError::NotImplemented {
            module: module.name.clone(),
            type_string: module.type_string.clone(),
        })
    }
}

impl TypeResolver for TypeRegistry {
    fn datatype_options(&self, datatype: &str) -> Option<Vec<pimlico_config::OptionDecl>> {
        self.fallbacks
            .iter()
            .find_map(|fallback| fallback.datatype_options(datatype))
    }

    fn resolve(&self, type_string: &str) -> Resolution {
        if let Some(def) = self.datatypes.lookup(type_string) {
            return Resolution::Found(datatype_input_signature(def));
        }
        if let Some(builtin) = self.builtins.get(type_string) {
            return Resolution::Found(builtin.signature());
        }
        match self.external(type_string) {
            Some(Ok(external)) => return Resolution::Found(external.signature()),
            Some(Err(reason)) => return Resolution::Unavailable(reason),
            None => {}
        }
        let mut reasons = Vec::new();
        for fallback in &self.fallbacks {
            match fallback.resolve(type_string) {
                Resolution::Found(signature) => return Resolution::Found(signature),
                Resolution::Unavailable(reason) => reasons.push(reason),
            }
        }
        let searched = self.module_path();
        let mut message = format!(
            "could not load a module type for the name '{type_string}': no datatype or module type \
             could be loaded"
        );
        if !searched.is_empty() {
            let dirs: Vec<String> = searched.iter().map(|d| d.display().to_string()).collect();
            message.push_str(&format!(
                " (no {} found for it under the module path: {})",
                super::external::MANIFEST_FILE,
                dirs.join(", ")
            ));
        }
        if let Some(reason) = reasons.into_iter().find(|r| !r.is_empty()) {
            message.push_str(&format!(": {reason}"));
        }
        Resolution::Unavailable(message)
    }
}
