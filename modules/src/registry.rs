//! The engine's registry with Pimlico's datatypes (and their readiness checks) and every native
//! module type; types known only by signature are a fallback, so their modules load.

use std::path::Path;
use std::sync::Arc;

use pimlico_core::datatypes::{DatatypeRegistry, ReadinessCheck};
use pimlico_core::types::TypeRegistry;

use crate::catalogue::PimlicoCatalogue;
use crate::formats::ready::NotReady;
use crate::formats::{dict, dictionary, grouped, npy, string_list};
use crate::types::{Behaviour, NativeType, all};

/// A readiness check of the data layer (`formats::*::ready`).
type ReadyFn = fn(&Path) -> Result<(), NotReady>;

/// A readiness check of the data layer.
struct FormatCheck(ReadyFn);

impl ReadinessCheck for FormatCheck {
    fn ready(&self, base_dir: &Path) -> bool {
        (self.0)(base_dir).is_ok()
    }
}

/// Pimlico's standard datatypes with the original's readiness checks: a `GroupedCorpus` has a
/// `length`, archives when it is not empty, and is not being written; a `Dictionary`,
/// `StringList`, `Dict` or `NumpyArray` has its data file.
pub fn datatypes() -> DatatypeRegistry {
    let mut registry = DatatypeRegistry::standard();
    let checks: [(&str, ReadyFn); 5] = [
        ("GroupedCorpus", grouped::ready),
        ("Dictionary", dictionary::ready),
        ("StringList", string_list::ready),
        ("Dict", dict::ready),
        ("NumpyArray", npy::ready),
    ];
    for (name, check) in checks {
        registry.set_check(name, Arc::new(FormatCheck(check)));
    }
    registry
}

/// Registers every implemented native module type; the catalogue is the fallback that gives
/// the others' signatures (so their modules load) and the datatypes' options.
pub fn register(registry: &mut TypeRegistry) {
    for def in all() {
        if !matches!(def.behaviour, Behaviour::SignatureOnly) {
            registry.register(def.type_string, Arc::new(NativeType::new(def)));
        }
    }
    registry.add_fallback(Box::new(PimlicoCatalogue::new()));
}

/// The registry both binaries use: Pimlico's datatypes, the built-in `command` type, every
/// native module type, and external types on the module path.
pub fn registry() -> TypeRegistry {
    let mut registry = TypeRegistry::new(datatypes());
    register(&mut registry);
    registry
}
