//! Document maps: a function from one document's bytes to the output document's bytes,
//! applied to a corpus in order, in parallel (`parallel`), or on the fly for filters.
//!
//! As in every document-map module of the original (`@skip_invalid`), an invalid input
//! document is not processed: it is passed on unchanged, so the error stays traceable.

mod executor;
mod parallel;
mod resume;

pub use executor::{MapRun, filter_chain, run_document_map};
pub use parallel::{Chain, map_in_order};
pub use resume::{PARTIALLY_PROCESSED, ResumePoint};

use crate::error::Result;
use crate::formats::grouped::DocRef;
use crate::formats::invalid::is_invalid_raw;

/// What a document-map module does to each document.
pub trait DocMapper: Send + Sync {
    /// Appends the output document for `doc` to `out` (which is empty). `doc` is valid: invalid
    /// documents never reach a mapper.
    fn map(&self, doc: &DocRef<'_>, out: &mut Vec<u8>) -> Result<()>;
}

/// Applies a mapper, passing invalid documents through unchanged.
pub fn apply(mapper: &dyn DocMapper, doc: &DocRef<'_>, out: &mut Vec<u8>) -> Result<()> {
    if is_invalid_raw(doc.data) {
        out.extend_from_slice(doc.data);
        Ok(())
    } else {
        mapper.map(doc, out)
    }
}

/// The identity map (the `store` module).
pub struct Identity;

impl DocMapper for Identity {
    fn map(&self, doc: &DocRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        out.extend_from_slice(doc.data);
        Ok(())
    }
}
