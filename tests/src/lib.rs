//! Helpers for the end-to-end tests in `tests/tests/`: temporary stores, pipelines and the real
//! `pimlico` binary.
#![forbid(unsafe_code)]

pub mod hostile;
pub mod slurm;
pub mod tar_bytes;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The `pimlico` binary built next to the test executable (`target/<profile>/pimlico`).
pub fn pimlico_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("test executable lives in target/<profile>/deps");
    let bin = profile_dir.join("pimlico");
    assert!(
        bin.is_file(),
        "{} does not exist: run the tests with `cargo test --workspace`, which builds the \
         pimlico binary",
        bin.display()
    );
    bin
}

/// A temporary directory holding a pipeline, local configs, stores and a home directory.
pub struct Workspace {
    dir: tempfile::TempDir,
}

impl Default for Workspace {
    fn default() -> Self {
        Self::new()
    }
}

impl Workspace {
    /// A fresh workspace (with an empty `home/`).
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        std::fs::create_dir_all(dir.path().join("home")).expect("home directory");
        Self { dir }
    }

    /// Its root.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside it.
    pub fn join(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes a file (creating directories).
    pub fn write(&self, rel: &str, content: &str) -> PathBuf {
        let path = self.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("parent directory");
        }
        std::fs::write(&path, content).expect("write file");
        path
    }

    /// Reads a file.
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.join(rel))
            .unwrap_or_else(|e| panic!("reading {}: {e}", self.join(rel).display()))
    }

    /// A `pimlico` command run in the workspace, with HOME inside it and no terminal.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(pimlico_bin());
        cmd.args(args)
            .current_dir(self.path())
            .env("HOME", self.join("home"))
            .env_remove("PIM_NON_INT")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `pimlico` and waits for it.
    pub fn pimlico(&self, args: &[&str]) -> Run {
        let output = self.command(args).output().expect("running pimlico");
        Run(output)
    }

    /// Starts `pimlico` without waiting (output captured).
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting pimlico")
    }
}

/// A finished `pimlico` run.
#[derive(Debug)]
pub struct Run(pub Output);

impl Run {
    /// Its exit code (`-1` when killed by a signal).
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }

    /// Standard output.
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }

    /// Standard error.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }

    /// Both, for assertion messages.
    pub fn all(&self) -> String {
        format!("--- stdout\n{}--- stderr\n{}", self.stdout(), self.stderr())
    }

    /// Asserts the exit code, showing the output if it differs.
    pub fn expect_code(self, code: i32) -> Self {
        assert_eq!(self.code(), code, "unexpected exit code\n{}", self.all());
        self
    }
}

/// Polls until `condition` holds; fails after 30 s.
pub fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The history messages of a module directory, without timestamps.
pub fn history(module_dir: &Path) -> Vec<String> {
    std::fs::read_to_string(module_dir.join("history"))
        .unwrap_or_default()
        .lines()
        .map(|l| l.get(20..).unwrap_or_default().to_string())
        .collect()
}

/// The `status` recorded in a module directory's metadata.
pub fn status(module_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(module_dir.join("metadata")).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value["status"].as_str().map(str::to_string)
}

/// The pid recorded in a module directory's execution lock.
pub fn lock_pid(module_dir: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(module_dir.join(".execution_lock")).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value["pid"].as_i64().map(|p| p as i32)
}

/// Every file and directory under `dir`, relative, sorted (empty if it does not exist).
pub fn tree(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            out.push(
                path.strip_prefix(root)
                    .unwrap_or(&path)
                    .display()
                    .to_string(),
            );
            if path.is_dir() {
                walk(root, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// `docs/reliability.md` with its whitespace collapsed, for tests that check the page states
/// their counts.
pub fn reliability_doc() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/reliability.md");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Asserts that `docs/reliability.md` says each phrase (whitespace-insensitive).
pub fn assert_reliability_doc_says(phrases: &[String]) {
    let doc = reliability_doc();
    for phrase in phrases {
        assert!(
            doc.contains(phrase.as_str()),
            "docs/reliability.md should say {phrase:?}: update it to match the tests"
        );
    }
}
