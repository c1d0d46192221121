//! The `pimlico` binary's own integration tests (they also make `cargo test --workspace` build
//! the binary for the end-to-end tests in `tests/`).

use std::process::Command;

fn pimlico() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pimlico"));
    cmd.env(
        "HOME",
        std::env::temp_dir().join("pimlico-client-tests-no-home"),
    );
    cmd
}

#[test]
fn help_lists_the_commands() {
    let out = pimlico().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for command in [
        "status",
        "variants",
        "run",
        "reset",
        "clean",
        "stores",
        "movestores",
        "unlock",
        "deps",
        "inputs",
        "output",
        "modules",
        "check",
    ] {
        assert!(
            text.contains(&format!("  {command} ")),
            "{command} missing from:\n{text}"
        );
    }
    assert!(
        !text.contains("internal-exec"),
        "the child entry point is hidden"
    );
}

#[test]
fn a_bad_internal_exec_request_is_refused_with_an_event() {
    let out = pimlico()
        .args(["internal-exec", "{not json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let line = String::from_utf8(out.stdout).unwrap();
    let event: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(event["event"], "refused");
    assert!(
        event["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid internal-exec request")
    );
}

#[test]
fn a_missing_config_file_is_reported_as_the_original_does() {
    let dir = tempfile::tempdir().unwrap();
    let lc = dir.path().join("lc");
    std::fs::write(
        &lc,
        format!("store={}\n", dir.path().join("store").display()),
    )
    .unwrap();
    let out = pimlico()
        .arg(dir.path().join("nope.conf"))
        .arg("--lc")
        .arg(&lc)
        .arg("status")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("Error reading pipeline config: "), "{err}");
    assert!(err.contains("nope.conf"), "{err}");
    assert!(!dir.path().join("store").exists());
}
