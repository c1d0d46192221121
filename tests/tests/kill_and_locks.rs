//! Killed modules end FAILED with their lock released (or detectably stale); Ctrl-C stops the
//! module's process group; stale locks are reported and `unlock` clears them.

use std::path::PathBuf;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use pimlico_tests::{Workspace, history, lock_pid, status, wait_until};

const PIPELINE: &str = r#"[pipeline]
name=k
release=latest

[slow]
type=command
cmd=echo $$ > "$PIMLICO_OUTPUT/pid"; sleep 60; echo never > "$PIMLICO_OUTPUT/done"

[other]
type=command
cmd=echo other > "$PIMLICO_OUTPUT/other.txt"
"#;

fn setup() -> (Workspace, PathBuf) {
    let ws = Workspace::new();
    ws.write("p.conf", PIPELINE);
    ws.write("lc", &format!("store={}\n", ws.join("store").display()));
    let dir = ws.join("store/k/main/slow");
    (ws, dir)
}

/// Starts `run slow` and waits until its shell is running; returns the CLI and the shell pid.
fn start_slow(ws: &Workspace, dir: &std::path::Path) -> (std::process::Child, i32) {
    let child = ws.spawn(&["p.conf", "--lc", "lc", "run", "slow"]);
    let pid_file = dir.join("output/data/pid");
    wait_until("the module to start", || {
        std::fs::read_to_string(&pid_file).is_ok_and(|t| t.ends_with('\n'))
    });
    let shell: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    (child, shell)
}

fn gone(pid: i32) -> bool {
    kill(Pid::from_raw(pid), None).is_err()
        || std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
            s.rsplit_once(')')
                .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
        })
}

#[test]
fn sigkill_to_the_module_process_is_recorded_by_the_supervisor() {
    let (ws, dir) = setup();
    let (cli, shell) = start_slow(&ws, &dir);
    let child = lock_pid(&dir).expect("the running module holds the lock");
    kill(Pid::from_raw(child), Signal::SIGKILL).unwrap();
    let out = cli.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Execution of slow failed: its process ended without recording a result (signal 9 (SIGKILL))"), "{err}");
    assert_eq!(status(&dir).as_deref(), Some("FAILED"));
    assert!(!dir.join(".execution_lock").exists());
    let hist = history(&dir);
    assert_eq!(
        hist[3],
        format!("Debugging output in {}", dir.join("error000.log").display())
    );
    assert_eq!(hist[4], "Execution completed with status FAILED");
    wait_until("the module's shell to be killed with its group", || {
        gone(shell)
    });
    assert!(!dir.join("output/data/done").exists());
}

#[test]
fn sigkill_to_the_cli_stops_the_module_which_records_why() {
    let (ws, dir) = setup();
    let (mut cli, shell) = start_slow(&ws, &dir);
    let supervisor = cli.id();
    cli.kill().unwrap();
    cli.wait().unwrap();
    wait_until("the module to record its halt", || {
        !dir.join(".execution_lock").exists()
    });
    assert_eq!(status(&dir).as_deref(), Some("FAILED"));
    assert_eq!(
        history(&dir).last().unwrap(),
        &format!("Execution of slow halted: its supervising process ({supervisor}) exited")
    );
    wait_until("the module's shell to be killed", || gone(shell));
}

#[test]
fn ctrl_c_stops_the_module_group_and_records_the_halt() {
    let (ws, dir) = setup();
    let (cli, shell) = start_slow(&ws, &dir);
    kill(Pid::from_raw(cli.id() as i32), Signal::SIGINT).unwrap();
    let out = cli.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Exiting before execution completed due to user interrupt"),
        "{err}"
    );
    assert_eq!(
        history(&dir).last().unwrap(),
        "Execution of slow halted by user"
    );
    assert_eq!(status(&dir).as_deref(), Some("FAILED"));
    assert!(!dir.join(".execution_lock").exists());
    wait_until("the module's shell to be killed", || gone(shell));
}

#[test]
fn a_stale_lock_is_reported_blocks_runs_and_is_cleared_by_unlock() {
    let (ws, dir) = setup();
    let other = ws.join("store/k/main/other");
    std::fs::create_dir_all(&other).unwrap();
    let mut dead = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = dead.id();
    dead.wait().unwrap();
    let host = nix::unistd::gethostname().unwrap().into_string().unwrap();
    std::fs::write(
        other.join(".execution_lock"),
        format!(
            r#"{{"host":"{host}","pid":{dead_pid},"started":"2026-01-01 00:00:00","message":"x"}}"#
        ),
    )
    .unwrap();

    let st = ws
        .pimlico(&["p.conf", "--lc", "lc", "status"])
        .expect_code(0);
    assert!(st.stdout().contains(&format!("locked: stale (process {dead_pid} on {host} is no longer running; use 'unlock' to remove it)")), "{}", st.all());
    let json = ws
        .pimlico(&["p.conf", "--lc", "lc", "status", "--json"])
        .expect_code(0);
    let parsed: pimlico_proto::PipelineStatus = serde_json::from_str(&json.stdout()).unwrap();
    let lock = parsed.modules[1].lock.as_ref().unwrap();
    assert!(lock.stale);
    assert_eq!(lock.pid, Some(dead_pid));

    let run = ws
        .pimlico(&["p.conf", "--lc", "lc", "run", "other"])
        .expect_code(1);
    assert!(run.stderr().contains("Error running module 'other': module is locked: is it currently being executed? If not, remove the lock using the 'unlock' command (stale:"), "{}", run.all());
    assert!(!other.join("output").exists());

    let unlock = ws
        .pimlico(&["p.conf", "--lc", "lc", "unlock", "other"])
        .expect_code(0);
    assert_eq!(unlock.stdout(), "Module unlocked\n");
    let unlock = ws
        .pimlico(&["p.conf", "--lc", "lc", "unlock", "other"])
        .expect_code(0);
    assert_eq!(unlock.stdout(), "Module 'other' is not locked\n");
    ws.pimlico(&["p.conf", "--lc", "lc", "run", "other"])
        .expect_code(0);
    let _ = dir;
}

#[test]
fn a_running_module_cannot_be_run_twice() {
    let (ws, dir) = setup();
    let (mut cli, _) = start_slow(&ws, &dir);
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc", "run", "slow"])
        .expect_code(1);
    assert!(run.stderr().contains("module is locked"), "{}", run.all());
    let st = ws
        .pimlico(&["p.conf", "--lc", "lc", "status", "slow"])
        .expect_code(0);
    assert!(
        st.stdout().contains("Locked: ongoing execution (process "),
        "{}",
        st.all()
    );
    let reset = ws
        .pimlico(&["p.conf", "--lc", "lc", "reset", "slow"])
        .expect_code(1);
    assert!(
        reset
            .stderr()
            .contains("not resetting module 'slow': it is locked"),
        "{}",
        reset.all()
    );
    kill(Pid::from_raw(cli.id() as i32), Signal::SIGINT).unwrap();
    cli.wait().unwrap();
}
