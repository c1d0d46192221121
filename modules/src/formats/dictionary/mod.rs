//! `Dictionary`: a vocabulary mapping words to integer IDs, with document frequencies.
//!
//! On disk it is `data/dictionary`, a pickled `pimlico.datatypes.dictionary.DictionaryData`
//! instance (protocol 4 from Python 3, protocol 2 from Python 2), and an empty
//! `corpus_metadata` (`{}`). The instance's `__dict__` holds `token2id` (word → ID, in insertion
//! order), `_id2token` (a cache, usually empty), `dfs` (ID → number of documents containing
//! the word), `stopwords` (a set), `num_docs`, `num_pos`, `num_nnz` and `_last_prune`.
//! Dictionaries written by old versions lack `stopwords` and `_last_prune`.

mod ops;
mod pickled;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use indexmap::{IndexMap, IndexSet};

use super::error::Result;
use super::fsutil::{self, create_dir_all};
use super::metadata::{Metadata, write_metadata};
use super::ready::{NotReady, base_ready, data_dir};

pub use ops::Removed;

/// The dictionary data structure, as the original's `DictionaryData` (closely following
/// Gensim's `Dictionary`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DictionaryData {
    /// Word → ID, in the order words were added (IDs are renumbered in this order when the
    /// dictionary is filtered).
    pub token2id: IndexMap<String, u64>,
    /// ID → document frequency.
    pub dfs: IndexMap<u64, u64>,
    /// Words never to add (given stopwords and words filtered for being too frequent).
    pub stopwords: IndexSet<String>,
    /// Documents processed.
    pub num_docs: u64,
    /// Total corpus positions (tokens) processed.
    pub num_pos: u64,
    /// Total non-zero entries in the bag-of-words matrix.
    pub num_nnz: u64,
    /// `num_docs` at the last automatic pruning.
    pub last_prune: u64,
}

impl DictionaryData {
    /// An empty dictionary.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.token2id.len()
    }

    /// Whether there are no words.
    pub fn is_empty(&self) -> bool {
        self.token2id.is_empty()
    }

    /// ID → word.
    pub fn id2token(&self) -> HashMap<u64, &str> {
        self.token2id
            .iter()
            .map(|(t, id)| (*id, t.as_str()))
            .collect()
    }

    /// Reads a pickled `DictionaryData` (the bytes of a `data/dictionary` file). `source` names
    /// the file in errors.
    pub fn from_pickle(bytes: &[u8], source: &Path) -> Result<Self> {
        pickled::from_pickle(bytes, source)
    }

    /// The pickle the original would write for this dictionary.
    pub fn to_pickle(&self) -> Vec<u8> {
        pickled::to_pickle(self)
    }
}

/// `data/dictionary` under a dataset directory.
pub fn dictionary_path(dir: &Path) -> PathBuf {
    data_dir(dir).join("dictionary")
}

/// The original's readiness check: `data/dictionary` exists.
pub fn ready(dir: &Path) -> std::result::Result<(), NotReady> {
    base_ready(dir, &["dictionary"])
}

/// Reads the dictionary stored at `dir`.
pub fn read(dir: &Path) -> Result<DictionaryData> {
    let path = dictionary_path(dir);
    DictionaryData::from_pickle(&fsutil::read(&path)?, &path)
}

/// Writes a dictionary to `dir` (metadata first, then the pickle, replaced atomically so the
/// dataset is never ready with a partial file).
pub fn write(dir: &Path, data: &DictionaryData) -> Result<()> {
    create_dir_all(&data_dir(dir))?;
    write_metadata(dir, &Metadata::new())?;
    fsutil::write_atomic(&dictionary_path(dir), &data.to_pickle())
}
