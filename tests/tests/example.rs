//! The bundled example (`examples/wordcount`) runs, on one "server" and across two.

use std::path::PathBuf;

use pimlico_tests::Workspace;

fn example_conf() -> String {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/wordcount/wordcount.conf");
    dir.canonicalize().unwrap().display().to_string()
}

const TOP: &str =
    "the\t20\na\t4\nand\t4\nat\t4\nfor\t3\nit\t3\nan\t2\nclock\t2\nday\t2\nfirst\t2\n";

#[test]
fn the_example_pipeline_runs_on_one_machine() {
    let ws = Workspace::new();
    ws.write("a.local", &format!("store={}\n", ws.join("a").display()));
    let conf = example_conf();
    let run = ws
        .pimlico(&[&conf, "--lc", "a.local", "run", "--all"])
        .expect_code(0);
    assert!(
        run.stderr()
            .contains("Successfully executed all modules: tokens, normalized, vocab, counts, top"),
        "{}",
        run.all()
    );
    assert!(
        run.stdout()
            .contains("Counted 129 tokens in 3 documents, kept 15 words"),
        "{}",
        run.all()
    );
    assert_eq!(ws.read("a/wordcount/main/top/output/data/top10.tsv"), TOP);
    assert_eq!(
        ws.read("a/wordcount/main/counts/counts/corpus_metadata"),
        r#"{"words":15,"tokens":129}"#
    );
    assert!(
        ws.join("a/wordcount/main/vocab/vocab/data/dictionary")
            .is_file()
    );
    // The input reader is read where it is used, never run or stored.
    assert!(!ws.join("a/wordcount/main/texts").exists());
}

#[test]
fn the_example_pipeline_runs_across_two_servers() {
    let ws = Workspace::new();
    ws.write("a.local", &format!("store={}\n", ws.join("a").display()));
    ws.write(
        "b.local",
        &format!(
            "store={}\nstore_incoming={}\n",
            ws.join("b").display(),
            ws.join("b_in").display()
        ),
    );
    let conf = example_conf();
    ws.pimlico(&[
        &conf,
        "--lc",
        "a.local",
        "run",
        "tokens",
        "normalized",
        "counts",
    ])
    .expect_code(0);
    std::fs::create_dir_all(ws.join("b_in/wordcount/main")).unwrap();
    std::fs::rename(
        ws.join("a/wordcount/main/counts"),
        ws.join("b_in/wordcount/main/counts"),
    )
    .unwrap();
    ws.pimlico(&[&conf, "--lc", "b.local", "run", "top"])
        .expect_code(0);
    assert_eq!(ws.read("b/wordcount/main/top/output/data/top10.tsv"), TOP);
    assert!(!ws.join("b/wordcount/main/normalized").exists());
}
