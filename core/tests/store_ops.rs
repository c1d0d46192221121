//! Moving modules between stores, resetting and cleaning.

mod common;

use std::path::Path;

use pimlico_config::Pipeline;
use pimlico_core::lock;
use pimlico_core::ops::{
    ResetError, clean_candidates, dependent_modules, remove_dirs, reset_module,
    resettable_dependents,
};
use pimlico_core::status::set_status;
use pimlico_core::store::{MoveOutcome, copy_then_swap, move_module};

/// a -> b -> c, d independent; stores `default` and `big`.
fn pipeline(root: &Path) -> Pipeline {
    let reg = common::registry();
    let a = common::command(&reg, "a", "true");
    let b = common::input(common::command(&reg, "b", "true"), "data", "a", None);
    let c = common::input(common::command(&reg, "c", "true"), "data", "b", None);
    let d = common::command(&reg, "d", "true");
    common::pipeline(
        "p",
        vec![a, b, c, d],
        &[("default", &root.join("out")), ("big", &root.join("big"))],
        root,
    )
}

fn tree(dir: &Path) -> Vec<String> {
    let mut found: Vec<String> = walk(dir)
        .into_iter()
        .map(|p| p.strip_prefix(dir).unwrap().display().to_string())
        .collect();
    found.sort();
    found
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        out.push(path.clone());
        if path.is_dir() && !path.is_symlink() {
            out.extend(walk(&path));
        }
    }
    out
}

#[tokio::test]
async fn a_module_moves_whole_between_stores() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pipeline(tmp.path());
    let stores = common::stores(&p);
    let src = tmp.path().join("out/p/main/a");
    common::write_output(&src.join("output"), "{}");
    set_status(&stores, "a", "COMPLETE").unwrap();
    std::os::unix::fs::symlink("output/data/out.txt", src.join("link")).unwrap();
    let before = tree(&src);

    let big = stores.by_name("big").unwrap();
    let outcome = move_module(&stores, "a", big).await.unwrap();
    let dest = tmp.path().join("big/p/main/a");
    assert_eq!(
        outcome,
        MoveOutcome::Moved {
            from_store: "default".into(),
            from: src.clone(),
            to: dest.clone()
        }
    );
    assert!(!src.exists());
    assert_eq!(tree(&dest), before);
    assert_eq!(
        move_module(&stores, "a", big).await.unwrap(),
        MoveOutcome::AlreadyThere
    );
    assert_eq!(
        move_module(&stores, "d", big).await.unwrap(),
        MoveOutcome::NotFound
    );
    assert_eq!(
        pimlico_core::status::read_status(&stores, "a").unwrap(),
        "COMPLETE"
    );
}

#[tokio::test]
async fn the_copy_path_swaps_a_complete_copy_into_place_then_deletes_the_source() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src/a");
    common::write_output(&src.join("output"), r#"{"length": 1}"#);
    std::fs::write(src.join("history"), "x\n").unwrap();
    let before = tree(&src);
    let target = tmp.path().join("dest/p/main/a");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    let variant_root = tmp.path().join("dest/p/main");
    copy_then_swap(&src, &target, &variant_root).await.unwrap();
    assert!(!src.exists());
    assert_eq!(tree(&target), before);
    // Nothing is left in the staging area.
    assert_eq!(
        std::fs::read_dir(variant_root.join(".pimlico-staging"))
            .unwrap()
            .count(),
        0
    );
}

#[tokio::test]
async fn moving_refuses_to_overwrite_or_to_move_a_locked_module() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pipeline(tmp.path());
    let stores = common::stores(&p);
    common::write_output(&tmp.path().join("out/p/main/a/output"), "{}");
    std::fs::create_dir_all(tmp.path().join("big/p/main/a")).unwrap();
    let err = move_module(&stores, "a", stores.by_name("big").unwrap())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already exists there"), "{err}");
    std::fs::remove_dir(tmp.path().join("big/p/main/a")).unwrap();
    lock::acquire(&stores, "a", std::process::id()).unwrap();
    let err = move_module(&stores, "a", stores.by_name("big").unwrap())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("it is locked"), "{err}");
    assert!(tmp.path().join("out/p/main/a/output/data/out.txt").exists());
}

#[test]
fn reset_removes_the_module_from_every_store_and_finds_executed_dependents() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pipeline(tmp.path());
    let reg = common::registry();
    let stores = common::stores(&p);
    let engine = common::engine(&p, &reg, &stores);
    assert_eq!(dependent_modules(&p, "a"), vec!["b", "c"]);
    set_status(&stores, "c", "COMPLETE").unwrap();
    assert_eq!(
        resettable_dependents(&engine, &["a".to_string()]).unwrap(),
        vec!["c"]
    );

    common::write_output(&tmp.path().join("out/p/main/a/output"), "{}");
    common::write_output(&tmp.path().join("big/p/main/a/output"), "{}");
    let removed = reset_module(&engine, "a").unwrap();
    assert_eq!(
        removed,
        vec![
            tmp.path().join("out/p/main/a"),
            tmp.path().join("big/p/main/a")
        ]
    );
    assert!(!tmp.path().join("big/p/main/a").exists());

    lock::acquire(&stores, "c", std::process::id()).unwrap();
    assert!(matches!(
        reset_module(&engine, "c"),
        Err(ResetError::Locked { .. })
    ));
    assert!(tmp.path().join("out/p/main/c/metadata").exists());
}

#[test]
fn clean_lists_unknown_directories_but_not_the_staging_area() {
    let tmp = tempfile::tempdir().unwrap();
    let p = pipeline(tmp.path());
    let reg = common::registry();
    let stores = common::stores(&p);
    let engine = common::engine(&p, &reg, &stores);
    for dir in [
        "out/p/main/a",
        "out/p/main/old",
        "out/p/main/.pimlico-staging",
        "big/p/main/gone",
    ] {
        std::fs::create_dir_all(tmp.path().join(dir)).unwrap();
    }
    let found = clean_candidates(&engine).unwrap();
    assert_eq!(
        found,
        vec![
            tmp.path().join("out/p/main/old"),
            tmp.path().join("big/p/main/gone")
        ]
    );
    remove_dirs(&found).unwrap();
    assert!(clean_candidates(&engine).unwrap().is_empty());
    assert!(tmp.path().join("out/p/main/a").exists());
}
