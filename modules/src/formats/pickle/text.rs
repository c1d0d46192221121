//! The text literals of pickle protocol 0 (`INT`, `LONG`, `FLOAT`, `STRING`, `UNICODE`).

use super::value::PyValue;

/// `INT`/`LONG` line: a decimal integer; `01`/`00` are protocol 0's `True`/`False`.
pub fn parse_int_line(line: &str) -> Option<PyValue> {
    match line.trim() {
        "01" => Some(PyValue::Bool(true)),
        "00" => Some(PyValue::Bool(false)),
        s => s.parse::<i128>().ok().map(PyValue::Int),
    }
}

/// `FLOAT` line: Python's `repr` of a float.
pub fn parse_float_line(line: &str) -> Option<f64> {
    match line.trim() {
        "nan" => Some(f64::NAN),
        "inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        s => s.parse().ok(),
    }
}

/// `STRING` line: a Python 2 `repr` of a byte string, quoted with `'` or `"`.
pub fn parse_string_literal(line: &[u8]) -> Option<Vec<u8>> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let (&q, rest) = line.split_first()?;
    if q != b'\'' && q != b'"' {
        return None;
    }
    let body = rest.strip_suffix(&[q])?;
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        i += 1;
        if b != b'\\' {
            out.push(b);
            continue;
        }
        let e = *body.get(i)?;
        i += 1;
        match e {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'v' => out.push(11),
            b'\\' | b'\'' | b'"' => out.push(e),
            b'\n' => {}
            b'x' => {
                let hex = std::str::from_utf8(body.get(i..i + 2)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                for _ in 0..2 {
                    match body.get(i) {
                        Some(d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                        }
                        _ => break,
                    }
                }
                out.push((v & 0xff) as u8);
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    Some(out)
}

/// `UNICODE` line: raw-unicode-escape, i.e. Latin-1 bytes with `\uXXXX` and `\UXXXXXXXX`.
pub fn raw_unicode_escape(line: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if b == b'\\' && matches!(line.get(i + 1), Some(b'u') | Some(b'U')) {
            let n = if line[i + 1] == b'u' { 4 } else { 8 };
            let hex = std::str::from_utf8(line.get(i + 2..i + 2 + n)?).ok()?;
            out.push(char::from_u32(u32::from_str_radix(hex, 16).ok()?)?);
            i += 2 + n;
        } else {
            out.push(char::from(b));
            i += 1;
        }
    }
    Some(out)
}
