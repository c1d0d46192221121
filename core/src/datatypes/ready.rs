//! Readiness of a dataset at a base directory: the general rule and pluggable extra checks.

use std::path::Path;

use super::metadata::read_corpus_metadata;

/// An extra, datatype-specific readiness check, applied after the general one (directory and
/// `data/` present, not being written) for the datatype and all its descendants.
pub trait ReadinessCheck: Send + Sync {
    /// Whether the data at `base_dir` is complete enough to read.
    fn ready(&self, base_dir: &Path) -> bool;
}

/// Files (relative to `data/`) that must exist, like Pimlico's `get_required_paths`.
#[derive(Debug, Clone)]
pub struct RequiredFiles(pub Vec<String>);

impl ReadinessCheck for RequiredFiles {
    fn ready(&self, base_dir: &Path) -> bool {
        let data = base_dir.join("data");
        self.0.iter().all(|f| data.join(f).exists())
    }
}

/// `GroupedCorpus`: a non-empty corpus (`length > 0`) needs at least one archive in `data/`.
#[derive(Debug, Clone, Copy)]
pub struct GroupedCorpusCheck;

impl ReadinessCheck for GroupedCorpusCheck {
    fn ready(&self, base_dir: &Path) -> bool {
        let Ok(metadata) = read_corpus_metadata(base_dir) else {
            return false;
        };
        let length = metadata
            .get("length")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        length == 0 || has_archive(&base_dir.join("data"))
    }
}

fn has_archive(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let path = entry.path();
        if path.is_dir() {
            has_archive(&path)
        } else {
            matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("prc" | "tar")
            )
        }
    })
}

/// The general rule: `<base>` and `<base>/data` exist and the data is not marked as being
/// written.
pub(super) fn base_ready(base_dir: &Path) -> bool {
    if !base_dir.is_dir() || !base_dir.join("data").exists() {
        return false;
    }
    match read_corpus_metadata(base_dir) {
        Ok(metadata) => !super::metadata::is_writing(&metadata),
        // Unreadable metadata: we cannot tell whether a writer finished.
        Err(_) => false,
    }
}
