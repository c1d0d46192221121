//! External module types: a directory on the pipeline's module path (`python_path` in
//! `[pipeline]`), named by the dotted type (`a/b/c/` like a Python package, or a directory
//! literally named `a.b.c`), holding a `module.toml` manifest and the program it runs.
//! See `docs/module-types.md` for the manifest reference and the program protocol.

mod manifest;

pub use manifest::{MANIFEST_FILE, Manifest, ManifestError, parse_manifest, parse_manifest_str};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pimlico_config::{ModuleConfig, ModuleSignature, Pipeline};

use super::{
    ModuleContext, ModuleError, ModuleType, Outcome, Problem, ProgramCommand, run_program,
    stored_inputs_only,
};
use crate::deps::Dependency;

/// An external module type found on the module path.
#[derive(Debug, Clone)]
pub struct ExternalType {
    /// The dotted type string.
    pub type_path: String,
    /// Its directory.
    pub dir: PathBuf,
    /// Its manifest file.
    pub manifest_path: PathBuf,
    signature: Arc<ModuleSignature>,
    dependencies: Vec<Dependency>,
    command: Vec<String>,
}

impl ExternalType {
    /// Loads the type from its directory.
    pub fn load(type_path: &str, dir: &Path) -> Result<Self, ManifestError> {
        let manifest_path = dir.join(MANIFEST_FILE);
        let manifest = parse_manifest(&manifest_path, dir, type_path)?;
        Ok(Self {
            type_path: type_path.to_string(),
            dir: dir.to_path_buf(),
            manifest_path,
            signature: Arc::new(manifest.signature),
            dependencies: manifest.dependencies,
            command: manifest.command,
        })
    }
}

/// The directory of an external type on the module path, if there is one: for `a.b.c`, the
/// first of `<dir>/a/b/c/` and `<dir>/a.b.c/` (per module path entry, in order) that holds a
/// manifest.
pub fn find_external_type(module_path: &[PathBuf], type_path: &str) -> Option<PathBuf> {
    let parts: Vec<&str> = type_path.split('.').collect();
    let plausible = parts
        .iter()
        .all(|p| !p.is_empty() && *p != ".." && !p.contains('/'));
    if !plausible {
        return None;
    }
    module_path.iter().find_map(|root| {
        let nested: PathBuf = parts.iter().collect();
        [root.join(nested), root.join(type_path)]
            .into_iter()
            .find(|dir| dir.join(MANIFEST_FILE).is_file())
    })
}

impl ModuleType for ExternalType {
    fn signature(&self) -> Arc<ModuleSignature> {
        Arc::clone(&self.signature)
    }

    fn dependencies(&self, _module: &ModuleConfig) -> Vec<Dependency> {
        let program = &self.command[0];
        let mut deps = vec![Dependency::Command {
            name: program.clone(),
            version_args: Vec::new(),
            min_version: None,
        }];
        deps.extend(
            self.dependencies
                .iter()
                .filter(|d| !matches!(d, Dependency::Command { name, .. } if name == program))
                .cloned(),
        );
        deps
    }

    fn check_ready_to_run(&self, module: &ModuleConfig, pipeline: &Pipeline) -> Vec<Problem> {
        stored_inputs_only(module, pipeline)
    }

    fn execute(&self, ctx: &mut ModuleContext<'_>) -> Result<Outcome, ModuleError> {
        ctx.log.info(format!(
            "Running external module type {} from {}",
            self.type_path,
            self.dir.display()
        ));
        run_program(
            ctx,
            ProgramCommand {
                program: PathBuf::from(&self.command[0]),
                args: self.command[1..].to_vec(),
                cwd: ctx.config_dir(),
                env: vec![("PIMLICO_TYPE_DIR".into(), self.dir.display().to_string())],
            },
        )
    }
}
