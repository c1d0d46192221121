//! Small re-implementations of the Python behaviour Pimlico's config language inherits.
//!
//! Pimlico's configs are read by Python's `configparser` and substituted with Python's `%`
//! operator; users' files depend on the exact whitespace, quoting and number rules of both.
//! Keeping those rules in one place makes the rest of the loader read like the language spec.

mod difflib;
mod numbers;
pub(crate) mod percent;
mod repr;

pub use difflib::sorted_by_similarity;
pub use numbers::{parse_float, parse_int};
pub use percent::percent_format;
pub use repr::repr;

/// Python's `str.isspace()` for one character: Unicode white space plus the ASCII
/// information separators (`\x1c`–`\x1f`), which Rust does not count as white space.
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Python's `str.strip()`.
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// Python's `str.lstrip()`.
pub fn lstrip(s: &str) -> &str {
    s.trim_start_matches(is_space)
}

/// Python's `str.rstrip()`.
pub fn rstrip(s: &str) -> &str {
    s.trim_end_matches(is_space)
}

/// Python's `str.strip(chars)`.
pub fn strip_chars<'a>(s: &'a str, chars: &str) -> &'a str {
    s.trim_matches(|c| chars.contains(c))
}

/// Python's `str.partition(sep)`: text before the first `sep` and text after it (`None` if absent).
pub fn partition<'a>(s: &'a str, sep: &str) -> (&'a str, Option<&'a str>) {
    match s.find(sep) {
        Some(i) => (&s[..i], Some(&s[i + sep.len()..])),
        None => (s, None),
    }
}

/// `str.partition(sep)` where only the two outer parts matter.
pub fn split_once_or_all<'a>(s: &'a str, sep: &str) -> (&'a str, &'a str) {
    let (a, b) = partition(s, sep);
    (a, b.unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_quotes_like_python() {
        assert_eq!(repr("abc"), "'abc'");
        assert_eq!(repr("it's"), "\"it's\"");
        assert_eq!(repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(repr("x\n"), "'x\\n'");
        assert_eq!(repr("\u{a0}"), "'\\xa0'");
    }

    #[test]
    fn strip_uses_python_whitespace() {
        assert_eq!(strip("\x1c a \u{3000}"), "a");
        assert_eq!(strip_chars("[sec] ", "[] \n"), "sec");
    }
}
