//! Alternatives: `a|b` values expand a section into several modules (Pimlico's `load`,
//! l.700–980): splitting values, tying parameters, multiplying them out and naming the results.

pub(crate) mod inputs;
mod naming;

use indexmap::IndexMap;

use crate::error::ErrorKind;
use crate::load::setting::Setting;
use crate::py;
pub(crate) use naming::AltNaming;

/// A failure: the kind of error and Pimlico's message.
pub(crate) type Fail = (ErrorKind, String);

/// Sections expanding into more modules than this are refused: the product of alternatives
/// grows fast, and a typo should not exhaust memory.
pub(crate) const MAX_EXPANSIONS: usize = 100_000;

/// One parameter value of an expansion: the key, the value and the name of the alternative
/// (`None` when a tied parameter's name was dropped because it repeats the first one's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParamSetting {
    pub key: String,
    pub value: String,
    pub name: Option<String>,
}

/// One module a section expands into.
#[derive(Debug, Clone)]
pub(crate) struct Expansion {
    /// The text between the brackets of `section[...]`.
    pub alt_name: String,
    /// The module's settings: its alternative values first, then the fixed ones.
    pub settings: IndexMap<String, Setting>,
    /// The alternative values chosen, in expansion order.
    pub params: Vec<ParamSetting>,
}

/// How `tie_alts` groups parameters.
enum Tie {
    None,
    All,
    Groups(Vec<Vec<String>>),
}

fn parse_tie(raw: &str) -> Tie {
    match raw.to_lowercase().as_str() {
        "" | "0" | "f" | "false" | "n" | "no" => Tie::None,
        "1" | "t" | "true" | "y" | "yes" => Tie::All,
        _ => Tie::Groups(
            raw.split(' ')
                .map(|g| g.split('|').map(str::to_owned).collect())
                .collect(),
        ),
    }
}

/// A parameter with alternative values: `(value, name)` per alternative.
type AltParam = (String, Vec<(String, String)>);

fn split_alternatives(value: &str) -> Result<Vec<(String, String)>, String> {
    value
        .split('|')
        .map(py::strip)
        .map(|alt| match alt.strip_prefix('{') {
            Some(rest) => match rest.find('}') {
                Some(i) => Ok((py::strip(&rest[i + 1..]).to_owned(), rest[..i].to_owned())),
                None => Err(format!(
                    "alternative '{alt}' starts a name with '{{' but has no closing '}}'"
                )),
            },
            None => Ok((alt.to_owned(), alt.to_owned())),
        })
        .collect()
}

/// Expands a module's settings over its alternatives. `None` when no value has a `|`.
pub(crate) fn expand(
    section: &str,
    settings: &IndexMap<String, Setting>,
    tie_alts: &str,
    alt_naming: &str,
) -> Result<Option<Vec<Expansion>>, Fail> {
    if !settings.values().any(|s| s.value.contains('|')) {
        return Ok(None);
    }
    let mut with_alts: Vec<AltParam> = Vec::new();
    let mut fixed = IndexMap::new();
    for (key, setting) in settings {
        if setting.value.contains('|') {
            let alts = split_alternatives(&setting.value).map_err(|m| (ErrorKind::Parse, m))?;
            with_alts.push((key.clone(), alts));
        } else {
            fixed.insert(key.clone(), setting.clone());
        }
    }
    let groups = group_params(section, with_alts, &fixed, parse_tie(tie_alts))?;
    let total = groups.iter().try_fold(1usize, |acc, g| {
        acc.checked_mul(g.first().map_or(1, |p| p.1.len()))
    });
    if total.is_none_or(|t| t > MAX_EXPANSIONS) {
        return Err((
            ErrorKind::Parse,
            format!(
                "module {section} would expand into more than {MAX_EXPANSIONS} alternatives: \
                 check its '|' values"
            ),
        ));
    }
    let combos = multiply(&groups).map_err(|m| {
        (
            ErrorKind::Structure,
            format!("could not tie parameters to {section}: {m}"),
        )
    })?;
    let naming = AltNaming::parse(alt_naming, section)?;
    let mut out = Vec::with_capacity(combos.len());
    for params in combos {
        let alt_name = naming.name(&params, section)?;
        check_valid_alt_name(&alt_name).map_err(|m| {
            (
                ErrorKind::Parse,
                format!("invalid alt name for module {section}: {m}"),
            )
        })?;
        let mut expanded = IndexMap::with_capacity(settings.len());
        for p in &params {
            let loc = settings.get(&p.key).map(|s| s.loc).unwrap_or_default();
            expanded.insert(p.key.clone(), Setting::new(p.value.clone(), loc));
        }
        for (k, v) in &fixed {
            expanded.insert(k.clone(), v.clone());
        }
        out.push(Expansion {
            alt_name,
            settings: expanded,
            params,
        });
    }
    Ok(Some(out))
}

/// Tied groups (in order of first appearance), then each untied parameter on its own.
fn group_params(
    section: &str,
    with_alts: Vec<AltParam>,
    fixed: &IndexMap<String, Setting>,
    tie: Tie,
) -> Result<Vec<Vec<AltParam>>, Fail> {
    let groups = match tie {
        Tie::All => return Ok(vec![with_alts]),
        Tie::None => Vec::new(),
        Tie::Groups(groups) => groups,
    };
    for name in groups.iter().flatten() {
        if !with_alts.iter().any(|(k, _)| k == name) {
            let why = if fixed.contains_key(name) {
                "but doesn't have any alternative values"
            } else {
                "but isn't given as one of the module's parameters"
            };
            return Err((
                ErrorKind::Structure,
                format!(
                    "parameter '{name}' was specified in tie_alts for module '{section}', {why}"
                ),
            ));
        }
    }
    let mut tied: IndexMap<usize, Vec<AltParam>> = IndexMap::new();
    let mut untied = Vec::new();
    for param in with_alts {
        match groups.iter().position(|g| g.contains(&param.0)) {
            Some(n) => tied.entry(n).or_default().push(param),
            None => untied.push(vec![param]),
        }
    }
    Ok(tied.into_values().chain(untied).collect())
}

/// Pimlico's `multiply_alternatives`: every combination, the first group varying fastest.
fn multiply(groups: &[Vec<AltParam>]) -> Result<Vec<Vec<ParamSetting>>, String> {
    // Pimlico checks the last group first.
    for group in groups.iter().rev() {
        let counts: Vec<usize> = group.iter().map(|(_, alts)| alts.len()).collect();
        if counts.iter().any(|&c| c != counts[0]) {
            return Err(format!(
                "parameters {} do not all have the same number of alternative values ({}): \
                 cannot tie them",
                group
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                counts
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    let mut result: Vec<Vec<ParamSetting>> = vec![Vec::new()];
    for group in groups {
        let n = group.first().map_or(0, |(_, alts)| alts.len());
        // Tied parameters whose alternatives always share a name are named once.
        let collapse = group.len() > 1
            && (0..n).all(|i| group.iter().all(|(_, alts)| alts[i].1 == group[0].1[i].1));
        let mut next = Vec::with_capacity(result.len() * n);
        for i in 0..n {
            for prefix in &result {
                let mut combo = prefix.clone();
                for (j, (key, alts)) in group.iter().enumerate() {
                    combo.push(ParamSetting {
                        key: key.clone(),
                        value: alts[i].0.clone(),
                        name: (!collapse || j == 0).then(|| alts[i].1.clone()),
                    });
                }
                next.push(combo);
            }
        }
        result = next;
    }
    Ok(result)
}

/// Pimlico's `_check_valid_alt_name`.
fn check_valid_alt_name(name: &str) -> Result<(), String> {
    for (bad, shown) in [
        ("[", "["),
        ("]", "]"),
        (",", ","),
        ("|", "|"),
        ("\n", "newline"),
    ] {
        if name.contains(bad) {
            return Err(format!(
                "module alternative name '{name}' is invalid: alt names may not include '{shown}'"
            ));
        }
    }
    Ok(())
}
