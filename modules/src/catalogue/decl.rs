//! Short constructors for signature declarations, so each catalogue file reads like the
//! original `info.py` it mirrors.

use pimlico_config::{
    DatatypeExpr, InputDecl, ModuleSignature, OptionDecl, OptionType, OutputDatatype, OutputDecl,
    OutputGroup, SignatureKind,
};
use serde_json::Value;

/// A required input accepting `datatype` (or a descendant).
pub fn input(name: &str, datatype: &str) -> InputDecl {
    InputDecl {
        name: name.to_owned(),
        datatype: DatatypeExpr::new(datatype),
        optional: false,
        multiple: false,
    }
}

/// A required `GroupedCorpus` input whose documents are `doc_type` (or a subtype).
pub fn corpus_input(name: &str, doc_type: &str) -> InputDecl {
    InputDecl {
        name: name.to_owned(),
        datatype: DatatypeExpr::with_doc_type("GroupedCorpus", doc_type),
        optional: false,
        multiple: false,
    }
}

/// An optional input.
pub fn optional_input(name: &str, datatype: &str) -> InputDecl {
    InputDecl {
        optional: true,
        ..input(name, datatype)
    }
}

/// A `GroupedCorpus` output of `doc_type` documents.
pub fn corpus_output(name: &str, doc_type: &str) -> OutputDecl {
    OutputDecl {
        name: name.to_owned(),
        datatype: OutputDatatype::Fixed(DatatypeExpr::with_doc_type("GroupedCorpus", doc_type)),
    }
}

/// A required input accepting any number of connections.
pub fn multiple_input(name: &str, datatype: &str) -> InputDecl {
    InputDecl {
        multiple: true,
        ..input(name, datatype)
    }
}

/// An output of a fixed datatype.
pub fn output(name: &str, datatype: &str) -> OutputDecl {
    OutputDecl {
        name: name.to_owned(),
        datatype: OutputDatatype::Fixed(DatatypeExpr::new(datatype)),
    }
}

/// An output with the same type as what is connected to `input`.
pub fn output_like_input(name: &str, input: &str) -> OutputDecl {
    OutputDecl {
        name: name.to_owned(),
        datatype: OutputDatatype::FromInput {
            input: input.to_owned(),
        },
    }
}

/// A corpus output of type `corpus` with the document type of `input`'s corpus.
pub fn corpus_output_from_input(name: &str, corpus: &str, input: &str) -> OutputDecl {
    OutputDecl {
        name: name.to_owned(),
        datatype: OutputDatatype::CorpusFromInputDocType {
            name: corpus.to_owned(),
            input: input.to_owned(),
        },
    }
}

/// An output group.
pub fn group(name: &str, outputs: &[&str]) -> OutputGroup {
    OutputGroup {
        name: name.to_owned(),
        outputs: outputs.iter().map(|o| (*o).to_owned()).collect(),
    }
}

/// An option with a default (`Value::Null` for none).
pub fn option(name: &str, ty: OptionType, default: Value, help: &str) -> OptionDecl {
    OptionDecl {
        name: name.to_owned(),
        help: help.to_owned(),
        ty,
        default,
        required: false,
    }
}

/// A required option.
pub fn required_option(name: &str, ty: OptionType, help: &str) -> OptionDecl {
    OptionDecl {
        required: true,
        ..option(name, ty, Value::Null, help)
    }
}

/// An executable module type with no inputs, outputs or options yet.
pub fn module(type_name: &str, description: &str) -> ModuleSignature {
    ModuleSignature {
        type_name: type_name.to_owned(),
        description: description.to_owned(),
        inputs: Vec::new(),
        outputs: Vec::new(),
        optional_outputs: Vec::new(),
        output_groups: Vec::new(),
        options: Vec::new(),
        executable: true,
        document_map: false,
        kind: SignatureKind::Module,
    }
}
