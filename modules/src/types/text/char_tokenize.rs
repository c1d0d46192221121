//! `pimlico.modules.text.char_tokenize`: text as character-level tokens, one sentence per line.

use std::sync::Arc;

use pimlico_config::ModuleSignature;

use super::text;
use crate::catalogue::decl::{corpus_input, corpus_output, module};
use crate::error::Result;
use crate::formats::grouped::DocRef;
use crate::formats::metadata::Metadata;
use crate::formats::pystr::splitlines;
use crate::map::DocMapper;
use crate::types::{Behaviour, MapArgs, MapSpec, TypeDef};

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.text.char_tokenize",
    signature,
    behaviour: Behaviour::DocMap(make),
    check: None,
    source_ready: None,
};

fn signature() -> ModuleSignature {
    let mut sig = module(
        "char_tokenize",
        "Treats text as character-level tokenized data: each line is a sentence and each \
         character a token.",
    );
    sig.inputs = vec![corpus_input("corpus", "TextDocumentType")];
    sig.outputs = vec![corpus_output("corpus", "CharacterTokenizedDocumentType")];
    sig.document_map = true;
    sig
}

struct CharTokenize;

fn make(_: &MapArgs<'_>) -> Result<MapSpec> {
    Ok(MapSpec {
        mapper: Arc::new(CharTokenize),
        metadata: Metadata::new(),
    })
}

impl DocMapper for CharTokenize {
    /// A character-tokenized document stores its sentences' characters joined with nothing, so
    /// the output is the input's lines joined by `\n`.
    fn map(&self, doc: &DocRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        for (i, line) in splitlines(text(doc)?).enumerate() {
            if i > 0 {
                out.push(b'\n');
            }
            out.extend_from_slice(line.as_bytes());
        }
        Ok(())
    }
}
