//! How each document type stores a document as bytes in an archive.
//!
//! Decoders borrow the raw bytes where they can ([`Tokenized`] is a view over the stored
//! text), and encoders append to a caller's buffer, so a module can process a corpus without
//! allocating per document.

mod ints;
mod text;
mod tokenized;

pub use ints::{Int, IntFormat, IntListsFormat, decode_int_list, encode_int_list};
pub use text::{decode_text, encode_text};
pub use tokenized::{
    CharTokenized, Tokenized, TokenizedWriter, decode_segmented_lines, encode_char_tokenized,
    encode_segmented_lines, encode_tokenized,
};

use super::error::DocError;
use super::invalid::{InvalidDocument, is_invalid_raw};

/// A document as a reader sees it: either of the corpus's type, or an invalid document left by
/// a module that failed on it (any corpus can contain those).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Document<T> {
    /// A document of the corpus's type.
    Valid(T),
    /// An invalid document.
    Invalid(InvalidDocument),
}

impl<T> Document<T> {
    /// The valid document, if it is one.
    pub fn valid(self) -> Option<T> {
        match self {
            Document::Valid(t) => Some(t),
            Document::Invalid(_) => None,
        }
    }
}

/// Decodes raw bytes as the original's readers do: bytes starting with the invalid-document
/// marker are an invalid document whatever the type; anything else goes to `decode`.
pub fn decode<'a, T>(
    raw: &'a [u8],
    decode: impl FnOnce(&'a [u8]) -> Result<T, DocError>,
) -> Result<Document<T>, DocError> {
    if is_invalid_raw(raw) {
        InvalidDocument::parse(raw).map(Document::Invalid)
    } else {
        decode(raw).map(Document::Valid)
    }
}
