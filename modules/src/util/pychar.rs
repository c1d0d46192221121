//! Python's character classes, as its `re` module uses them for `str` patterns: `\w` is a
//! letter (categories `L*`), a number (`N*`) or `_`.
//!
//! Python 3.7 uses Unicode 11; the tables here are newer, so characters added to Unicode since
//! then may be classed differently.

use unicode_general_category::{GeneralCategory as G, get_general_category};

/// Python's `str.isalnum()` for one character.
pub fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    matches!(
        get_general_category(c),
        G::UppercaseLetter
            | G::LowercaseLetter
            | G::TitlecaseLetter
            | G::ModifierLetter
            | G::OtherLetter
            | G::DecimalNumber
            | G::LetterNumber
            | G::OtherNumber
    )
}

/// Whether `re` matches `[\W_]` at this character (punctuation, spaces, symbols, `_`).
pub fn is_punct(c: char) -> bool {
    c == '_' || !is_alnum(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_python() {
        for c in ['a', 'Z', '5', 'é', 'ß', 'ж', '一', '½', 'Ⅳ'] {
            assert!(is_alnum(c), "{c}");
        }
        for c in ['_', '.', ' ', '-', '\u{301}', '€', '«'] {
            assert!(is_punct(c), "{c}");
        }
    }
}
