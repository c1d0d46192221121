//! A site for the fault tests: a pipeline, a store and a state directory that outlive the
//! `pimlicod` processes (the real binary) started on them, so a daemon can be killed with
//! SIGKILL and started again on the same data.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use pimlico_client::remote::{Client, ServerSpec};
use pimlico_core::archive::{DumpMetadata, DumpOptions, write_dump};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tempfile::TempDir;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot};

/// Pipeline name of [`pipeline`].
pub const NAME: &str = "faults";

/// `make` writes a file; `slow` copies the first line of a FIFO into its output, so it runs
/// until the test writes to the FIFO (no timing involved).
pub fn pipeline(fifo: &Path) -> String {
    format!(
        "[pipeline]\nname={NAME}\nrelease=latest\n\n\
         [make]\ntype=command\ncmd=echo made > \"$PIMLICO_OUTPUT/made.txt\"\n\n\
         [slow]\ntype=command\ncmd=head -n 1 \"{}\" > \"$PIMLICO_OUTPUT/line.txt\"\n",
        fifo.display()
    )
}

/// Files, store and state of one daemon, kept across restarts.
pub struct Site {
    /// Holds everything (unless the store is elsewhere).
    pub dir: TempDir,
    /// The pipeline config.
    pub config: PathBuf,
    /// The local config.
    pub local: PathBuf,
    /// `<store>/faults/main`.
    pub variant_root: PathBuf,
    /// The FIFO module `slow` reads.
    pub fifo: PathBuf,
}

impl Site {
    /// A site serving [`pipeline`] whose store is `store` (a directory in the site when
    /// `None`).
    pub fn new(store: Option<&Path>) -> Self {
        Self::with_pipeline(pipeline, store)
    }

    /// A site serving the config `text(fifo)`.
    pub fn with_pipeline(text: impl Fn(&Path) -> String, store: Option<&Path>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("gate");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        let config = dir.path().join("pipeline.conf");
        std::fs::write(&config, text(&fifo)).unwrap();
        let store = store.map_or_else(|| dir.path().join("store"), Path::to_path_buf);
        let local = dir.path().join("local.conf");
        std::fs::write(&local, format!("store={}\n", store.display())).unwrap();
        Site {
            variant_root: store.join(NAME).join("main"),
            dir,
            config,
            local,
            fifo,
        }
    }

    /// The module's directory.
    pub fn module_dir(&self, module: &str) -> PathBuf {
        self.variant_root.join(module)
    }

    /// Starts `pimlicod` on port 0 and waits until it listens (after its start-up cleanup).
    pub async fn start(&self) -> Daemon {
        self.start_with(&[]).await
    }

    /// [`Site::start`] with more arguments (`--config FILE`).
    pub async fn start_with(&self, extra: &[&std::ffi::OsStr]) -> Daemon {
        let port_file = self.dir.path().join("port");
        let _ = std::fs::remove_file(&port_file);
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_pimlicod"))
            .args(extra)
            .arg("--listen=127.0.0.1:0")
            .arg("--pipeline")
            .arg(&self.config)
            .arg("--local-config")
            .arg(&self.local)
            .arg("--state-dir")
            .arg(self.dir.path().join("state"))
            .arg("--port-file")
            .arg(&port_file)
            .env("RUST_LOG", "pimlicod=info")
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let mut log = Vec::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            let listening = line.contains("listening on");
            log.push(line);
            if listening {
                break;
            }
        }
        let later = Arc::new(std::sync::Mutex::new(Vec::new()));
        let keep = later.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                keep.lock().unwrap().push(line);
            }
        });
        let addr = std::fs::read_to_string(&port_file)
            .unwrap_or_else(|_| panic!("the daemon did not start:\n{}", log.join("\n")));
        let url = format!("http://{}", addr.trim());
        Daemon {
            client: Client::new(&ServerSpec::url(&url, None)).unwrap(),
            pid: child.id().unwrap(),
            child,
            url,
            startup_log: log,
            log: later,
        }
    }

    /// Staging slots and owner files left in the output store.
    pub fn staging(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.variant_root.join(".pimlico-staging"))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    }
}

/// A running `pimlicod` process.
pub struct Daemon {
    /// The process.
    pub child: tokio::process::Child,
    /// Its pid.
    pub pid: u32,
    /// Base URL.
    pub url: String,
    /// A client (no token: loopback).
    pub client: Client,
    /// What it logged up to "listening".
    pub startup_log: Vec<String>,
    /// What it has logged since.
    pub log: Arc<std::sync::Mutex<Vec<String>>>,
}

impl Daemon {
    /// Waits until the daemon has logged a line containing every one of `parts`.
    pub async fn until_logged(&self, parts: &[&str]) {
        let what = format!("a log line with {parts:?}");
        until(&what, || {
            let log = self.log.lock().unwrap();
            log.iter().any(|l| parts.iter().all(|p| l.contains(p)))
        })
        .await;
    }

    /// Uploads `archive` (a dump) as module `make`, replacing its data.
    pub async fn upload_make(
        &self,
        archive: Vec<u8>,
    ) -> Result<pimlico_proto::UploadResponse, pimlico_client::remote::Error> {
        let body = futures::stream::once(async move { Ok(bytes::Bytes::from(archive)) });
        self.client.upload(NAME, "main", "make", true, body).await
    }

    /// SIGKILL, and waits for the process to be gone.
    pub async fn kill9(mut self) {
        kill(Pid::from_raw(self.pid as i32), Signal::SIGKILL).unwrap();
        let status = self.child.wait().await.unwrap();
        assert!(!status.success());
    }
}

/// Polls `condition` every 10 ms until it holds; fails after 30 s. For conditions on the file
/// system that no event announces (a staging slot appearing, a lock being written).
pub async fn until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Writes `len` bytes of incompressible data.
pub fn random_file(path: &Path, len: usize, seed: u64) {
    let mut data = vec![0u8; len];
    let mut x = seed | 1;
    for chunk in data.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, data).unwrap();
}

/// Module `make` with data: a status and a file of `len` random bytes.
pub fn make_module(dir: &Path, len: usize, seed: u64) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("metadata"), r#"{"status": "COMPLETE"}"#).unwrap();
    random_file(&dir.join("output/data/big.bin"), len, seed);
}

/// A plain-tar dump of the module directory `dir` as module `make` of [`NAME`].
pub async fn dump(dir: &Path) -> Vec<u8> {
    let metadata = DumpMetadata {
        pipeline_name: NAME.into(),
        module_name: "make".into(),
        dumped: "2026-01-01 00:00:00".into(),
        hostname: "test".into(),
        variant: "main".into(),
    };
    let options = DumpOptions {
        compression: pimlico_core::archive::Compression::None,
        ..DumpOptions::default()
    };
    let mut out = Vec::new();
    write_dump(dir, &metadata, &options, &mut out)
        .await
        .unwrap();
    out
}

/// Every file below `dir` with its contents, sorted, without locks and engine files.
pub fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == ".execution_lock" || name.starts_with(".pimlico") {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// A small tmpfs mounted for the duration of a test: a really full disk.
pub struct Tmpfs {
    dir: TempDir,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (`4m`), or returns `None` when not running as root.
    pub fn mount(size: &str) -> Option<Tmpfs> {
        if !nix::unistd::geteuid().is_root() {
            eprintln!("skipped: mounting a tmpfs needs root");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "cannot mount a tmpfs");
        Some(Tmpfs { dir })
    }

    /// Gives it `size` (`32m`), keeping its contents: room on a disk that was full.
    pub fn resize(&self, size: &str) {
        let status = std::process::Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(self.dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "cannot resize the tmpfs");
    }

    /// Where it is mounted.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.dir.path())
            .status();
    }
}

/// Forwards connections to `target`; once `after` bytes have come back, signals `reached` and
/// holds the rest until `resume` is notified.
pub async fn holding_proxy(
    target: String,
    after: u64,
    reached: oneshot::Sender<()>,
    resume: Arc<Notify>,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let reached = Arc::new(std::sync::Mutex::new(Some(reached)));
    let total = Arc::new(AtomicU64::new(0));
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let upstream = TcpStream::connect(target.trim_start_matches("http://"))
                .await
                .unwrap();
            let (mut cr, mut cw) = client.into_split();
            let (mut ur, mut uw) = upstream.into_split();
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut cr, &mut uw).await;
            });
            let (reached, resume, total) = (reached.clone(), resume.clone(), total.clone());
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = match ur.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if cw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                    if total.fetch_add(n as u64, Ordering::SeqCst) + n as u64 >= after {
                        let signal = reached.lock().unwrap().take();
                        if let Some(signal) = signal {
                            let _ = signal.send(());
                            resume.notified().await;
                        }
                    }
                }
            });
        }
    });
    url
}

/// Asserts that `docs/reliability.md` says each phrase (whitespace-insensitive), so that the
/// page's counts stay those of the tests.
pub fn assert_doc_says(phrases: &[String]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/reliability.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let doc = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for phrase in phrases {
        assert!(
            doc.contains(phrase.as_str()),
            "docs/reliability.md should say {phrase:?}: update it to match the tests"
        );
    }
}

/// Whether a process runs with `path` as one of its arguments: for the FIFO of module `slow`,
/// whether the module's command (`head`, blocked until the test writes to the FIFO) has started,
/// so that its engine is only waiting for it.
pub fn a_process_has_argument(path: &Path) -> bool {
    let wanted = path.as_os_str().as_encoded_bytes();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return false;
    };
    procs.flatten().any(|p| {
        std::fs::read(p.path().join("cmdline"))
            .is_ok_and(|cmdline| cmdline.split(|&b| b == 0).any(|arg| arg == wanted))
    })
}

/// A pull of module `make` from `source` that replaces the data here, without compression and
/// whatever the definitions say (the faults' pulls).
pub fn pull_of_make(source: String) -> pimlico_proto::PullRequest {
    pimlico_proto::PullRequest {
        source,
        token: "unused".into(),
        modules: vec!["make".into()],
        overwrite: true,
        ignore_definition_mismatch: true,
        compression: pimlico_proto::DataCompression::None,
        ca_pem: None,
    }
}
