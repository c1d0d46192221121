//! Invalid documents: what a module writes in place of a document it failed to process.
//!
//! The original stores them in the corpus like any document, as text starting with a fixed
//! marker, and recognises them on reading by that prefix whatever the corpus's document type:
//!
//! ```text
//! ***** EMPTY DOCUMENT *****
//! Empty due to processing error in module: <module name>
//!
//! Full error details:
//! <error info>
//! ```
//!
//! Downstream modules pass them through unchanged, so the error stays traceable to its source.

use super::error::DocError;

/// The prefix that marks a document's raw bytes as an invalid document.
pub const INVALID_MARKER: &[u8] = b"***** EMPTY DOCUMENT *****";

/// Whether raw document bytes are an invalid document.
pub fn is_invalid_raw(data: &[u8]) -> bool {
    data.starts_with(INVALID_MARKER)
}

/// An invalid document's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidDocument {
    /// Module in which processing failed.
    pub module_name: String,
    /// Error message and traceback.
    pub error_info: String,
}

impl InvalidDocument {
    /// A new invalid document.
    pub fn new(module_name: impl Into<String>, error_info: impl Into<String>) -> Self {
        InvalidDocument {
            module_name: module_name.into(),
            error_info: error_info.into(),
        }
    }

    /// Parses the raw bytes of an invalid document, as the original does: the module name is
    /// what follows `": "` on the second line, and the error info is everything after the line
    /// following the first blank line.
    pub fn parse(raw: &[u8]) -> Result<Self, DocError> {
        let text = std::str::from_utf8(raw)
            .map_err(|e| DocError::new("InvalidDocument", format!("not valid UTF-8: {e}")))?;
        if !text.starts_with("***** EMPTY DOCUMENT *****") {
            return Err(DocError::new(
                "InvalidDocument",
                "tried to read empty document text from invalid text",
            ));
        }
        let after_marker = text.split_once('\n').map_or("", |(_, rest)| rest);
        let (module_line, rest) = after_marker
            .split_once("\n\n")
            .unwrap_or((after_marker, ""));
        let module_name = module_line.split_once(": ").map_or("", |(_, name)| name);
        let error_info = rest.split_once('\n').map_or("", |(_, info)| info);
        Ok(InvalidDocument::new(module_name, error_info))
    }

    /// Appends the raw bytes of this invalid document to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(INVALID_MARKER);
        out.extend_from_slice(b"\nEmpty due to processing error in module: ");
        out.extend_from_slice(self.module_name.as_bytes());
        out.extend_from_slice(b"\n\nFull error details:\n");
        out.extend_from_slice(self.error_info.as_bytes());
    }

    /// The raw bytes of this invalid document.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_is_recognised() {
        let doc = InvalidDocument::new("tokenize", "ValueError: bad\nTraceback...\n  line 2");
        let raw = doc.to_bytes();
        assert!(is_invalid_raw(&raw));
        assert_eq!(InvalidDocument::parse(&raw).unwrap(), doc);
        assert!(!is_invalid_raw(b"hello"));
        assert!(InvalidDocument::parse(b"hello").is_err());
    }
}
