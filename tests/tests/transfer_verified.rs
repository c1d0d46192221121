//! Verified, incremental and resumable transfers between real daemons on `127.0.0.1:0`,
//! driven through the client library: a byte flipped on the wire is caught and nothing is
//! installed; a transfer broken at half way and repeated sends about half; a re-transfer after
//! changing 1% of the files sends about 1% of the bytes.

mod daemon_support;
mod transfer_support;

use std::sync::atomic::Ordering;

use daemon_support::{Daemon, PIPELINE, contents};
use pimlico_proto::{DataCompression, PullRequest, TransferInfo, TransferState};
use pimlico_tests::Workspace;
use transfer_support::{Relay, Tamper, file_name, pseudo_random, write_module};

const TOKEN_A: &str = "token-of-a-0123456789";

/// `to` pulls `first` from `source_url` (daemon `a`, possibly through a relay).
async fn pull(to: &Daemon, source_url: &str, overwrite: bool) -> TransferInfo {
    let request = PullRequest {
        source: source_url.to_string(),
        token: TOKEN_A.into(),
        modules: vec!["first".into()],
        overwrite,
        ignore_definition_mismatch: false,
        compression: DataCompression::None,
        ca_pem: None,
    };
    to.client
        .pull_to_end("demo", "main", &request)
        .await
        .unwrap()
}

fn workspace() -> Workspace {
    let ws = Workspace::new();
    ws.write("p.conf", PIPELINE);
    ws
}

fn staging_entries(root: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(root.join(".pimlico-staging"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_byte_flipped_in_transit_is_caught_and_nothing_is_installed() {
    let ws = workspace();
    let a = Daemon::start(&ws, "a").await;
    let b = Daemon::start(&ws, "b").await;
    write_module(&a.root, "first", 60, 50_000, Some(37));
    let relay = Relay::start(&a.url, Tamper::FlipMarker).await;

    let failed = pull(&b, &relay.url, false).await;
    assert!(
        relay.fired.load(Ordering::SeqCst),
        "the relay flipped a byte"
    );
    assert_eq!(failed.state, TransferState::Failed, "{failed:?}");
    let error = failed.error.clone().unwrap_or_default();
    assert!(
        error.contains(&format!("file '{}'", file_name(37))) && error.contains("does not match"),
        "the error names the damaged file: {error}"
    );
    assert!(
        !b.root.join("first").exists(),
        "nothing was installed: {:?}",
        pimlico_tests::tree(&b.root)
    );
    let status = b.client.status("demo", "main", true).await.unwrap();
    let first = status.modules.iter().find(|m| m.name == "first").unwrap();
    assert_eq!(first.status, "UNEXECUTED", "never shown COMPLETE");

    // Again without the relay: the files verified before the damaged one are not sent again.
    let done = pull(&b, &a.url, false).await;
    assert_eq!(done.state, TransferState::Succeeded, "{done:?}");
    assert_eq!(
        contents(&b.root.join("first")),
        contents(&a.root.join("first"))
    );
    assert!(b.root.join("first/empty").is_dir());
    assert!(done.resumed_files > 0, "{done:?}");
    assert_eq!(done.files + done.resumed_files, 61, "{done:?}");
    assert!(
        staging_entries(&b.root).is_empty(),
        "the resumable slot is removed once installed"
    );
    b.stop().await;
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transfer_broken_at_half_way_sends_only_the_rest_when_repeated() {
    let ws = workspace();
    let a = Daemon::start(&ws, "a").await;
    let b = Daemon::start(&ws, "b").await;
    let c = Daemon::start(&ws, "c").await;
    let (n, size) = (200, 64 * 1024);
    write_module(&a.root, "first", n, size, None);

    let full = pull(&c, &a.url, false).await;
    assert_eq!(full.state, TransferState::Succeeded, "{full:?}");

    let relay = Relay::start(&a.url, Tamper::DropAfter((n * size / 2) as u64)).await;
    let broken = pull(&b, &relay.url, false).await;
    assert!(relay.fired.load(Ordering::SeqCst));
    assert_eq!(broken.state, TransferState::Failed, "{broken:?}");
    assert!(!b.root.join("first").exists(), "nothing installed");
    assert!(
        staging_entries(&b.root)
            .iter()
            .any(|e| e.starts_with("resume-")),
        "what was verified is kept"
    );

    let resumed = pull(&b, &a.url, false).await;
    assert_eq!(resumed.state, TransferState::Succeeded, "{resumed:?}");
    assert_eq!(
        contents(&b.root.join("first")),
        contents(&a.root.join("first"))
    );
    let ratio = resumed.bytes as f64 / full.bytes as f64;
    assert!(
        (0.35..0.65).contains(&ratio),
        "the repeated transfer sent {} of {} bytes ({ratio:.3})",
        resumed.bytes,
        full.bytes
    );
    assert!(resumed.resumed_files >= 80, "{resumed:?}");
    for d in [c, b, a] {
        d.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_one_percent_of_the_files_sends_about_one_percent() {
    let ws = workspace();
    let a = Daemon::start(&ws, "a").await;
    let b = Daemon::start(&ws, "b").await;
    let (n, size) = (200, 32 * 1024);
    write_module(&a.root, "first", n, size, None);

    let full = pull(&b, &a.url, false).await;
    assert_eq!(full.state, TransferState::Succeeded, "{full:?}");
    let again = pull(&b, &a.url, true).await;
    assert_eq!(again.state, TransferState::Succeeded, "{again:?}");
    assert_eq!(again.bytes, 0, "identical data: nothing travels: {again:?}");

    for i in [3, 150] {
        std::fs::write(
            a.root.join("first").join(file_name(i)),
            pseudo_random(size, 1000 + i as u64),
        )
        .unwrap();
    }
    let incremental = pull(&b, &a.url, true).await;
    assert_eq!(
        incremental.state,
        TransferState::Succeeded,
        "{incremental:?}"
    );
    assert_eq!(
        contents(&b.root.join("first")),
        contents(&a.root.join("first"))
    );
    assert_eq!(incremental.files, 2, "{incremental:?}");
    assert_eq!(
        incremental.reused_files,
        (n - 2 + 1) as u64,
        "{incremental:?}"
    );
    let ratio = incremental.bytes as f64 / full.bytes as f64;
    assert!(
        ratio < 0.02,
        "1% of the files changed, {} of {} bytes sent ({ratio:.4})",
        incremental.bytes,
        full.bytes
    );
    b.stop().await;
    a.stop().await;
}
