//! Reading processed option values (JSON values from the config crate).

use indexmap::IndexMap;
use serde_json::Value;

/// The options of a module.
pub type Options = IndexMap<String, Value>;

/// A string option (`None` when not given and without default).
pub fn string<'a>(options: &'a Options, name: &str) -> Option<&'a str> {
    options.get(name).and_then(Value::as_str)
}

/// A boolean option; absent means false (Python's `None` is falsy).
pub fn flag(options: &Options, name: &str) -> bool {
    options.get(name).and_then(Value::as_bool).unwrap_or(false)
}

/// An integer option.
pub fn int(options: &Options, name: &str) -> Option<i64> {
    options.get(name).and_then(Value::as_i64)
}

/// A float option.
pub fn float(options: &Options, name: &str) -> Option<f64> {
    options.get(name).and_then(Value::as_f64)
}

/// A list-of-strings option.
pub fn list(options: &Options, name: &str) -> Option<Vec<String>> {
    options.get(name).and_then(Value::as_array).map(|items| {
        items
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect()
    })
}
