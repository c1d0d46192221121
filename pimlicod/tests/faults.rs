//! Faults: the real `pimlicod` killed with SIGKILL during an upload, a download, a pull and a
//! run, then started again on the same store. Old data is intact or new data complete, staging
//! data is never module data and is reclaimed at the restart, locks left by killed processes are
//! recoverable and statuses consistent. Full disks are in `faults_disk.rs`.

mod common;
mod fault_support;

use std::sync::Arc;

use bytes::Bytes;
use fault_support::{NAME, Site, dump, files, holding_proxy, make_module, pull_of_make, until};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use pimlico_proto::{DataCompression, RunRequest, RunState, TransferState};
use tokio::sync::{Notify, mpsc, oneshot};

const MIB: usize = 1 << 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_during_an_upload_keeps_the_old_data_and_reclaims_staging() {
    let site = Site::new(None);
    make_module(&site.module_dir("make"), MIB, 1);
    let before = files(&site.module_dir("make"));
    let source = tempfile::tempdir().unwrap();
    make_module(source.path(), 32 * MIB, 2);
    let archive = dump(source.path()).await;

    let daemon = site.start().await;
    let (tx, rx) = mpsc::channel::<std::io::Result<Bytes>>(1);
    let client = daemon.client.clone();
    let upload = tokio::spawn(async move {
        let body = tokio_stream::wrappers::ReceiverStream::new(rx);
        client.upload(NAME, "main", "make", true, body).await
    });
    // Half the archive goes in; the daemon is extracting it into a staging slot.
    for chunk in archive[..archive.len() / 2].chunks(MIB) {
        tx.send(Ok(Bytes::copy_from_slice(chunk))).await.unwrap();
    }
    until("a staging slot", || !site.staging().is_empty()).await;
    daemon.kill9().await;
    drop(tx);
    assert!(upload.await.unwrap().is_err(), "the upload cannot succeed");
    assert_eq!(files(&site.module_dir("make")), before, "old data intact");
    assert!(!site.staging().is_empty(), "the dead slot is still there");

    // The restart reclaims the slot; the module is as before and can be replaced.
    let daemon = site.start().await;
    assert_eq!(site.staging(), Vec::<std::path::PathBuf>::new());
    let detail = daemon
        .client
        .module_status(NAME, "main", "make", false)
        .await
        .unwrap();
    assert_eq!(detail.summary.status, "COMPLETE");
    assert!(detail.summary.lock.is_none());
    let body = futures::stream::once(async move { Ok(Bytes::from(archive)) });
    let done = daemon
        .client
        .upload(NAME, "main", "make", true, body)
        .await
        .unwrap();
    assert!(done.replaced);
    assert_eq!(files(&site.module_dir("make")), files(source.path()));
    daemon.kill9().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_during_a_download_the_client_sees_an_error_never_a_short_archive() {
    let site = Site::new(None);
    make_module(&site.module_dir("make"), 48 * MIB, 3);
    let before = files(&site.module_dir("make"));
    let daemon = site.start().await;
    let download = daemon
        .client
        .download(NAME, "main", "make", DataCompression::None)
        .await
        .unwrap();
    let mut body = download.body;
    let first = futures::StreamExt::next(&mut body).await.unwrap().unwrap();
    assert!(!first.is_empty());
    daemon.kill9().await;
    let mut received = first.len();
    let mut ended_with_error = false;
    while let Some(chunk) = futures::StreamExt::next(&mut body).await {
        match chunk {
            Ok(chunk) => received += chunk.len(),
            Err(_) => {
                ended_with_error = true;
                break;
            }
        }
    }
    assert!(
        ended_with_error,
        "the stream ended cleanly after {received} bytes"
    );
    assert!(received < 48 * MIB, "it was cut");
    assert_eq!(files(&site.module_dir("make")), before);

    // After a restart the whole module downloads and extracts.
    let daemon = site.start().await;
    let download = daemon
        .client
        .download(NAME, "main", "make", DataCompression::Zstd)
        .await
        .unwrap();
    let dest = tempfile::tempdir().unwrap();
    let reader = tokio_util::io::StreamReader::new(download.body);
    let staging = pimlico_core::archive::Staging::new(dest.path());
    let staged = pimlico_core::archive::extract_into_staging(
        &staging,
        reader,
        &pimlico_core::archive::ExtractOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(files(&staged.dir), before);
    daemon.kill9().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pulling_daemon_killed_midway_keeps_its_data_resumes_or_reclaims_and_pulls_again() {
    let source = common::TestServer::start(common::Setup {
        pipeline: Some(fault_support::pipeline(std::path::Path::new(
            "/nonexistent",
        ))),
        ..common::Setup::default()
    })
    .await;
    make_module(
        &source.dir.path().join("store").join(NAME).join("main/make"),
        32 * MIB,
        4,
    );
    let wanted = files(&source.dir.path().join("store").join(NAME).join("main/make"));

    let site = Site::new(None);
    make_module(&site.module_dir("make"), MIB, 5);
    let before = files(&site.module_dir("make"));
    let daemon = site.start().await;
    let (reached_tx, reached_rx) = oneshot::channel();
    let resume = Arc::new(Notify::new());
    let via = holding_proxy(source.url.clone(), 4 << 20, reached_tx, resume.clone()).await;
    let mut request = pull_of_make(via);
    let started = daemon
        .client
        .start_pull(NAME, "main", &request)
        .await
        .unwrap();
    reached_rx.await.unwrap();
    until("a staging slot", || !site.staging().is_empty()).await;
    daemon.kill9().await;
    resume.notify_one();
    assert_eq!(files(&site.module_dir("make")), before, "old data intact");

    // The restarted daemon keeps what the killed pull verified, only in the module's resumable
    // slot, for the next pull; the module's data is the old one.
    let daemon = site.start().await;
    let kept = site.staging();
    assert!(!kept.is_empty());
    for entry in &kept {
        let name = entry.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with("resume-"),
            "only a resumable slot: {kept:?}"
        );
    }
    assert_eq!(files(&site.module_dir("make")), before, "old data intact");
    // Its record is read back: failed, saying why and that pulling again resumes.
    let stopped = daemon.client.transfer(&started.id).await.unwrap();
    assert_eq!(stopped.state, TransferState::Failed, "{stopped:?}");
    let error = stopped.error.as_deref().unwrap_or_default();
    assert!(
        error.contains("daemon stopped before the transfer finished") && error.contains("resumes"),
        "{error}"
    );
    assert_eq!((stopped.current.as_deref(), stopped.done.len()), (None, 0));
    assert_eq!(
        daemon.client.transfers().await.unwrap().transfers,
        std::slice::from_ref(&stopped)
    );
    daemon.kill9().await;

    // Once older than resume_max_age_hours it is abandoned: the next start reclaims it.
    let local = std::fs::read_to_string(&site.local).unwrap();
    std::fs::write(&site.local, format!("{local}resume_max_age_hours=0\n")).unwrap();
    let daemon = site.start().await;
    assert_eq!(
        site.staging(),
        Vec::<std::path::PathBuf>::new(),
        "reclaimed"
    );
    assert_eq!(files(&site.module_dir("make")), before, "old data intact");
    let detail = daemon
        .client
        .module_status(NAME, "main", "make", false)
        .await
        .unwrap();
    assert_eq!(detail.summary.status, "COMPLETE");
    request.source = source.url.clone();
    let done = daemon
        .client
        .pull_to_end(NAME, "main", &request)
        .await
        .unwrap();
    assert_eq!(done.state, TransferState::Succeeded, "{done:?}");
    assert_ne!(
        done.id, stopped.id,
        "a new id, not one of an earlier lifetime"
    );
    assert_eq!(done.done, ["make"]);
    assert!(done.files > 0 && done.data_bytes > 0, "{done:?}");
    assert_eq!(files(&site.module_dir("make")), wanted, "new data complete");
    assert_eq!(site.staging(), Vec::<std::path::PathBuf>::new());
    daemon.kill9().await;

    // Both records outlive a SIGKILL as they were; the finished pull's counts are exact.
    let daemon = site.start().await;
    let same_but_rate = |mut info: pimlico_proto::TransferInfo| {
        info.rate = 0.0;
        info
    };
    let read_back = daemon.client.transfer(&done.id).await.unwrap();
    assert_eq!(same_but_rate(read_back), same_but_rate(done.clone()));
    let listed: Vec<_> = daemon.client.transfers().await.unwrap().transfers;
    let listed: Vec<_> = listed.into_iter().map(same_but_rate).collect();
    assert_eq!(listed, [same_but_rate(stopped), same_but_rate(done)]);
    daemon.kill9().await;
    source.stop().await;
}

/// Writes a line into the FIFO that module `slow` reads its first line from. Opened for reading
/// and writing, the FIFO never blocks the test; the line waits in it until the module reads it.
/// Keep the file until the module has read the line.
fn open_the_gate(site: &Site) -> std::fs::File {
    use std::io::Write;
    let mut fifo = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&site.fifo)
        .unwrap();
    fifo.write_all(b"go\n").unwrap();
    fifo
}

fn lock_pid(site: &Site, module: &str) -> Option<i32> {
    let text = std::fs::read_to_string(site.module_dir(module).join(".execution_lock")).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value["pid"].as_i64().map(|p| p as i32)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_during_a_run_with_its_module_the_stale_lock_is_reported_and_unlocked() {
    let site = Site::new(None);
    let daemon = site.start().await;
    let request = RunRequest {
        modules: vec!["slow".into()],
        ..Default::default()
    };
    daemon
        .client
        .start_run(NAME, "main", &request)
        .await
        .unwrap();
    until("the module's lock", || lock_pid(&site, "slow").is_some()).await;
    until("the module's command", || {
        fault_support::a_process_has_argument(&site.fifo)
    })
    .await;
    let child = lock_pid(&site, "slow").unwrap();
    // The machine loses the daemon and the module it runs (its own process group).
    daemon.kill9().await;
    killpg(Pid::from_raw(child), Signal::SIGKILL).unwrap();
    until("the module process to be gone", || {
        nix::sys::signal::kill(Pid::from_raw(child), None).is_err()
    })
    .await;

    let daemon = site.start().await;
    let detail = daemon
        .client
        .module_status(NAME, "main", "slow", false)
        .await
        .unwrap();
    assert_eq!(
        detail.summary.status, "STARTED",
        "what the killed run wrote"
    );
    let lock = detail.summary.lock.expect("the lock is reported");
    assert!(lock.stale, "a lock of a dead process is stale: {lock:?}");
    // The killed daemon's run record survives the restart, ended, saying why.
    let runs = daemon.client.runs(&Default::default()).await.unwrap().runs;
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].state, RunState::Failed, "{runs:?}");
    let why = runs[0].error.as_deref().unwrap_or_default();
    assert!(
        why.contains("the daemon stopped before the run ended"),
        "{why}"
    );

    // As with the original Pimlico, a stale lock stops a run with a message saying how to
    // recover; `unlock` does.
    let run = daemon
        .client
        .start_run(NAME, "main", &request)
        .await
        .unwrap();
    let refused = daemon.client.run_to_end(&run.id).await.unwrap();
    assert_eq!(refused.state, RunState::Failed);
    let error = refused.error.unwrap_or_default();
    assert!(
        error.contains("is no longer running") && error.contains("'unlock' command"),
        "{error}"
    );
    daemon.client.unlock(NAME, "main", "slow").await.unwrap();
    let run = daemon
        .client
        .start_run(NAME, "main", &request)
        .await
        .unwrap();
    let _gate = open_the_gate(&site);
    let done = daemon.client.run_to_end(&run.id).await.unwrap();
    assert_eq!(done.state, RunState::Succeeded, "{done:?}");
    let detail = daemon
        .client
        .module_status(NAME, "main", "slow", false)
        .await
        .unwrap();
    assert_eq!(detail.summary.status, "COMPLETE");
    assert!(detail.summary.lock.is_none());
    assert_eq!(
        std::fs::read_to_string(site.module_dir("slow").join("output/data/line.txt")).unwrap(),
        "go\n"
    );
    daemon.kill9().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_during_a_run_the_module_finishes_and_the_restarted_daemon_agrees() {
    let site = Site::new(None);
    let daemon = site.start().await;
    let request = RunRequest {
        modules: vec!["slow".into()],
        ..Default::default()
    };
    daemon
        .client
        .start_run(NAME, "main", &request)
        .await
        .unwrap();
    until("the module's lock", || lock_pid(&site, "slow").is_some()).await;
    until("the module's command", || {
        fault_support::a_process_has_argument(&site.fifo)
    })
    .await;
    let child = lock_pid(&site, "slow").unwrap();
    daemon.kill9().await;

    // Only the daemon died: the module's process still holds the lock, and the restarted
    // daemon will not start the module again under it.
    let daemon = site.start().await;
    let detail = daemon
        .client
        .module_status(NAME, "main", "slow", false)
        .await
        .unwrap();
    let lock = detail.summary.lock.expect("the lock is reported");
    assert!(!lock.stale, "{lock:?}");
    let err = daemon
        .client
        .start_run(NAME, "main", &request)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(409), "{err}");

    let _gate = open_the_gate(&site);
    until("the module process to end", || {
        nix::sys::signal::kill(Pid::from_raw(child), None).is_err()
            || lock_pid(&site, "slow").is_none()
    })
    .await;
    until("the lock to go", || lock_pid(&site, "slow").is_none()).await;
    let detail = daemon
        .client
        .module_status(NAME, "main", "slow", false)
        .await
        .unwrap();
    assert!(detail.summary.lock.is_none());
    // The module's own process recorded the end of its execution.
    assert_eq!(detail.summary.status, "COMPLETE");
    assert_eq!(
        std::fs::read_to_string(site.module_dir("slow").join("output/data/line.txt")).unwrap(),
        "go\n"
    );
    daemon.kill9().await;
}

#[test]
fn the_reliability_doc_lists_every_fault() {
    // Every fault test of this file and of `faults_disk.rs`.
    let source = [include_str!("faults.rs"), include_str!("faults_disk.rs")].join("\n");
    let lines: Vec<&str> = source.lines().collect();
    let tests: Vec<&str> = lines
        .windows(2)
        .filter(|w| w[0].starts_with("#[tokio::test"))
        .filter_map(|w| w[1].strip_prefix("async fn "))
        .filter_map(|rest| rest.split('(').next())
        .collect();
    let mut phrases: Vec<String> = tests.iter().map(|t| format!("`{t}`")).collect();
    phrases.push(format!("**{} faults injected**", tests.len()));
    fault_support::assert_doc_says(&phrases);
}
