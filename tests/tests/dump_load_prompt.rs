//! `load` over existing data: it asks first (at a terminal), refuses without one unless `-f`,
//! and data of the module in another store is shadowed, never touched.

mod dump_load_support;

use dump_load_support::{pimlico_at_terminal, run_on, snapshot, two_servers};
use pimlico_tests::Workspace;

const QUESTION: &str = "Module output dir already exists. Overwrite? [y/N] ";

/// Server A's `first` dumped to `first.tar.gz` and loaded on server B, where a file is then
/// added so that a replacement shows.
fn loaded_on_b() -> Workspace {
    let ws = two_servers();
    run_on(&ws, "lc_a", &["first"]);
    ws.pimlico(&["p.conf", "--lc", "lc_a", "dump", "first", "-o", "."])
        .expect_code(0);
    ws.pimlico(&["p.conf", "--lc", "lc_b", "load", "first.tar.gz"])
        .expect_code(0);
    ws.write("serverB_fast/demo/main/first/local-note", "mine\n");
    ws
}

#[test]
fn existing_data_is_replaced_only_after_a_yes() {
    let ws = loaded_on_b();
    let first_b = ws.join("serverB_fast/demo/main/first");
    let mine = snapshot(&first_b);
    let load = ["p.conf", "--lc", "lc_b", "load", "first.tar.gz"];

    for (typed, what) in [
        (&b"n\n"[..], "no"),
        (b"\n", "the default"),
        (b"\x04", "end of file"),
    ] {
        let run = pimlico_at_terminal(&ws, &load, typed).expect_code(1);
        assert!(
            run.stdout()
                .contains(&format!("{QUESTION}Skipping first\n")),
            "answer {what}: {}",
            run.all()
        );
        assert_eq!(snapshot(&first_b), mine, "answer {what} changed the data");
    }

    // Not at a terminal (or asked not to be interactive): nothing is asked, nothing changes.
    let run = ws.pimlico(&load).expect_code(1);
    assert!(!run.stdout().contains(QUESTION), "{}", run.all());
    assert!(
        run.stderr().contains(
            "Error: not loading 'first': it already has data, and this is not an interactive \
             session to ask whether to overwrite it. Use -f to load it anyway"
        ),
        "{}",
        run.all()
    );
    let mut quiet = vec!["p.conf", "--lc", "lc_b", "--non-interactive"];
    quiet.extend_from_slice(&load[3..]);
    pimlico_at_terminal(&ws, &quiet, b"y\n").expect_code(1);
    assert_eq!(snapshot(&first_b), mine);

    let run = pimlico_at_terminal(&ws, &load, b"y\n").expect_code(0);
    assert!(
        run.stdout().contains(&format!(
            "{QUESTION}Replaced the previous data\nData loaded\n"
        )),
        "{}",
        run.all()
    );
    let theirs = snapshot(&ws.join("serverA/demo/main/first"));
    assert_eq!(snapshot(&first_b), theirs);

    // -f replaces without asking.
    ws.write("serverB_fast/demo/main/first/local-note", "mine\n");
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc_b", "load", "-f", "first.tar.gz"])
        .expect_code(0);
    assert!(!run.stdout().contains(QUESTION), "{}", run.all());
    assert_eq!(snapshot(&first_b), theirs);
}

#[test]
fn data_in_another_store_is_shadowed_and_left_alone() {
    let ws = loaded_on_b();
    // The module's data now lives in server B's second store only.
    let fast = ws.join("serverB_fast/demo/main/first");
    let big = ws.join("serverB_big/demo/main/first");
    std::fs::create_dir_all(big.parent().unwrap()).unwrap();
    std::fs::rename(&fast, &big).unwrap();
    let kept = snapshot(&big);
    let load = ["p.conf", "--lc", "lc_b", "load", "first.tar.gz"];
    let notice = format!(
        "Module 'first' already has data in store 'big': {}\n",
        big.display()
    );

    let run = ws.pimlico(&load).expect_code(1);
    assert!(run.stdout().contains(&notice), "{}", run.all());
    assert!(
        run.stderr().contains("Use -f to load it anyway"),
        "{}",
        run.all()
    );
    let run = pimlico_at_terminal(&ws, &load, b"n\n").expect_code(1);
    assert!(
        run.stdout()
            .contains("Load it anyway? [y/N] Skipping first\n"),
        "{}",
        run.all()
    );
    assert!(!fast.exists());

    let run = ws
        .pimlico(&["p.conf", "--lc", "lc_b", "load", "-f", "first.tar.gz"])
        .expect_code(0);
    assert!(
        run.stdout().contains(&format!(
            "Note: module 'first' also has data in store 'big' ({}), left as it was; the loaded \
             data in the output store is used instead of it\nData loaded\n",
            big.display()
        )),
        "{}",
        run.all()
    );
    assert_eq!(snapshot(&big), kept);
    assert_eq!(
        snapshot(&fast),
        snapshot(&ws.join("serverA/demo/main/first"))
    );

    // With data in both stores, the question is about the output store's copy.
    let run = pimlico_at_terminal(&ws, &load, b"y\n").expect_code(0);
    assert!(run.stdout().contains(&notice), "{}", run.all());
    assert!(run.stdout().contains(QUESTION), "{}", run.all());
    assert_eq!(snapshot(&big), kept);
}
