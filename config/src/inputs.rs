//! Input specifications: `mod`, `mod.out`, `*mod`, `a,b`, `spec*N` (Pimlico's
//! `extract_input_options`), and the scan for optional outputs used further down.

use std::collections::{HashMap, HashSet};

use crate::alternatives::inputs::expand_alt_names_list;
use crate::py;

/// One connection as written, before modvar substitution and multiplication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawSpec {
    pub module: String,
    pub output: Option<String>,
    /// Text after `*` (a number, or a `$(...)` expression); empty for none.
    pub multiplier: String,
}

/// The text after the first character (Python's `s[1:]`).
fn after_first(s: &str) -> &str {
    s.char_indices().nth(1).map_or("", |(i, _)| &s[i..])
}

/// Splits `spec*N` into the spec and its multiplier.
fn split_multiplier(spec: &str) -> (&str, &str) {
    let tail = after_first(spec);
    if tail.contains('*') && !spec.contains(".*") {
        let star = spec.len() - tail.len() + tail.find('*').unwrap_or(0);
        (py::strip(&spec[..star]), &spec[star + 1..])
    } else {
        (spec, "")
    }
}

/// Splits `module.output`, keeping a `[...]` part of the module name whole.
fn split_module_output(spec: &str) -> (String, Option<String>) {
    let (first_part, spec) = match spec.find('[') {
        Some(open) => {
            let rest = &spec[open + 1..];
            match rest.find(']') {
                Some(close) => (&spec[..open + close + 2], &rest[close + 1..]),
                None => (spec, ""),
            }
        }
        None => ("", spec),
    };
    match spec.rfind('.') {
        Some(dot) => (
            format!("{first_part}{}", &spec[..dot]),
            Some(spec[dot + 1..].to_owned()),
        ),
        None => (format!("{first_part}{spec}"), None),
    }
}

/// Parses one input option's value into connections. `*mod` becomes every module `mod` was
/// expanded into.
pub(crate) fn split_specs(
    value: &str,
    expansions: &HashMap<String, Vec<String>>,
) -> Result<Vec<RawSpec>, String> {
    let mut specs = Vec::new();
    for item in value.split(',') {
        let (spec, multiplier) = split_multiplier(item);
        let (spec, expand) = match spec.strip_prefix('*') {
            Some(s) => (s, true),
            None => (spec, false),
        };
        let (module, output) = split_module_output(spec);
        if expand {
            let expanded = expansions.get(&module).map_or(&[][..], Vec::as_slice);
            if expanded.len() < 2 {
                return Err(format!(
                    "input specification '{value}' uses *-notation to refer to a previous module \
                     that's been expanded into alternatives, but module '{module}' has not been \
                     expanded"
                ));
            }
            for name in expanded {
                specs.push(RawSpec {
                    module: name.clone(),
                    output: output.clone(),
                    multiplier: multiplier.to_owned(),
                });
            }
        } else {
            specs.push(RawSpec {
                module,
                output,
                multiplier: multiplier.to_owned(),
            });
        }
    }
    Ok(specs)
}

/// Evaluates a multiplier after modvar substitution.
pub(crate) fn multiplier_count(text: &str) -> Option<i64> {
    let text = py::strip_chars(text, " ()");
    if text.is_empty() {
        Some(1)
    } else {
        py::parse_int(text)
    }
}

/// Outputs referenced anywhere in input options: module or section name to the outputs
/// named (`None` for the default output).
///
/// Pimlico only recognised a whole value of the form `module.output`, so an optional output
/// named in a list or an alternative was not switched on and the load failed; every item of
/// every list and alternative counts here.
#[derive(Debug, Default)]
pub(crate) struct UsedOutputs {
    used: HashMap<String, HashSet<Option<String>>>,
}

impl UsedOutputs {
    /// Records the connections in one raw (substituted) input value.
    pub fn scan(&mut self, value: &str) {
        let value = expand_alt_names_list(value);
        for item in value.split(['|', ',']) {
            let item = py::strip(item);
            let item = match item.strip_prefix('{') {
                Some(rest) => py::split_once_or_all(rest, "}").1,
                None => item,
            };
            let (spec, _) = split_multiplier(item);
            let spec = spec.trim_start_matches('*');
            if spec.starts_with("altgroup(") {
                continue;
            }
            let (module, output) = split_module_output(spec);
            let base = module.split('[').next().unwrap_or("").to_owned();
            if base != module {
                self.used.entry(base).or_default().insert(output.clone());
            }
            self.used.entry(module).or_default().insert(output);
        }
    }

    /// Adds what was recorded for `alias` to its targets.
    pub fn follow_alias(&mut self, alias: &str, targets: &[String]) {
        let Some(outputs) = self.used.get(alias).cloned() else {
            return;
        };
        for target in targets {
            self.used
                .entry(target.clone())
                .or_default()
                .extend(outputs.iter().cloned());
        }
    }

    /// The outputs of `section` used by some module.
    pub fn get(&self, section: &str) -> Option<&HashSet<Option<String>>> {
        self.used.get(section)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(module: &str, output: Option<&str>, mult: &str) -> RawSpec {
        RawSpec {
            module: module.into(),
            output: output.map(Into::into),
            multiplier: mult.into(),
        }
    }

    #[test]
    fn splits_specs_like_pimlico() {
        let mut exp = HashMap::new();
        exp.insert("a".to_owned(), vec!["a[1]".to_owned(), "a[2]".to_owned()]);
        assert_eq!(
            split_specs("store_each[split.set1],x.y.z,sub[en]*2,*a.o", &exp).unwrap(),
            [
                spec("store_each[split.set1]", None, ""),
                spec("x.y", Some("z"), ""),
                spec("sub[en]", None, "2"),
                spec("a[1]", Some("o"), ""),
                spec("a[2]", Some("o"), ""),
            ]
        );
        assert_eq!(
            split_specs("m.*", &exp).unwrap(),
            [spec("m", Some("*"), "")]
        );
        assert!(
            split_specs("*b", &exp)
                .unwrap_err()
                .contains("has not been expanded")
        );
        assert_eq!(split_specs("é*3", &exp).unwrap(), [spec("é", None, "3")]);
    }

    #[test]
    fn used_outputs_cover_lists_and_alternatives() {
        let mut u = UsedOutputs::default();
        u.scan("a,split.doc_list2|{x}b[1].o*2");
        assert!(
            u.get("split")
                .unwrap()
                .contains(&Some("doc_list2".to_owned()))
        );
        assert!(u.get("b").unwrap().contains(&Some("o".to_owned())));
        assert!(u.get("a").unwrap().contains(&None));
    }
}
