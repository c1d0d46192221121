//! Reading `.prc` archives: sequentially, one file at a time into reused buffers, or by name
//! through the index.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value};

use super::index::{PimarcIndex, index_path};
use crate::formats::error::{FormatError, Result};
use crate::formats::varint::{self, Decoded};

const BUFFER: usize = 256 * 1024;

/// One file of an archive. Reused between reads, so iterating allocates nothing per file once
/// the buffers have grown to the largest file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PimarcEntry {
    /// The file's name (the `name` key of its metadata).
    pub name: String,
    /// The metadata block: UTF-8 JSON, as stored.
    pub metadata_raw: Vec<u8>,
    /// The file's data.
    pub data: Vec<u8>,
    /// Byte offset of the file's metadata block in the archive.
    pub offset: u64,
}

impl PimarcEntry {
    /// The metadata as a JSON object (it always has at least `name`).
    pub fn metadata(&self) -> Result<Map<String, Value>, serde_json::Error> {
        serde_json::from_slice(&self.metadata_raw)
    }
}

#[derive(Deserialize)]
struct NameOnly<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
}

/// An open `.prc` archive. The index is loaded only when needed (random access, length,
/// resuming after a name), since reading in order needs only the archive itself.
#[derive(Debug)]
pub struct PimarcReader {
    path: PathBuf,
    file: BufReader<File>,
    pos: u64,
    index: Option<PimarcIndex>,
}

impl PimarcReader {
    /// Opens an archive. The name must end in `.prc`, as the original requires.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        if path.extension().is_none_or(|e| e != "prc") {
            return Err(FormatError::Invalid(format!(
                "pimarc files should have the extension '.prc': {}",
                path.display()
            )));
        }
        let file = File::open(&path).map_err(|e| FormatError::io("open archive", &path, e))?;
        Ok(PimarcReader {
            file: BufReader::with_capacity(BUFFER, file),
            path,
            pos: 0,
            index: None,
        })
    }

    /// The archive's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The index, loaded from the `.prci` file on first use.
    pub fn index(&mut self) -> Result<&PimarcIndex> {
        if self.index.is_none() {
            self.index = Some(PimarcIndex::load(&index_path(&self.path))?);
        }
        Ok(self.index.as_ref().expect("index was just loaded"))
    }

    /// Number of files, from the index.
    pub fn len(&mut self) -> Result<usize> {
        Ok(self.index()?.len())
    }

    /// Whether the archive has no files, from the index.
    pub fn is_empty(&mut self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// Goes back to the first file.
    pub fn rewind(&mut self) -> Result<()> {
        self.seek_to(0)
    }

    fn seek_to(&mut self, pos: u64) -> Result<()> {
        self.file
            .seek(SeekFrom::Start(pos))
            .map_err(|e| FormatError::io("seek in", &self.path, e))?;
        self.pos = pos;
        Ok(())
    }

    fn malformed(&self, offset: u64, detail: String) -> FormatError {
        FormatError::malformed(&self.path, Some(offset), detail)
    }

    /// Reads a block length; `Ok(None)` at a clean end of the archive.
    fn block_len(&mut self, what: &str) -> Result<Option<u64>> {
        let start = self.pos;
        match varint::decode(&mut self.file).map_err(|e| FormatError::io("read", &self.path, e))? {
            Decoded::Value(n, used) => {
                self.pos += u64::from(used);
                Ok(Some(n))
            }
            Decoded::End => Ok(None),
            Decoded::Truncated(_) => {
                Err(self.malformed(start, format!("archive ends inside the length of {what}")))
            }
            Decoded::Overflow => {
                Err(self.malformed(start, format!("length of {what} is too large")))
            }
        }
    }

    fn read_block(&mut self, len: u64, buf: &mut Vec<u8>, what: &str) -> Result<()> {
        let start = self.pos;
        buf.clear();
        let got = (&mut self.file)
            .take(len)
            .read_to_end(buf)
            .map_err(|e| FormatError::io("read", &self.path, e))?;
        self.pos += got as u64;
        if (got as u64) < len {
            return Err(self.malformed(
                start,
                format!("archive ends inside {what} (expected {len} bytes, found {got})"),
            ));
        }
        Ok(())
    }

    fn skip_block(&mut self, what: &str) -> Result<bool> {
        let Some(len) = self.block_len(what)? else {
            return Ok(false);
        };
        let skip = i64::try_from(len)
            .map_err(|_| self.malformed(self.pos, format!("length of {what} is too large")))?;
        self.file
            .seek_relative(skip)
            .map_err(|e| FormatError::io("seek in", &self.path, e))?;
        self.pos += len;
        Ok(true)
    }

    /// Reads the next file into `entry`. Returns `false` at the end of the archive.
    pub fn read_next(&mut self, entry: &mut PimarcEntry) -> Result<bool> {
        let offset = self.pos;
        let Some(meta_len) = self.block_len("a file's metadata")? else {
            return Ok(false);
        };
        self.read_block(meta_len, &mut entry.metadata_raw, "a file's metadata")?;
        let name = match serde_json::from_slice::<NameOnly<'_>>(&entry.metadata_raw) {
            Ok(m) => m.name,
            Err(e) => {
                return Err(self.malformed(
                    offset,
                    format!("file metadata is not a JSON object with a \"name\": {e}"),
                ));
            }
        };
        entry.name.clear();
        entry.name.push_str(&name);
        entry.offset = offset;
        let what = format!("the data of file '{}'", entry.name);
        let Some(data_len) = self.block_len(&what)? else {
            return Err(self.malformed(self.pos, format!("archive ends before {what}")));
        };
        self.read_block(data_len, &mut entry.data, &what)
            .map(|()| true)
    }

    /// Skips the next `n` files without reading their data; returns how many were skipped
    /// (fewer at the end of the archive).
    pub fn skip_files(&mut self, n: usize) -> Result<usize> {
        for done in 0..n {
            if !self.skip_block("a file's metadata")? {
                return Ok(done);
            }
            if !self.skip_block("a file's data")? {
                return Err(self.malformed(self.pos, "archive ends before a file's data".into()));
            }
        }
        Ok(n)
    }

    /// Positions the reader just after the named file, so the next read returns the file that
    /// follows it (the original's `start_after`).
    pub fn seek_after(&mut self, name: &str) -> Result<()> {
        let Some(entry) = self.index()?.get(name) else {
            return Err(FormatError::NameNotFound {
                path: self.path.clone(),
                name: name.to_string(),
            });
        };
        self.seek_to(entry.data_start)?;
        if !self.skip_block("a file's data")? {
            return Err(self.malformed(
                entry.data_start,
                format!("index points past the end of the archive for '{name}'"),
            ));
        }
        Ok(())
    }

    /// Random access: reads the file whose metadata block starts at `offset` (an index entry's
    /// `metadata_start`). Sequential reading continues after it.
    pub fn read_at(&mut self, offset: u64, entry: &mut PimarcEntry) -> Result<()> {
        self.seek_to(offset)?;
        if self.read_next(entry)? {
            Ok(())
        } else {
            Err(self.malformed(offset, "no file starts at this offset".into()))
        }
    }

    /// Random access: reads the named file through the index. Sequential reading continues
    /// after it.
    pub fn get(&mut self, name: &str, entry: &mut PimarcEntry) -> Result<()> {
        let Some(ix) = self.index()?.get(name) else {
            return Err(FormatError::NameNotFound {
                path: self.path.clone(),
                name: name.to_string(),
            });
        };
        self.seek_to(ix.metadata_start)?;
        if !self.read_next(entry)? {
            return Err(self.malformed(
                ix.metadata_start,
                format!("index points past the end of the archive for '{name}'"),
            ));
        }
        if entry.name != name {
            return Err(self.malformed(
                ix.metadata_start,
                format!(
                    "index says '{name}' starts here, but the file here is '{}'",
                    entry.name
                ),
            ));
        }
        Ok(())
    }

    /// Iterates over the remaining files, each in a fresh [`PimarcEntry`].
    pub fn entries(&mut self) -> impl Iterator<Item = Result<PimarcEntry>> + '_ {
        std::iter::from_fn(move || {
            let mut entry = PimarcEntry::default();
            match self.read_next(&mut entry) {
                Ok(true) => Some(Ok(entry)),
                Ok(false) => None,
                Err(e) => Some(Err(e)),
            }
        })
    }

    /// Rebuilds the index from the archive's contents (the original's `reindex`).
    pub fn rebuild_index(&mut self) -> Result<PimarcIndex> {
        use super::index::IndexEntry;
        self.rewind()?;
        let mut index = PimarcIndex::default();
        let mut meta = Vec::new();
        loop {
            let metadata_start = self.pos;
            let Some(len) = self.block_len("a file's metadata")? else {
                break;
            };
            self.read_block(len, &mut meta, "a file's metadata")?;
            let name = serde_json::from_slice::<NameOnly<'_>>(&meta)
                .map_err(|e| {
                    self.malformed(metadata_start, format!("file metadata has no name: {e}"))
                })?
                .name
                .into_owned();
            let data_start = self.pos;
            if !self.skip_block("a file's data")? {
                return Err(self.malformed(data_start, "archive ends before a file's data".into()));
            }
            let entry = IndexEntry {
                metadata_start,
                data_start,
            };
            index.push(name, entry).map_err(|name| {
                self.malformed(metadata_start, format!("filename '{name}' appears twice"))
            })?;
        }
        self.rewind()?;
        Ok(index)
    }
}
