//! `NamedFileCollection`, `NamedFile` and `TextFile`: datasets made of a fixed list of files
//! under `data/` (names may contain `/` for subdirectories), with metadata `{}`.
//!
//! A collection is ready when all its files exist. `NamedFile` is a collection of one file
//! (named `data` unless given), and `TextFile` one UTF-8 file named `data.txt` by default.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use super::error::{FormatError, Result};
use super::fsutil::{self, create_dir_all};
use super::metadata::{Metadata, write_metadata};
use super::ready::{NotReady, base_ready, data_dir, relative_path};

/// A file collection's list of file names (its datatype option `filenames`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedFileCollection {
    filenames: Vec<String>,
}

impl NamedFileCollection {
    /// A collection of the given files. Names must be relative and stay inside `data/`.
    pub fn new<S: AsRef<str>>(filenames: &[S]) -> Result<Self> {
        let filenames: Vec<String> = filenames.iter().map(|f| f.as_ref().to_string()).collect();
        for name in &filenames {
            let path = Path::new(name);
            if name.is_empty()
                || path
                    .components()
                    .any(|c| !matches!(c, Component::Normal(_)))
            {
                return Err(FormatError::Invalid(format!(
                    "file name '{name}' in a file collection must be a relative path inside the data directory"
                )));
            }
        }
        Ok(NamedFileCollection { filenames })
    }

    /// `NamedFile`: one file, `data` if no name is given.
    pub fn named_file(filename: Option<&str>) -> Result<Self> {
        Self::new(&[filename.unwrap_or("data")])
    }

    /// `TextFile`: one file, `data.txt` if no name is given.
    pub fn text_file(filename: Option<&str>) -> Result<Self> {
        Self::new(&[filename.unwrap_or("data.txt")])
    }

    /// The file names.
    pub fn filenames(&self) -> &[String] {
        &self.filenames
    }

    /// The original's readiness check: every file exists.
    pub fn ready(&self, dir: &Path) -> std::result::Result<(), NotReady> {
        let names: Vec<&str> = self.filenames.iter().map(String::as_str).collect();
        base_ready(dir, &names)
    }

    /// Absolute path of one of the files.
    pub fn path(&self, dir: &Path, filename: &str) -> Result<PathBuf> {
        if !self.filenames.iter().any(|f| f == filename) {
            return Err(FormatError::Invalid(format!(
                "'{filename}' is not a filename in the file collection"
            )));
        }
        Ok(relative_path(&data_dir(dir), filename))
    }

    /// Reads one file.
    pub fn read_file(&self, dir: &Path, filename: &str) -> Result<Vec<u8>> {
        fsutil::read(&self.path(dir, filename)?)
    }

    /// Reads one file as UTF-8 text.
    pub fn read_text(&self, dir: &Path, filename: &str) -> Result<String> {
        let path = self.path(dir, filename)?;
        String::from_utf8(fsutil::read(&path)?).map_err(|e| {
            FormatError::malformed(
                &path,
                Some(e.utf8_error().valid_up_to() as u64),
                "file is not valid UTF-8",
            )
        })
    }

    /// Starts writing the collection at `dir`.
    pub fn writer(&self, dir: &Path) -> Result<NamedFilesWriter> {
        create_dir_all(&data_dir(dir))?;
        write_metadata(dir, &Metadata::new())?;
        Ok(NamedFilesWriter {
            dir: dir.to_path_buf(),
            collection: self.clone(),
            written: HashSet::new(),
        })
    }
}

/// Writes the files of a collection; [`NamedFilesWriter::finish`] checks that every file was
/// written, as the original's writer does on exit.
#[derive(Debug)]
pub struct NamedFilesWriter {
    dir: PathBuf,
    collection: NamedFileCollection,
    written: HashSet<String>,
}

impl NamedFilesWriter {
    /// Writes one file (atomically: it exists complete or not at all).
    pub fn write_file(&mut self, filename: &str, data: &[u8]) -> Result<()> {
        let path = self.collection.path(&self.dir, filename)?;
        if let Some(parent) = path.parent() {
            create_dir_all(parent)?;
        }
        fsutil::write_atomic(&path, data)?;
        self.written.insert(filename.to_string());
        Ok(())
    }

    /// Where to write a file yourself; call [`Self::file_written`] afterwards.
    pub fn path(&self, filename: &str) -> Result<PathBuf> {
        self.collection.path(&self.dir, filename)
    }

    /// Records a file written without [`Self::write_file`].
    pub fn file_written(&mut self, filename: &str) -> Result<()> {
        self.collection.path(&self.dir, filename)?;
        self.written.insert(filename.to_string());
        Ok(())
    }

    /// Finishes writing; an error names the files not written.
    pub fn finish(self) -> Result<()> {
        let missing: Vec<String> = self
            .collection
            .filenames
            .iter()
            .filter(|f| !self.written.contains(*f))
            .map(|f| format!("write_{f}"))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(FormatError::Invalid(format!(
                "some outputs were not written for datatype named_file_collection: {}",
                missing.join(", ")
            )))
        }
    }
}
