//! What goes into a dump: the module directory in Python's `tarfile.add` order (the directory,
//! then its children sorted by name, depth first), or only a selection of its files with their
//! parent directories. Symlinks, sockets, devices and names we could not load back are refused
//! here, so a dump never contains something `load` would reject.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::{DirEntry, File, Metadata};
use std::io;
use std::path::{Path, PathBuf};

use nix::fcntl::{AtFlags, OFlag, openat};
use nix::sys::stat::{Mode, SFlag, fstatat};

use super::error::{ArchiveError, Result};
use super::names::{MAX_PATH_BYTES, component_problem, is_excluded_name};

/// Which files of the module directory to dump.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Selection<'a> {
    /// Everything except excluded names.
    All,
    /// These paths (relative to the module directory, `/`-separated) and their parents. A
    /// selected directory contributes its own entry, not its contents.
    Only(&'a [String]),
}

/// One thing to put in the archive.
pub(crate) enum Item {
    Dir(Metadata),
    /// An open regular file and the metadata of that open file.
    File(File, Metadata),
}

/// Calls `visit(rel, abs, item)` for the module directory (`rel` empty) and then for every
/// selected entry below it, in archive order.
pub(crate) fn for_each_entry(
    module_dir: &Path,
    selection: Selection<'_>,
    visit: &mut dyn FnMut(&str, &Path, Item) -> Result<()>,
) -> Result<()> {
    let root_meta = std::fs::metadata(module_dir)
        .map_err(|e| ArchiveError::io("read the module directory", module_dir, e))?;
    if !root_meta.is_dir() {
        return Err(ArchiveError::cannot_dump(
            module_dir,
            "it is not a directory",
        ));
    }
    visit("", module_dir, Item::Dir(root_meta))?;
    match selection {
        Selection::All => walk(module_dir, visit),
        Selection::Only(paths) => selected(module_dir, paths, visit),
    }
}

fn walk(module_dir: &Path, visit: &mut dyn FnMut(&str, &Path, Item) -> Result<()>) -> Result<()> {
    // An explicit stack keeps deep trees from overflowing ours.
    // Each level keeps its directory open: files are opened relative to it (openat), so the
    // kernel does not walk the whole path again for every file.
    let mut stack = vec![(
        open_dir(module_dir)?,
        module_dir.to_path_buf(),
        String::new(),
        sorted_children(module_dir)?.into_iter(),
    )];
    while let Some((handle, dir, rel_dir, children)) = stack.last_mut() {
        let Some((name, entry)) = children.next() else {
            stack.pop();
            continue;
        };
        let abs = dir.join(&name);
        let name = checked_name(&abs, &name)?;
        if is_excluded_name(name) {
            continue;
        }
        let rel = if rel_dir.is_empty() {
            name.to_owned()
        } else {
            format!("{rel_dir}/{name}")
        };
        check_path_length(&abs, &rel)?;
        // lstat relative to the open directory (fstatat), not a walk of the whole path.
        let meta = entry
            .metadata()
            .map_err(|e| ArchiveError::io("stat", &abs, e))?;
        if meta.is_dir() {
            visit(&rel, &abs, Item::Dir(meta))?;
            let children = sorted_children(&abs)?.into_iter();
            stack.push((open_dir(&abs)?, abs, rel, children));
        } else {
            check_regular(&abs, &meta)?;
            let item = opened_regular(&abs, open_at(handle, name, &abs)?)?;
            visit(&rel, &abs, item)?;
        }
    }
    Ok(())
}

fn open_dir(dir: &Path) -> Result<File> {
    File::open(dir).map_err(|e| ArchiveError::io("open the directory", dir, e))
}

/// Opens `name` in the open directory `dir` for reading, never through a symlink.
fn open_at(dir: &File, name: &str, abs: &Path) -> Result<File> {
    let fd = openat(
        dir,
        name,
        OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| ArchiveError::io("open", abs, e.into()))?;
    Ok(File::from(fd))
}

const SYMLINK: &str = "it is a symbolic link; dumps hold only regular files and directories";
const NOT_REGULAR: &str = "it is not a regular file or directory (a socket, FIFO or device)";

fn selected(
    module_dir: &Path,
    paths: &[String],
    visit: &mut dyn FnMut(&str, &Path, Item) -> Result<()>,
) -> Result<()> {
    // Component-wise order of the paths is exactly the depth-first order of a sorted walk.
    let mut wanted: BTreeMap<Vec<String>, bool> = BTreeMap::new();
    for path in paths {
        let trimmed = path.strip_suffix('/').unwrap_or(path);
        let components: Vec<String> = trimmed.split('/').map(str::to_owned).collect();
        for component in &components {
            let problem = component_problem(component).or_else(|| {
                is_excluded_name(component)
                    .then_some("lock files and .pimlico* files are never dumped")
            });
            if let Some(reason) = problem {
                return Err(ArchiveError::cannot_dump(
                    module_dir.join(trimmed),
                    format!("selected path {path:?} is not allowed: {reason}"),
                ));
            }
        }
        for depth in 1..components.len() {
            wanted.entry(components[..depth].to_vec()).or_insert(false);
        }
        wanted.insert(components, true);
    }
    // Files are looked at and opened relative to their directory, kept open while its selected
    // children follow one another (they come in order), not by walking the whole path each time.
    let mut parent: Option<(String, File)> = None;
    for (components, explicit) in wanted {
        let rel = components.join("/");
        let abs: PathBuf = module_dir.join(&rel);
        let not_found = |e: io::Error| {
            if e.kind() == io::ErrorKind::NotFound {
                ArchiveError::cannot_dump(&abs, "it was selected for the dump but does not exist")
            } else {
                ArchiveError::io("stat", &abs, e)
            }
        };
        check_path_length(&abs, &rel)?;
        let (dir_rel, name) = rel.rsplit_once('/').unwrap_or(("", rel.as_str()));
        let (_, dir) = match parent.take() {
            Some((open, dir)) if open == dir_rel => parent.insert((open, dir)),
            _ => parent.insert((dir_rel.to_owned(), open_dir(&module_dir.join(dir_rel))?)),
        };
        let dir = &*dir;
        let stat =
            fstatat(dir, name, AtFlags::AT_SYMLINK_NOFOLLOW).map_err(|e| not_found(e.into()))?;
        let kind = SFlag::from_bits_truncate(stat.st_mode) & SFlag::S_IFMT;
        if kind == SFlag::S_IFDIR {
            let meta = std::fs::symlink_metadata(&abs).map_err(not_found)?;
            visit(&rel, &abs, Item::Dir(meta))?;
        } else if explicit {
            if kind == SFlag::S_IFLNK {
                return Err(ArchiveError::cannot_dump(&abs, SYMLINK));
            }
            if kind != SFlag::S_IFREG {
                return Err(ArchiveError::cannot_dump(&abs, NOT_REGULAR));
            }
            let item = opened_regular(&abs, open_at(dir, name, &abs)?)?;
            visit(&rel, &abs, item)?;
        } else {
            return Err(ArchiveError::cannot_dump(
                &abs,
                "it is the parent of a selected path but not a directory",
            ));
        }
    }
    Ok(())
}

fn sorted_children(dir: &Path) -> Result<Vec<(OsString, DirEntry)>> {
    let read = std::fs::read_dir(dir).map_err(|e| ArchiveError::io("list", dir, e))?;
    let mut children = Vec::new();
    for entry in read {
        let entry = entry.map_err(|e| ArchiveError::io("list", dir, e))?;
        children.push((entry.file_name(), entry));
    }
    // Byte order, which for UTF-8 names is Python's code-point order.
    children.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(children)
}

fn checked_name<'a>(abs: &Path, name: &'a OsString) -> Result<&'a str> {
    let name = name
        .to_str()
        .ok_or_else(|| ArchiveError::cannot_dump(abs, "its name is not valid UTF-8"))?;
    if let Some(reason) = component_problem(name) {
        return Err(ArchiveError::cannot_dump(abs, reason));
    }
    Ok(name)
}

fn check_path_length(abs: &Path, rel: &str) -> Result<()> {
    if rel.len() + MAX_NAME_SLACK > MAX_PATH_BYTES {
        return Err(ArchiveError::cannot_dump(
            abs,
            "its path is longer than 4096 bytes",
        ));
    }
    Ok(())
}

/// Room left in a member name for `<module>/` and a trailing `/`.
const MAX_NAME_SLACK: usize = 257;

/// The checks that keep a file swapped for a symlink mid-dump from smuggling outside data into
/// the archive: refuse what `lstat` says is not a regular file, open with `O_NOFOLLOW`, and
/// check again what was opened ([`opened_regular`]). This is the first.
fn check_regular(abs: &Path, meta: &Metadata) -> Result<()> {
    if meta.file_type().is_symlink() {
        return Err(ArchiveError::cannot_dump(abs, SYMLINK));
    }
    if !meta.is_file() {
        return Err(ArchiveError::cannot_dump(abs, NOT_REGULAR));
    }
    Ok(())
}

/// The open file as an [`Item`], once its own metadata says it is still a regular file.
fn opened_regular(abs: &Path, file: File) -> Result<Item> {
    let meta = file
        .metadata()
        .map_err(|e| ArchiveError::io("stat", abs, e))?;
    if !meta.is_file() {
        return Err(ArchiveError::cannot_dump(
            abs,
            "it changed type while being dumped",
        ));
    }
    Ok(Item::File(file, meta))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn select(dir: &Path, paths: &[&str]) -> Result<Vec<String>> {
        let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
        let mut seen = Vec::new();
        for_each_entry(dir, Selection::Only(&paths), &mut |rel, _, item| {
            let kind = match item {
                Item::Dir(_) => "dir",
                Item::File(..) => "file",
            };
            seen.push(format!("{kind} {rel}"));
            Ok(())
        })?;
        Ok(seen)
    }

    #[test]
    fn selections_are_read_relative_to_their_directories_with_the_same_checks() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/b/x"), "x").unwrap();
        std::fs::write(root.join("a/y"), "y").unwrap();
        std::fs::write(root.join("z"), "z").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", root.join("a/link")).unwrap();
        assert_eq!(
            select(root, &["z", "a/b/x", "a/y"]).unwrap(),
            [
                "dir ",
                "dir a",
                "dir a/b",
                "file a/b/x",
                "file a/y",
                "file z"
            ]
        );
        let message = |paths: &[&str]| select(root, paths).unwrap_err().to_string();
        assert!(message(&["a/link"]).contains("symbolic link"));
        assert!(message(&["a/missing"]).contains("does not exist"));
        assert!(message(&["missing/x"]).contains("does not exist"));
        assert!(message(&["z/x"]).contains("parent of a selected path but not a directory"));
    }
}
