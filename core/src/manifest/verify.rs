//! `verify`: re-hash every file of a module directory and compare it with the manifest
//! recorded for it (the cache), telling damage on disk (same size and modification time,
//! different content) from modification.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use pimlico_proto::{FileProblem, ProblemKind};

use super::cache::read_cache;
use super::compute::module_manifest;
use super::error::ManifestError;
use super::hash::hash_many;
use super::walk::walk;

/// What [`verify_module`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Files read and hashed.
    pub files: u64,
    /// Bytes read.
    pub bytes: u64,
    /// There was no recorded manifest: one was recorded now, nothing was compared.
    pub recorded: bool,
    /// Every file that does not match, sorted by path.
    pub problems: Vec<FileProblem>,
}

/// Checks the module directory `dir` against its recorded manifest. Reads every file; changes
/// nothing, except that data without a recorded manifest gets one. Blocking.
pub fn verify_module(dir: &Path) -> Result<VerifyReport, ManifestError> {
    let Some(recorded) = read_cache(dir) else {
        let computed = module_manifest(dir)?;
        return Ok(VerifyReport {
            files: computed.hashed_files + computed.cached_files,
            bytes: computed.hashed_bytes,
            recorded: true,
            problems: Vec::new(),
        });
    };
    let walked = walk(dir)?;
    let paths: Vec<PathBuf> = walked.files.iter().map(|f| f.abs(dir)).collect();
    let hashes = hash_many(&paths);
    let mut problems = Vec::new();
    let mut bytes = 0;
    let mut on_disk: HashMap<&str, ()> = HashMap::new();
    for (file, result) in walked.files.iter().zip(hashes) {
        on_disk.insert(&file.rel, ());
        let (hash, read, _) = result.map_err(|e| ManifestError::io("hash", file.abs(dir), e))?;
        bytes += read;
        let problem = |kind, detail: String| FileProblem {
            path: file.rel.clone(),
            kind,
            detail,
        };
        let Some(entry) = recorded.get(&file.rel) else {
            problems.push(problem(
                ProblemKind::Unexpected,
                format!("{} bytes, not in the recorded manifest", file.stat.size),
            ));
            continue;
        };
        let hex = hash.to_hex().to_string();
        if hex != entry.file.blake3 {
            let detail = format!(
                "content differs from the recorded manifest ({} bytes, BLAKE3 {}; recorded {} \
                 bytes, BLAKE3 {})",
                file.stat.size,
                &hex[..16],
                entry.file.size,
                &entry.file.blake3[..16]
            );
            if entry.same_state(file.stat) {
                problems.push(problem(
                    ProblemKind::Corrupt,
                    format!("damaged: same size and modification time, but {detail}"),
                ));
            } else {
                problems.push(problem(
                    ProblemKind::Modified,
                    format!("modified since the manifest was recorded: {detail}"),
                ));
            }
        } else if entry.file.mode != file.mode {
            problems.push(problem(
                ProblemKind::Mode,
                format!("mode {:o}, recorded {:o}", file.mode, entry.file.mode),
            ));
        }
    }
    for (path, entry) in &recorded {
        if !on_disk.contains_key(path.as_str()) {
            problems.push(FileProblem {
                path: path.clone(),
                kind: ProblemKind::Missing,
                detail: format!(
                    "missing ({} bytes in the recorded manifest)",
                    entry.file.size
                ),
            });
        }
    }
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(VerifyReport {
        files: walked.files.len() as u64,
        bytes,
        recorded: false,
        problems,
    })
}
