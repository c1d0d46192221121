//! Commands that change or inspect the stores: `reset`, `unlock`, `clean`, `movestores`,
//! `inputs`, `deps`. Each returns structured results; the CLI words and prints them.

mod clean;
mod deps;
mod dumpload;
mod inputs;
mod reset;

pub use clean::{clean_candidates, remove_dirs};
pub use deps::{DepsReport, dependency_report};
pub use dumpload::{
    DumpError, DumpSource, InputSources, LoadError, LoadPlan, Loaded, dump_metadata, dump_to_dir,
    find_dump_source, input_source_modules, load_into_store, plan_load,
};
pub use inputs::{InputLocation, SourceLocation, input_locations};
pub use reset::{ResetError, dependent_modules, reset_module, resettable_dependents};
