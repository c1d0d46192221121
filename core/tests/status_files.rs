//! Module status, history, error logs and config snapshots on disk, across several stores.

mod common;

use std::process::Command;

use pimlico_core::status::{
    append_history, error_logs, last_error_log, new_error_log, read_history, read_status,
    set_status, write_config_snapshot,
};
use serde_json::json;

#[test]
fn status_is_read_from_the_first_store_holding_the_module_and_written_to_the_output_store() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, second) = (tmp.path().join("out"), tmp.path().join("second"));
    let reg = common::registry();
    let p = common::pipeline(
        "p",
        vec![common::command(&reg, "a", "true")],
        &[("default", &out), ("second", &second)],
        tmp.path(),
    );
    let stores = common::stores(&p);
    assert_eq!(read_status(&stores, "a").unwrap(), "UNEXECUTED");

    let second_dir = second.join("p/main/a");
    std::fs::create_dir_all(&second_dir).unwrap();
    std::fs::write(
        second_dir.join("metadata"),
        r#"{"status": "COMPLETE", "docs_completed": 2}"#,
    )
    .unwrap();
    assert_eq!(read_status(&stores, "a").unwrap(), "COMPLETE");

    set_status(&stores, "a", "STARTED").unwrap();
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("p/main/a/metadata")).unwrap())
            .unwrap();
    assert_eq!(written, json!({"status": "STARTED", "docs_completed": 2}));
    // The output store now shadows the second store.
    assert_eq!(read_status(&stores, "a").unwrap(), "STARTED");
    let untouched = std::fs::read_to_string(second_dir.join("metadata")).unwrap();
    assert!(untouched.contains("COMPLETE"));
}

#[test]
fn history_lines_are_timestamped_and_appended() {
    let tmp = tempfile::tempdir().unwrap();
    let reg = common::registry();
    let out = tmp.path().join("out");
    let p = common::pipeline(
        "p",
        vec![common::command(&reg, "a", "true")],
        &[("default", &out)],
        tmp.path(),
    );
    let stores = common::stores(&p);
    append_history(&stores, "a", "Starting execution from the beginning").unwrap();
    append_history(&stores, "a", "Execution completed successfully").unwrap();
    let history = read_history(&stores, "a").unwrap();
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(lines.len(), 2);
    for (line, message) in lines.iter().zip([
        "Starting execution from the beginning",
        "Execution completed successfully",
    ]) {
        let (stamp, rest) = line.split_at(19);
        assert_eq!(rest, format!(" {message}"));
        assert!(
            chrono::NaiveDateTime::parse_from_str(stamp, "%Y-%m-%d %H:%M:%S").is_ok(),
            "{stamp}"
        );
    }
}

#[test]
fn error_logs_are_numbered_after_the_highest_existing_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("m");
    assert_eq!(last_error_log(&dir).unwrap(), None);
    let first = new_error_log(&dir).unwrap();
    assert!(first.ends_with("error000.log"));
    std::fs::write(dir.join("error007.log"), "x").unwrap();
    std::fs::write(dir.join("error12.log"), "not ours").unwrap();
    assert!(new_error_log(&dir).unwrap().ends_with("error008.log"));
    assert_eq!(error_logs(&dir).unwrap().len(), 1);
    assert!(
        last_error_log(&dir)
            .unwrap()
            .unwrap()
            .ends_with("error007.log")
    );
}

#[tokio::test]
async fn config_snapshots_hold_basenames_and_take_the_next_free_name() {
    let tmp = tempfile::tempdir().unwrap();
    let conf_dir = tmp.path().join("conf/sub");
    std::fs::create_dir_all(&conf_dir).unwrap();
    let main = tmp.path().join("conf/main.conf");
    let inc = conf_dir.join("inc.conf");
    std::fs::write(&main, "[pipeline]\n").unwrap();
    std::fs::write(&inc, "[x]\n").unwrap();
    let module_dir = tmp.path().join("store/p/main/a");
    let files = vec![main, inc];
    let first = write_config_snapshot(&module_dir, &files).await.unwrap();
    let second = write_config_snapshot(&module_dir, &files).await.unwrap();
    let third = write_config_snapshot(&module_dir, &files).await.unwrap();
    assert!(first.ends_with("pipeline_config.tar"));
    assert!(second.ends_with("pipeline_config.1.tar"));
    assert!(third.ends_with("pipeline_config.2.tar"));
    let listing = Command::new("tar").arg("-tf").arg(&first).output().unwrap();
    assert!(listing.status.success());
    assert_eq!(
        String::from_utf8(listing.stdout).unwrap(),
        "main.conf\ninc.conf\n"
    );
}
