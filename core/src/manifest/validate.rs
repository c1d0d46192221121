//! Checks of a manifest received from elsewhere, before anything is decided from it: the same
//! path rules as archive entries, hashes of the right form, no path twice, no file where a
//! directory must be.

use std::collections::HashSet;

use pimlico_proto::{MANIFEST_VERSION, Manifest};

use super::error::ManifestError;
use crate::archive::{MAX_PATH_BYTES, component_problem, is_excluded_name};

/// Accepts `manifest` only if every path is a safe relative path that a dump could hold, every
/// hash is 64 lowercase hex digits, and no path is listed twice or used both as a file and as
/// a directory.
pub fn validate_manifest(manifest: &Manifest) -> Result<(), ManifestError> {
    let invalid =
        |path: &str, reason: &str| ManifestError::Invalid(format!("entry {path:?}: {reason}"));
    if manifest.version != MANIFEST_VERSION {
        return Err(ManifestError::Invalid(format!(
            "version {} (this program reads version {MANIFEST_VERSION})",
            manifest.version
        )));
    }
    let mut files = HashSet::new();
    let mut dirs = HashSet::new();
    for file in &manifest.files {
        check_path(&file.path).map_err(|r| invalid(&file.path, &r))?;
        if file.blake3.len() != 64
            || !file
                .blake3
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(invalid(
                &file.path,
                "its hash is not 64 lowercase hex digits",
            ));
        }
        if file.mode > 0o777 {
            return Err(invalid(&file.path, "its mode has bits beyond rwx"));
        }
        if !files.insert(file.path.as_str()) {
            return Err(invalid(&file.path, "listed twice"));
        }
    }
    for dir in &manifest.dirs {
        check_path(&dir.path).map_err(|r| invalid(&dir.path, &r))?;
        if dir.mode > 0o777 {
            return Err(invalid(&dir.path, "its mode has bits beyond rwx"));
        }
        if files.contains(dir.path.as_str()) || !dirs.insert(dir.path.as_str()) {
            return Err(invalid(&dir.path, "listed twice"));
        }
    }
    let paths = manifest
        .files
        .iter()
        .map(|f| &f.path)
        .chain(manifest.dirs.iter().map(|d| &d.path));
    for path in paths {
        let mut parent = path.as_str();
        while let Some((p, _)) = parent.rsplit_once('/') {
            if files.contains(p) {
                return Err(invalid(
                    path,
                    &format!("its parent '{p}' is listed as a file"),
                ));
            }
            parent = p;
        }
    }
    Ok(())
}

fn check_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("empty path".into());
    }
    if path.len() > MAX_PATH_BYTES - 257 {
        return Err("the path is too long".into());
    }
    for component in path.split('/') {
        if let Some(reason) = component_problem(component) {
            return Err(reason.into());
        }
        if is_excluded_name(component) {
            return Err("lock files and .pimlico* files never travel".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use pimlico_proto::{ManifestDir, ManifestFile};

    use super::*;

    fn file(path: &str) -> ManifestFile {
        ManifestFile {
            path: path.into(),
            size: 1,
            mode: 0o644,
            mtime: 0,
            blake3: "a".repeat(64),
        }
    }

    #[test]
    fn unsafe_or_inconsistent_manifests_are_refused() {
        let ok = Manifest {
            version: MANIFEST_VERSION,
            files: vec![file("a/b"), file("c")],
            dirs: vec![ManifestDir {
                path: "a".into(),
                mode: 0o755,
                mtime: 0,
            }],
        };
        validate_manifest(&ok).unwrap();
        for bad in [
            "../x",
            "/abs",
            "a//b",
            "",
            ".pimlico-manifest",
            "x/.execution_lock",
            "a\\b",
        ] {
            let mut m = ok.clone();
            m.files.push(file(bad));
            assert!(validate_manifest(&m).is_err(), "{bad:?}");
        }
        let mut twice = ok.clone();
        twice.files.push(file("c"));
        assert!(validate_manifest(&twice).is_err());
        let mut under_file = ok.clone();
        under_file.files.push(file("c/d"));
        assert!(validate_manifest(&under_file).is_err());
        let mut bad_hash = ok;
        bad_hash.files[0].blake3 = "A".repeat(64);
        assert!(validate_manifest(&bad_hash).is_err());
    }
}
