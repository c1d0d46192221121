//! The real `pimlicod` binary as a Slurm front door, for the Slurm end-to-end tests: it
//! submits module runs to the one-node test cluster (`.ci/slurm-setup.sh`). Without Slurm the
//! tests are skipped with a message, or fail when `PIMLICO_REQUIRE_SLURM=1`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;

use pimlico_client::remote::{Client, ServerSpec};
use pimlico_tests::Workspace;
use tokio::io::AsyncBufReadExt;
use tokio::process::{Child, Command};

pub use pimlico_tests::slurm::slurm_up;

/// The `pimlicod` binary built next to the test executable.
pub fn pimlicod_bin() -> PathBuf {
    let bin = pimlico_tests::pimlico_bin().with_file_name("pimlicod");
    assert!(
        bin.is_file(),
        "{} does not exist: run the tests with `cargo test --workspace`, which builds it",
        bin.display()
    );
    bin
}

/// Modules for the daemon tests (no `|` or `$(`: config syntax).
pub const PIPELINE: &str = r#"[pipeline]
name=sd
release=latest

[ok]
type=command
cmd=echo "hello from the cluster"; echo done > "$PIMLICO_OUTPUT/out.txt"

[here]
type=command
cmd=echo here > "$PIMLICO_OUTPUT/out.txt"

[fails]
type=command
cmd=echo "about to fail"; exit 3

[slow]
type=command
cmd=echo started > "$PIMLICO_OUTPUT/started"; sleep 300

[waits]
type=command
cmd=echo never

[restart]
type=command
cmd=echo started > "$PIMLICO_OUTPUT/started"; sleep 4; echo done > "$PIMLICO_OUTPUT/out.txt"
"#;

/// A workspace with the pipeline, a local config choosing per module, and a `pimlicod.toml`
/// sending modules to Slurm with fast polling.
pub fn workspace() -> Workspace {
    let ws = Workspace::new();
    ws.write("p.conf", PIPELINE);
    ws.write(
        "local.conf",
        &format!(
            "store={}\nexecutor.here=local\nslurm_sbatch_args.waits=--begin=now+3600\nslurm_time.slow=1\n",
            ws.join("store").display()
        ),
    );
    ws.write(
        "pimlicod.toml",
        r#"listen = "127.0.0.1:0"
pipelines = ["p.conf"]
local_config = "local.conf"
state_dir = "state"
max_concurrent_runs = 8
executor = "slurm"

[slurm]
poll_interval = 0.2
output_interval = 0.1
time = "5"
"#,
    );
    ws
}

/// A running `pimlicod` process.
pub struct Daemon {
    /// The process.
    pub child: Child,
    /// A client for it.
    pub client: Client,
}

impl Daemon {
    /// Starts `pimlicod --config pimlicod.toml` in the workspace and waits until it listens.
    pub async fn start(ws: &Workspace) -> Self {
        let port_file = ws.join("port");
        let _ = std::fs::remove_file(&port_file);
        let mut child = Command::new(pimlicod_bin())
            .arg("--config")
            .arg(ws.join("pimlicod.toml"))
            .arg("--port-file")
            .arg(&port_file)
            .current_dir(ws.path())
            .env("HOME", ws.join("home"))
            .env("RUST_LOG", "pimlicod=info")
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("starting pimlicod");
        let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let mut said = Vec::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            let listening = line.contains("listening on");
            said.push(line);
            if listening {
                break;
            }
        }
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let addr = std::fs::read_to_string(&port_file)
            .unwrap_or_else(|_| panic!("pimlicod did not start:\n{}", said.join("\n")));
        let client =
            Client::new(&ServerSpec::url(format!("http://{}", addr.trim()), None)).unwrap();
        Daemon { child, client }
    }

    /// Stops it with SIGTERM, as a service manager does, and waits for it to exit.
    pub async fn stop(mut self) {
        let pid = self.child.id().expect("running") as i32;
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGTERM,
        )
        .unwrap();
        let status = self.child.wait().await.unwrap();
        assert!(status.success(), "pimlicod exited with {status}");
    }
}

/// A module directory in the workspace's store.
pub fn module_dir(ws: &Workspace, module: &str) -> PathBuf {
    ws.join("store/sd/main").join(module)
}

/// A run's log as the daemon wrote it.
pub fn run_log(ws: &Workspace, run: &str) -> String {
    std::fs::read_to_string(ws.join(&format!("state/runs/{run}.log"))).unwrap_or_default()
}

/// The job id of the last `Submitted Slurm job N (...)` history line.
pub fn submitted_job(dir: &Path) -> Option<String> {
    pimlico_tests::history(dir).iter().rev().find_map(|l| {
        l.strip_prefix("Submitted Slurm job ")
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_string)
    })
}

/// What squeue says about a job now (empty once forgotten).
pub fn squeue_state(id: &str) -> String {
    let out = std::process::Command::new("squeue")
        .args(["-h", "-t", "all", "-j", id, "-o", "%T"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
