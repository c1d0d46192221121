//! The native module types: one file per type, each declaring its signature (as the original's
//! `info.py`) and what it does. A type is one of:
//!
//! * a **view** (not executable): its output corpus is computed from its inputs when read
//!   (`subset`, `concat`, `interleave`, `group`, and the input readers);
//! * a **document map**: each document mapped to one output document; executed, it writes its
//!   output corpus using all the module's processes, and with `filter=T` it is computed when
//!   read like a view;
//! * an **executor**: anything else that runs (`split`, `vocab_builder`, ...);
//! * **signature only**: known so that pipelines using it load, but not implemented here.

mod common;
mod corpora;
mod input;
mod native;
mod text;
mod utility;

pub use native::NativeType;

use std::sync::Arc;

use indexmap::IndexMap;
use pimlico_config::{ModuleConfig, ModuleSignature, Pipeline};
use pimlico_core::types::{ModuleContext, ModuleError, Outcome, Problem};
use serde_json::Value;

use crate::corpus::{Corpus, Reading};
use crate::error::Result;
use crate::formats::doctype::DocType;
use crate::formats::metadata::Metadata;
use crate::map::{DocMapper, MapRun};

/// What a view needs to compute its corpus.
pub struct ViewArgs<'a> {
    /// Where to read inputs from.
    pub reading: Reading<'a>,
    /// The view module.
    pub module: &'a ModuleConfig,
    /// Its options.
    pub options: &'a IndexMap<String, Value>,
    /// The output being read.
    pub output: &'a str,
    /// The document type of that output.
    pub doc_type: &'static DocType,
}

/// What a document map needs to build its mapper.
pub struct MapArgs<'a> {
    /// Where to read other inputs (vocabularies) from.
    pub reading: Reading<'a>,
    /// The module.
    pub module: &'a ModuleConfig,
    /// Its options.
    pub options: &'a IndexMap<String, Value>,
    /// The document type of its corpus input.
    pub input_doc_type: &'static DocType,
    /// The metadata of its corpus input (how its documents are encoded).
    pub input_metadata: Metadata,
    /// The document type of its output.
    pub output_doc_type: &'static DocType,
}

/// A document map ready to run.
pub struct MapSpec {
    /// The map.
    pub mapper: Arc<dyn DocMapper>,
    /// Writer metadata for the output (the document type's keys, e.g. `row_length_bytes`).
    pub metadata: Metadata,
}

/// What a module type does.
pub enum Behaviour {
    /// Computed when read.
    View(fn(&ViewArgs<'_>) -> Result<Box<dyn Corpus>>),
    /// A document map.
    DocMap(MapRun),
    /// Executed by this function.
    Execute(fn(&mut ModuleContext<'_>) -> Result<Outcome, ModuleError>),
    /// Known by its signature only.
    SignatureOnly,
}

/// Whether an input reader's data is there, or why not.
pub type SourceReady = fn(&ModuleConfig) -> std::result::Result<(), String>;

/// One module type.
pub struct TypeDef {
    /// The `type=` string, e.g. `pimlico.modules.corpora.store`.
    pub type_string: &'static str,
    /// Its signature.
    pub signature: fn() -> ModuleSignature,
    /// What it does.
    pub behaviour: Behaviour,
    /// Checks made before a module of the type runs.
    pub check: Option<fn(&ModuleConfig, &Pipeline) -> Vec<Problem>>,
    /// For input readers: whether the data they read is there, or why not.
    pub source_ready: Option<SourceReady>,
}

/// Every module type of this crate.
pub fn all() -> Vec<&'static TypeDef> {
    let mut defs = Vec::new();
    defs.extend(corpora::DEFS);
    defs.extend(text::DEFS);
    defs.extend(input::DEFS);
    defs.extend(utility::DEFS);
    defs
}

/// The module type for a `type=` string.
pub fn lookup(type_string: &str) -> Option<&'static TypeDef> {
    all().into_iter().find(|d| d.type_string == type_string)
}
