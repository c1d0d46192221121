//! Reading corpora whether they are stored or computed.
//!
//! A module reads its corpus inputs through [`Corpus`], whatever produced them: a stored
//! `GroupedCorpus` in any store or at a datatype input's `dir`, a view computed on the fly
//! (`subset`, `concat`, `interleave`, `group`), an input reader (`raw_text_files`, `europarl`)
//! or a chain of document-map modules used as filters (`filter=T`). [`Reading::corpus`] builds
//! the right one for a connection, recursively, as the original's reader setups do.
//!
//! Documents are always handled as their stored bytes: a filter's output is the bytes its
//! writer would have written, so reading through a filter gives exactly what reading the same
//! module's stored output would.

mod filter;
mod open;
mod stored;

pub use filter::FilterCorpus;
pub use open::{Reading, doc_type_of, module_options};
pub use stored::StoredCorpus;

use std::sync::Arc;

use crate::error::Result;
use crate::formats::doctype::DocType;
use crate::formats::grouped::DocRef;
use crate::formats::metadata::Metadata;
use crate::map::DocMapper;

/// A stream of documents: [`DocStream::advance`] moves to the next one, which
/// [`DocStream::current`] then lends until the next move.
pub trait DocStream: Send {
    /// Moves to the next document; `false` at the end of the corpus.
    fn advance(&mut self) -> Result<bool>;

    /// The current document. Only called after `advance` returned `true`.
    fn current(&self) -> DocRef<'_>;

    /// The next document, or `None` at the end of the corpus.
    fn next_doc(&mut self) -> Result<Option<DocRef<'_>>> {
        Ok(if self.advance()? {
            Some(self.current())
        } else {
            None
        })
    }
}

/// A corpus that can be read, stored or computed.
pub trait Corpus: Send + Sync {
    /// What the corpus is, for messages ("stored corpus at ...", "subset 'x'").
    fn describe(&self) -> String;

    /// The number of documents, as the original's `len()`: from the metadata for stored
    /// corpora, computed for views (which may mean reading them).
    fn len(&self) -> Result<u64>;

    /// Whether the corpus has no documents.
    fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// The document type of the corpus's documents.
    fn doc_type(&self) -> &'static DocType;

    /// The corpus metadata (stored corpora only: computed corpora have none, as in the
    /// original, except `group`, which passes its input's on).
    fn metadata(&self) -> Metadata {
        Metadata::new()
    }

    /// Iterates over all documents, in order.
    fn docs(&self) -> Result<Box<dyn DocStream + '_>>;

    /// Iterates after skipping `skip` documents (stored corpora skip whole archives through
    /// their indexes).
    fn docs_skipping(&self, skip: u64) -> Result<Box<dyn DocStream + '_>> {
        Ok(Box::new(Skip {
            inner: self.docs()?,
            remaining: skip,
        }))
    }

    /// The stored corpus, when this is one (modules needing random access require it).
    fn stored(&self) -> Option<&StoredCorpus> {
        None
    }

    /// For a filter: its input and its document mapper, so that a document-map module reading
    /// through a chain of filters can run the whole chain in its worker threads.
    fn as_filter(&self) -> Option<(&dyn Corpus, &Arc<dyn DocMapper>)> {
        None
    }
}

/// Skips documents at the start of a stream by reading them.
struct Skip<'a> {
    inner: Box<dyn DocStream + 'a>,
    remaining: u64,
}

impl DocStream for Skip<'_> {
    fn advance(&mut self) -> Result<bool> {
        while self.remaining > 0 {
            if !self.inner.advance()? {
                self.remaining = 0;
                return Ok(false);
            }
            self.remaining -= 1;
        }
        self.inner.advance()
    }

    fn current(&self) -> DocRef<'_> {
        self.inner.current()
    }
}

/// A stream of owned documents (for views that compute names or contents).
pub struct OwnedStream<I> {
    iter: I,
    current: Option<(String, String, Vec<u8>)>,
}

impl<I> OwnedStream<I>
where
    I: Iterator<Item = Result<(String, String, Vec<u8>)>> + Send,
{
    /// Streams `(archive, name, bytes)` items.
    pub fn new(iter: I) -> Self {
        OwnedStream {
            iter,
            current: None,
        }
    }
}

impl<I> DocStream for OwnedStream<I>
where
    I: Iterator<Item = Result<(String, String, Vec<u8>)>> + Send,
{
    fn advance(&mut self) -> Result<bool> {
        self.current = self.iter.next().transpose()?;
        Ok(self.current.is_some())
    }

    fn current(&self) -> DocRef<'_> {
        let (archive, name, data) = self.current.as_ref().expect("advanced to a document");
        DocRef {
            archive,
            name,
            data,
        }
    }
}
