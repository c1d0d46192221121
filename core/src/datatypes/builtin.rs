//! Pimlico's standard datatypes and document types (names, `datatype_name`s and parents).

use std::sync::Arc;

use super::{DatatypeDef, DatatypeRegistry, GroupedCorpusCheck, RequiredFiles};

/// `(class name, datatype_name, parent)` of the original's datatypes.
const DATATYPES: &[(&str, &str, Option<&str>)] = &[
    ("PimlicoDatatype", "base_datatype", None),
    ("IterableCorpus", "iterable_corpus", Some("PimlicoDatatype")),
    ("GroupedCorpus", "grouped_corpus", Some("IterableCorpus")),
    ("StringList", "string_list", Some("PimlicoDatatype")),
    ("Dict", "dict", Some("PimlicoDatatype")),
    ("IntValue", "int", Some("PimlicoDatatype")),
    ("FloatValue", "float", Some("PimlicoDatatype")),
    (
        "NamedFileCollection",
        "named_file_collection",
        Some("PimlicoDatatype"),
    ),
    ("NamedFile", "named_file", Some("NamedFileCollection")),
    ("TextFile", "text_document", Some("NamedFile")),
    ("Dictionary", "dictionary", Some("PimlicoDatatype")),
    ("Embeddings", "embeddings", Some("PimlicoDatatype")),
    ("TSVVecFiles", "tsv_vec_files", Some("NamedFileCollection")),
    (
        "Word2VecFiles",
        "word2vec_files",
        Some("NamedFileCollection"),
    ),
    (
        "FastTextEmbeddings",
        "fasttext_embeddings",
        Some("PimlicoDatatype"),
    ),
    ("GensimLdaModel", "lda_model", Some("PimlicoDatatype")),
    ("GensimLdaSeqModel", "ldaseq_model", Some("PimlicoDatatype")),
    (
        "TopicsTopWords",
        "topics_top_words",
        Some("PimlicoDatatype"),
    ),
    ("NumpyArray", "numpy_array", Some("NamedFileCollection")),
    (
        "ScipySparseMatrix",
        "scipy_sparse_array",
        Some("NamedFileCollection"),
    ),
    ("NumericResult", "numeric_result", Some("PimlicoDatatype")),
    ("KerasModel", "keras_model", Some("PimlicoDatatype")),
    ("SklearnModel", "sklearn_model", Some("NamedFile")),
    ("PlotOutput", "plot_output", Some("NamedFileCollection")),
    (
        "ScoredRealFeatureSets",
        "scored_real_feature_sets",
        Some("NamedFileCollection"),
    ),
];

/// `(name, parent)` of the original's document (data point) types.
const DOC_TYPES: &[(&str, Option<&str>)] = &[
    ("DataPointType", None),
    ("InvalidDocument", Some("DataPointType")),
    ("RawDocumentType", Some("DataPointType")),
    ("TextDocumentType", Some("RawDocumentType")),
    ("RawTextDocumentType", Some("TextDocumentType")),
    ("TokenizedDocumentType", Some("TextDocumentType")),
    (
        "LemmatizedTokensDocumentType",
        Some("TokenizedDocumentType"),
    ),
    (
        "CharacterTokenizedDocumentType",
        Some("TokenizedDocumentType"),
    ),
    ("SegmentedLinesDocumentType", Some("TokenizedDocumentType")),
    ("WordAnnotationsDocumentType", Some("TokenizedDocumentType")),
    (
        "DependencyParsedDocumentType",
        Some("WordAnnotationsDocumentType"),
    ),
    (
        "CoNLLDependencyParseDocumentType",
        Some("WordAnnotationsDocumentType"),
    ),
    (
        "CoNLLDependencyParseInputDocumentType",
        Some("WordAnnotationsDocumentType"),
    ),
    ("LabelDocumentType", Some("RawDocumentType")),
    ("TreeStringsDocumentType", Some("RawDocumentType")),
    ("OpenNLPTreeStringsDocumentType", Some("RawDocumentType")),
    ("IntegerTableDocumentType", Some("RawDocumentType")),
    ("IntegerListsDocumentType", Some("RawDocumentType")),
    ("IntegerListDocumentType", Some("RawDocumentType")),
    ("IntegerDocumentType", Some("RawDocumentType")),
    ("FloatListsDocumentType", Some("RawDocumentType")),
    ("FloatListDocumentType", Some("RawDocumentType")),
    ("VectorDocumentType", Some("RawDocumentType")),
    ("JsonDocumentType", Some("RawDocumentType")),
    ("KeyValueListDocumentType", Some("RawDocumentType")),
    (
        "TermFeatureListDocumentType",
        Some("KeyValueListDocumentType"),
    ),
    ("FeatureListScoreDocumentType", Some("RawDocumentType")),
    ("CandcOutputDocumentType", Some("RawDocumentType")),
    ("VRTDocumentType", Some("DataPointType")),
];

pub(super) fn register_standard(registry: &mut DatatypeRegistry) {
    for &(name, datatype_name, parent) in DATATYPES {
        registry.register(DatatypeDef {
            name: name.to_string(),
            datatype_name: datatype_name.to_string(),
            parent: parent.map(str::to_string),
            check: None,
        });
    }
    for &(name, parent) in DOC_TYPES {
        registry.register_doc_type(name, parent);
    }
    registry.set_check("GroupedCorpus", Arc::new(GroupedCorpusCheck));
    registry.set_check("StringList", Arc::new(RequiredFiles(vec!["data".into()])));
    registry.set_check("Dict", Arc::new(RequiredFiles(vec!["data".into()])));
}
