//! Module variables: inheritance from inputs, `modvar_*` assignments and `$(...)`
//! substitution into option values and input specs (Pimlico's `load`, l.1477–1792).

mod expr;

use std::borrow::Cow;

use indexmap::IndexMap;

use crate::model::ModVarValue;
pub(crate) use expr::Env;
use expr::{MAX_LIST, extend, parse, too_long};

/// The variables received on one input: borrowed from the upstream module when there is a
/// single connection (the common case), collected into lists otherwise.
pub(crate) type InputVars<'m> = Cow<'m, IndexMap<String, ModVarValue>>;

/// Variables merged over all inputs, and those received on each input.
pub(crate) type Inherited<'m> = (
    IndexMap<String, ModVarValue>,
    IndexMap<String, InputVars<'m>>,
);

/// Variables received on each input: several connections on one input make lists; across
/// inputs, later values replace earlier ones. Returns the merged variables and those per input.
pub(crate) fn inherit<'m>(
    inputs: impl IntoIterator<Item = (String, Vec<&'m IndexMap<String, ModVarValue>>)>,
) -> Result<Inherited<'m>, String> {
    let mut merged = IndexMap::new();
    let mut per_input = IndexMap::new();
    for (input, modules) in inputs {
        let group = match modules.as_slice() {
            [] => Cow::Owned(IndexMap::new()),
            [single] => Cow::Borrowed(*single),
            _ => Cow::Owned(collect(&input, &modules)?),
        };
        merged.extend(group.iter().map(|(k, v)| (k.clone(), v.clone())));
        per_input.insert(input, group);
    }
    Ok((merged, per_input))
}

/// The variables of several connections on one input, values of the same name made a list.
fn collect(
    input: &str,
    modules: &[&IndexMap<String, ModVarValue>],
) -> Result<IndexMap<String, ModVarValue>, String> {
    let mut group: IndexMap<String, ModVarValue> = IndexMap::new();
    for vars in modules {
        for (name, value) in *vars {
            match group.get_mut(name) {
                None => {
                    group.insert(name.clone(), value.clone());
                }
                Some(existing) => {
                    let mut list = match std::mem::replace(existing, ModVarValue::List(vec![])) {
                        ModVarValue::List(items) => items,
                        ModVarValue::Str(s) => vec![s],
                    };
                    extend(&mut list, value.clone());
                    if too_long(&list) {
                        return Err(format!(
                            "module variable '{name}' collects more than {MAX_LIST} values from \
                             input '{input}'"
                        ));
                    }
                    *existing = ModVarValue::List(list);
                }
            }
        }
    }
    Ok(group)
}

/// Applies `modvar_<name>=<expr>` assignments in order; `none` and `undefined` remove a
/// variable. Errors carry the assignment's key.
pub(crate) fn assign(
    vars: &mut IndexMap<String, ModVarValue>,
    assignments: &[(String, String)],
    env_params: &[crate::alternatives::ParamSetting],
    inputs: &IndexMap<String, InputVars<'_>>,
) -> Result<(), (String, String)> {
    for (key, raw) in assignments {
        let val = crate::py::strip(&raw.replace('\n', " ")).to_owned();
        if val == "none" || val == "undefined" {
            vars.shift_remove(key);
            continue;
        }
        let fail = |e: String| {
            (
                key.clone(),
                format!("could not parse module variable '{key} = {val}': {e}"),
            )
        };
        let (first, rest) = {
            let env = Env {
                vars,
                params: env_params,
                inputs,
            };
            let (v, rest) = parse(&val, &env).map_err(fail)?;
            (v, rest.to_owned())
        };
        vars.insert(key.clone(), first);
        let mut rest = crate::py::strip(&rest).to_owned();
        while let Some(after) = rest.strip_prefix(',') {
            let (next, tail) = {
                let env = Env {
                    vars,
                    params: env_params,
                    inputs,
                };
                let (v, tail) = parse(after, &env).map_err(fail)?;
                (v, tail.to_owned())
            };
            if let Some(existing) = vars.get_mut(key) {
                let mut list = match std::mem::replace(existing, ModVarValue::List(Vec::new())) {
                    ModVarValue::List(items) => items,
                    ModVarValue::Str(s) => vec![s],
                };
                extend(&mut list, next);
                if too_long(&list) {
                    return Err(fail(format!(
                        "the list would have more than {MAX_LIST} values"
                    )));
                }
                *existing = ModVarValue::List(list);
            }
            rest = crate::py::strip(&tail).to_owned();
        }
        if !rest.is_empty() {
            return Err(fail(format!("unexpected string: {rest}")));
        }
    }
    Ok(())
}

/// Products of list substitutions larger than this are refused.
const MAX_COMBINATIONS: usize = 100_000;

/// Replaces each `$(...)` in an option value; a list-valued expression is an error.
pub(crate) fn substitute_one(key: &str, val: &str, env: &Env<'_>) -> Result<String, String> {
    let mut out = substitute(key, val, env, false)?;
    Ok(out.pop().unwrap_or_default())
}

/// Replaces each `$(...)` in an input spec; a list-valued expression gives one spec per item
/// (every combination, when there are several).
pub(crate) fn substitute_many(key: &str, val: &str, env: &Env<'_>) -> Result<Vec<String>, String> {
    substitute(key, val, env, true)
}

/// Substituted text is not scanned again (Pimlico re-scanned it, so a variable whose value
/// contained `$(` could loop forever).
fn substitute(
    key: &str,
    val: &str,
    env: &Env<'_>,
    expand_lists: bool,
) -> Result<Vec<String>, String> {
    if !val.contains("$(") {
        return Ok(vec![val.to_owned()]);
    }
    let mut parts: Vec<Vec<String>> = Vec::new();
    let mut text = String::new();
    let mut rest = val;
    while let Some(start) = rest.find("$(") {
        text.push_str(&rest[..start]);
        let (value, after) = parse(&rest[start + 2..], env).map_err(|e| {
            format!("could not parse module variable expression '{key} = {val}': {e}")
        })?;
        let after = crate::py::lstrip(after);
        let Some(close) = after.chars().next() else {
            return Err(format!(
                "reached end of parameter before finding closing bracket of modvar substitution \
                 $(...): {val}"
            ));
        };
        if close != ')' {
            return Err(format!(
                "expected closing bracket after modvar substitution $(...), but got '{close}' in \
                 parameter: {val}"
            ));
        }
        rest = &after[1..];
        match value {
            ModVarValue::Str(s) => text.push_str(&s),
            ModVarValue::List(items) if expand_lists => {
                parts.push(vec![std::mem::take(&mut text)]);
                parts.push(items);
            }
            ModVarValue::List(items) => {
                return Err(format!(
                    "tried to substitute a modvar expression that evaluates to a list of values \
                     into a string: {}",
                    items.join(", ")
                ));
            }
        }
    }
    text.push_str(rest);
    if parts.is_empty() {
        return Ok(vec![text]);
    }
    parts.push(vec![text]);
    let total = parts
        .iter()
        .try_fold(1usize, |acc, p| acc.checked_mul(p.len()));
    if total.is_none_or(|t| t > MAX_COMBINATIONS) {
        return Err(format!(
            "modvar substitution in {key} makes more than {MAX_COMBINATIONS} values: {val}"
        ));
    }
    // The first list varies slowest, as in Pimlico's `_expand`.
    let mut out = vec![String::new()];
    for part in parts {
        out = out
            .iter()
            .flat_map(|prefix| part.iter().map(move |p| format!("{prefix}{p}")))
            .collect();
    }
    Ok(out)
}
