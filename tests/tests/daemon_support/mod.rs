//! Daemons for the end-to-end tests: real `pimlicod::serve` on `127.0.0.1:0` in this process,
//! each with its own stores and token, named in a `servers.toml` that the real `pimlico`
//! binary (run with HOME in the workspace) reads.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use pimlico_client::remote::{Client, ServerSpec};
use pimlico_tests::{Run, Workspace, pimlico_bin};
use pimlicod::auth::Auth;
use pimlicod::pipelines::{PipelineSpec, Pipelines};
use pimlicod::{AppState, Options};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Module 1 writes three files, module 2 reads them (no `|` or `$(`: config syntax).
pub const PIPELINE: &str = r#"[pipeline]
name=demo
release=latest

[first]
type=command
cmd=printf 'hello world\n' > "$PIMLICO_OUTPUT/words.txt"; printf 'two\n' > "$PIMLICO_OUTPUT/b.txt"; mkdir -p "$PIMLICO_OUTPUT/sub"; printf 'x' > "$PIMLICO_OUTPUT/sub/c.txt"

[second]
type=command
input_data=first
cmd=tr a-z A-Z < "$PIMLICO_INPUT/words.txt" > "$PIMLICO_OUTPUT/upper.txt"
"#;

/// A daemon serving `p.conf` of a workspace with its own store `<name>-store`.
pub struct Daemon {
    /// Its name in servers.toml.
    pub name: String,
    /// Base URL.
    pub url: String,
    /// A client with its token.
    pub client: Client,
    /// `<store>/demo/main`.
    pub root: PathBuf,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Daemon {
    /// Starts daemon `name`, serving `ws/p.conf` (which must exist), and adds it to
    /// `ws/home/.config/pimlico/servers.toml` with a token file.
    pub async fn start(ws: &Workspace, name: &str) -> Self {
        let store = ws.join(&format!("{name}-store"));
        let local = ws.write(
            &format!("{name}.local"),
            &format!("store={}\n", store.display()),
        );
        let spec = PipelineSpec {
            config: ws.join("p.conf"),
            local_config: Some(local),
        };
        let pipelines = tokio::task::spawn_blocking(move || Pipelines::new(vec![spec]))
            .await
            .unwrap()
            .unwrap();
        let token = format!("token-of-{name}-0123456789");
        let options = Options {
            max_concurrent_runs: 2,
            shutdown_deadline: Duration::from_secs(10),
            state_dir: ws.join(&format!("{name}-state")),
            // `pimlico internal-exec` runs modules exactly as `pimlicod internal-exec` would.
            program: pimlico_bin(),
            resume_max_age: None,
        };
        let state = AppState::new(pipelines, Auth::new(Some(&token)), options, None);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(pimlicod::serve(listener, state, async {
            let _ = rx.await;
        }));
        let token_file = ws.write(&format!("home/.config/pimlico/{name}.token"), &token);
        let servers = ws.join("home/.config/pimlico/servers.toml");
        let mut text = std::fs::read_to_string(&servers).unwrap_or_default();
        text.push_str(&format!(
            "[servers.{name}]\nurl = \"{url}\"\ntoken_file = \"{}\"\n\n",
            token_file.display()
        ));
        std::fs::write(&servers, text).unwrap();
        let client = Client::new(&ServerSpec::url(&url, Some(token))).unwrap();
        Daemon {
            name: name.to_string(),
            url,
            client,
            root: store.join("demo").join("main"),
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// Stops the daemon and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }
}

/// Runs the real `pimlico` off the async runtime (the daemons serve on it meanwhile).
pub async fn pimlico(ws: &Workspace, args: &[&str]) -> Run {
    let mut cmd = ws.command(args);
    cmd.env_remove("PIMLICO_TOKEN")
        .env_remove("XDG_CONFIG_HOME");
    tokio::task::spawn_blocking(move || Run(cmd.output().expect("running pimlico")))
        .await
        .unwrap()
}

/// Every file under `dir` with its contents, sorted, without locks and our engine files.
pub fn contents(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    pimlico_tests::tree(dir)
        .into_iter()
        .filter(|rel| !rel.contains(".execution_lock") && !rel.contains(".pimlico"))
        .filter_map(|rel| {
            let path = dir.join(&rel);
            path.is_file().then(|| (rel, std::fs::read(&path).unwrap()))
        })
        .collect()
}
