//! One expanded module: its inputs, module variables, options and outputs.

use std::sync::Arc;

use indexmap::IndexMap;

use super::{Loader, ModuleSection};
use crate::alternatives::ParamSetting;
use crate::error::{ConfigError, ErrorKind};
use crate::inputs::{self, RawSpec};
use crate::load::setting::Setting;
use crate::loc::Loc;
use crate::model::{InputConnection, ModuleConfig};
use crate::modvars::{self, Env};
use crate::signature::ModuleSignature;

/// A module's type as far as this host knows it.
pub(super) enum ModuleKind {
    Known(Arc<ModuleSignature>),
    /// The type cannot be used here; the reason says why.
    Unavailable(String),
}

/// What all the modules expanded from one section share.
pub(super) struct SectionInfo<'s> {
    pub section: &'s ModuleSection,
    pub type_string: String,
    pub kind: ModuleKind,
    pub filter: bool,
    /// `modvar_<name>` assignments (name without the prefix).
    pub modvars: Vec<(String, Setting)>,
    /// Raw values of the special options (`filter`, `tie_alts`, `modvar_*`, `alt_naming`).
    pub special: IndexMap<String, String>,
    pub datatype_options: IndexMap<String, String>,
}

/// The type name shown for a module: the signature's, or the last part of the type string.
fn type_name(info: &SectionInfo<'_>) -> String {
    let base = match &info.kind {
        ModuleKind::Known(sig) => sig.type_name.clone(),
        ModuleKind::Unavailable(_) => info
            .type_string
            .rsplit('.')
            .next()
            .unwrap_or(&info.type_string)
            .to_owned(),
    };
    if info.filter {
        format!("{base}_filter")
    } else {
        base
    }
}

/// An input option as extracted: its value and where it was written.
pub(super) struct InputOption {
    /// The option as written (`input`, `input_corpus`).
    pub key: String,
    pub value: String,
    pub loc: Loc,
}

/// One connection during processing; `deferred` ones depend on module variables.
pub(super) struct Conn {
    pub spec: RawSpec,
    pub deferred: bool,
}

impl Loader<'_> {
    /// Builds one expanded module; also returns where each input option was written, for the
    /// checks made once all modules are loaded.
    pub(super) fn build_module(
        &self,
        info: &SectionInfo<'_>,
        name: String,
        mut settings: IndexMap<String, Setting>,
        params: Vec<ParamSetting>,
    ) -> Result<(ModuleConfig, IndexMap<String, Loc>), ConfigError> {
        let section = info.section;
        let requested_outputs = settings.shift_remove("output");
        let input_options = self.extract_inputs(info, &name, &mut settings)?;
        let mut raw_options: IndexMap<String, String> =
            IndexMap::with_capacity(settings.len() + input_options.len() + info.special.len() + 1);
        for opt in input_options.values() {
            raw_options.insert(opt.key.clone(), opt.value.clone());
        }
        if let Some(output) = &requested_outputs {
            raw_options.insert("output".to_owned(), output.value.clone());
        }
        raw_options.extend(info.special.iter().map(|(k, v)| (k.clone(), v.clone())));
        raw_options.extend(
            info.datatype_options
                .iter()
                .map(|(k, v)| (k.clone(), v.clone())),
        );

        let mut conns: IndexMap<String, (Vec<Conn>, Loc)> = IndexMap::new();
        for (input, opt) in &input_options {
            let specs = inputs::split_specs(&opt.value, &self.expansions).map_err(|m| {
                self.error(
                    ErrorKind::Parse,
                    opt.loc,
                    &name,
                    format!(
                        "error loading module metadata for module '{}': {m}",
                        section.name
                    ),
                )
            })?;
            let mut list = Vec::with_capacity(specs.len());
            for spec in specs {
                let deferred = spec.module.contains("$(") || spec.multiplier.contains("$(");
                if !deferred && self.resolve(&spec.module).is_none() {
                    return Err(self.error(
                        ErrorKind::Structure,
                        opt.loc,
                        &name,
                        format!("unknown module '{}' in inputs to '{name}'", spec.module),
                    ));
                }
                list.push(Conn { spec, deferred });
            }
            conns.insert(input.clone(), (list, opt.loc));
        }

        let (mut modvars, inherited) = modvars::inherit(conns.iter().map(|(input, (list, _))| {
            let vars = list
                .iter()
                .filter(|c| !c.deferred)
                .filter_map(|c| self.resolve(&c.spec.module))
                .map(|i| &self.modules[i].modvars)
                .collect();
            (input.clone(), vars)
        }))
        .map_err(|m| self.error(ErrorKind::Parse, section.loc, &name, m))?;
        let assignments: Vec<(String, String)> = info
            .modvars
            .iter()
            .map(|(k, s)| (k.clone(), s.value.clone()))
            .collect();
        modvars::assign(&mut modvars, &assignments, &params, &inherited).map_err(|(key, m)| {
            let loc = info
                .modvars
                .iter()
                .find(|(k, _)| *k == key)
                .map_or(section.loc, |(_, s)| s.loc);
            self.error(ErrorKind::Parse, loc, &name, m)
        })?;
        let env = Env {
            vars: &modvars,
            params: &params,
            inputs: &inherited,
        };

        let mut option_values = IndexMap::with_capacity(settings.len());
        for (key, setting) in &settings {
            let value = modvars::substitute_one(key, &setting.value, &env)
                .map_err(|m| self.error(ErrorKind::Parse, setting.loc, &name, m))?;
            raw_options.insert(key.clone(), value.clone());
            option_values.insert(key.clone(), value);
        }

        let mut inputs_out: IndexMap<String, Vec<InputConnection>> = IndexMap::new();
        for (input, (list, loc)) in conns {
            let connections = self.finish_connections(&name, &input, list, loc, &env)?;
            inputs_out.insert(input, connections);
        }

        let (options, outputs, executable) = match &info.kind {
            ModuleKind::Known(sig) => {
                let options = crate::options::process(sig, &option_values).map_err(|f| {
                    let loc = f
                        .key
                        .as_ref()
                        .and_then(|k| settings.get(k))
                        .map_or(section.loc, |s| s.loc);
                    self.error(ErrorKind::ModuleOption, loc, &name, f.message)
                })?;
                let outputs = self.available_outputs(sig, section, &name, requested_outputs)?;
                if info.filter && !sig.document_map {
                    return Err(self.error(
                        ErrorKind::Structure,
                        section.loc,
                        &name,
                        format!(
                            "only document map module types can be treated as filters. Got \
                             option filter=True for module {}",
                            section.name
                        ),
                    ));
                }
                let options = if info.filter {
                    IndexMap::new()
                } else {
                    options
                };
                (options, outputs, sig.executable && !info.filter)
            }
            ModuleKind::Unavailable(_) => (IndexMap::new(), Vec::new(), !info.filter),
        };

        let inputs = match &info.kind {
            ModuleKind::Known(sig) => sig
                .inputs
                .iter()
                .filter_map(|d| inputs_out.swap_remove(&d.name).map(|c| (d.name.clone(), c)))
                .collect(),
            ModuleKind::Unavailable(_) => inputs_out,
        };
        let module = ModuleConfig {
            section: section.name.clone(),
            type_string: info.type_string.clone(),
            type_name: type_name(info),
            signature: match &info.kind {
                ModuleKind::Known(sig) => Some(sig.clone()),
                ModuleKind::Unavailable(_) => None,
            },
            unavailable: match &info.kind {
                ModuleKind::Known(_) => None,
                ModuleKind::Unavailable(reason) => Some(reason.clone()),
            },
            inputs,
            options,
            raw_options,
            datatype_options: info.datatype_options.clone(),
            modvars,
            outputs,
            executable,
            filter: info.filter,
            alt_names: params
                .iter()
                .map(|p| {
                    (
                        p.key.clone(),
                        p.name.clone().unwrap_or_else(|| p.value.clone()),
                    )
                })
                .collect(),
            docstring: self
                .docstrings
                .get(&section.name)
                .cloned()
                .unwrap_or_default(),
            origin: self.files.origin(section.loc),
            name,
        };
        let locs: IndexMap<String, Loc> = input_options
            .iter()
            .map(|(input, opt)| (input.clone(), opt.loc))
            .collect();
        if module.signature.as_ref().is_some_and(|s| s.document_map) {
            self.check_inputs(&module, &locs, section.loc, false)?;
        }
        Ok((module, locs))
    }

    /// Pulls the input options out of the settings and matches them to the type's inputs.
    fn extract_inputs(
        &self,
        info: &SectionInfo<'_>,
        name: &str,
        settings: &mut IndexMap<String, Setting>,
    ) -> Result<IndexMap<String, InputOption>, ConfigError> {
        let section = &info.section.name;
        let keys: Vec<String> = settings
            .keys()
            .filter(|k| *k == "input" || k.starts_with("input_"))
            .cloned()
            .collect();
        let mut out = IndexMap::new();
        for key in keys {
            let Some(setting) = settings.shift_remove(&key) else {
                continue;
            };
            let fail = |m: String| {
                self.error(
                    ErrorKind::Structure,
                    setting.loc,
                    name,
                    format!("error loading module metadata for module '{section}': {m}"),
                )
            };
            let input = match &info.kind {
                ModuleKind::Unavailable(_) => key.strip_prefix("input_").unwrap_or(&key).to_owned(),
                ModuleKind::Known(sig) => {
                    let required: Vec<&str> = sig
                        .inputs
                        .iter()
                        .filter(|i| !i.optional)
                        .map(|i| i.name.as_str())
                        .collect();
                    let type_name = &sig.type_name;
                    if key == "input" {
                        if required.len() != 1 {
                            return Err(fail(format!(
                                "plain 'input' option was given to {type_name} module {section}, \
                                 but {type_name} modules have {} inputs. Use \
                                 'input_<input_name>' instead",
                                required.len()
                            )));
                        }
                        required[0].to_owned()
                    } else {
                        let input = &key["input_".len()..];
                        if !sig.inputs.iter().any(|i| i.name == input) {
                            return Err(fail(format!(
                                "{type_name} module {section} got unknown input '{input}'. \
                                 Available inputs: {}",
                                required.join(", ")
                            )));
                        }
                        input.to_owned()
                    }
                }
            };
            out.insert(
                input,
                InputOption {
                    key,
                    value: setting.value,
                    loc: setting.loc,
                },
            );
        }
        if let ModuleKind::Known(sig) = &info.kind {
            let missing: Vec<&str> = sig
                .inputs
                .iter()
                .filter(|i| !i.optional && !out.contains_key(&i.name))
                .map(|i| i.name.as_str())
                .collect();
            if !missing.is_empty() {
                return Err(self.error(
                    ErrorKind::Structure,
                    info.section.loc,
                    name,
                    format!(
                        "error loading module metadata for module '{section}': {} module {section} \
                         has unspecified input{} '{}'",
                        sig.type_name,
                        if missing.len() > 1 { "s" } else { "" },
                        missing.join(", ")
                    ),
                ));
            }
        }
        Ok(out)
    }
}
