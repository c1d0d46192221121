//! `pimlico.modules.text.*`: tokenization and normalization of text.

mod char_tokenize;
mod normalize;
mod simple_tokenize;
mod text_normalize;

use super::TypeDef;

/// The text module types.
pub(super) const DEFS: &[&TypeDef] = &[
    &simple_tokenize::DEF,
    &char_tokenize::DEF,
    &normalize::DEF,
    &text_normalize::DEF,
];

/// The document's text (strict UTF-8, as the original decodes it).
fn text<'a>(doc: &crate::formats::grouped::DocRef<'a>) -> crate::error::Result<&'a str> {
    crate::formats::documents::decode_text(doc.data, "TextDocumentType")
        .map_err(|e| crate::error::Error::doc(doc.archive, doc.name, e))
}
