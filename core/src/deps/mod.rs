//! Software dependencies of module types, checked only for the modules about to run (and by
//! the `deps` command): programs on `PATH` with an optional version check, importable Python
//! modules, environment variables and files.

mod version;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub use version::{compare_versions, find_version};

/// One software dependency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dependency {
    /// A program found on `PATH` (or at a path, when the name contains `/`).
    Command {
        /// Program name or path.
        name: String,
        /// Arguments that make it print its version (e.g. `--version`); empty for no check.
        version_args: Vec<String>,
        /// Lowest acceptable version (needs `version_args`).
        min_version: Option<String>,
    },
    /// A module importable by a Python interpreter.
    PythonModule {
        /// Dotted module name.
        module: String,
        /// Interpreter used to import it.
        python: String,
    },
    /// An environment variable that must be set (non-empty).
    EnvVar {
        /// Variable name.
        name: String,
    },
    /// A file or directory that must exist.
    File {
        /// Absolute path.
        path: PathBuf,
    },
}

/// The result of checking one dependency, as the `deps` command and the run check show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencyStatus {
    /// Display name (`python3`, `Python module numpy`, ...).
    pub name: String,
    /// Whether it is satisfied.
    pub available: bool,
    /// Installed version, when known.
    pub version: Option<String>,
    /// What is wrong, when it is not satisfied.
    pub problems: Vec<String>,
    /// How to satisfy it.
    pub instructions: String,
}

impl Dependency {
    /// Display name.
    pub fn name(&self) -> String {
        match self {
            Self::Command { name, .. } => name.clone(),
            Self::PythonModule { module, .. } => format!("Python module {module}"),
            Self::EnvVar { name } => format!("environment variable {name}"),
            Self::File { path } => format!("file {}", path.display()),
        }
    }

    /// Checks the dependency on this machine, in this process's environment.
    pub fn check(&self) -> DependencyStatus {
        let (version, problems, instructions) = match self {
            Self::Command {
                name,
                version_args,
                min_version,
            } => check_command(name, version_args, min_version.as_deref()),
            Self::PythonModule { module, python } => check_python(module, python),
            Self::EnvVar { name } => {
                let set = std::env::var_os(name).is_some_and(|v| !v.is_empty());
                let problems = if set {
                    vec![]
                } else {
                    vec![format!("environment variable {name} is not set")]
                };
                (
                    None,
                    problems,
                    format!("Set {name} in the environment before running"),
                )
            }
            Self::File { path } => {
                let problems = if path.exists() {
                    vec![]
                } else {
                    vec![format!("{} does not exist", path.display())]
                };
                (
                    None,
                    problems,
                    format!("Create or install {}", path.display()),
                )
            }
        };
        DependencyStatus {
            name: self.name(),
            available: problems.is_empty(),
            version,
            problems,
            instructions,
        }
    }
}

fn check_command(
    name: &str,
    version_args: &[String],
    min_version: Option<&str>,
) -> (Option<String>, Vec<String>, String) {
    let instructions = match min_version {
        Some(min) => format!("Install {name} (version {min} or later) and make sure it is on PATH"),
        None => format!("Install {name} and make sure it is on PATH"),
    };
    let Some(path) = find_program(name) else {
        let problem = format!("program '{name}' was not found on PATH");
        return (None, vec![problem], instructions);
    };
    if version_args.is_empty() {
        return (None, vec![], instructions);
    }
    let version = Command::new(&path)
        .args(version_args)
        .stdin(Stdio::null())
        .output()
        .ok()
        .and_then(|out| {
            let text = format!(
                "{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            find_version(&text)
        });
    let mut problems = vec![];
    match (min_version, &version) {
        (Some(min), Some(found)) if compare_versions(found, min).is_lt() => problems.push(format!(
            "{name} version {found} is too old: version {min} or later is required"
        )),
        (Some(_), None) => problems.push(format!(
            "could not find a version number in the output of '{} {}'",
            path.display(),
            version_args.join(" ")
        )),
        _ => {}
    }
    (version, problems, instructions)
}

fn check_python(module: &str, python: &str) -> (Option<String>, Vec<String>, String) {
    let instructions = format!("Install the Python package providing '{module}' for {python}");
    if find_program(python).is_none() {
        let problem = format!("Python interpreter '{python}' was not found on PATH");
        return (None, vec![problem], instructions);
    }
    let script = "import importlib, sys\nm = importlib.import_module(sys.argv[1])\n\
                  print(getattr(m, '__version__', ''))";
    match Command::new(python)
        .args(["-c", script, module])
        .stdin(Stdio::null())
        .output()
    {
        Ok(out) if out.status.success() => {
            let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
            (
                (!version.is_empty()).then_some(version),
                vec![],
                instructions,
            )
        }
        Ok(out) => {
            let err = String::from_utf8_lossy(&out.stderr);
            let last = err
                .lines()
                .last()
                .unwrap_or("import failed")
                .trim()
                .to_string();
            let problem = format!("{python} cannot import {module}: {last}");
            (None, vec![problem], instructions)
        }
        Err(e) => (
            None,
            vec![format!("could not run {python}: {e}")],
            instructions,
        ),
    }
}

/// Finds an executable by name on `PATH` (names containing `/` are taken as paths).
pub fn find_program(name: &str) -> Option<PathBuf> {
    if name.contains('/') {
        let path = PathBuf::from(name);
        return is_executable(&path).then_some(path);
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| is_executable(p))
    })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
