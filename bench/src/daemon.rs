//! Daemons for the benchmarks: a real `pimlicod` process (what the suite measures), or the same
//! server running inside this process (what the suite's own test uses, so it needs no release
//! build and no binary on disk).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use pimlico_client::remote::{Client, ServerSpec};

/// The pipeline every benchmark daemon serves: one module per data set, none of them run.
pub const PIPELINE_NAME: &str = "bench";

/// Config text of the benchmark pipeline with these (executable, never run) modules.
pub fn pipeline_config(modules: &[&str]) -> String {
    let mut text = format!("[pipeline]\nname={PIPELINE_NAME}\nrelease=latest\n");
    for module in modules {
        text.push_str(&format!("\n[{module}]\ntype=command\ncmd=true\n"));
    }
    text
}

/// How daemons are started.
#[derive(Debug, Clone)]
pub enum Launcher {
    /// Run this `pimlicod` executable, one process per daemon.
    Process(PathBuf),
    /// Serve from this process (on a runtime of its own per daemon).
    InProcess,
}

impl Launcher {
    /// The `pimlicod` next to the running executable (both built by the same `cargo build`).
    pub fn beside_current_exe() -> Result<Self> {
        let exe = std::env::current_exe()?;
        let program = exe.with_file_name("pimlicod");
        ensure!(
            program.exists(),
            "{} not found: build it first with `cargo build --release -p pimlicod`",
            program.display()
        );
        Ok(Launcher::Process(program))
    }
}

enum Running {
    Process(Child),
    InProcess {
        shutdown: Option<tokio::sync::oneshot::Sender<()>>,
        thread: Option<std::thread::JoinHandle<()>>,
    },
}

/// One daemon with its own store, serving [`pipeline_config`].
pub struct Daemon {
    running: Running,
    /// A client for it (no token: the daemon listens on loopback without one).
    pub client: Client,
    /// `<store>/bench/main`, where module directories go.
    pub root: PathBuf,
}

impl Daemon {
    /// Starts a daemon in `dir/name` (created) serving a pipeline with `modules`.
    pub fn start(launcher: &Launcher, dir: &Path, name: &str, modules: &[&str]) -> Result<Self> {
        let home = dir.join(name);
        std::fs::create_dir_all(&home)?;
        let config = home.join("bench.conf");
        std::fs::write(&config, pipeline_config(modules))?;
        let store = home.join("store");
        let local = home.join("local.conf");
        std::fs::write(&local, format!("store={}\n", store.display()))?;
        let (running, addr) = match launcher {
            Launcher::Process(program) => start_process(program, &home, &config, &local)?,
            Launcher::InProcess => start_in_process(&home, &config, &local)?,
        };
        let client = Client::new(&ServerSpec::url(format!("http://{addr}"), None))?;
        Ok(Daemon {
            running,
            client,
            root: store.join(PIPELINE_NAME).join("main"),
        })
    }

    /// The daemon's process id; `None` for a daemon inside this process.
    pub fn pid(&self) -> Option<u32> {
        match &self.running {
            Running::Process(child) => Some(child.id()),
            Running::InProcess { .. } => None,
        }
    }

    /// Peak resident memory (VmHWM) in MB; `None` for a daemon inside this process.
    pub fn peak_mb(&self) -> Result<Option<f64>> {
        let Running::Process(child) = &self.running else {
            return Ok(None);
        };
        let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()))?;
        let line = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .context("no VmHWM in /proc/PID/status")?;
        let kb: f64 = line
            .split_whitespace()
            .nth(1)
            .context("bad VmHWM line")?
            .parse()?;
        Ok(Some(kb / 1024.0))
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        match &mut self.running {
            Running::Process(child) => {
                let _ = child.kill();
                let _ = child.wait();
            }
            Running::InProcess { shutdown, thread } => {
                if let Some(tx) = shutdown.take() {
                    let _ = tx.send(());
                }
                if let Some(thread) = thread.take() {
                    let _ = thread.join();
                }
            }
        }
    }
}

fn start_process(
    program: &Path,
    home: &Path,
    config: &Path,
    local: &Path,
) -> Result<(Running, String)> {
    let port_file = home.join("port");
    let _ = std::fs::remove_file(&port_file);
    let mut child = Command::new(program)
        .args(["--listen", "127.0.0.1:0", "--pipeline"])
        .arg(config)
        .arg("--local-config")
        .arg(local)
        .arg("--state-dir")
        .arg(home.join("state"))
        .arg("--port-file")
        .arg(&port_file)
        // `PIMLICO_BENCH_LOG` (a `RUST_LOG` filter) shows more of the daemons' logs.
        .env(
            "RUST_LOG",
            std::env::var("PIMLICO_BENCH_LOG").unwrap_or_else(|_| "pimlicod=warn".into()),
        )
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {}", program.display()))?;
    let started = Instant::now();
    loop {
        // The daemon writes the port file once it listens, within milliseconds.
        if let Ok(text) = std::fs::read_to_string(&port_file)
            && !text.is_empty()
        {
            return Ok((Running::Process(child), text.trim().to_owned()));
        }
        if let Some(status) = child.try_wait()? {
            anyhow::bail!("{} exited at start-up ({status})", program.display());
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            anyhow::bail!("{} did not start within 30 s", program.display());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn start_in_process(home: &Path, config: &Path, local: &Path) -> Result<(Running, String)> {
    // Through the daemon's settings, exactly as its binary builds its state.
    let settings = pimlicod::settings::Settings {
        pipelines: vec![config.to_path_buf()],
        local_config: Some(local.to_path_buf()),
        state_dir: Some(home.join("state")),
        ..Default::default()
    };
    let state = settings.build_state(std::env::current_exe()?)?;
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?.to_string();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let runtime = tokio::runtime::Runtime::new()?;
    let thread = std::thread::Builder::new()
        .name("bench-daemon".into())
        .spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                let _ = pimlicod::serve(listener, state, async {
                    let _ = rx.await;
                })
                .await;
            });
        })?;
    Ok((
        Running::InProcess {
            shutdown: Some(tx),
            thread: Some(thread),
        },
        addr,
    ))
}
