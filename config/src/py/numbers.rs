//! Python's `int()` and `float()` on strings, which Pimlico's option types rely on.

use super::strip;

/// Checks Python's digit-part grammar (`digit (["_"] digit)*`) and returns it without underscores.
fn digit_part(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    if bytes.is_empty() || !bytes[0].is_ascii_digit() || !bytes[bytes.len() - 1].is_ascii_digit() {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut prev_underscore = false;
    for &b in bytes {
        match b {
            b'_' if prev_underscore => return None,
            b'_' => prev_underscore = true,
            b if b.is_ascii_digit() => {
                prev_underscore = false;
                out.push(char::from(b));
            }
            _ => return None,
        }
    }
    Some(out)
}

fn split_sign(s: &str) -> (bool, &str) {
    match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    }
}

/// Python's `int(s)` in base 10. `None` when Python would raise `ValueError`, or when the
/// value does not fit in 64 bits.
pub fn parse_int(s: &str) -> Option<i64> {
    let (negative, rest) = split_sign(strip(s));
    let digits = digit_part(rest)?;
    let magnitude: i128 = digits.parse().ok()?;
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

/// Python's `float(s)`. `None` when Python would raise `ValueError`.
pub fn parse_float(s: &str) -> Option<f64> {
    let (negative, rest) = split_sign(strip(s));
    let lower = rest.to_ascii_lowercase();
    let magnitude = match lower.as_str() {
        "inf" | "infinity" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => decimal(rest)?,
    };
    Some(if negative { -magnitude } else { magnitude })
}

fn decimal(s: &str) -> Option<f64> {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int_part, frac_part) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], Some(&mantissa[i + 1..])),
        None => (mantissa, None),
    };
    let int_digits = if int_part.is_empty() {
        String::new()
    } else {
        digit_part(int_part)?
    };
    let frac_digits = match frac_part {
        Some("") | None => String::new(),
        Some(f) => digit_part(f)?,
    };
    if int_digits.is_empty() && frac_digits.is_empty() {
        return None;
    }
    let mut text = format!("{int_digits}.{frac_digits}");
    if text.starts_with('.') {
        text.insert(0, '0');
    }
    if text.ends_with('.') {
        text.push('0');
    }
    if let Some(e) = exponent {
        let (neg, digits) = split_sign(e);
        let digits = digit_part(digits)?;
        text.push('e');
        if neg {
            text.push('-');
        }
        text.push_str(&digits);
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_like_python() {
        assert_eq!(parse_int(" 42 "), Some(42));
        assert_eq!(parse_int("-1_000"), Some(-1000));
        assert_eq!(parse_int("+007"), Some(7));
        assert_eq!(parse_int("1__0"), None);
        assert_eq!(parse_int("_1"), None);
        assert_eq!(parse_int("1.0"), None);
        assert_eq!(parse_int(""), None);
        assert_eq!(parse_int("99999999999999999999999"), None);
    }

    #[test]
    fn floats_like_python() {
        assert_eq!(parse_float("0.5"), Some(0.5));
        assert_eq!(parse_float(" .5 "), Some(0.5));
        assert_eq!(parse_float("5."), Some(5.0));
        assert_eq!(parse_float("1_0.2_5e1_0"), Some(10.25e10));
        assert_eq!(parse_float("-1E-2"), Some(-0.01));
        assert_eq!(parse_float("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(parse_float("nan").unwrap().is_nan());
        assert_eq!(parse_float("."), None);
        assert_eq!(parse_float("1e"), None);
        assert_eq!(parse_float("abc"), None);
        assert_eq!(parse_float("0x10"), None);
    }
}
