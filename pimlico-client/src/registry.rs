//! The module type registry this build uses: Pimlico's standard datatypes, the built-in types
//! and external types on the module path.

use pimlico_core::datatypes::DatatypeRegistry;
use pimlico_core::types::TypeRegistry;

/// The registry used by the CLI (and by its `internal-exec` children).
pub fn registry() -> TypeRegistry {
    TypeRegistry::new(DatatypeRegistry::standard())
}
