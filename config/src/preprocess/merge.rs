//! After a file is parsed: its `[vars]`, the sections of the files it includes, and (for the
//! top-level file) the `%%copy` directives.

use std::collections::HashMap;

use indexmap::IndexMap;

use super::{Copy, Include, RawSection};
use crate::error::{ConfigError, ErrorKind};
use crate::ini::Ini;
use crate::loc::Files;
use crate::subst::var_substitute;

/// `[vars]` evaluated in order, each seeing the special variables and the earlier vars; then
/// the included files' vars override them (Pimlico's `vars.update(sub_var)`).
pub(super) fn evaluate_vars(
    files: &Files,
    parsed: &Ini,
    initial_vars: &IndexMap<String, String>,
    includes: &[Include],
) -> Result<IndexMap<String, String>, ConfigError> {
    let mut vars = IndexMap::new();
    if parsed.sections.contains_key("vars") {
        vars = initial_vars.clone();
        for (key, entry) in parsed.items("vars") {
            let value = var_substitute(&entry.value, &vars)
                .map_err(|m| files.error(ErrorKind::Parse, entry.loc, m))?;
            vars.insert(key, value);
        }
    }
    for include in includes {
        vars.extend(
            include
                .result
                .vars
                .iter()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
    }
    Ok(vars)
}

/// The file's own sections (except `[vars]`) with each included file's sections inserted
/// right after the section its `%%include` appeared in.
pub(super) fn merge_includes(
    files: &Files,
    parsed: &Ini,
    includes: Vec<Include>,
) -> Result<Vec<RawSection>, ConfigError> {
    let mut sections: Vec<RawSection> = parsed
        .sections
        .iter()
        .filter(|(name, _)| *name != "vars")
        .map(|(name, s)| RawSection {
            name: name.clone(),
            loc: s.loc,
            values: parsed.items(name),
        })
        .collect();
    for include in includes {
        let overlap: Vec<&str> = include
            .result
            .sections
            .iter()
            .map(|s| s.name.as_str())
            .filter(|n| sections.iter().any(|s| s.name == *n))
            .collect();
        if !overlap.is_empty() {
            return Err(files.error(
                ErrorKind::Structure,
                include.loc,
                format!(
                    "section '{}' defined in {} has already be defined in an including config file",
                    overlap.join(" + "),
                    include.path.display()
                ),
            ));
        }
        let at = match include.after_section.as_deref() {
            Some("vars") => 0,
            Some(after) => match sections.iter().position(|s| s.name == after) {
                Some(i) => i + 1,
                None => {
                    return Err(files.error(
                        ErrorKind::Parse,
                        include.loc,
                        format!(
                            "cannot place the sections of included file {} after [{after}], \
                             which is not a pipeline or module section: put the %%include \
                             directive inside a module section, or after [vars]",
                            include.path.display()
                        ),
                    ));
                }
            },
            None => {
                return Err(files.error(
                    ErrorKind::Parse,
                    include.loc,
                    format!(
                        "%%include of {} comes before any section: put it inside a section (its \
                         sections are inserted after that one), or after [vars] to insert them \
                         at the start",
                        include.path.display()
                    ),
                ));
            }
        };
        sections.splice(at..at, include.result.sections);
    }
    for section in &mut sections {
        for entry in section.values.values_mut() {
            if entry.value.contains('\n') {
                entry.value = entry.value.replace('\n', "");
            }
        }
    }
    Ok(sections)
}

/// Applies `%%copy` directives in the order their target sections first used one: copied
/// values in directive order, then the section's own values on top.
pub(super) fn apply_copies(
    files: &Files,
    copies: &IndexMap<String, Vec<Copy>>,
    sections: &mut [RawSection],
) -> Result<(), ConfigError> {
    let index: HashMap<String, usize> = sections
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.clone(), i))
        .collect();
    for (target, sources) in copies {
        let Some(&target_index) = index.get(target) else {
            let loc = sources.first().map(|c| c.loc).unwrap_or_default();
            return Err(files.error(
                ErrorKind::Parse,
                loc,
                format!(
                    "copy directive in [{target}] cannot be used there: copies go into module or \
                     pipeline sections"
                ),
            ));
        };
        let mut values = IndexMap::new();
        for copy in sources {
            let Some(&source_index) = index.get(&copy.source) else {
                return Err(files.error(
                    ErrorKind::Parse,
                    copy.loc,
                    format!(
                        "copy directive in [{target}] referred to unknown module '{}'",
                        copy.source
                    ),
                ));
            };
            let mut settings = sections[source_index].values.clone();
            for excluded in &copy.excluded {
                if settings.shift_remove(excluded).is_none() {
                    return Err(files.error(
                        ErrorKind::Parse,
                        copy.loc,
                        format!(
                            "copy directive exception referred to parameter that wasn't in the \
                             source section: {excluded}"
                        ),
                    ));
                }
            }
            values.extend(settings);
        }
        let own = std::mem::take(&mut sections[target_index].values);
        values.extend(own);
        sections[target_index].values = values;
    }
    Ok(())
}
