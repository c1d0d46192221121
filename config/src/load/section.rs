//! One module section: its type, default inputs, special options and alternatives.

use std::sync::Arc;

use indexmap::IndexMap;

use super::module::{ModuleKind, SectionInfo};
use super::{Loader, ModuleSection};
use crate::alternatives::{self, Expansion, inputs as alt_inputs};
use crate::error::{ConfigError, ErrorKind};
use crate::load::setting::Setting;
use crate::signature::{Resolution, SignatureKind};

/// An expanded module's name, settings and alternative values.
type ExpandedModule = (
    String,
    IndexMap<String, Setting>,
    Vec<alternatives::ParamSetting>,
);

/// Longer alternative names are refused: names built from the names of several inputs can
/// double at each step down a pipeline.
const MAX_ALT_NAME: usize = 4096;

/// Options a datatype-input module keeps for itself; all others are datatype options.
const DATATYPE_INPUT_OWN: [&str; 3] = ["dir", "tie_alts", "alt_naming"];

fn is_input_key(key: &str) -> bool {
    key == "input" || key.starts_with("input_")
}

impl Loader<'_> {
    /// Loads a module section into one module, or several when it has alternatives.
    pub(super) fn load_section(&mut self, section: &ModuleSection) -> Result<(), ConfigError> {
        let name = section.name.as_str();
        let mut config = section.settings.clone();
        let Some(type_setting) = config.shift_remove("type") else {
            return Err(self.error(
                ErrorKind::Parse,
                section.loc,
                name,
                format!("module {name} does not specify a type"),
            ));
        };
        let kind = match self.resolver.resolve(&type_setting.value) {
            Resolution::Found(sig) => ModuleKind::Known(sig),
            Resolution::Unavailable(reason) => ModuleKind::Unavailable(reason),
        };
        let mut datatype_options = IndexMap::new();
        if let ModuleKind::Known(sig) = &kind {
            if let SignatureKind::DatatypeInput { datatype } = &sig.kind {
                let mut locs = Vec::new();
                config.retain(|key, setting| {
                    let own =
                        DATATYPE_INPUT_OWN.contains(&key.as_str()) || key.starts_with("modvar_");
                    if !own {
                        datatype_options.insert(key.clone(), setting.value.clone());
                        locs.push(setting.loc);
                    }
                    own
                });
                self.check_datatype_options(section, sig, datatype, &datatype_options, &locs)?;
            }
            self.add_default_inputs(section, sig, &mut config)?;
        }
        let mut special = IndexMap::new();
        let filter = take(&mut config, "filter", &mut special);
        let tie_alts = take(&mut config, "tie_alts", &mut special);
        let modvar_keys: Vec<String> = config
            .keys()
            .filter(|k| k.starts_with("modvar_"))
            .cloned()
            .collect();
        let mut modvars = Vec::with_capacity(modvar_keys.len());
        for key in modvar_keys {
            if let Some(setting) = config.shift_remove(&key) {
                special.insert(key.clone(), setting.value.clone());
                modvars.push((key["modvar_".len()..].to_owned(), setting));
            }
        }
        let alt_naming = take(&mut config, "alt_naming", &mut special);
        self.prepare_inputs(name, &mut config)?;

        let expansions = alternatives::expand(name, &config, &tie_alts, &alt_naming)
            .map_err(|(kind, msg)| self.error(kind, section.loc, name, msg))?;
        let expansions = match expansions {
            None => {
                if self.index.contains_key(name) || self.aliases.contains_key(name) {
                    return Err(self.error(
                        ErrorKind::Structure,
                        section.loc,
                        name,
                        format!(
                            "module name '{name}' is already used by an expanded module or alias"
                        ),
                    ));
                }
                self.expansions
                    .insert(name.to_owned(), vec![name.to_owned()]);
                vec![(name.to_owned(), config, Vec::new())]
            }
            Some(list) => self.record_expansions(section, list)?,
        };
        let info = SectionInfo {
            section,
            type_string: type_setting.value,
            kind,
            filter: crate::options::str_to_bool(&filter),
            modvars,
            special,
            datatype_options,
        };
        for (module_name, settings, params) in expansions {
            let (module, locs) = self.build_module(&info, module_name, settings, params)?;
            self.index.insert(module.name.clone(), self.modules.len());
            self.deferred_checks
                .push((self.modules.len(), locs, section.loc));
            self.modules.push(module);
        }
        self.previous = Some(name.to_owned());
        Ok(())
    }

    /// Datatype options must be ones the datatype declares (when the resolver knows them).
    fn check_datatype_options(
        &self,
        section: &ModuleSection,
        sig: &crate::signature::ModuleSignature,
        datatype: &str,
        options: &IndexMap<String, String>,
        locs: &[crate::loc::Loc],
    ) -> Result<(), ConfigError> {
        let Some(declared) = self.resolver.datatype_options(datatype) else {
            return Ok(());
        };
        for ((key, _), loc) in options.iter().zip(locs) {
            if declared.iter().any(|d| &d.name == key) {
                continue;
            }
            let name = sig
                .type_name
                .strip_suffix("_input")
                .unwrap_or(&sig.type_name);
            let available =
                crate::py::sorted_by_similarity(declared.iter().map(|d| d.name.as_str()), key);
            return Err(self.error(
                ErrorKind::ModuleOption,
                *loc,
                &section.name,
                format!(
                    "invalid option for {name} dataset loader module: '{key}'. Available options: {}",
                    available.iter().map(|o| format!("'{o}'")).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        Ok(())
    }

    /// Every required input not given is connected to the previous section's default output.
    fn add_default_inputs(
        &self,
        section: &ModuleSection,
        sig: &Arc<crate::signature::ModuleSignature>,
        config: &mut IndexMap<String, Setting>,
    ) -> Result<(), ConfigError> {
        let required: Vec<&str> = sig
            .inputs
            .iter()
            .filter(|i| !i.optional)
            .map(|i| i.name.as_str())
            .collect();
        let missing: Vec<String> = if required.len() == 1 {
            let key = format!("input_{}", required[0]);
            if config.contains_key("input") || config.contains_key(&key) {
                Vec::new()
            } else {
                vec![key]
            }
        } else {
            required
                .iter()
                .map(|r| format!("input_{r}"))
                .filter(|k| !config.contains_key(k))
                .collect()
        };
        for key in missing {
            let Some(previous) = &self.previous else {
                return Err(self.error(
                    ErrorKind::Structure,
                    section.loc,
                    &section.name,
                    format!(
                        "module '{}' has no input specified, but there's no previous module to \
                         use as default",
                        section.name
                    ),
                ));
            };
            config.insert(key, Setting::new(previous.clone(), section.loc));
        }
        Ok(())
    }

    /// `mod[a,b]` lists, `altgroup()` and references to expanded modules in input options.
    fn prepare_inputs(
        &self,
        section: &str,
        config: &mut IndexMap<String, Setting>,
    ) -> Result<(), ConfigError> {
        let group = |module: &str, group: &str| -> Result<Vec<String>, String> {
            let Some(&i) = self.index.get(module) else {
                return Err(format!("unknown module '{module}' in altgroup() argument"));
            };
            let m = &self.modules[i];
            super::connections::output_group(m, group).ok_or_else(|| {
                let mut msg = format!("module '{module}' has no output group named '{group}'");
                if let Some(reason) = &m.unavailable {
                    msg.push_str(&format!(" (its type cannot be used here: {reason})"));
                }
                msg
            })
        };
        let ctx = alt_inputs::InputContext {
            expansions: &self.expansions,
            output_group: &group,
        };
        for (key, setting) in config.iter_mut() {
            if !is_input_key(key) {
                continue;
            }
            let fail = |m: String| self.error(ErrorKind::Parse, setting.loc, section, m);
            let value = alt_inputs::expand_alt_names_list(&setting.value);
            let value = alt_inputs::expand_altgroups(&value, &ctx).map_err(|m| {
                let m = if m.starts_with("module '") {
                    format!("{m} (used in input '{key}' to module '{section}')")
                } else {
                    m
                };
                fail(m)
            })?;
            setting.value =
                alt_inputs::expand_module_references(&value, key, section, &ctx).map_err(fail)?;
        }
        Ok(())
    }

    /// Names the expanded modules, refuses names already taken, and expands aliases.
    fn record_expansions(
        &mut self,
        section: &ModuleSection,
        list: Vec<Expansion>,
    ) -> Result<Vec<ExpandedModule>, ConfigError> {
        let name = section.name.as_str();
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::with_capacity(list.len());
        let mut alt_names = Vec::with_capacity(list.len());
        for exp in list {
            if exp.alt_name.len() > MAX_ALT_NAME {
                return Err(self.error(
                    ErrorKind::Parse,
                    section.loc,
                    name,
                    format!(
                        "the alternative names of [{name}] grow longer than {MAX_ALT_NAME} \
                         characters: give its alternatives shorter names"
                    ),
                ));
            }
            let module_name = format!("{name}[{}]", exp.alt_name);
            if !seen.insert(module_name.clone())
                || self.index.contains_key(&module_name)
                || self.aliases.contains_key(&module_name)
            {
                return Err(self.error(
                    ErrorKind::Structure,
                    section.loc,
                    name,
                    format!(
                        "module name '{module_name}' is used twice: give the alternatives of \
                         [{name}] different names (Pimlico would silently let one module replace \
                         the other)"
                    ),
                ));
            }
            alt_names.push(exp.alt_name);
            out.push((module_name, exp.settings, exp.params));
        }
        let names: Vec<String> = out.iter().map(|(n, _, _)| n.clone()).collect();
        self.expansions.insert(name.to_owned(), names.clone());
        self.expanded.insert(name.to_owned(), names);
        self.expand_aliases(name, &alt_names);
        Ok(out)
    }
}

/// Removes a special option, remembering its raw value; absent options are empty.
fn take(
    config: &mut IndexMap<String, Setting>,
    key: &str,
    special: &mut IndexMap<String, String>,
) -> String {
    match config.shift_remove(key) {
        Some(s) => {
            special.insert(key.to_owned(), s.value.clone());
            s.value
        }
        None => String::new(),
    }
}
