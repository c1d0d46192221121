//! Python's `fnmatch.fnmatch` on POSIX: shell patterns matched against the whole string, where
//! `*` also matches `/`.

/// Whether `name` matches `pattern` (`*`, `?`, `[seq]`, `[!seq]`).
pub fn fnmatch(name: &str, pattern: &str) -> bool {
    let name: Vec<char> = name.chars().collect();
    let pattern = parse(pattern);
    matches(&name, &pattern)
}

enum Item {
    Char(char),
    Any,
    Star,
    Set {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

fn parse(pattern: &str) -> Vec<Item> {
    let p: Vec<char> = pattern.chars().collect();
    let mut items = Vec::new();
    let mut i = 0;
    while i < p.len() {
        let c = p[i];
        i += 1;
        match c {
            '*' => items.push(Item::Star),
            '?' => items.push(Item::Any),
            '[' => {
                let mut j = i;
                if j < p.len() && p[j] == '!' {
                    j += 1;
                }
                if j < p.len() && p[j] == ']' {
                    j += 1;
                }
                while j < p.len() && p[j] != ']' {
                    j += 1;
                }
                if j >= p.len() {
                    items.push(Item::Char('['));
                    continue;
                }
                let mut stuff = &p[i..j];
                i = j + 1;
                let negated = stuff.first() == Some(&'!');
                if negated {
                    stuff = &stuff[1..];
                }
                let mut ranges = Vec::new();
                let mut k = 0;
                while k < stuff.len() {
                    if k + 2 < stuff.len() && stuff[k + 1] == '-' {
                        ranges.push((stuff[k], stuff[k + 2]));
                        k += 3;
                    } else {
                        ranges.push((stuff[k], stuff[k]));
                        k += 1;
                    }
                }
                items.push(Item::Set { negated, ranges });
            }
            c => items.push(Item::Char(c)),
        }
    }
    items
}

fn matches(name: &[char], pattern: &[Item]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some((Item::Star, rest)) => (0..=name.len()).any(|skip| matches(&name[skip..], rest)),
        Some((item, rest)) => {
            let Some((&c, tail)) = name.split_first() else {
                return false;
            };
            let ok = match item {
                Item::Char(p) => *p == c,
                Item::Any => true,
                Item::Set { negated, ranges } => {
                    ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi) != *negated
                }
                Item::Star => unreachable!("handled above"),
            };
            ok && matches(tail, rest)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fnmatch;

    #[test]
    fn shell_patterns() {
        assert!(fnmatch("/a/b/c.txt", "*.txt"));
        assert!(fnmatch("/a/b/c.txt", "/a/*"));
        assert!(!fnmatch("/a/b/c.txt", "c.txt"));
        assert!(fnmatch("x1", "x[0-9]"));
        assert!(!fnmatch("x1", "x[!0-9]"));
        assert!(fnmatch("a[", "a["));
        assert!(fnmatch("ab", "a?"));
    }
}
