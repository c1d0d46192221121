//! `pimlico.modules.input.*`: input readers, which read data from outside the pipeline.

mod europarl;
mod files;
mod raw_text_files;
mod signature_only;

use super::TypeDef;

/// The input module types.
pub(super) const DEFS: &[&TypeDef] = &[
    &raw_text_files::DEF,
    &europarl::DEF,
    &signature_only::XML,
    &signature_only::FASTTEXT,
    &signature_only::GLOVE,
    &signature_only::HUGGINGFACE,
];
