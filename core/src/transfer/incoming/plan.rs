//! What a receiver already has of a module and what it still needs: each file's content comes
//! from the resumable slot (received earlier), from the data the receiver already holds, or
//! must be sent. Content is matched by BLAKE3 hash, so a renamed file or one stored twice
//! travels once.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use pimlico_proto::{Manifest, ManifestFile};

/// Module data the receiver holds already.
#[derive(Debug, Clone)]
pub(crate) struct LocalData {
    /// Its directory.
    pub(crate) dir: PathBuf,
    /// Its manifest (from the cache where the files are unchanged).
    pub(crate) manifest: Manifest,
    /// It is the directory the install replaces (in the output store). Only then may its
    /// files be hard-linked: after the swap the old directory is deleted, so the new module is
    /// their only name. Files of a copy that stays (in another store) are copied.
    pub(crate) is_target: bool,
    /// Indices into `manifest.files` by content (hash and size), so that finding a content
    /// stays cheap for modules of many files.
    by_content: HashMap<(String, u64), Vec<usize>>,
}

impl LocalData {
    pub(crate) fn new(dir: PathBuf, manifest: Manifest, is_target: bool) -> Self {
        let mut by_content: HashMap<(String, u64), Vec<usize>> = HashMap::new();
        for (i, f) in manifest.files.iter().enumerate() {
            by_content
                .entry((f.blake3.clone(), f.size))
                .or_default()
                .push(i);
        }
        Self {
            dir,
            manifest,
            is_target,
            by_content,
        }
    }

    /// Whether some local file has this content.
    pub(crate) fn has(&self, hash: &str, size: u64) -> bool {
        self.by_content.contains_key(&(hash.to_string(), size))
    }

    /// A local file with this content, preferring the one at `path`.
    pub(crate) fn find(&self, hash: &str, size: u64, path: &str) -> Option<&ManifestFile> {
        let candidates = self.by_content.get(&(hash.to_string(), size))?;
        let files = &self.manifest.files;
        candidates
            .iter()
            .map(|&i| &files[i])
            .find(|f| f.path == path)
            .or_else(|| candidates.first().map(|&i| &files[i]))
    }
}

/// The plan for one module.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Paths to ask the sender for: one per distinct content still missing.
    pub(crate) needed: Vec<String>,
    /// Bytes of `needed`.
    pub(crate) needed_bytes: u64,
    /// Files whose content must still arrive (duplicates included).
    pub(crate) missing_files: u64,
    /// Files taken from the receiver's data.
    pub(crate) reused_files: u64,
    /// Their bytes.
    pub(crate) reused_bytes: u64,
    /// Files received by an earlier transfer.
    pub(crate) resumed_files: u64,
    /// Their bytes.
    pub(crate) resumed_bytes: u64,
    /// The receiver's data is exactly this already.
    pub(crate) up_to_date: bool,
}

/// Plans the transfer of `manifest`, given the verified contents of the resumable slot
/// (`objects`: hash to size) and the receiver's data.
pub(crate) fn make_plan(
    manifest: &Manifest,
    objects: &HashMap<String, u64>,
    local: Option<&LocalData>,
) -> Plan {
    let mut plan = Plan::default();
    let mut requested = HashSet::new();
    for file in &manifest.files {
        if objects.get(&file.blake3) == Some(&file.size) {
            plan.resumed_files += 1;
            plan.resumed_bytes += file.size;
        } else if local.is_some_and(|l| l.has(&file.blake3, file.size)) {
            plan.reused_files += 1;
            plan.reused_bytes += file.size;
        } else {
            plan.missing_files += 1;
            if requested.insert(file.blake3.as_str()) {
                plan.needed.push(file.path.clone());
                plan.needed_bytes += file.size;
            }
        }
    }
    plan.up_to_date = local.is_some_and(|l| l.is_target && same_data(&l.manifest, manifest));
    plan
}

/// Same files (path, size, content, mode) and same directories; times are not compared.
fn same_data(a: &Manifest, b: &Manifest) -> bool {
    let key = |f: &ManifestFile| (f.path.clone(), f.size, f.blake3.clone(), f.mode);
    let dirs = |m: &Manifest| m.dirs.iter().map(|d| d.path.clone()).collect::<Vec<_>>();
    a.files.len() == b.files.len()
        && a.files.iter().map(key).eq(b.files.iter().map(key))
        && dirs(a) == dirs(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(path: &str, hash: char, size: u64) -> ManifestFile {
        ManifestFile {
            path: path.into(),
            size,
            mode: 0o644,
            mtime: 1,
            blake3: hash.to_string().repeat(64),
        }
    }

    #[test]
    fn contents_come_from_the_slot_then_the_local_data_and_travel_once() {
        let manifest = Manifest {
            version: 1,
            files: vec![
                f("a", 'a', 10),
                f("b", 'b', 20),
                f("c", 'c', 30),
                f("c2", 'c', 30),
                f("d", 'd', 5),
            ],
            dirs: vec![],
        };
        let objects = HashMap::from([("a".repeat(64), 10)]);
        let local = LocalData::new(
            PathBuf::from("/x"),
            Manifest {
                version: 1,
                files: vec![f("renamed", 'b', 20), f("d", 'd', 6)],
                dirs: vec![],
            },
            true,
        );
        let plan = make_plan(&manifest, &objects, Some(&local));
        assert_eq!(plan.needed, ["c", "d"], "one path per missing content");
        assert_eq!(plan.needed_bytes, 35);
        assert_eq!(plan.missing_files, 3);
        assert_eq!((plan.resumed_files, plan.resumed_bytes), (1, 10));
        assert_eq!((plan.reused_files, plan.reused_bytes), (1, 20));
        assert!(!plan.up_to_date);
        assert_eq!(
            local.find(&"b".repeat(64), 20, "b").unwrap().path,
            "renamed"
        );
        assert!(
            local.find(&"d".repeat(64), 5, "d").is_none(),
            "same hash, other size"
        );
        let same = LocalData::new(local.dir, manifest.clone(), true);
        assert!(make_plan(&manifest, &HashMap::new(), Some(&same)).up_to_date);
        assert!(
            make_plan(&manifest, &HashMap::new(), Some(&same))
                .needed
                .is_empty()
        );
    }
}
