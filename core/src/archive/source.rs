//! What goes into a dump: the module directory in Python's `tarfile.add` order (the directory,
//! then its children sorted by name, depth first), or only a selection of its files with their
//! parent directories. Symlinks, sockets, devices and names we could not load back are refused
//! here, so a dump never contains something `load` would reject.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs::{DirEntry, File, Metadata, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use nix::fcntl::OFlag;
use nix::sys::stat::Mode;

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
            let file = nix::fcntl::openat(
                &*handle,
                name,
                OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
                Mode::empty(),
            )
            .map_err(|e| ArchiveError::io("open", &abs, e.into()))?;
            let item = opened_regular(&abs, File::from(file))?;
            visit(&rel, &abs, item)?;
        }
    }
    Ok(())
}

fn open_dir(dir: &Path) -> Result<File> {
    File::open(dir).map_err(|e| ArchiveError::io("open the directory", dir, e))
}

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
    for (components, explicit) in wanted {
        let rel = components.join("/");
        let abs: PathBuf = module_dir.join(&rel);
        let meta = std::fs::symlink_metadata(&abs).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                ArchiveError::cannot_dump(&abs, "it was selected for the dump but does not exist")
            } else {
                ArchiveError::io("stat", &abs, e)
            }
        })?;
        check_path_length(&abs, &rel)?;
        if meta.is_dir() {
            visit(&rel, &abs, Item::Dir(meta))?;
        } else if explicit {
            let item = open_regular(&abs, &meta)?;
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

/// Opens a regular file without following symlinks and checks the open file is what we stat'ed,
/// so a file swapped for a symlink mid-dump cannot smuggle outside data into the archive.
fn open_regular(abs: &Path, meta: &Metadata) -> Result<Item> {
    check_regular(abs, meta)?;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NOFOLLOW.bits())
        .open(abs)
        .map_err(|e| ArchiveError::io("open", abs, e))?;
    opened_regular(abs, file)
}

/// Refuses what is not a regular file, by its `lstat`.
fn check_regular(abs: &Path, meta: &Metadata) -> Result<()> {
    if meta.file_type().is_symlink() {
        return Err(ArchiveError::cannot_dump(
            abs,
            "it is a symbolic link; dumps hold only regular files and directories",
        ));
    }
    if !meta.is_file() {
        return Err(ArchiveError::cannot_dump(
            abs,
            "it is not a regular file or directory (a socket, FIFO or device)",
        ));
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
