//! Python string semantics the formats depend on.

/// Python's `str.splitlines()`: splits on `\n`, `\r`, `\r\n`, `\x0b`, `\x0c`, `\x1c`, `\x1d`,
/// `\x1e`, `\x85`, `\u2028` and `\u2029`, with no empty item after a final line break.
///
/// The original reads string lists (and the text modules split documents) this way, so a
/// file that contains a form feed or a Unicode line separator splits exactly as it did there.
pub fn splitlines(s: &str) -> SplitLines<'_> {
    SplitLines { rest: s }
}

/// Iterator returned by [`splitlines`].
#[derive(Debug, Clone)]
pub struct SplitLines<'a> {
    rest: &'a str,
}

#[cfg(test)]
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\u{b}'
            | '\u{c}'
            | '\u{1c}'
            | '\u{1d}'
            | '\u{1e}'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// The position and length of the first line break in `s`, scanning bytes: the ASCII breaks
/// are single bytes, and `\x85`, `\u2028`, `\u2029` are `C2 85`, `E2 80 A8`, `E2 80 A9` (lead
/// bytes never occur inside another character's encoding).
fn find_line_break(s: &str) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' | 0x0b | 0x0c | 0x1c..=0x1e => return Some((i, 1)),
            b'\r' => return Some((i, if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 })),
            0xc2 if b.get(i + 1) == Some(&0x85) => return Some((i, 2)),
            0xe2 if b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0xa8 | 0xa9)) => {
                return Some((i, 3));
            }
            _ => i += 1,
        }
    }
    None
}

impl<'a> Iterator for SplitLines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        match find_line_break(self.rest) {
            None => {
                let line = self.rest;
                self.rest = "";
                Some(line)
            }
            Some((i, len)) => {
                let line = &self.rest[..i];
                self.rest = &self.rest[i + len..];
                Some(line)
            }
        }
    }
}

/// Python's `str.isspace()` for one character: Unicode white space plus the ASCII
/// separators `\x1c` to `\x1f`, which Python counts and Rust's `char::is_whitespace` does not.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.strip()` with no argument.
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

#[cfg(test)]
mod tests {
    use super::{splitlines, strip};

    #[test]
    fn strip_matches_python() {
        assert_eq!(strip("\u{1f} a b\u{a0}\t\u{3000}"), "a b");
        assert_eq!(
            strip("\u{200b}x"),
            "\u{200b}x",
            "zero-width space is not white space"
        );
    }

    #[test]
    fn matches_python() {
        let cases: [(&str, &[&str]); 6] = [
            ("", &[]),
            ("a", &["a"]),
            ("a\n", &["a"]),
            ("a\n\nb", &["a", "", "b"]),
            ("a\r\nb\rc\u{2028}d\u{c}e\u{85}", &["a", "b", "c", "d", "e"]),
            ("\n", &[""]),
        ];
        for (input, expected) in cases {
            assert_eq!(splitlines(input).collect::<Vec<_>>(), expected, "{input:?}");
        }
    }

    /// The byte scan finds exactly the characters Python breaks lines at.
    #[test]
    fn byte_scan_agrees_with_the_character_definition() {
        let pieces = [
            "a", "é", "\u{2027}", "\u{2028}", "\u{2029}", "\u{85}", "\u{84}", "\r", "\n", "\r\n",
            "\u{1c}", "\u{1f}", "\u{b}", " ", "\u{e000}",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let s = format!("{a}{b}{c}");
                    let mut expected = Vec::new();
                    let mut line = String::new();
                    let mut chars = s.chars().peekable();
                    while let Some(ch) = chars.next() {
                        if super::is_line_break(ch) {
                            if ch == '\r' && chars.peek() == Some(&'\n') {
                                chars.next();
                            }
                            expected.push(std::mem::take(&mut line));
                        } else {
                            line.push(ch);
                        }
                    }
                    if !line.is_empty() {
                        expected.push(line);
                    }
                    assert_eq!(splitlines(&s).collect::<Vec<_>>(), expected, "{s:?}");
                }
            }
        }
    }
}
