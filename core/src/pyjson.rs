//! JSON text exactly as Python's `json.dumps` writes it with its default settings.
//!
//! The original writes `dump_metadata.json`, Pimarc document metadata, `corpus_metadata` and the `stats` output with
//! `json.dumps`/`json.dump`. Matching its bytes (`", "` and `": "` separators, `\uXXXX` escapes
//! for everything outside printable ASCII, Python's float `repr`) keeps archives byte-identical
//! whichever toolkit wrote them, so checksums and diffs of outputs agree.

use serde_json::{Map, Value};

/// `json.dumps(value)`: one line, separators `", "` and `": "`, `ensure_ascii=True`.
pub fn dumps(value: &Value) -> String {
    let mut out = String::new();
    write_compact(value, &mut out);
    out
}

/// `json.dumps(value, indent=n)`: items on their own lines, separators `","` and `": "`.
pub fn dumps_indent(value: &Value, indent: usize) -> String {
    let mut out = String::new();
    write_indented(value, indent, 0, &mut out);
    out
}

/// Appends `json.dumps` of a string (with quotes) to `out`.
pub fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

/// Python's `repr(float)`: the shortest digits that round-trip, in positional notation when
/// the decimal exponent is between -4 and 16, otherwise as `d.ddde+XX`.
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let decpt = exp + 1;
    let sign = if x.is_sign_negative() { "-" } else { "" };
    let body = if !(-4 < decpt && decpt <= 16) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{first}{frac}e{esign}{:02}", exp.abs())
    } else if decpt <= 0 {
        format!("0.{}{digits}", "0".repeat((-decpt) as usize))
    } else {
        let point = decpt as usize;
        if digits.len() <= point {
            format!("{digits}{}.0", "0".repeat(point - digits.len()))
        } else {
            format!("{}.{}", &digits[..point], &digits[point..])
        }
    };
    format!("{sign}{body}")
}

fn write_scalar(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => out.push_str(&i.to_string()),
            (None, Some(u), _) => out.push_str(&u.to_string()),
            (None, None, Some(f)) => out.push_str(&float_repr(f)),
            _ => out.push_str(&n.to_string()),
        },
        Value::String(s) => write_str(s, out),
        Value::Array(_) | Value::Object(_) => unreachable!("containers are written by the callers"),
    }
}

fn write_compact(value: &Value, out: &mut String) {
    match value {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_compact(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(k, out);
                out.push_str(": ");
                write_compact(v, out);
            }
            out.push('}');
        }
        _ => write_scalar(value, out),
    }
}

fn newline(indent: usize, level: usize, out: &mut String) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', indent * level));
}

fn write_indented(value: &Value, indent: usize, level: usize, out: &mut String) {
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(indent, level + 1, out);
                write_indented(item, indent, level + 1, out);
            }
            newline(indent, level, out);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(indent, level + 1, out);
                write_str(k, out);
                out.push_str(": ");
                write_indented(v, indent, level + 1, out);
            }
            newline(indent, level, out);
            out.push('}');
        }
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
        _ => write_scalar(value, out),
    }
}

/// Builds the one-key object `{"name": name}` without going through a map, for the Pimarc
/// writer's hot path. Identical to `dumps(&json!({"name": name}))`.
pub fn name_only_metadata(name: &str, out: &mut String) {
    out.push_str("{\"name\": ");
    write_str(name, out);
    out.push('}');
}

/// `json.dumps` of `metadata` with `"name"` set to `name`, where Python's dict assignment keeps
/// an existing key's position and appends a new one.
pub fn metadata_with_name(metadata: &Map<String, Value>, name: &str) -> String {
    let mut map = metadata.clone();
    map.insert("name".to_string(), Value::String(name.to_string()));
    dumps(&Value::Object(map))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_match_python_repr() {
        for (x, s) in [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (2.5, "2.5"),
            (0.1, "0.1"),
            (1.0 / 3.0, "0.3333333333333333"),
            (10.0 / 3.0, "3.3333333333333335"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (1234567890123456.0, "1234567890123456.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (123.456, "123.456"),
            (1e100, "1e+100"),
            (-2.5e-300, "-2.5e-300"),
        ] {
            assert_eq!(float_repr(x), s, "repr of {x:e}");
        }
    }

    #[test]
    fn compact_and_indented_match_python() {
        let v =
            json!({"name": "caf\u{e9} \u{1F600}\t\"x\"\u{7f}", "n": [1, 2.0, null, true], "e": {}});
        assert_eq!(
            dumps(&v),
            r#"{"name": "caf\u00e9 \ud83d\ude00\t\"x\"\u007f", "n": [1, 2.0, null, true], "e": {}}"#
        );
        assert_eq!(
            dumps_indent(&json!({"a": 1, "b": [1, {"c": []}]}), 4),
            "{\n    \"a\": 1,\n    \"b\": [\n        1,\n        {\n            \"c\": []\n        }\n    ]\n}"
        );
    }

    #[test]
    fn metadata_name_keeps_position_or_appends() {
        let m = json!({"name": "old", "x": 1});
        assert_eq!(
            metadata_with_name(m.as_object().unwrap(), "new"),
            r#"{"name": "new", "x": 1}"#
        );
        let m = json!({"x": 1});
        assert_eq!(
            metadata_with_name(m.as_object().unwrap(), "n"),
            r#"{"x": 1, "name": "n"}"#
        );
        let mut s = String::new();
        name_only_metadata("d\u{e9}", &mut s);
        assert_eq!(s, r#"{"name": "d\u00e9"}"#);
    }
}
