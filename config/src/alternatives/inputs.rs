//! Preparing input options for alternative expansion: `mod[a,b]` lists, `altgroup()`, and
//! references to modules that were expanded into alternatives (Pimlico's `load`, l.575–700).

use std::collections::HashMap;

use crate::py;

/// Looks up the outputs of a module's output group, or says why it cannot.
pub(crate) type GroupLookup<'a> = dyn Fn(&str, &str) -> Result<Vec<String>, String> + 'a;

/// What input preprocessing needs to know about modules loaded so far.
pub(crate) struct InputContext<'a> {
    /// Section (or alias) name to the names it was expanded into.
    pub expansions: &'a HashMap<String, Vec<String>>,
    /// The outputs in a module's output group, or why they cannot be had.
    pub output_group: &'a GroupLookup<'a>,
}

/// `mymod[a,b,c]` becomes `mymod[a],mymod[b],mymod[c]`.
///
/// Pimlico looks for the start of the module name one character too far along, which mangles
/// any list that is not at the start of the value (`a,b[x,y]` gave `a,b[x],[y]`); here the
/// module name starts right after the preceding `]`, `,`, `*` or `|`.
pub(crate) fn expand_alt_names_list(value: &str) -> String {
    let mut val = value.to_owned();
    let mut index = 0;
    while let Some(open) = val
        .get(index..)
        .and_then(|s| s.find('['))
        .map(|i| i + index)
    {
        let Some(close) = val[open..].find(']').map(|i| i + open) else {
            return val;
        };
        if val[open + 1..close].contains(',') {
            let mod_start = val[..open].rfind([']', ',', '*', '|']).map_or(0, |i| i + 1);
            let mod_name = &val[mod_start..open];
            let expanded: Vec<String> = val[open + 1..close]
                .split(',')
                .map(|alt| format!("{mod_name}[{alt}]"))
                .collect();
            val = format!(
                "{}{}{}",
                &val[..mod_start],
                expanded.join(","),
                &val[close + 1..]
            );
        }
        index = close + 1;
    }
    val
}

/// Replaces `altgroup(module.group)` by the group's outputs as alternatives.
pub(crate) fn expand_altgroups(value: &str, ctx: &InputContext<'_>) -> Result<String, String> {
    let mut val = value.to_owned();
    let mut rounds = 0;
    while let Some(start) = val.find("altgroup(") {
        rounds += 1;
        if rounds > 1000 {
            return Err(format!(
                "too many altgroup() expressions in input option: {value}"
            ));
        }
        let Some(end) = val[start..].find(')').map(|i| i + start) else {
            return Err(format!(
                "altgroup( without a closing bracket in input option: {val}"
            ));
        };
        let before_ok = start == 0 || val[..start].ends_with('|');
        let after_ok = end + 1 == val.len() || val[end + 1..].starts_with('|');
        if !before_ok || !after_ok {
            return Err(format!(
                "not sure how to interpret input option with altgroup() in context: {val}"
            ));
        }
        let spec = &val[start + "altgroup(".len()..end];
        let (module, Some(group)) = py::partition(spec, ".") else {
            return Err("argument to altgroup() must be module_name.output_group".to_owned());
        };
        let outputs = (ctx.output_group)(module, group)?;
        let alternatives: Vec<String> = outputs.iter().map(|o| format!("{module}.{o}")).collect();
        val = format!(
            "{}{}{}",
            &val[..start],
            alternatives.join("|"),
            &val[end + 1..]
        );
    }
    Ok(val)
}

/// One comma-list item after looking at the module it refers to.
struct Item {
    /// The item's alternatives (several when its module was expanded).
    alternatives: Vec<String>,
    /// The alternative names each alternative contributes, if any.
    names: Vec<Option<String>>,
}

/// Replaces references to expanded modules by alternatives over their expansions, naming
/// each alternative after the expansion it uses (`d[1-x]` from `input_corpora=a,b`).
pub(crate) fn expand_module_references(
    value: &str,
    key: &str,
    section: &str,
    ctx: &InputContext<'_>,
) -> Result<String, String> {
    let mut with_names = Vec::new();
    let mut without_names = Vec::new();
    for alternative in value.split('|') {
        let items: Vec<Item> = alternative
            .split(',')
            .map(|item| resolve_item(py::strip(item), ctx))
            .collect();
        let combined = combine(&items, key, section, alternative)?;
        for (n, alt) in combined.into_iter().enumerate() {
            if let Some(rest) = alt.strip_prefix('{') {
                without_names.push(py::split_once_or_all(rest, "}").1.to_owned());
                with_names.push(alt);
            } else {
                let names: Vec<&str> = items
                    .iter()
                    .filter_map(|i| i.names.get(n).and_then(|x| x.as_deref()))
                    .collect();
                if names.is_empty() {
                    with_names.push(alt.clone());
                } else {
                    with_names.push(format!("{{{}}}{alt}", names.join("-")));
                }
                without_names.push(alt);
            }
        }
    }
    if with_names.len() > 1 {
        Ok(with_names.join("|"))
    } else {
        Ok(without_names.into_iter().next().unwrap_or_default())
    }
}

fn resolve_item(item: &str, ctx: &InputContext<'_>) -> Item {
    let (module_part, rest) = py::partition(item, ".");
    let (given_name, module) = match module_part.strip_prefix('{') {
        Some(after) if after.contains('}') => {
            let (name, module) = py::split_once_or_all(after, "}");
            (Some(name), module)
        }
        _ => (None, module_part),
    };
    let expansions = ctx.expansions.get(module).filter(|e| e.len() > 1);
    match expansions {
        Some(expanded) if !module.starts_with('*') => {
            let alternatives: Vec<String> = expanded
                .iter()
                .map(|m| match rest {
                    Some(r) if !r.is_empty() => format!("{m}.{r}"),
                    _ => m.clone(),
                })
                .collect();
            let names = alternatives
                .iter()
                .map(|m| {
                    let inner = bracket_contents(m);
                    match (given_name, inner) {
                        (Some(g), Some(i)) => Some(format!("{g}_{i}")),
                        (Some(g), None) => Some(format!("{g}_None")),
                        (None, i) => i.map(str::to_owned),
                    }
                })
                .collect();
            Item {
                alternatives,
                names,
            }
        }
        _ => Item {
            alternatives: vec![item.to_owned()],
            names: vec![bracket_contents(item).map(str::to_owned)],
        },
    }
}

/// The text between the first `[` and the first `]` after it (Pimlico's `m[m.index("[")+1:m.index("]")]`).
fn bracket_contents(s: &str) -> Option<&str> {
    let open = s.find('[')?;
    let close = s.find(']')?;
    // A `]` before the `[` makes an empty Python slice.
    Some(s.get(open + 1..close).unwrap_or(""))
}

/// Zips the items of a comma list into alternatives; single items are broadcast.
fn combine(items: &[Item], key: &str, section: &str, list: &str) -> Result<Vec<String>, String> {
    if items.len() == 1 {
        return Ok(items[0].alternatives.clone());
    }
    let counts: Vec<usize> = items.iter().map(|i| i.alternatives.len()).collect();
    let n = counts.iter().copied().max().unwrap_or(1);
    // Pimlico only checks this when no item is single, and otherwise silently truncates.
    if counts.iter().any(|&c| c != 1 && c != n) {
        return Err(format!(
            "error processing alternative values for {key} to {section}. When expanding a list \
             of module names, every item in the list must have the same number of alternatives, \
             or just one alternative. Got alternative numbers '{}' from list '{list}'",
            counts
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok((0..n)
        .map(|a| {
            items
                .iter()
                .map(|i| i.alternatives.get(a).unwrap_or(&i.alternatives[0]).as_str())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alt_name_lists() {
        assert_eq!(expand_alt_names_list("sub[en,sv]"), "sub[en],sub[sv]");
        assert_eq!(expand_alt_names_list("a,b[x,y]"), "a,b[x],b[y]");
        assert_eq!(
            expand_alt_names_list("s[a,b],t[c,d]"),
            "s[a],s[b],t[c],t[d]"
        );
        assert_eq!(expand_alt_names_list("s[a,b"), "s[a,b");
        assert_eq!(expand_alt_names_list("sub[x]"), "sub[x]");
    }
}
