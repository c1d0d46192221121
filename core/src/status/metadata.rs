//! The module's `metadata` file: a JSON object whose `status` key holds the execution status.

use std::fs;
use std::io::Write;
use std::path::Path;

use serde_json::{Map, Value};

use super::statuses::UNEXECUTED;
use crate::error::{IoContext, IoError, StoreError};
use crate::store::Stores;

/// Reads the metadata from the first store holding the module (empty when there is none).
pub fn read_metadata(stores: &Stores, module: &str) -> Result<Map<String, Value>, StoreError> {
    let path = stores.read_module_dir(module).join("metadata");
    read_json_object_at(&path)
}

/// The module's status: `metadata`'s `status`, or `UNEXECUTED`.
pub fn read_status(stores: &Stores, module: &str) -> Result<String, StoreError> {
    Ok(read_metadata(stores, module)?
        .get("status")
        .and_then(Value::as_str)
        .unwrap_or(UNEXECUTED)
        .to_string())
}

/// Writes the whole metadata object to the output store's module directory (created if needed).
pub fn write_metadata(
    stores: &Stores,
    module: &str,
    metadata: &Map<String, Value>,
) -> Result<(), StoreError> {
    let dir = stores.output_module_dir(module);
    fs::create_dir_all(&dir).ctx("creating module directory", &dir)?;
    let text = serde_json::to_string(metadata).expect("a JSON map always serialises");
    write_file_atomically(&dir.join("metadata"), text.as_bytes())?;
    Ok(())
}

/// Sets `status`, keeping every other key of the metadata as read.
pub fn set_status(stores: &Stores, module: &str, status: &str) -> Result<(), StoreError> {
    let mut metadata = read_metadata(stores, module)?;
    metadata.insert("status".into(), Value::String(status.into()));
    write_metadata(stores, module, &metadata)
}

/// Reads a JSON object; a missing or blank file is an empty object.
pub(crate) fn read_json_object_at(path: &Path) -> Result<Map<String, Value>, StoreError> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Map::new()),
        Err(e) => return Err(IoError::new("reading", path, e).into()),
    };
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(StoreError::Invalid(format!(
            "{} does not hold a JSON object",
            path.display()
        ))),
        Err(source) => Err(StoreError::Json {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Replaces a file's content so that readers see the old or the new content, never a mix.
pub(crate) fn write_file_atomically(path: &Path, content: &[u8]) -> Result<(), IoError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .tempfile_in(dir)
        .ctx("creating temporary file in", dir)?;
    tmp.write_all(content).ctx("writing", tmp.path())?;
    tmp.persist(path)
        .map_err(|e| IoError::new("replacing", path, e.error))?;
    Ok(())
}
