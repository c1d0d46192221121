//! The datatype framework: named datatypes and document (data point) types, each with a parent
//! chain, a readiness check per datatype, and the typecheck between connected modules.
//!
//! Datatypes are identified by Pimlico's class names (`GroupedCorpus`, `StringList`); the
//! snake-case `datatype_name` (`grouped_corpus`) and dotted class paths
//! (`pimlico.datatypes.corpora.GroupedCorpus`) are accepted too. Other crates (the native
//! Pimlico datatypes in `pimlico-modules`) register further datatypes and readiness checks.

mod builtin;
mod derive;
pub mod metadata;
mod ready;
mod typecheck;

pub use derive::{OutputTypeError, output_datatype, resolve_output_name};
pub use ready::{GroupedCorpusCheck, ReadinessCheck, RequiredFiles};
pub use typecheck::{TypecheckError, satisfies, typecheck_pipeline};

use std::path::Path;
use std::sync::Arc;

use indexmap::IndexMap;
use pimlico_config::DatatypeExpr;

/// The root of the datatype hierarchy.
pub const ROOT_DATATYPE: &str = "PimlicoDatatype";
/// The root of the document type hierarchy.
pub const ROOT_DOC_TYPE: &str = "DataPointType";
/// Every corpus datatype descends from this one and has a document type.
pub const CORPUS_DATATYPE: &str = "IterableCorpus";

/// One named datatype.
#[derive(Clone)]
pub struct DatatypeDef {
    /// Class name (`GroupedCorpus`).
    pub name: String,
    /// Pimlico's `datatype_name` (`grouped_corpus`), used in `status` and type names.
    pub datatype_name: String,
    /// Parent class name; `None` only for the root.
    pub parent: Option<String>,
    /// Extra readiness check on top of those of its ancestors.
    pub check: Option<Arc<dyn ReadinessCheck>>,
}

impl std::fmt::Debug for DatatypeDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatatypeDef")
            .field("name", &self.name)
            .field("datatype_name", &self.datatype_name)
            .field("parent", &self.parent)
            .field("check", &self.check.is_some())
            .finish()
    }
}

/// The datatypes and document types known to this build.
#[derive(Debug, Clone, Default)]
pub struct DatatypeRegistry {
    datatypes: IndexMap<String, DatatypeDef>,
    doc_types: IndexMap<String, Option<String>>,
}

impl DatatypeRegistry {
    /// An empty registry (not even the root datatype).
    pub fn empty() -> Self {
        Self::default()
    }

    /// The registry with Pimlico's standard datatypes and document types.
    pub fn standard() -> Self {
        let mut registry = Self::default();
        builtin::register_standard(&mut registry);
        registry
    }

    /// Adds (or replaces) a datatype.
    pub fn register(&mut self, def: DatatypeDef) {
        self.datatypes.insert(def.name.clone(), def);
    }

    /// Adds (or replaces) a document type with its parent.
    pub fn register_doc_type(&mut self, name: &str, parent: Option<&str>) {
        self.doc_types
            .insert(name.to_string(), parent.map(str::to_string));
    }

    /// Sets the extra readiness check of a registered datatype. Returns false if unknown.
    pub fn set_check(&mut self, name: &str, check: Arc<dyn ReadinessCheck>) -> bool {
        match self.datatypes.get_mut(name) {
            Some(def) => {
                def.check = Some(check);
                true
            }
            None => false,
        }
    }

    /// Looks a datatype up by class name, `datatype_name` or dotted class path.
    pub fn lookup(&self, name: &str) -> Option<&DatatypeDef> {
        let short = name.rsplit('.').next().unwrap_or(name);
        self.datatypes
            .get(short)
            .or_else(|| self.datatypes.values().find(|d| d.datatype_name == name))
    }

    /// Looks a document type up by class name or dotted path; returns its canonical name.
    pub fn lookup_doc_type<'a>(&'a self, name: &str) -> Option<&'a str> {
        let short = name.rsplit('.').next().unwrap_or(name);
        self.doc_types.get_key_value(short).map(|(k, _)| k.as_str())
    }

    /// Canonical class name of a datatype (itself when unknown, minus any package path).
    pub fn canonical<'a>(&'a self, name: &'a str) -> &'a str {
        match self.lookup(name) {
            Some(def) => &def.name,
            None => name.rsplit('.').next().unwrap_or(name),
        }
    }

    /// Whether `name` is `ancestor` or one of its descendants. Unknown datatypes descend
    /// directly from the root.
    pub fn is_descendant(&self, name: &str, ancestor: &str) -> bool {
        let ancestor = self.canonical(ancestor);
        if ancestor == ROOT_DATATYPE {
            return true;
        }
        self.chain(name).iter().any(|n| n == ancestor)
    }

    /// The class name followed by its ancestors' (unknown names end in the root).
    pub fn chain(&self, name: &str) -> Vec<String> {
        let mut chain = vec![self.canonical(name).to_string()];
        while let Some(parent) = self
            .lookup(chain.last().expect("chain starts non-empty"))
            .and_then(|d| d.parent.clone())
        {
            if chain.contains(&parent) {
                break;
            }
            chain.push(parent);
        }
        if chain.last().map(String::as_str) != Some(ROOT_DATATYPE) {
            chain.push(ROOT_DATATYPE.to_string());
        }
        chain
    }

    /// Whether document type `name` is `ancestor` or descends from it.
    pub fn is_doc_descendant(&self, name: &str, ancestor: &str) -> bool {
        let short = |n: &'_ str| n.rsplit('.').next().unwrap_or(n).to_string();
        let (mut current, ancestor) = (short(name), short(ancestor));
        if ancestor == ROOT_DOC_TYPE {
            return true;
        }
        for _ in 0..64 {
            if current == ancestor {
                return true;
            }
            match self.doc_types.get(&current) {
                Some(Some(parent)) => current = parent.clone(),
                _ => return false,
            }
        }
        false
    }

    /// Whether the datatype is a corpus (has a document type).
    pub fn is_corpus(&self, name: &str) -> bool {
        self.is_descendant(name, CORPUS_DATATYPE) && self.canonical(name) != ROOT_DATATYPE
    }

    /// The name used in type-checking messages: `GroupedCorpus<TokenizedDocumentType>`.
    pub fn typecheck_name(&self, expr: &DatatypeExpr) -> String {
        let name = self.canonical(&expr.name);
        self.with_doc_type(name, expr)
    }

    /// The name `status` and `inputs` show: `grouped_corpus<RawTextDocumentType>`.
    pub fn display_name(&self, expr: &DatatypeExpr) -> String {
        let name = match self.lookup(&expr.name) {
            Some(def) => def.datatype_name.clone(),
            None => snake_case(expr.name.rsplit('.').next().unwrap_or(&expr.name)),
        };
        self.with_doc_type(&name, expr)
    }

    fn with_doc_type(&self, name: &str, expr: &DatatypeExpr) -> String {
        match &expr.doc_type {
            Some(doc) => format!("{name}<{}>", doc.rsplit('.').next().unwrap_or(doc)),
            None if self.is_corpus(&expr.name) => format!("{name}<{ROOT_DOC_TYPE}>"),
            None => name.to_string(),
        }
    }

    /// Whether data of this datatype is ready to read at `base_dir`: the directory and its
    /// `data/` exist, `corpus_metadata` does not mark it as being written, and every check of
    /// the datatype and its ancestors passes.
    pub fn data_ready(&self, datatype: &str, base_dir: &Path) -> bool {
        ready::base_ready(base_dir)
            && self
                .chain(datatype)
                .iter()
                .filter_map(|n| self.datatypes.get(n).and_then(|d| d.check.clone()))
                .all(|check| check.ready(base_dir))
    }
}

/// Pimlico's default `datatype_name`: the class name split at word boundaries, lower case.
pub fn snake_case(class_name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = class_name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() && i > 0 && chars[i - 1].is_lowercase() {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The document type named in a datatype option such as
/// `WordAnnotationsDocumentType(fields=word,pos)` or `pimlico...TokenizedDocumentType`.
pub fn doc_type_from_option(value: &str) -> Option<String> {
    let name = value.split('(').next().unwrap_or(value).trim();
    let name = name.rsplit('.').next().unwrap_or(name).trim();
    (!name.is_empty()).then(|| name.to_string())
}
