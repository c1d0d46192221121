//! External module types through the real binary: the manifest, the program protocol, lazy
//! dependency checks, malformed manifests and typechecks.

use pimlico_tests::{Workspace, history, status};

const PIPELINE: &str = r#"[pipeline]
name=ext
release=latest
python_path=types

[texts]
type=command
cmd=printf 'the cat saw the dog\nthe end\n' > "$PIMLICO_OUTPUT/a.txt"

[count]
type=demo.count
input=texts
min_count=2

[other]
type=demo.missing_program
input=count
"#;

const COUNT_MANIFEST: &str = r#"
description = "Counts words"

[[inputs]]
name = "text"
datatype = "PimlicoDatatype"

[[outputs]]
name = "counts"
datatype = "NamedFileCollection"

[[options]]
name = "min_count"
type = "int"
default = 1

[dependencies]
python_modules = ["json", "collections"]

[execute]
command = ["python3", "./count.py"]
"#;

const COUNT_PY: &str = r#"
import collections, json, os, sys
task = json.load(open(os.environ["PIMLICO_TASK_FILE"]))
words = collections.Counter()
files = sorted(os.listdir(os.environ["PIMLICO_INPUT_TEXT"]))
for i, name in enumerate(files):
    with open(os.path.join(os.environ["PIMLICO_INPUT_TEXT"], name)) as f:
        words.update(f.read().split())
    print("PIMLICO PROGRESS %d/%d %s" % (i + 1, len(files), name), flush=True)
keep = {w: n for w, n in words.items() if n >= task["options"]["min_count"]}
with open(os.path.join(task["outputs"]["counts"]["data_dir"], "counts.json"), "w") as f:
    json.dump(keep, f, sort_keys=True)
print("PIMLICO METADATA counts " + json.dumps({"words": len(keep)}))
print("counted %d words" % sum(words.values()))
if os.environ.get("PIMLICO_OPT_MIN_COUNT") == "99":
    print("PIMLICO ERROR nothing is that frequent")
    sys.exit(5)
"#;

const MISSING_MANIFEST: &str = r#"
description = "Needs a program nobody has"

[[inputs]]
name = "counts"
datatype = "NamedFileCollection"

[[outputs]]
name = "out"
datatype = "PimlicoDatatype"

[execute]
command = ["pimlico-test-no-such-program", "--go"]
"#;

fn setup() -> Workspace {
    let ws = Workspace::new();
    ws.write("p.conf", PIPELINE);
    ws.write("lc", &format!("store={}\n", ws.join("store").display()));
    ws.write("types/demo/count/module.toml", COUNT_MANIFEST);
    ws.write("types/demo/count/count.py", COUNT_PY);
    ws.write("types/demo.missing_program/module.toml", MISSING_MANIFEST);
    ws
}

#[test]
fn an_external_type_runs_through_the_protocol() {
    let ws = setup();
    ws.pimlico(&["p.conf", "--lc", "lc", "run", "texts"])
        .expect_code(0);
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc", "run", "count"])
        .expect_code(0);
    assert!(run.stdout().contains("counted 7 words"), "{}", run.all());
    assert!(
        !run.all().contains("PIMLICO PROGRESS"),
        "protocol lines are not output: {}",
        run.all()
    );
    let counts = ws.read("store/ext/main/count/counts/data/counts.json");
    assert_eq!(counts, r#"{"the": 3}"#);
    assert_eq!(
        ws.read("store/ext/main/count/counts/corpus_metadata"),
        r#"{"words":1}"#
    );
    let st = ws
        .pimlico(&["p.conf", "--lc", "lc", "status", "count"])
        .expect_code(0);
    assert!(st.stdout().contains("Type: count"), "{}", st.all());
    assert!(
        st.stdout().contains("Datatype: named_file_collection"),
        "{}",
        st.all()
    );
}

#[test]
fn a_failing_program_fails_its_module_with_its_message() {
    let ws = setup();
    ws.pimlico(&["p.conf", "--lc", "lc", "run", "texts", "count"])
        .expect_code(0);
    let conf = PIPELINE.replace("min_count=2", "min_count=99");
    ws.write("p99.conf", &conf);
    let run = ws
        .pimlico(&["p99.conf", "--lc", "lc", "run", "count", "-f"])
        .expect_code(1);
    assert!(
        run.stderr()
            .contains("Error executing module 'count': nothing is that frequent"),
        "{}",
        run.all()
    );
    let dir = ws.join("store/ext/main/count");
    assert_eq!(status(&dir).as_deref(), Some("FAILED"));
    assert!(history(&dir).contains(&"Error executing count: nothing is that frequent".to_string()));
}

#[test]
fn a_missing_program_only_matters_for_the_module_that_needs_it() {
    let ws = setup();
    // Everything loads, and modules before 'other' run although its program does not exist.
    ws.pimlico(&["p.conf", "--lc", "lc", "run", "texts", "count"])
        .expect_code(0);
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc", "run", "other"])
        .expect_code(1);
    assert!(run.stdout().contains("Dependency 'pimlico-test-no-such-program' not satisfied because of the following problems:\n - program 'pimlico-test-no-such-program' was not found on PATH"), "{}", run.all());
    assert!(run.stderr().contains("Error running module 'other': runtime dependencies not satisfied for executing module 'other'"), "{}", run.all());
    assert!(
        !ws.join("store/ext/main/other").exists(),
        "nothing written for 'other'"
    );
    let deps = ws
        .pimlico(&["p.conf", "--lc", "lc", "deps", "count", "other"])
        .expect_code(1);
    assert!(
        deps.stdout()
            .contains("| Python module json |\n+--------------------+\nInstalled"),
        "{}",
        deps.all()
    );
}

#[test]
fn a_malformed_manifest_names_file_line_and_field_and_changes_nothing() {
    let ws = setup();
    let bad = COUNT_MANIFEST.replace("type = \"int\"", "type = \"integer\"");
    let manifest = ws.write("types/demo/count/module.toml", &bad);
    ws.pimlico(&["p.conf", "--lc", "lc", "run", "texts"])
        .expect_code(0);
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc", "run", "count"])
        .expect_code(1);
    let line = bad[..bad.find("\"integer\"").unwrap()]
        .matches('\n')
        .count()
        + 1;
    let expected = format!(
        "invalid module type manifest {}:{line}: field 'options.type': unknown option type 'integer'",
        manifest.display()
    );
    assert!(
        run.all().contains(&expected),
        "{}\nexpected: {expected}",
        run.all()
    );
    assert!(!ws.join("store/ext/main/count").exists());
    let check = ws
        .pimlico(&["p.conf", "--lc", "lc", "check"])
        .expect_code(0);
    assert!(
        check
            .stdout()
            .contains("Warning: module 'count' cannot run here: invalid module type manifest"),
        "{}",
        check.all()
    );
}

#[test]
fn connecting_incompatible_datatypes_fails_when_loading() {
    let ws = setup();
    // 'other' wants a NamedFileCollection; the command module provides a plain PimlicoDatatype.
    ws.write("bad.conf", &PIPELINE.replace("input=count", "input=texts"));
    let run = ws
        .pimlico(&["bad.conf", "--lc", "lc", "status"])
        .expect_code(1);
    assert!(
        run.stderr().starts_with(
            "Error reading pipeline config: failed checks: Input typechecking for module 'other' \
         failed: type-checking error matching input 'counts' to module 'other' with output \
         'default' from module 'texts': required type is NamedFileCollection (or a descendent), \
         but provided type is PimlicoDatatype"
        ),
        "{}",
        run.all()
    );
    assert!(run.stderr().contains("Type mismatch:"), "{}", run.all());
    let check = ws
        .pimlico(&["bad.conf", "--lc", "lc", "check"])
        .expect_code(1);
    assert!(check.stderr().contains("failed checks"), "{}", check.all());
    assert!(!ws.join("store").exists());
}
