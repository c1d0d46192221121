//! `pimlico.modules.utility.collect_files`: the files of several file collections gathered
//! into one, renamed with a prefix or put in subdirectories to keep them apart.

use std::path::Path;

use pimlico_config::{ModuleConfig, ModuleSignature, OptionType};
use pimlico_core::types::{ModuleContext, ModuleError, Outcome};
use serde_json::json;

use crate::catalogue::decl::{module, multiple_input, option, output};
use crate::corpus::Reading;
use crate::error::{Error, Result};
use crate::formats::named_files::NamedFileCollection;
use crate::types::common::output_dir;
use crate::types::{Behaviour, TypeDef};
use crate::util::options;

pub(super) const DEF: TypeDef = TypeDef {
    type_string: "pimlico.modules.utility.collect_files",
    signature,
    behaviour: Behaviour::Execute(execute),
    check: None,
    source_ready: None,
};

fn signature() -> ModuleSignature {
    let mut sig = module(
        "collect_files",
        "Collect files output from different modules into one collection, in subdirectories or \
         renamed to avoid clashes.",
    );
    sig.inputs = vec![multiple_input("files", "NamedFileCollection")];
    sig.outputs = vec![output("files", "NamedFileCollection")];
    sig.options = vec![
        option(
            "subdirs",
            OptionType::Bool,
            json!(null),
            "Use subdirectories to collect the files from different sources, rather than \
             renaming each file. By default, a prefix is added to the filenames",
        ),
        option(
            "names",
            OptionType::CommaList,
            json!(null),
            "List of string identifiers to use to distinguish the files from different sources, \
             either used as subdirectory names or filename prefixes. If not given, integer ids \
             will be used instead",
        ),
    ];
    sig
}

fn execute(ctx: &mut ModuleContext<'_>) -> Result<Outcome, ModuleError> {
    run(ctx)?;
    Ok(Outcome::default())
}

/// The file names of a collection: as its datatype input declares them (`filenames`, or
/// `filename` for a single named file), else the files found in its `data/`.
fn filenames(upstream: Option<&ModuleConfig>, dir: &Path) -> Result<Vec<String>> {
    if let Some(module) = upstream {
        let opts = &module.datatype_options;
        if let Some(list) = opts.get("filenames").filter(|l| !l.trim().is_empty()) {
            return Ok(list.split(',').map(|f| f.trim().to_string()).collect());
        }
        if let Some(name) = opts.get("filename") {
            return Ok(vec![name.trim().to_string()]);
        }
    }
    let data = dir.join("data");
    let mut found = Vec::new();
    list_files(&data, &data, &mut found)?;
    found.sort();
    Ok(found)
}

fn list_files(dir: &Path, base: &Path, out: &mut Vec<String>) -> Result<()> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::msg(format!("could not list {}: {e}", dir.display())))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            list_files(&path, base, out)?;
        } else if let Ok(rel) = path.strip_prefix(base) {
            out.push(rel.to_string_lossy().into_owned());
        }
    }
    Ok(())
}

fn run(ctx: &mut ModuleContext<'_>) -> Result<()> {
    let reading = Reading::from_ctx(ctx);
    let conns = ctx.module.inputs.get("files").cloned().unwrap_or_default();
    let dirs = reading.input_dirs(ctx.module, "files")?;
    ctx.log.info(format!(
        "Collecting files from {} input modules",
        dirs.len()
    ));
    let names = match options::list(ctx.options(), "names") {
        None => (0..dirs.len()).map(|i| format!("{i:02}")).collect(),
        Some(names) if names.len() < dirs.len() => {
            return Err(Error::msg(format!(
                "got too few names ({}) to distinguish {} file collections",
                names.len(),
                dirs.len()
            )));
        }
        Some(names) => {
            if names.len() > dirs.len() {
                ctx.log.warn(format!(
                    "got more file collection names ({}) than needed to distinguish {} \
                     collections",
                    names.len(),
                    dirs.len()
                ));
            }
            names
        }
    };
    let subdirs = options::flag(ctx.options(), "subdirs");
    let mut plan = Vec::new();
    for ((conn, dir), name) in conns.iter().zip(&dirs).zip(&names) {
        for file in filenames(ctx.pipeline.module(&conn.module), dir)? {
            let target = if subdirs {
                format!("{name}/{file}")
            } else {
                format!("{name}_{file}")
            };
            plan.push((dir.clone(), file, target));
        }
    }
    let targets: Vec<&str> = plan.iter().map(|(_, _, t)| t.as_str()).collect();
    let collection = NamedFileCollection::new(&targets)?;
    let mut writer = collection.writer(&output_dir(ctx, "files")?)?;
    for (dir, file, target) in &plan {
        let source = NamedFileCollection::new(&[file])?;
        writer.write_file(target, &source.read_file(dir, file)?)?;
    }
    writer.finish()?;
    Ok(())
}
