//! `RawDocumentType`, `TextDocumentType`, `RawTextDocumentType` and `LabelDocumentType`: the
//! stored bytes are the document's text in UTF-8 (raw documents are any bytes).

use crate::formats::error::DocError;

/// The text of a text document (also a raw text or label document). The original decodes
/// strictly, so bytes that are not UTF-8 are an error, not replaced.
pub fn decode_text<'a>(raw: &'a [u8], doc_type: &'static str) -> Result<&'a str, DocError> {
    std::str::from_utf8(raw)
        .map_err(|e| DocError::new(doc_type, format!("document is not valid UTF-8: {e}")))
}

/// Appends the stored form of a text document to `out`.
pub fn encode_text(text: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(text.as_bytes());
}
