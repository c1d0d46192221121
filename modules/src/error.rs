//! Errors of the module types: reading a corpus (stored or computed), processing a document,
//! writing an output. Each says what was being read or done, so that a failed module's
//! message points at the data to look at.

use crate::formats::error::{DocError, FormatError};

/// Why a corpus could not be read or a module could not process it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing an on-disk format failed.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// A document could not be decoded or encoded.
    #[error("document '{name}' in archive '{archive}': {source}")]
    Document {
        /// Archive of the document.
        archive: String,
        /// Document name.
        name: String,
        /// What went wrong.
        #[source]
        source: DocError,
    },
    /// Anything else, already worded for the user.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// An error with a message.
    pub fn msg(message: impl Into<String>) -> Self {
        Error::Other(message.into())
    }

    /// A document-level error.
    pub fn doc(archive: &str, name: &str, source: DocError) -> Self {
        Error::Document {
            archive: archive.to_string(),
            name: name.to_string(),
            source,
        }
    }
}

impl From<Error> for pimlico_core::types::ModuleError {
    fn from(e: Error) -> Self {
        pimlico_core::types::ModuleError::new(e.to_string())
    }
}

/// Result type of the module types.
pub type Result<T, E = Error> = std::result::Result<T, E>;
