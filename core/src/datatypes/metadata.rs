//! `corpus_metadata`: each output's JSON datatype metadata, and the `writing` marker the engine
//! sets before a run and clears after success, so that half-written data is never read.

use std::fs;
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{IoContext, StoreError};
use crate::status::{read_json_object_at, write_file_atomically};

/// File name of the datatype metadata inside an output directory.
pub const CORPUS_METADATA: &str = "corpus_metadata";

/// Reads an output's metadata (empty when missing).
pub fn read_corpus_metadata(base_dir: &Path) -> Result<Map<String, Value>, StoreError> {
    read_json_object_at(&base_dir.join(CORPUS_METADATA))
}

/// Whether the metadata says the data is being written.
pub fn is_writing(metadata: &Map<String, Value>) -> bool {
    match metadata.get("writing") {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

/// Creates the output's `data/` directory and marks the output as being written.
pub fn mark_writing(base_dir: &Path) -> Result<(), StoreError> {
    let data = base_dir.join("data");
    fs::create_dir_all(&data).ctx("creating output directory", &data)?;
    let mut metadata = read_corpus_metadata(base_dir)?;
    metadata.insert("writing".into(), Value::Bool(true));
    write_metadata_file(base_dir, &metadata)
}

/// Removes the `writing` marker (keeping whatever else the writer recorded).
pub fn clear_writing(base_dir: &Path) -> Result<(), StoreError> {
    let mut metadata = read_corpus_metadata(base_dir)?;
    // `shift_remove` keeps the writer's key order (a plain remove swaps the last key in).
    if metadata.shift_remove("writing").is_some() || !base_dir.join(CORPUS_METADATA).exists() {
        write_metadata_file(base_dir, &metadata)?;
    }
    Ok(())
}

/// Merges keys into an output's metadata.
pub fn merge_corpus_metadata(
    base_dir: &Path,
    extra: &Map<String, Value>,
) -> Result<(), StoreError> {
    let mut metadata = read_corpus_metadata(base_dir)?;
    for (key, value) in extra {
        metadata.insert(key.clone(), value.clone());
    }
    write_metadata_file(base_dir, &metadata)
}

fn write_metadata_file(base_dir: &Path, metadata: &Map<String, Value>) -> Result<(), StoreError> {
    fs::create_dir_all(base_dir).ctx("creating output directory", base_dir)?;
    let text = serde_json::to_string(metadata).expect("a JSON map always serialises");
    write_file_atomically(&base_dir.join(CORPUS_METADATA), text.as_bytes())?;
    Ok(())
}
