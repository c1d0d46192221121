//! The `.prci` index beside every `.prc` archive: one line per file,
//! `name TAB metadata-start TAB data-start NEWLINE`, UTF-8, in archive order.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::formats::error::{FormatError, Result};

/// Where a file's blocks start in the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexEntry {
    /// Byte offset of the file's metadata block (its length varint).
    pub metadata_start: u64,
    /// Byte offset of the file's data block (its length varint).
    pub data_start: u64,
}

/// A loaded index: names in archive order with their offsets.
#[derive(Debug, Clone, Default)]
pub struct PimarcIndex {
    entries: IndexMap<String, IndexEntry>,
}

/// The index path for an archive path: the archive's name with `i` appended.
pub fn index_path(archive: &Path) -> PathBuf {
    let mut s = archive.as_os_str().to_owned();
    s.push("i");
    PathBuf::from(s)
}

impl PimarcIndex {
    /// Loads an index file, checking every line.
    pub fn load(path: &Path) -> Result<Self> {
        let raw = std::fs::read(path).map_err(|e| FormatError::io("read index", path, e))?;
        let text = std::str::from_utf8(&raw).map_err(|e| {
            FormatError::malformed(
                path,
                Some(e.valid_up_to() as u64),
                "index is not valid UTF-8",
            )
        })?;
        let mut entries = IndexMap::new();
        let mut offset = 0u64;
        for (lineno, line) in text.split_inclusive('\n').enumerate() {
            let start = offset;
            offset += line.len() as u64;
            let body = line.strip_suffix('\n').unwrap_or(line);
            let body = body.strip_suffix('\r').unwrap_or(body);
            let bad = |what: &str| {
                FormatError::malformed(
                    path,
                    Some(start),
                    format!("index line {}: {what}", lineno + 1),
                )
            };
            let mut fields = body.split('\t');
            let (Some(name), Some(meta), Some(data), None) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                return Err(bad(
                    "expected three tab-separated fields (name, metadata start, data start)",
                ));
            };
            let parse = |s: &str| {
                s.trim()
                    .parse::<u64>()
                    .map_err(|_| bad(&format!("'{s}' is not a byte offset")))
            };
            let entry = IndexEntry {
                metadata_start: parse(meta)?,
                data_start: parse(data)?,
            };
            if entries.insert(name.to_string(), entry).is_some() {
                return Err(bad(&format!("filename '{name}' appears twice")));
            }
        }
        Ok(PimarcIndex { entries })
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the archive is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Offsets of the named file.
    pub fn get(&self, name: &str) -> Option<IndexEntry> {
        self.entries.get(name).copied()
    }

    /// Whether the named file is in the archive.
    pub fn contains(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    /// Names in archive order.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// Names and offsets in archive order.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = (&str, IndexEntry)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// Adds an entry (used when rebuilding an index from an archive).
    pub fn push(&mut self, name: String, entry: IndexEntry) -> std::result::Result<(), String> {
        if self.entries.contains_key(&name) {
            return Err(name);
        }
        self.entries.insert(name, entry);
        Ok(())
    }

    /// Writes the whole index to `path`.
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut out = String::new();
        for (name, e) in &self.entries {
            out.push_str(&format!("{name}\t{}\t{}\n", e.metadata_start, e.data_start));
        }
        std::fs::write(path, out).map_err(|e| FormatError::io("write index", path, e))
    }
}

/// Appends index lines as files are added, so the index always matches what was written.
#[derive(Debug)]
pub struct IndexAppender {
    path: PathBuf,
    file: BufWriter<File>,
    names: HashSet<String>,
    line: String,
}

impl IndexAppender {
    /// Starts a new index, or (with `append`) continues an existing one.
    pub fn open(path: &Path, append: bool) -> Result<Self> {
        let names = if append {
            PimarcIndex::load(path)?.entries.into_keys().collect()
        } else {
            HashSet::new()
        };
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(path)
            .map_err(|e| FormatError::io("open index", path, e))?;
        Ok(IndexAppender {
            path: path.to_path_buf(),
            file: BufWriter::with_capacity(64 * 1024, file),
            names,
            line: String::new(),
        })
    }

    /// Whether a name is already in the archive.
    pub fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    /// Number of files in the index.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Appends one line.
    pub fn append(&mut self, name: &str, entry: IndexEntry) -> Result<()> {
        use std::fmt::Write as _;
        self.line.clear();
        let _ = writeln!(
            self.line,
            "{name}\t{}\t{}",
            entry.metadata_start, entry.data_start
        );
        self.file
            .write_all(self.line.as_bytes())
            .map_err(|e| FormatError::io("write index", &self.path, e))?;
        self.names.insert(name.to_string());
        Ok(())
    }

    /// Flushes buffered lines; with `sync`, also to the disk.
    pub fn flush(&mut self, sync: bool) -> Result<()> {
        self.file
            .flush()
            .map_err(|e| FormatError::io("write index", &self.path, e))?;
        if sync {
            self.file
                .get_ref()
                .sync_data()
                .map_err(|e| FormatError::io("sync index", &self.path, e))?;
        }
        Ok(())
    }
}
