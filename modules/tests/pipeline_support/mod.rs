//! Running a fixture pipeline here and reading its outputs in the form of the expected files.
#![allow(dead_code)] // Shared by several test binaries, each using part of it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pimlico_core::engine::RunOptions;
use pimlico_modules::formats::grouped::GroupedCorpusReader;
use serde::Deserialize;

/// The original's test data: `PIMLICO_TESTDATA`, else `shared/fixtures/pimlico-testdata`
/// beside an ancestor of this crate, else the shared location.
pub fn fixtures() -> PathBuf {
    if let Ok(dir) = std::env::var("PIMLICO_TESTDATA") {
        return PathBuf::from(dir);
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .map(|a| a.join("shared/fixtures/pimlico-testdata"))
        .find(|c| c.is_dir())
        .unwrap_or_else(|| PathBuf::from("/work/shared/fixtures/pimlico-testdata"))
}

/// One output: its metadata file and its documents (corpora) or files (other datatypes).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Output {
    pub corpus_metadata: String,
    #[serde(default)]
    pub documents: Option<Vec<(String, String, String)>>,
    #[serde(default)]
    pub files: Option<Vec<(String, String)>>,
}

/// One module's status and outputs.
#[derive(Debug, Clone, Deserialize)]
pub struct Module {
    pub status: Option<String>,
    pub outputs: BTreeMap<String, Output>,
    /// Where each output is (only for our runs).
    #[serde(skip)]
    pub dirs: BTreeMap<String, PathBuf>,
}

/// What the original produced for a pipeline.
#[derive(Debug, Clone, Deserialize)]
pub struct Expected {
    pub pipeline: String,
    pub modules: BTreeMap<String, Module>,
}

/// A run here; the store lives as long as this.
pub struct Run {
    pub modules: BTreeMap<String, Module>,
    _dir: tempfile::TempDir,
}

fn hash(data: &[u8]) -> String {
    blake3::hash(data).to_hex().to_string()
}

/// Reads an output directory as the expected files record outputs.
pub fn read_output(dir: &Path) -> Output {
    let corpus_metadata = std::fs::read_to_string(dir.join("corpus_metadata")).unwrap_or_default();
    let data = dir.join("data");
    let mut files = Vec::new();
    walk(&data, &data, &mut files);
    files.sort();
    if files.iter().any(|(p, _)| p.ends_with(".prc")) {
        Output {
            corpus_metadata,
            documents: Some(stored_docs(dir)),
            files: None,
        }
    } else {
        Output {
            corpus_metadata,
            documents: None,
            files: Some(files),
        }
    }
}

/// The documents of a stored corpus: archive, name, BLAKE3 of the bytes.
pub fn stored_docs(dir: &Path) -> Vec<(String, String, String)> {
    let reader = GroupedCorpusReader::open_unchecked(dir).expect("a corpus");
    let mut docs = reader.docs();
    let mut out = Vec::new();
    while let Some(doc) = docs.next_doc().expect("readable") {
        out.push((
            doc.archive.to_string(),
            doc.name.to_string(),
            hash(doc.data),
        ));
    }
    out
}

/// The items of a stored string list.
pub fn string_list(dir: &Path) -> Vec<String> {
    pimlico_modules::formats::string_list::read(dir).expect("a string list")
}

fn walk(dir: &Path, base: &Path, out: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, base, out);
        } else {
            let rel = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.push((rel, hash(&std::fs::read(&path).unwrap())));
        }
    }
}

/// Runs a fixture pipeline (or, as `extra/<file>`, one of `tests/pipelines`) with `run --all`
/// and `processes` processes; returns every module's status and outputs.
pub fn run(fixtures: &Path, conf: &str, processes: usize) -> Result<Run, String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let config = match conf.strip_prefix("extra/") {
        Some(ours) => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/pipelines")
            .join(ours),
        None => fixtures.join("pipelines").join(conf),
    };
    run_config(config, tmp, fixtures, processes)
}

/// Runs a pipeline config with `run --all`, storing its data in `tmp`.
pub fn run_config(
    config: PathBuf,
    tmp: tempfile::TempDir,
    fixtures: &Path,
    processes: usize,
) -> Result<Run, String> {
    let local = tmp.path().join("local.conf");
    let store = tmp.path().join("store");
    std::fs::write(
        &local,
        format!(
            "store={}\ntest_data_dir={}\n",
            store.display(),
            fixtures.display()
        ),
    )
    .map_err(|e| e.to_string())?;
    let report = pimlico_modules::run::run_pipeline(
        config,
        local,
        vec![("processes".into(), processes.to_string())],
        &RunOptions {
            all: true,
            ..RunOptions::default()
        },
    );
    let log = || report.events.messages().join("\n");
    match &report.summary {
        Ok(summary) if summary.failed.is_empty() => {}
        Ok(summary) => {
            return Err(format!("modules failed: {:?}\n{}", summary.failed, log()));
        }
        Err(e) => return Err(format!("run failed: {e}\n{}", log())),
    }
    let mut modules = BTreeMap::new();
    let Some(pipeline_dir) = std::fs::read_dir(&store)
        .ok()
        .and_then(|mut d| d.next())
        .and_then(|e| e.ok())
    else {
        return Ok(Run { modules, _dir: tmp });
    };
    let variant = pipeline_dir.path().join("main");
    for entry in std::fs::read_dir(&variant)
        .map_err(|e| e.to_string())?
        .flatten()
    {
        let module_dir = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let metadata: serde_json::Value = std::fs::read_to_string(module_dir.join("metadata"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        let mut module = Module {
            status: metadata["status"].as_str().map(str::to_string),
            outputs: BTreeMap::new(),
            dirs: BTreeMap::new(),
        };
        for out in std::fs::read_dir(&module_dir)
            .map_err(|e| e.to_string())?
            .flatten()
        {
            let dir = out.path();
            if dir.join("corpus_metadata").is_file() {
                let output = out.file_name().to_string_lossy().into_owned();
                module.outputs.insert(output.clone(), read_output(&dir));
                module.dirs.insert(output, dir);
            }
        }
        modules.insert(name, module);
    }
    Ok(Run { modules, _dir: tmp })
}
