//! The README's first Quickstart command, `examples/two-daemons.sh`, run as users run it (with
//! the binaries of this build instead of a `cargo build` of its own), so that it cannot rot:
//! it must succeed end to end, leave the data where it says, and never leave a daemon behind,
//! also when a step fails.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use nix::errno::Errno;
use nix::sys::signal::kill;
use nix::unistd::Pid;
use pimlico_tests::{Workspace, pimlico_bin};

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/two-daemons.sh")
}

/// The directory holding `pimlico` and `pimlicod` of this build.
fn bin_dir() -> PathBuf {
    let dir = pimlico_bin().parent().unwrap().to_path_buf();
    assert!(
        dir.join("pimlicod").is_file(),
        "{} does not exist: run the tests with `cargo test --workspace`, which builds it",
        dir.join("pimlicod").display()
    );
    dir
}

/// Runs the script with `PIMLICO_BIN_DIR`, HOME and TMPDIR inside the workspace.
fn run_script(ws: &Workspace, bins: &Path, args: &[&Path]) -> Output {
    std::fs::create_dir_all(ws.join("tmp")).unwrap();
    Command::new("bash")
        .arg(script())
        .args(args)
        .env("PIMLICO_BIN_DIR", bins)
        .env("HOME", ws.join("home"))
        .env("TMPDIR", ws.join("tmp"))
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("PIMLICO_TOKEN")
        .stdin(Stdio::null())
        .output()
        .expect("running bash examples/two-daemons.sh")
}

fn all(output: &Output) -> String {
    format!(
        "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The daemons' process ids, from the script's "daemon a: http://... (pid N, ...)" lines.
fn daemon_pids(stdout: &str) -> Vec<i32> {
    stdout
        .lines()
        .filter(|l| l.starts_with("daemon "))
        .filter_map(|l| l.split("(pid ").nth(1)?.split(',').next()?.parse().ok())
        .collect()
}

fn assert_gone(pids: &[i32], output: &Output) {
    assert_eq!(pids.len(), 2, "two daemons started\n{}", all(output));
    for &pid in pids {
        assert_eq!(
            kill(Pid::from_raw(pid), None),
            Err(Errno::ESRCH),
            "daemon {pid} still running after the script ended\n{}",
            all(output)
        );
    }
}

#[test]
fn the_quickstart_runs_the_example_across_two_daemons() {
    let ws = Workspace::new();
    let work = ws.join("work");
    let output = run_script(&ws, &bin_dir(), &[&work]);
    assert!(output.status.success(), "{}", all(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let both = all(&output);
    for expected in [
        "Successfully executed all modules: tokens\n",
        "Successfully executed all modules: normalized, vocab, counts, top\n",
        "Transferred tokens from a to b",
        "==> Status on daemon A",
        "==> Status on daemon B",
        "Done. Stores, tokens, logs and client settings are in",
    ] {
        assert!(both.contains(expected), "{expected:?}\n{both}");
    }
    assert_gone(&daemon_pids(&stdout), &output);

    // Module 1 ran on A only; B received it and ran the rest.
    let a = work.join("a/store/wordcount/main");
    let b = work.join("b/store/wordcount/main");
    assert!(a.join("tokens/corpus/data").is_dir(), "{}", all(&output));
    assert!(!a.join("normalized").exists(), "{}", all(&output));
    assert!(b.join("tokens/corpus/data").is_dir(), "{}", all(&output));
    let top = std::fs::read_to_string(b.join("top/output/data/top10.tsv")).unwrap();
    assert!(top.starts_with("the\t20\n"), "{top}");
    assert_eq!(
        std::fs::read_dir(ws.join("tmp")).unwrap().count(),
        0,
        "nothing left in TMPDIR"
    );
}

#[test]
fn a_failing_step_exits_non_zero_and_stops_both_daemons() {
    let ws = Workspace::new();
    // The real daemon, but a client that fails at its first command.
    let bins = ws.join("bin");
    std::fs::create_dir_all(&bins).unwrap();
    std::os::unix::fs::symlink(bin_dir().join("pimlicod"), bins.join("pimlicod")).unwrap();
    let fake = ws.write(
        "bin/pimlico",
        "#!/bin/sh\necho 'simulated failure' >&2\nexit 3\n",
    );
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();

    let output = run_script(&ws, &bins, &[]);
    assert_eq!(output.status.code(), Some(3), "{}", all(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("simulated failure"), "{}", all(&output));
    assert!(
        stderr.contains("two-daemons.sh: FAILED (exit code 3)"),
        "{}",
        all(&output)
    );
    assert_gone(
        &daemon_pids(&String::from_utf8_lossy(&output.stdout)),
        &output,
    );
    // Without WORKDIR the temporary directory goes, even after a failure.
    assert_eq!(std::fs::read_dir(ws.join("tmp")).unwrap().count(), 0);
}

/// The README opens with a Quickstart of exactly two commands: the script the tests above run,
/// and the test command CI runs (byte for byte the last command of `.ci/run`).
#[test]
fn the_readme_quickstart_is_the_script_and_the_ci_test_command() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let mut lines = readme.lines().filter(|l| !l.trim().is_empty());
    assert_eq!(lines.next(), Some("# Pimlico in Rust"));
    assert_eq!(lines.next(), Some("## Quickstart"));
    assert_eq!(lines.next(), Some("```sh"));
    let commands: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
    let ci = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    let ci_test = ci
        .lines()
        .rfind(|l| l.starts_with("cargo test"))
        .expect("a cargo test line in .ci/run");
    assert_eq!(commands, ["./examples/two-daemons.sh", ci_test]);
    let mode = std::fs::metadata(script()).unwrap().permissions().mode();
    assert_ne!(mode & 0o111, 0, "examples/two-daemons.sh is not executable");
}
