//! The real `pimlicod` binary: it stops cleanly on SIGTERM, and when it is killed (SIGKILL)
//! in the middle of a pull, the pulling daemon keeps the data it had.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use common::{DaemonProcess, NAME, Setup, TestServer, random_file, tree};
use pimlico_proto::{DataCompression, PullRequest, TransferState};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, oneshot};

#[tokio::test]
async fn a_public_address_without_a_token_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("p.conf");
    std::fs::write(&config, common::PIPELINE).unwrap();
    let local = dir.path().join("local.conf");
    std::fs::write(
        &local,
        format!("store={}\n", dir.path().join("store").display()),
    )
    .unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_pimlicod"))
        .args(["--listen", "0.0.0.0:0", "--pipeline"])
        .arg(&config)
        .arg("--local-config")
        .arg(&local)
        .arg("--state-dir")
        .arg(dir.path().join("state"))
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("without a token"), "{stderr}");
}

#[tokio::test]
async fn sigterm_stops_the_daemon_cleanly() {
    let mut daemon = DaemonProcess::start(|_| {}).await;
    let client = pimlico_client::remote::Client::new(&pimlico_client::remote::ServerSpec::url(
        &daemon.url,
        None,
    ))
    .unwrap();
    assert_eq!(client.health().await.unwrap().status, "ok");
    let pid = nix::unistd::Pid::from_raw(daemon.child.id().unwrap() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let status = daemon.child.wait().await.unwrap();
    assert!(status.success(), "{status:?}");
}

/// Forwards connections to `target`; once `after` bytes have come back from it, signals
/// `reached` and holds the data until `resume` is notified.
async fn proxy(
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

#[tokio::test]
async fn a_pull_from_a_daemon_killed_midway_leaves_the_old_data() {
    let mut source = DaemonProcess::start(|root| {
        random_file(&root.join("make/output/data/big.bin"), 48 << 20, 7);
    })
    .await;
    let b = TestServer::start(Setup::default()).await;
    b.run(&["make"]).await;
    let before = tree(&b.module_dir("make"));
    let (reached_tx, reached_rx) = oneshot::channel();
    let resume = Arc::new(Notify::new());
    let via = proxy(source.url.clone(), 4 << 20, reached_tx, resume.clone()).await;
    let request = PullRequest {
        source: via,
        token: "unused".into(),
        modules: vec!["make".into()],
        overwrite: true,
        ignore_definition_mismatch: false,
        compression: DataCompression::None,
        ca_pem: None,
    };
    let id = b
        .client
        .start_pull(NAME, "main", &request)
        .await
        .unwrap()
        .id;
    reached_rx.await.unwrap();
    source.child.kill().await.unwrap();
    resume.notify_one();
    let done = b.client.transfer_to_end(&id).await.unwrap();
    assert_eq!(done.state, TransferState::Failed, "{done:?}");
    assert!(done.bytes >= 4 << 20, "it failed midway: {done:?}");
    assert_eq!(tree(&b.module_dir("make")), before);
    let staging = b.variant_root.join(".pimlico-staging");
    let left: Vec<String> = std::fs::read_dir(&staging)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        left.iter().all(|name| name.starts_with("resume-")),
        "only the resumable slot (kept for the next attempt) may stay: {left:?}"
    );
    b.stop().await;
}
