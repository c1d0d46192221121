//! Finding and comparing dotted version numbers in program output.

use std::cmp::Ordering;

/// The first dotted number (`3.11.4`, `2.1`) in the text.
pub fn find_version(text: &str) -> Option<String> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|t| t.trim_matches('.'))
        .find(|t| t.contains('.') && t.split('.').all(|p| !p.is_empty()))
        .map(str::to_string)
}

/// Compares dotted versions numerically, component by component (missing parts are 0).
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let parse = |v: &str| -> Vec<u64> {
        v.split('.')
            .map(|p| {
                p.chars()
                    .take_while(char::is_ascii_digit)
                    .collect::<String>()
                    .parse()
                    .unwrap_or(0)
            })
            .collect()
    };
    let (a, b) = (parse(a), parse(b));
    for i in 0..a.len().max(b.len()) {
        let ord = a.get(i).unwrap_or(&0).cmp(b.get(i).unwrap_or(&0));
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_compares_versions() {
        assert_eq!(find_version("Python 3.11.4\n").as_deref(), Some("3.11.4"));
        assert_eq!(
            find_version("sh (GNU) version 5.2, 2022").as_deref(),
            Some("5.2")
        );
        assert_eq!(find_version("no version here 42"), None);
        assert!(compare_versions("3.11", "3.8").is_gt());
        assert!(compare_versions("3.8", "3.8.0").is_eq());
        assert!(compare_versions("2.7.18", "3").is_lt());
    }
}
