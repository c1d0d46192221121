//! Daemons for tests: real `pimlicod::serve` on `127.0.0.1:0`, each with its own stores, driven
//! through the real client library. Modules run through the real `pimlicod` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use pimlico_client::remote::{Client, ServerSpec};
use pimlicod::auth::Auth;
use pimlicod::pipelines::{PipelineSpec, Pipelines};
use pimlicod::{AppState, Options};
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The token test daemons use when authentication is on.
pub const TOKEN: &str = "test-token-0123456789abcdef";
/// The scoped-token secret of test daemons, so tests can mint tokens (expired ones too).
pub const SECRET: [u8; 32] = [42; 32];
/// Pipeline name of [`PIPELINE`].
pub const NAME: &str = "dtest";

/// Two modules: `make` writes 20 files, `count` lists the files of its input (the config
/// language reads `|` as alternatives and `$(` as a module variable, hence no pipes).
pub const PIPELINE: &str = "\
[pipeline]
name=dtest
release=latest

[make]
type=command
cmd=for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do echo \"line $i\" > \"$PIMLICO_OUTPUT/f$i.txt\"; done

[count]
type=command
input_data=make
cmd=ls \"$PIMLICO_INPUT\" > \"$PIMLICO_OUTPUT/listing.txt\"
";

/// How to start a test daemon.
#[derive(Debug, Clone, Default)]
pub struct Setup {
    /// Require the token [`TOKEN`].
    pub auth: bool,
    /// Serve HTTPS with this certificate and key (PEM).
    pub tls: Option<(String, String)>,
    /// The pipeline config text (default [`PIPELINE`]).
    pub pipeline: Option<String>,
    /// Shutdown deadline (default 10 s).
    pub deadline: Option<Duration>,
    /// Runs executing at once (default 2).
    pub max_runs: Option<usize>,
    /// Maximum age of resumable staging (default: the local config's, else a week).
    pub resume_max_age: Option<Duration>,
}

/// A daemon serving in this process.
pub struct TestServer {
    /// Base URL.
    pub url: String,
    /// A client with the full token.
    pub client: Client,
    /// The daemon's state (for its auth, to mint tokens).
    pub state: AppState,
    /// `<store>/<pipeline>/main`: where module directories live.
    pub variant_root: PathBuf,
    /// The pipeline config file.
    pub config: PathBuf,
    /// The local config file.
    pub local_config: PathBuf,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    /// Holds the stores, config and run logs.
    pub dir: TempDir,
}

impl TestServer {
    /// Starts a daemon with its own temporary directory.
    pub async fn start(setup: Setup) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("pipeline.conf");
        std::fs::write(&config, setup.pipeline.as_deref().unwrap_or(PIPELINE)).unwrap();
        let store = dir.path().join("store");
        let local_config = dir.path().join("local.conf");
        std::fs::write(&local_config, format!("store={}\n", store.display())).unwrap();
        let spec = PipelineSpec {
            config: config.clone(),
            local_config: Some(local_config.clone()),
        };
        let pipelines = tokio::task::spawn_blocking(move || Pipelines::new(vec![spec]))
            .await
            .unwrap()
            .unwrap();
        let token = setup.auth.then_some(TOKEN);
        let tls = setup.tls.as_ref().map(|(cert, key)| {
            let cert_path = dir.path().join("cert.pem");
            let key_path = dir.path().join("key.pem");
            std::fs::write(&cert_path, cert).unwrap();
            std::fs::write(&key_path, key).unwrap();
            pimlicod::tls::server_config(&cert_path, &key_path).unwrap()
        });
        let options = Options {
            max_concurrent_runs: setup.max_runs.unwrap_or(2),
            shutdown_deadline: setup.deadline.unwrap_or(Duration::from_secs(10)),
            state_dir: dir.path().join("state"),
            program: PathBuf::from(env!("CARGO_BIN_EXE_pimlicod")),
            resume_max_age: setup.resume_max_age,
        };
        let state = AppState::new(pipelines, Auth::with_secret(token, SECRET), options, tls);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let scheme = if setup.tls.is_some() { "https" } else { "http" };
        // The test certificate is for `localhost`.
        let host = if setup.tls.is_some() {
            "localhost"
        } else {
            "127.0.0.1"
        };
        let url = format!("{scheme}://{host}:{}", addr.port());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(pimlicod::serve(listener, state.clone(), async {
            let _ = rx.await;
        }));
        let client = Client::new(&ServerSpec {
            url: url.clone(),
            token: token.map(str::to_string),
            ca_file: None,
            ca_pem: setup.tls.as_ref().map(|(cert, _)| cert.clone()),
        })
        .unwrap();
        TestServer {
            url,
            client,
            state,
            variant_root: store.join(NAME).join("main"),
            config,
            local_config,
            shutdown: Some(tx),
            task: Some(task),
            dir,
        }
    }

    /// A client with another token.
    pub fn client_with(&self, token: Option<&str>) -> Client {
        self.client.with_token(token.map(str::to_string))
    }

    /// The module's directory in the store.
    pub fn module_dir(&self, module: &str) -> PathBuf {
        self.variant_root.join(module)
    }

    /// Runs modules and waits for the run to end; returns its final record.
    pub async fn run(&self, modules: &[&str]) -> pimlico_proto::RunInfo {
        let request = pimlico_proto::RunRequest {
            modules: modules.iter().map(|m| m.to_string()).collect(),
            ..Default::default()
        };
        let info = self.client.start_run(NAME, "main", &request).await.unwrap();
        self.client.run_to_end(&info.id).await.unwrap()
    }

    /// Stops the daemon (gracefully), waits for it, and hands back its directory (which is
    /// deleted when dropped).
    pub async fn stop(mut self) -> TempDir {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
        self.dir
    }
}

/// Every file below `dir` (relative path, contents), sorted, skipping our engine files.
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
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

/// A self-signed certificate for `localhost` (PEM certificate, PEM key).
pub fn self_signed() -> (String, String) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    (cert.cert.pem(), cert.signing_key.serialize_pem())
}

/// A `pimlicod` process (the real binary), for tests that kill it.
pub struct DaemonProcess {
    /// The child.
    pub child: tokio::process::Child,
    /// Base URL.
    pub url: String,
    /// Holds its config and stores.
    pub dir: TempDir,
    /// `<store>/<pipeline>/main`.
    pub variant_root: PathBuf,
}

impl DaemonProcess {
    /// Starts `pimlicod` on port 0 without authentication, serving [`PIPELINE`], and waits for
    /// it to say where it listens. `prepare` can fill the store before it starts.
    pub async fn start(prepare: impl FnOnce(&Path)) -> Self {
        Self::start_in(tempfile::tempdir().unwrap(), prepare).await
    }

    /// Kills the daemon (SIGKILL) and starts it again on the same config and stores.
    pub async fn kill_and_restart(mut self) -> Self {
        self.child.kill().await.unwrap();
        Self::start_in(self.dir, |_| {}).await
    }

    async fn start_in(dir: TempDir, prepare: impl FnOnce(&Path)) -> Self {
        use tokio::io::AsyncBufReadExt;
        let config = dir.path().join("pipeline.conf");
        std::fs::write(&config, PIPELINE).unwrap();
        let store = dir.path().join("store");
        let local = dir.path().join("local.conf");
        std::fs::write(&local, format!("store={}\n", store.display())).unwrap();
        let variant_root = store.join(NAME).join("main");
        prepare(&variant_root);
        let port_file = dir.path().join("port");
        let _ = std::fs::remove_file(&port_file);
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_pimlicod"))
            .arg("--listen=127.0.0.1:0")
            .arg("--pipeline")
            .arg(&config)
            .arg("--local-config")
            .arg(&local)
            .arg("--state-dir")
            .arg(dir.path().join("state"))
            .arg("--port-file")
            .arg(&port_file)
            .env("RUST_LOG", "pimlicod=info")
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        // The daemon logs "listening" after writing the port file.
        let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        while let Some(line) = lines.next_line().await.unwrap() {
            if line.contains("listening on") {
                break;
            }
        }
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let addr = std::fs::read_to_string(&port_file).expect("the daemon did not start");
        DaemonProcess {
            child,
            url: format!("http://{}", addr.trim()),
            dir,
            variant_root,
        }
    }
}

/// Writes `bytes` of incompressible data to `path`.
pub fn random_file(path: &Path, bytes: usize, seed: u64) {
    let mut data = vec![0u8; bytes];
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
