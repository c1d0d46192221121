//! configparser's `BasicInterpolation`, which the local config uses: `%(key)s` refers to
//! another key of the same file, `%%` is a literal `%`.

use indexmap::IndexMap;

use crate::ini::Entry;
use crate::py::repr;

/// configparser's `MAX_INTERPOLATION_DEPTH`.
const MAX_DEPTH: usize = 10;
/// Interpolated values longer than this are refused (nested references can multiply text).
const MAX_LEN: usize = 1 << 20;

/// The interpolated value of `option` in section `main`, or configparser's message.
pub(super) fn interpolate(option: &str, map: &IndexMap<String, Entry>) -> Result<String, String> {
    let raw = map.get(option).map_or("", |e| e.value.as_str());
    let mut out = String::new();
    interpolate_some(option, raw, raw, map, 1, &mut out)?;
    Ok(out)
}

fn interpolate_some(
    option: &str,
    raw: &str,
    mut rest: &str,
    map: &IndexMap<String, Entry>,
    depth: usize,
    out: &mut String,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "Recursion limit exceeded in value substitution: option {} in section 'main' contains \
             an interpolation key which cannot be substituted in {MAX_DEPTH} steps. Raw value: {}",
            repr(option),
            repr(raw)
        ));
    }
    while !rest.is_empty() {
        if out.len() > MAX_LEN {
            return Err(format!(
                "value of option {} becomes longer than {MAX_LEN} characters after substitution",
                repr(option)
            ));
        }
        let Some(p) = rest.find('%') else {
            out.push_str(rest);
            return Ok(());
        };
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        if let Some(after) = rest.strip_prefix("%%") {
            out.push('%');
            rest = after;
        } else if rest.starts_with("%(") {
            let name_end = rest[2..].find(')').map(|i| i + 2);
            let Some(end) = name_end.filter(|&e| e > 2 && rest[e + 1..].starts_with('s')) else {
                return Err(format!(
                    "bad interpolation variable reference {}",
                    repr(rest)
                ));
            };
            let var = rest[2..end].to_lowercase();
            rest = &rest[end + 2..];
            let Some(value) = map.get(&var) else {
                return Err(format!(
                    "Bad value substitution: option {} in section 'main' contains an \
                     interpolation key {} which is not a valid option name. Raw value: {}",
                    repr(option),
                    repr(&var),
                    repr(raw)
                ));
            };
            if value.value.contains('%') {
                interpolate_some(option, raw, &value.value, map, depth + 1, out)?;
            } else {
                out.push_str(&value.value);
            }
        } else {
            return Err(format!(
                "'%' must be followed by '%' or '(', found: {}",
                repr(rest)
            ));
        }
    }
    Ok(())
}
