//! `type=alias` sections: extra names for modules, expanded along with their targets.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;

use super::Loader;
use crate::error::{ConfigError, ErrorKind};
use crate::loc::{Files, Loc};
use crate::preprocess::RawSection;

/// The aliases declared in the config.
pub(super) struct Aliases {
    /// Names of the alias sections.
    pub sections: HashSet<String>,
    /// Alias name to target section, in declaration order.
    pub aliases: IndexMap<String, String>,
    /// Where each alias's `input` was written.
    locs: HashMap<String, Loc>,
    /// Alias sections with alternatives, to the alias names they became.
    pub expansions: HashMap<String, Vec<String>>,
    /// Each alias section's targets, to carry used outputs over to them.
    pub targets_by_section: Vec<(String, Vec<String>)>,
}

/// Collects the alias sections. Their `input` is taken as written, without `%` substitution,
/// as Pimlico does.
pub(super) fn extract(files: &Files, sections: &[RawSection]) -> Result<Aliases, ConfigError> {
    let mut out = Aliases {
        sections: HashSet::new(),
        aliases: IndexMap::new(),
        locs: HashMap::new(),
        expansions: HashMap::new(),
        targets_by_section: Vec::new(),
    };
    for section in sections {
        if section.name == "pipeline"
            || section.values.get("type").map(|e| e.value.as_str()) != Some("alias")
        {
            continue;
        }
        let Some(input) = section.values.get("input") else {
            return Err(files
                .error(
                    ErrorKind::Parse,
                    section.loc,
                    format!(
                        "module alias '{}' must have an 'input' option specifying which module \
                         it is an alias for",
                        section.name
                    ),
                )
                .in_module(&section.name));
        };
        let mut targets = Vec::new();
        if input.value.contains('|') {
            for alt in input.value.split('|') {
                let (alt_name, target) = match alt.strip_prefix('{') {
                    Some(rest) => match rest.split_once('}') {
                        Some((name, target)) => (name.to_owned(), target.to_owned()),
                        None => {
                            return Err(files
                                .error(
                                    ErrorKind::Parse,
                                    input.loc,
                                    format!(
                                        "alias alternative '{alt}' starts a name with '{{' but \
                                         has no closing '}}'"
                                    ),
                                )
                                .in_module(&section.name));
                        }
                    },
                    None => (alt.replace('[', "_").replace(']', ""), alt.to_owned()),
                };
                let alias = format!("{}[{alt_name}]", section.name);
                out.expansions
                    .entry(section.name.clone())
                    .or_default()
                    .push(alias.clone());
                out.locs.insert(alias.clone(), input.loc);
                out.aliases.insert(alias, target.clone());
                targets.push(target);
            }
        } else {
            out.locs.insert(section.name.clone(), input.loc);
            out.aliases
                .insert(section.name.clone(), input.value.clone());
            targets.push(input.value.clone());
        }
        out.sections.insert(section.name.clone());
        out.targets_by_section.push((section.name.clone(), targets));
    }
    Ok(out)
}

impl Aliases {
    /// Every alias must name a module section (not another alias, nor an expanded name).
    pub fn check_targets(&self, files: &Files, modules: &HashSet<&str>) -> Result<(), ConfigError> {
        for (alias, target) in &self.aliases {
            if !modules.contains(target.as_str()) {
                let loc = self.locs.get(alias).copied().unwrap_or_default();
                return Err(files
                    .error(
                        ErrorKind::Structure,
                        loc,
                        format!("alias '{alias}' specified for undefined module '{target}'"),
                    )
                    .in_module(alias));
            }
        }
        Ok(())
    }
}

impl Loader<'_> {
    /// Records an alias.
    pub(super) fn add_alias(&mut self, alias: String, target: String) {
        self.alias_targets
            .entry(target.clone())
            .or_default()
            .push(alias.clone());
        self.aliases.insert(alias, target);
    }

    /// A section was expanded into `section[alt]` modules: its aliases expand the same way
    /// (`al` becomes `al[alt]`, and `al[t]` becomes `al[t_alt]`).
    pub(super) fn expand_aliases(&mut self, section: &str, alt_names: &[String]) {
        let Some(aliases) = self.alias_targets.remove(section) else {
            return;
        };
        for alias in aliases {
            self.aliases.shift_remove(&alias);
            for alt in alt_names {
                let expanded = match alias.split_once('[') {
                    Some((base, alias_alt)) => {
                        let alias_alt = alias_alt.trim_end_matches(']');
                        let expanded = format!("{base}[{alias_alt}_{alt}]");
                        if let Some(list) = self.expansions.get_mut(base) {
                            list.retain(|a| *a != alias);
                        }
                        self.expansions
                            .entry(base.to_owned())
                            .or_default()
                            .push(expanded.clone());
                        expanded
                    }
                    None => {
                        let expanded = format!("{alias}[{alt}]");
                        self.expansions
                            .entry(alias.clone())
                            .or_default()
                            .push(expanded.clone());
                        expanded
                    }
                };
                self.add_alias(expanded, format!("{section}[{alt}]"));
            }
        }
    }
}
