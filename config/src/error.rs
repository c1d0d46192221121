//! Config errors. Every error says which file and line (and module) it comes from.

use std::fmt;
use std::path::PathBuf;

/// What kind of problem a [`ConfigError`] is; the CLI words its message prefix from this, as
/// the original did (`Error reading pipeline config`, `Error in module options ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Syntax, directives, variables, includes, copies, alternatives, module variables.
    Parse,
    /// References between modules: unknown modules, outputs, inputs, cycles, typechecks.
    Structure,
    /// A module option is unknown, missing or has the wrong type.
    ModuleOption,
    /// The local config (`~/.pimlico`, `--local-config`, `-l`).
    LocalConfig,
}

/// A config error with its location.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// What kind of error.
    pub kind: ErrorKind,
    /// The message, without location.
    pub message: String,
    /// The file it comes from, if known.
    pub file: Option<PathBuf>,
    /// The 1-based line, if known.
    pub line: Option<usize>,
    /// The module (section or expanded name) it concerns, if any.
    pub module: Option<String>,
}

impl ConfigError {
    /// An error without a location yet.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            file: None,
            line: None,
            module: None,
        }
    }

    /// Sets the file and line the error comes from.
    pub fn at(mut self, file: impl Into<PathBuf>, line: Option<usize>) -> Self {
        self.file = Some(file.into());
        self.line = line;
        self
    }

    /// Sets the module the error concerns.
    pub fn in_module(mut self, module: impl Into<String>) -> Self {
        self.module = Some(module.into());
        self
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{}:{line}: ", file.display())?,
            (Some(file), None) => write!(f, "{}: ", file.display())?,
            _ => {}
        }
        if let Some(module) = &self.module {
            write!(f, "module '{module}': ")?;
        }
        f.write_str(&self.message)
    }
}
