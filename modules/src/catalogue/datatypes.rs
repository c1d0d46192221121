//! Datatypes used directly as module types (`type=GroupedCorpus` with `dir=`): non-executable
//! input modules reading a dataset from a directory.

use std::sync::Arc;

use pimlico_config::{
    ModuleSignature, OptionDecl, OptionType, OutputDatatype, OutputDecl, SignatureKind,
};
use serde_json::json;

use super::PimlicoCatalogue;
use super::decl::{module, option, required_option};

/// Pimlico's built-in datatypes: class name, datatype name, and the module defining the class.
const BUILTIN: &[(&str, &str, &str)] = &[
    ("PimlicoDatatype", "base_datatype", "pimlico.datatypes.base"),
    (
        "IterableCorpus",
        "iterable_corpus",
        "pimlico.datatypes.corpora.base",
    ),
    (
        "GroupedCorpus",
        "grouped_corpus",
        "pimlico.datatypes.corpora.grouped",
    ),
    ("StringList", "string_list", "pimlico.datatypes.core"),
    ("Dict", "dict", "pimlico.datatypes.core"),
    (
        "NamedFileCollection",
        "named_file_collection",
        "pimlico.datatypes.files",
    ),
    ("NamedFile", "named_file", "pimlico.datatypes.files"),
    ("TextFile", "text_document", "pimlico.datatypes.files"),
    ("Dictionary", "dictionary", "pimlico.datatypes.dictionary"),
    ("Embeddings", "embeddings", "pimlico.datatypes.embeddings"),
    (
        "TSVVecFiles",
        "tsv_vec_files",
        "pimlico.datatypes.embeddings",
    ),
    ("GensimLdaModel", "lda_model", "pimlico.datatypes.gensim"),
    ("NumpyArray", "numpy_array", "pimlico.datatypes.arrays"),
    (
        "ScipySparseMatrix",
        "scipy_sparse_array",
        "pimlico.datatypes.arrays",
    ),
    (
        "NumericResult",
        "numeric_result",
        "pimlico.datatypes.results",
    ),
];

/// The datatype options a datatype declares (Pimlico's `datatype_options`), which config
/// files give as extra settings of a datatype-input module.
fn datatype_options(class: &str) -> Vec<OptionDecl> {
    let data_point_type = || {
        option(
            "data_point_type",
            OptionType::String,
            json!("DataPointType"),
            "Type of the corpus' documents, e.g. TokenizedDocumentType, optionally with its own \
             options in brackets: WordAnnotationsDocumentType(fields=word,pos)",
        )
    };
    let filenames = || {
        option(
            "filenames",
            OptionType::CommaList,
            json!([]),
            "Names of the files in the collection",
        )
    };
    let filename = |default| option("filename", OptionType::String, default, "The file's name");
    match class {
        "IterableCorpus" | "GroupedCorpus" => vec![data_point_type()],
        "NamedFileCollection" | "TSVVecFiles" => vec![filenames()],
        "NamedFile" => vec![filename(json!(null)), filenames()],
        "TextFile" => vec![filename(json!("data.txt")), filenames()],
        _ => Vec::new(),
    }
}

/// The input-module signature for a datatype.
fn input_signature(class: &str, datatype_name: &str) -> ModuleSignature {
    let mut sig = module(
        &format!("{datatype_name}_input"),
        &format!(
            "Reads a {class} dataset from a directory (containing data/), as if a module had \
             written it there."
        ),
    );
    sig.outputs = vec![OutputDecl {
        name: "data".to_owned(),
        datatype: OutputDatatype::FromDatatypeOptions {
            name: class.to_owned(),
        },
    }];
    sig.options = vec![required_option(
        "dir",
        OptionType::String,
        "Directory to read the data from, e.g. an output directory of another pipeline",
    )];
    sig.executable = false;
    sig.kind = SignatureKind::DatatypeInput {
        datatype: class.to_owned(),
    };
    sig
}

/// Registers every datatype under its datatype name, class name and class paths.
pub(super) fn register(catalogue: &mut PimlicoCatalogue) {
    for &(class, datatype_name, module_path) in BUILTIN {
        let sig = Arc::new(input_signature(class, datatype_name));
        let mut names = vec![
            datatype_name.to_owned(),
            class.to_owned(),
            format!("{module_path}.{class}"),
            format!("pimlico.datatypes.{class}"),
        ];
        if module_path.starts_with("pimlico.datatypes.corpora.") {
            names.push(format!("pimlico.datatypes.corpora.{class}"));
        }
        for name in names {
            catalogue.insert(name, sig.clone());
        }
        catalogue.insert_datatype_options(class, datatype_options(class));
    }
}
