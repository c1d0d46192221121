//! Readiness is data presence in any store, never the upstream module's status.

mod common;

use std::path::Path;

use pimlico_config::Pipeline;
use pimlico_core::engine::{
    OutputState, collect_runnable, collect_unexecuted_dependencies, default_module,
};
use pimlico_core::lock;
use pimlico_core::status::set_status;
use serde_json::Value;

/// src (datatype input) -> a -> b; a -> view -> c.
fn pipeline(root: &Path) -> Pipeline {
    let reg = common::registry_with_test_types();
    let src = common::option(
        common::module(&reg, "src", "NamedFileCollection"),
        "dir",
        Value::String(root.join("input").display().to_string()),
    );
    let a = common::input(common::command(&reg, "a", "true"), "data", "src", None);
    let b = common::input(common::command(&reg, "b", "true"), "data", "a", None);
    let view = common::input(
        common::module(&reg, "view", "test.view"),
        "corpus",
        "a",
        None,
    );
    let c = common::input(common::command(&reg, "c", "true"), "data", "view", None);
    common::pipeline(
        "p",
        vec![src, a, b, view, c],
        &[("default", &root.join("out")), ("big", &root.join("big"))],
        root,
    )
}

#[test]
fn data_in_a_secondary_store_is_ready_whatever_the_upstream_status() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pipeline(tmp.path());
    let reg = common::registry_with_test_types();
    let stores = common::stores(&p);
    let engine = common::engine(&p, &reg, &stores);
    let b = p.module("b").unwrap();
    assert_eq!(engine.missing_data(b, &[], &[]), vec!["a (default output)"]);

    // a's output arrives in the second store, with no metadata at all: a was never run here.
    let arrived = tmp.path().join("big/p/main/a/output");
    common::write_output(&arrived, "{}");
    assert!(engine.missing_data(b, &[], &[]).is_empty());
    assert_eq!(engine.status("a").unwrap(), "UNEXECUTED");
    assert_eq!(
        engine.output_state(p.module("a").unwrap(), "output"),
        OutputState::Stored(arrived.clone())
    );

    // Data being written is not ready; neither is a directory without data/.
    std::fs::write(arrived.join("corpus_metadata"), r#"{"writing": true}"#).unwrap();
    assert!(!engine.input_ready(b, "data"));
    std::fs::write(arrived.join("corpus_metadata"), r#"{"writing": false}"#).unwrap();
    assert!(engine.input_ready(b, "data"));
    std::fs::remove_dir_all(arrived.join("data")).unwrap();
    assert!(!engine.input_ready(b, "data"));
}

#[test]
fn datatype_inputs_are_ready_when_their_dir_holds_data() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pipeline(tmp.path());
    let reg = common::registry_with_test_types();
    let stores = common::stores(&p);
    let engine = common::engine(&p, &reg, &stores);
    let a = p.module("a").unwrap();
    assert_eq!(
        engine.missing_data(a, &[], &[]),
        vec!["src (default output)"]
    );
    std::fs::create_dir_all(tmp.path().join("input/data")).unwrap();
    assert!(engine.all_inputs_ready(a));
    assert!(engine.all_inputs_ready(p.module("src").unwrap()));
}

#[test]
fn computed_modules_are_ready_when_their_own_inputs_are() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pipeline(tmp.path());
    let reg = common::registry_with_test_types();
    let stores = common::stores(&p);
    let engine = common::engine(&p, &reg, &stores);
    let c = p.module("c").unwrap();
    // The view has no directory; what is missing is what the view itself needs.
    assert_eq!(engine.missing_data(c, &[], &[]), vec!["a (default output)"]);
    assert!(engine.missing_data(c, &["a".to_string()], &[]).is_empty());
    common::write_output(&tmp.path().join("out/p/main/a/output"), "{}");
    assert!(engine.all_inputs_ready(c));
    assert_eq!(
        engine.output_state(p.module("view").unwrap(), "corpus"),
        OutputState::Computed
    );
    assert_eq!(
        engine.missing_data(c, &[], &["a".to_string()]),
        vec!["a module failed, so we assume  output 'output' is not complete"]
    );
}

#[test]
fn the_default_module_is_the_first_ready_unlocked_incomplete_one() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pipeline(tmp.path());
    let reg = common::registry_with_test_types();
    let stores = common::stores(&p);
    let engine = common::engine(&p, &reg, &stores);
    assert_eq!(default_module(&engine).unwrap(), None);
    std::fs::create_dir_all(tmp.path().join("input/data")).unwrap();
    assert_eq!(default_module(&engine).unwrap().as_deref(), Some("a"));
    // --all assumes a will have run by the time b and c run.
    assert_eq!(collect_runnable(&engine).unwrap(), vec!["a", "b", "c"]);

    lock::acquire(&stores, "a", std::process::id()).unwrap();
    assert_eq!(default_module(&engine).unwrap(), None);
    lock::remove(&stores, "a").unwrap();

    set_status(&stores, "a", "COMPLETE").unwrap();
    common::write_output(&tmp.path().join("out/p/main/a/output"), "{}");
    assert_eq!(default_module(&engine).unwrap().as_deref(), Some("b"));
    assert_eq!(collect_runnable(&engine).unwrap(), vec!["b", "c"]);
}

#[test]
fn all_deps_adds_unexecuted_dependencies_first_and_keeps_forced_requests() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pipeline(tmp.path());
    let reg = common::registry_with_test_types();
    let stores = common::stores(&p);
    let engine = common::engine(&p, &reg, &stores);
    let requested = vec!["c".to_string(), "b".to_string()];
    assert_eq!(
        collect_unexecuted_dependencies(&engine, &requested, false).unwrap(),
        vec!["a", "c", "b"]
    );
    set_status(&stores, "a", "COMPLETE").unwrap();
    set_status(&stores, "c", "COMPLETE").unwrap();
    assert_eq!(
        collect_unexecuted_dependencies(&engine, &requested, false).unwrap(),
        vec!["b"]
    );
    // The original dropped COMPLETE requested modules even with --force-rerun.
    assert_eq!(
        collect_unexecuted_dependencies(&engine, &requested, true).unwrap(),
        vec!["c", "b"]
    );
}

#[test]
fn a_grouped_corpus_of_nonzero_length_needs_an_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let datatypes = pimlico_core::datatypes::DatatypeRegistry::standard();
    let base = tmp.path().join("corpus");
    common::write_output(&base, r#"{"length": 2}"#);
    assert!(!datatypes.data_ready("GroupedCorpus", &base));
    assert!(datatypes.data_ready("PimlicoDatatype", &base));
    std::fs::write(base.join("data/archive-0.prc"), b"").unwrap();
    assert!(datatypes.data_ready("GroupedCorpus", &base));
    std::fs::write(base.join("corpus_metadata"), r#"{"length": 0}"#).unwrap();
    std::fs::remove_file(base.join("data/archive-0.prc")).unwrap();
    assert!(datatypes.data_ready("grouped_corpus", &base));
}

#[test]
fn data_of_a_module_whose_type_is_unavailable_here_is_still_found() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = common::registry();
    let ext = common::unavailable("ext", "elsewhere.tool", &[]);
    let b = common::input(common::command(&reg, "b", "true"), "data", "ext", None);
    let c = common::input(
        common::command(&reg, "c", "true"),
        "data",
        "ext",
        Some("second"),
    );
    let p = common::pipeline(
        "p",
        vec![ext, b, c],
        &[("default", &tmp.path().join("out"))],
        tmp.path(),
    );
    let stores = common::stores(&p);
    let engine = common::engine(&p, &reg, &stores);
    let (b, c) = (p.module("b").unwrap(), p.module("c").unwrap());
    assert!(engine.missing_data(b, &[], &[])[0].starts_with(
        "ext (default output: its type is not available here, so its default output is unknown;"
    ));
    assert_eq!(
        engine.missing_data(c, &[], &[]),
        vec!["ext output 'second'"]
    );

    common::write_output(&tmp.path().join("out/p/main/ext/result"), "{}");
    assert!(engine.missing_data(b, &[], &[]).is_empty());
    common::write_output(&tmp.path().join("out/p/main/ext/second"), "{}");
    assert!(engine.missing_data(c, &[], &[]).is_empty());
    // Two output directories: the default one is ambiguous.
    assert!(engine.missing_data(b, &[], &[])[0].contains("among result, second"));
}
