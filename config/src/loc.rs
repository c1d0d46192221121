//! Compact source locations. Values are copied into thousands of expanded modules, so a
//! location is two integers indexing a shared file table rather than a path per value.

use std::path::{Path, PathBuf};

use crate::error::{ConfigError, ErrorKind};
use crate::model::Origin;

/// A line in one of the files read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Loc {
    /// Index into [`Files`].
    pub file: u32,
    /// 1-based line number.
    pub line: u32,
}

/// Every file read while loading, in reading order; [`Loc::file`] indexes it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Files {
    paths: Vec<PathBuf>,
}

impl Files {
    /// Registers a file and returns its index.
    pub fn add(&mut self, path: PathBuf) -> u32 {
        self.paths.push(path);
        u32::try_from(self.paths.len() - 1).unwrap_or(u32::MAX)
    }

    /// The path of a registered file.
    pub fn path(&self, file: u32) -> &Path {
        self.paths
            .get(file as usize)
            .map_or(Path::new(""), PathBuf::as_path)
    }

    /// All registered files, in reading order.
    pub fn all(&self) -> &[PathBuf] {
        &self.paths
    }

    /// An error located at `loc`.
    pub fn error(&self, kind: ErrorKind, loc: Loc, message: impl Into<String>) -> ConfigError {
        let line = (loc.line > 0).then_some(loc.line as usize);
        ConfigError::new(kind, message).at(self.path(loc.file), line)
    }

    /// The public form of a location.
    pub fn origin(&self, loc: Loc) -> Origin {
        Origin {
            file: self.path(loc.file).to_path_buf(),
            line: loc.line as usize,
        }
    }
}
