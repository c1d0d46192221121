//! Module definitions: what a module is on one host (its expanded section and those it depends
//! on). Data moves between hosts only when both define it alike, unless the user insists.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use pimlico_config::{ModuleConfig, Pipeline};
use pimlico_proto::{DefinitionResponse, ModuleDefinition};

/// The definition of `module` and everything it depends on, or `None` for an unknown module.
pub fn module_definition(pipeline: &Pipeline, module: &str) -> Option<DefinitionResponse> {
    let first = pipeline.module(module)?;
    let mut seen = BTreeSet::new();
    let mut queue = vec![first];
    let mut modules = Vec::new();
    while let Some(m) = queue.pop() {
        if !seen.insert(m.name.clone()) {
            continue;
        }
        modules.push(definition_of(m));
        for conns in m.inputs.values() {
            for conn in conns.iter().rev() {
                if let Some(dep) = pipeline.module(&conn.module) {
                    queue.push(dep);
                }
            }
        }
    }
    Some(DefinitionResponse {
        module: first.name.clone(),
        modules,
    })
}

fn definition_of(m: &ModuleConfig) -> ModuleDefinition {
    ModuleDefinition {
        name: m.name.clone(),
        type_string: m.type_string.clone(),
        options: m
            .raw_options
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        inputs: m
            .inputs
            .iter()
            .map(|(name, conns)| {
                let conns = conns
                    .iter()
                    .map(|c| match &c.output {
                        Some(output) => format!("{}.{output}", c.module),
                        None => c.module.clone(),
                    })
                    .collect();
                (name.clone(), conns)
            })
            .collect(),
    }
}

/// One way two definitions differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionDifference {
    /// The module concerned.
    pub module: String,
    /// What differs: `type`, `option NAME`, `input NAME`, or `module` (missing on one side).
    pub what: String,
    /// The value on the first side (`None`: absent).
    pub here: Option<String>,
    /// The value on the second side.
    pub there: Option<String>,
}

impl fmt::Display for DefinitionDifference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not set)".into());
        write!(
            f,
            "module '{}', {}: {} vs {}",
            self.module,
            self.what,
            show(&self.here),
            show(&self.there)
        )
    }
}

/// Every difference between two definitions of the same module (empty when they agree).
pub fn compare_definitions(
    here: &DefinitionResponse,
    there: &DefinitionResponse,
) -> Vec<DefinitionDifference> {
    let index = |d: &DefinitionResponse| -> BTreeMap<String, ModuleDefinition> {
        d.modules
            .iter()
            .map(|m| (m.name.clone(), m.clone()))
            .collect()
    };
    let (a, b) = (index(here), index(there));
    let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let mut diffs = Vec::new();
    for name in names {
        let diff =
            |what: String, here: Option<String>, there: Option<String>| DefinitionDifference {
                module: name.clone(),
                what,
                here,
                there,
            };
        let (Some(x), Some(y)) = (a.get(name), b.get(name)) else {
            let present = |m: Option<&ModuleDefinition>| m.map(|_| "defined".to_string());
            diffs.push(diff(
                "module".into(),
                present(a.get(name)),
                present(b.get(name)),
            ));
            continue;
        };
        if x.type_string != y.type_string {
            diffs.push(diff(
                "type".into(),
                Some(x.type_string.clone()),
                Some(y.type_string.clone()),
            ));
        }
        for key in x
            .options
            .keys()
            .chain(y.options.keys())
            .collect::<BTreeSet<_>>()
        {
            let (u, v) = (x.options.get(key), y.options.get(key));
            if u != v {
                diffs.push(diff(format!("option '{key}'"), u.cloned(), v.cloned()));
            }
        }
        for key in x
            .inputs
            .keys()
            .chain(y.inputs.keys())
            .collect::<BTreeSet<_>>()
        {
            let (u, v) = (x.inputs.get(key), y.inputs.get(key));
            if u != v {
                let join = |c: Option<&Vec<String>>| c.map(|c| c.join(","));
                diffs.push(diff(format!("input '{key}'"), join(u), join(v)));
            }
        }
    }
    diffs
}
