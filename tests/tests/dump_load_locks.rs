//! Locks and dump/load: a running module is dumped only with `--force` (never with its lock
//! file) and never replaced by `load`, even with `-f`; a stale lock stops neither.

mod dump_load_support;

use dump_load_support::{python_members, snapshot, two_servers};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use pimlico_tests::{lock_pid, wait_until};

#[test]
fn a_running_module_is_dumped_only_with_force_and_never_replaced_by_load() {
    let ws = two_servers();
    let slow = ws.join("serverA/demo/main/slow");
    let cli = ws.spawn(&["p.conf", "--lc", "lc_a", "run", "slow"]);
    wait_until("the module to start", || {
        slow.join("output/data/started").is_file() && lock_pid(&slow).is_some()
    });

    let dump = ws
        .pimlico(&["p.conf", "--lc", "lc_a", "dump", "slow", "-o", "out"])
        .expect_code(1);
    assert!(
        dump.stderr()
            .contains("Error: not dumping 'slow': it is locked (ongoing execution by process"),
        "{}",
        dump.all()
    );
    assert!(
        dump.stderr().contains("Use --force to dump it anyway"),
        "{}",
        dump.all()
    );
    assert!(!ws.join("out/slow.tar.gz").exists());

    let dump = ws
        .pimlico(&[
            "p.conf", "--lc", "lc_a", "dump", "slow", "-o", "out", "--force",
        ])
        .expect_code(0);
    assert!(
        dump.stdout()
            .contains("Warning: module 'slow' is locked (ongoing execution by process"),
        "{}",
        dump.all()
    );
    assert!(
        dump.stdout()
            .contains("Warning: module 'slow' has status STARTED"),
        "{}",
        dump.all()
    );
    let members = python_members(&ws.join("out/slow.tar.gz"));
    assert_eq!(members[0], "dump_metadata.json");
    assert!(
        members.contains(&"slow/output/data/started".to_string()),
        "{members:?}"
    );
    assert!(
        !members.iter().any(|m| m.contains(".execution_lock")),
        "the lock is never dumped: {members:?}"
    );

    // Loading over the running module is refused, even with -f, and changes nothing.
    let before = snapshot(&slow);
    let load = ws
        .pimlico(&["p.conf", "--lc", "lc_a", "load", "-f", "out/slow.tar.gz"])
        .expect_code(1);
    assert!(
        load.stderr()
            .contains("Error: not loading 'slow': it is locked (ongoing execution by process"),
        "{}",
        load.all()
    );
    assert_eq!(snapshot(&slow), before);

    // Stop the run (Ctrl-C): the module ends FAILED and its lock is released.
    kill(Pid::from_raw(cli.id() as i32), Signal::SIGINT).unwrap();
    let out = cli.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert!(!slow.join(".execution_lock").exists());
}

#[test]
fn a_stale_lock_stops_neither_dump_nor_load() {
    let ws = two_servers();
    ws.pimlico(&["p.conf", "--lc", "lc_a", "run", "first"])
        .expect_code(0);
    let first = ws.join("serverA/demo/main/first");
    let reference = snapshot(&first);
    // A lock left by a process of this host that is gone.
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    let host = nix::unistd::gethostname().unwrap();
    let lock = serde_json::json!({
        "host": host.to_string_lossy(),
        "pid": pid,
        "started": "2020-01-01 00:00:00",
        "message": "This module cannot be executed, because it is locked",
    });
    std::fs::write(first.join(".execution_lock"), lock.to_string()).unwrap();

    ws.pimlico(&["p.conf", "--lc", "lc_a", "dump", "first", "-o", "out"])
        .expect_code(0);
    let members = python_members(&ws.join("out/first.tar.gz"));
    assert!(
        !members.iter().any(|m| m.contains(".execution_lock")),
        "{members:?}"
    );

    let load = ws
        .pimlico(&["p.conf", "--lc", "lc_a", "load", "-f", "out/first.tar.gz"])
        .expect_code(0);
    assert!(
        load.stdout()
            .contains("Module 'first' has a lock left by a process that is gone (stale:"),
        "{}",
        load.all()
    );
    // The stale lock went with the replaced directory.
    assert_eq!(snapshot(&first), reference);
}
