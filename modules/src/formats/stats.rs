//! The output of `pimlico.modules.corpora.corpus_stats`: a `NamedFile` `stats.json` holding
//! `json.dumps(stats, indent=4)` of counts over a tokenized corpus, keys in the original's
//! order.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::error::{FormatError, Result};
use super::pyjson;

/// Running total, count, minimum and maximum of one statistic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatCollector {
    /// Sum of the values.
    pub total: i64,
    /// Number of values.
    pub n: u64,
    /// Smallest value.
    pub min: Option<i64>,
    /// Largest value.
    pub max: Option<i64>,
}

impl StatCollector {
    /// Adds a value.
    pub fn count(&mut self, v: i64) {
        self.total += v;
        self.n += 1;
        self.min = Some(self.min.map_or(v, |m| m.min(v)));
        self.max = Some(self.max.map_or(v, |m| m.max(v)));
    }

    fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.total as f64 / self.n as f64)
    }
}

/// Statistics of a tokenized corpus, accumulated document by document (invalid documents are
/// left out by the caller, as the original skips them).
#[derive(Debug, Clone, Default)]
pub struct CorpusStats {
    tokens: HashMap<String, u64>,
    sents_per_doc: StatCollector,
    tokens_per_doc: StatCollector,
    chars_per_sent: StatCollector,
    tokens_per_sent: StatCollector,
}

impl CorpusStats {
    /// Counts one document, given as its sentences of tokens.
    pub fn add_document<'a, S, T>(&mut self, sentences: S)
    where
        S: IntoIterator<Item = T>,
        T: IntoIterator<Item = &'a str>,
    {
        let mut n_sents = 0i64;
        let mut n_tokens = 0i64;
        for sentence in sentences {
            let mut chars = 0i64;
            let mut len = 0i64;
            for token in sentence {
                chars += token.chars().count() as i64;
                len += 1;
                match self.tokens.get_mut(token) {
                    Some(c) => *c += 1,
                    None => {
                        self.tokens.insert(token.to_string(), 1);
                    }
                }
            }
            // Characters in the tokens plus the spaces between them.
            self.chars_per_sent.count(chars + len - 1);
            self.tokens_per_sent.count(len);
            n_sents += 1;
            n_tokens += len;
        }
        self.sents_per_doc.count(n_sents);
        self.tokens_per_doc.count(n_tokens);
    }

    /// The stats as the ordered JSON object the original writes. Fails on a corpus with no
    /// (valid) documents, where the original fails dividing by zero.
    pub fn to_json(&self) -> Result<Value> {
        let mean = |s: &StatCollector, what: &str| {
            s.mean().ok_or_else(|| {
                FormatError::Invalid(format!(
                    "cannot compute mean {what}: the corpus has no valid documents"
                ))
            })
        };
        let opt = |v: Option<i64>| v.map_or(Value::Null, Value::from);
        let mut m = Map::new();
        m.insert("types".into(), Value::from(self.tokens.len()));
        m.insert(
            "tokens".into(),
            Value::from(self.tokens.values().sum::<u64>()),
        );
        m.insert("sentences".into(), Value::from(self.sents_per_doc.total));
        m.insert("characters".into(), Value::from(self.chars_per_sent.total));
        for (label, s) in [
            ("chars per sent", &self.chars_per_sent),
            ("tokens per sent", &self.tokens_per_sent),
            ("sents per doc", &self.sents_per_doc),
            ("tokens per doc", &self.tokens_per_doc),
        ] {
            m.insert(format!("mean {label}"), float(mean(s, label)?));
            m.insert(format!("min {label}"), opt(s.min));
            m.insert(format!("max {label}"), opt(s.max));
        }
        Ok(Value::Object(m))
    }

    /// The contents of `stats.json`.
    pub fn to_json_text(&self) -> Result<String> {
        Ok(pyjson::dumps_indent(&self.to_json()?, 4))
    }
}

fn float(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
}
