//! The module type registry this build uses: Pimlico's standard datatypes, the built-in types,
//! external types on the module path and the signatures of Pimlico's own module types.

use pimlico_core::datatypes::DatatypeRegistry;
use pimlico_core::types::TypeRegistry;

/// The registry used by the CLI (and by its `internal-exec` children).
pub fn registry() -> TypeRegistry {
    let mut registry = TypeRegistry::new(DatatypeRegistry::standard());
    registry.add_fallback(Box::new(pimlico_modules::catalogue::PimlicoCatalogue::new()));
    registry
}
