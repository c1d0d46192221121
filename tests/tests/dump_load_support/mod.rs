//! What the dump/load tests share: two "servers" (local configs) on one pipeline, byte-exact
//! snapshots of module directories, a pseudo-terminal to answer prompts, and Python.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use pimlico_tests::{Run, Workspace};

/// Two modules, the second reading the first; `slow` runs until it is killed.
pub const PIPELINE: &str = r#"[pipeline]
name=demo
release=latest

[first]
type=command
cmd=printf 'hello world\n' > "$PIMLICO_OUTPUT/words.txt"; mkdir "$PIMLICO_OUTPUT/sub"; printf 'x' > "$PIMLICO_OUTPUT/sub/x.bin"; chmod 0750 "$PIMLICO_OUTPUT/sub"

[second]
type=command
input_data=first
cmd=tr a-z A-Z < "$PIMLICO_INPUT/words.txt" > "$PIMLICO_OUTPUT/upper.txt"

[slow]
type=command
cmd=echo started > "$PIMLICO_OUTPUT/started"; sleep 60
"#;

/// A workspace with `p.conf`, server A (`lc_a`: one store) and server B (`lc_b`: stores
/// `fast`, the output store, and `big`).
pub fn two_servers() -> Workspace {
    let ws = Workspace::new();
    ws.write("p.conf", PIPELINE);
    ws.write("lc_a", &format!("store={}\n", ws.join("serverA").display()));
    ws.write(
        "lc_b",
        &format!(
            "store_fast={}\nstore_big={}\n",
            ws.join("serverB_fast").display(),
            ws.join("serverB_big").display()
        ),
    );
    ws
}

/// Runs modules on a server and checks that they succeeded.
pub fn run_on(ws: &Workspace, lc: &str, modules: &[&str]) {
    let mut args = vec!["p.conf", "--lc", lc, "run"];
    args.extend_from_slice(modules);
    ws.pimlico(&args).expect_code(0);
}

/// One entry of a snapshot: permission bits and, for a file, its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A directory.
    Dir(u32),
    /// A regular file.
    File(u32, Vec<u8>),
}

/// Every file and directory under `dir` (relative paths) with permissions and contents, for
/// byte-exact comparisons. Empty if `dir` does not exist.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Entry> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Entry>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.expect("directory entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            let mode = meta.permissions().mode() & 0o7777;
            if meta.is_dir() {
                out.insert(rel, Entry::Dir(mode));
                walk(root, &path, out);
            } else {
                assert!(meta.is_file(), "{} is not a file", path.display());
                out.insert(rel, Entry::File(mode, std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Runs `pimlico` with a pseudo-terminal as its standard input (so it may ask questions) and
/// `typed` already typed on it. `\x04` at the start of a line is end of file.
pub fn pimlico_at_terminal(ws: &Workspace, args: &[&str], typed: &[u8]) -> Run {
    let pty = nix::pty::openpty(None, None).expect("pseudo-terminal");
    let child = {
        let mut cmd = ws.command(args);
        cmd.stdin(Stdio::from(pty.slave))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd.spawn().expect("starting pimlico")
    };
    let mut master = File::from(pty.master);
    master.write_all(typed).expect("typing on the terminal");
    let output = child.wait_with_output().expect("waiting for pimlico");
    drop(master);
    Run(output)
}

/// Runs a Python 3 script (standard library only) with arguments; fails the test if it fails.
pub fn python(script: &str, args: &[&Path]) -> Output {
    let output = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("running python3");
    assert!(
        output.status.success(),
        "python3 failed\n--- stdout\n{}--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The member names of a tar archive (any compression Python reads), as Python's `tarfile`
/// lists them.
pub fn python_members(archive: &Path) -> Vec<String> {
    let out = python(
        "import sys, tarfile\n\
         with tarfile.open(sys.argv[1]) as t:\n    \
             print('\\n'.join(m.name for m in t.getmembers()))",
        &[archive],
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}
