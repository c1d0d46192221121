//! Document (data point) types: names, the subtype hierarchy the typecheck uses, options, and
//! the metadata keys a corpus of each type carries.
//!
//! The original identifies a document type by class: `TokenizedDocumentType` is a subclass of
//! `TextDocumentType`, so a corpus of tokenized documents can feed a module asking for text.
//! Config files name types by bare class name (for the built-in list) or by dotted path, with
//! options in brackets: `WordAnnotationsDocumentType(fields=word,pos)`.

use serde_json::Value;

use super::error::{FormatError, Result};

/// A metadata default of a document type, written into `corpus_metadata` by corpus writers.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Default {
    Int(i64),
    Bool(bool),
}

/// One document type of the original.
#[derive(Debug, PartialEq)]
pub struct DocType {
    name: &'static str,
    module: &'static str,
    parent: Option<&'static str>,
    metadata: &'static [(&'static str, Default)],
    options: &'static [&'static str],
    in_builtin_list: bool,
    encoding: bool,
}

const DP: &str = "pimlico.datatypes.corpora.data_points";
const TOK: &str = "pimlico.datatypes.corpora.tokenized";
const INTS: &str = "pimlico.datatypes.corpora.ints";
const FLOATS: &str = "pimlico.datatypes.corpora.floats";
const INT_META: &[(&str, Default)] =
    &[("bytes", Default::Int(8)), ("signed", Default::Bool(false))];

const fn t(
    name: &'static str,
    module: &'static str,
    parent: Option<&'static str>,
    metadata: &'static [(&'static str, Default)],
    in_builtin_list: bool,
    encoding: bool,
) -> DocType {
    DocType {
        name,
        module,
        parent,
        metadata,
        options: &[],
        in_builtin_list,
        encoding,
    }
}

static TYPES: &[DocType] = &[
    t("DataPointType", DP, None, &[], false, false),
    t(
        "InvalidDocument",
        DP,
        Some("DataPointType"),
        &[],
        false,
        true,
    ),
    t(
        "RawDocumentType",
        DP,
        Some("DataPointType"),
        &[],
        true,
        true,
    ),
    t(
        "TextDocumentType",
        DP,
        Some("RawDocumentType"),
        &[],
        true,
        true,
    ),
    t(
        "RawTextDocumentType",
        DP,
        Some("TextDocumentType"),
        &[],
        true,
        true,
    ),
    t(
        "TokenizedDocumentType",
        TOK,
        Some("TextDocumentType"),
        &[],
        true,
        true,
    ),
    t(
        "LemmatizedTokensDocumentType",
        TOK,
        Some("TokenizedDocumentType"),
        &[],
        false,
        true,
    ),
    t(
        "CharacterTokenizedDocumentType",
        TOK,
        Some("TokenizedDocumentType"),
        &[],
        true,
        true,
    ),
    t(
        "SegmentedLinesDocumentType",
        TOK,
        Some("TokenizedDocumentType"),
        &[],
        true,
        true,
    ),
    t(
        "IntegerListsDocumentType",
        INTS,
        Some("RawDocumentType"),
        &[
            ("bytes", Default::Int(8)),
            ("signed", Default::Bool(false)),
            ("row_length_bytes", Default::Int(2)),
        ],
        true,
        true,
    ),
    t(
        "IntegerListDocumentType",
        INTS,
        Some("RawDocumentType"),
        INT_META,
        true,
        true,
    ),
    t(
        "IntegerDocumentType",
        INTS,
        Some("RawDocumentType"),
        INT_META,
        false,
        false,
    ),
    t(
        "FloatListsDocumentType",
        FLOATS,
        Some("RawDocumentType"),
        INT_META,
        true,
        false,
    ),
    t(
        "FloatListDocumentType",
        FLOATS,
        Some("RawDocumentType"),
        &[],
        true,
        false,
    ),
    t(
        "VectorDocumentType",
        FLOATS,
        Some("RawDocumentType"),
        &[("dimensions", Default::Int(10))],
        true,
        false,
    ),
    t(
        "JsonDocumentType",
        "pimlico.datatypes.corpora.json",
        Some("RawDocumentType"),
        &[],
        true,
        false,
    ),
    t(
        "IntegerTableDocumentType",
        "pimlico.datatypes.corpora.table",
        Some("RawDocumentType"),
        &[
            ("bytes", Default::Int(8)),
            ("signed", Default::Bool(false)),
            ("row_length", Default::Int(1)),
        ],
        true,
        false,
    ),
    DocType {
        name: "WordAnnotationsDocumentType",
        module: "pimlico.datatypes.corpora.word_annotations",
        parent: Some("TokenizedDocumentType"),
        metadata: &[],
        options: &["fields"],
        in_builtin_list: true,
        encoding: false,
    },
    t(
        "DependencyParsedDocumentType",
        "pimlico.datatypes.corpora.word_annotations",
        Some("WordAnnotationsDocumentType"),
        &[],
        false,
        false,
    ),
    t(
        "LabelDocumentType",
        "pimlico.datatypes.corpora.strings",
        Some("RawDocumentType"),
        &[],
        true,
        true,
    ),
];

impl DocType {
    /// Finds a type by class name (for the types the original accepts by bare name) or by
    /// fully qualified path (`pimlico.datatypes.corpora.tokenized.TokenizedDocumentType`).
    pub fn lookup(name: &str) -> Option<&'static DocType> {
        TYPES
            .iter()
            .find(|t| (t.in_builtin_list && t.name == name) || t.full_name_is(name))
    }

    /// A type by its class name, whether or not the original accepts the bare name in configs.
    pub fn by_class_name(name: &str) -> Option<&'static DocType> {
        TYPES.iter().find(|t| t.name == name)
    }

    /// Every known type.
    pub fn all() -> impl Iterator<Item = &'static DocType> {
        TYPES.iter()
    }

    fn full_name_is(&self, path: &str) -> bool {
        path.strip_suffix(self.name)
            .and_then(|m| m.strip_suffix('.'))
            .is_some_and(|m| m == self.module)
    }

    /// The class name, e.g. `TokenizedDocumentType`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The fully qualified class path.
    pub fn full_name(&self) -> String {
        format!("{}.{}", self.module, self.name)
    }

    /// The parent type (`None` for `DataPointType`, the root).
    pub fn parent(&self) -> Option<&'static DocType> {
        self.parent.and_then(DocType::by_class_name)
    }

    /// This type and its ancestors, nearest first.
    pub fn ancestry(&'static self) -> impl Iterator<Item = &'static DocType> {
        std::iter::successors(Some(self), |t| t.parent())
    }

    /// Whether this type is `other` or a subtype of it (Python's `isinstance`).
    pub fn is_a(&'static self, other: &DocType) -> bool {
        self.ancestry().any(|t| t.name == other.name)
    }

    /// Names of the options the type takes in brackets in a config.
    pub fn option_names(&self) -> &'static [&'static str] {
        self.options
    }

    /// Whether this data layer can decode and encode documents of this type (the others are
    /// known for typechecking and passed through as raw bytes).
    pub fn has_encoding(&self) -> bool {
        self.encoding
    }

    /// The `corpus_metadata` keys a corpus of this type has, with the defaults the original's
    /// writer uses, in its order.
    pub fn metadata_defaults(&self) -> Vec<(String, Value)> {
        self.metadata
            .iter()
            .map(|(k, d)| {
                let v = match d {
                    Default::Int(i) => Value::from(*i),
                    Default::Bool(b) => Value::Bool(*b),
                };
                ((*k).to_string(), v)
            })
            .collect()
    }

    /// The values of this type's metadata keys found in `metadata` (typically the input
    /// corpus's), to pass to a writer whose documents are the input's unchanged: the original
    /// carries them over the same way, and the stored bytes are only readable with them.
    pub fn inherited_metadata(
        &self,
        metadata: &serde_json::Map<String, Value>,
    ) -> serde_json::Map<String, Value> {
        self.metadata
            .iter()
            .filter_map(|(k, _)| metadata.get(*k).map(|v| ((*k).to_string(), v.clone())))
            .collect()
    }
}

/// A document type with its options, as written in a config: `Name` or `Name(k=v; k2=v2)`.
#[derive(Debug, Clone, PartialEq)]
pub struct DocTypeSpec {
    /// The type.
    pub doc_type: &'static DocType,
    /// Options, in the order given. Values are kept as written (`fields=word,pos`).
    pub options: Vec<(String, String)>,
}

impl DocTypeSpec {
    /// Parses a document type specification as the original's `data_point_type_opt` does.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim_matches(|c| c == '\n' || c == ' ');
        let (name, opts) = match text.find('(') {
            Some(i) => (&text[..i], Some(text[i + 1..].trim_end_matches(')'))),
            None => (text, None),
        };
        let doc_type = DocType::lookup(name)
            .ok_or_else(|| FormatError::Invalid(format!("unknown data point type '{name}'")))?;
        let mut options = Vec::new();
        for opt in opts.into_iter().flat_map(|o| o.split(';')) {
            let (k, v) = opt.split_once('=').unwrap_or((opt, ""));
            let (k, v) = (k.trim(), v.trim());
            if !doc_type.options.contains(&k) {
                return Err(FormatError::Invalid(format!(
                    "unknown data-point type option '{k}' for {}()",
                    doc_type.name
                )));
            }
            options.push((k.to_string(), v.to_string()));
        }
        for required in doc_type.options {
            if !options.iter().any(|(k, _)| k == required) {
                return Err(FormatError::Invalid(format!(
                    "{}() datatype requires option '{required}' to be specified",
                    doc_type.name
                )));
            }
        }
        Ok(DocTypeSpec { doc_type, options })
    }

    /// A type with no options.
    pub fn plain(doc_type: &'static DocType) -> Self {
        DocTypeSpec {
            doc_type,
            options: Vec::new(),
        }
    }

    /// The original's type check: `self` (supplied) can be used where `required` is asked for.
    /// Word-annotation types must also supply at least the required fields.
    pub fn satisfies(&self, required: &DocTypeSpec) -> bool {
        if !self.doc_type.is_a(required.doc_type) {
            return false;
        }
        let fields = |s: &DocTypeSpec| -> Vec<String> {
            if s.doc_type.name == "DependencyParsedDocumentType" {
                return ["word", "pos", "head", "deprel"].map(String::from).to_vec();
            }
            s.options
                .iter()
                .filter(|(k, _)| k == "fields")
                .flat_map(|(_, v)| {
                    v.split(',')
                        .map(|f| f.trim().to_string())
                        .filter(|f| !f.is_empty())
                })
                .collect()
        };
        if required
            .doc_type
            .is_a(DocType::by_class_name("WordAnnotationsDocumentType").expect("built in"))
        {
            let have = fields(self);
            return fields(required).iter().all(|f| have.contains(f));
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hierarchy_and_lookup() {
        let tok = DocType::lookup("TokenizedDocumentType").unwrap();
        let text = DocType::lookup("TextDocumentType").unwrap();
        let raw_text = DocType::lookup("RawTextDocumentType").unwrap();
        assert!(tok.is_a(text));
        assert!(!text.is_a(tok));
        assert!(!tok.is_a(raw_text));
        assert_eq!(
            tok.ancestry().map(DocType::name).collect::<Vec<_>>(),
            [
                "TokenizedDocumentType",
                "TextDocumentType",
                "RawDocumentType",
                "DataPointType"
            ]
        );
        assert_eq!(
            DocType::lookup("pimlico.datatypes.corpora.tokenized.TokenizedDocumentType"),
            Some(tok)
        );
        assert!(
            DocType::lookup("IntegerDocumentType").is_none(),
            "not in the built-in list"
        );
        assert!(DocType::lookup("pimlico.datatypes.corpora.ints.IntegerDocumentType").is_some());
    }

    #[test]
    fn specs_parse_and_check_fields() {
        let req = DocTypeSpec::parse("WordAnnotationsDocumentType(fields=word,pos)").unwrap();
        let sup =
            DocTypeSpec::parse(" WordAnnotationsDocumentType(fields=word,lemma,pos)\n").unwrap();
        assert!(sup.satisfies(&req));
        assert!(!req.satisfies(
            &DocTypeSpec::parse("WordAnnotationsDocumentType(fields=word,lemma,pos)").unwrap()
        ));
        assert!(DocTypeSpec::parse("WordAnnotationsDocumentType").is_err());
        assert!(DocTypeSpec::parse("TokenizedDocumentType(x=1)").is_err());
        let tok = DocTypeSpec::parse("TokenizedDocumentType").unwrap();
        assert!(sup.satisfies(&tok));
    }

    #[test]
    fn metadata_defaults_in_writer_order() {
        let t = DocType::lookup("IntegerListsDocumentType").unwrap();
        let keys: Vec<String> = t.metadata_defaults().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["bytes", "signed", "row_length_bytes"]);
    }
}
