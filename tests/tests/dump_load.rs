//! `dump` and `load` through the real binary: the offline two-server workflow, `--inputs`,
//! module specifications, pipeline/variant/module checks, one bad file among several, and the
//! three compressions.

mod dump_load_support;

use dump_load_support::{PIPELINE, run_on, snapshot, two_servers};
use pimlico_tests::{Workspace, status};

#[test]
fn dump_on_one_server_load_on_another_and_run_the_next_module_there() {
    let ws = two_servers();
    run_on(&ws, "lc_a", &["first"]);
    let first_a = ws.join("serverA/demo/main/first");

    // By number, to the home directory by default.
    let dump = ws
        .pimlico(&["p.conf", "--lc", "lc_a", "dump", "1"])
        .expect_code(0);
    let file = ws.join("home/first.tar.gz");
    assert_eq!(
        dump.stdout(),
        format!(
            "== Dumping data for 'first' ==\nData found in default store\nDumping to {}\n\n",
            file.display()
        )
    );
    assert!(file.is_file());

    let load = ws
        .pimlico(&["p.conf", "--lc", "lc_b", "load", "home/first.tar.gz"])
        .expect_code(0);
    let first_b = ws.join("serverB_fast/demo/main/first");
    assert_eq!(
        load.stdout(),
        format!(
            "== Loading data for 'first' from {} ==\nExtracting module data to {}\nData loaded\n",
            file.display(),
            first_b.display()
        )
    );
    assert_eq!(snapshot(&first_b), snapshot(&first_a));
    assert_eq!(status(&first_b).as_deref(), Some("COMPLETE"));
    // The staging area is left empty.
    let staging = ws.join("serverB_fast/demo/main/.pimlico-staging");
    assert_eq!(std::fs::read_dir(&staging).unwrap().count(), 0);

    // Server B runs module 2 on the loaded data; module 1 counts as done there.
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc_b", "run", "second"])
        .expect_code(0);
    assert!(
        run.stderr()
            .contains("Successfully executed all modules: second"),
        "{}",
        run.all()
    );
    assert_eq!(
        ws.read("serverB_fast/demo/main/second/output/data/upper.txt"),
        "HELLO WORLD\n"
    );
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc_b", "run", "first"])
        .expect_code(0);
    assert!(
        run.stderr().contains("No modules left to run!"),
        "{}",
        run.all()
    );
}

#[test]
fn several_modules_go_to_one_directory_which_is_created() {
    let ws = two_servers();
    run_on(&ws, "lc_a", &["first"]);
    run_on(&ws, "lc_a", &["second"]);
    // A range, a base name repeated by number; each module is dumped once.
    let dump = ws
        .pimlico(&[
            "p.conf",
            "--lc",
            "lc_a",
            "dump",
            "1...2",
            "first",
            "-o",
            "out/dumps",
        ])
        .expect_code(0);
    assert_eq!(dump.stdout().matches("== Dumping data for").count(), 2);
    let mut files: Vec<String> = std::fs::read_dir(ws.join("out/dumps"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["first.tar.gz", "second.tar.gz"]);

    let load = ws
        .pimlico(&[
            "p.conf",
            "--lc",
            "lc_b",
            "load",
            "out/dumps/first.tar.gz",
            "out/dumps/second.tar.gz",
        ])
        .expect_code(0);
    assert_eq!(load.stdout().matches("Data loaded").count(), 2);
    for module in ["first", "second"] {
        assert_eq!(
            snapshot(&ws.join(&format!("serverB_fast/demo/main/{module}"))),
            snapshot(&ws.join(&format!("serverA/demo/main/{module}")))
        );
    }
}

const INPUTS_PIPELINE: &str = r#"[pipeline]
name=inp
release=latest
python_path=types

[texts]
type=demo.corpus

[sub]
type=pimlico.modules.corpora.subset
input=texts
size=1

[other]
type=command
cmd=echo other > "$PIMLICO_OUTPUT/other.txt"

[given]
type=pimlico.datatypes.corpora.GroupedCorpus
dir=given

[use]
type=command
input_data=sub,other,given,texts
cmd=true
"#;

const CORPUS_MANIFEST: &str = r#"
description = "Makes a corpus"

[[outputs]]
name = "corpus"
datatype = "GroupedCorpus"

[execute]
command = ["sh", "-c", "echo doc > \"$PIMLICO_OUTPUT_CORPUS/archive-0.prc\""]
"#;

#[test]
fn dump_inputs_follows_views_to_the_stored_modules() {
    let ws = Workspace::new();
    ws.write("p.conf", INPUTS_PIPELINE);
    ws.write("types/demo/corpus/module.toml", CORPUS_MANIFEST);
    ws.write("lc", &format!("store={}\n", ws.join("store").display()));
    ws.pimlico(&["p.conf", "--lc", "lc", "run", "texts", "other"])
        .expect_code(0);

    let dump = ws
        .pimlico(&[
            "p.conf", "--lc", "lc", "dump", "--inputs", "use", "-o", "out",
        ])
        .expect_code(0);
    // `sub` is a view of `texts`: `texts` is dumped (once, though `use` reads it twice).
    // `given` reads its own directory and has nothing in a store.
    let out = dump.stdout();
    assert!(
        out.starts_with(
            "Dumping data for inputs to use\n\
             Not dumped, since their data is not kept in a store: given\n\
             Modules: texts, other\n\n\
             == Dumping data for 'texts' ==\nData found in default store\n"
        ),
        "{out}"
    );
    let mut files: Vec<String> = std::fs::read_dir(ws.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["other.tar.gz", "texts.tar.gz"]);
}

#[test]
fn unknown_modules_and_missing_data() {
    let ws = two_servers();
    run_on(&ws, "lc_a", &["first"]);

    // An unknown module among known ones: nothing is written, not even the directory.
    let dump = ws
        .pimlico(&[
            "p.conf", "--lc", "lc_a", "dump", "first", "nope", "-o", "out",
        ])
        .expect_code(1);
    assert!(
        dump.stderr().contains(
            "Error: module 'nope' does not exist in pipeline 'demo' (variant 'main', loaded from"
        ),
        "{}",
        dump.all()
    );
    assert_eq!(dump.stdout(), "");
    assert!(!ws.join("out").exists());
    let dump = ws
        .pimlico(&["p.conf", "--lc", "lc_a", "dump", "9", "-o", "out"])
        .expect_code(1);
    assert!(
        dump.stderr()
            .contains("Error in module specification: invalid module number: 9"),
        "{}",
        dump.all()
    );
    assert!(!ws.join("out").exists());

    // A module that never ran has nothing to dump; the others are still dumped.
    let dump = ws
        .pimlico(&[
            "p.conf", "--lc", "lc_a", "dump", "second", "first", "-o", "out",
        ])
        .expect_code(1);
    assert!(
        dump.stdout().starts_with(
            "== Dumping data for 'second' ==\n\
             Could not find any output data for module 'second'. Not dumping anything\n\
             == Dumping data for 'first' ==\n"
        ),
        "{}",
        dump.all()
    );
    assert!(
        dump.stderr()
            .contains("Error: 1 of 2 modules were not dumped"),
        "{}",
        dump.all()
    );
    assert!(ws.join("out/first.tar.gz").is_file());
    assert!(!ws.join("out/second.tar.gz").exists());
}

#[test]
fn mismatched_and_bad_dumps_are_refused_without_stopping_the_others() {
    let ws = two_servers();
    run_on(&ws, "lc_a", &["first"]);
    run_on(&ws, "lc_a", &["second"]);
    ws.pimlico(&[
        "p.conf", "--lc", "lc_a", "dump", "first", "second", "-o", "d",
    ])
    .expect_code(0);

    // The same modules in a pipeline with another name.
    ws.write("o.conf", &PIPELINE.replace("name=demo", "name=otherp"));
    ws.pimlico(&["o.conf", "--lc", "lc_a", "run", "first"])
        .expect_code(0);
    ws.pimlico(&["o.conf", "--lc", "lc_a", "dump", "first", "-o", "other"])
        .expect_code(0);
    // A module this pipeline does not have.
    ws.write(
        "p3.conf",
        &format!("{PIPELINE}\n[third]\ntype=command\ncmd=true\n"),
    );
    ws.pimlico(&["p3.conf", "--lc", "lc_a", "run", "third"])
        .expect_code(0);
    ws.pimlico(&["p3.conf", "--lc", "lc_a", "dump", "third", "-o", "d"])
        .expect_code(0);
    // Not an archive, and a truncated one.
    ws.write("d/garbage.tar.gz", "this is not an archive\n");
    let whole = std::fs::read(ws.join("d/first.tar.gz")).unwrap();
    std::fs::write(ws.join("d/cut.tar.gz"), &whole[..whole.len() * 2 / 3]).unwrap();

    let load = ws
        .pimlico(&[
            "p.conf",
            "--lc",
            "lc_b",
            "load",
            "other/first.tar.gz",
            "d/cut.tar.gz",
            "d/first.tar.gz",
            "d/garbage.tar.gz",
            "d/third.tar.gz",
            "d/missing.tar.gz",
            "d/second.tar.gz",
        ])
        .expect_code(1);
    let err = load.stderr();
    for expected in [
        "Error: the dumped data came from a pipeline called 'otherp', but you're trying to load \
         it into 'demo'\n",
        &format!(
            "Error: cannot load {}: corrupt or truncated archive (reading the first member (is \
             this a tar archive?))",
            ws.join("d/garbage.tar.gz").display()
        ),
        "Error: module with name 'third' does not exist in the pipeline\n",
        &format!(
            "Error: cannot open {}: No such file",
            ws.join("d/missing.tar.gz").display()
        ),
        &format!(
            "Error: loading {} failed: ",
            ws.join("d/cut.tar.gz").display()
        ),
        "Error: 5 of 7 dumps were not loaded: ",
    ] {
        assert!(
            err.contains(expected),
            "missing {expected:?} in\n{}",
            load.all()
        );
    }
    let cut_error = err
        .lines()
        .find(|l| l.contains("cut.tar.gz failed"))
        .unwrap();
    assert!(cut_error.contains("truncated"), "{cut_error}");
    // The good ones were loaded, in spite of the bad ones before them.
    assert_eq!(load.stdout().matches("Data loaded").count(), 2);
    for module in ["first", "second"] {
        assert_eq!(
            snapshot(&ws.join(&format!("serverB_fast/demo/main/{module}"))),
            snapshot(&ws.join(&format!("serverA/demo/main/{module}")))
        );
    }
    assert!(!ws.join("serverB_fast/demo/main/third").exists());
    let staging = ws.join("serverB_fast/demo/main/.pimlico-staging");
    assert_eq!(std::fs::read_dir(&staging).unwrap().count(), 0);

    // Another variant of the same pipeline.
    ws.write(
        "v.conf",
        &format!("{PIPELINE}\n%%(v2) [extra]\n%%(v2) type=command\n%%(v2) cmd=true\n"),
    );
    let load = ws
        .pimlico(&[
            "v.conf",
            "--lc",
            "lc_b",
            "-v",
            "v2",
            "load",
            "d/first.tar.gz",
        ])
        .expect_code(1);
    assert!(
        load.stderr().contains(
            "Error: the dumped data came from the 'main' variant of the pipeline, but you're \
             trying to load it into 'v2'. Load the correct variant with '-v'\n"
        ),
        "{}",
        load.all()
    );
    assert!(!ws.join("serverB_fast/demo/v2").exists());
}

#[test]
fn zstd_and_plain_tar_dumps_load_whatever_their_names() {
    let ws = two_servers();
    run_on(&ws, "lc_a", &["first"]);
    let first_a = ws.join("serverA/demo/main/first");
    let first_b = ws.join("serverB_fast/demo/main/first");

    let dump = ws
        .pimlico(&[
            "p.conf",
            "--lc",
            "lc_a",
            "dump",
            "first",
            "--compression",
            "zstd",
            "-o",
            "z",
        ])
        .expect_code(0);
    let zst = ws.join("z/first.tar.zst");
    assert!(
        dump.stdout()
            .contains(&format!("Dumping to {}\n", zst.display())),
        "{}",
        dump.all()
    );
    let bytes = std::fs::read(&zst).unwrap();
    assert_eq!(&bytes[..4], &[0x28, 0xb5, 0x2f, 0xfd], "a zstd frame");
    ws.pimlico(&[
        "p.conf",
        "--lc",
        "lc_a",
        "dump",
        "first",
        "--compression",
        "none",
        "-o",
        "t",
    ])
    .expect_code(0);
    let tar = std::fs::read(ws.join("t/first.tar")).unwrap();
    assert_eq!(&tar[257..262], b"ustar", "an uncompressed tar");
    assert_eq!(tar.len() % 10240, 0, "padded to a 10 KiB record");

    // The content decides, not the name.
    std::fs::copy(&zst, ws.join("misnamed.tar.gz")).unwrap();
    std::fs::copy(ws.join("t/first.tar"), ws.join("plain.dat")).unwrap();
    ws.pimlico(&["p.conf", "--lc", "lc_b", "load", "misnamed.tar.gz"])
        .expect_code(0);
    assert_eq!(snapshot(&first_b), snapshot(&first_a));
    std::fs::remove_dir_all(&first_b).unwrap();
    ws.pimlico(&["p.conf", "--lc", "lc_b", "load", "plain.dat"])
        .expect_code(0);
    assert_eq!(snapshot(&first_b), snapshot(&first_a));

    let bad = ws
        .pimlico(&[
            "p.conf",
            "--lc",
            "lc_a",
            "dump",
            "first",
            "--compression",
            "xz",
        ])
        .expect_code(2);
    assert!(
        bad.stderr().contains("possible values: gzip, zstd, none"),
        "{}",
        bad.all()
    );
}

/// `load` also reclaims resumable transfer slots idle for longer than the local config's
/// `resume_max_age_hours`, and keeps younger ones for the transfer that will resume them.
#[test]
fn load_reclaims_resumable_slots_older_than_the_configured_age() {
    let ws = two_servers();
    run_on(&ws, "lc_a", &["first"]);
    ws.pimlico(&["p.conf", "--lc", "lc_a", "dump", "first"])
        .expect_code(0);
    let staging = ws.join("serverB_fast/demo/main/.pimlico-staging");
    let slot = |name: &str, hours: u64| {
        let dir = staging.join(name);
        std::fs::create_dir_all(dir.join("new/output/data")).unwrap();
        let owner = std::fs::File::create(staging.join(format!("{name}.owner"))).unwrap();
        let when = std::time::SystemTime::now() - std::time::Duration::from_secs(hours * 3600);
        owner.set_modified(when).unwrap();
        dir
    };
    let old = slot("resume-old", 3);
    let young = slot("resume-young", 1);
    let lc = ws.read("lc_b");
    ws.write("lc_b", &format!("{lc}resume_max_age_hours=2\n"));

    ws.pimlico(&["p.conf", "--lc", "lc_b", "load", "home/first.tar.gz"])
        .expect_code(0);
    assert!(!old.exists(), "the 3-hour-old slot was kept");
    assert!(young.is_dir(), "the 1-hour-old slot was removed");
    assert!(staging.join("resume-young.owner").is_file());
}
