//! `DictionaryData` to and from the pickles the original reads and writes.

use std::path::Path;

use indexmap::{IndexMap, IndexSet};

use super::DictionaryData;
use crate::formats::error::{FormatError, Result};
use crate::formats::pickle::{self, ObjectKind, Pickle, Pickler, PyValue};

const MODULE: &str = "pimlico.datatypes.dictionary";
const CLASS: &str = "DictionaryData";

fn bad(source: &Path, detail: String) -> FormatError {
    FormatError::malformed(source, None, detail)
}

pub(super) fn from_pickle(bytes: &[u8], source: &Path) -> Result<DictionaryData> {
    let value = pickle::loads(bytes)
        .map_err(|e| FormatError::malformed(source, Some(e.offset as u64), e.detail))?;
    match value.class_name() {
        Some((MODULE, CLASS)) => {}
        Some((m, c)) => {
            return Err(bad(
                source,
                format!("expected a pickled {MODULE}.{CLASS}, found an instance of {m}.{c}"),
            ));
        }
        None => {
            return Err(bad(
                source,
                format!(
                    "expected a pickled {MODULE}.{CLASS}, found a {}",
                    value.type_name()
                ),
            ));
        }
    }
    let PyValue::Object(obj) = &value else {
        unreachable!("class_name() matched an object")
    };
    let state = match &obj.state {
        Some(PyValue::Tuple(parts)) => parts.first(),
        other => other.as_ref(),
    };
    let Some(state @ PyValue::Dict(_)) = state else {
        return Err(bad(
            source,
            "the pickled dictionary has no attribute dict".into(),
        ));
    };
    let uint = |v: &PyValue, what: &str| -> Result<u64> {
        v.as_int()
            .and_then(|i| u64::try_from(i).ok())
            .ok_or_else(|| {
                bad(
                    source,
                    format!("{what} should be a non-negative int, found {v:?}"),
                )
            })
    };
    let word = |v: &PyValue, what: &str| -> Result<String> {
        v.as_str().map(str::to_string).ok_or_else(|| {
            bad(
                source,
                format!("{what} should be a str, found a {}", v.type_name()),
            )
        })
    };
    let mut data = DictionaryData::default();
    match state.get("token2id") {
        Some(PyValue::Dict(items)) => {
            data.token2id = items
                .iter()
                .map(|(k, v)| {
                    Ok((
                        word(k, "a word in token2id")?,
                        uint(v, "an ID in token2id")?,
                    ))
                })
                .collect::<Result<IndexMap<_, _>>>()?;
        }
        _ => {
            return Err(bad(
                source,
                "the pickled dictionary has no token2id dict".into(),
            ));
        }
    }
    if let Some(PyValue::Dict(items)) = state.get("dfs") {
        data.dfs = items
            .iter()
            .map(|(k, v)| Ok((uint(k, "an ID in dfs")?, uint(v, "a document frequency")?)))
            .collect::<Result<IndexMap<_, _>>>()?;
    }
    match state.get("stopwords") {
        Some(PyValue::Set(items) | PyValue::FrozenSet(items) | PyValue::List(items)) => {
            data.stopwords = items
                .iter()
                .map(|w| word(w, "a stopword"))
                .collect::<Result<IndexSet<_>>>()?;
        }
        None | Some(PyValue::None) => {}
        Some(other) => {
            return Err(bad(
                source,
                format!("stopwords should be a set, found a {}", other.type_name()),
            ));
        }
    }
    let count = |key: &str| -> Result<u64> { state.get(key).map_or(Ok(0), |v| uint(v, key)) };
    data.num_docs = count("num_docs")?;
    data.num_pos = count("num_pos")?;
    data.num_nnz = count("num_nnz")?;
    data.last_prune = count("_last_prune")?;
    Ok(data)
}

struct DictOf<'a, K, V>(&'a IndexMap<K, V>);

impl<K: Pickle, V: Pickle> Pickle for DictOf<'_, K, V> {
    fn pickle(&self, p: &mut Pickler) {
        p.dict(self.0.iter());
    }
}

struct SetOf<'a>(&'a IndexSet<String>);

impl Pickle for SetOf<'_> {
    fn pickle(&self, p: &mut Pickler) {
        p.set(self.0.iter(), false);
    }
}

impl Pickle for DictionaryData {
    /// The attribute dict in the order `DictionaryData.__init__` creates it, so a dictionary
    /// built here pickles to the same bytes as one built by the original (its stopword set's
    /// order aside, which Python randomises per process).
    fn pickle(&self, p: &mut Pickler) {
        let empty: IndexMap<u64, String> = IndexMap::new();
        let token2id = DictOf(&self.token2id);
        let id2token = DictOf(&empty);
        let dfs = DictOf(&self.dfs);
        let stopwords = SetOf(&self.stopwords);
        let state: [(&str, &dyn Pickle); 8] = [
            ("token2id", &token2id),
            ("_id2token", &id2token),
            ("dfs", &dfs),
            ("stopwords", &stopwords),
            ("num_docs", &self.num_docs),
            ("num_pos", &self.num_pos),
            ("num_nnz", &self.num_nnz),
            ("_last_prune", &self.last_prune),
        ];
        p.object(
            ObjectKind::New,
            &|p| p.global(MODULE, CLASS),
            &[],
            Some(&|p: &mut Pickler| p.dict(state.iter().map(|(k, v)| (*k, *v)))),
        );
    }
}

pub(super) fn to_pickle(data: &DictionaryData) -> Vec<u8> {
    pickle::dumps(data)
}
