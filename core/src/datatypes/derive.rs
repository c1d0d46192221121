//! Which datatype a module output provides, following the signature's `OutputDatatype` rules
//! back through the pipeline (`FromInput` copies whatever is connected to an input).

use pimlico_config::{DatatypeExpr, ModuleConfig, OutputDatatype, OutputDecl, Pipeline};

use super::{DatatypeRegistry, doc_type_from_option};

/// An output that cannot be found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutputTypeError {
    /// No module (or alias) of that name.
    #[error("unknown module '{0}'")]
    UnknownModule(String),
    /// The module has no output of that name (or no outputs at all for the default).
    #[error(
        "{module} module does not have an output named '{output}'. Available outputs: {available}"
    )]
    UnknownOutput {
        /// Module name.
        module: String,
        /// Output asked for (`default` for the default output).
        output: String,
        /// Its outputs, comma-separated.
        available: String,
    },
}

/// The output name a connection refers to: the given one, or the module's default output.
pub fn resolve_output_name(
    module: &ModuleConfig,
    output: Option<&str>,
) -> Result<String, OutputTypeError> {
    let found = match output {
        Some(name) => module.outputs.iter().find(|o| o.as_str() == name),
        None => module.outputs.first(),
    };
    found
        .cloned()
        .ok_or_else(|| OutputTypeError::UnknownOutput {
            module: module.name.clone(),
            output: output.unwrap_or("default").to_string(),
            available: module.outputs.join(", "),
        })
}

/// The datatype `module`'s `output` provides; `None` when it cannot be known here (the module
/// type, or one it copies its type from, is unavailable on this host).
pub fn output_datatype(
    pipeline: &Pipeline,
    registry: &DatatypeRegistry,
    module: &str,
    output: Option<&str>,
) -> Result<Option<DatatypeExpr>, OutputTypeError> {
    derive(pipeline, registry, module, output, 0)
}

fn derive(
    pipeline: &Pipeline,
    registry: &DatatypeRegistry,
    module_name: &str,
    output: Option<&str>,
    depth: usize,
) -> Result<Option<DatatypeExpr>, OutputTypeError> {
    let module = pipeline
        .module(module_name)
        .ok_or_else(|| OutputTypeError::UnknownModule(module_name.to_string()))?;
    let Some(signature) = &module.signature else {
        return Ok(None);
    };
    // Modules can only read earlier modules, so this only guards against malformed input.
    if depth > pipeline.modules.len() + 1 {
        return Ok(None);
    }
    let name = resolve_output_name(module, output)?;
    let decl: Option<&OutputDecl> = signature
        .outputs
        .iter()
        .chain(&signature.optional_outputs)
        .find(|o| o.name == name);
    let Some(decl) = decl else {
        return Ok(None);
    };
    let from_input = |input: &str| -> Result<Option<DatatypeExpr>, OutputTypeError> {
        match module.inputs.get(input).and_then(|conns| conns.first()) {
            Some(conn) => derive(
                pipeline,
                registry,
                &conn.module,
                conn.output.as_deref(),
                depth + 1,
            ),
            None => Ok(None),
        }
    };
    Ok(match &decl.datatype {
        OutputDatatype::Fixed(expr) => Some(expr.clone()),
        OutputDatatype::FromInput { input } => from_input(input)?,
        OutputDatatype::CorpusFromInputDocType { name, input } => {
            from_input(input)?.map(|provided| DatatypeExpr {
                name: name.clone(),
                doc_type: provided.doc_type,
            })
        }
        OutputDatatype::FromDatatypeOptions { name } => Some(DatatypeExpr {
            name: registry.canonical(name).to_string(),
            doc_type: module
                .datatype_options
                .get("data_point_type")
                .and_then(|v| doc_type_from_option(v)),
        }),
    })
}
