//! Module definitions, compared before module data moves between hosts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Response to `GET /v1/pipelines/{pipeline}/{variant}/modules/{module}/definition`: the module
/// and every module it depends on, as this host's config defines them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefinitionResponse {
    /// The module asked for.
    pub module: String,
    /// The module first, then its dependencies (transitively, each once).
    pub modules: Vec<ModuleDefinition>,
}

/// One module's definition: what decides the data it produces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleDefinition {
    /// Expanded module name.
    pub name: String,
    /// The `type=` value as written.
    pub type_string: String,
    /// The section's settings after substitution and alternative expansion (except `type`).
    pub options: BTreeMap<String, String>,
    /// Input name to its connections, written `module` or `module.output`.
    pub inputs: BTreeMap<String, Vec<String>>,
}
