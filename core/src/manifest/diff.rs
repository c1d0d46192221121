//! Comparing two manifests of one module: which files differ, by content (size and hash), by
//! mode, or by being on one side only. Modification times are not compared: they say when a
//! file was written, not what it holds.

use std::collections::BTreeMap;

use pimlico_proto::Manifest;
use serde::Serialize;

/// How a path differs between the first and the second manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    /// Only in the first.
    OnlyFirst,
    /// Only in the second.
    OnlySecond,
    /// Both have it with different content.
    Content,
    /// Same content, different permission bits.
    Mode,
}

/// One differing path (directories end in `/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// Path relative to the module directory.
    pub path: String,
    /// How it differs.
    pub kind: DiffKind,
    /// The values on each side, in words.
    pub detail: String,
}

/// Every difference between `first` and `second`, sorted by path.
pub fn diff_manifests(first: &Manifest, second: &Manifest) -> Vec<Difference> {
    let mut out = Vec::new();
    let a: BTreeMap<&str, _> = first.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let b: BTreeMap<&str, _> = second.files.iter().map(|f| (f.path.as_str(), f)).collect();
    for (path, x) in &a {
        let Some(y) = b.get(path) else {
            out.push(diff(path, DiffKind::OnlyFirst, format!("{} bytes", x.size)));
            continue;
        };
        if x.size != y.size {
            out.push(diff(
                path,
                DiffKind::Content,
                format!("{} bytes vs {} bytes", x.size, y.size),
            ));
        } else if x.blake3 != y.blake3 {
            out.push(diff(
                path,
                DiffKind::Content,
                format!("same size ({} bytes), different content", x.size),
            ));
        } else if x.mode != y.mode {
            out.push(diff(
                path,
                DiffKind::Mode,
                format!("mode {:o} vs {:o}", x.mode, y.mode),
            ));
        }
    }
    for (path, y) in &b {
        if !a.contains_key(path) {
            out.push(diff(
                path,
                DiffKind::OnlySecond,
                format!("{} bytes", y.size),
            ));
        }
    }
    let da: BTreeMap<&str, _> = first.dirs.iter().map(|d| (d.path.as_str(), d)).collect();
    let db: BTreeMap<&str, _> = second.dirs.iter().map(|d| (d.path.as_str(), d)).collect();
    for path in da.keys().filter(|p| !db.contains_key(*p)) {
        out.push(diff(
            &format!("{path}/"),
            DiffKind::OnlyFirst,
            "directory".into(),
        ));
    }
    for path in db.keys().filter(|p| !da.contains_key(*p)) {
        out.push(diff(
            &format!("{path}/"),
            DiffKind::OnlySecond,
            "directory".into(),
        ));
    }
    out.sort_by(|x, y| x.path.cmp(&y.path));
    out
}

fn diff(path: &str, kind: DiffKind, detail: String) -> Difference {
    Difference {
        path: path.to_string(),
        kind,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use pimlico_proto::{ManifestDir, ManifestFile};

    use super::*;

    fn f(path: &str, size: u64, hash: char, mode: u32) -> ManifestFile {
        ManifestFile {
            path: path.into(),
            size,
            mode,
            mtime: 5,
            blake3: hash.to_string().repeat(64),
        }
    }

    #[test]
    fn lists_exactly_the_differing_paths() {
        let dir = |p: &str| ManifestDir {
            path: p.into(),
            mode: 0o755,
            mtime: 1,
        };
        let first = Manifest {
            version: 1,
            files: vec![
                f("same", 3, 'a', 0o644),
                f("size", 3, 'a', 0o644),
                f("hash", 3, 'a', 0o644),
                f("mode", 3, 'a', 0o644),
                f("gone", 1, 'b', 0o644),
            ],
            dirs: vec![dir("d1"), dir("both")],
        };
        let mut second = first.clone();
        second.files = vec![
            f("same", 3, 'a', 0o644),
            f("size", 4, 'c', 0o644),
            f("hash", 3, 'c', 0o644),
            f("mode", 3, 'a', 0o600),
            f("new", 1, 'b', 0o644),
        ];
        second.files[0].mtime = 99;
        second.dirs = vec![dir("both"), dir("d2")];
        let got: Vec<(String, DiffKind)> = diff_manifests(&first, &second)
            .into_iter()
            .map(|d| (d.path, d.kind))
            .collect();
        assert_eq!(
            got,
            [
                ("d1/".to_string(), DiffKind::OnlyFirst),
                ("d2/".to_string(), DiffKind::OnlySecond),
                ("gone".to_string(), DiffKind::OnlyFirst),
                ("hash".to_string(), DiffKind::Content),
                ("mode".to_string(), DiffKind::Mode),
                ("new".to_string(), DiffKind::OnlySecond),
                ("size".to_string(), DiffKind::Content),
            ]
        );
        assert!(diff_manifests(&first, &first).is_empty());
    }
}
