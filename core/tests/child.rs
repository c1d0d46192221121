//! Running a module in this process with its full bookkeeping (what `internal-exec` does).

mod common;

use std::path::Path;
use std::sync::Arc;

use pimlico_config::Pipeline;
use pimlico_core::engine::child::{
    ChildOptions, EXIT_COMPLETE, EXIT_FAILED, EXIT_REFUSED, execute_module_here,
};
use pimlico_core::exec::ChildEvent;
use pimlico_core::lock;
use pimlico_core::types::TypeRegistry;

fn single(root: &Path, reg: &TypeRegistry, cmd: &str) -> Pipeline {
    common::pipeline(
        "p",
        vec![common::command(reg, "a", cmd)],
        &[("default", &root.join("out"))],
        root,
    )
}

fn run(p: &Pipeline, reg: &TypeRegistry, module: &str, force: bool) -> (i32, Vec<ChildEvent>) {
    let events = Arc::new(common::Events::default());
    let options = ChildOptions {
        force_rerun: force,
        ..ChildOptions::default()
    };
    let code = execute_module_here(p, reg, module, &options, events.clone());
    (code, events.take())
}

#[test]
fn a_successful_run_records_status_history_snapshot_and_clears_markers() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = common::registry();
    let p = single(tmp.path(), &reg, "echo hello > \"$PIMLICO_OUTPUT/out.txt\"");
    let (code, events) = run(&p, &reg, "a", false);
    assert_eq!(code, EXIT_COMPLETE, "{events:?}");
    let dir = tmp.path().join("out/p/main/a");
    assert_eq!(common::metadata_status(&dir).as_deref(), Some("COMPLETE"));
    assert_eq!(
        common::history_messages(&dir),
        vec![
            "Starting execution from the beginning".to_string(),
            format!(
                "Storing full pipeline config used to execute a in {}",
                dir.join("pipeline_config.tar").display()
            ),
            "Execution completed successfully".to_string(),
        ]
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("output/data/out.txt")).unwrap(),
        "hello\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("output/corpus_metadata")).unwrap(),
        "{}"
    );
    assert!(!dir.join(".execution_lock").exists());
    assert!(
        events
            .iter()
            .any(|e| matches!(e, ChildEvent::Log { message, .. }
        if *message == format!("Outputting 'output' in {}", dir.join("output").display())))
    );
    assert_eq!(
        events.last(),
        Some(&ChildEvent::Finished {
            status: "COMPLETE".into()
        })
    );

    // Forced rerun: no "Starting" line, a second snapshot.
    let (code, _) = run(&p, &reg, "a", true);
    assert_eq!(code, EXIT_COMPLETE);
    let history = common::history_messages(&dir);
    assert_eq!(history.len(), 5);
    assert!(history[3].ends_with("pipeline_config.1.tar"), "{history:?}");
}

#[test]
fn a_failing_run_keeps_its_log_and_leaves_its_output_unready() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = common::registry();
    let p = single(
        tmp.path(),
        &reg,
        "echo partial > \"$PIMLICO_OUTPUT/x\"; echo oops >&2; exit 3",
    );
    let (code, events) = run(&p, &reg, "a", false);
    assert_eq!(code, EXIT_FAILED);
    let dir = tmp.path().join("out/p/main/a");
    let log = dir.join("error000.log");
    assert_eq!(
        common::history_messages(&dir)[2..],
        [
            "Error executing a: sh exited with code 3".to_string(),
            format!("Debugging output in {}", log.display()),
            "Execution completed with status FAILED".to_string(),
        ]
    );
    let report = std::fs::read_to_string(&log).unwrap();
    assert!(report.contains("[stderr] oops"), "{report}");
    assert!(
        report.contains("The program exited with code 3"),
        "{report}"
    );
    assert_eq!(common::metadata_status(&dir).as_deref(), Some("FAILED"));
    assert!(
        std::fs::read_to_string(dir.join("output/corpus_metadata"))
            .unwrap()
            .contains("\"writing\":true")
    );
    assert!(!dir.join(".execution_lock").exists());
    assert!(events.contains(&ChildEvent::Failed {
        message: "sh exited with code 3".into(),
        error_log: Some(log.display().to_string()),
    }));

    let reg2 = common::registry();
    let (code, _) = run(&p, &reg2, "a", false);
    assert_eq!(code, EXIT_FAILED);
    assert_eq!(
        common::history_messages(&dir)[5],
        "Starting executor with status 'FAILED'"
    );
    assert!(dir.join("error001.log").exists());
}

#[test]
fn a_locked_module_is_refused_without_changing_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = common::registry();
    let p = single(tmp.path(), &reg, "true");
    let stores = common::stores(&p);
    lock::acquire(&stores, "a", std::process::id()).unwrap();
    let (code, events) = run(&p, &reg, "a", false);
    assert_eq!(code, EXIT_REFUSED);
    assert!(
        matches!(&events[0], ChildEvent::Refused { message } if message.starts_with("module is locked"))
    );
    let dir = tmp.path().join("out/p/main/a");
    let entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, vec![std::ffi::OsString::from(".execution_lock")]);
}

#[test]
fn unknown_and_unimplemented_modules_are_reported_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = common::registry_with_test_types();
    let tok = common::module(&reg, "tok", "test.tokenize");
    let p = common::pipeline(
        "p",
        vec![tok],
        &[("default", &tmp.path().join("out"))],
        tmp.path(),
    );
    let (code, events) = run(&p, &reg, "nope", false);
    assert_eq!(code, EXIT_REFUSED);
    assert!(
        matches!(&events[0], ChildEvent::Refused { message }
        if message.starts_with("module 'nope' does not exist in pipeline 'p'")),
        "{events:?}"
    );

    let (code, _) = run(&p, &reg, "tok", false);
    assert_eq!(code, EXIT_FAILED);
    let dir = tmp.path().join("out/p/main/tok");
    let history = common::history_messages(&dir);
    assert!(history[2].starts_with("Error loading tok for execution: module type 'test.tokenize' of module 'tok' is known here only by its signature"), "{history:?}");
    assert_eq!(common::metadata_status(&dir).as_deref(), Some("FAILED"));
    // Its outputs were never marked as being written.
    assert!(!dir.join("corpus").exists());
}
