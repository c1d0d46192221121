//! `GroupedCorpus`: documents grouped into archives under `data/`, with `corpus_metadata`.
//!
//! ```text
//! <output dir>/corpus_metadata    {"length": N, "gzip": false, <document type keys>}
//!                                 plus "writing": true while a writer is open
//! <output dir>/data/<archive>.prc one Pimarc archive per group of documents, and its .prci
//! ```
//!
//! Archives are found anywhere below `data/`, and read in the order of their full paths. If
//! any `.prc` file exists only `.prc` files are archives; otherwise `.tar` files are (corpora
//! from before Pimarc). A document's name is its file name in the archive, less a `.gz`
//! suffix when the corpus is gzipped.

mod grouper;
mod reader;
mod tar;
mod writer;

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

pub use grouper::ArchiveGrouper;
pub use reader::{DocIter, DocRef, GroupedCorpusReader, IterOptions, OwnedDoc};
pub use tar::TarArchive;
pub use writer::{GroupedCorpusWriter, WriterOptions};

use super::error::{FormatError, Result};
use super::metadata::{metadata_path, read_metadata, truthy};
use super::ready::{NotReady, base_ready, data_dir};

/// Which archive format a corpus uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    /// `.prc` + `.prci`.
    Pimarc,
    /// `.tar` (read only).
    Tar,
}

/// One archive of a corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveFile {
    /// Archive name: the file name without its extension.
    pub name: String,
    /// Full path of the archive file.
    pub path: PathBuf,
    /// Its format.
    pub kind: ArchiveKind,
}

/// Lists a corpus's archives in reading order.
pub fn find_archives(data_dir: &Path) -> Result<Vec<ArchiveFile>> {
    let mut files = Vec::new();
    if data_dir.is_dir() {
        walk(data_dir, &mut files)?;
    }
    let has = |ext: &str| files.iter().any(|p| has_ext(p, ext));
    let kind = if has("prc") || !has("tar") {
        ArchiveKind::Pimarc
    } else {
        ArchiveKind::Tar
    };
    let ext = match kind {
        ArchiveKind::Pimarc => "prc",
        ArchiveKind::Tar => "tar",
    };
    let mut archives: Vec<ArchiveFile> = files
        .into_iter()
        .filter(|p| has_ext(p, ext))
        .map(|path| ArchiveFile {
            name: path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path,
            kind,
        })
        .collect();
    // The original sorts the joined path strings, not path components.
    archives.sort_by(|a, b| {
        a.path
            .as_os_str()
            .as_encoded_bytes()
            .cmp(b.path.as_os_str().as_encoded_bytes())
    });
    Ok(archives)
}

fn has_ext(path: &Path, ext: &str) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        n.len() > ext.len() && n.ends_with(ext) && n[..n.len() - ext.len()].ends_with('.')
    })
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| FormatError::io("list", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| FormatError::io("list", dir, e))?;
        let path = entry.path();
        let ft = entry
            .file_type()
            .map_err(|e| FormatError::io("inspect", &path, e))?;
        if ft.is_dir() {
            walk(&path, out)?;
        } else if !(ft.is_symlink() && path.is_dir()) {
            out.push(path);
        }
    }
    Ok(())
}

/// The original's readiness check for a grouped corpus at `dir`: `data/` exists, the
/// metadata has a `length`, a non-empty corpus has at least one archive, and the metadata
/// does not say it is being written.
pub fn ready(dir: &Path) -> Result<(), NotReady> {
    base_ready(dir, &[])?;
    let metadata = read_metadata(dir).map_err(|e| NotReady::BadMetadata(e.to_string()))?;
    let length = match metadata.get("length") {
        Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
        _ => return Err(NotReady::NoLength(metadata_path(dir))),
    };
    let data = data_dir(dir);
    if length > 0.0 {
        let archives = find_archives(&data).map_err(|e| NotReady::BadMetadata(e.to_string()))?;
        if archives.is_empty() {
            return Err(NotReady::NoArchives(data));
        }
    }
    if metadata.get("writing").is_some_and(truthy) {
        return Err(NotReady::BeingWritten(metadata_path(dir)));
    }
    Ok(())
}
