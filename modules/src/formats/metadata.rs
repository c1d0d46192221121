//! `corpus_metadata`: the JSON object every datatype keeps next to its `data/` directory.
//!
//! The original reads it leniently (a missing or empty file is `{}`, a file that is not JSON is
//! tried as a pickle, from Pimlico versions before JSON metadata), and writes it with
//! `json.dump`, flushed and synced, at the start and the end of writing.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use serde_json::{Map, Number, Value};

use super::error::{FormatError, Result};
use super::fsutil;
use super::pickle::{self, PyValue};
use super::pyjson;

/// A dataset's metadata, in the order its keys were written.
pub type Metadata = Map<String, Value>;

/// `<dir>/corpus_metadata`.
pub fn metadata_path(dir: &Path) -> PathBuf {
    dir.join("corpus_metadata")
}

/// Reads `<dir>/corpus_metadata`; a missing or empty file gives an empty map, as in the
/// original (data that has not been written yet has no metadata).
pub fn read_metadata(dir: &Path) -> Result<Metadata> {
    let path = metadata_path(dir);
    let raw = match std::fs::read(&path) {
        Ok(raw) => raw,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Map::new()),
        Err(e) => return Err(FormatError::io("read", &path, e)),
    };
    parse_metadata(&path, &raw)
}

/// Parses metadata bytes read from `path`.
pub fn parse_metadata(path: &Path, raw: &[u8]) -> Result<Metadata> {
    if raw.is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(raw) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(FormatError::malformed(
            path,
            None,
            format!(
                "metadata should be a JSON object, found {}",
                json_type(&other)
            ),
        )),
        Err(json_err) => match pickle::loads(raw).ok().and_then(|v| pickled_metadata(&v)) {
            Some(map) => Ok(map),
            None => Err(FormatError::malformed(
                path,
                None,
                format!(
                    "metadata is neither JSON nor an old-style pickled dict (JSON error: {json_err})"
                ),
            )),
        },
    }
}

/// Writes `<dir>/corpus_metadata` as `json.dump` does, replacing the file atomically.
pub fn write_metadata(dir: &Path, metadata: &Metadata) -> Result<()> {
    let text = pyjson::dumps(&Value::Object(metadata.clone()));
    fsutil::write_atomic(&metadata_path(dir), text.as_bytes())
}

/// Python truthiness of a JSON value, as the original tests `metadata["writing"]`.
pub fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn pickled_metadata(v: &PyValue) -> Option<Metadata> {
    let PyValue::Dict(items) = v else { return None };
    items
        .iter()
        .map(|(k, v)| Some((k.as_str()?.to_string(), py_to_json(v)?)))
        .collect()
}

fn py_to_json(v: &PyValue) -> Option<Value> {
    Some(match v {
        PyValue::None => Value::Null,
        PyValue::Bool(b) => Value::Bool(*b),
        PyValue::Int(i) => match i64::try_from(*i) {
            Ok(i) => Value::Number(i.into()),
            Err(_) => Value::Number(u64::try_from(*i).ok()?.into()),
        },
        PyValue::Float(f) => Value::Number(Number::from_f64(*f)?),
        PyValue::Str(s) => Value::String(s.clone()),
        PyValue::List(items) | PyValue::Tuple(items) => {
            Value::Array(items.iter().map(py_to_json).collect::<Option<_>>()?)
        }
        PyValue::Dict(_) => Value::Object(pickled_metadata(v)?),
        _ => return None,
    })
}
