//! `pimlico.modules.corpora.vocab_mapper`: maps the words of a tokenized corpus to their IDs in
//! a vocabulary, giving lists of integers.

use std::sync::Arc;

use pimlico_config::{ModuleSignature, OptionType};
use serde_json::{Value, json};

use crate::catalogue::decl::{corpus_input, corpus_output, input, module, option};
use crate::error::{Error, Result};
use crate::formats::dictionary::{self, DictionaryData};
use crate::formats::doctype::DocType;
use crate::formats::documents::{Int, IntFormat, IntListsFormat};
use crate::formats::grouped::DocRef;
use crate::formats::metadata::Metadata;
use crate::map::DocMapper;
use crate::types::common::sentences;
use crate::types::{Behaviour, MapArgs, MapSpec, TypeDef};
use crate::util::options;

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.corpora.vocab_mapper",
    signature,
    behaviour: Behaviour::DocMap(make),
    check: None,
    source_ready: None,
};

fn signature() -> ModuleSignature {
    let mut sig = module(
        "vocab_mapper",
        "Maps all the words in a tokenized textual corpus to integer IDs, storing just lists of \
         integers in the output.",
    );
    sig.inputs = vec![
        corpus_input("text", "TokenizedDocumentType"),
        input("vocab", "Dictionary"),
    ];
    sig.outputs = vec![corpus_output("ids", "IntegerListsDocumentType")];
    sig.options = vec![
        option(
            "oov",
            OptionType::String,
            json!(null),
            "If given, special token to map all OOV tokens to. Otherwise, use vocab_size+1 as \
             index. Special value 'skip' simply skips over OOV tokens",
        ),
        option(
            "row_length_bytes",
            OptionType::Int,
            json!(2),
            "The length of each row is stored, by default, using a 2-byte value. If your dataset \
             contains very long lines, you can increase this to allow larger row lengths to be \
             stored",
        ),
    ];
    sig.document_map = true;
    sig
}

struct VocabMapper {
    vocab: DictionaryData,
    /// The ID of out-of-vocabulary words; `None` to leave them out.
    oov: Option<u64>,
    input_doc_type: &'static DocType,
    format: IntListsFormat,
}

fn make(args: &MapArgs<'_>) -> Result<MapSpec> {
    let vocab = dictionary::read(&args.reading.input_dir(args.module, "vocab")?)?;
    let oov = match options::string(args.options, "oov") {
        Some("skip") => None,
        Some(token) => Some(*vocab.token2id.get(token).ok_or_else(|| {
            Error::msg(format!("the OOV token '{token}' is not in the vocabulary"))
        })?),
        None => Some(vocab.len() as u64),
    };
    let row_length_bytes = options::int(args.options, "row_length_bytes").unwrap_or(2);
    let format = IntListsFormat {
        ints: IntFormat::default(),
        row_length_bytes: u8::try_from(row_length_bytes)
            .ok()
            .filter(|b| IntFormat::new(*b, false).is_ok())
            .ok_or_else(|| {
                Error::msg(format!(
                    "row_length_bytes must be 1, 2, 4 or 8, not {row_length_bytes}"
                ))
            })?,
    };
    let mut metadata = Metadata::new();
    metadata.insert("row_length_bytes".into(), Value::from(row_length_bytes));
    Ok(MapSpec {
        mapper: Arc::new(VocabMapper {
            vocab,
            oov,
            input_doc_type: args.input_doc_type,
            format,
        }),
        metadata,
    })
}

impl DocMapper for VocabMapper {
    fn map(&self, doc: &DocRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        let mut rows: Vec<Vec<Int>> = Vec::new();
        for sentence in sentences(self.input_doc_type, doc)? {
            let ids = sentence
                .iter()
                .filter_map(|w| match self.vocab.token2id.get(w.as_ref()) {
                    Some(id) => Some(Int::from(*id)),
                    None => self.oov.map(Int::from),
                });
            let row: Vec<Int> = ids.collect();
            // With OOVs skipped, sentences left empty are dropped.
            if self.oov.is_some() || !row.is_empty() {
                rows.push(row);
            }
        }
        self.format
            .encode(&rows, out)
            .map_err(|e| Error::doc(doc.archive, doc.name, e))
    }
}
