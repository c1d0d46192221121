//! `run`: module choice, checks before execution, continuing past failures, exit codes.

use pimlico_tests::{Workspace, history, status, tree};

/// a -> b (fails) -> c ; d independent.
const PIPELINE: &str = r#"[pipeline]
name=flow
release=latest

[src]
type=NamedFileCollection
dir=%(home)s/../input

[a]
type=command
cmd=echo a > "$PIMLICO_OUTPUT/a.txt"

[b]
type=command
input_data=a
cmd=echo "b is broken" >&2; exit 3

[c]
type=command
input_data=b
cmd=echo c > "$PIMLICO_OUTPUT/c.txt"

[d]
type=command
cmd=echo d > "$PIMLICO_OUTPUT/d.txt"
"#;

fn setup() -> Workspace {
    let ws = Workspace::new();
    ws.write("p.conf", PIPELINE);
    ws.write("lc", &format!("store={}\n", ws.join("store").display()));
    ws
}

fn dir(ws: &Workspace, module: &str) -> std::path::PathBuf {
    ws.join(&format!("store/flow/main/{module}"))
}

#[test]
fn without_modules_the_first_ready_incomplete_module_runs() {
    let ws = setup();
    let run = ws.pimlico(&["p.conf", "--lc", "lc", "run"]).expect_code(0);
    assert!(
        run.stderr()
            .contains("No module name specified. Defaulting to next unexecuted, ready module: 'a'"),
        "{}",
        run.all()
    );
    assert_eq!(status(&dir(&ws, "a")).as_deref(), Some("COMPLETE"));
    assert!(!dir(&ws, "b").exists());
}

#[test]
fn failures_are_recorded_dependents_skipped_and_others_still_run() {
    let ws = setup();
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc", "run", "a", "b", "c", "d"])
        .expect_code(1);
    let err = run.stderr();
    assert!(
        err.contains("Error executing module 'b': sh exited with code 3"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "Full debug info output to {}",
            dir(&ws, "b").join("error000.log").display()
        )),
        "{err}"
    );
    assert!(err.contains("Cannot execute module 'c', since its inputs are not all ready (b (default output)), after previous modules failed: b"), "{err}");
    assert!(err.contains("Execution failed on 2 modules: b, c"), "{err}");
    assert!(
        err.contains("Execution succeeded on 2 modules: a, d"),
        "{err}"
    );
    assert!(
        err.contains("b is broken"),
        "the module's output is shown: {err}"
    );
    assert_eq!(status(&dir(&ws, "b")).as_deref(), Some("FAILED"));
    assert!(
        ws.read("store/flow/main/b/error000.log")
            .contains("b is broken")
    );
    assert!(!dir(&ws, "c").exists(), "c was never started");
    assert_eq!(status(&dir(&ws, "d")).as_deref(), Some("COMPLETE"));
    assert!(!dir(&ws, "b").join(".execution_lock").exists());

    let last = ws
        .pimlico(&["p.conf", "--lc", "lc", "run", "b", "-e"])
        .expect_code(0);
    assert!(
        last.stdout()
            .contains("Error executing module 'b': sh exited with code 3"),
        "{}",
        last.all()
    );
}

#[test]
fn exit_on_error_stops_at_the_first_failure_and_prints_its_log() {
    let ws = setup();
    let run = ws
        .pimlico(&[
            "p.conf",
            "--lc",
            "lc",
            "run",
            "a",
            "b",
            "d",
            "--exit-on-error",
        ])
        .expect_code(1);
    assert!(run.stdout().contains("Top-level error"), "{}", run.all());
    assert!(!dir(&ws, "d").exists());
}

#[test]
fn complete_modules_are_not_rerun_unless_forced() {
    let ws = setup();
    ws.pimlico(&["p.conf", "--lc", "lc", "run", "a"])
        .expect_code(0);
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc", "run", "a"])
        .expect_code(0);
    let err = run.stderr();
    assert!(
        err.contains("Removing modules already run to completion: a"),
        "{err}"
    );
    assert!(err.contains("No modules left to run!"), "{err}");
    ws.pimlico(&["p.conf", "--lc", "lc", "run", "a", "-f"])
        .expect_code(0);
    let hist = history(&dir(&ws, "a"));
    assert_eq!(hist.len(), 5, "{hist:?}");
    assert!(hist[3].ends_with("pipeline_config.1.tar"), "{hist:?}");
    // --all-deps keeps a forced, complete module (the original dropped it).
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc", "run", "a", "-f", "-a"])
        .expect_code(0);
    assert!(
        run.stderr()
            .contains("Successfully executed all modules: a"),
        "{}",
        run.all()
    );
}

#[test]
fn all_deps_runs_unexecuted_dependencies_first() {
    let ws = setup();
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc", "run", "c", "--all-deps"])
        .expect_code(1);
    let err = run.stderr();
    assert!(
        err.contains("Added unexecuted dependent modules to the execution list: a, b"),
        "{err}"
    );
    assert!(
        err.contains("Checking dependencies and inputs for modules: a, b, c"),
        "{err}"
    );
    assert_eq!(status(&dir(&ws, "a")).as_deref(), Some("COMPLETE"));
}

#[test]
fn run_all_picks_everything_that_can_run() {
    let ws = setup();
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc", "run", "--all"])
        .expect_code(1);
    assert!(
        run.stderr()
            .contains("Found 4 runnable, unexecuted modules"),
        "{}",
        run.all()
    );
    assert_eq!(status(&dir(&ws, "d")).as_deref(), Some("COMPLETE"));
}

#[test]
fn checks_are_all_or_nothing_and_bad_requests_change_nothing() {
    let ws = setup();
    // c cannot run (b has no output), so a is not run either.
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc", "run", "a", "c"])
        .expect_code(1);
    assert!(run.stderr().contains("Error: module 'c' not ready to run: cannot execute module 'c', since its inputs are not all ready: b (default output). Assuming a already run"), "{}", run.all());
    assert!(!ws.join("store").exists());

    let run = ws
        .pimlico(&["p.conf", "--lc", "lc", "run", "nope"])
        .expect_code(1);
    assert!(
        run.stderr().contains(
            "Error: module 'nope' does not exist in pipeline 'flow' (variant 'main', loaded from"
        ),
        "{}",
        run.all()
    );
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc", "run", "9"])
        .expect_code(1);
    assert!(
        run.stderr().contains(
            "Error in module specification: invalid module number: 9. The pipeline has 4 modules"
        ),
        "{}",
        run.all()
    );
    // Running a non-executable module is refused up front (the original crashed, leaving
    // the status STARTED).
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc", "run", "src"])
        .expect_code(1);
    assert!(run.stderr().contains("Error running module 'src': module 'src' (named_file_collection_input) is not executable"), "{}", run.all());
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc", "run", "a", "--dry-run"])
        .expect_code(0);
    assert!(
        run.stderr()
            .contains("All checks were successful. Modules are ready to run"),
        "{}",
        run.all()
    );
    assert!(tree(&ws.join("store")).is_empty());
}
