//! `pimlico.modules.corpora.vocab_unmapper`: maps the IDs of an integer-lists corpus back to
//! the words of a vocabulary, giving a tokenized corpus.

use std::collections::HashMap;
use std::sync::Arc;

use pimlico_config::{ModuleSignature, OptionType};
use serde_json::json;

use crate::catalogue::decl::{corpus_input, corpus_output, input, module, option};
use crate::error::{Error, Result};
use crate::formats::dictionary;
use crate::formats::documents::{Int, IntListsFormat, TokenizedWriter};
use crate::formats::grouped::DocRef;
use crate::formats::metadata::Metadata;
use crate::map::DocMapper;
use crate::types::{Behaviour, MapArgs, MapSpec, TypeDef};
use crate::util::options;

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.corpora.vocab_unmapper",
    signature,
    behaviour: Behaviour::DocMap(make),
    check: None,
    source_ready: None,
};

fn signature() -> ModuleSignature {
    let mut sig = module(
        "vocab_unmapper",
        "Maps all the IDs in an integer lists corpus to their corresponding words in a \
         vocabulary, producing a tokenized textual corpus.",
    );
    sig.inputs = vec![
        corpus_input("ids", "IntegerListsDocumentType"),
        input("vocab", "Dictionary"),
    ];
    sig.outputs = vec![corpus_output("text", "TokenizedDocumentType")];
    sig.options = vec![option(
        "oov",
        OptionType::String,
        json!(null),
        "If given, assume the vocab_size+1 was used to represent out-of-vocabulary words and map \
         this index to the given token. Special value 'skip' simply skips over vocab_size+1 \
         indices",
    )];
    sig.document_map = true;
    sig
}

struct VocabUnmapper {
    /// ID → word; `None` for IDs to leave out.
    id2token: HashMap<Int, Option<String>>,
    format: IntListsFormat,
}

fn make(args: &MapArgs<'_>) -> Result<MapSpec> {
    let vocab = dictionary::read(&args.reading.input_dir(args.module, "vocab")?)?;
    let mut id2token: HashMap<Int, Option<String>> = vocab
        .token2id
        .iter()
        .map(|(t, id)| (Int::from(*id), Some(t.clone())))
        .collect();
    let oov_id = vocab.len() as Int;
    match options::string(args.options, "oov") {
        Some("skip") => {
            id2token.insert(oov_id, None);
        }
        Some(token) => {
            id2token.insert(oov_id, Some(token.to_string()));
        }
        None => {}
    }
    let format = IntListsFormat::from_metadata(&args.input_metadata)
        .map_err(|e| Error::msg(format!("input corpus: {e}")))?;
    Ok(MapSpec {
        mapper: Arc::new(VocabUnmapper { id2token, format }),
        metadata: Metadata::new(),
    })
}

impl DocMapper for VocabUnmapper {
    fn map(&self, doc: &DocRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        let mut writer = TokenizedWriter::new(out);
        let mut unknown = None;
        self.format
            .for_each_row(doc.data, |row| {
                writer.sentence();
                for id in row {
                    match self.id2token.get(&id) {
                        Some(Some(word)) => writer.token(word),
                        Some(None) => {}
                        None => unknown = unknown.or(Some(id)),
                    }
                }
            })
            .map_err(|e| Error::doc(doc.archive, doc.name, e))?;
        match unknown {
            Some(id) => Err(Error::msg(format!(
                "document '{}' in archive '{}': ID {id} is not in the vocabulary",
                doc.name, doc.archive
            ))),
            None => Ok(()),
        }
    }
}
