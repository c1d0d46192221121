//! Python's `difflib.SequenceMatcher.ratio()`, used to order option-name suggestions exactly as
//! Pimlico does (`pimlico.utils.strings.sorted_by_similarity`).

use std::collections::HashMap;

struct Matcher<'a> {
    a: &'a [char],
    b: &'a [char],
    /// Positions of each non-popular character of `b`.
    b2j: HashMap<char, Vec<usize>>,
}

impl<'a> Matcher<'a> {
    fn new(a: &'a [char], b: &'a [char]) -> Self {
        let mut b2j: HashMap<char, Vec<usize>> = HashMap::new();
        for (j, &c) in b.iter().enumerate() {
            b2j.entry(c).or_default().push(j);
        }
        // difflib's "autojunk" heuristic: in long sequences, very common characters are ignored.
        if b.len() >= 200 {
            let limit = b.len() / 100 + 1;
            b2j.retain(|_, positions| positions.len() <= limit);
        }
        Self { a, b, b2j }
    }

    fn find_longest_match(
        &self,
        alo: usize,
        ahi: usize,
        blo: usize,
        bhi: usize,
    ) -> (usize, usize, usize) {
        let (a, b) = (self.a, self.b);
        let (mut besti, mut bestj, mut bestsize) = (alo, blo, 0);
        let mut j2len: HashMap<usize, usize> = HashMap::new();
        for (i, c) in a.iter().enumerate().take(ahi).skip(alo) {
            let mut new_j2len = HashMap::new();
            if let Some(positions) = self.b2j.get(c) {
                for &j in positions {
                    if j < blo {
                        continue;
                    }
                    if j >= bhi {
                        break;
                    }
                    let k = j
                        .checked_sub(1)
                        .and_then(|p| j2len.get(&p))
                        .copied()
                        .unwrap_or(0)
                        + 1;
                    new_j2len.insert(j, k);
                    if k > bestsize {
                        besti = i + 1 - k;
                        bestj = j + 1 - k;
                        bestsize = k;
                    }
                }
            }
            j2len = new_j2len;
        }
        // Popular characters were left out of `b2j`; let equal neighbours extend the match.
        while besti > alo && bestj > blo && a[besti - 1] == b[bestj - 1] {
            besti -= 1;
            bestj -= 1;
            bestsize += 1;
        }
        while besti + bestsize < ahi
            && bestj + bestsize < bhi
            && a[besti + bestsize] == b[bestj + bestsize]
        {
            bestsize += 1;
        }
        (besti, bestj, bestsize)
    }

    fn matched_chars(&self) -> usize {
        let mut total = 0;
        let mut queue = vec![(0, self.a.len(), 0, self.b.len())];
        while let Some((alo, ahi, blo, bhi)) = queue.pop() {
            let (i, j, k) = self.find_longest_match(alo, ahi, blo, bhi);
            if k > 0 {
                total += k;
                if alo < i && blo < j {
                    queue.push((alo, i, blo, j));
                }
                if i + k < ahi && j + k < bhi {
                    queue.push((i + k, ahi, j + k, bhi));
                }
            }
        }
        total
    }
}

/// `SequenceMatcher(None, target, reference).ratio()`.
fn ratio(target: &str, reference: &[char]) -> f64 {
    let a: Vec<char> = target.chars().collect();
    let total = a.len() + reference.len();
    if total == 0 {
        return 1.0;
    }
    let matched = Matcher::new(&a, reference).matched_chars();
    2.0 * matched as f64 / total as f64
}

/// The targets, most similar to `reference` first; ties come in reverse input order, because
/// Pimlico reverses a stable ascending sort.
pub fn sorted_by_similarity<'a>(
    targets: impl IntoIterator<Item = &'a str>,
    reference: &str,
) -> Vec<&'a str> {
    let reference: Vec<char> = reference.chars().collect();
    let mut scored: Vec<(&str, f64)> = targets
        .into_iter()
        .map(|t| (t, ratio(t, &reference)))
        .collect();
    scored.sort_by(|x, y| x.1.total_cmp(&y.1));
    scored.into_iter().rev().map(|(t, _)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_match_python() {
        let r = |a: &str, b: &str| ratio(a, &b.chars().collect::<Vec<_>>());
        assert_eq!(r("size", "sise"), 0.75);
        assert_eq!(r("offset", "sise"), 0.4);
        assert_eq!(r("abcd", "bcde"), 0.75);
        assert_eq!(r("", ""), 1.0);
    }

    #[test]
    fn order_matches_pimlico() {
        assert_eq!(
            sorted_by_similarity(["size", "offset", "skip_invalid"], "sise"),
            ["size", "offset", "skip_invalid"]
        );
        // Equal scores: reverse of the declaration order.
        assert_eq!(sorted_by_similarity(["ab", "cd"], "xy"), ["cd", "ab"]);
    }
}
