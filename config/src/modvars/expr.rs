//! The module-variable expression language (Pimlico's `_parse_modvar_param`): `"literal"`, int
//! literals, `var`, `input.var`, `var[i]`, `altname(p)`, `map(v, "a" -> "b" * -> "c")`,
//! `join(sep, list)` and `len(list)`.

use indexmap::IndexMap;

use crate::alternatives::ParamSetting;
use crate::model::ModVarValue;
use crate::py;

/// Expressions nested deeper than this are refused rather than exhausting the stack.
const MAX_DEPTH: usize = 64;

/// What an expression can see.
pub(crate) struct Env<'a> {
    /// The module's variables so far.
    pub vars: &'a IndexMap<String, ModVarValue>,
    /// The alternative values this expansion of the module uses.
    pub params: &'a [ParamSetting],
    /// Variables received on each input.
    pub inputs: &'a IndexMap<String, super::InputVars<'a>>,
}

/// Python's `str()` of a value, as Pimlico's messages show it.
pub(crate) fn show(v: &ModVarValue) -> String {
    match v {
        ModVarValue::Str(s) => s.clone(),
        ModVarValue::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| py::repr(i))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Lists longer than this are refused: repeated `x, x` assignments down a pipeline would
/// otherwise double without bound.
pub(crate) const MAX_LIST: usize = 100_000;

/// Appends `v` to `list`, flattening lists (values never nest here). Stops growing at
/// [`MAX_LIST`] items; callers check [`too_long`].
pub(crate) fn extend(list: &mut Vec<String>, v: ModVarValue) {
    match v {
        ModVarValue::Str(s) => list.push(s),
        ModVarValue::List(items) => {
            let room = MAX_LIST.saturating_sub(list.len());
            list.extend(items.into_iter().take(room + 1));
        }
    }
}

/// Whether a list has reached the size limit.
pub(crate) fn too_long(list: &[String]) -> bool {
    list.len() > MAX_LIST
}

/// Parses one expression at the start of `text`; returns its value and the rest.
pub(crate) fn parse<'t>(text: &'t str, env: &Env<'_>) -> Result<(ModVarValue, &'t str), String> {
    parse_at(text, env, 0)
}

fn parse_at<'t>(
    text: &'t str,
    env: &Env<'_>,
    depth: usize,
) -> Result<(ModVarValue, &'t str), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "expression nested more than {MAX_DEPTH} levels deep"
        ));
    }
    let d = depth + 1;
    if let Some(rest) = text.strip_prefix('"') {
        let Some(end) = rest.find('"') else {
            let start: String = text.chars().take(10).collect();
            return Err(format!("unmatched quote at '{start}'"));
        };
        return Ok((ModVarValue::Str(rest[..end].to_owned()), &rest[end + 1..]));
    }
    if let Some(rest) = text.strip_prefix("altname(") {
        let (inner, rest) = py::split_once_or_all(rest, ")");
        let inner = py::strip(inner);
        let Some(p) = env.params.iter().rev().find(|p| p.key == inner) else {
            return Err(format!(
                "parameter '{inner}' either was not specified for the module or did not have \
                 alternative values, so we can't take a variable value from the name of its \
                 alternative ('altname()')"
            ));
        };
        let value = p.name.clone().unwrap_or_else(|| p.value.clone());
        return Ok((ModVarValue::Str(value), rest));
    }
    if let Some(rest) = text.strip_prefix("map(") {
        return parse_map(rest, env, d);
    }
    if let Some(rest) = text.strip_prefix("join(") {
        return parse_join(rest, env, d);
    }
    if let Some(rest) = text.strip_prefix("len(") {
        let (list, rest) = parse_at(rest, env, d)?;
        let ModVarValue::List(items) = list else {
            return Err(format!(
                "argument to len() function must be a list. Got: {}",
                show(&list)
            ));
        };
        let rest = py::lstrip(rest);
        let Some(rest) = rest.strip_prefix(')') else {
            return Err("expected closing ) after len's arg".to_owned());
        };
        return Ok((ModVarValue::Str(items.len().to_string()), rest));
    }
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        return Ok((ModVarValue::Str(text[..digits].to_owned()), &text[digits..]));
    }
    parse_variable(text, env, d)
}

fn parse_map<'t>(text: &'t str, env: &Env<'_>, d: usize) -> Result<(ModVarValue, &'t str), String> {
    let (to_map, rest) = parse_at(py::strip(text), env, d)?;
    let Some(rest) = py::strip(rest).strip_prefix(',') else {
        return Err(
            "map(val, mapping) must take two arguments: the second is the mapping to apply"
                .to_owned(),
        );
    };
    let mut rest = py::strip(rest);
    let mut mapping: IndexMap<String, ModVarValue> = IndexMap::new();
    let mut default = None;
    loop {
        rest = py::strip(rest);
        if let Some(r) = rest.strip_prefix(')') {
            rest = r;
            break;
        }
        let from = match rest.strip_prefix('*') {
            Some(r) => {
                rest = py::strip(r);
                None
            }
            None => {
                let (from, r) = parse_at(rest, env, d)?;
                rest = py::strip(r);
                Some(from)
            }
        };
        let Some(r) = rest.strip_prefix("->") else {
            return Err(format!(
                "syntax error in map: expected '->', but got '{rest}'"
            ));
        };
        let (to, r) = parse_at(py::strip(r), env, d)?;
        rest = r;
        match from {
            None => default = Some(to),
            Some(ModVarValue::Str(s)) => {
                mapping.insert(s, to);
            }
            Some(ModVarValue::List(items)) => {
                for item in items {
                    mapping.insert(item, to.clone());
                }
            }
        }
    }
    let apply = |v: &str| -> Result<ModVarValue, String> {
        mapping.get(v).or(default.as_ref()).cloned().ok_or_else(|| {
            format!("mapping got unknown input value '{v}' and has no default ('*') mapping")
        })
    };
    let value = match to_map {
        ModVarValue::Str(s) => apply(&s)?,
        ModVarValue::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                extend(&mut out, apply(&item)?);
            }
            ModVarValue::List(out)
        }
    };
    Ok((value, rest))
}

fn parse_join<'t>(
    text: &'t str,
    env: &Env<'_>,
    d: usize,
) -> Result<(ModVarValue, &'t str), String> {
    let (joiner, rest) = parse_at(text, env, d)?;
    let ModVarValue::Str(joiner) = joiner else {
        return Err(
            "first argument to join() function should be a string to use as the joiner. Got a \
             list"
                .to_owned(),
        );
    };
    let Some(rest) = py::lstrip(rest).strip_prefix(',') else {
        return Err("join() expects 2 arguments: a joiner and a list to join".to_owned());
    };
    let (list, rest) = parse_at(py::lstrip(rest), env, d)?;
    let ModVarValue::List(items) = list else {
        return Err(format!(
            "second argument to join() function must be a list. Got: {}",
            show(&list)
        ));
    };
    let Some(rest) = py::lstrip(rest).strip_prefix(')') else {
        return Err("expected closing ) after join's args".to_owned());
    };
    Ok((ModVarValue::Str(items.join(&joiner)), rest))
}

/// Length of `[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)?` at the start of `text`.
fn variable_name_len(text: &str) -> usize {
    let b = text.as_bytes();
    let word = |c: &u8| c.is_ascii_alphanumeric() || *c == b'_';
    if !b
        .first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
    {
        return 0;
    }
    let mut n = 1 + b[1..].iter().take_while(|c| word(c)).count();
    if b.get(n) == Some(&b'.') {
        let more = b[n + 1..].iter().take_while(|c| word(c)).count();
        if more > 0 {
            n += 1 + more;
        }
    }
    n
}

fn parse_variable<'t>(
    text: &'t str,
    env: &Env<'_>,
    d: usize,
) -> Result<(ModVarValue, &'t str), String> {
    let n = variable_name_len(text);
    if n == 0 {
        return Err(format!(
            "could not parse variable name at start of '{text}'"
        ));
    }
    let (name, rest) = text.split_at(n);
    let value = match name.split_once('.') {
        Some((input, var)) => {
            let Some(vars) = env.inputs.get(input) else {
                return Err(format!(
                    "tried to get variable '{var}' from input '{input}', but could not find that \
                     input. Available inputs are: {}",
                    env.inputs
                        .keys()
                        .map(String::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            };
            vars.get(var).ok_or_else(|| {
                format!(
                    "tried to get variable '{var}' from input '{input}', but the input module \
                     doesn't have a variable of that name"
                )
            })?
        }
        None => env
            .vars
            .get(name)
            .ok_or_else(|| format!("unknown module variable '{name}'"))?,
    };
    let Some(rest) = rest.strip_prefix('[') else {
        return Ok((value.clone(), rest));
    };
    let ModVarValue::List(items) = value else {
        return Err("[]-expression can only be applied to list-type modvar expressions".to_owned());
    };
    let (index, rest) = parse_at(py::lstrip(rest), env, d)?;
    let Some(rest) = py::lstrip(rest).strip_prefix(']') else {
        return Err("expected closing ] after list-item specifier".to_owned());
    };
    let ModVarValue::Str(index) = index else {
        return Err("cannot use a list to select an item from a list".to_owned());
    };
    let i = py::parse_int(&index)
        .ok_or_else(|| format!("list-item specifier must be an integer: got '{index}'"))?;
    // Python indexing: negative values count from the end.
    let len = items.len() as i64;
    let pos = if i < 0 { i + len } else { i };
    let item = usize::try_from(pos)
        .ok()
        .and_then(|p| items.get(p))
        .ok_or_else(|| format!("list index {i} is out of range for a list of {len} values"))?;
    Ok((ModVarValue::Str(item.clone()), rest))
}
