//! Reading a grouped corpus in order: `(archive name, document name, raw bytes)` for every
//! document, one archive open at a time, buffers reused between documents.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::tar::TarArchive;
use super::{ArchiveFile, ArchiveKind, find_archives, ready};
use crate::formats::error::{FormatError, Result};
use crate::formats::invalid::is_invalid_raw;
use crate::formats::metadata::{Metadata, read_metadata, truthy};
use crate::formats::pimarc::{PimarcEntry, PimarcReader};
use crate::formats::ready::data_dir;

/// A grouped corpus opened for reading.
#[derive(Debug, Clone)]
pub struct GroupedCorpusReader {
    dir: PathBuf,
    metadata: Metadata,
    archives: Vec<ArchiveFile>,
}

/// Where to start iterating, as the original's `archive_iter(start_after=, skip=)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IterOptions {
    /// Start after this `(archive, document)`; with no document name, after the whole archive.
    /// The document-map executor resumes interrupted runs this way.
    pub start_after: Option<(String, Option<String>)>,
    /// Skip this many documents (counted from where `start_after` leaves off).
    pub skip: Option<usize>,
}

/// A document borrowed from the iterator's buffers.
#[derive(Debug, Clone, Copy)]
pub struct DocRef<'a> {
    /// Archive name.
    pub archive: &'a str,
    /// Document name.
    pub name: &'a str,
    /// Raw document bytes (already decompressed if the corpus is gzipped).
    pub data: &'a [u8],
}

impl DocRef<'_> {
    /// Whether this is an invalid document (Pimlico's `***** EMPTY DOCUMENT *****` marker).
    pub fn is_invalid(&self) -> bool {
        is_invalid_raw(self.data)
    }

    /// An owned copy.
    pub fn to_owned(&self) -> OwnedDoc {
        OwnedDoc {
            archive: self.archive.to_string(),
            name: self.name.to_string(),
            data: self.data.to_vec(),
        }
    }
}

/// A document with owned data, as yielded by `Iterator for DocIter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedDoc {
    /// Archive name.
    pub archive: String,
    /// Document name.
    pub name: String,
    /// Raw document bytes.
    pub data: Vec<u8>,
}

impl GroupedCorpusReader {
    /// Opens the corpus at `dir` after checking that it is ready (see [`ready`]).
    pub fn open(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        ready(dir).map_err(|why| {
            FormatError::Invalid(format!(
                "grouped corpus at {} is not ready: {why}",
                dir.display()
            ))
        })?;
        Self::open_unchecked(dir)
    }

    /// Opens the corpus without the readiness check (e.g. to inspect a partial output).
    pub fn open_unchecked(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        let metadata = read_metadata(&dir)?;
        let archives = find_archives(&data_dir(&dir))?;
        Ok(GroupedCorpusReader {
            dir,
            metadata,
            archives,
        })
    }

    /// The corpus directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The corpus metadata (read when the reader was opened).
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The number of documents, from the metadata's `length`.
    pub fn len(&self) -> Option<u64> {
        self.metadata.get("length").and_then(Value::as_u64)
    }

    /// Whether the metadata says the corpus is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// Whether documents are stored gzipped.
    pub fn gzip(&self) -> bool {
        self.metadata.get("gzip").is_some_and(truthy)
    }

    /// The archives, in reading order.
    pub fn archives(&self) -> &[ArchiveFile] {
        &self.archives
    }

    /// Iterates over all documents.
    pub fn docs(&self) -> DocIter<'_> {
        self.docs_with(IterOptions::default())
    }

    /// Iterates from a starting point.
    pub fn docs_with(&self, options: IterOptions) -> DocIter<'_> {
        let skip = options.skip.filter(|s| *s >= 1);
        DocIter {
            reader: self,
            next_archive: 0,
            open: None,
            entry: PimarcEntry::default(),
            inflated: Vec::new(),
            name: String::new(),
            gzip: self.gzip(),
            start_after: options.start_after,
            started: false,
            skip,
            skipped: if skip.is_some() { Some(0) } else { None },
            failed: false,
            current: None,
        }
    }

    /// Lists `(archive, document name)` pairs without reading document data.
    pub fn names(&self) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        let gzip = self.gzip();
        for archive in &self.archives {
            let names: Vec<String> = match archive.kind {
                ArchiveKind::Pimarc => PimarcReader::open(&archive.path)?
                    .index()?
                    .names()
                    .map(str::to_string)
                    .collect(),
                ArchiveKind::Tar => {
                    let mut t = TarArchive::open(&archive.path)?;
                    let mut e = PimarcEntry::default();
                    let mut v = Vec::new();
                    while t.read_next(&mut e)? {
                        v.push(e.name.clone());
                    }
                    v
                }
            };
            for name in names {
                out.push((archive.name.clone(), doc_name(&name, gzip).to_string()));
            }
        }
        Ok(out)
    }

    /// Reads one document by archive and name, through the archive's index (gzip handled).
    pub fn get(&self, archive: &str, name: &str) -> Result<Vec<u8>> {
        let Some(file) = self.archives.iter().rev().find(|a| a.name == archive) else {
            return Err(FormatError::Invalid(format!(
                "no archive '{archive}' in corpus {}",
                self.dir.display()
            )));
        };
        let mut entry = PimarcEntry::default();
        match file.kind {
            ArchiveKind::Pimarc => {
                let mut r = PimarcReader::open(&file.path)?;
                let gz = format!("{name}.gz");
                let stored = if self.gzip() && r.index()?.contains(&gz) {
                    &gz
                } else {
                    name
                };
                r.get(stored, &mut entry)?;
            }
            ArchiveKind::Tar => {
                let mut t = TarArchive::open(&file.path)?;
                let gz = format!("{name}.gz");
                loop {
                    if !t.read_next(&mut entry)? {
                        return Err(FormatError::NameNotFound {
                            path: file.path.clone(),
                            name: name.to_string(),
                        });
                    }
                    if entry.name == name || (self.gzip() && entry.name == gz) {
                        break;
                    }
                }
            }
        }
        let mut out = Vec::new();
        if self.gzip() {
            inflate(&entry.name, &entry.data, &mut out)
                .map_err(|e| decompress_error(file, &entry.name, e))?;
        } else {
            out = entry.data;
        }
        Ok(out)
    }
}

fn doc_name(stored: &str, gzip: bool) -> &str {
    if gzip {
        stored.strip_suffix(".gz").unwrap_or(stored)
    } else {
        stored
    }
}

/// Gzipped corpora store `<name>.gz` files in gzip format; older ones stored plain zlib
/// streams under the document name, which the original still reads.
fn inflate(stored_name: &str, data: &[u8], out: &mut Vec<u8>) -> std::io::Result<()> {
    out.clear();
    if stored_name.ends_with(".gz") {
        flate2::read::MultiGzDecoder::new(data).read_to_end(out)?;
    } else {
        flate2::read::ZlibDecoder::new(data).read_to_end(out)?;
    }
    Ok(())
}

fn decompress_error(archive: &ArchiveFile, name: &str, e: std::io::Error) -> FormatError {
    FormatError::malformed(
        &archive.path,
        None,
        format!("document '{name}' could not be decompressed: {e}"),
    )
}

enum OpenArchive {
    Pimarc(PimarcReader),
    Tar(TarArchive),
}

impl OpenArchive {
    fn open(file: &ArchiveFile) -> Result<Self> {
        Ok(match file.kind {
            ArchiveKind::Pimarc => OpenArchive::Pimarc(PimarcReader::open(&file.path)?),
            ArchiveKind::Tar => OpenArchive::Tar(TarArchive::open(&file.path)?),
        })
    }

    fn read_next(&mut self, entry: &mut PimarcEntry) -> Result<bool> {
        match self {
            OpenArchive::Pimarc(r) => r.read_next(entry),
            OpenArchive::Tar(t) => t.read_next(entry),
        }
    }

    fn len(&mut self) -> Result<usize> {
        match self {
            OpenArchive::Pimarc(r) => r.len(),
            OpenArchive::Tar(t) => t.count_files(),
        }
    }

    fn skip_files(&mut self, n: usize) -> Result<usize> {
        match self {
            OpenArchive::Pimarc(r) => r.skip_files(n),
            OpenArchive::Tar(t) => t.skip_files(n),
        }
    }

    fn seek_after(&mut self, name: &str) -> Result<()> {
        match self {
            OpenArchive::Pimarc(r) => r.seek_after(name),
            OpenArchive::Tar(t) => t.seek_after(name),
        }
    }

    fn contains(&mut self, name: &str) -> Result<bool> {
        match self {
            OpenArchive::Pimarc(r) => Ok(r.index()?.contains(name)),
            OpenArchive::Tar(_) => Ok(false),
        }
    }
}

/// Iterator over a corpus's documents. Use [`DocIter::next_doc`] to borrow each document
/// without copying, or the `Iterator` impl for owned documents.
pub struct DocIter<'r> {
    reader: &'r GroupedCorpusReader,
    next_archive: usize,
    open: Option<(usize, OpenArchive)>,
    entry: PimarcEntry,
    inflated: Vec<u8>,
    name: String,
    gzip: bool,
    start_after: Option<(String, Option<String>)>,
    started: bool,
    skip: Option<usize>,
    skipped: Option<usize>,
    failed: bool,
    current: Option<usize>,
}

impl DocIter<'_> {
    /// Reads the next document; `None` at the end of the corpus.
    pub fn next_doc(&mut self) -> Result<Option<DocRef<'_>>> {
        if self.advance_doc()? {
            Ok(self.current())
        } else {
            Ok(None)
        }
    }

    /// Moves to the next document (decompressing it if needed); `false` at the end of the
    /// corpus. The document is then [`DocIter::current`].
    pub fn advance_doc(&mut self) -> Result<bool> {
        self.current = None;
        if self.failed {
            return Ok(false);
        }
        match self.advance() {
            Ok(Some(idx)) => {
                if self.gzip
                    && let Err(e) = inflate(&self.entry.name, &self.entry.data, &mut self.inflated)
                {
                    self.failed = true;
                    return Err(decompress_error(
                        &self.reader.archives[idx],
                        &self.entry.name,
                        e,
                    ));
                }
                self.current = Some(idx);
                Ok(true)
            }
            Ok(None) => Ok(false),
            Err(e) => {
                self.failed = true;
                Err(e)
            }
        }
    }

    /// The document the last [`DocIter::advance_doc`] moved to.
    pub fn current(&self) -> Option<DocRef<'_>> {
        let idx = self.current?;
        Some(DocRef {
            archive: &self.reader.archives[idx].name,
            name: &self.name,
            data: if self.gzip {
                &self.inflated
            } else {
                &self.entry.data
            },
        })
    }

    /// Moves to the next document, returning the index of its archive.
    fn advance(&mut self) -> Result<Option<usize>> {
        loop {
            if let Some((idx, archive)) = self.open.as_mut() {
                if archive.read_next(&mut self.entry)? {
                    self.name.clear();
                    self.name.push_str(doc_name(&self.entry.name, self.gzip));
                    return Ok(Some(*idx));
                }
                self.open = None;
            }
            if !self.open_next_archive()? {
                return Ok(None);
            }
        }
    }

    /// Opens the next archive that has documents to read, applying `start_after` and `skip`
    /// exactly as the original's `archive_iter` does.
    fn open_next_archive(&mut self) -> Result<bool> {
        while self.next_archive < self.reader.archives.len() {
            let idx = self.next_archive;
            self.next_archive += 1;
            let file = &self.reader.archives[idx];
            if !self.started
                && let Some((after_archive, after_doc)) = &self.start_after
            {
                if *after_archive != file.name {
                    continue;
                }
                if after_doc.is_none() {
                    self.start_after = None;
                    continue;
                }
            }
            let mut archive = OpenArchive::open(file)?;
            if let Some((_, Some(after_doc))) = self.start_after.take() {
                self.started = true;
                let gz = format!("{after_doc}.gz");
                let stored = if self.gzip && archive.contains(&gz)? {
                    gz
                } else {
                    after_doc.clone()
                };
                archive.seek_after(&stored).map_err(|e| match e {
                    FormatError::NameNotFound { .. } => FormatError::Invalid(format!(
                        "tried to start iteration over grouped corpus at document ({}, {after_doc}), but \
                         filename {after_doc} wasn't found in archive {}",
                        file.name, file.name
                    )),
                    other => other,
                })?;
            } else if let (Some(skipped), Some(skip)) = (self.skipped, self.skip) {
                let len = archive.len()?;
                if skipped + len <= skip {
                    self.skipped = Some(skipped + len);
                    continue;
                }
                archive.skip_files(skip - skipped)?;
                self.skipped = None;
            }
            self.open = Some((idx, archive));
            return Ok(true);
        }
        Ok(false)
    }
}

impl Iterator for DocIter<'_> {
    type Item = Result<OwnedDoc>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_doc().map(|d| d.map(|d| d.to_owned())).transpose()
    }
}
