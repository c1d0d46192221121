//! Loading a pipeline config file (with includes) into a [`Pipeline`].
//!
//! The stages follow Pimlico's `PipelineConfig.load`: preprocessing (directives, includes,
//! `[vars]`, copies), `[pipeline]`, aliases, `%` substitution, then each module section in
//! order (type, default inputs, alternatives, inputs, module variables, options).

mod aliases;
mod connections;
mod module;
mod section;
pub(crate) mod setting;
mod special;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::error::{ConfigError, ErrorKind};
use crate::inputs::UsedOutputs;
use crate::loc::{Files, Loc};
use crate::model::{LocalConfig, ModuleConfig, Pipeline};
use crate::preprocess::{self, RawSection};
use crate::release::{PIMLICO_RELEASE, check_release};
use crate::signature::TypeResolver;
use crate::subst::var_substitute;
use setting::Setting;

/// What to load besides the file itself.
pub struct LoadOptions<'a> {
    /// Variant to load (`main` unless `-v` was given).
    pub variant: &'a str,
    /// The local config (stores, special-variable overrides, ...).
    pub local: LocalConfig,
    /// Where module types come from.
    pub resolver: &'a dyn TypeResolver,
}

/// A module section with its values `%`-substituted.
pub(crate) struct ModuleSection {
    pub name: String,
    pub loc: Loc,
    pub settings: IndexMap<String, Setting>,
}

/// Everything known while module sections are loaded one after another.
pub(crate) struct Loader<'a> {
    pub files: Files,
    pub resolver: &'a dyn TypeResolver,
    pub docstrings: HashMap<String, String>,
    pub modules: Vec<ModuleConfig>,
    /// Module name to its position in `modules`.
    pub index: HashMap<String, usize>,
    /// Alias name to the module name it stands for.
    pub aliases: IndexMap<String, String>,
    /// Target name to the aliases pointing at it, kept in step with `aliases`.
    pub alias_targets: HashMap<String, Vec<String>>,
    /// Section (or alias) name to the names it was expanded into.
    pub expansions: HashMap<String, Vec<String>>,
    /// Expanded sections only, in order, for [`Pipeline::expanded`].
    pub expanded: IndexMap<String, Vec<String>>,
    pub used_outputs: UsedOutputs,
    /// The section loaded last: the default input of the next one.
    pub previous: Option<String>,
    /// Modules whose inputs are checked once all are loaded, with their input lines.
    pub deferred_checks: Vec<(usize, IndexMap<String, Loc>, Loc)>,
}

impl Loader<'_> {
    /// The index of a module, following an alias.
    pub fn resolve(&self, name: &str) -> Option<usize> {
        match self.index.get(name) {
            Some(&i) => Some(i),
            None => self
                .aliases
                .get(name)
                .and_then(|t| self.index.get(t))
                .copied(),
        }
    }

    /// An error located at `loc` concerning `module`.
    pub fn error(
        &self,
        kind: ErrorKind,
        loc: Loc,
        module: &str,
        msg: impl Into<String>,
    ) -> ConfigError {
        self.files.error(kind, loc, msg).in_module(module)
    }
}

/// Loads, expands and checks a pipeline config file for one variant.
pub fn load_pipeline(path: &Path, options: LoadOptions<'_>) -> Result<Pipeline, ConfigError> {
    let path = std::path::absolute(path)
        .map(|p| preprocess::normalize(&p))
        .unwrap_or_else(|_| path.to_path_buf());
    let special = special::special_vars(&path, &options.local);
    let pre = preprocess::preprocess(&path, options.variant, &special)?;
    let variant = options.variant;
    if variant != "main" && !pre.variants.contains(variant) {
        return Err(ConfigError::new(
            ErrorKind::Parse,
            format!(
                "could not load pipeline variant '{variant}': it is not declared anywhere in the \
                 config file"
            ),
        )
        .at(&path, None));
    }
    let Some(pipeline_section) = pre.sections.iter().find(|s| s.name == "pipeline") else {
        return Err(ConfigError::new(
            ErrorKind::Parse,
            "no 'pipeline' section found in config: must be supplied to give basic pipeline \
             configuration",
        )
        .at(&path, None));
    };
    let mut vars = pre.vars.clone();
    vars.extend(special);
    let files = pre.files;
    let mut pipeline_config = IndexMap::new();
    for (key, entry) in &pipeline_section.values {
        let value = var_substitute(&entry.value, &vars)
            .map_err(|m| files.error(ErrorKind::Parse, entry.loc, m))?;
        pipeline_config.insert(key.clone(), value);
    }
    let pipeline_loc = pipeline_section.loc;
    let release_loc = pipeline_section
        .values
        .get("release")
        .map_or(pipeline_loc, |e| e.loc);
    let aliases = aliases::extract(&files, &pre.sections)?;
    let module_sections = substitute_sections(&files, &pre.sections, &aliases.sections, &vars)?;
    let module_names: HashSet<&str> = module_sections.iter().map(|s| s.name.as_str()).collect();
    aliases.check_targets(&files, &module_names)?;
    let (name, release) =
        name_and_release(&files, pipeline_loc, release_loc, &mut pipeline_config)?;
    let module_path = module_path(&path, &pipeline_config);

    let mut used_outputs = UsedOutputs::default();
    for section in &module_sections {
        for (key, setting) in &section.settings {
            if key == "input" || key.starts_with("input_") {
                used_outputs.scan(&setting.value);
            }
        }
    }
    for (alias, targets) in &aliases.targets_by_section {
        used_outputs.follow_alias(alias, targets);
    }
    let mut loader = Loader {
        files,
        resolver: options.resolver,
        docstrings: pre.docstrings,
        modules: Vec::new(),
        index: HashMap::new(),
        aliases: IndexMap::new(),
        alias_targets: HashMap::new(),
        expansions: aliases.expansions.clone(),
        expanded: IndexMap::new(),
        used_outputs,
        previous: None,
        deferred_checks: Vec::new(),
    };
    for (alias, target) in &aliases.aliases {
        loader.add_alias(alias.clone(), target.clone());
    }
    for section in &module_sections {
        loader.load_section(section)?;
    }
    for (index, locs, section_loc) in &loader.deferred_checks {
        loader.check_inputs(&loader.modules[*index], locs, *section_loc, true)?;
    }

    let headings = pre.headings.build(&|s: &str| {
        if module_names.contains(s) {
            loader.expansions.get(s).map(Vec::as_slice)
        } else {
            None
        }
    });
    let mut seen = HashSet::new();
    let files: Vec<PathBuf> = loader
        .files
        .all()
        .iter()
        .filter(|f| seen.insert(f.as_path()))
        .cloned()
        .collect();
    Ok(Pipeline {
        name,
        release,
        variant: variant.to_owned(),
        variants: pre.variants.into_iter().collect(),
        pipeline_config,
        vars,
        modules: loader.modules,
        aliases: loader.aliases,
        expanded: loader.expanded,
        headings,
        files,
        module_path,
        local: options.local,
    })
}

/// `%`-substitutes every value of the module sections (everything but `[pipeline]` and aliases).
fn substitute_sections(
    files: &Files,
    sections: &[RawSection],
    alias_sections: &HashSet<String>,
    vars: &IndexMap<String, String>,
) -> Result<Vec<ModuleSection>, ConfigError> {
    sections
        .iter()
        .filter(|s| s.name != "pipeline" && !alias_sections.contains(&s.name))
        .map(|s| {
            let mut settings = IndexMap::with_capacity(s.values.len());
            for (key, entry) in &s.values {
                let value = var_substitute(&entry.value, vars).map_err(|m| {
                    files
                        .error(ErrorKind::Parse, entry.loc, m)
                        .in_module(&s.name)
                })?;
                settings.insert(key.clone(), Setting::new(value, entry.loc));
            }
            Ok(ModuleSection {
                name: s.name.clone(),
                loc: s.loc,
                settings,
            })
        })
        .collect()
}

/// `[pipeline] name` and `release` (with `latest` replaced), both required.
fn name_and_release(
    files: &Files,
    loc: Loc,
    release_loc: Loc,
    config: &mut IndexMap<String, String>,
) -> Result<(String, String), ConfigError> {
    let Some(name) = config.get("name").cloned() else {
        return Err(files.error(
            ErrorKind::Parse,
            loc,
            "pipeline name must be specified as 'name' attribute in pipeline section",
        ));
    };
    let Some(release) = config.get_mut("release") else {
        return Err(files.error(
            ErrorKind::Parse,
            loc,
            "Pimlico release version must be specified as 'release' attribute in pipeline section",
        ));
    };
    if release == "latest" {
        *release = PIMLICO_RELEASE.to_owned();
    }
    let release = release.clone();
    check_release(&release).map_err(|m| {
        let kind = if m.starts_with("invalid") {
            ErrorKind::Parse
        } else {
            ErrorKind::Structure
        };
        files.error(kind, release_loc, m)
    })?;
    Ok((name, release))
}

/// `python_path` and `module_path`: `:`-separated, relative to the top-level config's directory.
fn module_path(config_file: &Path, config: &IndexMap<String, String>) -> Vec<PathBuf> {
    let dir = config_file.parent().unwrap_or(Path::new("/"));
    let mut paths = Vec::new();
    for key in ["python_path", "module_path"] {
        let Some(value) = config.get(key) else {
            continue;
        };
        for part in value.split(':').filter(|p| !p.is_empty()) {
            let path = preprocess::normalize(&dir.join(part));
            if !path.exists() {
                tracing::warn!(
                    "{key} specified in config file ({}) does not exist: no module types will be \
                     found there",
                    path.display()
                );
            }
            paths.push(path);
        }
    }
    paths
}
