//! `inputs`: where each input's data is read from, or every place it is looked for.

use std::path::PathBuf;

use pimlico_config::ModuleConfig;

use crate::datatypes::output_datatype;
use crate::engine::{Engine, OutputState, is_computed, is_datatype_input};

/// One connection of an input and where its data is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLocation {
    /// The upstream module.
    pub module: String,
    /// Its output.
    pub output: String,
    /// Datatype as `status` shows it.
    pub datatype: String,
    /// Where the data is, if ready.
    pub state: OutputState,
    /// Where it is looked for (every store, or a datatype input's `dir`).
    pub candidates: Vec<PathBuf>,
}

/// One input and its sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputLocation {
    /// Input name.
    pub input: String,
    /// One entry per connection.
    pub sources: Vec<SourceLocation>,
}

/// The locations of every input of a module.
pub fn input_locations(engine: &Engine<'_>, module: &ModuleConfig) -> Vec<InputLocation> {
    let datatypes = engine.registry.datatypes();
    module
        .inputs
        .iter()
        .map(|(input, conns)| {
            let sources = conns
                .iter()
                .filter_map(|conn| {
                    let prev = engine.pipeline.module(&conn.module)?;
                    let output = engine.resolve_output(prev, conn.output.as_deref()).ok()?;
                    let datatype =
                        output_datatype(engine.pipeline, datatypes, &prev.name, Some(&output))
                            .ok()
                            .flatten()
                            .map_or_else(|| "unknown".to_string(), |d| datatypes.display_name(&d));
                    let candidates = if is_datatype_input(prev) {
                        prev.options
                            .get("dir")
                            .and_then(|d| d.as_str())
                            .map(PathBuf::from)
                            .into_iter()
                            .collect()
                    } else if is_computed(prev) || !prev.executable {
                        Vec::new()
                    } else {
                        engine.stores.output_candidates(&prev.name, &output)
                    };
                    Some(SourceLocation {
                        module: prev.name.clone(),
                        state: engine.output_state(prev, &output),
                        output,
                        datatype,
                        candidates,
                    })
                })
                .collect();
            InputLocation {
                input: input.clone(),
                sources,
            }
        })
        .collect()
}
