//! The module type registry this build uses: Pimlico's datatypes with their readiness checks,
//! the built-in `command` type, Pimlico's own module types implemented natively (and the
//! signatures of those that are not), and external types on the module path.

use pimlico_core::types::TypeRegistry;

/// The registry used by the CLI (and by its `internal-exec` children).
pub fn registry() -> TypeRegistry {
    pimlico_modules::registry()
}
