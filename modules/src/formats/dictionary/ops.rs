//! Building and filtering a dictionary exactly as the original's `DictionaryData` does, so
//! that the same corpus and options give the same word IDs in both toolkits.
//!
//! IDs depend on insertion order: new words get the next ID in the order they first occur in
//! a document, and filtering renumbers the surviving words in `token2id` order. Frequency ties
//! keep their `token2id` order (Python's sort is stable).

use std::collections::HashSet;

use indexmap::IndexMap;

use super::DictionaryData;

/// A word removed by a filter: `(word, its ID before filtering, its document frequency)`.
pub type Removed = (String, u64, u64);

/// How often a dictionary built from many documents is checked for pruning.
const PRUNE_CHECK_EVERY: u64 = 10_000;

impl DictionaryData {
    /// Adds a word with no occurrence count (frequency 0 unless already present) and returns
    /// its ID; stopwords are not added (`None`, where the original returns -1).
    pub fn add_term(&mut self, term: &str) -> Option<u64> {
        if self.stopwords.contains(term) {
            return None;
        }
        if let Some(id) = self.token2id.get(term) {
            return Some(*id);
        }
        let id = self.token2id.len() as u64;
        self.token2id.insert(term.to_string(), id);
        self.dfs.entry(id).or_insert(0);
        Some(id)
    }

    /// Adds stopwords. As in the original, they are all added, then an error names the first
    /// one that is already in the vocabulary (it is not removed, which would change other IDs).
    pub fn add_stopwords<S: AsRef<str>>(&mut self, words: &[S]) -> Result<(), String> {
        for w in words {
            self.stopwords.insert(w.as_ref().to_string());
        }
        match words
            .iter()
            .find(|w| self.token2id.contains_key(w.as_ref()))
        {
            Some(w) => Err(format!(
                "tried to add a stopword '{}' that's already in the vocab",
                w.as_ref()
            )),
            None => Ok(()),
        }
    }

    /// Converts a document (a list of words) to bag-of-words `(id, count)` pairs in ID order.
    /// With `allow_update`, unseen words (other than stopwords) get new IDs and the document
    /// counts are updated.
    pub fn doc2bow<S: AsRef<str>>(
        &mut self,
        document: &[S],
        allow_update: bool,
    ) -> Vec<(u64, u64)> {
        let mut counter: IndexMap<&str, u64> = IndexMap::with_capacity(document.len());
        for w in document {
            *counter.entry(w.as_ref()).or_insert(0) += 1;
        }
        if allow_update {
            for w in counter.keys() {
                if !self.token2id.contains_key(*w) && !self.stopwords.contains(*w) {
                    let id = self.token2id.len() as u64;
                    self.token2id.insert((*w).to_string(), id);
                }
            }
        }
        let mut result: Vec<(u64, u64)> = counter
            .iter()
            .filter_map(|(w, n)| self.token2id.get(*w).map(|id| (*id, *n)))
            .collect();
        if allow_update {
            self.num_docs += 1;
            self.num_pos += counter.values().sum::<u64>();
            self.num_nnz += result.len() as u64;
            for (id, _) in &result {
                *self.dfs.entry(*id).or_insert(0) += 1;
            }
        }
        result.sort_unstable();
        result
    }

    /// Adds documents, pruning to the `prune_at` most frequent words whenever the dictionary
    /// has grown past it (checked every 10,000 documents), as the original does to bound memory.
    pub fn add_documents<D, S>(
        &mut self,
        documents: impl IntoIterator<Item = D>,
        prune_at: Option<usize>,
    ) where
        D: AsRef<[S]>,
        S: AsRef<str>,
    {
        for doc in documents {
            if let Some(limit) = prune_at
                && self.num_docs > self.last_prune + PRUNE_CHECK_EVERY
                && self.len() > limit
            {
                self.filter_extremes(0, 1.0, Some(limit));
                self.last_prune = self.num_docs;
            }
            self.doc2bow(doc.as_ref(), true);
        }
    }

    /// Removes words in fewer than `no_below` documents or more than `no_above` (a proportion)
    /// of documents, then keeps at most `keep_n` of the rest, most frequent first; renumbers
    /// IDs. Returns all removed words.
    pub fn filter_extremes(
        &mut self,
        no_below: u64,
        no_above: f64,
        keep_n: Option<usize>,
    ) -> Vec<Removed> {
        let (mut freq, rare) = self.filter_high_low_extremes(no_below, no_above, keep_n, true);
        freq.extend(rare);
        freq
    }

    /// As [`Self::filter_extremes`], returning separately the words removed for being too
    /// frequent and those removed for being too rare (or beyond `keep_n`). With
    /// `add_stopwords`, the too-frequent words become stopwords.
    pub fn filter_high_low_extremes(
        &mut self,
        no_below: u64,
        no_above: f64,
        keep_n: Option<usize>,
        add_stopwords: bool,
    ) -> (Vec<Removed>, Vec<Removed>) {
        // Python: int(no_above * num_docs), truncating.
        let no_above_abs = (no_above * self.num_docs as f64).trunc();
        let df = |id: &u64| self.dfs.get(id).copied().unwrap_or(0);
        let too_frequent = |d: u64| d as f64 > no_above_abs;
        let removed_freq: Vec<Removed> = self
            .token2id
            .iter()
            .filter(|(_, id)| too_frequent(df(id)))
            .map(|(t, id)| (t.clone(), *id, df(id)))
            .collect();
        let mut removed_rare: Vec<Removed> = self
            .token2id
            .iter()
            .filter(|(_, id)| df(id) < no_below)
            .map(|(t, id)| (t.clone(), *id, df(id)))
            .collect();
        let mut good: Vec<(&str, u64)> = self
            .token2id
            .iter()
            .filter(|(_, id)| df(id) >= no_below && !too_frequent(df(id)))
            .map(|(t, id)| (t.as_str(), *id))
            .collect();
        good.sort_by_key(|(_, id)| std::cmp::Reverse(df(id)));
        if let Some(n) = keep_n
            && good.len() > n
        {
            removed_rare.extend(good[n..].iter().map(|(t, id)| (t.to_string(), *id, df(id))));
            good.truncate(n);
        }
        let good_ids: HashSet<u64> = good.iter().map(|(_, id)| *id).collect();
        self.filter_tokens(None, Some(&good_ids));
        if add_stopwords {
            self.stopwords
                .extend(removed_freq.iter().map(|(t, _, _)| t.clone()));
        }
        (removed_freq, removed_rare)
    }

    /// Removes the words with `bad_ids`, or keeps only those with `good_ids`, then renumbers.
    pub fn filter_tokens(
        &mut self,
        bad_ids: Option<&HashSet<u64>>,
        good_ids: Option<&HashSet<u64>>,
    ) {
        if let Some(bad) = bad_ids {
            self.token2id.retain(|_, id| !bad.contains(id));
            self.dfs.retain(|id, _| !bad.contains(id));
        }
        if let Some(good) = good_ids {
            self.token2id.retain(|_, id| good.contains(id));
            self.dfs.retain(|id, _| good.contains(id));
        }
        self.compactify();
    }

    /// Renumbers IDs to `0..len` in `token2id` order, closing gaps left by removals.
    pub fn compactify(&mut self) {
        let idmap: std::collections::HashMap<u64, u64> = self
            .token2id
            .values()
            .enumerate()
            .map(|(new, old)| (*old, new as u64))
            .collect();
        for id in self.token2id.values_mut() {
            *id = idmap[id];
        }
        self.dfs = self
            .dfs
            .iter()
            .filter_map(|(old, freq)| idmap.get(old).map(|new| (*new, *freq)))
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_filters_like_gensim() {
        let mut d = DictionaryData::new();
        d.add_documents([vec!["b", "a", "b"], vec!["c", "a"], vec!["a", "d"]], None);
        assert_eq!(
            d.token2id
                .iter()
                .map(|(t, i)| (t.as_str(), *i))
                .collect::<Vec<_>>(),
            [("b", 0), ("a", 1), ("c", 2), ("d", 3)]
        );
        assert_eq!(d.dfs.get(&1), Some(&3));
        assert_eq!((d.num_docs, d.num_pos, d.num_nnz), (3, 7, 6));
        // "a" is in all 3 docs: above 0.9 * 3 = 2 (truncated); "b", "c", "d" kept.
        let (freq, rare) = d.filter_high_low_extremes(0, 0.9, Some(2), true);
        assert_eq!(freq, [("a".to_string(), 1, 3)]);
        assert_eq!(rare, [("d".to_string(), 3, 1)]);
        assert_eq!(
            d.token2id
                .iter()
                .map(|(t, i)| (t.as_str(), *i))
                .collect::<Vec<_>>(),
            [("b", 0), ("c", 1)]
        );
        assert!(d.stopwords.contains("a"));
        assert_eq!(d.add_term("a"), None);
        assert_eq!(d.add_term("z"), Some(2));
        assert_eq!(d.doc2bow(&["z", "b", "z", "q"], false), [(0, 1), (2, 2)]);
    }
}
