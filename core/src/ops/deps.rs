//! `deps`: the software dependencies of modules and whether they are satisfied.

use crate::deps::{Dependency, DependencyStatus};
use crate::engine::Engine;
use crate::types::TypeLookupError;

/// The dependencies of some modules, each once, checked.
#[derive(Debug, Clone, Default)]
pub struct DepsReport {
    /// Each dependency and its state.
    pub dependencies: Vec<DependencyStatus>,
    /// Modules whose dependencies cannot be known here (type unavailable or not implemented).
    pub notes: Vec<String>,
}

/// Checks the dependencies of the named modules (every module when `modules` is empty).
/// Non-executable modules have none.
pub fn dependency_report(engine: &Engine<'_>, modules: &[String]) -> DepsReport {
    let names: Vec<String> = if modules.is_empty() {
        engine
            .pipeline
            .modules
            .iter()
            .map(|m| m.name.clone())
            .collect()
    } else {
        modules.to_vec()
    };
    let mut deps: Vec<Dependency> = Vec::new();
    let mut notes = Vec::new();
    for name in names {
        let Some(module) = engine.pipeline.module(&name) else {
            continue;
        };
        match engine.registry.implementation(module) {
            Ok(implementation) => {
                for dep in implementation.dependencies(module) {
                    if !deps.contains(&dep) {
                        deps.push(dep);
                    }
                }
            }
            Err(TypeLookupError::NotExecutable { .. }) => {}
            Err(e) => notes.push(e.to_string()),
        }
    }
    DepsReport {
        dependencies: deps.iter().map(Dependency::check).collect(),
        notes,
    }
}
