//! The module's `history` file: `YYYY-MM-DD HH:MM:SS message` lines.

use std::fs::{self, OpenOptions};
use std::io::Write;

use crate::error::{IoContext, StoreError};
use crate::store::Stores;
use crate::time::now_stamp;

/// Appends one line to the history in the output store's module directory.
pub fn append_history(stores: &Stores, module: &str, message: &str) -> Result<(), StoreError> {
    let dir = stores.output_module_dir(module);
    fs::create_dir_all(&dir).ctx("creating module directory", &dir)?;
    let path = dir.join("history");
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .ctx("opening", &path)?;
    writeln!(file, "{} {message}", now_stamp()).ctx("appending to", &path)?;
    Ok(())
}

/// The whole history from the first store holding the module (empty if there is none).
pub fn read_history(stores: &Stores, module: &str) -> Result<String, StoreError> {
    let path = stores.read_module_dir(module).join("history");
    match fs::read_to_string(&path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(crate::error::IoError::new("reading", &path, e).into()),
    }
}
