//! The connections of one expanded module: module variables in specs, multipliers, output
//! groups, the structural checks on what they connect to, and the module's own outputs.

use indexmap::IndexMap;

use super::module::Conn;
use super::{Loader, ModuleSection};
use crate::error::{ConfigError, ErrorKind};
use crate::inputs::{self, RawSpec};
use crate::load::setting::Setting;
use crate::loc::Loc;
use crate::model::{InputConnection, ModuleConfig};
use crate::modvars::{self, Env};
use crate::signature::ModuleSignature;

/// Connections of one input are capped: a multiplier typo should not exhaust memory.
const MAX_CONNECTIONS: usize = 100_000;

/// The outputs in a module's output group (`all` is every available output).
pub(super) fn output_group(m: &ModuleConfig, group: &str) -> Option<Vec<String>> {
    let sig = m.signature.as_ref()?;
    if group == "all" {
        return Some(m.outputs.clone());
    }
    sig.output_groups
        .iter()
        .find(|g| g.name == group)
        .map(|g| g.outputs.clone())
}

/// The output a connection without an output name uses: the first declared output, optional
/// or not (Pimlico's `default_output_name`).
fn default_output(sig: &ModuleSignature) -> Option<&str> {
    sig.outputs
        .iter()
        .chain(&sig.optional_outputs)
        .next()
        .map(|o| o.name.as_str())
}

impl Loader<'_> {
    /// Substitutes module variables into deferred specs, applies multipliers and replaces
    /// `mod.*` and `mod.<group>` by the outputs they stand for.
    pub(super) fn finish_connections(
        &self,
        name: &str,
        input: &str,
        list: Vec<Conn>,
        loc: Loc,
        env: &Env<'_>,
    ) -> Result<Vec<InputConnection>, ConfigError> {
        let fail = |kind, m: String| self.error(kind, loc, name, m);
        let mut specs: Vec<RawSpec> = Vec::with_capacity(list.len());
        for conn in list {
            if !conn.deferred {
                specs.push(conn.spec);
                continue;
            }
            let modules = modvars::substitute_many(input, &conn.spec.module, env)
                .map_err(|m| fail(ErrorKind::Parse, m))?;
            let multiplier = modvars::substitute_one(input, &conn.spec.multiplier, env)
                .map_err(|m| fail(ErrorKind::Parse, m))?;
            for module in modules {
                if self.resolve(&module).is_none() {
                    return Err(fail(
                        ErrorKind::Structure,
                        format!("unknown module '{module}' in inputs to '{name}'"),
                    ));
                }
                specs.push(RawSpec {
                    module,
                    output: conn.spec.output.clone(),
                    multiplier: multiplier.clone(),
                });
            }
        }
        let section = name.split('[').next().unwrap_or(name);
        let mut out = Vec::with_capacity(specs.len());
        for spec in specs {
            let count = inputs::multiplier_count(&spec.multiplier).ok_or_else(|| {
                fail(
                    ErrorKind::Parse,
                    format!(
                        "input multiplier must be an integer value after variable expansion. Got \
                         '{}' in input '{input}' to module '{section}'",
                        crate::py::strip_chars(&spec.multiplier, " ()")
                    ),
                )
            })?;
            let count = usize::try_from(count).unwrap_or(0);
            if out.len().saturating_add(count) > MAX_CONNECTIONS {
                return Err(fail(
                    ErrorKind::Parse,
                    format!("input '{input}' would have more than {MAX_CONNECTIONS} connections"),
                ));
            }
            let target = self.resolve(&spec.module).map(|i| &self.modules[i]);
            let outputs: Vec<Option<String>> = match (&spec.output, target) {
                (Some(o), Some(t)) if o == "*" && t.signature.is_some() => {
                    t.outputs.iter().cloned().map(Some).collect()
                }
                (Some(g), Some(t)) => match output_group(t, g) {
                    Some(group) => group.into_iter().map(Some).collect(),
                    None => vec![Some(g.clone())],
                },
                (output, _) => vec![output.clone()],
            };
            for _ in 0..count {
                for output in &outputs {
                    out.push(InputConnection {
                        module: spec.module.clone(),
                        output: output.clone(),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Pimlico's structural input checks: connections to outputs that exist and, after
    /// loading (`after_load`), several connections only on inputs that accept them.
    /// Datatype compatibility is the engine's.
    ///
    /// Pimlico checks the outputs of a document-map module's inputs as it loads the module,
    /// and everything else once all modules are loaded, with a `failed checks: ...` prefix;
    /// errors come in the same order here.
    pub(super) fn check_inputs(
        &self,
        module: &ModuleConfig,
        locs: &IndexMap<String, Loc>,
        section_loc: Loc,
        after_load: bool,
    ) -> Result<(), ConfigError> {
        let name = module.name.as_str();
        let Some(sig) = &module.signature else {
            return Ok(());
        };
        for (input, connections) in &module.inputs {
            let loc = locs.get(input).copied().unwrap_or(section_loc);
            let fail = |m: String| {
                let m = if after_load {
                    format!("failed checks: Input typechecking for module '{name}' failed: {m}")
                } else {
                    m
                };
                self.error(ErrorKind::Structure, loc, name, m)
            };
            let multiple = sig.inputs.iter().any(|d| &d.name == input && d.multiple);
            if after_load && !multiple && connections.len() > 1 {
                return Err(fail(format!(
                    "input {input} on module '{name}' does not accept multiple inputs, but {} \
                     were given",
                    connections.len()
                )));
            }
            for conn in connections {
                let Some(target) = self.resolve(&conn.module).map(|i| &self.modules[i]) else {
                    continue;
                };
                let Some(target_sig) = &target.signature else {
                    continue;
                };
                let output = match &conn.output {
                    Some(o) => o.as_str(),
                    None => default_output(target_sig).ok_or_else(|| {
                        fail(format!("{} module has no default output", target.type_name))
                    })?,
                };
                if !target.outputs.iter().any(|o| o == output) {
                    return Err(fail(format!(
                        "{} module does not have an output named '{output}'. Available outputs: {}",
                        target.type_name,
                        target.outputs.join(", ")
                    )));
                }
            }
        }
        Ok(())
    }

    /// Declared outputs plus the optional ones switched on by `output=` or used later on.
    pub(super) fn available_outputs(
        &self,
        sig: &ModuleSignature,
        section: &ModuleSection,
        name: &str,
        requested: Option<Setting>,
    ) -> Result<Vec<String>, ConfigError> {
        let mut wanted: Vec<String> = Vec::new();
        if let Some(req) = &requested {
            for out in req
                .value
                .split(',')
                .map(crate::py::strip)
                .filter(|o| !o.is_empty())
            {
                let known = sig
                    .outputs
                    .iter()
                    .chain(&sig.optional_outputs)
                    .any(|o| o.name == out);
                if !known {
                    return Err(self.error(
                        ErrorKind::Structure,
                        req.loc,
                        name,
                        format!(
                            "output '{out}' given in the 'output' option is not an output of {} \
                             modules. Optional outputs: {}",
                            sig.type_name,
                            sig.optional_outputs
                                .iter()
                                .map(|o| o.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
                wanted.push(out.to_owned());
            }
        }
        if let Some(used) = self.used_outputs.get(&section.name) {
            for output in used {
                match output {
                    Some(o) => wanted.push(o.clone()),
                    None => wanted.extend(default_output(sig).map(str::to_owned)),
                }
            }
        }
        Ok(sig
            .outputs
            .iter()
            .map(|o| o.name.clone())
            .chain(
                sig.optional_outputs
                    .iter()
                    .filter(|o| wanted.contains(&o.name))
                    .map(|o| o.name.clone()),
            )
            .collect())
    }
}
