//! The real `pimlicod` binary: it stops cleanly on SIGTERM, and when it is killed (SIGKILL)
//! in the middle of a pull, the pulling daemon keeps the data it had; when the pulling daemon
//! is killed half way, it resumes after a restart.

mod common;
mod fault_support;

use std::sync::Arc;

use fault_support::holding_proxy as proxy;

use common::{DaemonProcess, NAME, Setup, TestServer, random_file, tree};
use pimlico_proto::{DataCompression, PullRequest, TransferState};
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

/// Files verified and kept in the resumable slots of `variant_root`.
fn kept_objects(variant_root: &std::path::Path) -> usize {
    let Ok(slots) = std::fs::read_dir(variant_root.join(".pimlico-staging")) else {
        return 0;
    };
    slots
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("resume-"))
        .filter_map(|e| std::fs::read_to_string(e.path().join("verified")).ok())
        .map(|journal| journal.lines().count())
        .sum()
}

#[tokio::test]
async fn a_pulling_daemon_killed_half_way_resumes_after_a_restart() {
    let (n, size) = (80, 200_000);
    let a = TestServer::start(Setup::default()).await;
    for i in 0..n {
        // Odd seeds: `random_file` uses `seed | 1`, so each file gets its own content.
        random_file(
            &a.module_dir("make").join(format!("out/f{i:03}")),
            size,
            2 * i as u64 + 1,
        );
    }
    std::fs::write(
        a.module_dir("make").join("metadata"),
        r#"{"status": "COMPLETE"}"#,
    )
    .unwrap();
    let b = DaemonProcess::start(|_| {}).await;
    let b_client = |b: &DaemonProcess| {
        pimlico_client::remote::Client::new(&pimlico_client::remote::ServerSpec::url(&b.url, None))
            .unwrap()
    };
    let (reached_tx, reached_rx) = oneshot::channel();
    let resume = Arc::new(Notify::new());
    let via = proxy(
        a.url.clone(),
        (n * size / 2) as u64,
        reached_tx,
        resume.clone(),
    )
    .await;
    let request = |source: String| PullRequest {
        source,
        token: "unused".into(),
        modules: vec!["make".into()],
        overwrite: false,
        ignore_definition_mismatch: false,
        compression: DataCompression::None,
        ca_pem: None,
    };
    b_client(&b)
        .start_pull(NAME, "main", &request(via))
        .await
        .unwrap();
    reached_rx.await.unwrap();
    // What arrived before the pause (40 of the 80 files) is being verified and kept; wait until
    // most of it is.
    let root = b.variant_root.clone();
    tokio::task::spawn_blocking(move || {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while kept_objects(&root) < 3 * n / 8 {
            assert!(std::time::Instant::now() < deadline, "nothing was kept");
            // Polling the slot for a condition, not waiting for a fixed time.
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    })
    .await
    .unwrap();
    let b = b.kill_and_restart().await;
    resume.notify_one();
    assert!(!b.variant_root.join("make").exists(), "nothing installed");
    let kept = kept_objects(&b.variant_root);
    assert!(
        kept >= 3 * n / 8,
        "the restart kept what was verified: {kept}"
    );

    let client = b_client(&b);
    let id = client
        .start_pull(NAME, "main", &request(a.url.clone()))
        .await
        .unwrap()
        .id;
    let done = client.transfer_to_end(&id).await.unwrap();
    assert_eq!(done.state, TransferState::Succeeded, "{done:?}");
    assert_eq!(done.resumed_files, kept as u64, "{done:?}");
    assert_eq!(done.files, (n + 1 - kept) as u64, "{done:?}");
    // Only the rest travelled: its data with archive headers (under 5%), and the metadata.
    assert!(
        done.bytes <= ((n - kept) * size * 21 / 20 + 64 * 1024) as u64,
        "only the rest travelled (kept {kept}): {done:?}"
    );
    assert_eq!(
        tree(&b.variant_root.join("make")),
        tree(&a.module_dir("make"))
    );
    a.stop().await;
}
