//! `pimlico.modules.corpora.format`: each document formatted as human-readable text, with the
//! formatter the original's browser uses for its document type.

use std::sync::Arc;

use pimlico_config::{ModuleConfig, ModuleSignature, OptionType, Pipeline};
use pimlico_core::types::Problem;
use serde_json::json;

use crate::catalogue::decl::{corpus_output, input, module, option};
use crate::error::{Error, Result};
use crate::formats::doctype::DocType;
use crate::formats::documents::{IntListsFormat, decode_text};
use crate::formats::grouped::DocRef;
use crate::formats::metadata::Metadata;
use crate::map::DocMapper;
use crate::types::common::sentences;
use crate::types::{Behaviour, MapArgs, MapSpec, TypeDef};
use crate::util::options;
use pimlico_config::py::repr as str_repr;

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.corpora.format",
    signature,
    behaviour: Behaviour::DocMap(make),
    check: Some(check),
    source_ready: None,
};

/// The original's standard formatters, by name and class path.
const FORMATTERS: &[(&str, &str, Formatter)] = &[
    (
        "text",
        "pimlico.datatypes.corpora.formatters.text.TextDocumentFormatter",
        Formatter::Text,
    ),
    (
        "tokenized_doc",
        "pimlico.datatypes.corpora.tokenized.TokenizedDocumentFormatter",
        Formatter::Tokenized,
    ),
];

fn signature() -> ModuleSignature {
    let mut sig = module(
        "format",
        "Formats each document of a corpus for people to read, as the corpus browser shows it: \
         with the formatter given, or the document type's default.",
    );
    sig.inputs = vec![input("corpus", "GroupedCorpus")];
    sig.outputs = vec![corpus_output("formatted", "RawTextDocumentType")];
    sig.options = vec![option(
        "formatter",
        OptionType::String,
        json!(null),
        "Fully qualified class name of a formatter to use to format the data. If not specified, \
         the default formatter is used, which uses the datatype's browser_display attribute if \
         available, or falls back to just converting documents to unicode",
    )];
    sig.document_map = true;
    sig
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Formatter {
    Text,
    Tokenized,
    /// Python's `str()` of the document's internal data.
    Default,
}

fn named(name: &str) -> Option<Formatter> {
    FORMATTERS
        .iter()
        .find(|(short, path, _)| *short == name || *path == name)
        .map(|(_, _, f)| *f)
}

fn check(module: &ModuleConfig, _: &Pipeline) -> Vec<Problem> {
    match options::string(&module.options, "formatter") {
        Some(name) if named(name).is_none() => vec![Problem {
            name: "formatter not available".into(),
            description: format!(
                "formatter '{name}' is a Python class, which Pimlico in Rust cannot load; the \
                 formatters available are {}",
                FORMATTERS
                    .iter()
                    .map(|(n, p, _)| format!("{n} ({p})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }],
        _ => Vec::new(),
    }
}

fn is(doc_type: &'static DocType, name: &str) -> bool {
    doc_type.is_a(DocType::by_class_name(name).expect("built in"))
}

/// The document type's default formatter, as the original chooses it.
fn default_for(doc_type: &'static DocType) -> Formatter {
    if is(doc_type, "TokenizedDocumentType") {
        Formatter::Tokenized
    } else if is(doc_type, "TextDocumentType") {
        Formatter::Text
    } else {
        Formatter::Default
    }
}

struct Format {
    formatter: Formatter,
    doc_type: &'static DocType,
    metadata: Metadata,
}

fn make(args: &MapArgs<'_>) -> Result<MapSpec> {
    let formatter = match options::string(args.options, "formatter") {
        None => default_for(args.input_doc_type),
        Some(name) => named(name)
            .ok_or_else(|| Error::msg(format!("formatter '{name}' is not available here")))?,
    };
    Ok(MapSpec {
        mapper: Arc::new(Format {
            formatter,
            doc_type: args.input_doc_type,
            metadata: args.input_metadata.clone(),
        }),
        metadata: Metadata::new(),
    })
}

impl Format {
    fn default_format(&self, doc: &DocRef<'_>) -> Result<String> {
        let err = |e| Error::doc(doc.archive, doc.name, e);
        if is(self.doc_type, "IntegerListsDocumentType") {
            let rows = IntListsFormat::from_metadata(&self.metadata)
                .and_then(|f| f.decode(doc.data))
                .map_err(err)?;
            let rows: Vec<String> = rows
                .iter()
                .map(|r| {
                    let items: Vec<String> = r.iter().map(ToString::to_string).collect();
                    format!("[{}]", items.join(", "))
                })
                .collect();
            return Ok(format!("{{'lists': [{}]}}", rows.join(", ")));
        }
        if self.doc_type.name() == "RawDocumentType" {
            let text = decode_text(doc.data, "RawDocumentType").map_err(err)?;
            return Ok(format!("{{'raw_data': {}}}", str_repr(text)));
        }
        Err(Error::msg(format!(
            "no formatter for documents of type {} is available here",
            self.doc_type.name()
        )))
    }
}

impl DocMapper for Format {
    fn map(&self, doc: &DocRef<'_>, out: &mut Vec<u8>) -> Result<()> {
        match self.formatter {
            Formatter::Text => {
                let text = decode_text(doc.data, self.doc_type.name())
                    .map_err(|e| Error::doc(doc.archive, doc.name, e))?;
                out.extend_from_slice(text.as_bytes());
            }
            Formatter::Tokenized => {
                for (i, sentence) in sentences(self.doc_type, doc)?.iter().enumerate() {
                    if i > 0 {
                        out.push(b'\n');
                    }
                    for (j, token) in sentence.iter().enumerate() {
                        if j > 0 {
                            out.push(b' ');
                        }
                        out.extend_from_slice(token.as_bytes());
                    }
                }
            }
            Formatter::Default => out.extend_from_slice(self.default_format(doc)?.as_bytes()),
        }
        Ok(())
    }
}
