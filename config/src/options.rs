//! Module options: conversion by declared type, defaults, required options and unknown-option
//! errors (Pimlico's `process_module_options`).

use indexmap::IndexMap;
use serde_json::Value;

use crate::py;
use crate::signature::{ModuleSignature, OptionType};

/// Why an option could not be processed; `key` is the option concerned (`None` for a missing
/// required option, which has no line of its own).
#[derive(Debug)]
pub(crate) struct OptionFailure {
    pub key: Option<String>,
    pub message: String,
}

/// Pimlico's `str_to_bool`.
pub fn str_to_bool(s: &str) -> bool {
    !matches!(
        s.to_lowercase().as_str(),
        "0" | "f" | "false" | "n" | "no" | ""
    )
}

/// Pimlico's `_enhanced_int`: `1,000`, `1 000`, `5k`, `2m`.
fn enhanced_int(raw: &str) -> Result<Value, String> {
    let mut val: String = raw.chars().filter(|&c| c != ' ' && c != ',').collect();
    let lower = val.to_lowercase();
    if lower.ends_with('k') {
        val.pop();
        val.push_str("000");
    } else if lower.ends_with('m') {
        val.pop();
        val.push_str("000000");
    }
    py::parse_int(&val)
        .map(Value::from)
        .ok_or_else(|| format!("invalid literal for int() with base 10: {}", py::repr(&val)))
}

fn float(raw: &str) -> Result<Value, String> {
    let f = py::parse_float(raw)
        .ok_or_else(|| format!("could not convert string to float: {}", py::repr(raw)))?;
    serde_json::Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| "infinite and NaN values cannot be used as option values".to_owned())
}

/// Converts one value by its declared type.
pub(crate) fn convert(ty: &OptionType, raw: &str) -> Result<Value, String> {
    match ty {
        OptionType::String => Ok(Value::String(raw.to_owned())),
        OptionType::Int => enhanced_int(raw),
        OptionType::Float => float(raw),
        OptionType::Bool => Ok(Value::Bool(str_to_bool(raw))),
        OptionType::Choice(choices) => {
            if choices.iter().any(|c| c == raw) {
                Ok(Value::String(raw.to_owned()))
            } else {
                Err(format!(
                    "{raw} is not a valid value. Valid choices: {}",
                    choices.join(", ")
                ))
            }
        }
        OptionType::CommaList => Ok(Value::Array(if py::strip(raw).is_empty() {
            Vec::new()
        } else {
            raw.split(',')
                .map(|v| Value::String(py::strip(v).to_owned()))
                .collect()
        })),
        OptionType::Json => {
            serde_json::from_str(raw).map_err(|e| format!("error parsing JSON string: {e}"))
        }
        OptionType::Custom { parse, .. } => parse(raw),
    }
}

/// Processes option values (`key → raw string`) against a signature exactly as the loader
/// does. Filter modules (`filter=T`) are loaded without options, as the original shows none
/// for them, but their document map still runs with them: module types call this on the
/// filter's `raw_options` (keeping only declared option names).
pub fn process_options(
    signature: &ModuleSignature,
    given: &IndexMap<String, String>,
) -> Result<IndexMap<String, Value>, String> {
    process(signature, given).map_err(|f| f.message)
}

/// Processes a module's options: every given option must be declared; missing ones take their
/// default, and missing required ones are an error. The result is in declaration order and
/// leaves out options whose value is none.
pub(crate) fn process(
    signature: &ModuleSignature,
    given: &IndexMap<String, String>,
) -> Result<IndexMap<String, Value>, OptionFailure> {
    let type_name = &signature.type_name;
    let mut values: IndexMap<&str, Value> = IndexMap::new();
    for (name, raw) in given {
        let Some(decl) = signature.options.iter().find(|o| &o.name == name) else {
            let available =
                py::sorted_by_similarity(signature.options.iter().map(|o| o.name.as_str()), name);
            return Err(OptionFailure {
                key: Some(name.clone()),
                message: format!(
                    "invalid option for {type_name} module: '{name}'. Available options: {}",
                    available
                        .iter()
                        .map(|o| format!("'{o}'"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        };
        let value = convert(&decl.ty, raw).map_err(|e| OptionFailure {
            key: Some(name.clone()),
            message: format!(
                "error processing option value '{raw}' for {name} option in {type_name} module: {e}"
            ),
        })?;
        values.insert(decl.name.as_str(), value);
    }
    let mut out = IndexMap::with_capacity(signature.options.len());
    for decl in &signature.options {
        let value = match values.swap_remove(decl.name.as_str()) {
            Some(v) => v,
            None if !decl.default.is_null() => decl.default.clone(),
            None if decl.required => {
                return Err(OptionFailure {
                    key: None,
                    message: format!(
                        "{} option is required for {type_name} module, but was not given",
                        decl.name
                    ),
                });
            }
            None => Value::Null,
        };
        if !value.is_null() {
            out.insert(decl.name.clone(), value);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_accept_pimlico_forms() {
        let int = |s| convert(&OptionType::Int, s);
        assert_eq!(int("1,000"), Ok(Value::from(1000)));
        assert_eq!(int("1 000"), Ok(Value::from(1000)));
        assert_eq!(int("5k"), Ok(Value::from(5000)));
        assert_eq!(int("2M"), Ok(Value::from(2_000_000)));
        assert_eq!(
            int("1.5k"),
            Err("invalid literal for int() with base 10: '1.5000'".to_owned())
        );
    }

    #[test]
    fn bools_and_lists_follow_pimlico() {
        assert_eq!(convert(&OptionType::Bool, "No"), Ok(Value::Bool(false)));
        assert_eq!(convert(&OptionType::Bool, ""), Ok(Value::Bool(false)));
        assert_eq!(
            convert(&OptionType::Bool, "anything"),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            convert(&OptionType::CommaList, " a, ,b"),
            Ok(serde_json::json!(["a", "", "b"]))
        );
        assert_eq!(
            convert(&OptionType::CommaList, "  "),
            Ok(serde_json::json!([]))
        );
    }
}
