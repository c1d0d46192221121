//! The dump/load operations shared by the CLI and the daemon: the checks before a load, the
//! lock held for the install, and which modules `dump --inputs` means.

mod common;

use std::path::Path;

use pimlico_config::Pipeline;
use pimlico_core::archive::{DumpMetadata, DumpOptions, Installed, write_dump};
use pimlico_core::lock;
use pimlico_core::ops::{
    DumpError, LoadError, find_dump_source, input_source_modules, load_into_store, plan_load,
};
use serde_json::Value;

/// src (datatype input) -> a -> view -> c; c also reads src; b independent. Stores `default`
/// and `big`.
fn pipeline(root: &Path) -> Pipeline {
    let reg = common::registry_with_test_types();
    let src = common::option(
        common::module(&reg, "src", "NamedFileCollection"),
        "dir",
        Value::String(root.join("input").display().to_string()),
    );
    let a = common::command(&reg, "a", "true");
    let b = common::command(&reg, "b", "true");
    let view = common::input(
        common::module(&reg, "view", "test.view"),
        "corpus",
        "a",
        None,
    );
    let c = common::input(
        common::input(common::command(&reg, "c", "true"), "data", "view", None),
        "data",
        "src",
        None,
    );
    let mut p = common::pipeline(
        "p",
        vec![src, a, b, view, c],
        &[("default", &root.join("out")), ("big", &root.join("big"))],
        root,
    );
    p.aliases.insert("alias_of_a".into(), "a".into());
    p
}

/// A dump of `module` holding one file, `data.txt`, with `text`.
async fn dump_of(root: &Path, meta: &DumpMetadata, text: &str) -> Vec<u8> {
    let dir = root.join("source").join(&meta.module_name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("data.txt"), text).unwrap();
    let mut out = Vec::new();
    write_dump(&dir, meta, &DumpOptions::default(), &mut out)
        .await
        .unwrap();
    out
}

fn meta(module: &str) -> DumpMetadata {
    DumpMetadata::now("p", module, "main")
}

fn staging_is_empty(root: &Path) -> bool {
    std::fs::read_dir(root.join("out/p/main/.pimlico-staging"))
        .map_or(true, |mut entries| entries.next().is_none())
}

#[test]
fn plan_checks_pipeline_variant_and_module_and_follows_aliases() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pipeline(tmp.path());
    let stores = common::stores(&p);

    let other = DumpMetadata::now("q", "a", "main");
    assert!(matches!(
        plan_load(&p, &stores, other),
        Err(LoadError::PipelineMismatch { dumped, pipeline }) if dumped == "q" && pipeline == "p"
    ));
    let variant = DumpMetadata::now("p", "a", "v2");
    assert!(matches!(
        plan_load(&p, &stores, variant),
        Err(LoadError::VariantMismatch { dumped, variant }) if dumped == "v2" && variant == "main"
    ));
    assert!(matches!(
        plan_load(&p, &stores, meta("nope")),
        Err(LoadError::UnknownModule(m)) if m == "nope"
    ));

    // Data of `a` in the second store only; the dump names its alias.
    std::fs::create_dir_all(tmp.path().join("big/p/main/a")).unwrap();
    let plan = plan_load(&p, &stores, meta("alias_of_a")).unwrap();
    assert_eq!(plan.module, "a");
    assert_eq!(plan.target, tmp.path().join("out/p/main/a"));
    assert!(!plan.replaces_output());
    assert_eq!(
        plan.shadowed().cloned().collect::<Vec<_>>(),
        [("big".to_string(), tmp.path().join("big/p/main/a"))]
    );
    assert!(plan.stale_lock.is_none());
}

#[tokio::test]
async fn loading_an_aliased_dump_installs_under_the_module_name_and_leaves_no_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pipeline(tmp.path());
    let stores = common::stores(&p);
    let archive = dump_of(tmp.path(), &meta("alias_of_a"), "new").await;
    let plan = plan_load(&p, &stores, meta("alias_of_a")).unwrap();
    let loaded = load_into_store(&stores, &plan, &archive[..], false)
        .await
        .unwrap();
    assert_eq!(loaded.installed, Installed::Created);
    assert_eq!(loaded.summary.files, 1);
    let a = tmp.path().join("out/p/main/a");
    assert_eq!(std::fs::read_to_string(a.join("data.txt")).unwrap(), "new");
    assert!(lock::inspect(&stores, "a").unwrap().is_none());
    assert!(staging_is_empty(tmp.path()));
}

#[tokio::test]
async fn a_lock_taken_after_the_plan_stops_the_install() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pipeline(tmp.path());
    let stores = common::stores(&p);
    let a = tmp.path().join("out/p/main/a");
    std::fs::create_dir_all(&a).unwrap();
    std::fs::write(a.join("data.txt"), "old").unwrap();
    let archive = dump_of(tmp.path(), &meta("a"), "new").await;
    let plan = plan_load(&p, &stores, meta("a")).unwrap();
    assert!(plan.replaces_output());

    // A run starts while the dump is being extracted: this (live) process takes the lock.
    lock::acquire(&stores, "a", std::process::id()).unwrap();
    let err = load_into_store(&stores, &plan, &archive[..], true)
        .await
        .unwrap_err();
    assert!(matches!(err, LoadError::Locked { .. }), "{err}");
    assert_eq!(std::fs::read_to_string(a.join("data.txt")).unwrap(), "old");
    assert!(
        lock::inspect(&stores, "a").unwrap().is_some(),
        "the run's lock stays"
    );
    assert!(staging_is_empty(tmp.path()));

    // Planning now refuses straight away, and so does a dump without force.
    assert!(matches!(
        plan_load(&p, &stores, meta("a")),
        Err(LoadError::Locked { .. })
    ));
    assert!(matches!(
        find_dump_source(&stores, "a", false),
        Err(DumpError::Locked { .. })
    ));
    let forced = find_dump_source(&stores, "a", true).unwrap().unwrap();
    assert!(forced.lock.is_some_and(|l| !l.stale));
}

#[tokio::test]
async fn a_directory_that_appears_after_the_plan_is_not_replaced_without_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pipeline(tmp.path());
    let stores = common::stores(&p);
    let archive = dump_of(tmp.path(), &meta("b"), "new").await;
    let plan = plan_load(&p, &stores, meta("b")).unwrap();
    assert!(plan.existing.is_empty());

    let b = tmp.path().join("out/p/main/b");
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(b.join("data.txt"), "theirs").unwrap();
    let err = load_into_store(&stores, &plan, &archive[..], false)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, LoadError::TargetExists { target } if *target == b),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(b.join("data.txt")).unwrap(),
        "theirs"
    );
    assert!(lock::inspect(&stores, "b").unwrap().is_none());
    assert!(staging_is_empty(tmp.path()));

    // Allowed to overwrite, it replaces the directory.
    let loaded = load_into_store(&stores, &plan, &archive[..], true)
        .await
        .unwrap();
    assert_eq!(loaded.installed, Installed::Replaced);
    assert_eq!(std::fs::read_to_string(b.join("data.txt")).unwrap(), "new");
}

#[tokio::test]
async fn an_archive_for_another_module_than_planned_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pipeline(tmp.path());
    let stores = common::stores(&p);
    let plan = plan_load(&p, &stores, meta("a")).unwrap();
    let archive = dump_of(tmp.path(), &meta("b"), "b's").await;
    let err = load_into_store(&stores, &plan, &archive[..], true)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("module 'b'"), "{err}");
    assert!(!tmp.path().join("out/p/main/a").exists());
    assert!(!tmp.path().join("out/p/main/b").exists());
    assert!(staging_is_empty(tmp.path()));
}

#[test]
fn inputs_are_followed_through_views_to_stored_modules() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pipeline(tmp.path());
    let found = input_source_modules(&p, &["c".to_string()]);
    assert_eq!(found.stored, ["a"]);
    assert_eq!(found.unstored, ["src"]);
    let found = input_source_modules(&p, &["c".to_string(), "view".to_string(), "b".into()]);
    assert_eq!(found.stored, ["a"], "each module once");
    assert!(input_source_modules(&p, &["a".to_string()]) == Default::default());
}

#[test]
fn the_dump_source_is_the_first_store_holding_the_module() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pipeline(tmp.path());
    let stores = common::stores(&p);
    assert!(find_dump_source(&stores, "a", false).unwrap().is_none());
    std::fs::create_dir_all(tmp.path().join("big/p/main/a")).unwrap();
    let source = find_dump_source(&stores, "a", false).unwrap().unwrap();
    assert_eq!(source.store, "big");
    assert_eq!(source.dir, tmp.path().join("big/p/main/a"));
    std::fs::create_dir_all(tmp.path().join("out/p/main/a")).unwrap();
    let source = find_dump_source(&stores, "a", false).unwrap().unwrap();
    assert_eq!(source.store, "default");
}
