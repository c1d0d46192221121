//! Readiness: an input is ready when the upstream output's data is present in some store and
//! not being written (plus datatype checks). The upstream module's status is never consulted,
//! so data produced on another machine counts. Computed modules (filters, views) are ready
//! when their own inputs are; datatype inputs when their `dir` holds the data.

use std::path::PathBuf;

use pimlico_config::ModuleConfig;
use serde_json::Value;

use super::{Engine, is_computed, is_datatype_input};
use crate::datatypes::{ROOT_DATATYPE, output_datatype, resolve_output_name};
use crate::store::Stores;

/// Where an output's data is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputState {
    /// Ready in this directory.
    Stored(PathBuf),
    /// Ready, computed when read (no directory).
    Computed,
    /// Not ready anywhere.
    Missing,
}

impl OutputState {
    /// Whether the data is ready.
    pub fn is_ready(&self) -> bool {
        !matches!(self, Self::Missing)
    }

    /// The directory, when stored.
    pub fn dir(&self) -> Option<&PathBuf> {
        match self {
            Self::Stored(dir) => Some(dir),
            _ => None,
        }
    }
}

impl Engine<'_> {
    /// Where the named output of a module is ready, if anywhere.
    pub fn output_state(&self, module: &ModuleConfig, output: &str) -> OutputState {
        self.output_state_assuming(module, output, &[], &[])
    }

    fn output_state_assuming(
        &self,
        module: &ModuleConfig,
        output: &str,
        assume_executed: &[String],
        assume_failed: &[String],
    ) -> OutputState {
        if is_datatype_input(module) {
            let Some(Value::String(dir)) = module.options.get("dir") else {
                return OutputState::Missing;
            };
            let datatype = self.datatype_name(module, output);
            let dir = PathBuf::from(dir);
            return if self.registry.datatypes().data_ready(&datatype, &dir) {
                OutputState::Stored(dir)
            } else {
                OutputState::Missing
            };
        }
        if is_computed(module) {
            return if self
                .missing_data(module, assume_executed, assume_failed)
                .is_empty()
            {
                OutputState::Computed
            } else {
                OutputState::Missing
            };
        }
        if !module.executable {
            // An input reader without inputs: its type says whether its source data is there.
            let source = self.registry.builtin(&module.type_string);
            return match source.map(|t| t.source_ready(module)) {
                Some(Err(_)) => OutputState::Missing,
                _ => OutputState::Computed,
            };
        }
        let datatype = self.datatype_name(module, output);
        self.stores
            .output_candidates(&module.name, output)
            .into_iter()
            .find(|dir| self.registry.datatypes().data_ready(&datatype, dir))
            .map_or(OutputState::Missing, OutputState::Stored)
    }

    fn datatype_name(&self, module: &ModuleConfig, output: &str) -> String {
        output_datatype(
            self.pipeline,
            self.registry.datatypes(),
            &module.name,
            Some(output),
        )
        .ok()
        .flatten()
        .map_or_else(|| ROOT_DATATYPE.to_string(), |d| d.name)
    }

    /// What is missing for the module's inputs, in the original's wording. Modules named in
    /// `assume_executed` count as ready; the outputs of those in `assume_failed` as missing.
    pub fn missing_data(
        &self,
        module: &ModuleConfig,
        assume_executed: &[String],
        assume_failed: &[String],
    ) -> Vec<String> {
        module
            .inputs
            .keys()
            .flat_map(|input| self.missing_for_input(module, input, assume_executed, assume_failed))
            .collect()
    }

    /// What is missing for one input.
    pub fn missing_for_input(
        &self,
        module: &ModuleConfig,
        input: &str,
        assume_executed: &[String],
        assume_failed: &[String],
    ) -> Vec<String> {
        let mut missing = Vec::new();
        if is_datatype_input(module) {
            return missing;
        }
        for conn in module.inputs.get(input).into_iter().flatten() {
            let Some(prev) = self.pipeline.module(&conn.module) else {
                missing.push(format!("unknown module '{}'", conn.module));
                continue;
            };
            if assume_executed.contains(&prev.name) {
                continue;
            }
            let output = match self.resolve_output(prev, conn.output.as_deref()) {
                Ok(output) => output,
                Err(e) => {
                    missing.push(e);
                    continue;
                }
            };
            let state = self.output_state_assuming(prev, &output, assume_executed, assume_failed);
            if !state.is_ready() {
                // A computed module's failure is more helpfully reported as what it lacks
                // (the original did not pass failures through: data of a failed module
                // read through a filter looked ready).
                if is_computed(prev) {
                    missing.extend(self.missing_data(prev, assume_executed, assume_failed));
                } else if conn.output.is_none() {
                    missing.push(format!("{} (default output)", prev.name));
                } else {
                    missing.push(format!("{} output '{output}'", prev.name));
                }
            } else if assume_failed.contains(&prev.name) {
                missing.push(format!(
                    "{} module failed, so we assume  output '{output}' is not complete",
                    prev.name
                ));
            }
        }
        missing
    }

    /// The output a connection refers to. For a module whose type is unavailable here (so its
    /// outputs are unknown), a named output is taken on trust, and the default output is the
    /// single output directory found for it in the stores.
    pub fn resolve_output(
        &self,
        module: &ModuleConfig,
        output: Option<&str>,
    ) -> Result<String, String> {
        if module.signature.is_some() || !module.outputs.is_empty() {
            return resolve_output_name(module, output).map_err(|e| e.to_string());
        }
        if let Some(output) = output {
            return Ok(output.to_string());
        }
        let found = stored_outputs(self.stores, &module.name);
        match found.as_slice() {
            [only] => Ok(only.clone()),
            _ => Err(format!(
                "{} (default output: its type is not available here, so its default output is \
                 unknown{}; name the output in the input, as {}.<output>)",
                module.name,
                if found.is_empty() {
                    String::new()
                } else {
                    format!(" among {}", found.join(", "))
                },
                module.name
            )),
        }
    }

    /// Whether every connection of the input is ready.
    pub fn input_ready(&self, module: &ModuleConfig, input: &str) -> bool {
        self.missing_for_input(module, input, &[], &[]).is_empty()
    }

    /// Whether all inputs are ready (and, for a datatype input, its data).
    pub fn all_inputs_ready(&self, module: &ModuleConfig) -> bool {
        if is_datatype_input(module) {
            return module
                .outputs
                .iter()
                .all(|o| self.output_state(module, o).is_ready());
        }
        self.missing_data(module, &[], &[]).is_empty()
    }
}

/// Names of the output directories (holding `data/`) of a module in any store, sorted.
fn stored_outputs(stores: &Stores, module: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (_, dir) in stores.module_dirs(module) {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.path().join("data").is_dir() && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names.sort();
    names
}
