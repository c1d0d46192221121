//! `type=<datatype>` with `dir=`: a non-executable input module that reads a dataset straight
//! from a directory, with one output, `data`.

use std::sync::Arc;

use pimlico_config::{
    ModuleSignature, OptionDecl, OptionType, OutputDatatype, OutputDecl, SignatureKind,
};
use serde_json::Value;

use crate::datatypes::DatatypeDef;

/// The signature of a datatype input for a registered datatype.
pub fn datatype_input_signature(def: &DatatypeDef) -> Arc<ModuleSignature> {
    Arc::new(ModuleSignature {
        type_name: format!("{}_input", def.datatype_name),
        description: format!(
            "{} datatype input: reads a {} dataset from the directory given by 'dir'",
            def.datatype_name, def.name
        ),
        inputs: Vec::new(),
        outputs: vec![OutputDecl {
            name: "data".into(),
            datatype: OutputDatatype::FromDatatypeOptions {
                name: def.name.clone(),
            },
        }],
        optional_outputs: Vec::new(),
        output_groups: Vec::new(),
        options: vec![OptionDecl {
            name: "dir".into(),
            help: "Directory to read the data from. May be used to load a dataset from an output \
                   from another Pimlico pipeline"
                .into(),
            ty: OptionType::String,
            default: Value::Null,
            required: true,
        }],
        executable: false,
        document_map: false,
        kind: SignatureKind::DatatypeInput {
            datatype: def.name.clone(),
        },
    })
}
