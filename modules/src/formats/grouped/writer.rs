//! Writing a grouped corpus as the original's `GroupedCorpus.Writer` does.
//!
//! Opening the writer creates `data/` and writes `corpus_metadata` with `"writing": true`;
//! documents are appended to one archive at a time; [`GroupedCorpusWriter::finish`] writes the
//! final `length` and removes `writing`. Metadata keys are ordered as the original orders them:
//! `length`, `gzip`, then the document type's keys (e.g. `bytes`, `signed`,
//! `row_length_bytes`), then `writing`.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::ZlibEncoder;
use serde_json::{Map, Value};

use super::{ArchiveKind, find_archives};
use crate::formats::doctype::DocType;
use crate::formats::error::{FormatError, Result};
use crate::formats::fsutil::create_dir_all;
use crate::formats::metadata::{Metadata, truthy, write_metadata};
use crate::formats::pimarc::{PimarcReader, PimarcWriter, index_path};
use crate::formats::ready::data_dir;

/// How to open a corpus writer.
#[derive(Debug, Clone, Default)]
pub struct WriterOptions {
    /// Metadata values, as the keyword arguments of the original's writer: `gzip` and the
    /// document type's keys (e.g. `bytes`, `row_length_bytes`). Other keys are refused, as there.
    pub metadata: Metadata,
    /// Keep existing archives and add to them (to resume an interrupted run). Otherwise all
    /// existing archives are deleted first.
    pub append: bool,
}

/// An open corpus writer.
#[derive(Debug)]
pub struct GroupedCorpusWriter {
    dir: PathBuf,
    data_dir: PathBuf,
    metadata: Metadata,
    gzip: bool,
    append: bool,
    current: Option<(String, PimarcWriter)>,
    closed_archives: HashSet<String>,
    count: u64,
    compressed: Vec<u8>,
    finished: bool,
}

impl GroupedCorpusWriter {
    /// Opens a writer for a corpus of `doc_type` documents in `dir`.
    pub fn create(
        dir: impl AsRef<Path>,
        doc_type: &DocType,
        options: WriterOptions,
    ) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        let mut metadata = Map::new();
        metadata.insert("length".into(), Value::Null);
        metadata.insert("gzip".into(), Value::Bool(false));
        for (key, default) in doc_type.metadata_defaults() {
            metadata.insert(key.clone(), default.clone());
        }
        let unknown: Vec<&str> = options
            .metadata
            .keys()
            .filter(|k| !metadata.contains_key(*k))
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            return Err(FormatError::Invalid(format!(
                "writer kwargs not valid as metadata keys or writer parameters for grouped_corpus<{}> writer: {}",
                doc_type.name(),
                unknown.join(", ")
            )));
        }
        for (k, v) in &options.metadata {
            metadata.insert(k.clone(), v.clone());
        }
        let gzip = metadata.get("gzip").is_some_and(truthy);
        let data_dir = data_dir(&dir);
        create_dir_all(&data_dir)?;
        let count = if options.append {
            count_written_docs(&data_dir)?
        } else {
            delete_all_archives(&data_dir)?;
            0
        };
        metadata.insert("length".into(), Value::from(count));
        metadata.insert("writing".into(), Value::Bool(true));
        write_metadata(&dir, &metadata)?;
        Ok(GroupedCorpusWriter {
            dir,
            data_dir,
            metadata,
            gzip,
            append: options.append,
            current: None,
            closed_archives: HashSet::new(),
            count,
            compressed: Vec::new(),
            finished: false,
        })
    }

    /// The corpus directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The metadata as it will be written (document type encoders read their options here).
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// Documents in the corpus so far (including those already there when appending).
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Adds a document to `archive`. Documents must be added archive by archive: once the
    /// writer has moved on from an archive it cannot go back to it. `metadata` holds extra keys
    /// stored with the document in the archive (normally none).
    pub fn add_document(
        &mut self,
        archive: &str,
        name: &str,
        data: &[u8],
        metadata: Option<&Map<String, Value>>,
    ) -> Result<()> {
        if self.current.as_ref().is_none_or(|(a, _)| a != archive) {
            self.switch_archive(archive)?;
        }
        let (_, writer) = self.current.as_mut().expect("an archive was just opened");
        if self.gzip {
            // zlib data under the plain name: the one compressed layout the original can read
            // (see `docs/datatypes.md`).
            self.compressed.clear();
            let mut enc = ZlibEncoder::new(&mut self.compressed, Compression::new(9));
            enc.write_all(data)
                .and_then(|()| enc.finish().map(|_| ()))
                .map_err(|e| {
                    FormatError::Invalid(format!("could not compress document '{name}': {e}"))
                })?;
            writer.write_file(name, metadata, &self.compressed)?;
        } else {
            writer.write_file(name, metadata, data)?;
        }
        self.count += 1;
        Ok(())
    }

    fn switch_archive(&mut self, archive: &str) -> Result<()> {
        check_archive_name(archive)?;
        if self.closed_archives.contains(archive) {
            return Err(FormatError::Invalid(format!(
                "documents must be added archive by archive: archive '{archive}' was already finished \
                 (writing to it again would replace its documents)"
            )));
        }
        if let Some((name, writer)) = self.current.take() {
            writer.finish()?;
            self.closed_archives.insert(name);
        }
        let path = self.data_dir.join(format!("{archive}.prc"));
        let writer = if self.append && path.exists() {
            PimarcWriter::append(&path)?
        } else {
            PimarcWriter::create(&path)?
        };
        self.current = Some((archive.to_string(), writer));
        Ok(())
    }

    /// Syncs the archive being written to the disk.
    pub fn flush(&mut self) -> Result<()> {
        match self.current.as_mut() {
            Some((_, w)) => w.flush(),
            None => Ok(()),
        }
    }

    /// Completes the corpus: archives are synced, then the metadata gets its final `length`
    /// and loses `writing`, so readers see the corpus as ready.
    pub fn finish(mut self) -> Result<()> {
        if let Some((_, writer)) = self.current.take() {
            writer.finish()?;
        }
        self.metadata
            .insert("length".into(), Value::from(self.count));
        self.metadata.shift_remove("writing");
        self.finished = true;
        write_metadata(&self.dir, &self.metadata)
    }
}

impl Drop for GroupedCorpusWriter {
    /// A writer dropped without `finish` (an error or a panic in the module) records how many
    /// documents were written but keeps `"writing": true`, so the partial corpus is never taken
    /// as ready. (The original clears the flag even then, making a failed output look complete.)
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        if let Some((_, writer)) = self.current.take() {
            drop(writer);
        }
        self.metadata
            .insert("length".into(), Value::from(self.count));
        let _ = write_metadata(&self.dir, &self.metadata);
    }
}

fn check_archive_name(archive: &str) -> Result<()> {
    if archive.is_empty() || archive == "." || archive == ".." || archive.contains(['/', '\0']) {
        return Err(FormatError::Invalid(format!(
            "invalid archive name {archive:?}: archive names are file names in the corpus's data directory"
        )));
    }
    Ok(())
}

/// Counts documents already in the archives, through their indexes (for appending).
fn count_written_docs(data_dir: &Path) -> Result<u64> {
    let mut total = 0u64;
    for archive in find_archives(data_dir)? {
        total += match archive.kind {
            ArchiveKind::Pimarc => PimarcReader::open(&archive.path)?.len()? as u64,
            ArchiveKind::Tar => super::TarArchive::open(&archive.path)?.count_files()? as u64,
        };
    }
    Ok(total)
}

fn delete_all_archives(data_dir: &Path) -> Result<()> {
    for archive in find_archives(data_dir)? {
        for p in [archive.path.clone(), index_path(&archive.path)] {
            match std::fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(FormatError::io("remove", &p, e)),
            }
        }
    }
    Ok(())
}
