//! Python's `str % dict` formatting, which Pimlico uses to substitute `%(var)s` in every value.

use super::repr;

/// Why a `%` substitution failed, in Python's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PercentError {
    /// A `%(name)s` referred to a variable that does not exist (Python's `KeyError`).
    MissingKey(String),
    /// Any other formatting error: the Python exception type name and its message.
    Format {
        /// `ValueError` or `TypeError`, as Python would raise.
        exception: &'static str,
        /// Python's message.
        message: String,
    },
}

fn value_error(message: impl Into<String>) -> PercentError {
    PercentError::Format {
        exception: "ValueError",
        message: message.into(),
    }
}

fn type_error(message: impl Into<String>) -> PercentError {
    PercentError::Format {
        exception: "TypeError",
        message: message.into(),
    }
}

/// One parsed conversion specifier.
struct Spec {
    left: bool,
    width: usize,
    precision: Option<usize>,
    conversion: char,
    index: usize,
}

/// Formats `fmt % vars` as Python does when `vars` is a dict.
///
/// A specifier without a `(name)` would format the whole dict in Python (`%s` prints every
/// variable); nobody means that, so it is an error here.
pub fn percent_format<'v>(
    fmt: &str,
    lookup: impl Fn(&str) -> Option<&'v str>,
) -> Result<String, PercentError> {
    if !fmt.contains('%') {
        return Ok(fmt.to_owned());
    }
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::with_capacity(fmt.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.get(i) == Some(&'%') {
            out.push('%');
            i += 1;
            continue;
        }
        // Python looks the variable up as soon as it has read the key, before the rest.
        let key = parse_key(&chars, &mut i)?;
        let value = match &key {
            Some(key) => Some(lookup(key).ok_or_else(|| PercentError::MissingKey(key.clone()))?),
            None => None,
        };
        let spec = parse_spec(&chars, &mut i)?;
        let Some(value) = value else {
            return Err(if "sracdiuoxXeEfFgG".contains(spec.conversion) {
                no_key_error(spec.conversion)
            } else {
                unsupported(spec.conversion, spec.index)
            });
        };
        let text = convert(&spec, value)?;
        pad(&mut out, &text, &spec);
    }
    Ok(out)
}

fn parse_key(chars: &[char], i: &mut usize) -> Result<Option<String>, PercentError> {
    let mut key = None;
    if chars.get(*i) == Some(&'(') {
        let mut depth = 1;
        let mut j = *i + 1;
        while j < chars.len() && depth > 0 {
            match chars[j] {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            j += 1;
        }
        if depth > 0 {
            return Err(value_error("incomplete format key"));
        }
        key = Some(chars[*i + 1..j - 1].iter().collect());
        *i = j;
    }
    Ok(key)
}

fn parse_spec(chars: &[char], i: &mut usize) -> Result<Spec, PercentError> {
    let at = |i: usize| chars.get(i).copied();
    let mut left = false;
    while let Some(f @ ('-' | '+' | ' ' | '#' | '0')) = at(*i) {
        left |= f == '-';
        *i += 1;
    }
    let mut width = 0usize;
    if at(*i) == Some('*') {
        return Err(type_error("* wants int"));
    }
    while let Some(d) = at(*i).and_then(|c| c.to_digit(10)) {
        width = width.saturating_mul(10).saturating_add(d as usize);
        *i += 1;
    }
    let mut precision = None;
    if at(*i) == Some('.') {
        *i += 1;
        if at(*i) == Some('*') {
            return Err(type_error("* wants int"));
        }
        let mut p = 0usize;
        while let Some(d) = at(*i).and_then(|c| c.to_digit(10)) {
            p = p.saturating_mul(10).saturating_add(d as usize);
            *i += 1;
        }
        precision = Some(p);
    }
    if let Some('h' | 'l' | 'L') = at(*i) {
        *i += 1;
    }
    let Some(conversion) = at(*i) else {
        return Err(value_error("incomplete format"));
    };
    let index = *i;
    *i += 1;
    Ok(Spec {
        left,
        // Padding beyond this is certainly a typo; it would only make huge strings.
        width: width.min(4096),
        precision,
        conversion,
        index,
    })
}

fn convert(spec: &Spec, value: &str) -> Result<String, PercentError> {
    let text = match spec.conversion {
        's' => value.to_owned(),
        'r' | 'a' => repr(value),
        'c' if value.chars().count() == 1 => value.to_owned(),
        'c' => return Err(type_error("%c requires int or char")),
        c @ ('d' | 'i' | 'u') => {
            return Err(type_error(format!(
                "%{c} format: a real number is required, not str"
            )));
        }
        c @ ('o' | 'x' | 'X') => {
            return Err(type_error(format!(
                "%{c} format: an integer is required, not str"
            )));
        }
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
            return Err(type_error("must be real number, not str"));
        }
        c => return Err(unsupported(c, spec.index)),
    };
    Ok(match spec.precision {
        Some(p) if matches!(spec.conversion, 's' | 'r' | 'a') => text.chars().take(p).collect(),
        _ => text,
    })
}

fn unsupported(c: char, index: usize) -> PercentError {
    value_error(format!(
        "unsupported format character '{c}' (0x{:x}) at index {index}",
        u32::from(c)
    ))
}

fn no_key_error(conversion: char) -> PercentError {
    PercentError::Format {
        exception: "ValueError",
        message: format!(
            "'%{conversion}' without a variable name cannot be substituted: write '%(name)s' \
             for a variable, or '%%' for a literal '%'"
        ),
    }
}

fn pad(out: &mut String, text: &str, spec: &Spec) {
    let len = text.chars().count();
    let fill = spec.width.saturating_sub(len);
    if !spec.left {
        out.extend(std::iter::repeat_n(' ', fill));
    }
    out.push_str(text);
    if spec.left {
        out.extend(std::iter::repeat_n(' ', fill));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(s: &str) -> Result<String, PercentError> {
        percent_format(s, |k| match k {
            "a" => Some("xy"),
            "n" => Some("5"),
            _ => None,
        })
    }

    fn msg(s: &str) -> String {
        match fmt(s) {
            Err(PercentError::Format { exception, message }) => format!("{exception}: {message}"),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn matches_python_results() {
        assert_eq!(fmt("%(a)s/%(n)s 50%%").unwrap(), "xy/5 50%");
        assert_eq!(fmt("%(a)5s|").unwrap(), "   xy|");
        assert_eq!(fmt("%(a)-5s|").unwrap(), "xy   |");
        assert_eq!(fmt("%(a).1s").unwrap(), "x");
        assert_eq!(fmt("%(a)r").unwrap(), "'xy'");
        assert_eq!(fmt("%(n)c").unwrap(), "5");
        assert_eq!(fmt("%%(a)s").unwrap(), "%(a)s");
    }

    #[test]
    fn matches_python_errors() {
        assert_eq!(fmt("%(b)s"), Err(PercentError::MissingKey("b".into())));
        assert_eq!(
            fmt("%(a(b)c)s"),
            Err(PercentError::MissingKey("a(b)c".into()))
        );
        assert_eq!(msg("50%"), "ValueError: incomplete format");
        assert_eq!(msg("%(a)"), "ValueError: incomplete format");
        assert_eq!(msg("%(a"), "ValueError: incomplete format key");
        assert_eq!(
            msg("%(a)q"),
            "ValueError: unsupported format character 'q' (0x71) at index 4"
        );
        assert_eq!(
            msg("%5%"),
            "ValueError: unsupported format character '%' (0x25) at index 2"
        );
        assert_eq!(
            msg("%(a)d"),
            "TypeError: %d format: a real number is required, not str"
        );
        assert_eq!(
            msg("%(a)x"),
            "TypeError: %x format: an integer is required, not str"
        );
        assert_eq!(msg("%(a)f"), "TypeError: must be real number, not str");
        assert_eq!(msg("%(a)c"), "TypeError: %c requires int or char");
        assert_eq!(msg("%(a)*s"), "TypeError: * wants int");
    }
}
