//! A document-map module used as a filter (`filter=T`): its documents are computed from its
//! input's as they are read, and never stored.

use std::sync::Arc;

use super::{Corpus, DocStream};
use crate::error::{Error, Result};
use crate::formats::doctype::DocType;
use crate::formats::grouped::DocRef;
use crate::formats::metadata::Metadata;
use crate::map::{DocMapper, apply};

/// The output of a filter module.
pub struct FilterCorpus {
    module: String,
    input: Box<dyn Corpus>,
    mapper: Arc<dyn DocMapper>,
    doc_type: &'static DocType,
    metadata: Metadata,
}

impl FilterCorpus {
    /// `module`'s documents: `mapper` applied to each of `input`'s, giving `doc_type` documents
    /// encoded as `metadata` says (the keys the module's writer would have stored).
    pub fn new(
        module: &str,
        input: Box<dyn Corpus>,
        mapper: Arc<dyn DocMapper>,
        doc_type: &'static DocType,
        metadata: Metadata,
    ) -> Self {
        FilterCorpus {
            module: module.to_string(),
            input,
            mapper,
            doc_type,
            metadata,
        }
    }
}

struct Stream<'a> {
    input: Box<dyn DocStream + 'a>,
    mapper: &'a dyn DocMapper,
    module: &'a str,
    out: Vec<u8>,
}

impl DocStream for Stream<'_> {
    fn advance(&mut self) -> Result<bool> {
        if !self.input.advance()? {
            return Ok(false);
        }
        self.out.clear();
        apply(self.mapper, &self.input.current(), &mut self.out)
            .map_err(|e| Error::msg(format!("error in filter {}: {e}", self.module)))?;
        Ok(true)
    }

    fn current(&self) -> DocRef<'_> {
        let input = self.input.current();
        DocRef {
            archive: input.archive,
            name: input.name,
            data: &self.out,
        }
    }
}

impl Corpus for FilterCorpus {
    fn describe(&self) -> String {
        format!("filter module '{}'", self.module)
    }

    fn len(&self) -> Result<u64> {
        self.input.len()
    }

    fn doc_type(&self) -> &'static DocType {
        self.doc_type
    }

    fn metadata(&self) -> Metadata {
        self.metadata.clone()
    }

    fn docs(&self) -> Result<Box<dyn DocStream + '_>> {
        Ok(Box::new(Stream {
            input: self.input.docs()?,
            mapper: self.mapper.as_ref(),
            module: &self.module,
            out: Vec::new(),
        }))
    }

    fn as_filter(&self) -> Option<(&dyn Corpus, &Arc<dyn DocMapper>)> {
        Some((self.input.as_ref(), &self.mapper))
    }
}
