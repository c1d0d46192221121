//! The loaded, expanded pipeline: what every other crate consumes.
//!
//! These types are plain data. They are produced by the loader in this crate and read by the
//! engine, the daemon and the CLI; none of them runs anything.

use std::path::PathBuf;
use std::sync::Arc;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use crate::signature::ModuleSignature;

/// Where something was written in the config files, for error messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The config file (absolute).
    pub file: PathBuf,
    /// 1-based line number.
    pub line: usize,
}

/// One connection of a module input: `(module, output)`; `None` is the default output.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct InputConnection {
    /// Expanded module name, or an alias name (kept as written, as Pimlico does).
    pub module: String,
    /// Named output, or `None` for the module's default output.
    pub output: Option<String>,
}

/// A module variable's value: a string, or a list when collected over several connections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ModVarValue {
    /// A single value.
    Str(String),
    /// Values collected from several connections of one input.
    List(Vec<String>),
}

/// One expanded module of the loaded variant.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleConfig {
    /// Expanded name (`sub[size=1~offset=3]`), used verbatim as its directory name.
    pub name: String,
    /// The config section it came from (`sub`).
    pub section: String,
    /// The `type=` value as written.
    pub type_string: String,
    /// Short type name (`subset`, `grouped_corpus_input`, `normalize_filter`); for an
    /// unavailable type, the last component of the dotted type string.
    pub type_name: String,
    /// The type's signature; `None` when the type is unavailable on this host.
    #[serde(skip)]
    pub signature: Option<Arc<ModuleSignature>>,
    /// Why the type cannot be used here, if it cannot.
    pub unavailable: Option<String>,
    /// Input name to connections, in the type's declaration order.
    pub inputs: IndexMap<String, Vec<InputConnection>>,
    /// Options after type conversion and defaults; options whose value is none are omitted.
    pub options: IndexMap<String, Value>,
    /// The module's own settings as they stand after substitution and alternative expansion
    /// (everything except `type`), used to compare module definitions across hosts.
    pub raw_options: IndexMap<String, String>,
    /// Datatype options of a datatype-input module (`data_point_type=...`).
    pub datatype_options: IndexMap<String, String>,
    /// Module variables, inherited and assigned.
    pub modvars: IndexMap<String, ModVarValue>,
    /// Outputs that exist for this module (declared plus switched-on optional ones), in order.
    /// The first is the default output.
    pub outputs: Vec<String>,
    /// Whether the module is run (appears in the schedule).
    pub executable: bool,
    /// A document-map module used as a filter (`filter=T`): computed on the fly by its reader.
    pub filter: bool,
    /// Parameter name to the alternative name chosen for this expansion (for `altname()`).
    pub alt_names: IndexMap<String, String>,
    /// The section's docstring (comment lines right above its header).
    pub docstring: String,
    /// Where the section header is.
    pub origin: Origin,
}

/// A `##` heading and the modules and subheadings under it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Heading {
    /// Heading text (empty for the root).
    pub title: String,
    /// Expanded names of the modules directly under this heading, in order.
    pub modules: Vec<String>,
    /// Subheadings, in order.
    pub children: Vec<Heading>,
}

/// A named store root from the local config. The first store receives all output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreRoot {
    /// `default` for `store=`, `NAME` for `store_NAME=`.
    pub name: String,
    /// Absolute root directory (without `<pipeline>/<variant>`).
    pub root: PathBuf,
}

/// The merged local config (`~/.pimlico`, host-specific file or `--local-config`, `-l`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct LocalConfig {
    /// Every key (lower-cased) to its interpolated value.
    pub values: IndexMap<String, String>,
    /// Stores in order; the first one is the output store.
    pub stores: Vec<StoreRoot>,
    /// The files that were read, in precedence order.
    pub files: Vec<PathBuf>,
}

/// A loaded pipeline, for one variant.
#[derive(Debug, Clone, Serialize)]
pub struct Pipeline {
    /// `[pipeline] name`.
    pub name: String,
    /// `[pipeline] release`, with `latest` replaced by the running version.
    pub release: String,
    /// The variant that was loaded (`main` by default).
    pub variant: String,
    /// Every variant declared anywhere in the files, except `main`, sorted.
    pub variants: Vec<String>,
    /// All `[pipeline]` settings after substitution.
    pub pipeline_config: IndexMap<String, String>,
    /// The variables (`[vars]` plus the special ones) used for substitution.
    pub vars: IndexMap<String, String>,
    /// Expanded modules in pipeline order.
    pub modules: Vec<ModuleConfig>,
    /// Alias name to module name.
    pub aliases: IndexMap<String, String>,
    /// Section name to the names it was expanded into (only for expanded sections).
    pub expanded: IndexMap<String, Vec<String>>,
    /// The `##` heading tree (root has an empty title).
    pub headings: Heading,
    /// Every config file read (the main file first, then includes), absolute.
    pub files: Vec<PathBuf>,
    /// Directories searched for external module types (`python_path` / `module_path`).
    pub module_path: Vec<PathBuf>,
    /// The local config it was loaded with.
    pub local: LocalConfig,
}

impl Pipeline {
    /// Looks up a module by expanded name, following aliases.
    pub fn module(&self, name: &str) -> Option<&ModuleConfig> {
        let name = self.aliases.get(name).map_or(name, String::as_str);
        self.modules.iter().find(|m| m.name == name)
    }

    /// Executable modules in pipeline order; `status` numbers and `run N` index this, from 1.
    pub fn schedule(&self) -> impl Iterator<Item = &ModuleConfig> {
        self.modules.iter().filter(|m| m.executable)
    }
}
