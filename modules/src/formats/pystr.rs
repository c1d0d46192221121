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

impl<'a> Iterator for SplitLines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        match self.rest.char_indices().find(|(_, c)| is_line_break(*c)) {
            None => {
                let line = self.rest;
                self.rest = "";
                Some(line)
            }
            Some((i, c)) => {
                let line = &self.rest[..i];
                let mut end = i + c.len_utf8();
                if c == '\r' && self.rest[end..].starts_with('\n') {
                    end += 1;
                }
                self.rest = &self.rest[end..];
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
}
