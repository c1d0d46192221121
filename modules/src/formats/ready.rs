//! Readiness of a dataset directory, as the original decides it before letting a module read.
//!
//! Every datatype's check starts with the base check of `PimlicoDatatype`: the output directory
//! and its `data/` subdirectory exist, plus any files the datatype requires. Datatypes add their
//! own conditions (a grouped corpus also needs a length, archives and no `writing` flag).

use std::fmt;
use std::path::{Path, PathBuf};

/// Why a dataset is not ready to be read. `Display` gives a sentence for status output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotReady {
    /// The dataset directory (or its `data/` directory) does not exist.
    MissingDir(PathBuf),
    /// A file the datatype requires does not exist.
    MissingFile(PathBuf),
    /// A corpus's `corpus_metadata` has no `length` (or not a number).
    NoLength(PathBuf),
    /// A non-empty corpus has no archive in its data directory.
    NoArchives(PathBuf),
    /// The dataset's metadata says it is still being written.
    BeingWritten(PathBuf),
    /// The metadata file exists but cannot be read or parsed; the text says why.
    BadMetadata(String),
}

impl fmt::Display for NotReady {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotReady::MissingDir(p) => write!(f, "directory {} does not exist", p.display()),
            NotReady::MissingFile(p) => write!(f, "required file {} does not exist", p.display()),
            NotReady::NoLength(p) => write!(f, "no corpus length in {}", p.display()),
            NotReady::NoArchives(p) => write!(
                f,
                "corpus metadata gives a non-zero length, but there are no archives in {}",
                p.display()
            ),
            NotReady::BeingWritten(p) => {
                write!(f, "{} says the data is still being written", p.display())
            }
            NotReady::BadMetadata(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for NotReady {}

/// The base check of every datatype: `dir` and `dir/data` exist, and so does each of
/// `required` (paths relative to `dir/data`, with `/` separators).
pub fn base_ready(dir: &Path, required: &[&str]) -> Result<(), NotReady> {
    if !dir.exists() {
        return Err(NotReady::MissingDir(dir.to_path_buf()));
    }
    let data = data_dir(dir);
    if !data.exists() {
        return Err(NotReady::MissingDir(data));
    }
    for rel in required {
        let path = relative_path(&data, rel);
        if !path.exists() {
            return Err(NotReady::MissingFile(path));
        }
    }
    Ok(())
}

/// The directory holding a dataset's files: `<dir>/data`.
pub fn data_dir(dir: &Path) -> PathBuf {
    dir.join("data")
}

/// Joins a `/`-separated relative name onto `base`, as the original does with
/// `os.path.join(*name.split("/"))`.
pub fn relative_path(base: &Path, rel: &str) -> PathBuf {
    let mut path = base.to_path_buf();
    for part in rel.split('/') {
        path.push(part);
    }
    path
}
