//! A corpus stored as a `GroupedCorpus` directory (a module's output in some store, or a
//! datatype input's `dir`).

use std::path::Path;

use super::{Corpus, DocStream};
use crate::error::{Error, Result};
use crate::formats::doctype::DocType;
use crate::formats::grouped::{DocIter, DocRef, GroupedCorpusReader, IterOptions};
use crate::formats::metadata::Metadata;

/// A stored grouped corpus.
#[derive(Debug)]
pub struct StoredCorpus {
    reader: GroupedCorpusReader,
    doc_type: &'static DocType,
}

impl StoredCorpus {
    /// Opens the corpus at `dir` (checking it is ready), whose documents are of `doc_type`.
    pub fn open(dir: &Path, doc_type: &'static DocType) -> Result<Self> {
        Ok(StoredCorpus {
            reader: GroupedCorpusReader::open(dir)?,
            doc_type,
        })
    }

    /// The underlying reader (archives, random access).
    pub fn reader(&self) -> &GroupedCorpusReader {
        &self.reader
    }
}

struct Stream<'a>(DocIter<'a>);

impl DocStream for Stream<'_> {
    fn advance(&mut self) -> Result<bool> {
        self.0.advance_doc().map_err(Error::from)
    }

    fn current(&self) -> DocRef<'_> {
        self.0.current().expect("advanced to a document")
    }
}

impl Corpus for StoredCorpus {
    fn describe(&self) -> String {
        format!("stored corpus at {}", self.reader.dir().display())
    }

    fn len(&self) -> Result<u64> {
        match self.reader.len() {
            Some(n) => Ok(n),
            None => Ok(self.reader.names()?.len() as u64),
        }
    }

    fn doc_type(&self) -> &'static DocType {
        self.doc_type
    }

    fn metadata(&self) -> Metadata {
        self.reader.metadata().clone()
    }

    fn docs(&self) -> Result<Box<dyn DocStream + '_>> {
        Ok(Box::new(Stream(self.reader.docs())))
    }

    fn docs_skipping(&self, skip: u64) -> Result<Box<dyn DocStream + '_>> {
        Ok(Box::new(Stream(self.reader.docs_with(IterOptions {
            start_after: None,
            skip: Some(skip as usize),
        }))))
    }

    fn stored(&self) -> Option<&StoredCorpus> {
        Some(self)
    }
}
