//! Writing `.prc` archives and their `.prci` index.
//!
//! Each file is `varint(len(metadata)) metadata varint(len(data)) data`, where the metadata is
//! `json.dumps` of a dict holding at least `name`. The index gets a line per file as it is
//! written, so archive and index agree at every file boundary.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, ErrorKind, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::index::{IndexAppender, IndexEntry, index_path};
use crate::formats::error::{FormatError, Result};
use crate::formats::{pyjson, varint};

const BUFFER: usize = 256 * 1024;

/// An archive open for writing (a new one, or an existing one being appended to).
#[derive(Debug)]
pub struct PimarcWriter {
    path: PathBuf,
    file: BufWriter<File>,
    index: IndexAppender,
    pos: u64,
    header: Vec<u8>,
    metadata: String,
}

impl PimarcWriter {
    /// Starts a new archive, replacing any archive and index at `path`.
    pub fn create(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        Self::delete(path)?;
        let file = File::create(path).map_err(|e| FormatError::io("create archive", path, e))?;
        let index = IndexAppender::open(&index_path(path), false)?;
        Ok(Self::new(path, file, index, 0))
    }

    /// Opens an existing archive to add files at its end. Both the archive and its index must
    /// exist, as in the original.
    pub fn append(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let ipath = index_path(path);
        if !path.exists() {
            return Err(FormatError::Invalid(format!(
                "cannot append to non-existent archive: {}",
                path.display()
            )));
        }
        if !ipath.exists() {
            return Err(FormatError::Invalid(format!(
                "cannot append to archive: index file doesn't exist: {}",
                ipath.display()
            )));
        }
        let index = IndexAppender::open(&ipath, true)?;
        let mut file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| FormatError::io("open archive", path, e))?;
        let pos = file
            .seek(SeekFrom::End(0))
            .map_err(|e| FormatError::io("seek in", path, e))?;
        Ok(Self::new(path, file, index, pos))
    }

    fn new(path: &Path, file: File, index: IndexAppender, pos: u64) -> Self {
        PimarcWriter {
            path: path.to_path_buf(),
            file: BufWriter::with_capacity(BUFFER, file),
            index,
            pos,
            header: Vec::new(),
            metadata: String::new(),
        }
    }

    /// Deletes an archive and its index, if they exist.
    pub fn delete(path: &Path) -> Result<()> {
        for p in [path.to_path_buf(), index_path(path)] {
            match fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(FormatError::io("remove", &p, e)),
            }
        }
        Ok(())
    }

    /// The archive's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of files in the archive.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether the archive has no files yet.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Adds a file. `metadata` holds extra keys to store with it; `name` is set (or replaced)
    /// in it, as the original does.
    pub fn write_file(
        &mut self,
        name: &str,
        metadata: Option<&Map<String, Value>>,
        data: &[u8],
    ) -> Result<()> {
        check_name(name)?;
        if self.index.contains(name) {
            return Err(FormatError::DuplicateName {
                path: self.path.clone(),
                name: name.to_string(),
            });
        }
        self.metadata.clear();
        match metadata {
            Some(m) if !m.is_empty() => {
                self.metadata.push_str(&pyjson::metadata_with_name(m, name))
            }
            _ => pyjson::name_only_metadata(name, &mut self.metadata),
        }
        let metadata_start = self.pos;
        self.header.clear();
        varint::encode(self.metadata.len() as u64, &mut self.header);
        self.header.extend_from_slice(self.metadata.as_bytes());
        let data_start = metadata_start + self.header.len() as u64;
        varint::encode(data.len() as u64, &mut self.header);
        let result = self
            .file
            .write_all(&self.header)
            .and_then(|()| self.file.write_all(data))
            .map_err(|e| FormatError::io("write", &self.path, e))
            .and_then(|()| {
                self.index.append(
                    name,
                    IndexEntry {
                        metadata_start,
                        data_start,
                    },
                )
            });
        match result {
            Ok(()) => {
                self.pos = metadata_start + self.header.len() as u64 + data.len() as u64;
                Ok(())
            }
            Err(e) => {
                // Drop the partial file, as the original truncates after a failed write.
                let _ = self.file.flush();
                let _ = self.file.get_ref().set_len(metadata_start);
                Err(e)
            }
        }
    }

    /// Flushes buffered data of archive and index to the disk.
    pub fn flush(&mut self) -> Result<()> {
        self.file
            .flush()
            .map_err(|e| FormatError::io("write", &self.path, e))?;
        self.file
            .get_ref()
            .sync_data()
            .map_err(|e| FormatError::io("sync", &self.path, e))?;
        self.index.flush(true)
    }

    /// Finishes the archive: everything is written and synced to the disk.
    pub fn finish(mut self) -> Result<()> {
        self.flush()
    }
}

impl Drop for PimarcWriter {
    fn drop(&mut self) {
        // Files written so far stay readable even if `finish` was never called.
        let _ = self.file.flush();
        let _ = self.index.flush(false);
    }
}

/// Names become index lines: a tab or line break would corrupt the index (the original
/// documents the restriction but writes such names anyway, leaving an unreadable index).
fn check_name(name: &str) -> Result<()> {
    if let Some(c) = name.chars().find(|c| matches!(c, '\t' | '\n' | '\r')) {
        return Err(FormatError::Invalid(format!(
            "filename {name:?} contains {c:?}: Pimarc names may not contain tabs or line breaks"
        )));
    }
    Ok(())
}
