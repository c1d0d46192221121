//! Several stores (status from the first holding a module, output to the first store),
//! `stores`, `movestores`, `reset` with dependents, `clean` and `status --json`.

use pimlico_tests::{Workspace, status, tree};

const PIPELINE: &str = r#"[pipeline]
name=st
release=latest

[a]
type=command
cmd=echo a > "$PIMLICO_OUTPUT/a.txt"

[b]
type=command
input_data=a
cmd=cat "$PIMLICO_INPUT/a.txt" > "$PIMLICO_OUTPUT/b.txt"

[c]
type=command
input_data=b
cmd=cat "$PIMLICO_INPUT/b.txt" > "$PIMLICO_OUTPUT/c.txt"
"#;

fn setup() -> Workspace {
    let ws = Workspace::new();
    ws.write("p.conf", PIPELINE);
    ws.write(
        "lc",
        &format!(
            "store={}\nstore_big={}\n",
            ws.join("main_store").display(),
            ws.join("big_store").display()
        ),
    );
    ws
}

#[test]
fn stores_are_listed_and_reads_search_them_in_order() {
    let ws = setup();
    let stores = ws
        .pimlico(&["p.conf", "--lc", "lc", "stores"])
        .expect_code(0);
    let main = ws.join("main_store/st/main").display().to_string();
    let big = ws.join("big_store/st/main").display().to_string();
    let w = main.len().max(big.len());
    assert_eq!(
        stores.stdout(),
        format!(
            "Absolute paths to named storage locations\n\nName     Path\n-------  {}\ndefault  {main}\nbig      {big}\n",
            "-".repeat(w)
        )
    );

    ws.pimlico(&["p.conf", "--lc", "lc", "run", "a"])
        .expect_code(0);
    assert!(ws.join("main_store/st/main/a/output/data/a.txt").exists());
    // Move a to the big store: its status and data are still found.
    let mv = ws
        .pimlico(&["p.conf", "--lc", "lc", "movestores", "big", "a"])
        .expect_code(0);
    assert!(
        mv.stdout().contains(&format!(
            "Moved 'a' from store 'default' ({main}/a) to {big}/a"
        )),
        "{}",
        mv.all()
    );
    assert!(!ws.join("main_store/st/main/a").exists());
    let again = ws
        .pimlico(&["p.conf", "--lc", "lc", "movestores", "big", "a"])
        .expect_code(0);
    assert!(
        again
            .stdout()
            .contains("Skipping 'a': its data is already in store 'big'"),
        "{}",
        again.all()
    );
    let bad = ws
        .pimlico(&["p.conf", "--lc", "lc", "movestores", "nowhere", "a"])
        .expect_code(1);
    assert_eq!(
        bad.stderr(),
        "No such store: nowhere\nAvailable store names: default, big\n"
    );

    let json = ws
        .pimlico(&["p.conf", "--lc", "lc", "status", "--json"])
        .expect_code(0);
    let parsed: pimlico_proto::PipelineStatus = serde_json::from_str(&json.stdout()).unwrap();
    assert_eq!(parsed.modules[0].status, "COMPLETE");
    assert!(parsed.modules[1].inputs_ready);
    let detail = ws
        .pimlico(&["p.conf", "--lc", "lc", "status", "a", "--json", "-i"])
        .expect_code(0);
    let detail: pimlico_proto::ModuleDetail = serde_json::from_str(&detail.stdout()).unwrap();
    assert_eq!(
        detail.module_dir.as_deref(),
        Some(format!("{big}/a").as_str())
    );
    assert!(
        detail
            .history
            .unwrap()
            .contains("Execution completed successfully")
    );

    // A rerun writes to the output store, which then shadows the big store's copy.
    ws.pimlico(&["p.conf", "--lc", "lc", "run", "b"])
        .expect_code(0);
    assert!(ws.join("main_store/st/main/b/output/data/b.txt").exists());
    ws.pimlico(&["p.conf", "--lc", "lc", "run", "a", "-f"])
        .expect_code(0);
    assert_eq!(
        status(&ws.join("main_store/st/main/a")).as_deref(),
        Some("COMPLETE")
    );
    assert!(ws.join("big_store/st/main/a/metadata").exists());
}

#[test]
fn reset_asks_about_dependents_and_deletes_in_every_store() {
    let ws = setup();
    ws.pimlico(&["p.conf", "--lc", "lc", "run", "--all"])
        .expect_code(0);
    ws.pimlico(&["p.conf", "--lc", "lc", "movestores", "big", "b"])
        .expect_code(0);
    let before = tree(ws.path());

    // Not interactive: dependents need -f (or -n); nothing is removed.
    let reset = ws
        .pimlico(&["p.conf", "--lc", "lc", "reset", "a"])
        .expect_code(1);
    assert!(reset.stdout().contains("The following modules depend on a. Their execution state will be reset too if you continue.\n  b, c"), "{}", reset.all());
    assert!(
        reset
            .stderr()
            .contains("Use -f to reset the dependent modules too, or -n to reset only a"),
        "{}",
        reset.all()
    );
    assert_eq!(tree(ws.path()), before);

    let reset = ws
        .pimlico(&["p.conf", "--lc", "lc", "reset", "b", "-n"])
        .expect_code(0);
    assert_eq!(reset.stdout(), "Resetting execution state of module b\n");
    assert!(!ws.join("big_store/st/main/b").exists());
    assert!(ws.join("main_store/st/main/c").exists());

    let reset = ws
        .pimlico(&["p.conf", "--lc", "lc", "reset", "a", "-f"])
        .expect_code(0);
    assert!(reset.stdout().contains("Resetting all\nResetting execution state of module a\nResetting execution state of module c\n"), "{}", reset.all());
    assert!(!ws.join("main_store/st/main/a").exists());
    assert!(!ws.join("main_store/st/main/c").exists());
}

#[test]
fn clean_removes_leftover_directories_but_not_staging() {
    let ws = setup();
    std::fs::create_dir_all(ws.join("main_store/st/main/renamed_module")).unwrap();
    std::fs::create_dir_all(ws.join("main_store/st/main/.pimlico-staging")).unwrap();
    let clean = ws
        .pimlico(&["p.conf", "--lc", "lc", "clean"])
        .expect_code(1);
    assert!(
        clean.stdout().contains(&format!(
            " - {}",
            ws.join("main_store/st/main/renamed_module").display()
        )),
        "{}",
        clean.all()
    );
    assert!(!clean.stdout().contains(".pimlico-staging"));
    assert!(ws.join("main_store/st/main/renamed_module").exists());
    ws.pimlico(&["p.conf", "--lc", "lc", "clean", "-y"])
        .expect_code(0);
    assert!(!ws.join("main_store/st/main/renamed_module").exists());
    assert!(ws.join("main_store/st/main/.pimlico-staging").exists());
    let clean = ws
        .pimlico(&["p.conf", "--lc", "lc", "clean"])
        .expect_code(0);
    assert_eq!(clean.stdout(), "Found no directories to clean\n");
}
