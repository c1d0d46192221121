//! Module type signatures: everything the config language needs to know about a module type.
//!
//! The config crate never runs or loads module code. It only needs a type's declared inputs,
//! outputs, output groups and options to expand a pipeline, so that is all a
//! [`ModuleSignature`] holds. Datatypes are named, not interpreted: the engine (`pimlico-core`)
//! owns the datatype hierarchy and the typecheck between connected modules.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

/// A datatype as written in signatures and error messages: `GroupedCorpus<TokenizedDocumentType>`.
///
/// `doc_type` is the data point type of a corpus; `None` means "any" in a requirement and
/// "unspecified" in an output.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct DatatypeExpr {
    /// Datatype class name, e.g. `GroupedCorpus`, `StringList`, `PimlicoDatatype`.
    pub name: String,
    /// Data point (document) type of a corpus, e.g. `TokenizedDocumentType`.
    pub doc_type: Option<String>,
}

impl DatatypeExpr {
    /// A datatype without a document type.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            doc_type: None,
        }
    }

    /// A corpus datatype with the given document type.
    pub fn with_doc_type(name: impl Into<String>, doc_type: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            doc_type: Some(doc_type.into()),
        }
    }

    /// Parses `Name` or `Name<DocType>`.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        match text.split_once('<') {
            None if !text.is_empty() => Some(Self::new(text)),
            None => None,
            Some((name, rest)) => {
                let doc = rest.strip_suffix('>')?;
                (!name.trim().is_empty() && !doc.trim().is_empty())
                    .then(|| Self::with_doc_type(name.trim(), doc.trim()))
            }
        }
    }
}

impl fmt::Display for DatatypeExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.doc_type {
            Some(doc) => write!(f, "{}<{}>", self.name, doc),
            None => f.write_str(&self.name),
        }
    }
}

/// One declared input of a module type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputDecl {
    /// Input name as used in `input_<name>=`.
    pub name: String,
    /// The datatype the input accepts (it or a descendant).
    pub datatype: DatatypeExpr,
    /// Optional inputs are never filled with the default (previous module) connection.
    pub optional: bool,
    /// A multiple input accepts a comma-separated list of connections.
    pub multiple: bool,
}

/// How a module output's datatype is determined.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum OutputDatatype {
    /// Always this datatype.
    Fixed(DatatypeExpr),
    /// The datatype of whatever is connected to the named input (Pimlico's `...WithTypeFromInput`).
    FromInput {
        /// Input whose provided datatype is copied.
        input: String,
    },
    /// A corpus of the given name whose document type is that of the named input's corpus.
    CorpusFromInputDocType {
        /// Corpus datatype name of the output, e.g. `GroupedCorpus`.
        name: String,
        /// Input whose document type is copied.
        input: String,
    },
    /// The datatype of a datatype-input module, built from its datatype options
    /// (e.g. `data_point_type=TokenizedDocumentType`).
    FromDatatypeOptions {
        /// Datatype class name.
        name: String,
    },
}

/// One declared output of a module type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputDecl {
    /// Output name, also the name of its directory inside the module directory.
    pub name: String,
    /// How its datatype is determined.
    pub datatype: OutputDatatype,
}

/// A named group of outputs, usable in input specs as `module.<group>`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutputGroup {
    /// Group name.
    pub name: String,
    /// Outputs in the group, in order.
    pub outputs: Vec<String>,
}

/// How an option's string value is converted, mirroring Pimlico's option processors.
#[derive(Clone, Serialize)]
pub enum OptionType {
    /// Kept as a string.
    String,
    /// Integer; accepts `1,000`, `1 000`, `5k` and `2m` as Pimlico does.
    Int,
    /// Floating-point number.
    Float,
    /// Pimlico's `str_to_bool`: `0,f,false,n,no` (any case) and the empty string are false,
    /// anything else is true.
    Bool,
    /// One of the listed strings.
    Choice(Vec<String>),
    /// Comma-separated list of strings (items stripped; empty items are kept, as in Pimlico,
    /// but an empty or blank value is the empty list).
    CommaList,
    /// Any JSON value.
    Json,
    /// A type-specific converter (e.g. `raw_text_files`' `files` option).
    Custom {
        /// Name shown in help and errors.
        name: &'static str,
        /// Converts the raw value, or says why it cannot.
        #[serde(skip)]
        parse: fn(&str) -> Result<Value, String>,
    },
}

impl fmt::Debug for OptionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::String => f.write_str("String"),
            Self::Int => f.write_str("Int"),
            Self::Float => f.write_str("Float"),
            Self::Bool => f.write_str("Bool"),
            Self::Choice(c) => f.debug_tuple("Choice").field(c).finish(),
            Self::CommaList => f.write_str("CommaList"),
            Self::Json => f.write_str("Json"),
            Self::Custom { name, .. } => write!(f, "Custom({name})"),
        }
    }
}

/// One declared option of a module type.
#[derive(Debug, Clone, Serialize)]
pub struct OptionDecl {
    /// Option key (lower case, as configparser stores keys).
    pub name: String,
    /// Help text, shown by `pimlico ... status MODULE` and in generated docs.
    pub help: String,
    /// Conversion from the config string.
    pub ty: OptionType,
    /// Value when not given; `Value::Null` means none (Pimlico's `None`).
    pub default: Value,
    /// Loading fails when a required option is missing.
    pub required: bool,
}

/// Whether the type is a real module type or a datatype read straight from a directory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum SignatureKind {
    /// A module type (built-in, external or an alias-like view).
    Module,
    /// `type=<datatype>` with `dir=`: a non-executable input module with one output, `data`.
    /// Every option other than `dir`, `tie_alts`, `alt_naming` and `modvar_*` is a datatype
    /// option rather than a module option.
    DatatypeInput {
        /// The datatype class name, e.g. `GroupedCorpus`.
        datatype: String,
    },
}

/// Everything the config language needs to know about one module type.
#[derive(Debug, Clone, Serialize)]
pub struct ModuleSignature {
    /// Short type name shown by `status` (`subset`, `grouped_corpus_input`, ...).
    pub type_name: String,
    /// One-paragraph description for help output.
    pub description: String,
    /// Declared inputs in declaration order (required and optional).
    pub inputs: Vec<InputDecl>,
    /// Outputs that always exist.
    pub outputs: Vec<OutputDecl>,
    /// Outputs that exist only when switched on by `output=` or used by a later module.
    pub optional_outputs: Vec<OutputDecl>,
    /// Output groups beyond the implicit `all`.
    pub output_groups: Vec<OutputGroup>,
    /// Declared options in declaration order.
    pub options: Vec<OptionDecl>,
    /// Non-executable modules (views, filters, datatype inputs) never appear in the schedule.
    pub executable: bool,
    /// Document-map modules may be used as filters (`filter=T`).
    pub document_map: bool,
    /// Module type or datatype input.
    pub kind: SignatureKind,
}

/// The result of looking up a `type=` value.
#[derive(Debug, Clone)]
pub enum Resolution {
    /// The type is known here.
    Found(Arc<ModuleSignature>),
    /// The type cannot be used on this host; the module loads as unavailable with this reason,
    /// keeping its explicit inputs, and cannot run here.
    Unavailable(String),
}

/// Looks up module types by their `type=` string. Implemented by the engine's type registry.
pub trait TypeResolver: Send + Sync {
    /// Resolves a `type=` value (dotted module type path, datatype name or class path).
    fn resolve(&self, type_string: &str) -> Resolution;

    /// The options a datatype accepts when it is used as a module type
    /// (`data_point_type=...`), so that misspelt ones are reported when the pipeline loads, as
    /// Pimlico does. `None` (the default) means unknown: the options are passed on unchecked.
    fn datatype_options(&self, datatype: &str) -> Option<Vec<OptionDecl>> {
        let _ = datatype;
        None
    }
}
