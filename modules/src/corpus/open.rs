//! Building the corpus a connection refers to, stored or computed, recursively.

use std::path::PathBuf;

use indexmap::IndexMap;
use pimlico_config::{ModuleConfig, Pipeline, process_options};
use pimlico_core::datatypes::output_datatype;
use pimlico_core::engine::{Engine, OutputState, is_datatype_input};
use pimlico_core::store::Stores;
use pimlico_core::types::{ModuleContext, TypeRegistry};
use serde_json::Value;

use super::{Corpus, FilterCorpus, StoredCorpus};
use crate::error::{Error, Result};
use crate::formats::doctype::DocType;
use crate::types::{Behaviour, MapArgs, ViewArgs, lookup};

/// Where a module reads its inputs from: the pipeline, its stores and the registry.
#[derive(Clone, Copy)]
pub struct Reading<'a> {
    /// The loaded pipeline.
    pub pipeline: &'a Pipeline,
    /// The type registry (datatypes).
    pub registry: &'a TypeRegistry,
    /// The stores, searched in order.
    pub stores: &'a Stores,
}

impl<'a> Reading<'a> {
    /// The reading context of a running module.
    pub fn from_ctx(ctx: &ModuleContext<'a>) -> Self {
        Reading {
            pipeline: ctx.pipeline,
            registry: ctx.registry,
            stores: ctx.stores,
        }
    }

    fn engine(&self) -> Engine<'a> {
        Engine::new(self.pipeline, self.registry, self.stores)
    }

    fn module(&self, name: &str) -> Result<&'a ModuleConfig> {
        self.pipeline
            .module(name)
            .ok_or_else(|| Error::msg(format!("unknown module '{name}'")))
    }

    /// The output name a connection refers to (the default output when `None`).
    fn output_name(&self, module: &ModuleConfig, output: Option<&str>) -> Result<String> {
        self.engine()
            .resolve_output(module, output)
            .map_err(Error::msg)
    }

    /// Where a stored output's data is (a datatype input's `dir`, or the first store holding a
    /// complete copy).
    pub fn stored_dir(&self, module: &str, output: Option<&str>) -> Result<PathBuf> {
        let module = self.module(module)?;
        let output = self.output_name(module, output)?;
        match self.engine().output_state(module, &output) {
            OutputState::Stored(dir) => Ok(dir),
            OutputState::Computed => Err(Error::msg(format!(
                "output '{output}' of module '{}' is computed when read, but a stored dataset is \
                 needed here: store it first (e.g. with a store module)",
                module.name
            ))),
            OutputState::Missing => Err(not_ready(module, &output)),
        }
    }

    /// The corpus a connection (`module`, `output`) refers to.
    pub fn corpus(&self, module: &str, output: Option<&str>) -> Result<Box<dyn Corpus>> {
        let module = self.module(module)?;
        let output = self.output_name(module, output)?;
        let doc_type = doc_type_of(self.pipeline, self.registry, &module.name, &output);
        if is_datatype_input(module) || module.executable {
            return match self.engine().output_state(module, &output) {
                OutputState::Stored(dir) => Ok(Box::new(StoredCorpus::open(&dir, doc_type)?)),
                _ => Err(not_ready(module, &output)),
            };
        }
        let def = lookup(&module.type_string).ok_or_else(|| {
            Error::msg(format!(
                "module '{}' ({}) is computed when its output is read, but its type is not \
                 implemented here, so it cannot be computed",
                module.name, module.type_string
            ))
        })?;
        let options = module_options(module)?;
        match (&def.behaviour, module.filter) {
            (Behaviour::DocMap(make), true) => {
                let input_name = module.inputs.keys().next().ok_or_else(|| {
                    Error::msg(format!("filter module '{}' has no input", module.name))
                })?;
                let input = self.input_corpus(module, input_name)?;
                let spec = make(&MapArgs {
                    reading: *self,
                    module,
                    options: &options,
                    input_doc_type: input.doc_type(),
                    input_metadata: input.metadata(),
                    output_doc_type: doc_type,
                })?;
                let metadata = doc_type.inherited_metadata(&spec.metadata);
                Ok(Box::new(FilterCorpus::new(
                    &module.name,
                    input,
                    spec.mapper,
                    doc_type,
                    metadata,
                )))
            }
            (Behaviour::View(make), _) => make(&ViewArgs {
                reading: *self,
                module,
                options: &options,
                output: &output,
                doc_type,
            }),
            _ => Err(Error::msg(format!(
                "module '{}' ({}) is not executable and does not compute a corpus",
                module.name, module.type_name
            ))),
        }
    }

    /// The single corpus connected to `input` of `module`.
    pub fn input_corpus(&self, module: &ModuleConfig, input: &str) -> Result<Box<dyn Corpus>> {
        let mut all = self.input_corpora(module, input)?;
        match all.len() {
            1 => Ok(all.remove(0)),
            n => Err(Error::msg(format!(
                "input '{input}' of module '{}' has {n} connections, where one corpus is needed",
                module.name
            ))),
        }
    }

    /// Every corpus connected to `input` of `module`, in order.
    pub fn input_corpora(
        &self,
        module: &ModuleConfig,
        input: &str,
    ) -> Result<Vec<Box<dyn Corpus>>> {
        self.connections(module, input)?
            .iter()
            .map(|c| self.corpus(&c.module, c.output.as_deref()))
            .collect()
    }

    /// The data directories of every dataset connected to `input` of `module` (`None` when the
    /// optional input is not connected).
    pub fn input_dirs(&self, module: &ModuleConfig, input: &str) -> Result<Vec<PathBuf>> {
        match module.inputs.get(input) {
            None => Ok(Vec::new()),
            Some(conns) => conns
                .iter()
                .map(|c| self.stored_dir(&c.module, c.output.as_deref()))
                .collect(),
        }
    }

    /// The stored dataset connected to the single-connection `input` of `module`.
    pub fn input_dir(&self, module: &ModuleConfig, input: &str) -> Result<PathBuf> {
        let mut dirs = self.input_dirs(module, input)?;
        match dirs.len() {
            1 => Ok(dirs.remove(0)),
            0 => Err(Error::msg(format!(
                "input '{input}' of module '{}' is not connected",
                module.name
            ))),
            n => Err(Error::msg(format!(
                "input '{input}' of module '{}' has {n} connections, where one is needed",
                module.name
            ))),
        }
    }

    fn connections(
        &self,
        module: &'a ModuleConfig,
        input: &str,
    ) -> Result<&'a [pimlico_config::InputConnection]> {
        module.inputs.get(input).map(Vec::as_slice).ok_or_else(|| {
            Error::msg(format!(
                "input '{input}' of module '{}' is not connected",
                module.name
            ))
        })
    }
}

fn not_ready(module: &ModuleConfig, output: &str) -> Error {
    Error::msg(format!(
        "output '{output}' of module '{}' is not ready: no complete copy of it was found in any \
         store{}",
        module.name,
        if is_datatype_input(module) {
            " or at the module's dir"
        } else {
            ""
        }
    ))
}

/// The document type of a module output (`DataPointType` when it has none or is unknown here).
pub fn doc_type_of(
    pipeline: &Pipeline,
    registry: &TypeRegistry,
    module: &str,
    output: &str,
) -> &'static DocType {
    let root = DocType::by_class_name("DataPointType").expect("built in");
    output_datatype(pipeline, registry.datatypes(), module, Some(output))
        .ok()
        .flatten()
        .and_then(|d| d.doc_type)
        .and_then(|name| DocType::by_class_name(name.rsplit('.').next().unwrap_or(&name)))
        .unwrap_or(root)
}

/// A module's options. Filters are loaded without options (the original shows none for them),
/// but their document maps run with the options given in the config, so those are processed
/// here from the module's raw settings.
pub fn module_options(module: &ModuleConfig) -> Result<IndexMap<String, Value>> {
    if !module.filter {
        return Ok(module.options.clone());
    }
    let Some(signature) = &module.signature else {
        return Ok(IndexMap::new());
    };
    let given: IndexMap<String, String> = module
        .raw_options
        .iter()
        .filter(|(k, _)| signature.options.iter().any(|o| &o.name == *k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    process_options(signature, &given)
        .map_err(|e| Error::msg(format!("filter module '{}': {e}", module.name)))
}
