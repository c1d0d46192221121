//! Names: which module names can be dumped, which files never travel in a dump, and the strict
//! parsing of entry names read from an archive. Writing and reading share these rules so that we
//! never produce an archive we would refuse to load.

use super::error::{ArchiveError, Result};
use super::metadata::METADATA_MEMBER;

/// Longest path (in bytes) we write or accept, matching Linux's `PATH_MAX`.
pub(crate) const MAX_PATH_BYTES: usize = 4096;
/// Longest single name (in bytes), matching Linux's `NAME_MAX`.
pub(crate) const MAX_NAME_BYTES: usize = 255;

/// True for files that never go into a dump and are never extracted from one, at any depth:
/// `.execution_lock` (a lock only means something on the host that took it) and our own hidden
/// engine files, whose names start with `.pimlico`.
pub fn is_excluded_name(name: &str) -> bool {
    name == ".execution_lock" || name.starts_with(".pimlico")
}

/// Checks that a module name can be used as a directory name in a store, as the top directory
/// of a dump and, with `.tar.gz` appended, as a file name. Names such as `sub[size=1~offset=3]`
/// or `m:first` are fine and are used verbatim.
pub fn validate_module_name(name: &str) -> Result<()> {
    let reason = if name.is_empty() {
        Some("it is empty")
    } else if name.contains('/') {
        Some("it contains '/'")
    } else if name.contains('\\') {
        Some("it contains '\\'")
    } else if name.contains('\0') {
        Some("it contains a NUL character")
    } else if name == "." || name == ".." {
        Some("it is a relative directory reference")
    } else if is_excluded_name(name) {
        Some("names starting with '.pimlico' and '.execution_lock' are reserved")
    } else if name == METADATA_MEMBER {
        Some("it is the name of the dump's metadata member")
    } else if name.len() + ".tar.zst".len() > MAX_NAME_BYTES {
        Some("it is too long to be a file name")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(ArchiveError::InvalidModuleName {
            name: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// Checks one path component for the rules shared by writing and reading; returns the reason
/// it is refused.
pub(crate) fn component_problem(component: &str) -> Option<&'static str> {
    if component.is_empty() {
        Some("it has an empty path component ('//')")
    } else if component == "." || component == ".." {
        Some("it has a '.' or '..' path component")
    } else if component.contains('\\') {
        Some("it contains a backslash, which some tools read as a directory separator")
    } else if component.contains('\0') {
        Some("it contains a NUL character")
    } else if component.len() > MAX_NAME_BYTES {
        Some("a path component is longer than 255 bytes")
    } else {
        None
    }
}

/// A validated entry path below the module directory: its components after `<module>/`.
/// Empty for the module directory itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RelPath(pub(crate) Vec<String>);

impl RelPath {
    /// The path joined with `/`, empty for the module directory.
    pub(crate) fn joined(&self) -> String {
        self.0.join("/")
    }
}

/// Parses an entry name from an archive: it must be valid UTF-8, relative, free of `.`/`..`,
/// empty components, NUL and backslashes, and lie inside `<module>/`. A trailing `/` is only
/// allowed on directories.
pub(crate) fn parse_entry_path(raw: &[u8], module: &str, is_dir: bool) -> Result<RelPath> {
    let shown = String::from_utf8_lossy(raw).into_owned();
    let refuse = |reason: &str| ArchiveError::unsafe_entry(shown.clone(), reason);
    let name = std::str::from_utf8(raw).map_err(|_| refuse("its name is not valid UTF-8"))?;
    if name.len() > MAX_PATH_BYTES {
        return Err(refuse("its name is longer than 4096 bytes"));
    }
    if name.starts_with('/') {
        return Err(refuse("it has an absolute path"));
    }
    let trimmed = match name.strip_suffix('/') {
        Some(stripped) if is_dir => stripped,
        Some(_) => return Err(refuse("a regular file's name ends with '/'")),
        None => name,
    };
    let mut components = trimmed.split('/');
    let first = components.next().unwrap_or_default();
    for component in trimmed.split('/') {
        if let Some(reason) = component_problem(component) {
            return Err(refuse(reason));
        }
    }
    if first != module {
        return Err(refuse(&format!(
            "it lies outside the module directory '{module}/' named in {METADATA_MEMBER}"
        )));
    }
    Ok(RelPath(components.map(str::to_owned).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_from_real_pipelines_are_valid() {
        for name in [
            "store1",
            "sub[size=1~offset=3]",
            "m:first",
            "store_each[split.set1]",
        ] {
            validate_module_name(name).unwrap();
        }
        for name in [
            "",
            "a/b",
            "..",
            ".pimlico-staging",
            ".execution_lock",
            "a\\b",
        ] {
            assert!(validate_module_name(name).is_err(), "{name:?} accepted");
        }
    }

    #[test]
    fn entry_paths() {
        let ok = |raw: &str, dir| parse_entry_path(raw.as_bytes(), "m", dir).unwrap().0;
        assert_eq!(ok("m/", true), Vec::<String>::new());
        assert_eq!(ok("m", true), Vec::<String>::new());
        assert_eq!(ok("m/a b/c\nd", false), vec!["a b", "c\nd"]);
        for (raw, dir) in [
            ("/m/a", false),
            ("m/../x", false),
            ("m/./x", false),
            ("m//x", false),
            ("m/a/", false),
            ("n/a", false),
            ("mm/a", false),
            ("m\\..\\x", false),
            ("dump_metadata.json", false),
        ] {
            assert!(
                parse_entry_path(raw.as_bytes(), "m", dir).is_err(),
                "{raw:?} accepted"
            );
        }
        assert!(parse_entry_path(b"m/\xff", "m", false).is_err());
    }
}
