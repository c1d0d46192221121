//! Input readers known here by their signatures only, so that pipelines using them load and
//! show their status; running them fails with a clear message (see `docs/modules.md` for why
//! each is not implemented).

use pimlico_config::{ModuleSignature, OptionType};
use serde_json::json;

use super::raw_text_files::reader_options;
use crate::catalogue::decl::{corpus_output, module, option, output, required_option};
use crate::types::{Behaviour, TypeDef};

/// `input.xml`: its documents are whatever BeautifulSoup's lenient lxml parser recovers from
/// possibly malformed XML, which cannot be reproduced faithfully here.
pub(super) const XML: TypeDef = TypeDef {
    type_string: "pimlico.modules.input.xml",
    signature: xml,
    behaviour: Behaviour::SignatureOnly,
    check: None,
    source_ready: None,
};

/// `input.embeddings.fasttext`: reads FastText's binary models.
pub(super) const FASTTEXT: TypeDef = TypeDef {
    type_string: "pimlico.modules.input.embeddings.fasttext",
    signature: fasttext,
    behaviour: Behaviour::SignatureOnly,
    check: None,
    source_ready: None,
};

/// `input.embeddings.glove`: reads GloVe vectors into Gensim's format.
pub(super) const GLOVE: TypeDef = TypeDef {
    type_string: "pimlico.modules.input.embeddings.glove",
    signature: glove,
    behaviour: Behaviour::SignatureOnly,
    check: None,
    source_ready: None,
};

/// `input.text.huggingface`: downloads a dataset with Hugging Face's `datasets` library.
pub(super) const HUGGINGFACE: TypeDef = TypeDef {
    type_string: "pimlico.modules.input.text.huggingface",
    signature: huggingface,
    behaviour: Behaviour::SignatureOnly,
    check: None,
    source_ready: None,
};

fn xml() -> ModuleSignature {
    let mut sig = module(
        "xml_files_reader",
        "Input reader for XML file collections (not implemented here).",
    );
    sig.outputs = vec![corpus_output("corpus", "RawTextDocumentType")];
    let mut opts = reader_options();
    let grouping = opts.split_off(4);
    opts[0].ty = OptionType::CommaList;
    opts.extend([
        option(
            "document_node_type",
            OptionType::String,
            json!("doc"),
            "XML node type to extract documents from (default: 'doc')",
        ),
        option(
            "document_name_attr",
            OptionType::String,
            json!("filename"),
            "Attribute of document nodes to get document name from. Use special value \
             'filename' to use the filename (without extensions) as a document name. \
             (Default: 'filename')",
        ),
        option(
            "filter_on_doc_attr",
            OptionType::String,
            json!(null),
            "Comma-separated list of key=value constraints. If given, only docs with the \
             attribute 'key' on their doc node and the attribute value 'value' will be included",
        ),
    ]);
    opts.extend(grouping);
    sig.options = opts;
    sig
}

fn fasttext() -> ModuleSignature {
    let mut sig = module(
        "fasttext_bin_embedding_reader",
        "Reads FastText embeddings from a binary model file (not implemented here).",
    );
    sig.outputs = vec![
        output("embeddings", "Embeddings"),
        output("model", "FastTextEmbeddings"),
    ];
    sig.options = vec![required_option(
        "path",
        OptionType::String,
        "Path to the FastText embedding file",
    )];
    sig
}

fn glove() -> ModuleSignature {
    let mut sig = module(
        "glove_embedding_reader",
        "Reads GloVe embeddings from a text file (not implemented here).",
    );
    sig.outputs = vec![output("embeddings", "Embeddings")];
    sig.options = vec![required_option(
        "path",
        OptionType::String,
        "Path to the GloVe embedding file",
    )];
    sig
}

fn huggingface() -> ModuleSignature {
    let mut sig = module(
        "huggingface_text",
        "Downloads a text dataset from Hugging Face (not implemented here).",
    );
    sig.outputs = vec![corpus_output("default", "RawTextDocumentType")];
    sig.options = vec![
        required_option(
            "dataset",
            OptionType::String,
            "Name of the dataset to download",
        ),
        option(
            "name",
            OptionType::String,
            json!(null),
            "Name defining the dataset configuration",
        ),
        option(
            "split",
            OptionType::String,
            json!("train"),
            "Restrict to a split of the data",
        ),
        required_option(
            "columns",
            OptionType::CommaList,
            "Name(s) of column(s) to store as Pimlico datasets. At least one must be given",
        ),
        option(
            "doc_name",
            OptionType::String,
            json!("enum"),
            "Take the doc names from the named column. The special value 'enum' (default) just \
             numbers the sequence of documents",
        ),
    ];
    sig
}
