//! The typecheck between connected modules, run right after loading: every connection's
//! provided datatype must be the required one or a descendant, and for corpora the document
//! types must match the same way. Messages are the original's.

use pimlico_config::{DatatypeExpr, ModuleConfig, Pipeline, SignatureKind};

use super::{DatatypeRegistry, ROOT_DOC_TYPE, output_datatype};

/// A failed typecheck, worded as the original's `PipelineCheckError`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("failed checks: Input typechecking for module '{module}' failed: {message}")]
pub struct TypecheckError {
    /// The module whose input failed.
    pub module: String,
    /// The input.
    pub input: String,
    /// The original's message (`type-checking error matching input ...`).
    pub message: String,
    /// A table showing the mismatching connection, when it is a type mismatch.
    pub explanation: Option<String>,
}

/// Typechecks every input of every module; the first failure is returned.
pub fn typecheck_pipeline(
    pipeline: &Pipeline,
    registry: &DatatypeRegistry,
) -> Result<(), TypecheckError> {
    pipeline
        .modules
        .iter()
        .try_for_each(|module| typecheck_module(pipeline, registry, module))
}

fn typecheck_module(
    pipeline: &Pipeline,
    registry: &DatatypeRegistry,
    module: &ModuleConfig,
) -> Result<(), TypecheckError> {
    let Some(signature) = &module.signature else {
        return Ok(());
    };
    if matches!(signature.kind, SignatureKind::DatatypeInput { .. }) {
        return Ok(());
    }
    for (input, connections) in &module.inputs {
        let Some(decl) = signature.inputs.iter().find(|i| &i.name == input) else {
            continue;
        };
        let fail = |message: String, explanation: Option<String>| TypecheckError {
            module: module.name.clone(),
            input: input.clone(),
            message,
            explanation,
        };
        if !decl.multiple && connections.len() > 1 {
            return Err(fail(
                format!(
                    "input {input} on module '{}' does not accept multiple inputs, but {} were given",
                    module.name,
                    connections.len()
                ),
                None,
            ));
        }
        for conn in connections {
            let provided =
                output_datatype(pipeline, registry, &conn.module, conn.output.as_deref())
                    .map_err(|e| fail(e.to_string(), None))?;
            let Some(provided) = provided else { continue };
            if satisfies(registry, &provided, &decl.datatype) {
                continue;
            }
            let required = registry.typecheck_name(&decl.datatype);
            let provided = registry.typecheck_name(&provided);
            let output = conn.output.as_deref();
            let message = format!(
                "type-checking error matching input '{input}' to module '{}' with output '{}' from \
                 module '{}': required type is {required} (or a descendent), but provided type is \
                 {provided}",
                module.name,
                output.unwrap_or("default"),
                conn.module
            );
            let source = format!("{}.{}", conn.module, output.unwrap_or("[default]"));
            let target = format!("{}.{input}", module.name);
            return Err(fail(
                message,
                Some(mismatch_table(&source, &target, &provided, &required)),
            ));
        }
    }
    Ok(())
}

/// Whether `provided` may be connected where `required` is asked for.
pub fn satisfies(
    registry: &DatatypeRegistry,
    provided: &DatatypeExpr,
    required: &DatatypeExpr,
) -> bool {
    if !registry.is_descendant(&provided.name, &required.name) {
        return false;
    }
    if required.doc_type.is_none() && !registry.is_corpus(&required.name) {
        return true;
    }
    let required_doc = required.doc_type.as_deref().unwrap_or(ROOT_DOC_TYPE);
    let provided_doc = provided.doc_type.as_deref().unwrap_or(ROOT_DOC_TYPE);
    registry.is_doc_descendant(provided_doc, required_doc)
}

fn mismatch_table(source: &str, target: &str, provided: &str, required: &str) -> String {
    let provided = format!("!> {provided} <!");
    let width = source.len().max(provided.len());
    format!(
        "Type mismatch:\n   Connection:  {source:>width$}  ->  {target}\n   Types:       \
         {provided:>width$}  ->  {required}"
    )
}
