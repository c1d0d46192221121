//! The catalogue of module types and datatype inputs known to this build: a plain table from
//! `type=` strings to signatures.
//!
//! The module types' signatures come from their definitions in [`crate::types`] (one file per
//! type, next to its implementation); the datatype inputs from `datatypes.rs`. The config
//! loader can use this table on its own (benchmarks, fuzzing); the engine uses
//! [`crate::registry`], which registers the implementations.

mod datatypes;
pub mod decl;

use std::collections::HashMap;
use std::sync::Arc;

use pimlico_config::{ModuleSignature, OptionDecl, Resolution, TypeResolver};

/// Signatures by `type=` string (dotted module paths, datatype names, class names and paths),
/// and the datatype options of each datatype class. [`PimlicoCatalogue::new`] has the
/// built-in types; `Default` is an empty table.
#[derive(Debug, Clone, Default)]
pub struct PimlicoCatalogue {
    types: HashMap<String, Arc<ModuleSignature>>,
    datatype_options: HashMap<String, Vec<OptionDecl>>,
}

impl PimlicoCatalogue {
    /// The built-in module types and datatype inputs.
    pub fn new() -> Self {
        let mut catalogue = Self::default();
        for def in crate::types::all() {
            catalogue.insert(def.type_string, Arc::new((def.signature)()));
        }
        datatypes::register(&mut catalogue);
        catalogue
    }

    /// Adds (or replaces) the signature for a `type=` string.
    pub fn insert(&mut self, type_string: impl Into<String>, signature: Arc<ModuleSignature>) {
        self.types.insert(type_string.into(), signature);
    }

    /// Declares the options of a datatype class (`data_point_type`, `filenames`, ...).
    pub fn insert_datatype_options(&mut self, class: impl Into<String>, options: Vec<OptionDecl>) {
        self.datatype_options.insert(class.into(), options);
    }

    /// The signature registered for a `type=` string.
    pub fn get(&self, type_string: &str) -> Option<&Arc<ModuleSignature>> {
        self.types.get(type_string)
    }

    /// Every registered `type=` string, sorted.
    pub fn type_strings(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.types.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }
}

impl TypeResolver for PimlicoCatalogue {
    fn resolve(&self, type_string: &str) -> Resolution {
        match self.types.get(type_string) {
            Some(sig) => Resolution::Found(sig.clone()),
            None => Resolution::Unavailable(format!(
                "'{type_string}' is not a module type or datatype known to this build of Pimlico \
                 (looked for a module type of that dotted name, and for a datatype name, class \
                 name or class path)"
            )),
        }
    }

    fn datatype_options(&self, datatype: &str) -> Option<Vec<OptionDecl>> {
        self.datatype_options.get(datatype).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pimlico_config::SignatureKind;

    fn found(c: &PimlicoCatalogue, t: &str) -> Arc<ModuleSignature> {
        match c.resolve(t) {
            Resolution::Found(sig) => sig,
            Resolution::Unavailable(r) => panic!("{t}: {r}"),
        }
    }

    #[test]
    fn datatypes_resolve_by_every_name() {
        let c = PimlicoCatalogue::new();
        for t in [
            "pimlico.datatypes.corpora.GroupedCorpus",
            "pimlico.datatypes.corpora.grouped.GroupedCorpus",
            "pimlico.datatypes.GroupedCorpus",
            "GroupedCorpus",
            "grouped_corpus",
        ] {
            let sig = found(&c, t);
            assert_eq!(sig.type_name, "grouped_corpus_input");
            assert_eq!(
                sig.kind,
                SignatureKind::DatatypeInput {
                    datatype: "GroupedCorpus".into()
                }
            );
            assert!(!sig.executable);
        }
        assert_eq!(found(&c, "TextFile").type_name, "text_document_input");
        assert_eq!(
            found(&c, "pimlico.datatypes.gensim.GensimLdaModel").type_name,
            "lda_model_input"
        );
    }

    #[test]
    fn unknown_types_are_unavailable_with_a_reason() {
        let c = PimlicoCatalogue::new();
        match c.resolve("pimlico.modules.nope") {
            Resolution::Unavailable(reason) => assert!(reason.contains("pimlico.modules.nope")),
            Resolution::Found(_) => panic!("resolved an unknown type"),
        }
    }
}
