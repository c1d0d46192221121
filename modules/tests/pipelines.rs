//! The original Pimlico's test pipelines (`shared/fixtures/pimlico-testdata/pipelines`), run
//! here with `run --all` through the real run flow (each module in an `internal-exec` child of
//! this test binary), their outputs compared with what the original wrote for the same
//! pipelines (`tests/expected/*.json`, made by `tests/expected/regenerate.py`).
//!
//! `extra/*` are our own pipelines (`tests/pipelines/`), covering options the fixtures leave
//! out, run through the original by the same script.
//!
//! Outputs must hold the same documents, in the same order, with the same bytes, and the same
//! `corpus_metadata`. Where the original is random and unseeded (`split`) or broken
//! (`shuffle_linear` writes nothing), properties are checked instead, and determinism.

mod pipeline_support;

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use pipeline_support::{Expected, Output, run};
use serde_json::Value;

fn main() {
    pimlico_modules::run::dispatch_internal_exec();
    let args = Arguments::from_args();
    let fixtures = pipeline_support::fixtures();
    let expected_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&expected_dir)
        .expect("tests/expected exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut trials = Vec::new();
    for file in files {
        let expected: Expected =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let name = expected.pipeline.clone();
        let fixtures = fixtures.clone();
        trials.push(Trial::test(name, move || check(&fixtures, &expected)));
    }
    libtest_mimic::run(&args, trials).exit();
}

fn check(fixtures: &Path, expected: &Expected) -> Result<(), Failed> {
    let ours = run(fixtures, &expected.pipeline, 3)?;
    match expected.pipeline.as_str() {
        "corpora/split.conf" => return check_split(fixtures, expected, &ours),
        "corpora/shuffle_linear.conf" => return check_shuffle_linear(fixtures, &ours),
        _ => {}
    }
    for (module, exp) in &expected.modules {
        let got = ours
            .modules
            .get(module)
            .ok_or_else(|| format!("module '{module}' was not run here"))?;
        if got.status != exp.status {
            return Err(format!(
                "{module}: status {:?}, expected {:?}",
                got.status, exp.status
            )
            .into());
        }
        for (output, exp_out) in &exp.outputs {
            let got_out = got
                .outputs
                .get(output)
                .ok_or_else(|| format!("{module}: no output '{output}'"))?;
            compare(&format!("{module}.{output}"), got_out, exp_out)?;
        }
    }
    Ok(())
}

fn compare(what: &str, got: &Output, expected: &Output) -> Result<(), Failed> {
    if got.corpus_metadata != expected.corpus_metadata {
        return Err(format!(
            "{what}: corpus_metadata {} , expected {}",
            got.corpus_metadata, expected.corpus_metadata
        )
        .into());
    }
    if got.documents != expected.documents {
        return Err(format!(
            "{what}: documents differ\n here:     {:?}\n original: {:?}",
            got.documents, expected.documents
        )
        .into());
    }
    if got.files != expected.files {
        return Err(format!(
            "{what}: files differ\n here:     {:?}\n original: {:?}",
            got.files, expected.files
        )
        .into());
    }
    Ok(())
}

fn docs(output: &Output) -> Vec<(String, String, String)> {
    output.documents.clone().unwrap_or_default()
}

/// `split` with `set1_size=2` of a 5-document corpus: exactly two documents in set 1, the rest
/// in set 2, each in input order, `doc_list1` naming set 1; the same split on every run; and
/// the same documents overall as the original's split.
fn check_split(
    fixtures: &Path,
    expected: &Expected,
    ours: &pipeline_support::Run,
) -> Result<(), Failed> {
    let split = &ours.modules["split"];
    let (set1, set2) = (docs(&split.outputs["set1"]), docs(&split.outputs["set2"]));
    if set1.len() != 2 || set2.len() != 3 {
        return Err(format!(
            "split sizes {} and {}, expected 2 and 3",
            set1.len(),
            set2.len()
        )
        .into());
    }
    let input = pipeline_support::stored_docs(&fixtures.join("datasets/text_corpora/europarl"));
    let in_order = |set: &[(String, String, String)]| {
        let positions: Vec<usize> = set
            .iter()
            .map(|d| {
                input
                    .iter()
                    .position(|i| i == d)
                    .expect("an input document")
            })
            .collect();
        positions.windows(2).all(|w| w[0] < w[1])
    };
    if !in_order(&set1) || !in_order(&set2) {
        return Err("split sets are not in input order".into());
    }
    let mut all: Vec<_> = set1.iter().chain(&set2).cloned().collect();
    all.sort();
    let mut original: Vec<_> = ["set1", "set2"]
        .iter()
        .flat_map(|o| docs(&expected.modules["split"].outputs[*o]))
        .collect();
    original.sort();
    if all != original {
        return Err("the split's documents are not the original's".into());
    }
    let list1 = pipeline_support::string_list(&split.dirs["doc_list1"]);
    let names: Vec<String> = set1.iter().map(|d| d.1.clone()).collect();
    if list1 != names {
        return Err(format!("doc_list1 {list1:?}, set 1 has {names:?}").into());
    }
    let again = run(fixtures, "corpora/split.conf", 1)?;
    if docs(&again.modules["split"].outputs["set1"]) != set1 {
        return Err("the seeded split differs between runs".into());
    }
    Ok(())
}

/// `shuffle_linear` (which writes an empty corpus in the original): a permutation of its
/// input's documents, the same on every run.
fn check_shuffle_linear(fixtures: &Path, ours: &pipeline_support::Run) -> Result<(), Failed> {
    let shuffled = docs(&ours.modules["shuffle"].outputs["corpus"]);
    let store = run(fixtures, "input/raw_text_files.conf", 1)?;
    let input = docs(&store.modules["store"].outputs["corpus"]);
    let key = |d: &(String, String, String)| (d.1.clone(), d.2.clone());
    let mut a: Vec<_> = shuffled.iter().map(key).collect();
    let mut b: Vec<_> = input.iter().map(key).collect();
    if a == b {
        return Err("shuffle_linear left the documents in their order".into());
    }
    a.sort();
    b.sort();
    if a != b {
        return Err(format!("shuffle_linear output {a:?} is not a permutation of {b:?}").into());
    }
    if shuffled.iter().any(|d| d.0 != "archive-0") {
        return Err("shuffled documents are not regrouped into archive-0".into());
    }
    let again = run(fixtures, "corpora/shuffle_linear.conf", 1)?;
    if docs(&again.modules["shuffle"].outputs["corpus"]) != shuffled {
        return Err("the seeded shuffle differs between runs".into());
    }
    let meta: Value =
        serde_json::from_str(&ours.modules["shuffle"].outputs["corpus"].corpus_metadata)?;
    if meta["length"] != 5 {
        return Err(format!("shuffled corpus metadata {meta}").into());
    }
    Ok(())
}
