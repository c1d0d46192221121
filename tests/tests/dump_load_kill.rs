//! `kill -9` of `pimlico load` in the middle of a large archive leaves the module's previous
//! data byte for byte as it was, and the next `load` removes what the killed one left.

mod dump_load_support;

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};

use dump_load_support::snapshot;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use pimlico_tests::{Workspace, wait_until};

/// Files in the big module: enough that extracting them takes seconds, so the kill lands long
/// before the end.
const FILES: usize = 10_000;

const PIPELINE: &str = r#"[pipeline]
name=k
release=latest

[big]
type=command
cmd=python3 -c 'import os, sys; d = os.environ["PIMLICO_OUTPUT"]; [open(os.path.join(d, "f" + str(100000 + i)), "wb").write(os.urandom(2048)) for i in range(int(sys.argv[1]))]' FILES
"#;

/// The files extracted so far by the load whose staging slot is under `staging`.
fn extracted(staging: &Path) -> usize {
    slot_dirs(staging)
        .iter()
        .map(|slot| {
            std::fs::read_dir(slot.join("new/output/data")).map_or(0, |entries| entries.count())
        })
        .sum()
}

/// The slot directories in a staging area (not their owner files).
fn slot_dirs(staging: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(staging).map_or_else(
        |_| Vec::new(),
        |entries| {
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_dir())
                .collect()
        },
    )
}

#[test]
fn kill_9_during_load_keeps_the_old_data_and_the_next_load_cleans_up() {
    let ws = Workspace::new();
    ws.write("p.conf", &PIPELINE.replace("FILES", &FILES.to_string()));
    ws.write("lc_a", &format!("store={}\n", ws.join("serverA").display()));
    ws.write("lc_b", &format!("store={}\n", ws.join("serverB").display()));
    // Both servers make the module, each with its own random data.
    for lc in ["lc_a", "lc_b"] {
        ws.pimlico(&["p.conf", "--lc", lc, "run", "big"])
            .expect_code(0);
    }
    ws.pimlico(&["p.conf", "--lc", "lc_a", "dump", "big", "-o", "d"])
        .expect_code(0);
    let big_b = ws.join("serverB/k/main/big");
    let old = snapshot(&big_b);
    let new = snapshot(&ws.join("serverA/k/main/big"));
    assert_ne!(old, new);

    let staging = ws.join("serverB/k/main/.pimlico-staging");
    let mut load = ws.spawn(&["p.conf", "--lc", "lc_b", "load", "-f", "d/big.tar.gz"]);
    let pid = Pid::from_raw(load.id() as i32);
    wait_until("the load to extract some files", || {
        extracted(&staging) >= 20
    });
    // Freeze it, make sure it is still extracting (so it has not installed anything), kill it.
    kill(pid, Signal::SIGSTOP).unwrap();
    let done = extracted(&staging);
    assert!(
        done < FILES,
        "the load extracted all {FILES} files before it could be stopped; the test needs a \
         bigger archive on this machine"
    );
    kill(pid, Signal::SIGKILL).unwrap();
    let status = load.wait().unwrap();
    assert_eq!(status.signal(), Some(Signal::SIGKILL as i32));

    assert_eq!(snapshot(&big_b), old, "the old data is exactly as it was");
    let left = slot_dirs(&staging);
    assert_eq!(left.len(), 1, "the killed load left its staging slot");

    // The next load removes the leftover first, then loads.
    let run = ws
        .pimlico(&["p.conf", "--lc", "lc_b", "load", "-f", "d/big.tar.gz"])
        .expect_code(0);
    assert!(
        run.stdout().starts_with(&format!(
            "Removed data left by an interrupted load: {}\n",
            left[0].display()
        )),
        "{}",
        run.all()
    );
    assert_eq!(std::fs::read_dir(&staging).unwrap().count(), 0);
    assert_eq!(snapshot(&big_b), new);
}
